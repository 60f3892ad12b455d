/**
 * `lenient: true` accepts the unambiguous Annex B spellings of real-world
 * patterns (`\:`, lone `}`, `[\w-.]`) with Unicode-mode matching. Checked:
 * it accepts everything strict mode accepts, only what Node's non-Unicode
 * RegExp accepts, and on ASCII text it matches like `new RegExp(p)`.
 */
import { describe, expect, it } from 'vitest';
import { GrammarSyntaxError } from '../../../src/errors.js';
import { parseRegex } from '../../../src/frontends/regex/index.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';
import { pick, randomString, rng } from './sample.js';

const TOKENS = [
  'a', 'b', '-', '.', ':', '\\:', '\\-', '\\@', '\\_', '\\ ', '{', '}', ']', '{2}', '{1,}', '{,2}', '{x}', '\\w', '\\d',
  '\\s', '[', '[^', '\\w-', '-\\d', '(', ')', '(?:', '|', '*', '+', '?', '^', '$', '\\.', '\\\\', '\\n', 'x{', '\\/',
];

function parses(p: string, lenient: boolean): boolean {
  try {
    parseRegex(p, { lenient });
    return true;
  } catch (e) {
    if (e instanceof GrammarSyntaxError) return false;
    return true; // unsupported or limit: the syntax was fine
  }
}

function nodeAccepts(p: string, flags: string): boolean {
  try {
    new RegExp(p, flags);
    return true;
  } catch {
    return false;
  }
}

describe('lenient regex syntax', () => {
  it.each([
    ['^connectedService\\:.+$', 'connectedService:x', true],
    ['^[\\.\\,\\*\\\\\\-\\s\\{\\}\\(\\)]+$', '.,*\\- {}()', true],
    ['.*\\{\\{.+}}.*', 'a{{b}}c', true],
    ['^[\\w-.]+$', 'a-b.c_d', true],
    ['^[\\w-.]+$', 'a b', false],
    ['x{,2}', 'x{,2}', true],
    ['a{', 'a{', true],
    ['\\@\\#', '@#', true],
  ] as const)('%j on %j is %j', (p, s, expected) => {
    expect(() => parseRegex(p)).toThrow(GrammarSyntaxError);
    const o = GrammarOracle.fromExpr(parseRegex(p, { lenient: true, mode: 'search' }));
    expect(o.accepts(s)).toBe(expected);
    expect(new RegExp(p).test(s)).toBe(expected);
  });

  it('still rejects what is ambiguous or broken', () => {
    for (const p of ['\\a', '\\1', '(', 'a**', '[z-a]', '\\c', '^{2}', '{2}', '\\u12', '\\x4']) {
      expect(parses(p, true), p).toBe(false);
    }
  });

  it('accepts a superset of strict, a subset of non-u RegExp, and matches like it on ASCII', () => {
    const r = rng(17);
    const bad: string[] = [];
    let lenientOnly = 0;
    const alphabet = ['a', 'b', 'x', '-', '.', ':', '@', '_', ' ', '{', '}', ',', '2', '\n', '\\', '/', ']'];
    for (let i = 0; i < 2000; i++) {
      let p = '';
      for (let n = 1 + pick(r, 6); n > 0; n--) p += TOKENS[pick(r, TOKENS.length)]!;
      const strict = parses(p, false);
      const lenient = parses(p, true);
      if (strict && !lenient) bad.push(`${JSON.stringify(p)}: strict accepts, lenient rejects`);
      if (lenient && !nodeAccepts(p, '')) bad.push(`${JSON.stringify(p)}: lenient accepts, RegExp(p) rejects`);
      if (!lenient || strict) continue;
      lenientOnly++;
      let e;
      try {
        e = parseRegex(p, { lenient: true, mode: 'search' });
      } catch {
        continue; // unsupported construct
      }
      const o = GrammarOracle.fromExpr(e);
      const re = new RegExp(p);
      for (let t = 0; t < 15; t++) {
        const s = randomString(r, alphabet, 6);
        if (o.accepts(s) !== re.test(s)) bad.push(`${JSON.stringify(p)} on ${JSON.stringify(s)}`);
      }
    }
    expect(bad.slice(0, 10)).toEqual([]);
    expect(lenientOnly).toBeGreaterThan(150);
  });
});
