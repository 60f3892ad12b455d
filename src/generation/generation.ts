/**
 * One generation as a steppable session: the matcher, the KV cache, the PRNG
 * and the output so far. {@link Generation.step} produces the next token (or
 * a batch of forced tokens with jump-forward); {@link Generation.fork}
 * branches the whole state (matcher fork, shared immutable KV cache, PRNG
 * clone), so a branch given the same seed continues exactly as the original;
 * {@link Generation.regenerateFrom} keeps the first k tokens and samples the
 * rest again.
 *
 * A step: (1) feed pending ids to the model (one forward pass); (2) with
 * jump-forward, take the constraint's forced tokens without sampling; else
 * (3) pick a token: greedy or plain temperature "sample first, check one
 * token" (`sampleFirst` in `pick.ts`: the unmasked pick is kept when the
 * matcher accepts it, else a fresh pick over the mask; exact, and the same
 * procedure whether or not the mask is already at hand, so logprobs and
 * overlap never change the ids); top-k/top-p/min-p build the mask first and
 * go through `sampling/`; (4) EOS ends (not emitted); the token's bytes are
 * checked for stop strings. The model runs on a token only when the next
 * step needs its logits, so the last token costs no forward pass.
 *
 * Overlap (`GenerationContext.overlap`, a `WorkerLM` model): step (1) starts
 * the forward pass in the worker and, while it runs, does the constraint's
 * work for (2)/(3) — the forced tokens, else the mask — which depends only on
 * the tokens already chosen; then takes the logits. Same outcome bit for bit.
 *
 * Logprobs (when requested) are of the model's own distribution (before
 * temperature and filters) and of that distribution restricted to the
 * mask and renormalized; `removedMass` is the model probability the mask
 * took away. Forced tokens (prefill, jump-forward) were not sampled: their
 * masked distribution is the point mass on the token (logprob 0), so
 * `removedMass` = 1 − p(token).
 */
import { InvalidArgumentError } from '../errors.js';
import type { LanguageModel, PastCache } from '../decode/model.js';
import { WorkerLM, type WorkerKvCache } from '../decode/worker-model.js';
import type { CompiledGrammar } from '../matcher/compiled.js';
import type { Matcher } from '../matcher/matcher.js';
import { sampleToken } from '../sampling/draw.js';
import { SamplingScratch } from '../sampling/filters.js';
import { applyBitmask } from '../sampling/mask.js';
import { Rng } from '../sampling/prng.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import { captureGroups, type ConstraintSpec } from './constraint.js';
import { takeForced } from './forced.js';
import { maskedArgmax, maskedDraw, sampleFirst, type PickCheck } from './pick.js';
import { logSoftmaxTo, topN, type TopEntry } from './logprobs.js';
import { sha256, type HistoryOp, type Provenance } from './provenance.js';

export type { HistoryOp } from './provenance.js';

/** One output token and what the model and the constraint thought of it. */
export interface TokenInfo {
  /** Token id. */
  id: number;
  /** Its text (its bytes as UTF-8, lossy when a character is split; special tokens by name). */
  text: string;
  /** True when it was not sampled: prefill or a jump-forward forced token. */
  forced: boolean;
  /** Log-probability under the model's own distribution (null: logprobs not requested). */
  logprob: number | null;
  /** Log-probability under the masked, renormalized distribution (0 for forced tokens). */
  maskedLogprob: number | null;
  /** Top-N of the model's distribution (null unless N > 0 was requested). */
  topLogprobs: TopEntry[] | null;
  /** Top-N of the masked distribution: only allowed ids (null unless N > 0). */
  maskedTopLogprobs: TopEntry[] | null;
  /** Probability mass of the model's distribution that the mask removed (0 when unconstrained). */
  removedMass: number | null;
}

/** Why a generation stopped. */
export type FinishReason = 'eos' | 'stop' | 'max_tokens' | 'aborted' | 'context_length';

/** Where the time went, in milliseconds. */
export interface GenerationTiming {
  /** The first forward pass (prompt and prefill). */
  promptMs: number;
  /** Later forward passes. */
  forwardMs: number;
  /** Masks and offering tokens to the matcher (forced-token search included). */
  constraintMs: number;
  /** Sampling and logprobs. */
  samplingMs: number;
  /** All steps together. */
  totalMs: number;
  /** Forward passes run. */
  forwardPasses: number;
}

