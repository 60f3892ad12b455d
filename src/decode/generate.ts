/**
 * The decoding loop: prompt ids in, tokens out, optionally constrained by a
 * token-level matcher. Works on token ids only (no tokenizer): the caller
 * encodes the prompt and decodes the output with its Vocabulary.
 *
 * One step: (1) if the constraint is terminated, stop; (2) take the model's
 * logits for the next position; (3) pick a token: greedy or seeded sampling
 * over the logits masked by the constraint; (4) EOS ends generation (it is
 * passed to the constraint, which accepts it only in an accepting state, and
 * not returned among the tokens); otherwise the constraint accepts the token
 * and the model is run on it with the KV cache.
 *
 * "Sample first, check one token" (DESIGN §4): with greedy or pure
 * temperature sampling (no top-k/top-p/min-p, no logprobs), the token is
 * drawn from the unmasked distribution and only offered to the constraint;
 * the full mask is built only when it is rejected, and the token is then
 * redrawn from the masked distribution. For greedy this picks the masked
 * argmax; for temperature sampling the result is distributed exactly as a
 * draw from the masked distribution (accept-or-redraw), though it consumes
 * the PRNG differently from the eager path, so the two modes give different
 * (each reproducible) samples for the same seed. Set `lazyMask: false` to
 * always build the mask first.
 */
import { InvalidArgumentError } from '../errors.js';
import { checkSamplingParams, sampleToken, type SamplingParams } from '../sampling/draw.js';
import { SamplingScratch } from '../sampling/filters.js';
import { topLogprobs, type TopLogprobs } from '../sampling/logprobs.js';
import { applyBitmask } from '../sampling/mask.js';
import { Rng } from '../sampling/prng.js';
import { logSoftmax } from '../sampling/softmax.js';
import type { CausalLM, KvCache } from './model.js';

/** What the loop needs from a grammar matcher (the `Matcher` of the constrain engine satisfies it). */
export interface TokenConstraint {
  /** Writes the allowed-token bitmask; returns whether anything is masked (false: all allowed). */
  fillNextTokenBitmask(mask: Uint32Array): boolean;
  /** Advances by `id`; returns false (state unchanged) when `id` is not allowed. */
  acceptToken(id: number): boolean;
  /** Whether the constraint has ended (after EOS, or nothing can follow). */
  isTerminated(): boolean;
  /**
   * Optional: ids that are the only possible continuation (canonical
   * tokenization of forced text), used when `jumpForward` is on.
   */
  forcedTokens?(): number[];
}

/** Options of {@link generate} / {@link generateStream}. */
export interface GenerateOptions extends SamplingParams {
  /** Most tokens to generate (EOS not counted). Default 256. */
  maxTokens?: number;
  /** PRNG seed for sampling. Default 0. */
  seed?: number;
  /** Token-level constraint (a grammar matcher). */
  constraint?: TokenConstraint | null;
  /** Ids that end generation. Default: the model's `eosTokenIds`. */
  eosTokenIds?: readonly number[];
  /**
   * Number of real token ids (the tokenizer's size); logits at or beyond it
   * (padding) are never chosen. Default: the logits' width.
   */
  tokenizerSize?: number;
  /** Report the top-N log-probabilities of the model's and the masked distributions per token. Default 0. */
  logprobs?: number;
  /** Tokens forced at the start of the answer (fed to the constraint, emitted, no sampling). */
  prefillIds?: readonly number[];
  /** A cache holding positions before `prompt` (to continue a previous generation or a branch). */
  past?: KvCache | null;
  /** Stops the loop (finish reason `aborted`) at the next step. */
  signal?: AbortSignal;
  /**
   * Stop strings: generation ends (finish reason `stop`) as soon as the bytes
   * of the generated tokens (prefill excluded) contain one of them. The token
   * that completes it stays in `ids`; trim the decoded text at `stopString`.
   * Needs `tokenBytes`.
   */
  stop?: readonly string[];
  /** Bytes of a token id (e.g. `vocab.tokenBytes.bind(vocab)`); required with `stop`. */
  tokenBytes?: (id: number) => Uint8Array;
  /** See the module doc. Default true. */
  lazyMask?: boolean;
  /**
   * Jump-forward: when the constraint's `forcedTokens()` returns ids, accept
   * them without sampling and feed them in one forward pass. Faster on
   * templates and JSON keys, but the forced text is tokenized canonically
   * rather than sampled, so it can differ from token-by-token decoding.
   * Default false.
   */
  jumpForward?: boolean;
}

