/**
 * Typed errors: unsupported keywords name the keyword and its JSON pointer,
 * limits name the limit; lenient mode lists them in the report instead.
 */
import { describe, expect, test } from 'vitest';
import { LimitExceededError, UnsupportedFeatureError } from '../../../src/errors.js';
import { jsonSchemaToGrammar, type JsonSchemaOptions } from '../../../src/frontends/json-schema/index.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';

function errorOf(schema: unknown, options?: JsonSchemaOptions): Error {
  try {
    jsonSchemaToGrammar(schema, options);
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('unsupported keywords', () => {
  const cases: [string, unknown, string, string][] = [
    [
      'uniqueItems',
      { type: 'object', properties: { tags: { type: 'array', items: { type: 'string' }, uniqueItems: true } } },
      '/properties/tags/uniqueItems',
      'unsupported uniqueItems at /properties/tags/uniqueItems: uniqueness of array items is not context-free (only finite item sets are supported)',
    ],
    [
      '$dynamicRef',
      { $id: 'https://x.test/root', $dynamicAnchor: 'T', type: 'array', items: { $dynamicRef: '#T' }, $defs: { other: { $id: 'other', $dynamicAnchor: 'T', type: 'string' } } },
      '/items/$dynamicRef',
      'unsupported $dynamicRef at /items/$dynamicRef: target depends on the dynamic scope',
    ],
    ['format', { properties: { r: { format: 'regex' } } }, '/properties/r/format', 'unsupported format at /properties/r/format: format regex'],
    [
      'oneOf',
      { oneOf: [{ format: 'email' }, { format: 'regex' }] },
      '/oneOf',
      'unsupported oneOf at /oneOf: branches not provably disjoint and not negatable (unsupported not at /oneOf/1/format: negating format regex); read as anyOf',
    ],
    ['not', { not: { dependentRequired: { a: ['b'] } } }, '/not/dependentRequired', 'unsupported not at /not/dependentRequired: negating dependentRequired'],
    ['$ref', { properties: { a: { $ref: '#/$defs/missing' } } }, '/properties/a/$ref', 'unsupported $ref at /properties/a/$ref: unresolvable reference https://constrain.invalid/root.json#/$defs/missing'],
    [
      '$ref',
      { $defs: { a: { allOf: [{ $ref: '#/$defs/a' }] } }, $ref: '#/$defs/a' },
      '/$defs/a/allOf/0/$ref',
      'unsupported $ref at /$defs/a/allOf/0/$ref: reference cycle through https://constrain.invalid/root.json#/$defs/a without an enclosing object or array',
    ],
    ['type', { type: 'strin' }, '/type', 'unsupported type at /type: unknown type "strin"'],
    ['pattern', { pattern: '(?=a)b' }, '/pattern', 'unsupported pattern at /pattern: unsupported lookahead at /pattern offset 0'],
  ];
  for (const [kw, schema, where, message] of cases) {
    test(`${kw} at ${where}`, () => {
      const e = errorOf(schema);
      expect(e).toBeInstanceOf(UnsupportedFeatureError);
      expect((e as UnsupportedFeatureError).feature).toBe(kw);
      expect((e as UnsupportedFeatureError).where).toBe(where);
      expect(e.message).toBe(message);
    });
  }
});

describe('negation limits', () => {
  test('excluding an array value is unsupported, not ignored', () => {
    const e = errorOf({ not: { const: [1, 2] } });
    expect(e.message).toBe('unsupported not at : excluding array values'.replace('at :', 'at /:'));
  });
});

describe('limits', () => {
  test('any-order property limit', () => {
    const e = errorOf({ properties: Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`p${i}`, {}])) }, { propertyOrder: 'any' });
    expect(e).toBeInstanceOf(LimitExceededError);
    expect(e.message).toBe("limit maxAnyOrderProperties=8 exceeded: 12 properties with propertyOrder 'any'");
  });
  test('schema size', () => {
    const e = errorOf({ properties: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`p${i}`, {}])) }, { limits: { maxSchemaNodes: 20 } });
    expect((e as LimitExceededError).limit).toBe('maxSchemaNodes');
  });
  test('combinatorial anyOf fails fast', () => {
    const t0 = Date.now();
    const e = errorOf({ allOf: Array.from({ length: 30 }, (_, i) => ({ anyOf: [{ required: [`a${i}`] }, { required: [`b${i}`] }] })) }, { limits: { maxExpansions: 2000 } });
    expect((e as LimitExceededError).limit).toBe('maxExpansions');
    expect(Date.now() - t0).toBeLessThan(5000);
  });
  test('huge enum', () => {
    const e = errorOf({ enum: Array.from({ length: 20 }, (_, i) => i) }, { limits: { maxEnumValues: 10 } });
    expect(e.message).toBe('unsupported enum at /enum: more than 10 values (limit maxEnumValues)');
  });
  test('deep $ref chains', () => {
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) defs[`d${i}`] = { $ref: `#/$defs/d${i + 1}`, minimum: i };
    defs['d200'] = { type: 'integer' };
    const e = errorOf({ $defs: defs, $ref: '#/$defs/d0' });
    expect((e as LimitExceededError).limit).toBe('maxRefDepth');
  });
  test('contradictory allOf is the empty language', () => {
    const { grammar } = jsonSchemaToGrammar({ allOf: [{ type: 'string' }, { type: 'integer' }] });
    const o = new GrammarOracle(grammar);
    for (const t of ['1', '"a"', 'null', '{}']) expect(o.accepts(t)).toBe(false);
    expect(o.isViablePrefix('')).toBe(false);
  });
});

