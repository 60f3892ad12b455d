import { describe, expect, test } from 'vitest';
import {
  applyBitmask, applyMinP, applyTemperature, applyTopK, applyTopP, argmax, drawFromLogits, isAllowed, kthLargest,
  logSoftmax, Rng, sampleToken, SamplingScratch, softmax, topLogprobs,
} from '../../src/sampling/index.js';
import { InvalidArgumentError } from '../../src/errors.js';

const f32 = (a: number[]): Float32Array => Float32Array.from(a);
const NEG = -Infinity;

/** Mask allowing exactly `ids`, covering `size` ids. */
function maskOf(ids: number[], size: number): Uint32Array {
  const m = new Uint32Array(Math.ceil(size / 32));
  for (const id of ids) m[id >>> 5]! |= 1 << (id & 31);
  return m;
}

/** Random logits from a seeded generator. */
function randomLogits(rng: Rng, n: number, scale = 4): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = (rng.nextFloat() * 2 - 1) * scale;
  return a;
}

describe('Rng (xoshiro128**)', () => {
  test('matches the reference C implementation from state (1,2,3,4)', () => {
    const r = new Rng(0);
    r.state.set([1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => r.nextU32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });
  test('same seed same draws; clone continues identically; different seeds differ', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const xs = Array.from({ length: 100 }, () => a.nextFloat());
    expect(Array.from({ length: 100 }, () => b.nextFloat())).toEqual(xs);
    expect(Array.from({ length: 100 }, () => c.nextFloat())).not.toEqual(xs);
    const d = a.clone();
    expect(d.nextU32()).toBe(a.nextU32());
    expect(new Rng(2 ** 40).nextU32()).not.toBe(new Rng(0).nextU32()); // high seed bits matter
  });
  test('nextFloat is in [0,1) and roughly uniform', () => {
    const r = new Rng(1);
    const bins = new Array(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 20000; i++) {
      const x = r.nextFloat();
      if (!(x >= 0 && x < 1)) outside++;
      bins[Math.floor(x * 10)]++;
    }
    expect(outside).toBe(0);
    for (const b of bins) expect(Math.abs(b - 2000)).toBeLessThan(200);
  });
});

describe('applyBitmask', () => {
  test('keeps allowed ids, forbids the rest, ids beyond the mask and padding ids', () => {
    const logits = f32(new Array(70).fill(1));
    const mask = maskOf([0, 5, 31, 32, 63, 64, 65], 66); // 3 words: covers 96 ids
    const n = applyBitmask(logits, mask, 65); // ids >= 65 are padding
    expect(n).toBe(6);
    const allowed = Array.from(logits).flatMap((v, i) => (v === 1 ? [i] : []));
    expect(allowed).toEqual([0, 5, 31, 32, 63, 64]);
    expect(isAllowed(mask, 65)).toBe(true);
    expect(isAllowed(mask, 1000)).toBe(false);
  });
  test('short mask: ids beyond its coverage are forbidden', () => {
    const logits = f32(new Array(40).fill(0));
    expect(applyBitmask(logits, new Uint32Array([0xffffffff]))).toBe(32);
    expect(logits[31]).toBe(0);
    expect(logits[32]).toBe(NEG);
  });
  test('agrees with a per-id oracle on random masks', () => {
    const r = new Rng(5);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + (r.nextU32() % 200);
      const mask = new Uint32Array(1 + (r.nextU32() % 8));
      for (let i = 0; i < mask.length; i++) mask[i] = r.nextU32() % 4 === 0 ? 0xffffffff : r.nextU32();
      const limit = r.nextU32() % (n + 5);
      const logits = randomLogits(r, n);
      const before = logits.slice();
      const count = applyBitmask(logits, mask, limit);
      let expected = 0;
      const wrong: number[] = [];
      for (let id = 0; id < n; id++) {
        const ok = id < limit && isAllowed(mask, id);
        if (ok) expected++;
        if (logits[id] !== (ok ? before[id] : NEG)) wrong.push(id);
      }
      expect(wrong).toEqual([]);
      expect(count).toBe(expected);
    }
  });
});

