/**
 * Hostile grammars fail fast with a typed error naming the limit, or work.
 */
import { describe, expect, it } from 'vitest';
import { compileGrammar } from '../../src/compiler/compile.js';
import { compileGbnf, compileRegex } from '../../src/api.js';
import { LimitExceededError, EmptyLanguageError, GrammarSyntaxError } from '../../src/errors.js';
import { alt, literal, ref, repeat, seq, type Expr, type Grammar } from '../../src/ir/expr.js';
import { tinyVocab, maskIds } from './helpers.js';

const bytes = (s: string): Uint8Array => new Uint8Array(Buffer.from(s));
const vocab = tinyVocab(['a', 'aa', 'aaaa', 'b', ' ', 'x', '(', ')', 'ab', 'a ', ' a'].map(bytes));
const g = (rules: Record<string, Expr>): Grammar => ({ rules: new Map(Object.entries(rules)), start: 'root' });

describe('limits and hostile grammars', () => {
  it('a{1000000} compiles at once and matches with counters', () => {
    const t0 = Date.now();
    const c = compileGbnf('root ::= "a"{1000000}', vocab);
    const m = c.matcher();
    for (let i = 0; i < 100; i++) expect(m.acceptToken(2)).toBe(true);
    expect(maskIds(m, vocab.size)).toEqual([0, 1, 2]);
    expect(m.isAccepting()).toBe(false);
    expect(Date.now() - t0).toBeLessThan(5000);
  });

  it('a repetition bound past maxRepeat is a LimitExceededError', () => {
    expect(() => compileGrammar(g({ root: repeat(literal('a'), 0, 2_000_000) }), vocab)).toThrow(LimitExceededError);
    expect(() => compileGrammar(g({ root: repeat(literal('a'), 0, 50) }), vocab, { limits: { maxRepeat: 10 } })).toThrow(/maxRepeat/);
  });

  it('exponentially ambiguous grammars stay polynomial', () => {
    const c = compileGrammar(g({ root: alt(literal('a'), seq(ref('root'), ref('root')), seq(ref('root'), ref('root'), ref('root'))) }), vocab);
    const m = c.matcher();
    const t0 = Date.now();
    for (let i = 0; i < 60; i++) expect(m.acceptToken(0)).toBe(true);
    expect(m.isAccepting()).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('items per step are bounded by maxItemsPerSet', () => {
    const c = compileGrammar(g({ root: alt(literal('a'), seq(ref('root'), ref('root'))) }), vocab, { limits: { maxItemsPerSet: 200 } });
    const m = c.matcher();
    expect(() => {
      for (let i = 0; i < 500; i++) m.acceptToken(0);
    }).toThrow(/maxItemsPerSet/);
  });

  it('deep nesting is a LimitExceededError, not a stack overflow', () => {
    let e: Expr = literal('a');
    for (let i = 0; i < 5000; i++) e = seq(literal('('), alt(e, literal('b')), literal(')'));
    expect(() => compileGrammar(g({ root: e }), vocab)).toThrow(LimitExceededError);
  });

  it('deeply nested GBNF text fails with a typed error', () => {
    const text = 'root ::= ' + '('.repeat(20000) + '"a"' + ')'.repeat(20000);
    let err: unknown;
    try {
      compileGbnf(text, vocab);
    } catch (x) {
      err = x;
    }
    expect(err instanceof LimitExceededError || err instanceof GrammarSyntaxError).toBe(true);
  });

  it('an empty language is an EmptyLanguageError', () => {
    expect(() => compileGrammar(g({ root: seq(literal('a'), ref('root')) }), vocab)).toThrow(EmptyLanguageError);
  });

  it('lexer states are bounded by maxLexerStates', () => {
    const c = compileRegex('(a|b)*a(a|b){18}', vocab, { limits: { maxLexerStates: 20 } });
    const m = c.matcher();
    expect(() => {
      for (let i = 0; i < 40; i++) if (!m.acceptToken(i % 3 === 0 ? 3 : 0)) break;
    }).toThrow(/maxLexerStates/);
  });

  it('bounded repetition of words does not blow up: (\\S+\\s+){0,500}\\S+', () => {
    const c = compileRegex('(?:\\S+\\s+){0,500}\\S+', vocab);
    const m = c.matcher();
    const t0 = Date.now();
    for (let i = 0; i < 300; i++) {
      maskIds(m, vocab.size);
      expect(m.acceptToken(i % 2 ? 4 : 8)).toBe(true);
    }
    expect(m.isAccepting()).toBe(false);
    expect(m.acceptToken(0)).toBe(true);
    expect(m.isAccepting()).toBe(true);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
