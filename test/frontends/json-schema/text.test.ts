/**
 * JSON text grammar: invalid JSON is rejected, escapes and whitespace modes
 * behave as specified.
 */
import { describe, expect, test } from 'vitest';
import { jsonSchemaToGrammar } from '../../../src/frontends/json-schema/index.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';
import { acceptor, pyDumps } from './helpers.js';

describe('JSON text', () => {
  const any = acceptor(true, { maxWhitespace: 4 });
  test('rejects invalid JSON', () => {
    const bad = [
      '{"a":1,}',
      '[1,]',
      '[,1]',
      '01',
      '1.',
      '.5',
      '+1',
      '"\\x"',
      '"\u0001"',
      '"a\nb"',
      "'a'",
      'tru',
      'nul',
      '{"a" 1}',
      '{a:1}',
      'NaN',
      '-',
      '1e',
      '"\\u12"',
      '"\\ud800"',
      '"abc',
      '[1 2]',
      '{"a":1 "b":2}',
      '',
      '1 2',
    ];
    for (const t of bad) expect(any(t), JSON.stringify(t)).toBe(false);
  });
  test('accepts valid JSON', () => {
    const good = ['1', ' 1 ', '-0', '1E+2', '[]', '{}', '[ ]', '{"a":[1,{"b":null}]}', '"\\ud83d\\ude00"', '"\\u00e9\\/\\b"', '"😀"', 'true', '0.5e-3'];
    for (const t of good) {
      expect(() => JSON.parse(t)).not.toThrow();
      expect(any(t), JSON.stringify(t)).toBe(true);
    }
  });
  test('escapes count as one code point', () => {
    const acc = acceptor({ type: 'string', maxLength: 2, minLength: 2 }, { whitespace: 'compact' });
    expect(acc('"\\u0041\\n"')).toBe(true);
    expect(acc('"\\ud83d\\ude00x"')).toBe(true);
    expect(acc('"\\ud83d\\ude00xy"')).toBe(false);
    expect(acc('"a"')).toBe(false);
  });
});

describe('whitespace modes', () => {
  const schema = { type: 'object', properties: { a: { type: 'array', items: { type: 'integer' } }, b: { type: 'string' } } };
  const v = { a: [1, 2], b: 'x' };
  test('compact accepts only JSON.stringify output', () => {
    const acc = acceptor(schema, { whitespace: 'compact' });
    expect(acc(JSON.stringify(v))).toBe(true);
    expect(acc(pyDumps(v))).toBe(false);
  });
  test('maskbench accepts only json.dumps output', () => {
    const acc = acceptor(schema, { whitespace: 'maskbench' });
    expect(acc(pyDumps(v))).toBe(true);
    expect(acc(JSON.stringify(v))).toBe(false);
    expect(acc(pyDumps({}))).toBe(true);
  });
  test('pretty accepts JSON.stringify(v, null, N) output', () => {
    for (const indent of [2, 4]) {
      const acc = acceptor(schema, { whitespace: 'pretty', indent });
      expect(acc(JSON.stringify(v, null, indent))).toBe(true);
      expect(acc(JSON.stringify({}, null, indent))).toBe(true);
      expect(acc(JSON.stringify({ a: [] }, null, indent))).toBe(true);
      expect(acc(JSON.stringify(v))).toBe(false);
      expect(acc(JSON.stringify(v, null, indent + 1))).toBe(false);
    }
  });
  test('flexible bounds each whitespace run', () => {
    const acc = acceptor(schema, { whitespace: 'flexible', maxWhitespace: 3 });
    expect(acc('{ "a" :[1 ,2]}')).toBe(true);
    expect(acc('{    "a":[1,2]}')).toBe(false);
    expect(acc('\t{"a":[1,2]}\n')).toBe(true);
  });
});

