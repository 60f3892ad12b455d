/**
 * Batch masks across worker threads: {@link BatchMaskPool} fills the
 * bitmask rows of many sequences per call into shared memory.
 */
export { BatchMaskPool, type BatchMaskPoolOptions, type FillOptions, type SequenceId } from './pool.js';
export { BatchPoolError, type BatchPoolErrorCode } from './errors.js';
export { compileSpec, specKey, type GrammarSpec } from './spec.js';
