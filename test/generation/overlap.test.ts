/**
 * Overlap (model in a worker thread, the constraint's work done during the
 * forward pass) changes nothing but timing: same ids, texts, logprobs, finish
 * reasons as the in-thread path, for every sampling mode, with fork,
 * regenerateFrom and abort. Also: requesting logprobs never changes the ids.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { E2E_SCHEMA } from '../../src/generation/e2e.js';
import { Generator, type GenerationRequest } from '../../src/generation/generator.js';
import type { GenerationResult } from '../../src/generation/generation.js';
import { BOUNDED_SCHEMA, makeAjv } from './helpers.js';

let plain: Generator;
let worker: Generator;
beforeAll(async () => {
  plain = await Generator.load('builtin', { threads: 1 });
  worker = await Generator.load('builtin', { threads: 1, overlap: true });
});
afterAll(async () => {
  await plain?.release();
  await worker?.release();
});

const json = { kind: 'json-schema' as const, source: JSON.stringify(BOUNDED_SCHEMA), whitespace: 'compact' as const };
const regex = { kind: 'regex' as const, source: '(?<w>[a-z]{2,6})( [a-z]{1,8}){2,5}\\. [0-9]{1,3}' };

/** What must not depend on overlap. */
function essence(r: GenerationResult): unknown {
  return { text: r.text, finish: r.finishReason, stop: r.stopString, eos: r.eosId, tokens: r.tokens, captures: r.captures, ids: r.provenance.result.ids };
}

const requests: Array<[string, GenerationRequest]> = [
  ['greedy JSON', { prompt: 'Record:', constraint: json, maxTokens: 60 }],
  ['greedy JSON + jump-forward + logprobs', { prompt: 'Record:', constraint: json, maxTokens: 60, jumpForward: true, logprobs: 3 }],
  ['temperature regex', { prompt: 'Say', constraint: regex, temperature: 1.3, seed: 4, maxTokens: 40 }],
  ['temperature regex + logprobs', { prompt: 'Say', constraint: regex, temperature: 1.3, seed: 4, maxTokens: 40, logprobs: 0 }],
  ['top-k/top-p JSON + jump + prefill', { prompt: 'Go', prefill: '{"id":"', constraint: json, topK: 20, topP: 0.9, temperature: 0.9, seed: 11, maxTokens: 60, jumpForward: true }],
  ['min-p + stop', { prompt: 'Once', minP: 0.05, temperature: 1, seed: 3, maxTokens: 30, stop: ['qz'], ignoreEos: true }],
  ['unconstrained temperature + logprobs 5', { prompt: 'Hi', temperature: 0.8, seed: 8, maxTokens: 20, ignoreEos: true, logprobs: 5 }],
];

describe('overlap on/off: identical generations', () => {
  test.each(requests)('%s', async (_name, req) => {
    const a = await plain.generate(req);
    const b = await worker.generate(req);
    const c = await worker.generate({ ...req, overlap: false });
    expect(essence(b)).toEqual(essence(a));
    expect(essence(c)).toEqual(essence(a));
    expect(a.tokens.length).toBeGreaterThan(3);
  });

  test('JSON Schema outputs are ajv-valid under overlap with sampling', async () => {
    const ajv = makeAjv();
    const schema = { ...E2E_SCHEMA, properties: { ...E2E_SCHEMA.properties, id: { type: 'integer', minimum: 0, maximum: 99 } } };
    const validate = ajv.compile(schema);
    for (let seed = 0; seed < 4; seed++) {
      const req: GenerationRequest = { prompt: 'JSON:', constraint: { kind: 'json-schema', source: JSON.stringify(schema), whitespace: 'compact' }, temperature: 1, seed, maxTokens: 120, jumpForward: seed % 2 === 0 };
      const r = await worker.generate(req);
      if (r.finishReason === 'eos') expect(validate(JSON.parse(r.text)), r.text).toBe(true);
      expect(essence(r)).toEqual(essence(await plain.generate(req)));
    }
  });

  test('fork and regenerateFrom continue identically with and without overlap', async () => {
    const req: GenerationRequest = { prompt: 'Say', constraint: regex, temperature: 1.5, seed: 21, maxTokens: 40, jumpForward: true };
    const outs: unknown[] = [];
    for (const g of [plain, worker]) {
      const s = g.start(req);
      for (let i = 0; i < 4; i++) await s.step();
      const f = s.fork();
      const f2 = s.fork({ seed: 5 });
      const a = await s.run();
      const b = await f.run();
      expect(essence(b)).toEqual(essence(a));
      const c = await f2.run();
      s.regenerateFrom(2, { seed: 9 });
      const d = await s.run();
      outs.push([essence(a), essence(c), essence(d)]);
    }
    expect(outs[1]).toEqual(outs[0]);
  });

  test('abort stops an overlapped generation', async () => {
    const ac = new AbortController();
    const s = worker.start({ prompt: 'Once', maxTokens: 50, ignoreEos: true, signal: ac.signal });
    for (let i = 0; i < 3; i++) await s.step();
    ac.abort();
    const r = await s.run();
    expect(r.finishReason).toBe('aborted');
    expect(r.tokens.length).toBe(3);
  });
});

describe('logprobs never change the sampled ids', () => {
  test('temperature and greedy, constrained and not', async () => {
    for (const req of [requests[0]![1], requests[2]![1], requests[4]![1], requests[6]![1]]) {
      const a = await plain.generate({ ...req, logprobs: undefined });
      const b = await plain.generate({ ...req, logprobs: 4 });
      expect(b.provenance.result.ids).toEqual(a.provenance.result.ids);
    }
  });
});