describe('lenient report', () => {
  test('lists ignored, approximated, unknown and restricted keywords with pointers', () => {
    const { report } = jsonSchemaToGrammar(
      { properties: { t: { type: 'array', uniqueItems: true } }, oneOf: [{ format: 'email' }, { format: 'regex' }], foo: 1, nullable: true },
      { lenient: true },
    );
    expect(report.ignored).toContainEqual({ keyword: 'uniqueItems', pointer: '/properties/t/uniqueItems', detail: 'uniqueness of array items is not context-free (only finite item sets are supported)' });
    expect(report.ignored).toContainEqual({ keyword: 'format', pointer: '/oneOf/1/format', detail: 'format regex' });
    expect(report.approximated.map((x) => [x.keyword, x.pointer])).toEqual([['oneOf', '/oneOf']]);
    expect(report.unknownKeywords).toEqual([
      { keyword: 'foo', pointer: '/foo' },
      { keyword: 'nullable', pointer: '/nullable' },
    ]);
  });
  test('annotations are silent', () => {
    const { report } = jsonSchemaToGrammar({ title: 't', description: 'd', examples: [1], default: 2, $comment: 'c', deprecated: true, readOnly: true, type: 'string' });
    expect(report).toEqual({ ignored: [], approximated: [], unknownKeywords: [], restricted: [] });
  });
});

describe('hostile schemas fail fast with typed errors', () => {
  test('deeply nested schema', () => {
    let s: unknown = { type: 'integer' };
    for (let i = 0; i < 5000; i++) s = { items: s };
    const e = errorOf(s);
    expect((e as LimitExceededError).limit).toBe('maxSchemaDepth');
  });
  test('long $ref chain', () => {
    const defs: Record<string, unknown> = {};
    for (let i = 0; i < 3000; i++) defs[`d${i}`] = { $ref: `#/$defs/d${i + 1}` };
    defs['d3000'] = { type: 'integer' };
    const e = errorOf({ $defs: defs, $ref: '#/$defs/d0' });
    expect((e as LimitExceededError).limit).toBe('maxSchemaDepth');
  });
  test('self-referencing $ref (a cycle of references only) is an UnsupportedFeatureError naming the pointer', () => {
    const e = errorOf({ $defs: { a: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' });
    expect(e).toBeInstanceOf(UnsupportedFeatureError);
    expect(e.message).toContain('unsupported $ref at /$defs/a/$ref: reference cycle');
  });
});
