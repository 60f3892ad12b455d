/**
 * Hostile schemas: huge documents, deep and cyclic $refs, huge bounds and
 * enums, contradictions, pattern bombs. Each either compiles within limits
 * (and the matcher then decides a short instance correctly) or fails fast
 * with a typed error naming the limit or keyword and the JSON pointer:
 * never a crash, hang or unbounded memory.
 */
import { describe, expect, test } from 'vitest';
import { compileJsonSchema, type CompileJsonSchemaOptions } from '../../src/api.js';
import { ConstrainError } from '../../src/errors.js';
import type { CompiledGrammar } from '../../src/matcher/compiled.js';
import { Vocabulary } from '../../src/vocab/vocabulary.js';

/** Every byte as a token, plus a few multi-byte ones; EOS is id 0. */
const vocab = Vocabulary.fromTokens(
  ['<eos>', ...Array.from({ length: 256 }, (_, b) => new Uint8Array([b])), '{"', '":', '",', '"}', 'aaaa', '00', 'true', 'null'],
  { eos: [0], special: [0] },
);

type Outcome = { compiled: CompiledGrammar; ms: number } | { error: ConstrainError; ms: number };

/** Compiles, asserting the time bound and that any failure is a typed error. */
function attempt(schema: unknown, ms: number, options: CompileJsonSchemaOptions = {}): Outcome {
  const t0 = performance.now();
  try {
    const compiled = compileJsonSchema(schema, vocab, { whitespace: 'compact', ...options });
    const took = performance.now() - t0;
    expect(took).toBeLessThan(ms);
    return { compiled, ms: took };
  } catch (e) {
    const took = performance.now() - t0;
    if (!(e instanceof ConstrainError)) throw e;
    expect(took).toBeLessThan(ms);
    return { error: e, ms: took };
  }
}

/** Whether the compiled grammar accepts `text` (token by token, then EOS). */
function accepts(c: CompiledGrammar, text: string): boolean {
  const m = c.matcher();
  for (const id of vocab.encode(text)) if (!m.acceptToken(id)) return false;
  return m.acceptToken(0);
}

function expectCompiled(o: Outcome): CompiledGrammar {
  if ('error' in o) throw new Error(`expected a grammar, got ${o.error.name}: ${o.error.message}`);
  return o.compiled;
}

function expectError(o: Outcome, code: string | string[], ...parts: string[]): ConstrainError {
  if (!('error' in o)) throw new Error('expected a typed error, the schema compiled');
  expect(typeof code === 'string' ? [code] : code).toContain(o.error.code);
  for (const p of parts) expect(o.error.message).toContain(p);
  return o.error;
}

describe('hostile schemas: size', () => {
  test('a 4 MB schema (2,000 documented properties) compiles and matches', () => {
    const properties: Record<string, unknown> = {};
    for (let i = 0; i < 2000; i++) properties[`p${i}`] = { type: 'integer', description: 'x'.repeat(2000) };
    const schema = { type: 'object', properties, additionalProperties: false };
    expect(JSON.stringify(schema).length).toBeGreaterThan(4_000_000);
    const c = expectCompiled(attempt(schema, 20_000));
    expect(accepts(c, '{"p0":1,"p1":2}')).toBe(true);
    expect(accepts(c, '{"p0":"x"}')).toBe(false);
    expect(accepts(c, '{"q":1}')).toBe(false);
  });

  test('a 4 MB anyOf of 100,000 consts fails fast on the node or enum limit', () => {
    const schema = { anyOf: Array.from({ length: 100_000 }, (_, i) => ({ const: `value-${i}` })) };
    expect(JSON.stringify(schema).length).toBeGreaterThan(2_000_000);
    const e = expectError(attempt(schema, 10_000), 'LIMIT_EXCEEDED');
    expect(e.message).toMatch(/maxSchemaNodes|maxEnumValues|maxExpansions|maxRules/);
  });

  test('an enum of 100,000 values fails fast naming maxEnumValues and the pointer', () => {
    const schema = { properties: { e: { enum: Array.from({ length: 100_000 }, (_, i) => i) } } };
    expectError(attempt(schema, 5_000), ['LIMIT_EXCEEDED', 'UNSUPPORTED_FEATURE'], 'maxEnumValues', '/properties/e/enum');
  });

  test('an enum of 10,000 values (at the limit) compiles and matches', () => {
    const schema = { enum: Array.from({ length: 10_000 }, (_, i) => `v${i * 7}`) };
    const c = expectCompiled(attempt(schema, 20_000));
    expect(accepts(c, '"v0"')).toBe(true);
    expect(accepts(c, '"v69993"')).toBe(true);
    expect(accepts(c, '"v1"')).toBe(false);
  });

  test('a schema document nested 10,000 levels deep fails on maxSchemaDepth', () => {
    let s: unknown = { type: 'integer' };
    for (let i = 0; i < 10_000; i++) s = { properties: { a: s } };
    expectError(attempt(s, 5_000), 'LIMIT_EXCEEDED', 'maxSchemaDepth');
  });
});

