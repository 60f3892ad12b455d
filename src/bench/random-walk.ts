/**
 * Random instances of a compiled grammar: a seeded walk through the token
 * masks (each step draws one allowed token), used to check that everything
 * a mask lets through is valid by an independent validator (ajv).
 *
 * The sampler first draws uniformly among the allowed tokens, then, past
 * `closeAfter` tokens, prefers tokens made only of closing characters
 * (`"`, `]`, `}`) and stops at the first point EOS is allowed, so most walks
 * end well before `maxTokens`. A walk that reaches `maxTokens` unfinished is
 * returned with `finished: false`.
 */
import type { CompiledGrammar, MatcherVocabulary } from '../matcher/compiled.js';
import { Rng } from '../sampling/prng.js';

/** Options of {@link randomWalk}. */
export interface RandomWalkOptions {
  /** Seed of the draws. */
  seed: number;
  /** Most tokens (default 256). */
  maxTokens?: number;
  /** Tokens after which the walk heads for the end (default 24). */
  closeAfter?: number;
  /** Chance of stopping where EOS is allowed before `closeAfter` (default 0.15). */
  earlyStop?: number;
  /** Wall-clock budget, ms: past it the walk stops unfinished (default: none). */
  deadlineMs?: number;
}

/** A generated instance. */
export interface WalkResult {
  /** Token ids drawn (without EOS). */
  ids: number[];
  /** Their text (UTF-8 decoded). */
  text: string;
  /** Whether the walk ended with EOS allowed (a complete instance). */
  finished: boolean;
}

const closers = new WeakMap<MatcherVocabulary, Uint8Array>();

/** Per token id: 1 if its bytes are only `"`, `]`, `}` (and at least one), else 0. Cached per vocabulary. */
function closerFlags(vocab: MatcherVocabulary): Uint8Array {
  let f = closers.get(vocab);
  if (f) return f;
  f = new Uint8Array(vocab.size);
  for (let id = 0; id < vocab.size; id++) {
    const b = vocab.tokenBytes(id);
    if (b.length === 0) continue;
    let ok = 1;
    for (let i = 0; i < b.length; i++) if (b[i] !== 0x22 && b[i] !== 0x5d && b[i] !== 0x7d) ok = 0;
    f[id] = ok;
  }
  closers.set(vocab, f);
  return f;
}

/** One seeded random walk through `compiled`'s masks. */
export function randomWalk(compiled: CompiledGrammar, opts: RandomWalkOptions): WalkResult {
  const vocab = compiled.vocab;
  const rng = new Rng(opts.seed);
  const maxTokens = opts.maxTokens ?? 256;
  const closeAfter = opts.closeAfter ?? 24;
  const earlyStop = opts.earlyStop ?? 0.15;
  const isCloser = closerFlags(vocab);
  const eos = new Uint8Array(vocab.size);
  for (const id of vocab.eosIds) eos[id] = 1;
  const mask = new Uint32Array((vocab.size + 31) >>> 5);
  const allowed = new Int32Array(vocab.size);
  const close = new Int32Array(vocab.size);
  const m = compiled.matcher();
  const ids: number[] = [];
  let finished = false;
  const deadline = opts.deadlineMs === undefined ? Infinity : performance.now() + opts.deadlineMs;
  while (ids.length < maxTokens) {
    if (performance.now() > deadline) return { ids, text: decode(vocab, ids), finished: false };
    m.fillNextTokenBitmask(mask);
    const late = ids.length >= closeAfter;
    let eosAllowed = false;
    for (const id of vocab.eosIds) if ((mask[id >>> 5]! >>> (id & 31)) & 1) eosAllowed = true;
    if (eosAllowed && (late || rng.nextFloat() < earlyStop)) {
      finished = true;
      break;
    }
    let id = -1;
    if (!late || rng.nextFloat() >= 0.8) {
      // Uniform among the allowed tokens: rejection sampling, then a full scan.
      for (let t = 0; t < 64 && id < 0; t++) {
        const x = Math.floor(rng.nextFloat() * vocab.size);
        if (!eos[x] && (mask[x >>> 5]! >>> (x & 31)) & 1) id = x;
      }
    }
    if (id < 0) {
      let n = 0;
      let nc = 0;
      for (let w = 0; w < mask.length; w++) {
        let bits = mask[w]!;
        while (bits !== 0) {
          const low = bits & -bits;
          const x = (w << 5) + (31 - Math.clz32(low));
          bits ^= low;
          if (eos[x]) continue;
          allowed[n++] = x;
          if (isCloser[x]) close[nc++] = x;
        }
      }
      if (n === 0) {
        finished = eosAllowed;
        break;
      }
      id = late && nc > 0 ? close[Math.floor(rng.nextFloat() * nc)]! : allowed[Math.floor(rng.nextFloat() * n)]!;
    }
    if (!m.acceptToken(id)) throw new Error(`randomWalk: token ${id} was in the mask but acceptToken refused it`);
    ids.push(id);
  }
  if (!finished && ids.length >= maxTokens) finished = m.isAccepting();
  return { ids, text: decode(vocab, ids), finished };
}

function decode(vocab: MatcherVocabulary, ids: readonly number[]): string {
  return Buffer.concat(ids.map((id) => vocab.tokenBytes(id))).toString('utf8');
}
