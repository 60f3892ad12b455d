/**
 * constrain: grammar-constrained decoding for language models.
 *
 * ```ts
 * const vocab = await Vocabulary.fromFile('llama3.1');
 * const compiled = compileJsonSchema(schema, vocab);
 * const m = compiled.matcher();
 * const mask = allocateBitmask(vocab.size);
 * m.fillNextTokenBitmask(mask);   // bit (id & 31) of word (id >>> 5): allowed
 * m.acceptToken(id);
 * ```
 */
export { Vocabulary, type VocabularyKind } from './vocab/vocabulary.js';
export { allocateBitmask, TokenTrie } from './vocab/trie.js';
export { resolveTokenizerPath } from './vocab/resolve.js';
export {
  compileGrammar,
  compileRegex,
  compileGbnf,
  compileLark,
  compileJsonSchema,
  type CompileOptions,
  type CompileRegexOptions,
  type CompileGbnfOptions,
  type CompileLarkOptions,
  type CompileJsonSchemaOptions,
  type GrammarLimits,
} from './api.js';
export { CompiledGrammar, type CompileStats, type ReportEntry, type MatcherVocabulary } from './matcher/compiled.js';
export { Matcher } from './matcher/matcher.js';
export type { Grammar, Expr } from './ir/expr.js';
export * as ir from './ir/expr.js';
export { parseRegex } from './frontends/regex/index.js';
export { parseGbnf, parseLark } from './frontends/ebnf/index.js';
export { jsonSchemaToGrammar, type JsonSchemaOptions } from './frontends/json-schema/index.js';
export {
  ConstrainError,
  GrammarSyntaxError,
  UnsupportedFeatureError,
  LimitExceededError,
  EmptyLanguageError,
  TokenizerLoadError,
  ModelLoadError,
  ExecutionProviderError,
  InvalidArgumentError,
  type ErrorCode,
  type SourceLocation,
} from './errors.js';
export { walkTrie, type Recognizer } from './vocab/trie.js';
export { parseEbnf, detectDialect } from './frontends/ebnf/index.js';
export type { RegexOptions } from './frontends/regex/index.js';
export type { JsonSchemaLimits, WhitespaceMode, SchemaReport } from './frontends/json-schema/index.js';
export {
  Generator,
  Generation,
  replay,
  compileConstraint,
  renderChat,
  type GenerationRequest,
  type GeneratorOptions,
  type GenerationResult,
  type TokenInfo,
  type FinishReason,
  type ConstraintSpec,
  type ChatMessage,
  type Provenance,
  type JsonPropertyOrder,
} from './generation/index.js';
export { loadModel, CausalLM, KvCache, WorkerLM, ensureBuiltinModel, resolveModelDir, convertLlama2c } from './decode/index.js';
export type { LoadModelOptions, ModelInfo, ExecutionProviderName, LanguageModel, PastCache } from './decode/index.js';
export { BatchMaskPool, BatchPoolError, type BatchMaskPoolOptions, type GrammarSpec, type SequenceId } from './batch/index.js';
export { Rng, sampleToken, applyBitmask, topLogprobs, logSoftmax, type SamplingParams } from './sampling/index.js';
