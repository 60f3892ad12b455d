import { defineTokenizerSuite } from './roundtrip.js';

defineTokenizerSuite({ source: 'gemma3', kind: 'sentencepiece', tokenizerSize: 262145, eosIds: [106], bosId: 2, specialCount: 9 });
defineTokenizerSuite({ source: 'llama2', kind: 'sentencepiece', tokenizerSize: 32000, eosIds: [2], bosId: 1, specialCount: 3, prefixSpace: true });
defineTokenizerSuite({
  source: 'stories260K', shared: 'models/stories260K', kind: 'sentencepiece', tokenizerSize: 512,
  eosIds: [2], bosId: 1, specialCount: 3, prefixSpace: true,
});
defineTokenizerSuite({
  source: 'tiny-random-llama', shared: 'models/tiny-random-llama-fp16-onnx', kind: 'sentencepiece', tokenizerSize: 32000,
  eosIds: [2], bosId: 1, specialCount: 3, prefixSpace: true,
});
