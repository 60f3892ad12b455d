import { describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { maskedArgmax, maskedDraw } from '../../src/generation/pick.js';
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
