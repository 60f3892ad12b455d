/**
 * Drawing a token and the whole sampling pipeline (mask → temperature →
 * top-k → top-p → min-p → draw). With the same logits, parameters and PRNG
 * state the draw is the same token on every platform.
 */
import { InvalidArgumentError } from '../errors.js';
import { applyMinP, applyTemperature, applyTopK, applyTopP, SamplingScratch } from './filters.js';
import { applyBitmask } from './mask.js';
import type { Rng } from './prng.js';
import { argmax } from './softmax.js';

/**
 * Draws an id from softmax(logits) by inverse CDF with one `rng.nextFloat()`
 * (53-bit uniform), walking ids in increasing order. `-Infinity` logits are
 * never drawn. Throws `InvalidArgumentError` when no logit is finite.
 */
export function drawFromLogits(logits: Float32Array, rng: Rng): number {
  const best = argmax(logits);
  if (best < 0) throw new InvalidArgumentError('no token is allowed: every logit is -Infinity');
  const mx = logits[best]!;
  let z = 0;
  for (let i = 0; i < logits.length; i++) z += Math.exp(logits[i]! - mx);
  const u = rng.nextFloat() * z;
  let cum = 0;
  let last = best;
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (v === -Infinity) continue;
    cum += Math.exp(v - mx);
    last = i;
    if (u < cum) return i;
  }
  return last; // u landed in the rounding gap at the top end
}

/** Sampling parameters. Omitted fields disable their filter; `temperature` 0 (the default) is greedy. */
export interface SamplingParams {
  /** 0 = greedy (argmax, lowest id on ties); > 0 divides logits. Default 0. */
  temperature?: number;
  /** Keep the k most likely tokens (0 = off). */
  topK?: number;
  /** Nucleus probability in (0, 1] (1 = off). */
  topP?: number;
  /** Keep tokens with probability ≥ minP × the top probability (0 = off). */
  minP?: number;
}

/** Checks sampling parameters; throws `InvalidArgumentError` naming the bad one. */
export function checkSamplingParams(p: SamplingParams): void {
  const t = p.temperature ?? 0;
  if (!(t >= 0) || !Number.isFinite(t)) throw new InvalidArgumentError(`temperature must be a finite number >= 0, got ${t}`);
  if (p.topK !== undefined && (!Number.isInteger(p.topK) || p.topK < 0)) throw new InvalidArgumentError(`top-k must be an integer >= 0, got ${p.topK}`);
  if (p.topP !== undefined && (!(p.topP > 0) || p.topP > 1)) throw new InvalidArgumentError(`top-p must be in (0, 1], got ${p.topP}`);
  if (p.minP !== undefined && (!(p.minP >= 0) || p.minP > 1)) throw new InvalidArgumentError(`min-p must be in [0, 1], got ${p.minP}`);
}

/**
 * Picks the next token from `logits`, modifying them in place: applies `mask`
 * (when given; `limit` = number of real token ids), then greedy or the
 * temperature/top-k/top-p/min-p filters and a seeded draw. Throws
 * `InvalidArgumentError` when the mask allows nothing.
 */
export function sampleToken(
  logits: Float32Array,
  params: SamplingParams,
  rng: Rng,
  mask?: Uint32Array | null,
  limit?: number,
  scratch?: SamplingScratch,
): number {
  if (mask) {
    if (applyBitmask(logits, mask, limit) === 0) throw new InvalidArgumentError('no token is allowed by the mask');
  } else if (limit !== undefined && limit < logits.length) {
    logits.fill(-Infinity, limit);
  }
  const t = params.temperature ?? 0;
  if (t === 0) {
    const id = argmax(logits);
    if (id < 0) throw new InvalidArgumentError('no token is allowed: every logit is -Infinity');
    return id;
  }
  applyTemperature(logits, t);
  const s = scratch ?? new SamplingScratch(logits.length);
  if (params.topK) applyTopK(logits, params.topK, s);
  if (params.topP !== undefined && params.topP < 1) applyTopP(logits, params.topP, s);
  if (params.minP) applyMinP(logits, params.minP);
  return drawFromLogits(logits, rng);
}
