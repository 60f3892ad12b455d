/**
 * Errors of the regex front-end: class and exact message (offset included)
 * for each unsupported construct, syntax error, limit and bad flag.
 */
import { describe, expect, it } from 'vitest';
import {
  GrammarSyntaxError,
  InvalidArgumentError,
  LimitExceededError,
  UnsupportedFeatureError,
} from '../../../src/errors.js';
import { parseRegex, type RegexOptions } from '../../../src/frontends/regex/index.js';

function error(p: string, opts?: RegexOptions): string {
  try {
    parseRegex(p, opts);
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
  return 'no error';
}

const CASES: readonly (readonly [string, RegexOptions | undefined, string])[] = [
  // unsupported constructs
  ['a(?=b)', undefined, 'UnsupportedFeatureError: unsupported lookahead at <regex> offset 1'],
  ['(?!x)y', undefined, 'UnsupportedFeatureError: unsupported lookahead at <regex> offset 0'],
  ['(?<=a)b', undefined, 'UnsupportedFeatureError: unsupported lookbehind at <regex> offset 0'],
  ['x(?<!a)b', undefined, 'UnsupportedFeatureError: unsupported lookbehind at <regex> offset 1'],
  ['(a)\\1', undefined, 'UnsupportedFeatureError: unsupported backreference at <regex> offset 3'],
  ['(?<n>a)\\k<n>', undefined, 'UnsupportedFeatureError: unsupported backreference at <regex> offset 7'],
  ['a\\bc', undefined, 'UnsupportedFeatureError: unsupported word boundary at <regex> offset 1'],
  ['\\B', undefined, 'UnsupportedFeatureError: unsupported word boundary at <regex> offset 0'],
  ['(?=x)', { source: '/properties/x/pattern' }, 'UnsupportedFeatureError: unsupported lookahead at /properties/x/pattern offset 0'],
  ['[a[b]]', { flags: 'v' }, 'UnsupportedFeatureError: unsupported class set notation (v flag) at <regex> offset 2'],
  ['[a&&b]', { flags: 'v' }, 'UnsupportedFeatureError: unsupported class set notation (v flag) at <regex> offset 2'],
  ['\\p{RGI_Emoji}', { flags: 'v' }, 'UnsupportedFeatureError: unsupported property of strings at <regex> offset 0: \\p{RGI_Emoji}'],
  ['x', { flags: 'm' }, 'UnsupportedFeatureError: unsupported flag m (multiline) at <regex>'],
  // syntax errors
  ['ab(c', undefined, 'GrammarSyntaxError: unterminated group at offset 2 (at <regex>:1:3)'],
  ['ab)c', undefined, 'GrammarSyntaxError: unmatched ")" at offset 2 (at <regex>:1:3)'],
  ['[abc', undefined, 'GrammarSyntaxError: unterminated character class at offset 0 (at <regex>:1:1)'],
  ['a{3,1}', undefined, 'GrammarSyntaxError: numbers out of order in {} quantifier at offset 1 (at <regex>:1:2)'],
  ['a{3', undefined, 'GrammarSyntaxError: incomplete quantifier at offset 1 (at <regex>:1:2)'],
  ['*a', undefined, 'GrammarSyntaxError: nothing to repeat at offset 0 (at <regex>:1:1)'],
  ['a**', undefined, 'GrammarSyntaxError: nothing to repeat at offset 2 (at <regex>:1:3)'],
  ['^*', undefined, 'GrammarSyntaxError: nothing to repeat at offset 1 (at <regex>:1:2)'],
  ['a}', undefined, 'GrammarSyntaxError: lone quantifier bracket at offset 1 (at <regex>:1:2)'],
  ['[z-a]', undefined, 'GrammarSyntaxError: range out of order in character class at offset 1 (at <regex>:1:2)'],
  ['[\\d-z]', undefined, 'GrammarSyntaxError: invalid character class range at offset 1 (at <regex>:1:2)'],
  ['\\q', undefined, 'GrammarSyntaxError: invalid escape at offset 0 (at <regex>:1:1)'],
  ['\\2(a)', undefined, 'GrammarSyntaxError: invalid escape at offset 0 (at <regex>:1:1)'],
  ['a\\', undefined, 'GrammarSyntaxError: \\ at end of pattern at offset 1 (at <regex>:1:2)'],
  ['\\u{110000}', undefined, 'GrammarSyntaxError: invalid Unicode escape at offset 0 (at <regex>:1:1)'],
  ['\\p{Nope}', undefined, 'GrammarSyntaxError: unknown Unicode property \\p{Nope} at offset 0 (at <regex>:1:1)'],
  ['(?<n>a)(?<n>b)', undefined, 'GrammarSyntaxError: duplicate capture group name "n" at offset 7 (at <regex>:1:8)'],
  ['\\k<m>(?<n>a)', undefined, 'GrammarSyntaxError: invalid named capture referenced "m" at offset 0 (at <regex>:1:1)'],
  ['(?i:a)', undefined, 'GrammarSyntaxError: invalid group at offset 0 (at <regex>:1:1)'],
  ['ab(c', { source: '/properties/x/pattern' }, 'GrammarSyntaxError: unterminated group at offset 2 (at /properties/x/pattern:1:3)'],
  ['a\nb(', undefined, 'GrammarSyntaxError: unterminated group at offset 3 (at <regex>:2:2)'],
  // limits
  ['a{100001}', undefined, 'LimitExceededError: limit maxRepeat=100000 exceeded: repetition {100001} at <regex> offset 0'],
  ['x(ab){2,200000}', undefined, 'LimitExceededError: limit maxRepeat=100000 exceeded: repetition {2,200000} at <regex> offset 1'],
  ['('.repeat(501) + ')'.repeat(501), undefined, 'LimitExceededError: limit maxGroupDepth=500 exceeded: group nesting at <regex> offset 500'],
  ['a{5,}', { maxRepeat: 4 }, 'LimitExceededError: limit maxRepeat=4 exceeded: repetition {5,} at <regex> offset 0'],
  // flags
  ['x', { flags: 'g' }, 'InvalidArgumentError: regex flags "g": unknown flag "g" (<regex>)'],
  ['x', { flags: 'ii' }, 'InvalidArgumentError: regex flags "ii": flag "i" repeated (<regex>)'],
  ['x', { flags: 'uv' }, 'InvalidArgumentError: regex flags "uv": u and v are exclusive (<regex>)'],
];

describe('regex errors', () => {
  it.each(CASES)('%j %j', (p, opts, expected) => {
    expect(error(p, opts)).toBe(expected);
  });

  it('carries machine-readable fields', () => {
    const u = (() => {
      try {
        parseRegex('ab(?=c)');
      } catch (e) {
        return e;
      }
    })();
    expect(u).toBeInstanceOf(UnsupportedFeatureError);
    expect((u as UnsupportedFeatureError).feature).toBe('lookahead');
    expect((u as UnsupportedFeatureError).where).toBe('<regex> offset 2');
    expect(() => parseRegex('a(')).toThrow(GrammarSyntaxError);
    try {
      parseRegex('abc)');
    } catch (e) {
      expect((e as GrammarSyntaxError).location).toEqual({ line: 1, column: 4, offset: 3, source: '<regex>' });
    }
    expect(() => parseRegex('a{9}', { maxRepeat: 8 })).toThrow(LimitExceededError);
    expect(() => parseRegex('a', { flags: 'y' })).toThrow(InvalidArgumentError);
  });

  it('reports syntax errors before unsupported constructs', () => {
    expect(error('(?=a)(')).toBe('GrammarSyntaxError: unterminated group at offset 5 (at <regex>:1:6)');
  });

  it('accepts the bounds at the limit', () => {
    expect(() => parseRegex('('.repeat(500) + 'a' + ')'.repeat(500))).not.toThrow();
    expect(() => parseRegex('a{0,100000}')).not.toThrow();
    expect(() => parseRegex('a{4}', { maxRepeat: 4 })).not.toThrow();
  });
});
