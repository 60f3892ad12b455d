/**
 * The central property: a token is allowed iff prefix + bytes(token) is a
 * viable prefix of the language, and EOS iff the prefix is a sentence —
 * decided by the slow, independent Earley oracle over code points.
 */
import { describe, expect, it } from 'vitest';
import { compileGrammar } from '../../src/compiler/compile.js';
import { alt, charClass, empty, literal, ref, repeat, seq, type Expr, type Grammar } from '../../src/ir/expr.js';
import { GrammarOracle } from '../../src/testing/oracle.js';
import { parseRegex } from '../../src/frontends/regex/index.js';
import { tinyVocab, maskIds, Rng } from './helpers.js';

const ALPHABET = ['a', 'b', '(', ')', ',', 'é', '€'];

/** Tokens over the alphabet, including partial UTF-8 pieces. */
function randomTokens(rng: Rng): Uint8Array[] {
  const seen = new Set<string>();
  const out: Uint8Array[] = [];
  const add = (b: Uint8Array): void => {
    const k = Buffer.from(b).toString('hex');
    if (b.length > 0 && !seen.has(k)) {
      seen.add(k);
      out.push(b);
    }
  };
  for (const c of ALPHABET) add(Buffer.from(c));
  for (const c of ['é', '€']) {
    const b = Buffer.from(c);
    for (let i = 1; i < b.length; i++) {
      add(b.subarray(0, i));
      add(b.subarray(i));
    }
  }
  const n = 20 + rng.int(30);
  for (let i = 0; i < n; i++) {
    let s = '';
    const len = 2 + rng.int(4);
    for (let j = 0; j < len; j++) s += rng.pick(ALPHABET);
    const b = Buffer.from(s);
    // Sometimes cut inside a multi-byte character.
    add(rng.int(4) === 0 ? b.subarray(rng.int(b.length), b.length) : b);
  }
  return out;
}

function randomExpr(rng: Rng, rules: string[], depth: number): Expr {
  const r = rng.int(depth > 3 ? 3 : 9);
  switch (r) {
    case 0:
      return literal(rng.pick(ALPHABET) + (rng.int(2) ? rng.pick(ALPHABET) : ''));
    case 1:
      return rng.int(5) === 0 ? empty() : charClass(rng.int(2) ? [0x61, 0x62] : [0x28, 0x29, 0xe9, 0xe9]);
    case 2:
      return ref(rng.pick(rules));
    case 3:
    case 4:
      return seq(randomExpr(rng, rules, depth + 1), randomExpr(rng, rules, depth + 1));
    case 5:
    case 6:
      return alt(randomExpr(rng, rules, depth + 1), randomExpr(rng, rules, depth + 1));
    case 7: {
      const min = rng.int(3);
      const max = rng.int(3) === 0 ? Infinity : min + rng.int(3);
      return repeat(randomExpr(rng, rules, depth + 1), min, max);
    }
    default:
      return seq(literal(rng.pick(ALPHABET)), ref(rng.pick(rules)));
  }
}

function randomGrammar(rng: Rng): Grammar {
  const names = ['root', 'r1', 'r2', 'r3'].slice(0, 1 + rng.int(4));
  const rules = new Map<string, Expr>();
  for (const n of names) rules.set(n, alt(randomExpr(rng, names, 0), rng.int(2) ? literal(rng.pick(ALPHABET)) : randomExpr(rng, names, 1)));
  return { rules, start: 'root' };
}

/**
 * Oracle viability of a byte string, which may end inside a UTF-8 sequence:
 * then it is viable if some code point completing it keeps it viable. The
 * grammars treat every code point outside the alphabet alike, so trying the
 * alphabet's characters plus a few valid fillers of the missing bytes covers
 * every case.
 */
function viableBytes(oracle: GrammarOracle, bytes: Uint8Array): boolean {
  const text = Buffer.from(bytes).toString('utf8');
  if (Buffer.from(text, 'utf8').equals(Buffer.from(bytes))) return oracle.isViablePrefix(text);
  let lead = bytes.length - 1;
  while (lead > 0 && (bytes[lead]! & 0xc0) === 0x80 && bytes.length - lead < 4) lead--;
  const head = Buffer.from(bytes.subarray(0, lead)).toString('utf8');
  if (!Buffer.from(head, 'utf8').equals(Buffer.from(bytes.subarray(0, lead)))) return false;
  const b0 = bytes[lead]!;
  const need = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 1;
  const have = bytes.length - lead;
  if (have >= need) return false;
  const candidates = new Set<string>(ALPHABET);
  for (const f of [0x80, 0x90, 0xa0, 0xaf, 0xbf]) {
    const full = Buffer.concat([bytes.subarray(lead), Buffer.alloc(need - have, f)]);
    const t = full.toString('utf8');
    if (Buffer.from(t, 'utf8').equals(full)) candidates.add(t);
  }
  for (const c of candidates) {
    const cb = Buffer.from(c);
    if (cb.length !== need || !cb.subarray(0, have).equals(Buffer.from(bytes.subarray(lead)))) continue;
    if (oracle.isViablePrefix(head + c)) return true;
  }
  return false;
}

