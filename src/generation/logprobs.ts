/**
 * Per-token visibility: the model's own top-N log-probabilities, the top-N of
 * the masked distribution, and the probability mass the mask removed. Any N
 * up to the vocabulary size: small N uses the insertion buffer of
 * `sampling/logprobs`, large N one sort of the finite ids.
 */
import { topLogprobs } from '../sampling/logprobs.js';

/** One entry of a top-N list. */
export interface TopEntry {
  /** Token id. */
  id: number;
  /** Its log-probability. */
  logprob: number;
}

/** Above this N, a full sort beats the O(V·N) insertion buffer. */
const SORT_ABOVE = 32;

/**
 * The `n` most likely ids of `lp` (log-probability desc, id asc on ties),
 * skipping `-Infinity`; fewer when fewer are finite.
 */
export function topN(lp: Float32Array, n: number): TopEntry[] {
  if (n <= 0) return [];
  if (n <= SORT_ABOVE) {
    const t = topLogprobs(lp, n);
    const out: TopEntry[] = new Array(t.ids.length);
    for (let i = 0; i < t.ids.length; i++) out[i] = { id: t.ids[i]!, logprob: t.logprobs[i]! };
    return out;
  }
  let count = 0;
  for (let i = 0; i < lp.length; i++) if (lp[i]! > -Infinity) count++;
  const ids = new Int32Array(count);
  for (let i = 0, k = 0; i < lp.length; i++) if (lp[i]! > -Infinity) ids[k++] = i;
  ids.sort((a, b) => lp[b]! - lp[a]! || a - b);
  const k = Math.min(n, count);
  const out: TopEntry[] = new Array(k);
  for (let i = 0; i < k; i++) out[i] = { id: ids[i]!, logprob: lp[ids[i]!]! };
  return out;
}

/**
 * log Σ exp(x) over `x[0..limit)` in float64; `-Infinity` when every entry is
 * `-Infinity`. No allocation.
 */
export function logSumExpTo(x: Float32Array, limit: number): number {
  let m = -Infinity;
  for (let i = 0; i < limit; i++) if (x[i]! > m) m = x[i]!;
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < limit; i++) s += Math.exp(x[i]! - m);
  return m + Math.log(s);
}

/**
 * Writes `x - lse` into `out` for ids below `limit` and `-Infinity` above
 * (padding), where `lse` = log Σ exp over `x[0..limit)`. Returns `lse`.
 */
export function logSoftmaxTo(x: Float32Array, limit: number, out: Float32Array): number {
  const lse = logSumExpTo(x, limit);
  for (let i = 0; i < limit; i++) out[i] = x[i]! - lse;
  out.fill(-Infinity, limit);
  return lse;
}