describe('property order', () => {
  const schema = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' }, c: { type: 'integer' } }, required: ['a'], additionalProperties: false };
  test("'schema' order", () => {
    const acc = acceptor(schema, { whitespace: 'compact', propertyOrder: 'schema' });
    expect(acc('{"a":1,"b":2}')).toBe(true);
    expect(acc('{"b":2,"a":1}')).toBe(false);
  });
  test("'any' order: every permutation, no duplicates, required enforced", () => {
    const acc = acceptor(schema, { whitespace: 'compact', propertyOrder: 'any' });
    for (const t of ['{"a":1}', '{"b":2,"a":1}', '{"c":3,"a":1,"b":2}', '{"c":3,"b":2,"a":1}']) expect(acc(t), t).toBe(true);
    for (const t of ['{"b":2}', '{"a":1,"a":1}', '{"a":1,"b":2,"b":2}', '{"a":1,"d":1}', '{}']) expect(acc(t), t).toBe(false);
  });
  test("'auto' (default): any order for small and large objects", () => {
    const acc = acceptor(schema, { whitespace: 'compact' });
    expect(acc('{"c":3,"a":1}')).toBe(true);
    const big = { type: 'object', properties: Object.fromEntries('abcdefgh'.split('').map((k) => [k, { type: 'integer' }])) };
    const { report } = jsonSchemaToGrammar(big, { whitespace: 'compact' });
    expect(report.restricted.map((r) => r.detail ?? '').join()).not.toContain('schema order');
    const accBig = acceptor(big, { whitespace: 'compact' });
    expect(accBig('{"a":1,"h":2}')).toBe(true);
    expect(accBig('{"h":2,"a":1}')).toBe(true);
    expect(accBig('{"h":2,"a":1,"h":3}')).toBe(false);
  });
  test("'any' order with additional properties", () => {
    const acc = acceptor({ properties: { a: { type: 'integer' }, b: { type: 'string' } }, required: ['b'] }, { whitespace: 'compact', propertyOrder: 'any' });
    expect(acc('{"x":null,"b":"s","a":1}')).toBe(true);
    expect(acc('{"x":null,"a":1}')).toBe(false);
    expect(acc('{"b":"s","a":"no"}')).toBe(false);
  });
});

describe('grammar shape', () => {
  test('maxLength is a bounded repeat, not copies', () => {
    const { grammar } = jsonSchemaToGrammar({ type: 'string', maxLength: 100000 }, { whitespace: 'compact' });
    const json = JSON.stringify([...grammar.rules.values()]);
    expect(json.length).toBeLessThan(5000);
    expect(json).toContain('"max":100000');
  });
  test('recursive schemas become rules', () => {
    const { grammar } = jsonSchemaToGrammar({ type: 'array', items: { $ref: '#' } }, { whitespace: 'compact' });
    const o = new GrammarOracle(grammar);
    expect(o.accepts('[[],[[[]]]]')).toBe(true);
    expect(o.accepts('[[],[[[1]]]]')).toBe(false);
  });
});

describe('draft-04 spellings', () => {
  test('boolean exclusiveMinimum / exclusiveMaximum', () => {
    const acc = acceptor({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'integer', minimum: 5, exclusiveMinimum: true, maximum: 9, exclusiveMaximum: true }, { whitespace: 'compact' });
    expect([4, 5, 6, 8, 9].map((x) => acc(String(x)))).toEqual([false, false, true, true, false]);
  });
  test('$ref siblings are ignored before 2019-09', () => {
    const acc = acceptor({ $schema: 'http://json-schema.org/draft-07/schema#', definitions: { s: { type: 'string' } }, properties: { a: { $ref: '#/definitions/s', maxLength: 1 } } }, { whitespace: 'compact' });
    expect(acc('{"a":"long"}')).toBe(true);
    expect(acc('{"a":1}')).toBe(false);
  });
});

describe('formatAssertion', () => {
  test('false: formats are annotations', () => {
    const acc = acceptor({ type: 'string', format: 'email' }, { whitespace: 'compact', formatAssertion: false });
    expect(acc('"not an email"')).toBe(true);
    expect(acc('1')).toBe(false);
  });
  test('true (default): formats are enforced', () => {
    const acc = acceptor({ type: 'string', format: 'email' }, { whitespace: 'compact' });
    expect(acc('"not an email"')).toBe(false);
    expect(acc('"a@b.co"')).toBe(true);
  });
});

describe('formatAssertion and not', () => {
  test('not of an annotation-only format matches nothing', () => {
    const acc = acceptor({ not: { format: 'date' } }, { whitespace: 'compact', formatAssertion: false });
    expect(acc('"x"')).toBe(false);
    expect(acc('1')).toBe(false);
  });
});

describe('contains next to prefixItems (spec, not ajv)', () => {
  test('an empty array has no matching item', () => {
    const acc = acceptor({ prefixItems: [{ type: 'integer' }], items: { type: ['integer', 'string'] }, contains: { type: 'string' }, minContains: 1 }, { whitespace: 'compact' });
    expect(acc('[]')).toBe(false);
    expect(acc('[1,"a"]')).toBe(true);
  });
});
