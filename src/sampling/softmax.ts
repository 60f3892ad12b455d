/**
 * Softmax and log-softmax over Float32Array logits. `-Infinity` logits get
 * probability 0 (log-probability `-Infinity`). Sums are accumulated in float64.
 */
import { InvalidArgumentError } from '../errors.js';

/** Largest finite-or-infinite logit and its id (lowest id on ties); id -1 when all are -Infinity or NaN. */
export function argmax(logits: Float32Array): number {
  let best = -1;
  let bv = -Infinity;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v > bv) {
      bv = v;
      best = i;
    }
  }
  return best;
}

/** log Σ exp(logits), in float64. Throws `InvalidArgumentError` when every logit is -Infinity. */
export function logSumExp(logits: Float32Array): number {
  const m = logits[argmaxChecked(logits)]!;
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += Math.exp(logits[i]! - m);
  if (!Number.isFinite(s)) throw new InvalidArgumentError('logits contain NaN');
  return m + Math.log(s);
}

function argmaxChecked(logits: Float32Array): number {
  const i = argmax(logits);
  if (i < 0) throw new InvalidArgumentError('no token is allowed: every logit is -Infinity (or NaN)');
  if (logits[i] === Infinity) throw new InvalidArgumentError(`logit of token ${i} is +Infinity`);
  return i;
}

/** Log-probabilities of `logits` into `out` (may be `logits` itself). */
export function logSoftmax(logits: Float32Array, out: Float32Array = new Float32Array(logits.length)): Float32Array {
  const lse = logSumExp(logits);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i]! - lse;
  return out;
}

/** Probabilities of `logits` into `out` (may be `logits` itself). */
export function softmax(logits: Float32Array, out: Float32Array = new Float32Array(logits.length)): Float32Array {
  const m = logits[argmaxChecked(logits)]!;
  let s = 0;
  for (let i = 0; i < logits.length; i++) s += Math.exp(logits[i]! - m);
  if (!Number.isFinite(s)) throw new InvalidArgumentError('logits contain NaN');
  const inv = 1 / s;
  for (let i = 0; i < logits.length; i++) out[i] = Math.exp(logits[i]! - m) * inv;
  return out;
}