describe('hostile schemas: bounds', () => {
  test('maxLength: 100000 compiles; short and bounded strings match', () => {
    const c = expectCompiled(attempt({ type: 'string', maxLength: 100_000 }, 10_000));
    expect(accepts(c, '"abc"')).toBe(true);
    expect(accepts(c, JSON.stringify('y'.repeat(2000)))).toBe(true);
    expect(accepts(c, '1')).toBe(false);
  });

  test('minLength: 100000 compiles and rejects a short string', () => {
    const c = expectCompiled(attempt({ type: 'string', minLength: 100_000 }, 10_000));
    expect(accepts(c, '"abc"')).toBe(false);
  });

  test('minItems: 5000 compiles; a 5,000-item array matches, 4,999 do not', () => {
    const c = expectCompiled(attempt({ type: 'array', items: { type: 'integer' }, minItems: 5000 }, 10_000));
    expect(accepts(c, JSON.stringify(Array(5000).fill(1)))).toBe(true);
    expect(accepts(c, JSON.stringify(Array(4999).fill(1)))).toBe(false);
    expect(accepts(c, '[]')).toBe(false);
  });

  test('maxItems: 100000 with minItems compiles', () => {
    const c = expectCompiled(attempt({ type: 'array', items: { type: 'boolean' }, minItems: 2, maxItems: 100_000 }, 10_000));
    expect(accepts(c, '[true,false]')).toBe(true);
    expect(accepts(c, '[true]')).toBe(false);
  });

  test('huge integer bounds and multipleOf fail fast or compile', () => {
    const o = attempt({ type: 'integer', minimum: -1e300, maximum: 1e300, multipleOf: 7 }, 10_000);
    if ('compiled' in o) {
      expect(accepts(o.compiled, '14')).toBe(true);
      expect(accepts(o.compiled, '15')).toBe(false);
    } else expect(o.error.message).toMatch(/multipleOf|maxAutomatonStates|maxRepeat/);
    expectError(attempt({ properties: { n: { type: 'integer', multipleOf: 1_000_003 } } }, 5_000), ['LIMIT_EXCEEDED', 'UNSUPPORTED_FEATURE'], '/properties/n/multipleOf');
  });
});

describe('hostile schemas: contradictions', () => {
  const cases: [string, unknown][] = [
    ['string and integer', { allOf: [{ type: 'string' }, { type: 'integer' }] }],
    ['minimum above maximum', { allOf: [{ type: 'integer', minimum: 5 }, { maximum: 3 }] }],
    ['const against enum', { allOf: [{ const: 'a' }, { enum: ['b', 'c'] }] }],
    ['minLength above maxLength', { type: 'string', minLength: 10, maxLength: 3 }],
    ['false', false],
    ['not {}', { not: {} }],
    ['required property that is false', { type: 'object', properties: { a: false }, required: ['a'] }],
  ];
  for (const [name, schema] of cases) {
    test(`${name}: EmptyLanguageError, fast`, () => {
      expectError(attempt(schema, 5_000), 'EMPTY_LANGUAGE');
    });
  }
});

