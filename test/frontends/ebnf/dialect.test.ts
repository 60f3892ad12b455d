/** Dialect choice for callers that take either GBNF or Lark text. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors.js';
import { detectDialect, parseEbnf } from '../../../src/frontends/ebnf/index.js';

describe('detectDialect / parseEbnf', () => {
  it('uses the option, then the extension, then the content', () => {
    expect(detectDialect('start: "a"', { dialect: 'gbnf' })).toBe('gbnf');
    expect(detectDialect('root ::= "a"', { source: 'x.LARK' })).toBe('lark');
    expect(detectDialect('start: "a"', { source: 'g/x.gbnf' })).toBe('gbnf');
    expect(detectDialect('# c\n  root ::= "a"')).toBe('gbnf');
    expect(detectDialect('start: "a" // x ::= y')).toBe('lark');
    expect(() => detectDialect('', { dialect: 'bnf' as 'gbnf' })).toThrow(InvalidArgumentError);
  });
  it('parses with the chosen front-end', () => {
    expect(parseEbnf('root ::= "a"').start).toBe('root');
    expect(parseEbnf('start: "a"').start).toBe('start');
    expect(parseEbnf('main: "a"', { start: 'main' }).start).toBe('main');
  });
});
