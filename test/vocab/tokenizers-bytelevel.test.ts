import { defineTokenizerSuite } from './roundtrip.js';

defineTokenizerSuite({ source: 'llama3.1', kind: 'byte-level', tokenizerSize: 128256, eosIds: [128009], bosId: 128000, specialCount: 256 });
defineTokenizerSuite({ source: 'llama3', kind: 'byte-level', tokenizerSize: 128256, eosIds: [128001], bosId: 128000, specialCount: 256 });
defineTokenizerSuite({ source: 'qwen3', kind: 'byte-level', tokenizerSize: 151669, eosIds: [151645], bosId: undefined, specialCount: 14, nfc: true });
