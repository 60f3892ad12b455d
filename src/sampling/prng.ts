/**
 * Seeded pseudo-random numbers: xoshiro128** (Blackman & Vigna, 2018,
 * "Scrambled linear pseudorandom number generators"), 128-bit state, period
 * 2^128 - 1, seeded from a 32-bit or 53-bit integer through splitmix32 so that
 * nearby seeds give unrelated streams. Pure 32-bit integer arithmetic
 * (`Math.imul`, `>>>`), so every platform produces the same stream: same seed,
 * same draws.
 *
 * `nextFloat()` returns a double in [0, 1) with 53 random bits (two outputs);
 * `nextFloat32()` uses one output (24 bits). Sampling uses `nextFloat()`.
 */

/** Seeded xoshiro128** generator. The state is four uint32 words and can be saved, restored and cloned. */
export class Rng {
  /** The four state words (never all zero). */
  readonly state = new Uint32Array(4);

  /** Seeds the generator; `seed` is any safe integer (its low 53 bits are used). */
  constructor(seed: number = 0) {
    this.seed(seed);
  }

  /** Re-seeds in place (same result as `new Rng(seed)`). */
  seed(seed: number): void {
    const lo = seed >>> 0;
    const hi = Math.floor(Math.abs(seed) / 4294967296) >>> 0;
    // splitmix32 over (lo, hi) to fill the state.
    let x = (lo ^ Math.imul(hi, 0x9e3779b9)) >>> 0;
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.state[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.state[0]! | this.state[1]! | this.state[2]! | this.state[3]!) === 0) this.state[0] = 1;
  }

  /** Next uint32. */
  nextU32(): number {
    const s = this.state;
    const s0 = s[0]!, s1 = s[1]!, s2 = s[2]!, s3 = s[3]!;
    const m = Math.imul(s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s1 << 9;
    let n2 = s2 ^ s0;
    let n3 = s3 ^ s1;
    const n1 = s1 ^ n2;
    const n0 = s0 ^ n3;
    n2 ^= t;
    n3 = (n3 << 11) | (n3 >>> 21);
    s[0] = n0;
    s[1] = n1;
    s[2] = n2;
    s[3] = n3;
    return result;
  }

  /** Uniform double in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform float in [0, 1) with 24 random bits (one output). */
  nextFloat32(): number {
    return (this.nextU32() >>> 8) / 16777216;
  }

  /** An independent copy with the same state (draws the same sequence). */
  clone(): Rng {
    const r = new Rng(0);
    r.state.set(this.state);
    return r;
  }
}
