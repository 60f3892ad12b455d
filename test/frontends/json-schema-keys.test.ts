/**
 * Object keys from automata products (patternProperties, propertyNames,
 * additional keys not matching a pattern) are regular expressions, so a key
 * stays inside one lexeme: the key languages are exact (checked against
 * JavaScript RegExp on many keys) and, on the llama3.1 vocabulary, cached
 * masks equal the plain uncached walk along random walks through such keys.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Vocabulary } from '../../src/vocab/vocabulary.js';
import { resolveTokenizerPath } from '../../src/vocab/resolve.js';
import { compileJsonSchema } from '../../src/api.js';
import { allocateBitmask } from '../../src/vocab/trie.js';
import type { CompiledGrammar } from '../../src/matcher/compiled.js';
import { Rng } from '../matcher/helpers.js';

let vocab: Vocabulary;
beforeAll(async () => {
  vocab = await Vocabulary.fromFile(resolveTokenizerPath('llama3.1'));
});

function bits(mask: Uint32Array, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) if ((mask[i >>> 5]! >>> (i & 31)) & 1) out.push(i);
  return out;
}

/** Random walks comparing cached and uncached masks after `prefix`. */
function checkWalks(compiled: CompiledGrammar, seed: number, walks: number, steps: number, prefix: string): void {
  const rng = new Rng(seed);
  const a = allocateBitmask(vocab.size);
  const b = allocateBitmask(vocab.size);
  for (let w = 0; w < walks; w++) {
    const m = compiled.matcher();
    expect(m.acceptString(prefix)).toBe(true);
    for (let s = 0; s < steps; s++) {
      m.fillNextTokenBitmask(a);
      m.fillNextTokenBitmaskUncached(b);
      const fast = bits(a, vocab.size);
      expect(fast).toEqual(bits(b, vocab.size));
      const choices = fast.filter((id) => !vocab.eosIds.includes(id));
      if (choices.length === 0) break;
      let id = rng.pick(choices);
      if (rng.int(2) === 0) {
        const short = choices.filter((c) => vocab.tokenBytes(c).length <= 3);
        if (short.length > 0) id = rng.pick(short);
      }
      expect(m.acceptToken(id)).toBe(true);
    }
  }
}

/** Schemas whose additional keys come from automata products (issue 5: MaskBench timeouts). */
const schemas: [string, Record<string, unknown>][] = [
  [
    'keys not matching a pattern',
    { type: 'object', properties: { id: { type: 'string' } }, patternProperties: { '^[a-zA-Z0-9]*$': { type: 'integer' } }, additionalProperties: { type: 'boolean' } },
  ],
  ['docker-compose .+ keys', { type: 'object', properties: { version: { type: 'string' } }, patternProperties: { '.+': { type: 'integer' } }, additionalProperties: false }],
  ['two patterns', { type: 'object', patternProperties: { '^x-': { type: 'integer' }, '^[a-z]+$': { type: 'boolean' } } }],
  ['propertyNames pattern', { type: 'object', propertyNames: { pattern: '^[a-z][a-z0-9_]*$' }, additionalProperties: { type: 'integer' } }],
];

describe('object keys from automata products', () => {
  it('accept exactly the keys the patterns select', () => {
    const keys = ['', 'a', 'id', 'ID', 'x-', 'x-a', 'abc', 'a_b', 'a-b', 'Z9', '9z', ' ', 'é', 'a b', 'versions', 'version', 'ab\u00e9', '_'];
    for (const [name, schema] of schemas) {
      const compiled = compileJsonSchema(schema, vocab, { whitespace: 'maskbench' });
      const props = (schema.properties ?? {}) as Record<string, { type: string }>;
      const pats = Object.entries((schema.patternProperties ?? {}) as Record<string, { type: string }>);
      const pn = (schema.propertyNames as { pattern?: string } | undefined)?.pattern;
      for (const k of keys) {
        // the type a value of key k must have (intersection), or null if k is not allowed
        const types = new Set<string>();
        let allowed = true;
        if (pn !== undefined && !new RegExp(pn, 'u').test(k)) allowed = false;
        if (props[k]) types.add(props[k]!.type);
        const matching = pats.filter(([p]) => new RegExp(p, 'u').test(k));
        for (const [, s] of matching) types.add(s.type);
        if (!props[k] && matching.length === 0) {
          const addl = schema.additionalProperties as { type: string } | false | undefined;
          if (addl === false) allowed = false;
          else if (addl) types.add(addl.type);
        }
        for (const [v, t] of [['1', 'integer'], ['true', 'boolean'], ['"s"', 'string']] as const) {
          const ok = allowed && [...types].every((x) => x === t);
          const text = `{"${k}": ${v}}`;
          const m = compiled.matcher();
          expect(m.acceptString(text) && m.isAccepting(), `${name}: ${text}`).toBe(ok);
        }
      }
    }
  });

  schemas.forEach(([name, schema], i) => {
    it(`cached masks equal the plain walk on llama3.1: ${name}`, () => {
      checkWalks(compileJsonSchema(schema, vocab, { whitespace: 'maskbench' }), 500 + i, 1, 6, '{"');
    });
  });
});