/** The outcome of a generation. */
export interface GenerationResult {
  /** Output text: prefill and generated tokens, cut before a stop string. */
  text: string;
  /** Why it stopped (null while still running). */
  finishReason: FinishReason | null;
  /** Output tokens (prefill included, EOS excluded). */
  tokens: TokenInfo[];
  /** The EOS id that ended it. */
  eosId: number | null;
  /** The stop string that ended it. */
  stopString: string | null;
  /** Named groups of a regex constraint, when it names any. */
  captures?: Record<string, string | null>;
  /** Number of prompt tokens. */
  promptTokens: number;
  /** Timing. */
  timing: GenerationTiming;
  /** The record to reproduce it. */
  provenance: Provenance;
}

/** Settled parameters of a generation. @internal */
export interface GenerationContext {
  model: LanguageModel;
  vocab: Vocabulary;
  spec: ConstraintSpec | null;
  compiled: CompiledGrammar | null;
  promptIds: number[];
  prefillIds: number[];
  sampling: { temperature: number; topK: number; topP: number; minP: number };
  seed: number;
  maxTokens: number;
  stop: string[];
  /** null: no logprobs; 0: the chosen token's; N: and top-N lists. */
  logprobs: number | null;
  jumpForward: boolean;
  ignoreEos: boolean;
  signal: AbortSignal | undefined;
  /** The model is a `WorkerLM`: do the constraint's work for the next token during the forward pass. */
  overlap: boolean;
  /** Provenance without `created` and `result`. */
  record: Omit<Provenance, 'created' | 'result'>;
}

const utf8 = new TextDecoder('utf-8');

/** Models found to reject a multi-token step after a past (fed one token at a time instead). */
const noBatchAfterPast = new WeakSet<LanguageModel>();

/** A steppable generation. Create with `Generator.start`. */
export class Generation {
  /** @internal */
  readonly ctx: GenerationContext;
  private matcher: Matcher | null;
  private rng: Rng;
  private past: PastCache | null = null;
  private unfed: number[];
  private unfedInfo: Array<TokenInfo | null>;
  private logits: Float32Array | null = null;
  private readonly out: TokenInfo[] = [];
  private byteEnds: number[] = [];
  private bytes = new Uint8Array(256);
  private nBytes = 0;
  private prefillBytes = 0;
  private stopAt = -1;
  private finish: FinishReason | null = null;
  private eosId: number | null = null;
  private stopString: string | null = null;
  private emitted = 0;
  private steps = 0;
  private fed = false;
  /** Prepared during an overlapped forward pass for this step: forced ids (already in the matcher), or null. */
  private preForced: number[] | null = null;
  /** Likewise the mask: -1 not computed, 0 all allowed, 1 `mask` holds it. */
  private preMasked = -1;
  private history: HistoryOp[] = [];
  private readonly timing_: GenerationTiming = { promptMs: 0, forwardMs: 0, constraintMs: 0, samplingMs: 0, totalMs: 0, forwardPasses: 0 };
  // Scratch, per generation (forks get their own).
  private readonly work: Float32Array;
  private readonly lp: Float32Array | null;
  private readonly mask: Uint32Array;
  private readonly scratch: SamplingScratch;
  private readonly isEos: Uint8Array;
  private readonly stopBytes: Buffer[];
  private readonly maxStop: number;
  /** The constraint as {@link sampleFirst} sees it (uses `pickMask`). */
  private readonly checker: PickCheck;
  /** During a sample-first pick: -1 mask not computed, 0 all allowed, 1 `mask` holds it. */
  private pickMask = -1;

