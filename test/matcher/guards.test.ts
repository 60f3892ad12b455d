/**
 * Any-order objects through guards (the matcher's JSON tracker): on random
 * object schemas (5-20 members, required sets, min/maxProperties,
 * additionalProperties true/false/schema, nesting), over a small vocabulary
 * whose tokens cross lexeme boundaries (`",` `":{"` `"}`), masks equal brute
 * force with the guard-aware oracle and the uncached walk; every generated
 * text is valid by ajv with no repeated declared key; permutations of the
 * generated objects are accepted; fork / rollback / reset keep masks exact.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { compileGrammar } from '../../src/compiler/compile.js';
import { EmptyLanguageError } from '../../src/errors.js';
import { jsonSchemaToGrammar, type JsonSchemaOptions } from '../../src/frontends/json-schema/index.js';
import { GrammarOracle, type OracleChart } from '../../src/testing/oracle.js';
import type { Matcher } from '../../src/matcher/matcher.js';
import { makeAjv } from '../frontends/json-schema/helpers.js';
import { Rng, maskIds, tinyVocab } from './helpers.js';

const PIECES = [
  '{', '}', '[', ']', ',', ':', '"', ' ', '-', '.', 'e',
  ...'0123456789'.split(''), 'a', 'k', 'x', 't', 'r', 'u', 'f', 'l', 's', 'n',
  'true', 'false', 'null', '"k', '{"', '{"k', '",', '":', '"}', '},', '}}', ',"', ',"k', '1,', '":1', '":"', '":{"', '"},"', '0}', '1}',
  'k1', 'k2', 'k1"', '2":', 'e,"', 'e}', 'l,', '", "', ': ', ', ', '" ', ' "', '"]', '],"', '[1', '1]',
];
const vocab = tinyVocab(PIECES.map((p) => Buffer.from(p, 'latin1')));
const EOS = PIECES.length;
const ajv = makeAjv();

function randomValueSchema(rng: Rng, depth: number): unknown {
  const r = rng.int(depth < 1 ? 7 : 6);
  switch (r) {
    case 0:
      return { type: 'integer', minimum: 0, maximum: 20 };
    case 1:
      return { type: 'boolean' };
    case 2:
      return { type: 'string', maxLength: 2 };
    case 3:
      return { enum: ['a', 1, null] };
    case 4:
      return { type: 'array', items: { type: 'integer', maximum: 9, minimum: 0 }, maxItems: 2 };
    case 5:
      return {};
    default:
      return randomObjectSchema(rng, depth + 1, 2 + rng.int(5));
  }
}

function randomObjectSchema(rng: Rng, depth: number, n: number): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (let i = 0; i < n; i++) {
    const k = `k${i}`;
    properties[k] = randomValueSchema(rng, depth);
    if (rng.next() < 0.3) required.push(k);
  }
  const s: Record<string, unknown> = { type: 'object', properties, required };
  const a = rng.int(3);
  if (a === 1) s.additionalProperties = false;
  if (a === 2) s.additionalProperties = { type: 'integer', minimum: 0, maximum: 9 };
  if (rng.next() < 0.4) s.minProperties = rng.int(n + 2);
  if (rng.next() < 0.4) s.maxProperties = required.length + rng.int(4);
  return s;
}

/** Declared keys (`k<digits>`) repeated in one object of a JSON text. */
function repeatedDeclaredKey(text: string): string | null {
  const stack: Set<string>[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const s = JSON.parse(text.slice(i, j + 1)) as string;
      if (expectKey) {
        const keys = stack[stack.length - 1]!;
        if (/^k\d+$/.test(s) && keys.has(s)) return s;
        keys.add(s);
      }
      expectKey = false;
      i = j;
    } else if (ch === '{') {
      stack.push(new Set());
      expectKey = true;
    } else if (ch === '[') {
      stack.push(new Set());
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      expectKey = text.lastIndexOf('{', i) > text.lastIndexOf('[', i) && stack.length > 0;
    }
  }
  return null;
}

function permuted(v: unknown, rng: Rng): unknown {
  if (Array.isArray(v)) return v.map((x) => permuted(x, rng));
  if (v === null || typeof v !== 'object') return v;
  const entries = Object.entries(v as Record<string, unknown>);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([k, x]) => [k, permuted(x, rng)]));
}

/** The ids the oracle allows after `chart`: brute force over the vocabulary. */
function oracleIds(chart: OracleChart): number[] {
  const out: number[] = [];
  for (let id = 0; id < PIECES.length; id++) if (chart.feedBytes(vocab.tokenBytes(id)).isViable()) out.push(id);
  if (chart.isAccepting()) out.push(EOS);
  return out;
}

function uncachedIds(m: Matcher): number[] {
  const mask = new Uint32Array((vocab.size + 31) >>> 5);
  m.fillNextTokenBitmaskUncached(mask);
  const out: number[] = [];
  for (let i = 0; i < vocab.size; i++) if ((mask[i >>> 5]! >>> (i & 31)) & 1) out.push(i);
  return out;
}

const OPTS: JsonSchemaOptions = { whitespace: 'compact', limits: { maxAnyOrderProperties: 0 } };

