import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { maskedArgmax, maskedDraw, sampleFirst, type PickCheck } from '../../src/generation/pick.js';
import { sampleToken } from '../../src/sampling/draw.js';
import { Rng } from '../../src/sampling/prng.js';

/** Random logits with ties, -Infinity entries and a wide range. */
function logitsOf(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rng.nextFloat();
    a[i] = r < 0.05 ? -Infinity : r < 0.1 ? 3 : (rng.nextFloat() - 0.5) * 20;
  }
  return a;
}

function maskOf(rng: Rng, n: number, density: number): Uint32Array {
  const m = new Uint32Array(Math.ceil(n / 32) + 1);
  for (let i = 0; i < n; i++) if (rng.nextFloat() < density) m[i >>> 5]! |= 1 << (i & 31);
  return m;
}

describe('picks straight from the logits equal sampling/ on a masked copy', () => {
  test('argmax and temperature draws, random logits, masks, limits, temperatures and seeds', () => {
    const gen = new Rng(42);
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(gen.nextFloat() * 300);
      const logits = logitsOf(gen, n);
      const density = [0.01, 0.2, 0.9, 1][trial % 4]!;
      const mask = trial % 5 === 0 ? null : maskOf(gen, n, density);
      const limit = trial % 3 === 0 ? Math.max(1, n - Math.floor(gen.nextFloat() * 10)) : n;
      const T = [0, 1, 0.7, 2.5][trial % 4]!;
      const seed = trial;
      let want: number | string;
      try {
        want = sampleToken(logits.slice(), { temperature: T }, new Rng(seed), mask, limit);
      } catch (e) {
        want = (e as Error).constructor.name;
      }
      let got: number | string;
      try {
        got = T === 0 ? maskedArgmax(logits, mask, limit) : maskedDraw(logits, mask, limit, T, new Rng(seed));
      } catch (e) {
        got = (e as Error).constructor.name;
      }
      expect(got, `trial ${trial}`).toBe(want);
    }
  });

  test('nothing allowed is an InvalidArgumentError', () => {
    const l = Float32Array.of(1, 2, 3);
    expect(() => maskedArgmax(l, new Uint32Array(1), 3)).toThrow(InvalidArgumentError);
    expect(() => maskedDraw(Float32Array.of(-Infinity, -Infinity), null, 2, 1, new Rng(1))).toThrow(InvalidArgumentError);
    expect(maskedArgmax(Float32Array.of(5, 5, 1), null, 3)).toBe(0);
  });
});

/** A "random" source that returns the given numbers in turn. */
function fixedRng(values: number[]): Rng {
  let i = 0;
  return { nextFloat: () => values[i++]! } as unknown as Rng;
}

/** A constraint allowing a fixed set of ids (stateless). */
function checkOf(allowed: Set<number>, n: number): PickCheck & { masks: number } {
  const mask = new Uint32Array(Math.ceil(n / 32));
  for (const id of allowed) mask[id >>> 5]! |= 1 << (id & 31);
  return {
    masks: 0,
    accept: (id) => allowed.has(id),
    mask() {
      this.masks++;
      return mask;
    },
  };
}

describe('sample first, check one token (sampleFirst) is exact', () => {
  test('greedy: the masked argmax, with the mask built only on a rejection', () => {
    const gen = new Rng(7);
    for (let trial = 0; trial < 200; trial++) {
      const n = 2 + Math.floor(gen.nextFloat() * 100);
      const logits = logitsOf(gen, n);
      const allowed = new Set<number>();
      for (let i = 0; i < n; i++) if (gen.nextFloat() < 0.3 && logits[i] !== -Infinity) allowed.add(i);
      if (allowed.size === 0) continue;
      const check = checkOf(allowed, n);
      const mask = check.mask();
      check.masks = 0;
      const want = maskedArgmax(logits, mask, n);
      expect(sampleFirst(logits, n, 0, new Rng(1), check), `trial ${trial}`).toBe(want);
      expect(check.masks).toBe(allowed.has(maskedArgmax(logits, null, n)) ? 0 : 1);
    }
  });

  test('temperature: over a grid of both random numbers, the pick frequencies are the masked distribution', () => {
    const logits = Float32Array.of(1.5, 0.2, -0.7, 2.1, 0.9, -1.4, 0.4, 1.1);
    const n = logits.length;
    const allowed = new Set([1, 2, 4, 7]);
    for (const T of [1, 0.6, 2]) {
      const p = Array.from(logits, (l) => Math.exp(l / T));
      const Pa = [...allowed].reduce((a, i) => a + p[i]!, 0);
      const G = 400;
      const count = new Float64Array(n);
      for (let a = 0; a < G; a++) {
        for (let b = 0; b < G; b++) {
          const id = sampleFirst(logits, n, T, fixedRng([(a + 0.5) / G, (b + 0.5) / G]), checkOf(allowed, n));
          count[id]! += 1 / (G * G);
        }
      }
      for (let i = 0; i < n; i++) {
        const want = allowed.has(i) ? p[i]! / Pa : 0;
        expect(Math.abs(count[i]! - want), `T=${T} id ${i}`).toBeLessThan(3 / G);
      }
    }
  });
});
