/**
 * The ajv oracle (bench/ajv-check.ts) on a handful of schemas: random walks
 * through the masks and accepted test instances are all valid by ajv; a
 * deliberately loose compile (format not asserted, ajv asserting it) is
 * caught, so the oracle can fail.
 */
import { describe, expect, test } from 'vitest';
import { ajvValidator, checkSchema, exactMultipleOf, hasImpreciseNumber } from '../../bench/ajv-check.js';
import { randomWalk } from '../../src/bench/random-walk.js';
import { compileJsonSchema } from '../../src/api.js';
import { Vocabulary } from '../../src/vocab/vocabulary.js';

/** Every byte a token, a few longer ones; EOS is id 0. */
const vocab = Vocabulary.fromTokens(
  ['<eos>', ...Array.from({ length: 256 }, (_, b) => new Uint8Array([b])), '{"', '":', '",', '"}', 'true', 'null', '00', '12', 'ab'],
  { eos: [0], special: [0] },
);

const schemas: [string, unknown, string[]][] = [
  [
    'object with required, closed',
    { type: 'object', properties: { a: { type: 'integer', minimum: -5, maximum: 500 }, b: { type: 'string', maxLength: 4 } }, required: ['a'], additionalProperties: false },
    ['{"a":1}', '{"a":1,"b":"xy"}', '{"b":"x"}'],
  ],
  ['tuple and rest', { type: 'array', prefixItems: [{ type: 'boolean' }, { type: 'null' }], items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1, maxItems: 4 }, ['[true]', '[true,null,1.5]', '[1]']],
  ['pattern and length', { type: 'string', pattern: '^[a-c]+x?$', minLength: 2, maxLength: 6 }, ['"abx"', '"a"', '"abcabcx"']],
  ['multipleOf and bounds', { type: 'number', multipleOf: 0.25, minimum: -3, maximum: 1000 }, ['1.25', '0.3', '-3']],
  ['oneOf of overlapping branches', { oneOf: [{ type: 'integer', minimum: 0 }, { type: 'integer', maximum: 10 }, { type: 'string' }] }, ['5', '11', '-1', '"s"']],
  [
    'unevaluatedProperties with if/then/else',
    {
      type: 'object',
      if: { properties: { kind: { const: 'a' } }, required: ['kind'] },
      then: { properties: { x: { type: 'integer' } } },
      else: { properties: { y: { type: 'boolean' } } },
      unevaluatedProperties: false,
    },
    ['{"kind":"a","x":1}', '{"kind":"b","y":true}', '{"kind":"a","y":true}', '{"y":false}'],
  ],
  [
    'nested self-contained unevaluatedProperties',
    { allOf: [{ properties: { p: true }, unevaluatedProperties: false }], properties: { q: true } },
    ['{"p":1}', '{"p":1,"q":2}'],
  ],
];

describe('ajv oracle', () => {
  for (const [name, schema, texts] of schemas) {
    test(`${name}: accepted instances and random walks are ajv-valid`, () => {
      const c = checkSchema({
        id: name,
        schema,
        instances: texts.map((text) => ({ text, label: text })),
        vocab,
        compile: { whitespace: 'compact', formatAssertion: false },
        formats: false,
        walks: 25,
        seed: 7,
        maxTokens: 120,
      });
      expect(c.failures).toEqual([]);
      expect(c.compileSkipped + c.ajvSkipped).toBe(0);
      expect(c.testsChecked).toBeGreaterThan(0);
      expect(c.walksChecked).toBeGreaterThan(10);
    });
  }

  test('a compile looser than ajv is caught (format not asserted by us, asserted by ajv)', () => {
    const c = checkSchema({
      id: 'loose',
      schema: { type: 'string', format: 'ipv4' },
      instances: [{ text: '"not an ip"', label: 'bad' }],
      vocab,
      compile: { whitespace: 'compact', formatAssertion: false },
      formats: true,
      walks: 5,
      seed: 1,
    });
    expect(c.invalidAccepted).toBeGreaterThan(0);
  });

  test('ajv that contradicts the suite labels skips the schema', () => {
    const c = checkSchema({
      id: 'labels',
      schema: { type: 'integer' },
      instances: [{ text: '1', label: 'mislabelled', valid: false }],
      vocab,
      compile: { whitespace: 'compact' },
      formats: false,
      walks: 1,
    });
    expect(c.ajvSkipped).toBe(1);
  });

  test('ajv classes by draft; draft-04 boolean exclusive bounds are skipped', () => {
    expect(typeof ajvValidator({ $schema: 'http://json-schema.org/draft-07/schema#', items: [{ type: 'string' }] }, { formats: false })).toBe('function');
    expect(typeof ajvValidator({ prefixItems: [{ type: 'string' }] }, { formats: true })).toBe('function');
    expect(ajvValidator({ $schema: 'http://json-schema.org/draft-04/schema#', minimum: 1, exclusiveMinimum: true }, { formats: false })).toMatch(/draft-04/);
  });

  test('numbers beyond double precision are recognized', () => {
    expect(hasImpreciseNumber('[1,2.5,"12345678901234567890"]')).toBe(false);
    expect(hasImpreciseNumber('{"a":12345678901234567}')).toBe(true);
    expect(hasImpreciseNumber('1.2345678901234567')).toBe(true);
    expect(hasImpreciseNumber('1e400')).toBe(true);
    expect(hasImpreciseNumber('1.50000000000000000000')).toBe(false);
    expect(exactMultipleOf(508383084415433, 1e-8)).toBe(true);
    expect(exactMultipleOf(0.3, 0.1)).toBe(true);
    expect(exactMultipleOf(0.35, 0.1)).toBe(false);
    expect(exactMultipleOf(1e21, 7)).toBe(false);
  });

  test('random walks are deterministic per seed and end where EOS is allowed', () => {
    const c = compileJsonSchema({ type: 'array', items: { enum: ['x', 'y'] } }, vocab, { whitespace: 'compact' });
    const a = randomWalk(c, { seed: 3 });
    const b = randomWalk(c, { seed: 3 });
    expect(a).toEqual(b);
    expect(a.finished).toBe(true);
    expect(JSON.parse(a.text)).toBeInstanceOf(Array);
  });
});
