/**
 * The slow Earley oracle checked on its own: against RegExp on regex-derived
 * IR (membership on random strings; viable prefixes by exhaustive enumeration
 * over a small alphabet), and on context-free grammars with left recursion,
 * nullable rules, unproductive rules and the empty language, against direct
 * hand-written deciders.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { parseRegex } from '../../src/frontends/regex/index.js';
import {
  alt,
  charClass,
  empty,
  literal,
  nothing,
  ref,
  repeat,
  seq,
  star,
  type Expr,
  type Grammar,
} from '../../src/ir/expr.js';
import { GrammarOracle } from '../../src/testing/oracle.js';
import { pick, rng } from '../frontends/regex/sample.js';

function grammar(start: string, rules: Record<string, Expr>): Grammar {
  return { start, rules: new Map(Object.entries(rules)) };
}

/** All strings over `alphabet` of length 0..maxLen. */
function allStrings(alphabet: string, maxLen: number): string[] {
  const out = [''];
  let layer = [''];
  for (let n = 1; n <= maxLen; n++) {
    const next: string[] = [];
    for (const s of layer) for (const c of alphabet) next.push(s + c);
    out.push(...next);
    layer = next;
  }
  return out;
}

/**
 * Patterns over {a, b, c} whose viable prefixes of length <= 4 all complete
 * within 4 more characters, so enumerating strings up to length 8 decides them.
 */
const SMALL = [
  'a*b', '(ab|c)+', 'a{2,3}b?', '(a|bc)*c', 'a(b|c)*a', '[ab]{3}', 'b(ab)*', '(a|b)*abb', '((a|b)c)*', '', '[]',
  'a|b{4}', '(a*b*)*c', 'a?b?c?', '(aa|b)*', '[^a]+a', '(a|b|c){2}(a|b)?', 'c(a{0,2}b){1,2}', '(?:)|a', 'a[]|b',
];

describe('oracle vs RegExp on regex-derived IR', () => {
  it.each(SMALL)('accepts and isViablePrefix agree with enumeration for /%s/', (p) => {
    const re = new RegExp(`^(?:${p})$`, 'u');
    const oracle = GrammarOracle.fromExpr(parseRegex(p));
    const viable = new Set<string>();
    for (const s of allStrings('abc', 8)) {
      if (re.test(s)) for (let i = 0; i <= Math.min(4, s.length); i++) viable.add(s.slice(0, i));
    }
    const bad: string[] = [];
    for (const s of allStrings('abc', 6)) {
      if (oracle.accepts(s) !== re.test(s)) bad.push(`accepts ${s}`);
      if (s.length <= 4 && oracle.isViablePrefix(s) !== viable.has(s)) bad.push(`viable ${s}`);
    }
    expect(bad).toEqual([]);
  });

  it('agrees on random strings for richer patterns', () => {
    const r = rng(3);
    const patterns = ['[a-c]+x?[0-9]{1,3}', '(x|yz)*\\d', '(?:\\w+\\s){0,2}\\w+', '.{2,4}', '(a|b)*(c|d)+', 'ü+[😀-😂]'];
    const alphabet = ['a', 'b', 'c', 'd', 'x', 'y', 'z', '0', '5', ' ', '\n', 'ü', '😀', '😂'];
    for (const p of patterns) {
      const re = new RegExp(`^(?:${p})$`, 'u');
      const o = GrammarOracle.fromExpr(parseRegex(p));
      for (let t = 0; t < 300; t++) {
        let s = '';
        for (let n = pick(r, 9); n > 0; n--) s += alphabet[pick(r, alphabet.length)]!;
        expect(o.accepts(s), `${p} on ${JSON.stringify(s)}`).toBe(re.test(s));
      }
    }
  });
});