describe('hostile schemas: $ref', () => {
  test('self $ref without progress is a typed error naming $ref and the pointer', () => {
    expectError(attempt({ $ref: '#' }, 5_000), 'UNSUPPORTED_FEATURE', 'unsupported $ref at /$ref', 'cycle');
    expectError(attempt({ properties: { a: { $ref: '#/properties/a' } } }, 5_000), 'UNSUPPORTED_FEATURE', '/properties/a/$ref', 'cycle');
  });

  test('mutual $ref cycle without progress is a typed error', () => {
    const schema = { $defs: { a: { $ref: '#/$defs/b' }, b: { $ref: '#/$defs/a' } }, $ref: '#/$defs/a' };
    expectError(attempt(schema, 5_000), 'UNSUPPORTED_FEATURE', 'unsupported $ref at /$defs/', 'cycle');
  });

  test('allOf / anyOf through a cycle without progress: typed error or the exact language', () => {
    const o1 = attempt({ allOf: [{ $ref: '#' }], type: 'integer' }, 5_000);
    if ('compiled' in o1) {
      expect(accepts(o1.compiled, '3')).toBe(true);
      expect(accepts(o1.compiled, '"x"')).toBe(false);
    } else expect(['LIMIT_EXCEEDED', 'UNSUPPORTED_FEATURE']).toContain(o1.error.code);
    const o2 = attempt({ anyOf: [{ $ref: '#' }, { type: 'null' }] }, 5_000);
    if ('compiled' in o2) {
      expect(accepts(o2.compiled, 'null')).toBe(true);
      expect(accepts(o2.compiled, '1')).toBe(false);
    } else expect(['LIMIT_EXCEEDED', 'UNSUPPORTED_FEATURE']).toContain(o2.error.code);
  });

  test('a 10,000-long $ref chain: typed error naming a limit, or compiles and matches', () => {
    const $defs: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) $defs[`d${i}`] = { $ref: `#/$defs/d${i + 1}` };
    $defs.d10000 = { type: 'integer' };
    const o = attempt({ $defs, $ref: '#/$defs/d0' }, 10_000);
    if ('compiled' in o) {
      expect(accepts(o.compiled, '42')).toBe(true);
      expect(accepts(o.compiled, '"42"')).toBe(false);
    } else {
      expectError(o, 'LIMIT_EXCEEDED', '/$defs/d');
      expect(o.error.message).toMatch(/maxRefDepth|maxSchemaDepth/);
    }
  });

  test('a 10,000-long $ref chain with progress (nested arrays) compiles or names a limit', () => {
    const $defs: Record<string, unknown> = {};
    for (let i = 0; i < 10_000; i++) $defs[`d${i}`] = { type: 'array', items: { $ref: `#/$defs/d${i + 1}` } };
    $defs.d10000 = { type: 'integer' };
    const o = attempt({ $defs, $ref: '#/$defs/d0' }, 15_000);
    if ('compiled' in o) {
      expect(accepts(o.compiled, '[]')).toBe(true);
      expect(accepts(o.compiled, '[[[]]]')).toBe(true);
      expect(accepts(o.compiled, '[1]')).toBe(false);
    } else expect(o.error.code).toBe('LIMIT_EXCEEDED');
  });

  test('self recursion with progress (a tree) compiles and matches a deep instance', () => {
    const schema = { type: 'object', properties: { c: { type: 'array', items: { $ref: '#' } } }, additionalProperties: false };
    const c = expectCompiled(attempt(schema, 5_000));
    let inst = '{}';
    for (let i = 0; i < 200; i++) inst = `{"c":[${inst}]}`;
    expect(accepts(c, inst)).toBe(true);
    expect(accepts(c, '{"c":[1]}')).toBe(false);
  });

  test('mutual recursion with progress compiles and matches', () => {
    const schema = {
      $defs: { a: { type: 'array', items: { $ref: '#/$defs/b' } }, b: { type: 'object', properties: { a: { $ref: '#/$defs/a' } }, additionalProperties: false } },
      $ref: '#/$defs/a',
    };
    const c = expectCompiled(attempt(schema, 5_000));
    expect(accepts(c, '[{"a":[{"a":[]}]},{}]')).toBe(true);
    expect(accepts(c, '[{"a":{}}]')).toBe(false);
  });
});

describe('hostile schemas: pattern bombs', () => {
  const bombs: [string, string, string | undefined, string | undefined][] = [
    ['(a*)*b', '^(a*)*b$', 'aaab', 'aaaa'],
    ['(a|a)*c', '^(a|a)*c$', 'aac', 'aa'],
    ['(x+x+)+y', '^(x+x+)+y$', 'xxxy', 'xxx'],
    ['(a|b|ab)*$', '^(a|b|ab)*$', 'abba', 'abc'],
    ['nested counted repetition', '^(a{1,100}){1,100}$', 'aaa', 'b'],
    ['exponential DFA .*a.{20}', '.*a.{20}$', undefined, undefined],
    ['exponential DFA (a|b)*a(a|b){24}', '^(a|b)*a(a|b){24}$', undefined, undefined],
    ['counted repetition of a class', '^[^x]{0,5000}$', 'abc', 'axb'],
  ];
  for (const [name, pattern, good, bad] of bombs) {
    test(`${name}: compiles and matches, or fails fast with a typed error`, () => {
      const o = attempt({ type: 'string', pattern }, 10_000);
      if ('compiled' in o) {
        if (good !== undefined) expect(accepts(o.compiled, JSON.stringify(good))).toBe(true);
        if (bad !== undefined) expect(accepts(o.compiled, JSON.stringify(bad))).toBe(false);
      } else {
        expect(['LIMIT_EXCEEDED', 'UNSUPPORTED_FEATURE']).toContain(o.error.code);
        expect(o.error.message).toMatch(/pattern|maxAutomatonStates|maxLexerStates|maxRepeat/);
      }
    });
  }

  test('a pattern bomb with a length bound (pattern ∩ maxLength) fails fast naming the pointer', () => {
    const o = attempt({ properties: { s: { type: 'string', pattern: '^(a|b)*a(a|b){24}$', maxLength: 40 } } }, 10_000);
    if ('error' in o) {
      expect(o.error.code).toBe('LIMIT_EXCEEDED');
      expect(o.error.message).toMatch(/maxAutomatonStates|maxLexerStates/);
    } else expect(accepts(o.compiled, JSON.stringify({ s: 'a'.repeat(25) }))).toBe(true);
  });
});
