/**
 * Logit filters of the usual sampling pipeline, in place on Float32Array
 * logits (a removed token gets `-Infinity`). Order used by {@link sampleToken}
 * (as Hugging Face's warpers): temperature, top-k, top-p, min-p.
 *
 * Ties are broken by id, lower id first, so every filter keeps a
 * well-defined set: top-k keeps exactly `k` tokens (fewer when fewer are
 * finite), top-p keeps the shortest prefix of the (logit desc, id asc) order
 * whose probability reaches `p`.
 */
import { InvalidArgumentError } from '../errors.js';
import { argmax } from './softmax.js';

/** Reusable scratch arrays so filters allocate nothing per token. */
export class SamplingScratch {
  /** Values (quickselect works on this). */
  values: Float32Array;
  /** Candidate ids. */
  ids: Int32Array;
  constructor(size = 0) {
    this.values = new Float32Array(size);
    this.ids = new Int32Array(size);
  }
  /** Grows the arrays to hold `n` entries. @internal */
  ensure(n: number): void {
    if (this.values.length < n) {
      this.values = new Float32Array(n);
      this.ids = new Int32Array(n);
    }
  }
}

/** Divides logits by `t` (> 0) in place. */
export function applyTemperature(logits: Float32Array, t: number): void {
  if (!(t > 0) || !Number.isFinite(t)) throw new InvalidArgumentError(`temperature must be a finite number > 0 here (0 means greedy), got ${t}`);
  if (t === 1) return;
  const inv = 1 / t;
  for (let i = 0; i < logits.length; i++) logits[i] = logits[i]! * inv;
}

/**
 * The `k`-th largest value of `a[0..n)` (1-based k), by iterative quickselect
 * (Hoare partition, median-of-three pivot). Reorders `a`.
 */
export function kthLargest(a: Float32Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  const target = k - 1; // index in descending order
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    // median of three, as pivot value
    const x = a[lo]!, y = a[mid]!, z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo, j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}

/** Keeps the `k` largest logits (ties: lower ids first), in place. `k <= 0` or `k >= n` keeps all. */
export function applyTopK(logits: Float32Array, k: number, scratch: SamplingScratch = new SamplingScratch()): void {
  if (!Number.isInteger(k)) throw new InvalidArgumentError(`top-k must be an integer, got ${k}`);
  const n = logits.length;
  if (k <= 0 || k >= n) return;
  scratch.ensure(n);
  const vals = scratch.values;
  let m = 0;
  for (let i = 0; i < n; i++) if (logits[i]! > -Infinity) vals[m++] = logits[i]!;
  if (m <= k) return;
  const thr = kthLargest(vals, m, k);
  let above = 0;
  for (let i = 0; i < n; i++) if (logits[i]! > thr) above++;
  let tiesLeft = k - above; // how many tokens equal to thr are kept, lowest ids first
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    if (v > thr) continue;
    if (v === thr && tiesLeft > 0) tiesLeft--;
    else logits[i] = -Infinity;
  }
}

/**
 * Nucleus filter: keeps the smallest set of highest-probability tokens whose
 * total probability is at least `p` (the token that crosses `p` is kept), in
 * place. `p >= 1` keeps all. Sorts only a growing top slice, not the whole vocabulary.
 */
export function applyTopP(logits: Float32Array, p: number, scratch: SamplingScratch = new SamplingScratch()): void {
  if (!(p > 0) || p > 1) throw new InvalidArgumentError(`top-p must be in (0, 1], got ${p}`);
  if (p === 1) return;
  const n = logits.length;
  const best = argmax(logits);
  if (best < 0) throw new InvalidArgumentError('no token is allowed: every logit is -Infinity');
  const mx = logits[best]!;
  let z = 0, finite = 0;
  for (let i = 0; i < n; i++) {
    const v = logits[i]!;
    if (v > -Infinity) {
      z += Math.exp(v - mx);
      finite++;
    }
  }
  scratch.ensure(n);
  const vals = scratch.values, ids = scratch.ids;
  for (let m = Math.min(64, finite); ; m = Math.min(finite, m * 8)) {
    // Threshold = m-th largest finite logit; candidates are all ids at or above it.
    let c = 0;
    for (let i = 0; i < n; i++) if (logits[i]! > -Infinity) vals[c++] = logits[i]!;
    const thr = kthLargest(vals, c, m);
    c = 0;
    for (let i = 0; i < n; i++) if (logits[i]! >= thr) ids[c++] = i;
    const cand = ids.subarray(0, c);
    cand.sort((a, b) => logits[b]! - logits[a]! || a - b);
    let cum = 0;
    let keep = -1;
    for (let j = 0; j < c; j++) {
      cum += Math.exp(logits[cand[j]!]! - mx) / z;
      if (cum >= p) {
        keep = j + 1;
        break;
      }
    }
    if (keep < 0 && m < finite) continue; // nucleus extends below this slice
    if (keep < 0) return; // rounding: the whole distribution is the nucleus
    // Mark kept ids, then clear the rest.
    const kth = cand[keep - 1]!;
    const kv = logits[kth]!;
    for (let i = 0; i < n; i++) {
      const v = logits[i]!;
      if (v < kv || (v === kv && i > kth)) logits[i] = -Infinity;
    }
    return;
  }
}

/** Removes tokens whose probability is below `minP` × the top probability, in place. */
export function applyMinP(logits: Float32Array, minP: number): void {
  if (!(minP >= 0) || minP > 1) throw new InvalidArgumentError(`min-p must be in [0, 1], got ${minP}`);
  if (minP === 0) return;
  const best = argmax(logits);
  if (best < 0) throw new InvalidArgumentError('no token is allowed: every logit is -Infinity');
  const thr = logits[best]! + Math.log(minP);
  for (let i = 0; i < logits.length; i++) if (logits[i]! < thr) logits[i] = -Infinity;
}
