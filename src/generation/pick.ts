/**
 * Greedy and temperature picks straight from the logits and a token bitmask,
 * without copying the logits or writing `-Infinity` into them: only the
 * allowed ids are visited (set bits, lowest first), so a sparse mask costs
 * little more than scanning its words. Results are identical to
 * `sampleToken(copy, {temperature}, rng, mask, limit)` of `sampling/draw`
 * (same argmax tie rule, same float32 tempered values, same inverse-CDF walk
 * in increasing id order, one `rng.nextFloat()` per draw), which the tests
 * check.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Rng } from '../sampling/prng.js';

/**
 * The allowed id (bit set in `mask`, or every id when `mask` is null) below
 * `limit` with the largest logit, lowest id on ties. Throws
 * `InvalidArgumentError` when none has a logit above `-Infinity`.
 */
export function maskedArgmax(logits: Float32Array, mask: Uint32Array | null, limit: number): number {
  const end = Math.min(limit, logits.length);
  let best = -1;
  let bv = -Infinity;
  if (mask === null) {
    for (let i = 0; i < end; i++) {
      const v = logits[i]!;
      if (v > bv) {
        bv = v;
        best = i;
      }
    }
  } else {
    const words = Math.min(mask.length, (end + 31) >>> 5);
    for (let w = 0; w < words; w++) {
      let bits = mask[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        const id = (w << 5) | (31 - Math.clz32(low));
        bits ^= low;
        if (id >= end) break;
        const v = logits[id]!;
        if (v > bv) {
          bv = v;
          best = id;
        }
      }
    }
  }
  if (best < 0) throw new InvalidArgumentError('no token is allowed: every allowed logit is -Infinity');
  return best;
}

/**
 * Draws from softmax(logits / temperature) over the allowed ids below
 * `limit` (see the module doc). `temperature` > 0.
 */
export function maskedDraw(logits: Float32Array, mask: Uint32Array | null, limit: number, temperature: number, rng: Rng): number {
  const end = Math.min(limit, logits.length);
  const inv = 1 / temperature;
  const scale = temperature !== 1;
  const words = mask === null ? 0 : Math.min(mask.length, (end + 31) >>> 5);
  // Pass 1: the largest tempered logit.
  let mx = -Infinity;
  let best = -1;
  if (mask === null) {
    for (let i = 0; i < end; i++) {
      const v = scale ? Math.fround(logits[i]! * inv) : logits[i]!;
      if (v > mx) {
        mx = v;
        best = i;
      }
    }
  } else {
    for (let w = 0; w < words; w++) {
      let bits = mask[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        const id = (w << 5) | (31 - Math.clz32(low));
        bits ^= low;
        if (id >= end) break;
        const v = scale ? Math.fround(logits[id]! * inv) : logits[id]!;
        if (v > mx) {
          mx = v;
          best = id;
        }
      }
    }
  }
  if (best < 0) throw new InvalidArgumentError('no token is allowed: every allowed logit is -Infinity');
  // Pass 2: the normalizer; pass 3: the inverse-CDF walk.
  let z = 0;
  if (mask === null) for (let i = 0; i < end; i++) z += Math.exp((scale ? Math.fround(logits[i]! * inv) : logits[i]!) - mx);
  else {
    for (let w = 0; w < words; w++) {
      let bits = mask[w]!;
      while (bits !== 0) {
        const low = bits & -bits;
        const id = (w << 5) | (31 - Math.clz32(low));
        bits ^= low;
        if (id >= end) break;
        z += Math.exp((scale ? Math.fround(logits[id]! * inv) : logits[id]!) - mx);
      }
    }
  }
  const u = rng.nextFloat() * z;
  let cum = 0;
  let last = best;
  if (mask === null) {
    for (let i = 0; i < end; i++) {
      const v = scale ? Math.fround(logits[i]! * inv) : logits[i]!;
      if (v === -Infinity) continue;
      cum += Math.exp(v - mx);
      last = i;
      if (u < cum) return i;
    }
    return last;
  }
  for (let w = 0; w < words; w++) {
    let bits = mask[w]!;
    while (bits !== 0) {
      const low = bits & -bits;
      const id = (w << 5) | (31 - Math.clz32(low));
      bits ^= low;
      if (id >= end) return last;
      const v = scale ? Math.fround(logits[id]! * inv) : logits[id]!;
      if (v === -Infinity) continue;
      cum += Math.exp(v - mx);
      last = id;
      if (u < cum) return id;
    }
  }
  return last; // u landed in the rounding gap at the top end
}

/** What a {@link sampleFirst} pick asks of the constraint. */
export interface PickCheck {
  /** True when `id` is allowed, and then takes it (the constraint moves past it). */
  accept(id: number): boolean;
  /** The mask of allowed ids (null: all allowed); asked only after a rejection. */
  mask(): Uint32Array | null;
}

/**
 * Greedy (`temperature` 0) or temperature pick under a constraint, "sample
 * first, check one token": the pick from the unmasked logits is kept when
 * `check.accept` allows it; otherwise a fresh pick (a new random number) from
 * the masked logits, which `check.accept` then takes. Exact: greedy gives the
 * masked argmax (the unmasked argmax, when allowed, is it); a draw gives
 * token i with p_i + (1 − P) · p_i / P = p_i / P (P: the allowed mass), the
 * masked distribution. Throws when the constraint rejects its own mask's pick.
 */
export function sampleFirst(logits: Float32Array, limit: number, temperature: number, rng: Rng, check: PickCheck): number {
  const cand = temperature === 0 ? maskedArgmax(logits, null, limit) : maskedDraw(logits, null, limit, temperature, rng);
  if (check.accept(cand)) return cand;
  const mask = check.mask();
  const id = temperature === 0 ? maskedArgmax(logits, mask, limit) : maskedDraw(logits, mask, limit, temperature, rng);
  if (!check.accept(id)) throw new Error(`internal: the constraint rejected token ${id}, which its own bitmask allowed`);
  return id;
}
