import { describe, it, expect } from 'vitest';
import { TokenTrie } from '../../src/vocab/trie.js';
import { compileGrammar } from '../../src/compiler/compile.js';
import type { MatcherVocabulary } from '../../src/matcher/compiled.js';
import { alt, charClass, literal, plus, ref, seq, star, type Expr, type Grammar } from '../../src/ir/expr.js';

function tinyVocab(tokens: string[], eos = tokens.length): MatcherVocabulary {
  const bytes = tokens.map((t) => new Uint8Array(Buffer.from(t, 'utf8')));
  const all = [...bytes, new Uint8Array(0)];
  return {
    size: all.length,
    eosIds: [eos],
    trie: TokenTrie.build(all),
    tokenBytes: (id) => all[id] ?? new Uint8Array(0),
    encode: (text) => {
      const out: number[] = [];
      let i = 0;
      while (i < text.length) {
        let best = -1;
        for (let t = 0; t < tokens.length; t++) if (text.startsWith(tokens[t]!, i) && (best < 0 || tokens[t]!.length > tokens[best]!.length)) best = t;
        if (best < 0) throw new Error('cannot encode');
        out.push(best);
        i += tokens[best]!.length;
      }
      return out;
    },
  };
}
function grammar(rules: Record<string, Expr>, start = 'root'): Grammar {
  return { rules: new Map(Object.entries(rules)), start };
}
function allowed(m: { fillNextTokenBitmask(mask: Uint32Array): boolean }, size: number): number[] {
  const mask = new Uint32Array((size + 31) >>> 5);
  m.fillNextTokenBitmask(mask);
  const out: number[] = [];
  for (let i = 0; i < size; i++) if ((mask[i >>> 5]! >>> (i & 31)) & 1) out.push(i);
  return out;
}

describe('matcher smoke', () => {
  const toks = ['a', 'b', '(', ')', 'ab', '((', '))', ',', '1', '12', '"', 'x"', '"x'];
  const v = tinyVocab(toks);
  it('balanced parens (recursive)', () => {
    const g = grammar({ root: alt(literal(''), seq(literal('('), ref('root'), literal(')'), ref('root'))) });
    const c = compileGrammar(g, v);
    const m = c.matcher();
    const names = (ids: number[]) => ids.map((i) => (i === toks.length ? 'EOS' : toks[i]));
    expect(names(allowed(m, v.size))).toEqual(['(', '((', 'EOS']);
    expect(m.acceptToken(toks.indexOf('(('))).toBe(true);
    expect(names(allowed(m, v.size))).toEqual(['(', ')', '((', '))']);
    expect(m.acceptToken(toks.indexOf('))'))).toBe(true);
    expect(m.isAccepting()).toBe(true);
    expect(m.acceptToken(toks.indexOf(')'))).toBe(false);
    m.rollback(1);
    expect(m.acceptToken(toks.indexOf(')'))).toBe(true);
    expect(m.isAccepting()).toBe(false);
  });
  it('regular with repeat counters', () => {
    const g = grammar({ root: seq(literal('"'), { kind: 'repeat', item: charClass([0x61, 0x78]), min: 1, max: 3 }, literal('"')) });
    const c = compileGrammar(g, v);
    const m = c.matcher();
    expect(m.acceptToken(toks.indexOf('"x'))).toBe(true);
    expect(m.acceptToken(toks.indexOf('ab'))).toBe(true);
    expect(allowed(m, v.size).map((i) => toks[i])).toEqual(['"']);
    expect(m.forcedTokens()).toEqual([toks.indexOf('"')]);
  });
  it('non-greedy lexemes: list of numbers', () => {
    const num = plus(charClass([0x31, 0x32]));
    const g = grammar({ root: seq(ref('n'), star(seq(literal(','), ref('n')))), n: num });
    const c = compileGrammar(g, v);
    const m = c.matcher();
    for (const t of ['12', '1', ',', '1']) expect(m.acceptToken(toks.indexOf(t))).toBe(true);
    expect(allowed(m, v.size).map((i) => toks[i] ?? 'EOS')).toEqual([',', '1', '12', 'EOS']);
  });
});

describe('forcedTokens with a SentencePiece-style encoder', () => {
  it('spells the forced bytes greedily when encode adds a dummy prefix', () => {
    const toks = ['▁', 'ab', 'a', 'b', '"', '{"', 'c'];
    const base = tinyVocab(toks);
    // An encoder that prepends the dummy-prefix token, as SentencePiece does.
    const v: MatcherVocabulary = { ...base, encode: (text) => [0, ...base.encode(text)] };
    const g = grammar({ root: seq(literal('{"ab"'), star(literal('c'))) });
    const m = compileGrammar(g, v).matcher();
    const ids = m.forcedTokens();
    // The closing quote is held back: text may follow ("c"), and a token could merge with it.
    expect(ids.map((i) => toks[i])).toEqual(['{"', 'ab']);
  });
});
