/**
 * Token slices (vocab/slice.ts, matcher/slice-chain.ts): the slice of a small
 * vocabulary against brute force, and on the real llama3.1 vocabulary the
 * cached masks (which use the slice for string contents, loops and counters)
 * equal the plain uncached walk along random walks through string-heavy
 * schemas and regexes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Vocabulary } from '../../src/vocab/vocabulary.js';
import { resolveTokenizerPath } from '../../src/vocab/resolve.js';
import { compileJsonSchema, compileRegex, compileGbnf } from '../../src/api.js';
import { TokenTrie, allocateBitmask } from '../../src/vocab/trie.js';
import { TokenSlice, jsonStringCharDfa } from '../../src/vocab/slice.js';
import type { CompiledGrammar } from '../../src/matcher/compiled.js';
import { SliceChains } from '../../src/matcher/slice-chain.js';
import { Rng } from './helpers.js';

/** Steps of `bytes` under the JSON string class (brute force over code points), or -1 if not in the slice. */
function bruteSteps(bytes: Uint8Array): number {
  let i = 0;
  let steps = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0) return -1;
    const avail = Math.min(len, bytes.length - i);
    // Every complete code point must decode validly; an incomplete tail must be a prefix of a valid one.
    let ok = false;
    for (let cp = 0; cp <= 0x10ffff && !ok; cp += cp < 0x800 ? 1 : 1) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      if (cp < 0x20 || cp === 0x22 || cp === 0x5c) continue;
      const enc = Buffer.from(String.fromCodePoint(cp), 'utf8');
      if (enc.length !== len) continue;
      let same = true;
      for (let k = 0; k < avail && same; k++) same = enc[k] === bytes[i + k];
      ok = same;
      if (enc[0]! > b) break;
    }
    if (!ok) return -1;
    steps++;
    i += avail;
  }
  return steps;
}

describe('TokenSlice on a small vocabulary', () => {
  const strings = ['a', 'ab', 'abc', '"', 'a"', 'a"b', '\\n', 'é', 'éé', '日本', 'x\n', ' ', '  ', '\u{1F600}', 'z'];
  const tokens: Uint8Array[] = strings.map((s) => Buffer.from(s, 'utf8'));
  // Incomplete code points and invalid bytes.
  tokens.push(Uint8Array.of(0xc3), Uint8Array.of(0x61, 0xe6, 0x97), Uint8Array.of(0xf0, 0x9f), Uint8Array.of(0xc0, 0x80), Uint8Array.of(0xed, 0xa0, 0x80), Uint8Array.of(0x80));
  const trie = TokenTrie.build(tokens);
  const slice = new TokenSlice(trie, jsonStringCharDfa());

  it('puts every token in the slice with its steps, or under exactly one exit', () => {
    const steps = tokens.map(bruteSteps);
    for (let k = 0; k <= slice.maxSteps; k++) {
      const m = slice.maskUpTo(k);
      for (let id = 0; id < tokens.length; id++) {
        const inMask = ((m[id >>> 5]! >>> (id & 31)) & 1) === 1;
        expect(inMask, `token ${id} k=${k}`).toBe(steps[id]! > 0 && steps[id]! <= k);
      }
    }
    // Exits: the tokens below exit nodes are exactly those outside the slice.
    const below = new Set<number>();
    for (const e of slice.exitNode) {
      for (let i = e; i < e + trie.subtreeSize[e]!; i++) {
        for (let t = trie.tokStart[i]!; t < trie.tokStart[i + 1]!; t++) {
          expect(below.has(trie.tokIds[t]!)).toBe(false);
          below.add(trie.tokIds[t]!);
        }
      }
    }
    for (let id = 0; id < tokens.length; id++) expect(below.has(id)).toBe(steps[id]! < 0);
  });
});

let vocab: Vocabulary;
/** Chain lengths the matcher asked for (to check that loops and counters did use the slice). */
const lengths: number[] = [];
const chain = SliceChains.prototype.chain;
beforeAll(async () => {
  vocab = await Vocabulary.fromFile(resolveTokenizerPath('llama3.1'));
  SliceChains.prototype.chain = function (this: SliceChains, q: number, out: Int32Array): number {
    const L = chain.call(this, q, out);
    lengths.push(L);
    return L;
  };
});
afterAll(() => {
  SliceChains.prototype.chain = chain;
});

