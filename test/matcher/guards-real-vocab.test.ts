/**
 * Guarded any-order objects on a real 128k vocabulary (llama3.1): the cached
 * mask path (token caches, kernels for clean crossing nodes, chart walks for
 * the others) equals the plain trie walk with the parser along random
 * generations, and generated texts are valid.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Vocabulary } from '../../src/vocab/vocabulary.js';
import { resolveTokenizerPath } from '../../src/vocab/resolve.js';
import { compileJsonSchema } from '../../src/api.js';
import { allocateBitmask } from '../../src/vocab/trie.js';
import { makeAjv } from '../frontends/json-schema/helpers.js';
import { Rng } from './helpers.js';

let vocab: Vocabulary;
beforeAll(async () => {
  vocab = await Vocabulary.fromFile(resolveTokenizerPath('llama3.1'));
});

function bits(mask: Uint32Array, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) if ((mask[i >>> 5]! >>> (i & 31)) & 1) out.push(i);
  return out;
}

const inner = {
  type: 'object',
  properties: { id: { type: 'integer' }, tag: { type: 'string', maxLength: 6 }, on: { type: 'boolean' }, w: { type: 'number' }, note: { type: 'string' }, n: { type: 'null' }, e: { enum: ['a', 'b'] } },
  required: ['id'],
  additionalProperties: { type: 'integer' },
};
const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 8 },
    age: { type: 'integer', minimum: 0 },
    email: { type: 'string' },
    city: { type: 'string', enum: ['Paris', 'Rome', 'Oslo'] },
    active: { type: 'boolean' },
    score: { type: 'number' },
    tags: { type: 'array', items: { type: 'string', maxLength: 5 }, maxItems: 3 },
    child: inner,
    other: { type: 'null' },
    level: { type: 'integer', maximum: 9 },
  },
  required: ['name', 'child'],
  minProperties: 3,
  maxProperties: 8,
  additionalProperties: false,
};

describe('guarded objects on the llama3.1 vocabulary', () => {
  for (const whitespace of ['maskbench', 'flexible'] as const) {
    it(`${whitespace}: cached masks equal the plain walk on random generations`, () => {
      const compiled = compileJsonSchema(schema, vocab, { whitespace, maxWhitespace: 2 });
      const validate = makeAjv().compile(schema);
      const rng = new Rng(whitespace.length * 31);
      const a = allocateBitmask(vocab.size);
      const b = allocateBitmask(vocab.size);
      for (let walk = 0; walk < 2; walk++) {
        const m = compiled.matcher();
        let text = '';
        for (let step = 0; step < (whitespace === "flexible" ? 10 : 18); step++) {
          m.fillNextTokenBitmask(a);
          m.fillNextTokenBitmaskUncached(b);
          const fast = bits(a, vocab.size);
          expect(fast, text).toEqual(bits(b, vocab.size));
          const choices = fast.filter((id) => !vocab.eosIds.includes(id));
          if (choices.length === 0) break;
          // prefer structural tokens now and then so that generations reach many keys
          const structural = choices.filter((id) => /[",:{}]/.test(vocab.decode([id])));
          const id = structural.length && rng.next() < 0.7 ? rng.pick(structural) : rng.pick(choices);
          expect(m.acceptToken(id)).toBe(true);
          text += vocab.decode([id]);
        }
        if (m.isAccepting()) expect(validate(JSON.parse(text)), text).toBe(true);
      }
    });
  }
});
