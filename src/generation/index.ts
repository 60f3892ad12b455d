/**
 * Generation: the user-facing API over the decoding loop. {@link Generator}
 * loads a model (or the built-in one) with its tokenizer and chat template;
 * `generate`, `stream` and `start` run requests (prompt or chat messages,
 * constraint spec or compiled grammar, prefill, stop strings, sampling, seed,
 * logprobs, jump-forward, AbortSignal); a {@link Generation} session steps,
 * forks and regenerates; every result carries a {@link Provenance} record
 * that {@link replay} reproduces.
 */
export { Generator } from './generator.js';
export type { GenerationRequest, GeneratorOptions } from './generator.js';
export { Generation } from './generation.js';
export type { TokenInfo, FinishReason, GenerationResult, GenerationTiming, HistoryOp } from './generation.js';
export type { TopEntry } from './logprobs.js';
export { compileConstraint, constraintHash, captureGroups, CONSTRAINT_KINDS } from './constraint.js';
export type { ConstraintSpec, JsonWhitespace, JsonPropertyOrder } from './constraint.js';
export { sampleFirst, maskedArgmax, maskedDraw } from './pick.js';
export type { PickCheck } from './pick.js';
export { readChatTemplateConfig, renderChat } from './chat.js';
export type { ChatMessage, ChatTemplateConfig } from './chat.js';
export { replay, provenanceOf, requestOf } from './replay.js';
export type { ReplayOptions, ReplayOutcome } from './replay.js';
export { PROVENANCE_FORMAT } from './provenance.js';
export type { Provenance, RecordedRequest } from './provenance.js';
export { runE2eBench, defaultE2eCases, E2E_PROMPTS, E2E_SCHEMA, E2E_GBNF } from './e2e.js';
export type { E2eCase, E2eOptions, E2eRow, E2eSummary } from './e2e.js';
