import { defineTokenizerSuite } from './roundtrip.js';

defineTokenizerSuite({ source: 'gpt-oss', kind: 'byte-level', tokenizerSize: 200019, eosIds: [200002], bosId: 199998, specialCount: 21 });
defineTokenizerSuite({ source: 'deepseek-v3', kind: 'byte-level', tokenizerSize: 128815, eosIds: [1], bosId: 0, specialCount: 804 });
