/**
 * Test helpers: a seeded PRNG, a random sampler of strings from an IR
 * expression, and string mutations. The sampler is independent of the oracle.
 */
import type { Expr } from '../../../src/ir/expr.js';
export { rng } from '../../random.js';

/** A random integer in `[0, n)`. */
export function pick(r: () => number, n: number): number {
  return Math.floor(r() * n);
}

/** Thrown by {@link sampleExpr} on `nothing`: the expression's language may be empty. */
export class NoSample extends Error {}

/** A random non-surrogate code point from normalized `ranges`, biased toward range edges. */
export function sampleRanges(r: () => number, ranges: readonly number[]): number {
  for (let tries = 0; tries < 50; tries++) {
    const i = pick(r, ranges.length / 2);
    const lo = ranges[2 * i]!;
    const hi = ranges[2 * i + 1]!;
    const u = r();
    const cp = u < 0.25 ? lo : u < 0.5 ? hi : lo + pick(r, hi - lo + 1);
    if (cp < 0xd800 || cp > 0xdfff) return cp;
  }
  throw new NoSample('class of surrogates');
}

/** A random string of the language of `e` (repetitions at most `min + 3`). */
export function sampleExpr(r: () => number, e: Expr, depth = 0): string {
  if (depth > 50) throw new NoSample('too deep');
  switch (e.kind) {
    case 'empty':
      return '';
    case 'nothing':
      throw new NoSample('nothing');
    case 'literal':
      return e.text;
    case 'class':
      return String.fromCodePoint(sampleRanges(r, e.ranges));
    case 'seq':
      return e.items.map((x) => sampleExpr(r, x, depth + 1)).join('');
    case 'alt':
      return sampleExpr(r, e.items[pick(r, e.items.length)]!, depth + 1);
    case 'repeat': {
      const n = e.min + pick(r, Math.min(e.max, e.min + 3) - e.min + 1);
      let s = '';
      for (let i = 0; i < n; i++) s += sampleExpr(r, e.item, depth + 1);
      return s;
    }
    case 'ref':
      throw new NoSample('ref');
  }
}

/** A random edit of `s`: insert, delete or replace one code point (from `alphabet`), or swap two. */
export function mutate(r: () => number, s: string, alphabet: readonly string[]): string {
  const cps = Array.from(s);
  const op = pick(r, 4);
  const at = pick(r, cps.length + 1);
  const ch = alphabet[pick(r, alphabet.length)]!;
  if (op === 0 || cps.length === 0) cps.splice(at, 0, ch);
  else if (op === 1) cps.splice(Math.min(at, cps.length - 1), 1);
  else if (op === 2) cps[Math.min(at, cps.length - 1)] = ch;
  else {
    const i = pick(r, cps.length);
    const j = pick(r, cps.length);
    [cps[i], cps[j]] = [cps[j]!, cps[i]!];
  }
  return cps.join('');
}

/** A random string of length 0..maxLen over `alphabet`. */
export function randomString(r: () => number, alphabet: readonly string[], maxLen: number): string {
  const n = pick(r, maxLen + 1);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[pick(r, alphabet.length)]!;
  return s;
}