describe('softmax / logSoftmax', () => {
  test('hand-checked values', () => {
    const p = softmax(f32([0, Math.log(3), NEG]));
    expect(p[0]).toBeCloseTo(0.25, 6);
    expect(p[1]).toBeCloseTo(0.75, 6);
    expect(p[2]).toBe(0);
    const lp = logSoftmax(f32([1, 1]));
    expect(lp[0]).toBeCloseTo(Math.log(0.5), 6);
  });
  test('everything masked is an InvalidArgumentError', () => {
    expect(() => softmax(f32([NEG, NEG]))).toThrow(InvalidArgumentError);
    expect(() => sampleToken(f32([1, 2]), {}, new Rng(1), maskOf([], 2))).toThrow(/no token is allowed/);
  });
  test('property: the masked distribution sums to 1 and is 0 exactly on forbidden ids', () => {
    const r = new Rng(9);
    for (let trial = 0; trial < 30; trial++) {
      const n = 2 + (r.nextU32() % 300);
      const logits = randomLogits(r, n, 20);
      const allowedIds = Array.from({ length: n }, (_, i) => i).filter(() => r.nextU32() % 3 === 0);
      if (!allowedIds.length) allowedIds.push(0);
      applyBitmask(logits, maskOf(allowedIds, n));
      const p = softmax(logits);
      let sum = 0;
      for (let i = 0; i < n; i++) {
        sum += p[i]!;
        if (!allowedIds.includes(i)) expect(p[i]).toBe(0);
      }
      expect(sum).toBeCloseTo(1, 5);
    }
  });
});

describe('filters', () => {
  test('temperature divides', () => {
    const l = f32([2, -4, NEG]);
    applyTemperature(l, 2);
    expect(Array.from(l)).toEqual([1, -2, NEG]);
    expect(() => applyTemperature(l, 0)).toThrow(InvalidArgumentError);
  });
  test('top-k keeps exactly k, lower ids first on ties', () => {
    const l = f32([1, 3, 2, 3, 0, 2]);
    applyTopK(l, 3);
    expect(Array.from(l)).toEqual([NEG, 3, 2, 3, NEG, NEG]);
    const all = f32([1, 2]);
    applyTopK(all, 5);
    expect(Array.from(all)).toEqual([1, 2]);
  });
  test('top-k agrees with a sort-based oracle', () => {
    const r = new Rng(3);
    const scratch = new SamplingScratch();
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + (r.nextU32() % 500);
      const l = new Float32Array(n);
      for (let i = 0; i < n; i++) l[i] = r.nextU32() % 7 === 0 ? NEG : (r.nextU32() % 20) / 4; // many ties
      const k = 1 + (r.nextU32() % n);
      const order = Array.from({ length: n }, (_, i) => i).filter((i) => l[i]! > NEG).sort((a, b) => l[b]! - l[a]! || a - b);
      const keep = new Set(order.slice(0, k));
      const got = l.slice();
      applyTopK(got, k, scratch);
      const want = Array.from(l, (v, i) => (keep.has(i) ? v : NEG));
      expect(Array.from(got)).toEqual(want);
    }
  });
  test('kthLargest', () => {
    const a = f32([5, 1, 4, 1, 3, 9, 2]);
    expect(kthLargest(a.slice(), 7, 1)).toBe(9);
    expect(kthLargest(a.slice(), 7, 3)).toBe(4);
    expect(kthLargest(a.slice(), 7, 7)).toBe(1);
  });
  test('top-p keeps the smallest prefix reaching p (hand case)', () => {
    // probabilities 0.5, 0.3, 0.15, 0.05
    const l = f32([Math.log(0.15), Math.log(0.5), Math.log(0.05), Math.log(0.3)]);
    const a = l.slice();
    applyTopP(a, 0.8);
    expect(Array.from(a).map((v) => v > NEG)).toEqual([false, true, false, true]);
    const b = l.slice();
    applyTopP(b, 0.81);
    expect(Array.from(b).map((v) => v > NEG)).toEqual([true, true, false, true]);
    const c = l.slice();
    applyTopP(c, 0.1);
    expect(Array.from(c).map((v) => v > NEG)).toEqual([false, true, false, false]);
  });
  test('top-p agrees with a full-sort oracle on large vocabularies', () => {
    const r = new Rng(4);
    for (let trial = 0; trial < 10; trial++) {
      const n = 3000;
      const l = randomLogits(r, n, 3 + trial);
      const p = 0.5 + r.nextFloat() * 0.49;
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => l[b]! - l[a]! || a - b);
      const probs = softmax(l);
      const keep = new Set<number>();
      let cum = 0;
      for (const i of order) {
        keep.add(i);
        cum += probs[i]!;
        if (cum >= p) break;
      }
      const got = l.slice();
      applyTopP(got, p);
      let kept = 0;
      for (let i = 0; i < n; i++) if (got[i]! > NEG) kept++;
      // float32 vs float64 accumulation may differ by one token exactly at the boundary
      expect(Math.abs(kept - keep.size)).toBeLessThanOrEqual(1);
      for (const i of order.slice(0, Math.min(kept, keep.size))) expect(got[i]).toBe(l[i]);
    }
  });
  test('min-p removes tokens below minP × max probability', () => {
    const l = f32([Math.log(0.6), Math.log(0.3), Math.log(0.1)]);
    applyMinP(l, 0.2); // threshold 0.12
    expect(Array.from(l).map((v) => v > NEG)).toEqual([true, true, false]);
  });
});