  /** @internal Use `Generator.start`. */
  constructor(ctx: GenerationContext, from?: Generation) {
    this.ctx = ctx;
    const V = ctx.model.info.vocabSize;
    this.work = new Float32Array(V);
    this.lp = ctx.logprobs !== null ? new Float32Array(V) : null;
    this.mask = new Uint32Array(Math.ceil(Math.max(V, ctx.vocab.size) / 32));
    this.scratch = new SamplingScratch(); // grows on first use (top-k / top-p only)
    this.isEos = new Uint8Array(V);
    const eos = [...ctx.vocab.eosIds, ...(ctx.compiled ? [] : ctx.model.info.eosTokenIds)];
    if (!ctx.ignoreEos || ctx.compiled) for (const id of eos) if (id < V) this.isEos[id] = 1;
    this.stopBytes = ctx.stop.map((s) => Buffer.from(s, 'utf8'));
    this.maxStop = Math.max(0, ...this.stopBytes.map((b) => b.length));
    this.checker = {
      accept: (id) => {
        const c0 = performance.now();
        const pm = this.pickMask;
        const ok = (pm !== 1 || ((this.mask[id >>> 5]! >>> (id & 31)) & 1) === 1) && this.matcher!.acceptToken(id);
        this.timing_.constraintMs += performance.now() - c0;
        return ok;
      },
      mask: () => {
        if (this.pickMask < 0) {
          const c0 = performance.now();
          this.pickMask = this.matcher!.fillNextTokenBitmask(this.mask) ? 1 : 0;
          this.timing_.constraintMs += performance.now() - c0;
        }
        return this.pickMask === 1 ? this.mask : null;
      },
    };
    if (from) {
      this.matcher = from.matcher ? from.matcher.fork() : null;
      this.rng = from.rng.clone();
      this.past = from.past;
      this.unfed = from.unfed.slice();
      // Pending forced tokens get their stats filled later: give the branch its own objects.
      this.unfedInfo = from.unfedInfo.map((t) => (t && t.logprob === null && ctx.logprobs !== null ? { ...t } : t));
      const pending = new Map<TokenInfo, TokenInfo>();
      from.unfedInfo.forEach((t, i) => t && this.unfedInfo[i] !== t && pending.set(t, this.unfedInfo[i]!));
      this.logits = from.logits;
      this.out = from.out.map((t) => pending.get(t) ?? t);
      this.byteEnds = from.byteEnds.slice();
      this.bytes = from.bytes.slice();
      this.nBytes = from.nBytes;
      this.prefillBytes = from.prefillBytes;
      this.stopAt = from.stopAt;
      this.finish = from.finish;
      this.eosId = from.eosId;
      this.stopString = from.stopString;
      this.emitted = from.emitted;
      this.steps = from.steps;
      this.fed = from.fed;
      this.history = from.history.slice();
      return;
    }
    this.matcher = ctx.compiled ? ctx.compiled.matcher() : null;
    this.rng = new Rng(ctx.seed);
    this.unfed = ctx.promptIds.slice();
    this.unfedInfo = ctx.promptIds.map(() => null);
    for (const id of ctx.prefillIds) {
      if (this.matcher && !this.matcher.acceptToken(id)) {
        throw new InvalidArgumentError(`the prefill is not allowed by the constraint (token ${this.out.length}: ${JSON.stringify(this.tokenText(id))})`);
      }
      const t = this.forcedToken(id);
      this.push(t);
      this.unfed.push(id);
      this.unfedInfo.push(t);
    }
    this.prefillBytes = this.nBytes;
  }

  /** Whether the generation has finished. */
  get done(): boolean {
    return this.finish !== null;
  }

  /** Number of {@link step} calls made (forks inherit the count). */
  get stepCount(): number {
    return this.steps;
  }

  /** Output tokens so far (prefill included). */
  get tokens(): readonly TokenInfo[] {
    return this.out;
  }

  /** Where the time went so far. */
  get timing(): Readonly<GenerationTiming> {
    return this.timing_;
  }

  /** Number of prefill tokens at the start of {@link tokens}. */
  get prefillTokens(): number {
    return this.ctx.prefillIds.length;
  }