describe('oracle on context-free grammars', () => {
  const a = literal('a');
  const b = literal('b');

  it('balanced parentheses (left recursion) vs a counter', () => {
    // S -> S '(' S ')' | ε
    const g = grammar('S', { S: alt(seq(ref('S'), literal('('), ref('S'), literal(')')), empty()) });
    const o = new GrammarOracle(g);
    for (const s of allStrings('()', 8)) {
      let depth = 0;
      let ok = true;
      for (const c of s) {
        depth += c === '(' ? 1 : -1;
        if (depth < 0) ok = false;
      }
      expect(o.accepts(s), s).toBe(ok && depth === 0);
      expect(o.isViablePrefix(s), s).toBe(ok);
    }
  });

  it('a^n b^n (right recursion) and its prefixes', () => {
    const g = grammar('S', { S: alt(seq(a, ref('S'), b), empty()) });
    const o = new GrammarOracle(g);
    for (const s of allStrings('ab', 8)) {
      const m = /^(a*)(b*)$/.exec(s);
      expect(o.accepts(s), s).toBe(m !== null && m[1]!.length === m[2]!.length);
      expect(o.isViablePrefix(s), s).toBe(m !== null && m[1]!.length >= m[2]!.length);
    }
  });

  it('nullable chains and hidden left recursion', () => {
    // A -> B A 'c' | 'd' ; B -> ε | 'b'  : language b? ... d c^n with optional b before each level
    const g = grammar('A', { A: alt(seq(ref('B'), ref('A'), literal('c')), literal('d')), B: alt(empty(), b) });
    const o = new GrammarOracle(g);
    const re = /^b*dc*$/;
    for (const s of allStrings('bcd', 6)) {
      const bs = /^b*/.exec(s)![0].length;
      const cs = /c*$/.exec(s)![0].length;
      expect(o.accepts(s), s).toBe(re.test(s) && bs <= cs);
    }
    // E -> E E | 'a' | ε : every string of a's, ambiguity and all.
    const e = new GrammarOracle(grammar('E', { E: alt(seq(ref('E'), ref('E')), a, empty()) }));
    for (const s of ['', 'a', 'aaaa']) expect(e.accepts(s)).toBe(true);
    expect(e.accepts('ab')).toBe(false);
    expect(e.isViablePrefix('aab')).toBe(false);
  });

  it('mutual recursion: expression grammar', () => {
    const g = grammar('E', {
      E: alt(seq(ref('E'), literal('+'), ref('T')), ref('T')),
      T: alt(seq(ref('T'), literal('*'), ref('F')), ref('F')),
      F: alt(seq(literal('('), ref('E'), literal(')')), charClass([0x30, 0x39])),
    });
    const o = new GrammarOracle(g);
    for (const s of ['1', '1+2*3', '(1+2)*3', '((4))']) expect(o.accepts(s), s).toBe(true);
    for (const s of ['', '+', '1+', '(1', '1)', '12']) expect(o.accepts(s), s).toBe(false);
    for (const s of ['', '(', '1+', '(1+2)*']) expect(o.isViablePrefix(s), s).toBe(true);
    for (const s of [')', '1)', '++', '12']) expect(o.isViablePrefix(s), s).toBe(false);
  });

  it('empty language and unproductive rules', () => {
    const none = GrammarOracle.fromExpr(nothing());
    expect(none.accepts('')).toBe(false);
    expect(none.isViablePrefix('')).toBe(false);
    // X -> 'a' X has no finite derivation; S -> 'b' | 'c' X
    const g = new GrammarOracle(grammar('S', { S: alt(b, seq(literal('c'), ref('X'))), X: seq(a, ref('X')) }));
    expect(g.accepts('b')).toBe(true);
    expect(g.isViablePrefix('c')).toBe(false);
    expect(g.isViablePrefix('ca')).toBe(false);
    // A class of surrogates only matches nothing; a lone surrogate in the text never matches.
    expect(GrammarOracle.fromExpr(charClass([0xd800, 0xdfff])).isViablePrefix('')).toBe(false);
    expect(GrammarOracle.fromExpr(charClass([0, 0x10ffff])).accepts('\ud800')).toBe(false);
    const only = new GrammarOracle(grammar('S', { S: ref('S') }));
    expect(only.isViablePrefix('')).toBe(false);
  });

  it('repetition bounds, nested, including zero and unbounded', () => {
    const o = GrammarOracle.fromExpr(seq(repeat(seq(a, repeat(b, 0, 2)), 2, 3), star(literal('c'))));
    const re = /^(?:ab{0,2}){2,3}c*$/;
    for (const s of allStrings('abc', 7)) expect(o.accepts(s), s).toBe(re.test(s));
    expect(GrammarOracle.fromExpr(repeat(a, 0, 0)).accepts('')).toBe(true);
    const big = GrammarOracle.fromExpr(repeat(a, 40, 60));
    expect(big.accepts('a'.repeat(39))).toBe(false);
    expect(big.accepts('a'.repeat(50))).toBe(true);
    expect(big.isViablePrefix('a'.repeat(60))).toBe(true);
    expect(big.isViablePrefix('a'.repeat(61))).toBe(false);
  });

  it('code points, not UTF-16 units', () => {
    const o = GrammarOracle.fromExpr(seq(literal('😀'), charClass([0x1f600, 0x1f64f])));
    expect(o.accepts('😀🙏')).toBe(true);
    expect(o.accepts('😀')).toBe(false);
    expect(o.isViablePrefix('😀')).toBe(true);
    expect(o.isViablePrefix('\ud83d')).toBe(false);
  });

  it('rejects references to undefined rules', () => {
    expect(() => GrammarOracle.fromExpr(ref('nope'))).toThrow(InvalidArgumentError);
    expect(() => GrammarOracle.fromExpr(ref('nope'))).toThrow('oracle: reference to undefined rule "nope"');
  });
});

