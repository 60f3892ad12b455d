import { describe, expect, it } from 'vitest';
import { SampleBuffer, percentileSorted, percentiles } from '../../src/bench/stats.js';

/** Oracle: nearest rank by definition (smallest x with #{s <= x} >= q n), O(n^2). */
function slowPercentile(xs: number[], q: number): number {
  const n = xs.length;
  const need = Math.max(1, Math.ceil(q * n - 1e-9));
  let best = Infinity;
  for (const x of xs) if (xs.filter((y) => y <= x).length >= need && x < best) best = x;
  return best;
}

describe('percentiles', () => {
  it('is all zeros for no samples', () => {
    expect(percentiles(new Float64Array(0))).toEqual({
      avg: 0, p25: 0, p50: 0, p75: 0, p90: 0, p95: 0, p99: 0, p999: 0, max: 0, count: 0,
    });
  });

  it('uses nearest rank on 1..100', () => {
    const s = Float64Array.from({ length: 100 }, (_, i) => 100 - i);
    const p = percentiles(s);
    expect(p).toMatchObject({ p25: 25, p50: 50, p75: 75, p90: 90, p95: 95, p99: 99, p999: 100, max: 100, avg: 50.5 });
    expect(s[0]).toBe(100); // input not sorted in place
  });

  it('matches the definition on random samples', () => {
    let seed = 7;
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + (trial * 37) % 200;
      const xs = Array.from({ length: n }, () => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return seed % 1000;
      });
      const p = percentiles(Float64Array.from(xs));
      for (const [k, q] of [['p25', 0.25], ['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['p999', 0.999]] as const) {
        expect(p[k], `${k} n=${n}`).toBe(slowPercentile(xs, q));
      }
      expect(p.max).toBe(Math.max(...xs));
      expect(p.avg).toBeCloseTo(xs.reduce((a, b) => a + b, 0) / n, 9);
    }
  });

  it('rejects NaN samples and out-of-range q', () => {
    expect(() => percentiles(Float64Array.of(1, NaN))).toThrow(RangeError);
    expect(() => percentileSorted(Float64Array.of(1), 1.5)).toThrow(RangeError);
  });
});

describe('SampleBuffer', () => {
  it('grows and keeps samples in order', () => {
    const b = new SampleBuffer(16);
    for (let i = 0; i < 1000; i++) b.push(i);
    b.pushAll([1000, 1001]);
    expect(b.length).toBe(1002);
    expect(b.toArray()[1001]).toBe(1001);
    expect(b.view().length).toBe(1002);
  });
});