describe('drawing', () => {
  test('greedy is argmax with lowest id on ties, after the mask', () => {
    expect(sampleToken(f32([1, 5, 5, 2]), {}, new Rng(1))).toBe(1);
    expect(sampleToken(f32([1, 5, 5, 2]), { temperature: 0 }, new Rng(1), maskOf([0, 3], 4))).toBe(3);
    expect(sampleToken(f32([1, 5, 5, 2]), {}, new Rng(1), null, 1)).toBe(0); // padding ids excluded
    expect(argmax(f32([NEG, NEG]))).toBe(-1);
  });
  test('never draws a forbidden token and matches the masked distribution', () => {
    const r = new Rng(11);
    const logits = f32([0, Math.log(2), 5, Math.log(3), 1]);
    const mask = maskOf([0, 1, 3], 5); // p = 1/6, 2/6, 3/6
    const counts = [0, 0, 0, 0, 0];
    const N = 30000;
    for (let i = 0; i < N; i++) counts[sampleToken(logits.slice(), { temperature: 1 }, r, mask)]!++;
    expect(counts[2]).toBe(0);
    expect(counts[4]).toBe(0);
    expect(counts[0]! / N).toBeCloseTo(1 / 6, 1);
    expect(counts[1]! / N).toBeCloseTo(2 / 6, 1);
    expect(counts[3]! / N).toBeCloseTo(3 / 6, 1);
  });
  test('same seed, same draws through the full pipeline', () => {
    const base = randomLogits(new Rng(2), 1000);
    const run = (seed: number): number[] => {
      const r = new Rng(seed);
      const s = new SamplingScratch();
      return Array.from({ length: 50 }, () => sampleToken(base.slice(), { temperature: 0.8, topK: 50, topP: 0.9, minP: 0.01 }, r, null, undefined, s));
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });
  test('drawFromLogits inverse CDF order', () => {
    const r = new Rng(0);
    r.state.set([1, 2, 3, 4]); // first nextFloat = (11520>>>5)*2^26 + (0>>>6) over 2^53: tiny
    expect(drawFromLogits(f32([NEG, 0, 0]), r)).toBe(1);
  });
});

describe('topLogprobs', () => {
  test('sorted desc, ties by id, skips -Infinity', () => {
    const t = topLogprobs(f32([-1, -0.5, NEG, -0.5, -3]), 3);
    expect(Array.from(t.ids)).toEqual([1, 3, 0]);
    expect(Array.from(t.logprobs)).toEqual([-0.5, -0.5, -1]);
    expect(Array.from(topLogprobs(f32([NEG, -2]), 5).ids)).toEqual([1]);
  });
  test('agrees with a sort-based oracle', () => {
    const r = new Rng(12);
    const l = logSoftmax(randomLogits(r, 5000));
    const order = Array.from({ length: 5000 }, (_, i) => i).sort((a, b) => l[b]! - l[a]! || a - b);
    expect(Array.from(topLogprobs(l, 20).ids)).toEqual(order.slice(0, 20));
  });
});
