/**
 * The code-point tables of the regex front-end against Node's RegExp,
 * checked by a different path than the one that builds them (per-code-point
 * `test` calls rather than one global scan).
 */
import { describe, expect, it } from 'vitest';
import { normalizeRanges } from '../../../src/ir/expr.js';
import {
  LINE_TERMINATOR_RANGES,
  SPACE_RANGES,
  caseClosure,
  caseSensitiveCodePoints,
  caseVariants,
  propertyRanges,
  rangesMatchedBy,
} from '../../../src/frontends/regex/unicode.js';
import { pick, rng } from './sample.js';

function inRanges(r: readonly number[], cp: number): boolean {
  for (let i = 0; i < r.length; i += 2) if (cp >= r[i]! && cp <= r[i + 1]!) return true;
  return false;
}

/** Random non-surrogate code points, half of them in the BMP. */
function codePoints(seed: number, n: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  while (out.length < n) {
    const cp = r() < 0.5 ? pick(r, 0x10000) : pick(r, 0x110000);
    if (cp < 0xd800 || cp > 0xdfff) out.push(cp);
  }
  return out;
}

describe('unicode tables', () => {
  it('\\s is exactly ECMAScript WhiteSpace + LineTerminator as Node has it', () => {
    expect(rangesMatchedBy('\\s')).toEqual(normalizeRanges(SPACE_RANGES));
    expect(rangesMatchedBy('.')).toEqual(rangesMatchedBy(`[^${'\\n\\r\\u2028\\u2029'}]`));
    expect(normalizeRanges(LINE_TERMINATOR_RANGES)).toEqual([0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029]);
  });

  it.each(['L', 'Lu', 'Nd', 'P', 'Zs', 'Script=Han', 'sc=Greek', 'scx=Hira', 'Alphabetic', 'Emoji', 'White_Space', 'Any'])(
    '\\p{%s} matches Node on random code points',
    (name) => {
      const ranges = propertyRanges(name);
      const re = new RegExp(`^\\p{${name}}$`, 'u');
      const bad = codePoints(name.length * 31 + 7, 20000).filter((cp) => inRanges(ranges, cp) !== re.test(String.fromCodePoint(cp)));
      expect(bad).toEqual([]);
    },
  );

  it('case fold classes are complete: no code point outside them folds into them', () => {
    const cps = caseSensitiveCodePoints();
    expect(cps.length).toBeGreaterThan(2000);
    const source = '[' + Array.from(cps, (cp) => `\\u{${cp.toString(16)}}`).join('') + ']';
    const members: number[] = [];
    for (const cp of cps) members.push(cp, cp);
    expect(rangesMatchedBy(source, 'i')).toEqual(normalizeRanges(members));
  });

  it('case variants agree with /x/iu on every member', () => {
    const bad: string[] = [];
    for (const cp of caseSensitiveCodePoints()) {
      const re = new RegExp(`^\\u{${cp.toString(16)}}$`, 'iu');
      for (const v of caseVariants(cp)) if (!re.test(String.fromCodePoint(v))) bad.push(`${cp.toString(16)}~${v.toString(16)}`);
    }
    expect(bad).toEqual([]);
    expect(caseVariants(0x6b)).toEqual([0x4b, 0x6b, 0x212a]);
    expect(caseVariants(0x73)).toEqual([0x53, 0x73, 0x17f]);
    expect(caseVariants(0x3c3)).toEqual([0x3a3, 0x3c2, 0x3c3]);
    expect(caseVariants(0x130)).toEqual([0x130]);
    expect(caseVariants(0x1fd3)).toEqual([0x390, 0x1fd3]);
    expect(caseVariants(0x31)).toEqual([0x31]);
  });

  it('caseClosure of random ranges matches /[lo-hi]/iu', () => {
    const r = rng(99);
    for (let t = 0; t < 30; t++) {
      const lo = pick(r, 0x2000);
      const hi = lo + pick(r, 200);
      const closed = caseClosure([lo, hi]);
      const re = new RegExp(`^[\\u{${lo.toString(16)}}-\\u{${hi.toString(16)}}]$`, 'iu');
      const bad = codePoints(t, 3000)
        .concat(Array.from({ length: 0x600 }, (_, i) => i))
        .filter((cp) => inRanges(closed, cp) !== re.test(String.fromCodePoint(cp)));
      expect(bad).toEqual([]);
    }
  });
});
