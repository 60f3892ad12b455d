/**
 * Decoding: ONNX model directories, KV cache, the generation loop, the
 * built-in seeded model, and llama2.c conversion. The only layer that
 * imports onnxruntime-node.
 */
export { loadModel, findModelFile, describeModel, prepareLoad, CausalLM, KvCache } from './model.js';
export type { LoadModelOptions, ModelInfo, StepResult, ForwardResult, ExecutionProviderName, FloatKind, LanguageModel, PastCache, ModelDescription, PreparedLoad } from './model.js';
export { WorkerLM, WorkerKvCache } from './worker-model.js';
export type { PendingForward, WorkerForwardResult } from './worker-model.js';
export { generate, generateStream } from './generate.js';
export type { TokenConstraint, GenerateOptions, GenerateResult, GeneratedToken, GenerateEvent, FinishReason, GenerateTiming } from './generate.js';
export { ensureBuiltinModel, resolveModelDir, writeSeededModel, cacheDir, BUILTIN_ARCH, BUILTIN_SEED } from './builtin.js';
export type { BuiltinModelOptions, SeededModelOptions } from './builtin.js';
export { convertLlama2c, readLlama2c, permuteRopeRows } from './llama2c.js';
export type { ConvertLlama2cOptions, Llama2cCheckpoint } from './llama2c.js';
export { buildLlamaOnnx, buildLlamaGraph, randomLlamaWeights, llamaConfigJson } from './llama-builder.js';
export type { LlamaConfig, LlamaWeights, LlamaLayerWeights, LlamaBuildOptions } from './llama-builder.js';