describe('oracle charts and bytes', () => {
  const enc = new TextEncoder();
  const strict = new TextDecoder('utf-8', { fatal: true });
  const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

  it('charts are immutable and can branch', () => {
    const o = GrammarOracle.fromExpr(parseRegex('ab*c|ad'));
    const a = o.start().feed('a');
    const ab = a.feed('b');
    expect(a.feed('d').isAccepting()).toBe(true);
    expect(ab.feed('d').isViable()).toBe(false);
    expect(ab.feed('bc').isAccepting()).toBe(true);
    expect(a.feed('bbc').isAccepting()).toBe(true);
    expect(a.length).toBe(1);
    expect(ab.feed('x').feed('c').isViable()).toBe(false);
  });

  it('nextCodePoints lists exactly the viable one-code-point extensions', () => {
    const o = GrammarOracle.fromExpr(parseRegex('[a-c]x|b[\\u{1F600}-\\u{1F602}]|[\\uD7F0-\\uE010]|'));
    expect(o.start().nextCodePoints()).toEqual([0x61, 0x63, 0xd7f0, 0xd7ff, 0xe000, 0xe010]);
    expect(o.start().feed('b').nextCodePoints()).toEqual([0x78, 0x78, 0x1f600, 0x1f602]);
    expect(o.start().feed('bx').nextCodePoints()).toEqual([]);
    expect(o.start().feed('q').nextCodePoints()).toEqual([]);
    const e = GrammarOracle.fromExpr(parseRegex('(?:ab|a[^b]|c)*'));
    const chart = e.start().feed('a');
    const next = chart.nextCodePoints();
    for (const cp of [0x61, 0x62, 0x63, 0x0a, 0x10ffff, 0xd7ff, 0xe000]) {
      const inNext = next.some((_, i) => i % 2 === 0 && cp >= next[i]! && cp <= next[i + 1]!);
      expect(inNext, cp.toString(16)).toBe(chart.feed(String.fromCodePoint(cp)).isViable());
    }
  });

  it('UTF-8 edge cases', () => {
    const e = GrammarOracle.fromExpr(literal('é'));
    expect(e.isViableBytePrefix(bytes(0xc3))).toBe(true);
    expect(e.acceptsBytes(bytes(0xc3, 0xa9))).toBe(true);
    expect(e.isViableBytePrefix(bytes(0xc3, 0xa8))).toBe(false);
    expect(e.isViableBytePrefix(bytes(0xc4))).toBe(false);
    expect(e.acceptsBytes(bytes(0xc3))).toBe(false);
    const emoji = GrammarOracle.fromExpr(parseRegex('[😀-😂]'));
    expect(emoji.isViableBytePrefix(bytes(0xf0, 0x9f, 0x98))).toBe(true);
    expect(emoji.acceptsBytes(bytes(0xf0, 0x9f, 0x98, 0x82))).toBe(true);
    expect(emoji.isViableBytePrefix(bytes(0xf0, 0x9f, 0x98, 0x83))).toBe(false);
    expect(emoji.isViableBytePrefix(bytes(0xf0, 0x9f, 0x99))).toBe(false);
    const any = GrammarOracle.fromExpr(star(charClass([0, 0x10ffff])));
    expect(any.isViableBytePrefix(bytes(0xed, 0x9f))).toBe(true);
    expect(any.isViableBytePrefix(bytes(0xed, 0xa0))).toBe(false); // surrogates
    expect(any.acceptsBytes(bytes(0xed, 0xa0, 0x80))).toBe(false);
    expect(any.acceptsBytes(bytes(0xf4, 0x8f, 0xbf, 0xbf))).toBe(true);
    expect(any.isViableBytePrefix(bytes(0xf4, 0x90))).toBe(false); // above U+10FFFF
    expect(any.isViableBytePrefix(bytes(0xc0))).toBe(false); // overlong
    expect(any.isViableBytePrefix(bytes(0xe0, 0x80))).toBe(false); // overlong
    expect(any.isViableBytePrefix(bytes(0x80))).toBe(false);
    expect(any.isViableBytePrefix(bytes(0xff))).toBe(false);
    expect(any.acceptsBytes(enc.encode('any text ✓ 😀'))).toBe(true);
    // Pending bytes carry across feeds.
    const c = emoji.start().feedBytes(bytes(0xf0, 0x9f)).feedBytes(bytes(0x98, 0x81));
    expect(c.isAccepting()).toBe(true);
  });

  it('byte prefixes agree with code-point prefixes, partial sequences by brute force', () => {
    const r = rng(5);
    const alphabet = ['a', 'b', 'é', 'ß', 'Σ', '中', '€', '😀', ' '];
    for (const p of ['(a|é)+ß?', '[a-zà-ÿ]{1,3}€', '\\p{L}+ \\S', '中文|中[^文]', '(?:😀|a)*b', '.{2}']) {
      const o = GrammarOracle.fromExpr(parseRegex(p));
      for (let t = 0; t < 20; t++) {
        let s = '';
        for (let n = pick(r, 5); n > 0; n--) s += alphabet[pick(r, alphabet.length)]!;
        const cps = Array.from(s);
        let prefix = '';
        for (const ch of cps) {
          const chart = o.start().feed(prefix);
          const b = enc.encode(ch);
          for (let k = 1; k < b.length; k++) {
            // Partial: viable iff some code point with these leading bytes continues the prefix.
            const head = b.subarray(0, k);
            let expected = false;
            const rest = b.length - k;
            if (rest <= 2) {
              for (let x = 0; x < 64 ** rest && !expected; x++) {
                const tail = rest === 1 ? [0x80 | x] : [0x80 | (x >> 6), 0x80 | (x & 63)];
                const full = Uint8Array.from([...head, ...tail]);
                let decoded: string;
                try {
                  decoded = strict.decode(full);
                } catch {
                  continue;
                }
                expected = chart.feed(decoded).isViable();
              }
              const got = o.isViableBytePrefix(Uint8Array.from([...enc.encode(prefix), ...head]));
              expect(got, `${p} ${JSON.stringify(prefix)} + ${k} bytes of ${ch}`).toBe(expected);
            }
          }
          prefix += ch;
          const bp = enc.encode(prefix);
          expect(o.isViableBytePrefix(bp), `${p} ${JSON.stringify(prefix)}`).toBe(o.isViablePrefix(prefix));
          expect(o.acceptsBytes(bp)).toBe(o.accepts(prefix));
        }
      }
    }
  });
});
