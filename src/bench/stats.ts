/**
 * Order statistics of timing samples, as MaskBench reports them.
 *
 * Percentiles use the nearest-rank method on the sorted samples: `pXX` is
 * the smallest sample such that at least XX % of the samples are less than or
 * equal to it. With no samples every field is 0.
 */

/** Distribution summary of a sample set (same unit as the samples). */
export interface Percentiles {
  /** Arithmetic mean. */
  avg: number;
  p25: number;
  p50: number;
  p75: number;
  p90: number;
  p95: number;
  p99: number;
  /** 99.9th percentile. */
  p999: number;
  /** Largest sample. */
  max: number;
  /** Number of samples. */
  count: number;
}

/**
 * Nearest-rank percentile of already sorted samples: the value at 1-based rank
 * `ceil(q * n)` (rank 1 for q = 0). Returns 0 for an empty array.
 */
export function percentileSorted(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) return 0;
  if (!(q >= 0 && q <= 1)) throw new RangeError(`percentile q=${q} outside [0, 1]`);
  const rank = Math.max(1, Math.ceil(q * n - 1e-9));
  return sorted[Math.min(rank, n) - 1]!;
}

/**
 * Summarizes `samples` (not modified: a sorted copy is made). NaN samples are
 * a caller bug and throw a RangeError.
 */
export function percentiles(samples: Float64Array): Percentiles {
  const n = samples.length;
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const v = sorted[i]!;
    if (Number.isNaN(v)) throw new RangeError(`percentiles: sample ${i} is NaN`);
    sum += v;
  }
  return {
    avg: n === 0 ? 0 : sum / n,
    p25: percentileSorted(sorted, 0.25),
    p50: percentileSorted(sorted, 0.5),
    p75: percentileSorted(sorted, 0.75),
    p90: percentileSorted(sorted, 0.9),
    p95: percentileSorted(sorted, 0.95),
    p99: percentileSorted(sorted, 0.99),
    p999: percentileSorted(sorted, 0.999),
    max: n === 0 ? 0 : sorted[n - 1]!,
    count: n,
  };
}

/**
 * Growable Float64Array for collecting samples without per-sample allocation
 * (amortized doubling).
 */
export class SampleBuffer {
  private buf: Float64Array;
  private n = 0;
  constructor(initialCapacity = 1024) {
    this.buf = new Float64Array(Math.max(16, initialCapacity));
  }
  /** Appends one sample. */
  push(v: number): void {
    if (this.n === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.n++] = v;
  }
  /** Appends all of `vs`. */
  pushAll(vs: ArrayLike<number>): void {
    for (let i = 0; i < vs.length; i++) this.push(vs[i]!);
  }
  /** Number of samples collected. */
  get length(): number {
    return this.n;
  }
  /** A view of the collected samples (invalidated by the next push that grows). */
  view(): Float64Array {
    return this.buf.subarray(0, this.n);
  }
  /** A copy of the collected samples. */
  toArray(): Float64Array {
    return this.buf.slice(0, this.n);
  }
}