/** One generated token. */
export interface GeneratedToken {
  /** Token id. */
  id: number;
  /** Whether it came from `prefillIds` rather than the model. */
  forced: boolean;
  /** Log-probability under the model's own (unmasked, untempered) distribution; NaN for forced tokens. */
  logprob: number;
  /** Log-probability under the masked distribution (equals `logprob` when unconstrained); NaN for forced tokens. */
  maskedLogprob: number;
  /** Top-N of the model's distribution (when `logprobs` > 0). */
  top?: TopLogprobs;
  /** Top-N of the masked distribution (when `logprobs` > 0). */
  maskedTop?: TopLogprobs;
}

/** Why generation stopped. */
export type FinishReason = 'eos' | 'stop' | 'max_tokens' | 'constraint' | 'aborted' | 'context_length';

/** Timing of a run, in milliseconds. */
export interface GenerateTiming {
  /** First forward pass (prompt + prefill). */
  prefillMs: number;
  /** All later forward passes. */
  decodeMs: number;
  /** Building masks and offering tokens to the constraint. */
  constraintMs: number;
  /** Sampling (filters, draws, logprobs). */
  samplingMs: number;
  /** Wall time of the whole call. */
  totalMs: number;
}

/** Result of {@link generate}. */
export interface GenerateResult {
  /** Generated ids (prefill included, EOS excluded). */
  ids: number[];
  /** Per-token details, parallel to `ids`. */
  tokens: GeneratedToken[];
  /** Why it stopped. */
  finishReason: FinishReason;
  /** The EOS id that ended generation, when `finishReason` is `eos`. */
  eosId: number | null;
  /** The stop string that ended generation, when `finishReason` is `stop`. */
  stopString: string | null;
  /** Cache of every position the model has seen (prompt and all ids but those in `unfed`). */
  present: KvCache;
  /** Ids not yet run through the model: continue with `generate(model, unfed, {past: present})`. */
  unfed: number[];
  /** Where the time went. */
  timing: GenerateTiming;
}

/** Events of {@link generateStream}: each token, then one final result. */
export type GenerateEvent = { type: 'token'; token: GeneratedToken } | { type: 'done'; result: GenerateResult };

/** Checks options; throws `InvalidArgumentError` naming the bad one. */
function checkOptions(prompt: readonly number[], o: GenerateOptions, vocab: number): void {
  checkSamplingParams(o);
  if (o.stop?.length && !o.tokenBytes) throw new InvalidArgumentError('stop strings need a tokenBytes function (e.g. vocab.tokenBytes)');
  if (o.stop?.some((x) => x.length === 0)) throw new InvalidArgumentError('stop strings must not be empty');
  if (o.maxTokens !== undefined && (!Number.isInteger(o.maxTokens) || o.maxTokens < 0)) throw new InvalidArgumentError(`maxTokens must be an integer >= 0, got ${o.maxTokens}`);
  if (o.logprobs !== undefined && (!Number.isInteger(o.logprobs) || o.logprobs < 0)) throw new InvalidArgumentError(`logprobs must be an integer >= 0, got ${o.logprobs}`);
  if (o.seed !== undefined && !Number.isSafeInteger(o.seed)) throw new InvalidArgumentError(`seed must be a safe integer, got ${o.seed}`);
  if (o.tokenizerSize !== undefined && (!Number.isInteger(o.tokenizerSize) || o.tokenizerSize < 1 || o.tokenizerSize > vocab)) {
    throw new InvalidArgumentError(`tokenizerSize ${o.tokenizerSize} must be in 1..${vocab} (the logits' width)`);
  }
  for (const id of [...prompt, ...(o.prefillIds ?? [])]) {
    if (!Number.isInteger(id) || id < 0 || id >= vocab) throw new InvalidArgumentError(`token id ${id} is outside the model's vocabulary 0..${vocab - 1}`);
  }
  if (prompt.length === 0 && !(o.prefillIds?.length) && !o.past?.length) throw new InvalidArgumentError('empty prompt: give at least one token (usually BOS)');
}

/**
 * Streams a generation: yields each token as it is chosen, then the result.
 * See the module doc for the loop.
 */
