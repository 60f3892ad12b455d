/**
 * Syntax parity with Node's RegExp in Unicode mode: a pattern is a
 * GrammarSyntaxError exactly when `new RegExp(p, 'u')` throws. Other errors
 * (unsupported constructs, limits) are only allowed on valid patterns.
 * Random patterns from a token soup, seeded.
 */
import { describe, expect, it } from 'vitest';
import { GrammarSyntaxError } from '../../../src/errors.js';
import { parseRegex } from '../../../src/frontends/regex/index.js';
import { pick, rng } from './sample.js';

const TOKENS = [
  'a', 'b', '😀', '|', '(', ')', '(?:', '(?<n>', '(?<m>', '(?', '[', ']', '[^', '^', '$', '-', '\\', '*', '+', '?',
  '{', '}', '{2}', '{1,3}', '{2,}', '{2,1}', '{,1}', '.', '\\d', '\\W', '\\s', '\\b', '\\B', '\\1', '\\2', '\\k<n>',
  '\\k<x>', '\\k', '(?=', '(?!', '(?<=', '(?<!', '\\u{41}', '\\u{110000}', '\\u004', '\\u0041', '\\ud83d', '\\ude00',
  '\\x4', '\\x41', '\\p{L}', '\\P{Lu}', '\\p{Foo}', '\\p{sc=Greek}', '\\pL', '\\c', '\\cA', '\\0', '\\00', '\\-',
  '\\/', '\\_', '\\a', 'd', ',', '0', '1', '\\n', '\\]', '\\[', '\\.', '\\^',
];

function nodeAccepts(p: string): boolean {
  try {
    new RegExp(p, 'u');
    return true;
  } catch {
    return false;
  }
}

function ourVerdict(p: string): 'syntax' | 'ok' | 'other' {
  try {
    parseRegex(p);
    return 'ok';
  } catch (e) {
    if (e instanceof GrammarSyntaxError) return 'syntax';
    return 'other';
  }
}

describe('regex syntax parity with RegExp(p, "u")', () => {
  it('agrees on 3000 random token soups', () => {
    const r = rng(7);
    const bad: string[] = [];
    let valid = 0;
    for (let i = 0; i < 3000; i++) {
      let p = '';
      const n = 1 + pick(r, 7);
      for (let k = 0; k < n; k++) p += TOKENS[pick(r, TOKENS.length)]!;
      const node = nodeAccepts(p);
      const ours = ourVerdict(p);
      if (node) valid++;
      if (node === (ours === 'syntax')) bad.push(`${JSON.stringify(p)}: node ${node ? 'accepts' : 'rejects'}, ours ${ours}`);
    }
    expect(bad.slice(0, 20)).toEqual([]);
    expect(valid).toBeGreaterThan(150);
  });

  it.each([
    '{', '}', ']', 'a{', 'a{1', 'a{1,', 'x{2,1}', '\\-', '[\\w-a]', '[a-\\d]', '\\c', '\\c1', '[\\c1]', '\\01', '\\1',
    '(a)\\2', '\\k<a>', '(?<a>x)(?<a>y)', '\\u{110000}', '\\u{}', '\\x1', 'a**', '(?=a)*', '\\b*', '^*', '$?', '(?i:a)',
    '\\_', '\\p{L', '\\pL', '\\p{Foo}', '\\p{RGI_Emoji}', '[\\s-z]', 'a{,5}', '(?:', '(?', 'a|*', '\\a', '[\\d-z]', '\\k',
    '(', ')', 'a)', '[', '[a', '\\', '[\\', '[z-a]', '(?<1a>x)', '(?<>x)',
  ])('rejects %j like RegExp', (p) => {
    expect(nodeAccepts(p)).toBe(false);
    expect(ourVerdict(p)).toBe('syntax');
  });

  it.each([
    '\\0', '\\ud800', '[\\b]', '\\/', '[\\-]', '\\P{Script=Greek}', '\\p{sc=Grek}', '()', '[]', '[^]', '\\u{10FFFF}',
    '\\u{0000000041}', '[\\d-]', '[-\\d]', '(?<𝒜>x)', '(?<\\u0061>x)\\k<a>', 'x{99999}', '(?<a>x)\\k<a>', '[--/]',
  ])('accepts %j like RegExp', (p) => {
    expect(nodeAccepts(p)).toBe(true);
    expect(ourVerdict(p)).not.toBe('syntax');
  });
});
