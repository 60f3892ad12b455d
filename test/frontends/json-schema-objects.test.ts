/**
 * Guarded any-order objects (the front-end's `objectGuarded`) decide the same
 * language as the subset-state construction (`objectAnyOrder`), an
 * independent exact encoding, on random small object schemas: along random
 * walks over the union of their next characters, both grammars (through the
 * reference oracle) agree on every prefix's viability and acceptance.
 */
import { describe, expect, test } from 'vitest';
import { jsonSchemaToGrammar } from '../../src/frontends/json-schema/index.js';
import { GrammarOracle } from '../../src/testing/oracle.js';
import { printGrammar } from '../../src/ir/expr.js';
import { Rng } from '../matcher/helpers.js';

function randomSchema(rng: Rng): Record<string, unknown> {
  const n = 2 + rng.int(4);
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (let i = 0; i < n; i++) {
    properties[`k${i}`] = rng.pick([{ type: 'integer', minimum: 0, maximum: 3 }, { type: 'boolean' }, { enum: ['a', null] }, { type: 'object', properties: { z: { type: 'null' } } }]);
    if (rng.next() < 0.35) required.push(`k${i}`);
  }
  const s: Record<string, unknown> = { type: 'object', properties, required };
  // counted objects with additional members have no subset construction: keep them closed there
  const counted = rng.next() < 0.5;
  if (counted) {
    if (rng.next() < 0.7) s.minProperties = rng.int(n + 1);
    if (rng.next() < 0.7) s.maxProperties = required.length + rng.int(3);
  }
  if (counted || rng.next() < 0.5) s.additionalProperties = false;
  return s;
}

/** Characters a walk may try: JSON structure, the keys' and values' letters. */
const ALPHABET = [...'{}[],:"0123k4abtruefalsnxz'];

describe('guarded objects equal subset states', () => {
  for (let seed = 1; seed <= 10; seed++) {
    test(`random schema #${seed}`, () => {
      const rng = new Rng(seed * 104729);
      const schema = randomSchema(rng);
      const guarded = jsonSchemaToGrammar(schema, { whitespace: 'compact', limits: { maxAnyOrderProperties: 0 } }).grammar;
      const subsets = jsonSchemaToGrammar(schema, { whitespace: 'compact', propertyOrder: 'any', limits: { maxAnyOrderProperties: 8 } }).grammar;
      expect(printGrammar(guarded)).toContain('&{');
      expect(printGrammar(subsets)).not.toContain('&{');
      const g = new GrammarOracle(guarded);
      const s = new GrammarOracle(subsets);
      for (let walk = 0; walk < 6; walk++) {
        let cg = g.start();
        let cs = s.start();
        let text = '';
        for (let step = 0; step < 40; step++) {
          expect(cg.isAccepting(), `${JSON.stringify(schema)} ${text}`).toBe(cs.isAccepting());
          const next = ALPHABET.filter((ch) => {
            const a = cg.feed(ch).isViable();
            expect(a, `${JSON.stringify(schema)} ${text}+${ch}`).toBe(cs.feed(ch).isViable());
            return a;
          });
          if (next.length === 0 || (cg.isAccepting() && rng.next() < 0.2)) break;
          const ch = rng.pick(next);
          text += ch;
          cg = cg.feed(ch);
          cs = cs.feed(ch);
        }
      }
    });
  }
});