export async function* generateStream(model: CausalLM, prompt: readonly number[], options: GenerateOptions = {}): AsyncGenerator<GenerateEvent> {
  const t0 = performance.now();
  const V = model.info.vocabSize;
  checkOptions(prompt, options, V);
  const limit = options.tokenizerSize ?? V;
  const maxTokens = options.maxTokens ?? 256;
  const eos = options.eosTokenIds ?? model.info.eosTokenIds;
  const isEos = (id: number): boolean => eos.includes(id);
  const constraint = options.constraint ?? null;
  const nLogprobs = options.logprobs ?? 0;
  const temperature = options.temperature ?? 0;
  const plain = !options.topK && (options.topP === undefined || options.topP >= 1) && !options.minP;
  const lazy = (options.lazyMask ?? true) && constraint !== null && plain && nLogprobs === 0;
  const jump = options.jumpForward && constraint?.forcedTokens ? constraint.forcedTokens : null;
  const rng = new Rng(options.seed ?? 0);
  const scratch = new SamplingScratch(V);
  const mask = new Uint32Array(Math.ceil(V / 32));
  const work = new Float32Array(V);
  const lp = nLogprobs ? new Float32Array(V) : null;
  const timing: GenerateTiming = { prefillMs: 0, decodeMs: 0, constraintMs: 0, samplingMs: 0, totalMs: 0 };

  const ids: number[] = [];
  const tokens: GeneratedToken[] = [];
  let finishReason: FinishReason = 'max_tokens';
  let eosId: number | null = null;
  let stopString: string | null = null;
  const stops = new StopMatcher(options.stop ?? []);

  // Prefill: forced tokens go through the constraint and out, and into the first forward pass.
  const first = [...prompt];
  for (const id of options.prefillIds ?? []) {
    if (constraint) {
      const c0 = performance.now();
      const ok = constraint.acceptToken(id);
      timing.constraintMs += performance.now() - c0;
      if (!ok) throw new InvalidArgumentError(`prefill token ${id} (position ${ids.length}) is not allowed by the constraint`);
    }
    const t: GeneratedToken = { id, forced: true, logprob: NaN, maskedLogprob: NaN };
    ids.push(id);
    tokens.push(t);
    first.push(id);
    yield { type: 'token', token: t };
  }
  let past = options.past ?? null;
  const maxPos = model.info.maxPositions;
  const tf = performance.now();
  let step = await model.step(first, past);
  timing.prefillMs = performance.now() - tf;
  past = step.present;
  let unfed: number[] = [];

  while (true) {
    if (options.signal?.aborted) {
      finishReason = 'aborted';
      break;
    }
    if (constraint && constraint.isTerminated()) {
      finishReason = 'constraint';
      break;
    }
    if (ids.length >= maxTokens) {
      finishReason = 'max_tokens';
      break;
    }
    if (jump) {
      const c0 = performance.now();
      const forced = jump.call(constraint).slice(0, maxTokens - ids.length);
      let taken = 0;
      let stopped = false;
      for (const id of forced) {
        if (!constraint!.acceptToken(id)) throw new InvalidArgumentError(`the constraint rejected token ${id}, which its forcedTokens() returned`);
        const tok: GeneratedToken = { id, forced: true, logprob: NaN, maskedLogprob: NaN };
        ids.push(id);
        tokens.push(tok);
        taken++;
        yield { type: 'token', token: tok };
        if (stops.active && (stopString = stops.push(options.tokenBytes!(id))) !== null) {
          stopped = true;
          break;
        }
      }
      timing.constraintMs += performance.now() - c0;
      if (taken > 0) {
        unfed = ids.slice(ids.length - taken);
        if (stopped) {
          finishReason = 'stop';
          break;
        }
        if (ids.length >= maxTokens || constraint!.isTerminated()) continue; // the loop head says why
        if (maxPos !== null && past.length + taken > maxPos) {
          finishReason = 'context_length';
          break;
        }
        const td = performance.now();
        step = await model.step(unfed, past);
        timing.decodeMs += performance.now() - td;
        past = step.present;
        unfed = [];
        continue;
      }
    }
    const logits = step.logits;
    let id = -1;
    let masked = false;
    const ts = performance.now();
    if (lazy) {
      // Sample first from the unmasked distribution, then check that one token.
      work.set(logits);
      const cand = sampleToken(work, { temperature }, rng, null, limit, scratch);
      const c0 = performance.now();
      const ok = constraint!.acceptToken(cand); // EOS too: accepted only in an accepting state
      timing.constraintMs += performance.now() - c0;
      if (ok) id = cand;
    }
    timing.samplingMs += performance.now() - ts;
    if (id < 0) {
      if (constraint) {
        const c0 = performance.now();
        masked = constraint.fillNextTokenBitmask(mask);
        timing.constraintMs += performance.now() - c0;
      }
      const ts2 = performance.now();
      work.set(logits);
      id = sampleToken(work, options, rng, masked ? mask : null, limit, scratch);
      timing.samplingMs += performance.now() - ts2;
      if (constraint) {
        const c0 = performance.now();
        const ok = constraint.acceptToken(id);
        timing.constraintMs += performance.now() - c0;
        if (!ok) throw new InvalidArgumentError(`the constraint rejected token ${id}, which its own bitmask allowed`);
      }
    }
    const tok: GeneratedToken = { id, forced: false, logprob: NaN, maskedLogprob: NaN };
    if (lp) {
      const ts3 = performance.now();
      logSoftmax(limitLogits(logits, limit, work), lp);
      tok.logprob = lp[id]!;
      tok.top = topLogprobs(lp, nLogprobs);
      if (constraint) {
        // The eager path ran (logprobs disable the lazy one), so `mask`/`masked` describe this position.
        work.set(logits);
        if (masked) applyBitmask(work, mask, limit);
        else if (limit < V) work.fill(-Infinity, limit);
        logSoftmax(work, lp);
      }
      tok.maskedLogprob = lp[id]!;
      tok.maskedTop = constraint ? topLogprobs(lp, nLogprobs) : tok.top;
      timing.samplingMs += performance.now() - ts3;
    }
    if (isEos(id)) {
      finishReason = 'eos';
      eosId = id;
      break;
    }
    ids.push(id);
    tokens.push(tok);
    yield { type: 'token', token: tok };
    if (stops.active) {
      stopString = stops.push(options.tokenBytes!(id));
      if (stopString !== null) {
        finishReason = 'stop';
        unfed = [id];
        break;
      }
    }
    if (ids.length >= maxTokens || (constraint && constraint.isTerminated())) {
      unfed = [id];
      continue; // the loop head reports why; no forward pass is needed for the last token
    }
    if (maxPos !== null && past.length + 1 > maxPos) {
      unfed = [id];
      finishReason = 'context_length';
      break;
    }
    const td = performance.now();
    step = await model.step([id], past);
    timing.decodeMs += performance.now() - td;
    past = step.present;
  }
  timing.totalMs = performance.now() - t0;
  yield { type: 'done', result: { ids, tokens, finishReason, eosId, stopString, present: past, unfed, timing } };
}

