import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeSeededModel } from '../../src/decode/builtin.js';
import { Generator } from '../../src/generation/generator.js';
import { topN } from '../../src/generation/logprobs.js';
import { Rng } from '../../src/sampling/prng.js';

const tmp = mkdtempSync(join(tmpdir(), 'constrain-session-'));
let gen: Generator;
beforeAll(async () => {
  // A tiny model with a 24-position context.
  const dir = writeSeededModel(join(tmp, 'm'), { seed: 5, arch: { hiddenSize: 32, intermediateSize: 48, numHeads: 4, numKvHeads: 2, headDim: 8, maxPositions: 24 } });
  gen = await Generator.load(dir, { threads: 1 });
});
afterAll(async () => {
  await gen?.release();
  rmSync(tmp, { recursive: true, force: true });
});

describe('sessions', () => {
  test('the context limit ends generation with context_length', async () => {
    const r = await gen.generate({ prompt: 'Hello there', maxTokens: 100, ignoreEos: true });
    expect(r.finishReason).toBe('context_length');
    expect(r.promptTokens + r.tokens.length).toBe(25); // the last token needs no forward pass
  });

  test('stream yields exactly the result tokens, prefill first', async () => {
    const req = { prompt: 'Hi', prefill: 'ab', maxTokens: 6, temperature: 3, seed: 2, ignoreEos: true };
    const it = gen.stream(req);
    const seen = [];
    let n = await it.next();
    while (!n.done) {
      seen.push(n.value);
      n = await it.next();
    }
    expect(seen).toEqual(n.value.tokens);
    expect(seen.slice(0, 2).every((t) => t.forced)).toBe(true);
    expect(n.value.text).toBe((await gen.generate(req)).text);
  });

  test('step-by-step equals run; a fork taken before the prefill is fed continues identically', async () => {
    const req = { prompt: 'Once', prefill: 'x', maxTokens: 8, temperature: 2, seed: 9, ignoreEos: true, logprobs: 2 };
    const whole = await gen.generate(req);
    const g = gen.start(req);
    const f = g.fork(); // nothing fed yet: pending prefill stats get their own objects
    const a = await g.run();
    const b = await f.run();
    expect(a.tokens).toEqual(whole.tokens);
    expect(b.tokens).toEqual(whole.tokens);
    expect(a.tokens[0]).not.toBe(b.tokens[0]);
    expect(a.tokens[0]!.logprob).toBeLessThanOrEqual(0);
  });
});

describe('topN', () => {
  test('equals a full sort (logprob desc, id asc) for every N, ties and -Infinity included', () => {
    const rng = new Rng(3);
    const lp = new Float32Array(500);
    for (let i = 0; i < lp.length; i++) lp[i] = rng.nextFloat() < 0.1 ? -Infinity : Math.round(rng.nextFloat() * 50) / 10 - 5;
    const order = [...lp.keys()].filter((i) => lp[i]! > -Infinity).sort((a, b) => lp[b]! - lp[a]! || a - b);
    for (const n of [0, 1, 5, 32, 33, 100, 449, 500, 10_000]) {
      expect(topN(lp, n).map((e) => e.id)).toEqual(order.slice(0, n));
    }
  });
});