  /**
   * Runs one step and returns the tokens it finished (the prefill comes with
   * the first step); [] once done. See the module doc.
   */
  async step(): Promise<TokenInfo[]> {
    if (this.finish !== null) return this.takeNew();
    const t0 = performance.now();
    this.steps++;
    try {
      if (this.ctx.signal?.aborted) this.end('aborted');
      else if (this.generated() >= this.ctx.maxTokens) this.end('max_tokens');
      else if (await (this.ctx.overlap ? this.feedOverlapped() : this.feed())) {
        if (!(this.ctx.jumpForward && this.matcher && this.jump())) this.sample();
        if (this.finish === null && this.generated() >= this.ctx.maxTokens) this.end('max_tokens');
      }
      if (this.ctx.logprobs !== null && this.unfedInfo.some((t) => t !== null && t.logprob === null)) await this.feed();
    } finally {
      this.timing_.totalMs += performance.now() - t0;
    }
    return this.takeNew();
  }

  /** Steps until done and returns the result. */
  async run(): Promise<GenerationResult> {
    while (this.finish === null) await this.step();
    return this.result();
  }

  /** Streams the tokens as steps produce them; returns the result at the end. */
  async *stream(): AsyncGenerator<TokenInfo, GenerationResult> {
    while (this.finish === null || this.emitted < this.out.length) {
      for (const t of await this.step()) yield t;
    }
    return this.result();
  }