/**
 * Finds stop strings in a growing byte stream. Keeps only the last
 * (longest stop − 1) bytes plus the new token's, so each push costs
 * O(token bytes × stops × longest stop) at most.
 */
class StopMatcher {
  private readonly stops: Array<{ text: string; bytes: Uint8Array }>;
  private tail = new Uint8Array(0);
  private readonly keep: number;
  /** Whether there is anything to look for. */
  readonly active: boolean;
  constructor(stops: readonly string[]) {
    const enc = new TextEncoder();
    this.stops = stops.map((text) => ({ text, bytes: enc.encode(text) }));
    this.keep = Math.max(0, ...this.stops.map((s) => s.bytes.length - 1));
    this.active = stops.length > 0;
  }
  /** Appends a token's bytes; returns the first stop string now present (earliest end), else null. */
  push(bytes: Uint8Array): string | null {
    const buf = new Uint8Array(this.tail.length + bytes.length);
    buf.set(this.tail);
    buf.set(bytes, this.tail.length);
    // Only matches ending inside the new bytes are new.
    for (let end = this.tail.length + 1; end <= buf.length; end++) {
      for (const s of this.stops) {
        const n = s.bytes.length;
        if (end < n) continue;
        let i = 0;
        while (i < n && buf[end - n + i] === s.bytes[i]) i++;
        if (i === n) return s.text;
      }
    }
    this.tail = buf.slice(Math.max(0, buf.length - this.keep));
    return null;
  }
}

/** `logits` with padding ids (>= limit) set to -Infinity, in `out`. */
function limitLogits(logits: Float32Array, limit: number, out: Float32Array): Float32Array {
  out.set(logits);
  if (limit < logits.length) out.fill(-Infinity, limit);
  return out;
}

/** Runs {@link generateStream} to the end and returns its result. */
export async function generate(model: CausalLM, prompt: readonly number[], options: GenerateOptions = {}): Promise<GenerateResult> {
  for await (const ev of generateStream(model, prompt, options)) if (ev.type === 'done') return ev.result;
  throw new Error('unreachable: generateStream ended without a result');
}
