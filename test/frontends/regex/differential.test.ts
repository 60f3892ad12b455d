/**
 * Differential test of the regex front-end against Node's own RegExp: for
 * every pattern of the table, the slow oracle on `parseRegex(p)` accepts a
 * string exactly when `^(?:p)$` (full mode) or `p` unanchored (search mode)
 * matches it with the `u` flag. Strings: samples of the pattern's language,
 * mutations of them, random strings over an alphabet of tricky characters.
 */
import { describe, expect, it } from 'vitest';
import { parseRegex } from '../../../src/frontends/regex/index.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';
import { NoSample, mutate, pick, randomString, rng, sampleExpr } from './sample.js';

/** Patterns, with flags. */
const PATTERNS: readonly (readonly [string, string])[] = [
  // literals, alternation, quantifiers
  ['abc', ''],
  ['a|b|c', ''],
  ['ab*c', ''],
  ['a+b?', ''],
  ['(ab)+', ''],
  ['(?:a|bc)*d', ''],
  ['x*?y+?z??', ''],
  ['(a*)*b', ''],
  ['(a|ab)(c|bcd)', ''],
  ['((a)|b)+', ''],
  ['', ''],
  ['a||b', ''],
  ['(|a)b', ''],
  // bounded repetition
  ['a{3}', ''],
  ['a{2,4}', ''],
  ['a{2,}', ''],
  ['a{0}b', ''],
  ['(a|b){0,3}c', ''],
  ['(?:ab|c){1,3}?', ''],
  ['[ab]{2}[0-9]{1,2}', ''],
  ['(?:\\S+\\s+){0,2}\\S+', ''],
  // classes
  ['[a-c]', ''],
  ['[^a-c]', ''],
  ['[a-c-]', ''],
  ['[-a]', ''],
  ['[\\d.]+', ''],
  ['[\\w-]+', ''],
  ['[^\\s]', ''],
  ['[\\s\\S]', ''],
  ['[^]', ''],
  ['[]', ''],
  ['a[]', ''],
  ['[\\b]', ''],
  ['[\\-\\]\\\\]', ''],
  ['[+--]', ''],
  ['[\\u0000-\\u001f]', ''],
  ['[\\uD800-\\uDFFF]', ''],
  ['a\\uD800', ''],
  ['[a\\uD800]', ''],
  ['[\\ud83d\\ude00-\\ud83d\\ude02]', ''],
  // class escapes
  ['\\d{2,3}-\\d{4}', ''],
  ['\\w+@\\w+\\.com', ''],
  ['\\s+', ''],
  ['\\S+\\s\\S+', ''],
  ['\\D\\W', ''],
  ['.', ''],
  ['.+', ''],
  ['a.c', ''],
  ['[^\\n]*', ''],
  // escapes
  ['\\u0041\\x42\\u{1F600}', ''],
  ['\\t\\n\\r\\f\\v\\0', ''],
  ['\\cJ\\ca', ''],
  ['\\/\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\', ''],
  ['\\ud83d\\ude00', ''],
  ['\\u{0000041}', ''],
  // non-ASCII
  ['😀+', ''],
  ['[😀-😂]x', ''],
  ['é|e\u0301', ''],
  ['[中文]+', ''],
  // properties
  ['\\p{Lu}\\p{Ll}*', ''],
  ['\\p{L}+', ''],
  ['\\P{L}', ''],
  ['\\p{Nd}', ''],
  ['\\p{N}', ''],
  ['\\p{P}', ''],
  ['\\p{Script=Greek}+', ''],
  ['\\p{sc=Cyrillic}', ''],
  ['\\p{scx=Hira}', ''],
  ['\\p{Script_Extensions=Latin}', ''],
  ['\\p{General_Category=Decimal_Number}', ''],
  ['\\p{gc=Zs}', ''],
  ['\\p{Alphabetic}', ''],
  ['\\p{White_Space}', ''],
  ['\\p{Emoji}', ''],
  ['\\p{Any}', ''],
  ['\\p{ASCII}', ''],
  ['[\\p{L}\\p{N}_]+', ''],
  ['[^\\p{L}]', ''],
  ['[^\\P{Lu}]', ''],
  // anchors
  ['^abc', ''],
  ['abc$', ''],
  ['^abc$', ''],
  ['^a|b$', ''],
  ['(^a|b)c', ''],
  ['a(b|c$)', ''],
  ['^(?:a|b)+$', ''],
  ['(?:^a|^b)', ''],
  ['((^a))b', ''],
  ['^$', ''],
  ['^', ''],
  ['$', ''],
  ['^|a', ''],
  ['(?:^|,)x(?:,|$)', ''],
  ['(^|\\s)#\\w+', ''],
  ['(?:(?:^a|b)|c)d(?:e|f$|(?:g$))', ''],
  ['^\\s*$|^[a-z]+$', ''],
  // anchors anywhere (non-multiline: ^ only at 0, $ only at the end)
  ['a^b', ''],
  ['a$b', ''],
  ['$a', ''],
  ['a^', ''],
  ['$^', ''],
  ['^$^$', ''],
  ['(^a)*b', ''],
  ['x(^a)?', ''],
  ['(a$)*', ''],
  ['(a$|b)+', ''],
  ['(?:^|a)*b', ''],
  ['($|a)+', ''],
  ['(^|a){2,3}b', ''],
  ['a(b$){0,2}', ''],
  ['(?:a|^)(?:b|$)', ''],
  ['(?:a*^)b', ''],
  ['b(?:$a*)', ''],
  ['(?:^a|b$)*', ''],
  ['(?:^a|b$){2}', ''],
  ['(^$)*a', ''],
  ['^(\\/?((\\.{2})|([a-z0-9\\-]*))($|\\/))*$', ''],
  // groups
  ['(?<year>\\d{4})-(?<m>\\d{2})', ''],
  ['[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}', ''],
  ['^[A-Z]{2}\\d{2}[A-Z0-9]{4}$', ''],
  ['^\\+?[1-9]\\d{1,14}$', ''],
  ['^(\\([0-9]{3}\\))?[0-9]{3}-[0-9]{4}$', ''],
  // case-insensitive
  ['abc', 'i'],
  ['k', 'i'],
  ['s+', 'i'],
  ['[a-z]+', 'i'],
  ['[^a-z]', 'i'],
  ['[k-s]', 'i'],
  ['\\w+', 'i'],
  ['\\W', 'i'],
  ['[^\\W]', 'i'],
  ['[\\W\\d]', 'i'],
  ['\\p{Lu}', 'i'],
  ['\\P{Lu}', 'i'],
  ['[^\\p{Ll}]', 'i'],
  ['\\p{Ll}', 'i'],
  ['ß', 'i'],
  ['σ', 'i'],
  ['ǅ', 'i'],
  ['[\\u0130-\\u0131]', 'i'],
  ['ﬀ', 'i'],
  ['Ꭰ', 'i'],
  ['\\u212a', 'i'],
  ['ſ', 'i'],
  ['[^k]', 'i'],
  ['Ω|µ', 'i'],
  ['\\u{10400}', 'i'],
  // dotAll
  ['.', 's'],
  ['a.b', 's'],
  ['.', 'i'],
  ['a.+b', 'is'],
  // v flag (same as u for these)
  ['[a-c]+\\p{Lu}', 'v'],
  ['\\P{Lu}', 'iv'],
  ['[^\\P{Lu}]', 'iv'],
  ['\\P{Ll}\\W', 'iv'],
  ['[^\\p{Lu}k]', 'iv'],
  ['[\\u1fd3]', 'i'],
  ['\\u0390', 'i'],
];

/** Characters likely to expose mistakes (case folding, line terminators, astral, surrogate neighbours). */
const TRICKY = [
  'a', 'b', 'c', 'd', 'x', 'z', 'A', 'B', 'C', 'Z', 'K', 'k', 's', 'S', 'ſ', '\u212a', 'i', 'I', '\u0130', '\u0131',
  '0', '1', '9', '_', '-', '.', '@', '+', ' ', '\t', '\n', '\r', '\u2028', '\u2029', '\u00a0', '\ufeff', '\u000b',
  'é', 'É', 'ß', 'ẞ', 'σ', 'Σ', 'ς', 'µ', 'Μ', 'μ', 'Ω', 'ω', '\u2126', 'ǅ', 'Ǆ', 'ǆ', '😀', '😁', '😂', '😃', '中',
  'Ꭰ', 'ꭰ', '\u{10400}', '\u{10428}', '\ud7ff', '\ue000', '\uffff', '\u{10ffff}', '\u0301', '(', ')', '[', ']',
];

function regexes(p: string, flags: string): { full: RegExp; search: RegExp } {
  const f = flags.includes('v') ? flags : flags + 'u';
  return { full: new RegExp(`^(?:${p})$`, f), search: new RegExp(p, f) };
}

/** Strings to test `p` on: samples of its language, their mutations, random strings. */
function testStrings(p: string, flags: string, seed: number): string[] {
  const r = rng(seed);
  const out = new Set<string>(['', 'a', 'abc', '\n']);
  const e = parseRegex(p, { flags });
  const samples: string[] = [];
  for (let i = 0; i < 12; i++) {
    try {
      samples.push(sampleExpr(r, e));
    } catch (err) {
      if (!(err instanceof NoSample)) throw err;
    }
  }
  const alphabet = [...new Set([...TRICKY, ...samples.flatMap((s) => Array.from(s))])];
  for (const s of samples) {
    out.add(s);
    out.add(mutate(r, s, alphabet));
    out.add(mutate(r, mutate(r, s, alphabet), alphabet));
    out.add(alphabet[pick(r, alphabet.length)]! + s + alphabet[pick(r, alphabet.length)]!);
    if (samples.length > 1) out.add(s + samples[pick(r, samples.length)]!);
  }
  for (let i = 0; i < 12; i++) out.add(randomString(r, alphabet, 6));
  return [...out];
}

describe('parseRegex vs RegExp (u flag), through the oracle', () => {
  let total = 0;
  let positives = 0;
  PATTERNS.forEach(([p, flags], idx) => {
    it(`/${p}/${flags}`, () => {
      const { full, search } = regexes(p, flags);
      const fullOracle = GrammarOracle.fromExpr(parseRegex(p, { flags, mode: 'full' }));
      const searchOracle = GrammarOracle.fromExpr(parseRegex(p, { flags, mode: 'search' }));
      const mismatches: string[] = [];
      for (const s of testStrings(p, flags, 1000 + idx)) {
        total++;
        const f = fullOracle.accepts(s);
        if (f) positives++;
        if (f !== full.test(s)) mismatches.push(`full ${JSON.stringify(s)}: oracle ${f}`);
        const se = searchOracle.accepts(s);
        if (se !== search.test(s)) mismatches.push(`search ${JSON.stringify(s)}: oracle ${se}`);
      }
      expect(mismatches).toEqual([]);
    });
  });
  it('ran thousands of cases', () => {
    expect(total).toBeGreaterThan(3000);
    expect(positives).toBeGreaterThan(total / 6);
  });
});