  /**
   * An independent branch in the same state: matcher forked, KV cache shared
   * (immutable), PRNG cloned, so with the same seed it continues exactly as
   * this one will. `seed` reseeds the branch instead.
   */
  fork(options: { seed?: number } = {}): Generation {
    if (options.seed !== undefined) checkSeed(options.seed);
    const g = new Generation(this.ctx, this);
    g.history.push({ op: 'fork', steps: this.steps, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    if (options.seed !== undefined) g.rng = new Rng(options.seed);
    return g;
  }

  /**
   * Keeps the first `k` output tokens (at least the prefill) and makes the
   * rest to be generated again: matcher rolled back, KV cache truncated,
   * finish reason cleared. The PRNG goes on from its current state (so the
   * new tokens are a fresh sample) unless `seed` reseeds it.
   */
  regenerateFrom(k: number, options: { seed?: number } = {}): void {
    const p = this.ctx.prefillIds.length;
    if (!Number.isInteger(k) || k < p || k > this.out.length) {
      throw new InvalidArgumentError(`regenerateFrom(${k}): k must be an integer in ${p}..${this.out.length} (prefill tokens are kept)`);
    }
    if (options.seed !== undefined) checkSeed(options.seed);
    this.history.push({ op: 'regenerate', steps: this.steps, k, ...(options.seed !== undefined ? { seed: options.seed } : {}) });
    if (this.matcher) this.matcher.rollback(this.matcher.steps - k);
    const all = [...this.ctx.promptIds, ...this.out.slice(0, k).map((t) => t.id)];
    const keep = Math.max(0, Math.min(this.past?.length ?? 0, all.length - 1));
    this.past = this.past ? this.past.truncate(keep) : null;
    this.unfed = all.slice(keep);
    this.unfedInfo = this.unfed.map(() => null);
    this.logits = null;
    this.out.length = k;
    this.byteEnds.length = k;
    this.nBytes = k ? this.byteEnds[k - 1]! : 0;
    this.stopAt = -1;
    this.finish = null;
    this.eosId = null;
    this.stopString = null;
    this.emitted = Math.min(this.emitted, k);
    this.preForced = null;
    this.preMasked = -1;
    if (options.seed !== undefined) this.rng = new Rng(options.seed);
  }

  /** The result so far (complete once {@link done}). */
  result(): GenerationResult {
    const end = this.stopAt >= 0 ? this.stopAt : this.nBytes;
    const text = utf8.decode(this.bytes.subarray(0, end));
    const ids = this.out.map((t) => t.id);
    const provenance: Provenance = {
      ...this.ctx.record,
      request: { ...this.ctx.record.request, ...(this.history.length ? { history: this.history.slice() } : {}) },
      created: new Date().toISOString(),
      result: { promptIds: this.ctx.promptIds.slice(), ids, textSha256: sha256(text), finishReason: this.finish ?? 'running' },
    };
    const captures = captureGroups(this.ctx.spec, text);
    return {
      text,
      finishReason: this.finish,
      tokens: this.out.slice(),
      eosId: this.eosId,
      stopString: this.stopString,
      ...(captures ? { captures } : {}),
      promptTokens: this.ctx.promptIds.length,
      timing: { ...this.timing_ },
      provenance,
    };
  }

  // ---- internals ----

  private takeNew(): TokenInfo[] {
    const n = this.out.slice(this.emitted);
    this.emitted = this.out.length;
    return n;
  }

  /** Tokens generated after the prefill. */
  private generated(): number {
    return this.out.length - this.ctx.prefillIds.length;
  }

  private end(reason: FinishReason): void {
    this.finish = reason;
  }

  /**
   * Runs the model on the pending ids (if any) so `logits` predicts the next
   * token; fills the stats of pending forced tokens from the rows. False when
   * the context is full (finish reason `context_length`).
   */
  private async feed(): Promise<boolean> {
    if (this.unfed.length === 0) return true;
    const model = this.ctx.model;
    const max = model.info.maxPositions;
    if (max !== null && (this.past?.length ?? 0) + this.unfed.length > max) {
      if (this.finish === null) this.end('context_length');
      return false;
    }
    const V = model.info.vocabSize;
    const t0 = performance.now();
    const needRows = this.ctx.logprobs !== null && this.unfedInfo.some((t, j) => j > 0 && t !== null && t.logprob === null);
    const ids = this.unfed;
    const n = ids.length;
    let present: PastCache;
    if (n > 1 && this.past && this.past.length > 0 && noBatchAfterPast.has(model)) {
      // The graph takes one token at a time once there is a past: feed them in turn.
      let past: PastCache = this.past;
      for (let j = 0; j < n; j++) {
        const r = await model.step([ids[j]!], past);
        past = r.present;
        const t = this.unfedInfo[j + 1];
        if (needRows && t && t.logprob === null) this.forcedStats(t, r.logits);
        this.logits = r.logits;
      }
      present = past;
    } else {
      let r: { logits: Float32Array; present: PastCache };
      try {
        r = needRows ? await model.forward(ids, this.past) : await model.step(ids, this.past);
      } catch (e) {
        // Some exports (onnxruntime-genai's attention-mask subgraph) reject several new tokens after a past.
        if (n > 1 && this.past && this.past.length > 0 && !noBatchAfterPast.has(model)) {
          noBatchAfterPast.add(model);
          return this.feed();
        }
        throw e;
      }
      if (needRows) {
        for (let j = 1; j < n; j++) {
          const t = this.unfedInfo[j];
          if (t && t.logprob === null) this.forcedStats(t, r.logits.subarray((j - 1) * V, j * V));
        }
        this.logits = r.logits.subarray((n - 1) * V);
      } else this.logits = r.logits;
      present = r.present;
    }
    this.fedAll(present, performance.now() - t0);
    return true;
  }

  /** After a forward pass over all pending ids: the new cache, timing, nothing pending. */
  private fedAll(present: PastCache, ms: number): void {
    if (this.fed) this.timing_.forwardMs += ms;
    else this.timing_.promptMs += ms;
    this.fed = true;
    this.timing_.forwardPasses++;
    this.past = present;
    this.unfed = [];
    this.unfedInfo = [];
  }

  /**
   * {@link feed} with the model in a worker: starts the forward pass, does
   * the constraint's work for this step meanwhile ({@link prepare}), then
   * takes the logits. Passes that need every row (stats of forced tokens)
   * or one token at a time run as {@link feed} does.
   */
  private async feedOverlapped(): Promise<boolean> {
    const model = this.ctx.model as WorkerLM;
    const n = this.unfed.length;
    if (n === 0) return true;
    const needRows = this.ctx.logprobs !== null && this.unfedInfo.some((t, j) => j > 0 && t !== null && t.logprob === null);
    const batchRefused = n > 1 && this.past !== null && this.past.length > 0 && noBatchAfterPast.has(model);
    if (needRows || batchRefused) return this.feed();
    const max = model.info.maxPositions;
    if (max !== null && (this.past?.length ?? 0) + n > max) {
      if (this.finish === null) this.end('context_length');
      return false;
    }
    const t0 = performance.now();
    const pending = model.begin(this.unfed, this.past as WorkerKvCache | null, false);
    try {
      this.prepare();
    } catch (e) {
      try {
        pending.wait(); // leave the model free for the next pass
      } catch {
        // the constraint's error is the one to report
      }
      throw e;
    }
    let r: { logits: Float32Array; present: PastCache };
    try {
      r = pending.wait();
    } catch (e) {
      if (n > 1 && this.past && this.past.length > 0 && !noBatchAfterPast.has(model)) {
        noBatchAfterPast.add(model);
        return this.feed(); // what prepare() did depends only on the matcher: it stays valid
      }
      throw e;
    }
    this.logits = r.logits;
    this.fedAll(r.present, performance.now() - t0);
    return true;
  }

  /**
   * The constraint's work for the coming pick, done while the model runs:
   * with jump-forward the forced tokens (taken into the matcher, as
   * {@link jump} would), else the mask. Both depend only on the tokens
   * already chosen, so the step's outcome is the same as without overlap.
   */
  private prepare(): void {
    const m = this.matcher;
    if (!m || this.finish !== null) return;
    const c0 = performance.now();
    if (this.ctx.jumpForward) this.preForced = takeForced(m, this.ctx.vocab, this.ctx.maxTokens - this.generated());
    if (this.preForced === null || this.preForced.length === 0) this.preMasked = m.fillNextTokenBitmask(this.mask) ? 1 : 0;
    this.timing_.constraintMs += performance.now() - c0;
  }

  /** Jump-forward: takes the forced tokens, if any. */
  private jump(): boolean {
    const m = this.matcher!;
    const c0 = performance.now();
    const forced = this.preForced ?? takeForced(m, this.ctx.vocab, this.ctx.maxTokens - this.generated());
    this.preForced = null;
    let taken = 0;
    for (const id of forced) {
      const t = this.forcedToken(id);
      if (this.unfed.length === 0 && this.ctx.logprobs !== null) this.forcedStats(t, this.logits!);
      this.push(t);
      this.unfed.push(id);
      this.unfedInfo.push(t);
      taken++;
      if (this.checkStop()) {
        m.rollback(forced.length - taken); // keep the matcher in step with the output
        break;
      }
    }
    this.timing_.constraintMs += performance.now() - c0;
    return taken > 0;
  }

  /** Picks one token from `logits` (see the module doc). */
  private sample(): void {
    const ctx = this.ctx;
    const logits = this.logits!;
    const m = this.matcher;
    const limit = Math.min(ctx.vocab.tokenizerSize, logits.length);
    const s = ctx.sampling;
    const plain = s.topK === 0 && s.topP >= 1 && s.minP === 0;
    let id = -1;
    const con0 = this.timing_.constraintMs;
    // -1: no mask yet, 0: all allowed, 1: `mask` holds it (an overlapped step computed it already).
    let maskState = m ? this.preMasked : 0;
    this.preMasked = -1;
    const t0 = performance.now();
    if (m && maskState < 0 && (!plain || this.lp !== null)) {
      // Filters and logprobs need the mask; computed before the pick, as an overlapped step would.
      const c0 = performance.now();
      maskState = m.fillNextTokenBitmask(this.mask) ? 1 : 0;
      this.timing_.constraintMs += performance.now() - c0;
    }
    if (plain) {
      // Greedy or pure temperature, straight from the logits (no copy): sample first, check one
      // token (exact, see pick.ts). The same procedure runs whether or not the mask is already at
      // hand (logprobs, overlap), so the tokens never depend on those options.
      if (m === null) id = s.temperature === 0 ? maskedArgmax(logits, null, limit) : maskedDraw(logits, null, limit, s.temperature, this.rng);
      else {
        this.pickMask = maskState;
        id = sampleFirst(logits, limit, s.temperature, this.rng, this.checker);
        maskState = this.pickMask;
      }
    } else {
      this.work.set(logits);
      id = sampleToken(this.work, s, this.rng, maskState === 1 ? this.mask : null, limit, this.scratch);
      if (m && !m.acceptToken(id)) throw new Error(`internal: the matcher rejected token ${id}, which its own bitmask allowed`);
    }
    const t: TokenInfo = { id, text: '', forced: false, logprob: null, maskedLogprob: null, topLogprobs: null, maskedTopLogprobs: null, removedMass: null };
    if (this.lp) {
      const n = ctx.logprobs!;
      const lp = this.lp;
      const lse = logSoftmaxTo(logits, limit, lp);
      t.logprob = lp[id]!;
      if (n > 0) t.topLogprobs = topN(lp, n);
      if (maskState === 1) {
        this.work.set(logits);
        applyBitmask(this.work, this.mask, limit);
        const lseM = logSoftmaxTo(this.work, limit, lp);
        t.maskedLogprob = lp[id]!;
        if (n > 0) t.maskedTopLogprobs = topN(lp, n);
        t.removedMass = Math.max(0, -Math.expm1(lseM - lse));
      } else {
        t.maskedLogprob = t.logprob;
        t.maskedTopLogprobs = t.topLogprobs;
        t.removedMass = 0;
      }
    }
    this.timing_.samplingMs += performance.now() - t0 - (this.timing_.constraintMs - con0); // constraint work counted once
    if (this.isEos[id] || (m !== null && m.isTerminated())) {
      this.eosId = id;
      this.end('eos');
      return;
    }
    t.text = this.tokenText(id);
    this.push(t);
    this.unfed.push(id);
    this.unfedInfo.push(null);
    this.checkStop();
  }

  private forcedToken(id: number): TokenInfo {
    return { id, text: this.tokenText(id), forced: true, logprob: null, maskedLogprob: null, topLogprobs: null, maskedTopLogprobs: null, removedMass: null };
  }

  /** Stats of a forced token from the logits that predicted it. */
  private forcedStats(t: TokenInfo, logits: Float32Array): void {
    const n = this.ctx.logprobs!;
    const limit = Math.min(this.ctx.vocab.tokenizerSize, logits.length);
    logSoftmaxTo(logits, limit, this.lp!);
    t.logprob = this.lp![t.id]!;
    t.maskedLogprob = 0;
    t.removedMass = Math.max(0, -Math.expm1(t.logprob));
    if (n > 0) {
      t.topLogprobs = topN(this.lp!, n);
      t.maskedTopLogprobs = [{ id: t.id, logprob: 0 }];
    }
  }

  private tokenText(id: number): string {
    const v = this.ctx.vocab;
    if (id >= v.size) return '';
    if (v.isSpecial(id)) return v.tokenText(id);
    return utf8.decode(v.tokenBytes(id));
  }

  /** Appends a token and its bytes to the output. */
  private push(t: TokenInfo): void {
    const b = t.id < this.ctx.vocab.size ? this.ctx.vocab.tokenBytes(t.id) : new Uint8Array(0);
    if (this.nBytes + b.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.nBytes + b.length));
      grown.set(this.bytes.subarray(0, this.nBytes));
      this.bytes = grown;
    }
    this.bytes.set(b, this.nBytes);
    this.nBytes += b.length;
    this.out.push(t);
    this.byteEnds.push(this.nBytes);
  }

  /**
   * Looks for a stop string ending in the last token's bytes (prefill
   * excluded); on a hit, finishes with `stop` and cuts the text there.
   */
  private checkStop(): boolean {
    if (this.stopBytes.length === 0) return false;
    const k = this.out.length;
    const newStart = k > 1 ? this.byteEnds[k - 2]! : 0;
    const from = Math.max(this.prefillBytes, newStart - this.maxStop + 1);
    const hay = Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.nBytes);
    let best = -1;
    let which = -1;
    for (let i = 0; i < this.stopBytes.length; i++) {
      const at = hay.indexOf(this.stopBytes[i]!, from);
      if (at >= 0 && (best < 0 || at < best)) {
        best = at;
        which = i;
      }
    }
    if (best < 0) return false;
    this.stopAt = best;
    this.stopString = this.ctx.stop[which]!;
    this.end('stop');
    return true;
  }
}

/** Checks a seed; `InvalidArgumentError` unless a safe integer. */
export function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed)) throw new InvalidArgumentError(`seed must be a safe integer, got ${seed}`);
}
