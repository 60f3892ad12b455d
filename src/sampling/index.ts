/** Sampling: pure functions on Float32Array logits (bitmask, filters, seeded draws, logprobs). */
export { applyBitmask, isAllowed } from './mask.js';
export { argmax, logSoftmax, logSumExp, softmax } from './softmax.js';
export { applyMinP, applyTemperature, applyTopK, applyTopP, kthLargest, SamplingScratch } from './filters.js';
export { checkSamplingParams, drawFromLogits, sampleToken, type SamplingParams } from './draw.js';
export { topLogprobs, type TopLogprobs } from './logprobs.js';
export { Rng } from './prng.js';