function checkGrammar(g: Grammar, rng: Rng, tokens: Uint8Array[], walks: number, steps: number): number {
  const vocab = tinyVocab(tokens);
  const oracle = new GrammarOracle(g);
  let compiled;
  try {
    compiled = compileGrammar(g, vocab);
  } catch (e) {
    // Only an empty language may fail to compile.
    expect(oracle.isViablePrefix('')).toBe(false);
    return 0;
  }
  let checks = 0;
  for (let w = 0; w < walks; w++) {
    const m = compiled.matcher();
    let prefix = new Uint8Array(0);
    for (let s = 0; s < steps; s++) {
      const allowed = new Set(maskIds(m, vocab.size));
      for (let id = 0; id < tokens.length; id++) {
        const want = viableBytes(oracle, Buffer.concat([prefix, tokens[id]!]));
        if (allowed.has(id) !== want) {
          throw new Error(`token ${JSON.stringify(Buffer.from(tokens[id]!).toString('latin1'))} after ${JSON.stringify(Buffer.from(prefix).toString())}: engine ${allowed.has(id)}, oracle ${want}`);
        }
        checks++;
      }
      const eos = vocab.eosIds[0]!;
      expect(allowed.has(eos)).toBe(oracle.accepts(Buffer.from(prefix).toString('utf8')) && Buffer.from(Buffer.from(prefix).toString('utf8')).equals(Buffer.from(prefix)));
      const choices = [...allowed].filter((x) => x !== eos);
      if (choices.length === 0) break;
      // A rejected token leaves the state unchanged.
      const bad = tokens.findIndex((_, i) => !allowed.has(i));
      if (bad >= 0 && rng.int(3) === 0) expect(m.acceptToken(bad)).toBe(false);
      const id = rng.pick(choices);
      expect(m.acceptToken(id)).toBe(true);
      prefix = Buffer.concat([prefix, tokens[id]!]);
    }
  }
  return checks;
}

describe('mask exactness against the Earley oracle', () => {
  it('random grammars, random small vocabularies', () => {
    const rng = new Rng(12345);
    let checks = 0;
    for (let i = 0; i < 100; i++) {
      const g = randomGrammar(rng);
      checks += checkGrammar(g, rng, randomTokens(rng), 2, 8);
    }
    expect(checks).toBeGreaterThan(10_000);
  });

  it('random regexes with bounded repetition', () => {
    const rng = new Rng(777);
    const atoms = ['a', 'b', '[ab]', '[^a]', '\\(', 'é', '€', '(a|bé)', '(?:ab)'];
    let checks = 0;
    for (let i = 0; i < 120; i++) {
      let p = '';
      const n = 1 + rng.int(4);
      for (let j = 0; j < n; j++) {
        p += rng.pick(atoms);
        const q = rng.int(6);
        if (q === 0) p += '*';
        else if (q === 1) p += '+';
        else if (q === 2) p += `{${rng.int(3)},${2 + rng.int(3)}}`;
        else if (q === 3) p += '?';
      }
      if (rng.int(4) === 0) p = `${p}|${rng.pick(atoms)}`;
      const g: Grammar = { rules: new Map([['root', parseRegex(p)]]), start: 'root' };
      // Keep the alphabet small: [^a] is any code point, the oracle and engine agree on it.
      try { checks += checkGrammar(g, rng, randomTokens(rng), 2, 6); } catch (e) { throw new Error(`pattern ${p}: ${(e as Error).message}`); }
    }
    expect(checks).toBeGreaterThan(5_000);
  });

  it('left recursion, ambiguity and nested repetition', () => {
    const rng = new Rng(99);
    const grammars: Grammar[] = [
      { rules: new Map<string, Expr>([['root', alt(seq(ref('root'), literal(','), ref('root')), literal('a'), empty())]]), start: 'root' },
      { rules: new Map<string, Expr>([['root', alt(seq(ref('root'), literal('a')), literal('b'))]]), start: 'root' },
      { rules: new Map<string, Expr>([['root', repeat(repeat(alt(literal('a'), ref('p')), 0, 2), 1, 3)], ['p', seq(literal('('), ref('root'), literal(')'))]]), start: 'root' },
      { rules: new Map<string, Expr>([['root', repeat(ref('x'), 2, 4)], ['x', alt(empty(), literal('é'), seq(literal('('), ref('x'), literal(')')))]]), start: 'root' },
    ];
    let checks = 0;
    for (const g of grammars) checks += checkGrammar(g, rng, randomTokens(rng), 4, 10);
    expect(checks).toBeGreaterThan(500);
  });
});