function bits(mask: Uint32Array, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) if ((mask[i >>> 5]! >>> (i & 31)) & 1) out.push(i);
  return out;
}

/** Random walks comparing cached and uncached masks; prefers short tokens now and then to vary counters. */
function checkWalks(compiled: CompiledGrammar, seed: number, walks: number, steps: number, prefix = ''): void {
  const rng = new Rng(seed);
  const a = allocateBitmask(vocab.size);
  const b = allocateBitmask(vocab.size);
  for (let w = 0; w < walks; w++) {
    const m = compiled.matcher();
    if (prefix !== '') expect(m.acceptString(prefix)).toBe(true);
    for (let s = 0; s < steps; s++) {
      m.fillNextTokenBitmask(a);
      m.fillNextTokenBitmaskUncached(b);
      const fast = bits(a, vocab.size);
      expect(fast).toEqual(bits(b, vocab.size));
      const choices = fast.filter((id) => !vocab.eosIds.includes(id));
      if (choices.length === 0) break;
      let id = rng.pick(choices);
      if (rng.int(3) === 0) {
        const short = choices.filter((c) => vocab.tokenBytes(c).length <= 2);
        if (short.length > 0) id = rng.pick(short);
      }
      expect(m.acceptToken(id)).toBe(true);
    }
  }
}

describe('slices on the llama3.1 vocabulary: cached masks equal the plain walk', () => {
  const schemas: [string, unknown, string][] = [
    ['string', { type: 'object', properties: { a: { type: 'string' }, b: { type: 'integer' } }, required: ['a', 'b'] }, '{"a": "'],
    ['maxLength', { type: 'object', properties: { s: { type: 'string', maxLength: 6 }, t: { type: 'string', minLength: 2, maxLength: 40 } }, required: ['s', 't'] }, '{"s": "'],
    ['pattern', { type: 'array', items: { type: 'string', pattern: '^[a-z ]{0,12}$' }, minItems: 2 }, '["'],
    ['words', { type: 'string', pattern: '^(?:\\S+\\s+){0,5}\\S+$', maxLength: 30 }, '"'],
    ['enum+string', { anyOf: [{ enum: ['alpha', 'beta'] }, { type: 'string', maxLength: 3 }] }, ''],
    ['dict keys', { type: 'object', additionalProperties: { type: 'integer' } }, '{"'],
    ['dict keys, maxLength', { type: 'object', additionalProperties: { type: 'boolean' }, propertyNames: { maxLength: 4 } }, '{"'],
  ];
  schemas.forEach(([name, schema, prefix], i) => {
    it(`JSON Schema ${name}`, () => {
      checkWalks(compileJsonSchema(schema, vocab, { whitespace: 'maskbench' }), 1000 + i, 1, 6, prefix);
    });
  });

  it('regexes with loops and counters over code points', () => {
    checkWalks(compileRegex('"[^"\\\\]{0,9}"', vocab), 7, 2, 5);
    checkWalks(compileRegex('[^"]*x', vocab), 8, 1, 4);
    checkWalks(compileRegex('(ab|[^a"]){2,7}"', vocab), 9, 1, 5);
  });

  it('a GBNF string that may end anywhere, then a lexeme starting with a character of the slice', () => {
    checkWalks(compileGbnf('root ::= [^"\\\\\\x00-\\x1f]{0,20}', vocab), 11, 1, 5);
    let lazy = 0;
    const bc = TokenSlice.prototype.boundaryChildren;
    TokenSlice.prototype.boundaryChildren = function (this: TokenSlice) {
      lazy++;
      return bc.call(this);
    };
    try {
      checkWalks(compileGbnf('root ::= w "x" w "!"\nw ::= [^"\\\\\\x00-\\x1f]*', vocab), 12, 1, 4);
    } finally {
      TokenSlice.prototype.boundaryChildren = bc;
    }
    expect(lazy).toBeGreaterThan(0);
  });

  it('used whole slices (loops), counted slices (counters) and fell back', () => {
    expect(lengths.some((L) => L > 0 && L < 128)).toBe(true);
    expect(lengths.some((L) => L >= 128)).toBe(true);
    expect(lengths.some((L) => L < 0)).toBe(true);
  });
});
