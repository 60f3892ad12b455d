import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import type { ConstraintSpec } from '../../src/generation/constraint.js';
import { forcedIds } from '../../src/generation/forced.js';
import type { Generator } from '../../src/generation/generator.js';
import { BOUNDED_SCHEMA, builtinGenerator, makeAjv } from './helpers.js';

let gen: Generator;
beforeAll(async () => {
  gen = await builtinGenerator();
});
afterAll(async () => {
  await gen?.release();
});

const json: ConstraintSpec = { kind: 'json-schema', source: JSON.stringify(BOUNDED_SCHEMA), whitespace: 'compact' };
// Flexible whitespace allows long runs per gap: the bounded modes keep every run short.
const dumpsJson: ConstraintSpec = { kind: 'json-schema', source: JSON.stringify(BOUNDED_SCHEMA), whitespace: 'maskbench' };
const NAME_RE = '(?<first>[A-Z][a-z]{1,8}) (?<last>[A-Z][a-z]{1,8})';

/** Bytes of the output tokens, from the vocabulary (independent of the result's text). */
function bytesOf(ids: readonly number[]): string {
  return Buffer.concat(ids.map((id) => Buffer.from(gen.vocab.tokenBytes(id)))).toString('utf8');
}

describe('constraints hold on every output', () => {
  test('JSON Schema: each sampled output is valid by ajv', async () => {
    const validate = makeAjv().compile(BOUNDED_SCHEMA);
    for (const [seed, spec, temperature] of [[1, json, 1], [2, json, 3], [3, dumpsJson, 2], [4, dumpsJson, 6], [5, json, 0]] as const) {
      const r = await gen.generate({ prompt: 'Describe:', constraint: spec, temperature, seed, maxTokens: 400 });
      expect(r.finishReason).toBe('eos');
      expect(r.text).toBe(bytesOf(r.tokens.map((t) => t.id)));
      const value = JSON.parse(r.text) as unknown;
      expect(validate(value), `${r.text}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
  });

  test('regex: each output matches; named groups come back as captures', async () => {
    const re = new RegExp(`^(?:${NAME_RE})$`);
    const seen = new Set<string>();
    for (let seed = 0; seed < 5; seed++) {
      const r = await gen.generate({ prompt: 'Name:', constraint: { kind: 'regex', source: NAME_RE }, temperature: 4, seed, maxTokens: 64 });
      expect(r.finishReason).toBe('eos');
      expect(r.text).toMatch(re);
      const m = re.exec(r.text)!;
      expect(r.captures).toEqual({ first: m.groups!.first, last: m.groups!.last });
      seen.add(r.text);
    }
    expect(seen.size).toBeGreaterThan(1);
  });

  test('choices: the output is one of them', async () => {
    const choices = ['yes', 'no', 'maybe later'];
    for (let seed = 0; seed < 4; seed++) {
      const r = await gen.generate({ prompt: 'Answer:', constraint: { kind: 'choices', choices }, temperature: 5, seed });
      expect(choices).toContain(r.text);
    }
  });
});

describe('prefill', () => {
  test('the output starts with the prefill, whose tokens are forced and spell it exactly', async () => {
    const r = await gen.generate({ prompt: 'Describe:', prefill: '{"id":"y', constraint: json, temperature: 2, seed: 9, maxTokens: 300 });
    expect(r.text.startsWith('{"id":"y')).toBe(true);
    const pre = r.tokens.filter((t) => t.forced);
    expect(bytesOf(pre.map((t) => t.id))).toBe('{"id":"y');
    expect(r.tokens.slice(0, pre.length).every((t) => t.forced)).toBe(true);
    expect(makeAjv().validate(BOUNDED_SCHEMA, JSON.parse(r.text))).toBe(true);
    const free = await gen.generate({ prompt: 'Hi', prefill: ' there, friend', maxTokens: 3 });
    expect(free.text.startsWith(' there, friend')).toBe(true);
    expect(free.tokens.filter((t) => !t.forced)).toHaveLength(3); // maxTokens counts after the prefill
  });

  test('a prefill the constraint rejects is an InvalidArgumentError', () => {
    expect(() => gen.start({ prompt: 'x', prefill: '[', constraint: json })).toThrow(InvalidArgumentError);
    expect(() => gen.start({ prompt: 'x', prefill: 'bob', constraint: { kind: 'regex', source: NAME_RE } })).toThrow(/prefill is not allowed/);
  });
});

describe('seeds', () => {
  test('same seed, same bytes; different seeds differ', async () => {
    const req = { prompt: 'Once upon a time', temperature: 8, maxTokens: 40 };
    const a = await gen.generate({ ...req, seed: 11 });
    const b = await gen.generate({ ...req, seed: 11 });
    expect(b.text).toBe(a.text);
    expect(b.tokens.map((t) => t.id)).toEqual(a.tokens.map((t) => t.id));
    const others = await Promise.all([12, 13, 14].map((seed) => gen.generate({ ...req, seed })));
    expect(others.some((o) => o.text !== a.text)).toBe(true);
    // Constrained with top-k / top-p / min-p: reproducible too.
    const c = { prompt: 'Name:', constraint: { kind: 'regex', source: NAME_RE } as ConstraintSpec, temperature: 3, topK: 50, topP: 0.95, minP: 0.01, seed: 5 };
    expect((await gen.generate(c)).text).toBe((await gen.generate(c)).text);
  });
});

describe('visibility', () => {
  test('logprobs over the whole vocabulary: masked distribution sums to 1 over exactly the allowed tokens; removed mass matches', async () => {
    const V = gen.model.info.vocabSize;
    const spec: ConstraintSpec = { kind: 'regex', source: '[a-z]{2,6}( [a-z]{2,6}){1,3}' };
    const r = await gen.generate({ prompt: 'Words:', constraint: spec, temperature: 3, seed: 2, logprobs: V, maxTokens: 12 });
    const m = gen.compile(spec).matcher();
    const mask = new Uint32Array(Math.ceil(V / 32));
    expect(r.tokens.length).toBeGreaterThan(2);
    for (const t of r.tokens) {
      m.fillNextTokenBitmask(mask);
      const allowed = new Set<number>();
      for (let id = 0; id < gen.vocab.tokenizerSize; id++) if ((mask[id >>> 5]! >>> (id & 31)) & 1) allowed.add(id);
      const masked = t.maskedTopLogprobs!;
      expect(new Set(masked.map((e) => e.id))).toEqual(allowed);
      const sum = masked.reduce((s, e) => s + Math.exp(e.logprob), 0);
      expect(sum).toBeCloseTo(1, 5);
      const top = t.topLogprobs!;
      expect(top.length).toBe(gen.vocab.tokenizerSize);
      expect(top.reduce((s, e) => s + Math.exp(e.logprob), 0)).toBeCloseTo(1, 5);
      const removed = top.filter((e) => !allowed.has(e.id)).reduce((s, e) => s + Math.exp(e.logprob), 0);
      expect(t.removedMass!).toBeCloseTo(removed, 6);
      expect(t.logprob).toBe(top.find((e) => e.id === t.id)!.logprob);
      expect(t.maskedLogprob).toBe(masked.find((e) => e.id === t.id)!.logprob);
      for (let i = 1; i < top.length; i++) expect(top[i - 1]!.logprob).toBeGreaterThanOrEqual(top[i]!.logprob);
      expect(m.acceptToken(t.id)).toBe(true);
    }
  });

  test('unconstrained: masked lists equal the model lists, nothing removed', async () => {
    const r = await gen.generate({ prompt: 'Hello', logprobs: 5, maxTokens: 4, temperature: 1, seed: 1 });
    for (const t of r.tokens) {
      expect(t.topLogprobs).toHaveLength(5);
      expect(t.maskedTopLogprobs).toEqual(t.topLogprobs);
      expect(t.removedMass).toBe(0);
    }
    expect(() => gen.start({ prompt: 'x', logprobs: gen.model.info.vocabSize + 1 })).toThrow(InvalidArgumentError);
  });

  test('jump-forward: forced tokens are marked, equal the matcher\'s forced tokens, and the output stays valid', async () => {
    const spec: ConstraintSpec = { kind: 'regex', source: 'Name: [A-Z][a-z]{1,8}, age: [0-9]{1,2}, city: (Paris|Rome|Berlin)\\.' };
    const r = await gen.generate({ prompt: 'Person:', constraint: spec, jumpForward: true, temperature: 2, seed: 4, logprobs: 3, maxTokens: 300 });
    expect(r.finishReason).toBe('eos');
    expect(r.text).toMatch(/^Name: [A-Z][a-z]{1,8}, age: [0-9]{1,2}, city: (Paris|Rome|Berlin)\.$/);
    const forced = r.tokens.filter((t) => t.forced);
    expect(forced.length).toBeGreaterThan(3); // "Name: ", ", age: ", ", city: ", the city's tail
    // Replay on a fresh matcher: each forced run is a prefix of the forced ids at its position,
    // which spell a prefix of the matcher's forced bytes.
    const m = gen.compile(spec).matcher();
    for (let i = 0; i < r.tokens.length; ) {
      if (!r.tokens[i]!.forced) {
        expect(m.acceptToken(r.tokens[i++]!.id)).toBe(true);
        continue;
      }
      const f = forcedIds(m, gen.vocab);
      expect(f.length).toBeGreaterThan(0);
      expect(Buffer.from(m.forcedBytes()).toString('latin1').startsWith(Buffer.from(bytesOf(f)).toString('latin1'))).toBe(true);
      let j = 0;
      while (i < r.tokens.length && r.tokens[i]!.forced && j < f.length) {
        expect(r.tokens[i]!.id).toBe(f[j++]);
        expect(m.acceptToken(r.tokens[i++]!.id)).toBe(true);
      }
    }
    for (const t of forced) {
      expect(t.maskedLogprob).toBe(0);
      expect(t.maskedTopLogprobs).toEqual([{ id: t.id, logprob: 0 }]);
      expect(t.removedMass).toBeCloseTo(-Math.expm1(t.logprob!), 9);
    }
    const plain = await gen.generate({ prompt: 'Person:', constraint: spec, temperature: 2, seed: 4, maxTokens: 300 });
    expect(plain.tokens.some((t) => t.forced)).toBe(false);
    // JSON with jump-forward stays valid.
    const j = await gen.generate({ prompt: 'Describe:', constraint: json, jumpForward: true, temperature: 2, seed: 4, maxTokens: 300 });
    expect(makeAjv().validate(BOUNDED_SCHEMA, JSON.parse(j.text))).toBe(true);
  });
});

describe('stop, maxTokens, abort', () => {
  test('stop string: the text ends before it', async () => {
    const base = await gen.generate({ prompt: 'Tell me', temperature: 6, seed: 3, maxTokens: 30 });
    const stop = base.text.slice(10, 13);
    const r = await gen.generate({ prompt: 'Tell me', temperature: 6, seed: 3, maxTokens: 30, stop: [stop, 'never-there'] });
    expect(r.finishReason).toBe('stop');
    expect(r.stopString).toBe(stop);
    expect(r.text).toBe(base.text.slice(0, base.text.indexOf(stop)));
  });

  test('a stop string inside forced text; the session stays consistent for regenerateFrom', async () => {
    const spec: ConstraintSpec = { kind: 'regex', source: 'Name: [A-Z][a-z]{1,8}, age: [0-9]{1,2}, city: (Paris|Rome|Berlin)\\.' };
    const g = gen.start({ prompt: 'Person:', constraint: spec, jumpForward: true, temperature: 2, seed: 4, stop: ['age'] });
    const r = await g.run();
    expect(r.finishReason).toBe('stop');
    expect(r.text).toMatch(/^Name: [A-Z][a-z]{1,8}, $/);
    g.regenerateFrom(2, { seed: 1 });
    const again = await g.run();
    expect(again.tokens.slice(0, 2)).toEqual(r.tokens.slice(0, 2));
    expect(again.text).toMatch(/^Name: [A-Z][a-z]{1,8}, $/);
  });

  test('maxTokens and abort', async () => {
    const r = await gen.generate({ prompt: 'a', maxTokens: 7, ignoreEos: true });
    expect(r.tokens).toHaveLength(7);
    expect(r.finishReason).toBe('max_tokens');
    const ac = new AbortController();
    ac.abort();
    const a = await gen.generate({ prompt: 'a', signal: ac.signal });
    expect(a.finishReason).toBe('aborted');
    const ac2 = new AbortController();
    const toks = [];
    const it = gen.stream({ prompt: 'a', signal: ac2.signal, maxTokens: 50, ignoreEos: true });
    let n = await it.next();
    while (!n.done) {
      toks.push(n.value);
      if (toks.length === 3) ac2.abort();
      n = await it.next();
    }
    expect(toks).toHaveLength(3);
    expect(n.value.finishReason).toBe('aborted');
    expect(n.value.tokens).toHaveLength(3);
  });
});

describe('fork and regenerateFrom', () => {
  test('a fork continues identically to the original with the same seed, and equals an unforked run', async () => {
    const req = { prompt: 'Name:', constraint: { kind: 'regex', source: NAME_RE } as ConstraintSpec, temperature: 4, seed: 21, maxTokens: 40 };
    const straight = await gen.generate(req);
    const g = gen.start(req);
    for (let i = 0; i < 4; i++) await g.step();
    const f = g.fork();
    const rf = await f.run();
    const rg = await g.run();
    expect(rf.tokens.map((t) => t.id)).toEqual(rg.tokens.map((t) => t.id));
    expect(rg.text).toBe(straight.text);
    // Reseeded branches of an unconstrained run differ from each other somewhere.
    const u = gen.start({ prompt: 'Once', temperature: 8, seed: 1, maxTokens: 30, ignoreEos: true });
    for (let i = 0; i < 5; i++) await u.step();
    const texts = new Set<string>();
    for (const seed of [100, 101, 102]) texts.add((await u.fork({ seed }).run()).text);
    expect(texts.size).toBeGreaterThan(1);
    for (const t of texts) expect(t.startsWith(bytesOf(u.tokens.map((x) => x.id)))).toBe(true);
  });

  test('regenerateFrom(k): greedy reproduces the same tail (KV cache truncated correctly); sampling keeps the first k', async () => {
    const g = gen.start({ prompt: 'Hello there', maxTokens: 20, ignoreEos: true, temperature: 0 });
    const first = await g.run();
    for (const k of [0, 1, 7, 19, 20]) {
      g.regenerateFrom(k);
      expect(g.done).toBe(false);
      const again = await g.run();
      expect(again.tokens.map((t) => t.id)).toEqual(first.tokens.map((t) => t.id));
    }
    const s = gen.start({ prompt: 'Name:', constraint: { kind: 'regex', source: NAME_RE }, temperature: 5, seed: 8 });
    const r1 = await s.run();
    const k = 2;
    const branch = s.fork();
    s.regenerateFrom(k, { seed: 77 });
    branch.regenerateFrom(k, { seed: 77 });
    const r2 = await s.run();
    expect(r2.tokens.slice(0, k).map((t) => t.id)).toEqual(r1.tokens.slice(0, k).map((t) => t.id));
    expect(new RegExp(`^(?:${NAME_RE})$`).test(r2.text)).toBe(true);
    expect((await branch.run()).text).toBe(r2.text);
    expect(() => s.regenerateFrom(99)).toThrow(InvalidArgumentError);
  });
});

describe('requests', () => {
  test('chat messages with a template; a model without one is a clear error', async () => {
    const tpl = "{% for m in messages %}<|{{ m.role }}|>{{ m.content }}\n{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}";
    const r = await gen.generate({ messages: [{ role: 'user', content: 'hi' }], chatTemplate: tpl, maxTokens: 3 });
    expect(r.promptTokens).toBe(gen.vocab.encode('<|user|>hi\n<|assistant|>').length);
    expect(() => gen.start({ messages: [{ role: 'user', content: 'hi' }] })).toThrow(/no chat_template/);
    expect(() => gen.start({ messages: [] })).toThrow(InvalidArgumentError);
    expect(() => gen.start({ prompt: 'x', messages: [{ role: 'user', content: 'hi' }] })).toThrow(/exactly one of prompt and messages/);
  });

  test('bad parameters are InvalidArgumentErrors', () => {
    expect(() => gen.start({ prompt: 'x', temperature: -1 })).toThrow(InvalidArgumentError);
    expect(() => gen.start({ prompt: 'x', seed: 1.5 })).toThrow(InvalidArgumentError);
    expect(() => gen.start({ prompt: 'x', maxTokens: -2 })).toThrow(InvalidArgumentError);
    expect(() => gen.start({ prompt: 'x', stop: [''] })).toThrow(InvalidArgumentError);
    expect(() => gen.start({ prompt: 'x', constraint: { kind: 'nope' } as unknown as ConstraintSpec })).toThrow(/constraint kind/);
  });
});