describe('guarded any-order objects: masks are exact', () => {
  let finished = 0;
  afterAll(() => {
    // enough walks reach a complete object for the ajv and permutation checks to mean something
    expect(finished).toBeGreaterThanOrEqual(8);
  });
  for (let seed = 1; seed <= 10; seed++) {
    test(`random schema #${seed}`, () => {
      const rng = new Rng(seed * 7727);
      const schema = randomObjectSchema(rng, 0, 5 + rng.int(16));
      const opts: JsonSchemaOptions = seed % 3 === 0 ? { whitespace: 'flexible', maxWhitespace: 1, limits: { maxAnyOrderProperties: 0 } } : OPTS;
      const { grammar } = jsonSchemaToGrammar(schema, opts);
      let compiled;
      try {
        compiled = compileGrammar(grammar, vocab);
      } catch (e) {
        // an unsatisfiable schema (e.g. minProperties above what fits): the oracle agrees
        expect(e).toBeInstanceOf(EmptyLanguageError);
        expect(new GrammarOracle(grammar).isViablePrefix('')).toBe(false);
        return;
      }
      const oracle = new GrammarOracle(grammar);
      const validate = ajv.compile(schema);
      for (let walk = 0; walk < 3; walk++) {
        const m = compiled.matcher();
        let chart = oracle.start();
        let text = '';
        for (let step = 0; step < 120; step++) {
          const ids = maskIds(m, vocab.size);
          expect(ids, `${JSON.stringify(schema)} after ${JSON.stringify(text)}`).toEqual(oracleIds(chart));
          expect(uncachedIds(m)).toEqual(ids);
          const stop = ids.includes(EOS) && (rng.next() < 0.3 || ids.length === 1);
          if (stop) break;
          const choices = ids.filter((id) => id !== EOS);
          expect(choices.length).toBeGreaterThan(0);
          // lean toward closing once the text is long, so walks finish
          const closers = choices.filter((id) => PIECES[id]!.includes('}'));
          const id = step > 60 && closers.length && rng.next() < 0.5 ? rng.pick(closers) : rng.pick(choices);
          expect(m.acceptToken(id)).toBe(true);
          text += PIECES[id];
          chart = chart.feedBytes(vocab.tokenBytes(id));
        }
        if (!m.isAccepting()) continue;
        finished++;
        const value = JSON.parse(text) as unknown;
        expect(validate(value), `${JSON.stringify(schema)}: ${text}`).toBe(true);
        expect(repeatedDeclaredKey(text)).toBeNull();
        for (let p = 0; p < 3; p++) {
          const other = JSON.stringify(permuted(value, rng));
          const m2 = compiled.matcher();
          expect(m2.acceptString(other) && m2.isAccepting(), other).toBe(true);
        }
      }
    });
  }
});

describe('guarded objects: language', () => {
  const schema = {
    type: 'object',
    properties: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`k${i}`, { type: 'integer' }])),
    required: ['k3', 'k7'],
    minProperties: 4,
    maxProperties: 6,
  };
  const { grammar } = jsonSchemaToGrammar(schema, OPTS);
  const compiled = compileGrammar(grammar, vocab);
  const accepts = (t: string): boolean => {
    const m = compiled.matcher();
    return m.acceptString(t) && m.isAccepting();
  };
  test('required, counts, duplicates and additional keys', () => {
    expect(accepts('{"k7":1,"k0":2,"k3":3,"k8":4}')).toBe(true);
    expect(accepts('{"k7":1,"k3":3,"x":1,"y":2}')).toBe(true);
    expect(accepts('{"k7":1,"k3":3,"x":1}')).toBe(false); // 3 < minProperties
    expect(accepts('{"k7":1,"k0":2,"k8":4,"k1":5}')).toBe(false); // k3 missing
    expect(accepts('{"k7":1,"k3":3,"k7":1,"k0":5}')).toBe(false); // repeated declared key
    expect(accepts('{"k7":1,"k3":3,"x":1,"x":2,"y":3}')).toBe(true); // repeated additional key counts once (4 distinct)
    expect(accepts('{"k7":1,"k3":3,"x":1,"x":2}')).toBe(false); // 3 distinct
    expect(accepts('{"k0":1,"k1":1,"k2":1,"k3":1,"k7":1,"k8":1}')).toBe(true);
    expect(accepts('{"k0":1,"k1":1,"k2":1,"k3":1,"k7":1,"k8":1,"k4":1}')).toBe(false); // 7 > maxProperties
  });
  test('no dead end: after four optional members only required ones fit', () => {
    const m = compiled.matcher();
    expect(m.acceptString('{"k0":1,"k1":1,"k2":1,"k4":1')).toBe(true);
    expect(m.acceptString(',"k5"')).toBe(false); // then k3 and k7 would make 7
    expect(m.acceptString(',"x"')).toBe(false);
    expect(m.acceptString(',"k3":1,"k7":1}')).toBe(true);
    expect(m.isAccepting()).toBe(true);
  });
  test('fork, rollback and reset keep the tracker in step', () => {
    const rng = new Rng(99);
    const m = compiled.matcher();
    const texts: string[] = [];
    for (let step = 0; step < 40; step++) {
      const ids = maskIds(m, vocab.size).filter((id) => id !== EOS);
      if (ids.length === 0) break;
      const id = rng.pick(ids);
      m.acceptToken(id);
      texts.push(PIECES[id]!);
      if (step % 5 === 4) {
        const f = m.fork();
        const before = maskIds(m, vocab.size);
        // wander off on the fork, then come back
        for (let j = 0; j < 4; j++) {
          const fi = maskIds(f, vocab.size).filter((x) => x !== EOS);
          if (fi.length === 0) break;
          f.acceptToken(rng.pick(fi));
        }
        f.rollback(f.steps - m.steps);
        expect(maskIds(f, vocab.size)).toEqual(before);
        expect(maskIds(m, vocab.size)).toEqual(before);
        // a fresh matcher fed the same text agrees
        const fresh = compiled.matcher();
        expect(fresh.acceptString(texts.join(''))).toBe(true);
        expect(maskIds(fresh, vocab.size)).toEqual(before);
        // reset and replay
        const r = m.fork();
        r.reset();
        for (const t of texts) r.acceptString(t);
        expect(maskIds(r, vocab.size)).toEqual(before);
      }
    }
  });
});
