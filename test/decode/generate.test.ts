import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeSeededModel } from '../../src/decode/builtin.js';
import { generate, generateStream, type TokenConstraint } from '../../src/decode/generate.js';
import { KvCache, loadModel, type CausalLM } from '../../src/decode/model.js';
import { InvalidArgumentError } from '../../src/errors.js';

/** A constraint from a predicate on (position, id); terminates after EOS or `length` tokens. */
class TestConstraint implements TokenConstraint {
  pos = 0;
  terminated = false;
  fills = 0;
  constructor(
    readonly vocab: number,
    readonly allowed: (pos: number, id: number) => boolean,
    readonly eos = -1,
    readonly length = Infinity,
  ) {}
  fillNextTokenBitmask(mask: Uint32Array): boolean {
    this.fills++;
    mask.fill(0);
    let masked = false;
    for (let id = 0; id < this.vocab; id++) {
      if (this.ok(id)) mask[id >>> 5]! |= 1 << (id & 31);
      else masked = true;
    }
    return masked;
  }
  private ok(id: number): boolean {
    if (id === this.eos) return this.pos >= this.length || this.allowed(this.pos, id);
    return this.pos < this.length && this.allowed(this.pos, id);
  }
  acceptToken(id: number): boolean {
    if (this.terminated || !this.ok(id)) return false;
    if (id === this.eos) this.terminated = true;
    else this.pos++;
    return true;
  }
  isTerminated(): boolean {
    return this.terminated;
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'constrain-gen-'));
let model: CausalLM;
beforeAll(async () => {
  const dir = writeSeededModel(join(tmp, 'tiny'), { seed: 21, arch: { hiddenSize: 32, intermediateSize: 48, numHeads: 4, numKvHeads: 2, headDim: 8, maxPositions: 64 } });
  model = await loadModel(dir, { threads: 1 });
});
afterAll(async () => {
  await model?.release();
  rmSync(tmp, { recursive: true, force: true });
});

function argmax(a: Float32Array): number {
  let b = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[b]!) b = i;
  return b;
}

describe('generate on a tiny seeded model', () => {
  test('greedy equals a hand-written argmax loop; maxTokens; continuation from unfed/present', async () => {
    const prompt = [1, 300, 301, 302];
    let r = await model.step(prompt);
    const manual: number[] = [];
    for (let i = 0; i < 12; i++) {
      const id = argmax(r.logits);
      manual.push(id);
      r = await model.step([id], r.present);
    }
    const g = await generate(model, prompt, { maxTokens: 12, eosTokenIds: [] });
    expect(g.ids).toEqual(manual);
    expect(g.finishReason).toBe('max_tokens');
    expect(g.present.length).toBe(prompt.length + 11);
    const first = await generate(model, prompt, { maxTokens: 5, eosTokenIds: [] });
    const rest = await generate(model, first.unfed, { maxTokens: 7, eosTokenIds: [], past: first.present });
    expect([...first.ids, ...rest.ids]).toEqual(manual);
  });

  test('seeded sampling is reproducible and the seed matters', async () => {
    const opts = { maxTokens: 20, temperature: 1.5, topK: 100, topP: 0.95, eosTokenIds: [] };
    const a = await generate(model, [1], { ...opts, seed: 5 });
    const b = await generate(model, [1], { ...opts, seed: 5 });
    const c = await generate(model, [1], { ...opts, seed: 6 });
    expect(a.ids).toEqual(b.ids);
    expect(a.ids).not.toEqual(c.ids);
  });

  test('constrained output obeys the constraint; lazy and eager greedy agree', async () => {
    const V = model.info.vocabSize;
    const allowed = (pos: number, id: number): boolean => id >= 3 && id % 3 === pos % 3;
    const lazyC = new TestConstraint(V, allowed, 2, 10);
    const eagerC = new TestConstraint(V, allowed, 2, 10);
    const lazy = await generate(model, [1], { constraint: lazyC, maxTokens: 50 });
    const eager = await generate(model, [1], { constraint: eagerC, maxTokens: 50, lazyMask: false });
    expect(lazy.ids).toEqual(eager.ids);
    expect(lazy.ids.length).toBe(10);
    lazy.ids.forEach((id, pos) => expect(allowed(pos, id)).toBe(true));
    expect(lazy.finishReason).toBe('eos');
    expect(lazy.eosId).toBe(2);
    expect(lazyC.isTerminated()).toBe(true);
    expect(eagerC.fills).toBe(11);
    expect(lazyC.fills).toBeLessThanOrEqual(eagerC.fills);
  });

  test('logprobs: model vs masked distributions', async () => {
    const V = model.info.vocabSize;
    const c = new TestConstraint(V, (_p, id) => id >= 100 && id < 140);
    const g = await generate(model, [1, 5], { constraint: c, maxTokens: 4, logprobs: 5, temperature: 0.7, seed: 1 });
    for (const t of g.tokens) {
      expect(t.id >= 100 && t.id < 140).toBe(true);
      expect(t.maskedLogprob).toBeGreaterThanOrEqual(t.logprob); // renormalised over fewer ids
      expect(t.maskedLogprob).toBeLessThanOrEqual(0);
      expect(t.top!.ids.length).toBe(5);
      expect(Array.from(t.maskedTop!.ids).every((id) => id >= 100 && id < 140)).toBe(true);
      const topLp = t.top!.logprobs;
      for (let i = 1; i < 5; i++) expect(topLp[i]!).toBeLessThanOrEqual(topLp[i - 1]!);
    }
    const free = await generate(model, [1, 5], { maxTokens: 2, logprobs: 3, eosTokenIds: [] });
    expect(free.tokens[0]!.logprob).toBe(free.tokens[0]!.maskedLogprob);
    expect(free.tokens[0]!.top!.ids[0]).toBe(free.ids[0]); // greedy picks the top-1
  });

  test('prefill ids are forced, fed to the constraint and the model; a rejected prefill is an error', async () => {
    const V = model.info.vocabSize;
    const c = new TestConstraint(V, (p, id) => (p < 2 ? id === 300 + p : id >= 3));
    const g = await generate(model, [1], { constraint: c, prefillIds: [300, 301], maxTokens: 5, eosTokenIds: [] });
    expect(g.ids.slice(0, 2)).toEqual([300, 301]);
    expect(g.tokens[0]!.forced).toBe(true);
    const plain = await generate(model, [1, 300, 301], { maxTokens: 3, eosTokenIds: [] });
    expect(g.ids.slice(2)).toEqual(plain.ids);
    const bad = new TestConstraint(V, (_p, id) => id === 7);
    await expect(generate(model, [1], { constraint: bad, prefillIds: [8] })).rejects.toThrow(InvalidArgumentError);
  });

  test('jump-forward accepts forced tokens and feeds them in one forward pass', async () => {
    const V = model.info.vocabSize;
    const forcedAt = new Map([[2, [300, 301, 302]], [7, [310]]]);
    class Forcing extends TestConstraint {
      forcedTokens(): number[] {
        for (const [at, f] of forcedAt) if (this.pos >= at && this.pos < at + f.length) return f.slice(this.pos - at);
        return [];
      }
    }
    const allowed = (p: number, id: number): boolean => {
      for (const [at, f] of forcedAt) if (p >= at && p < at + f.length) return id === f[p - at];
      return id >= 3;
    };
    let calls = 0;
    const counting = new Proxy(model, {
      get(t, k, r) {
        if (k === 'step') return (...a: Parameters<CausalLM['step']>) => (calls++, t.step(...a));
        return Reflect.get(t, k, r);
      },
    });
    const jumped = await generate(counting, [1], { constraint: new Forcing(V, allowed), maxTokens: 10, eosTokenIds: [], jumpForward: true });
    const jumpCalls = calls;
    calls = 0;
    const plain = await generate(counting, [1], { constraint: new Forcing(V, allowed), maxTokens: 10, eosTokenIds: [] });
    expect(jumped.ids).toEqual(plain.ids); // greedy under a constraint that allows only the forced ids
    expect(jumped.ids.slice(2, 5)).toEqual([300, 301, 302]);
    expect(jumped.tokens.map((t) => t.forced)).toEqual([false, false, true, true, true, false, false, true, false, false]);
    expect(jumpCalls).toBe(calls - 2); // 3 forced tokens in one pass instead of three
    const cont = await generate(model, jumped.unfed, { past: jumped.present, maxTokens: 1, eosTokenIds: [] });
    expect(cont.present.length).toBe(1 + 10);
  });

  test('padding ids beyond tokenizerSize are never produced', async () => {
    const g = await generate(model, [1], { maxTokens: 30, temperature: 3, seed: 2, tokenizerSize: 50, eosTokenIds: [] });
    expect(g.ids.every((id) => id < 50)).toBe(true);
  });

  test('streaming yields each token, then the result; abort stops', async () => {
    const seen: number[] = [];
    let result;
    for await (const ev of generateStream(model, [1], { maxTokens: 6, eosTokenIds: [] })) {
      if (ev.type === 'token') seen.push(ev.token.id);
      else result = ev.result;
    }
    expect(seen).toEqual(result!.ids);
    const ac = new AbortController();
    const out: number[] = [];
    let reason;
    for await (const ev of generateStream(model, [1], { maxTokens: 50, eosTokenIds: [], signal: ac.signal })) {
      if (ev.type === 'token') {
        out.push(ev.token.id);
        if (out.length === 3) ac.abort();
      } else reason = ev.result.finishReason;
    }
    expect(out.length).toBe(3);
    expect(reason).toBe('aborted');
  });

  test('stop strings end generation at the token completing the first occurrence, across token boundaries', async () => {
    const enc = new TextEncoder();
    const tokenBytes = (id: number): Uint8Array => enc.encode(`${id},`);
    const free = await generate(model, [1], { maxTokens: 20, eosTokenIds: [] });
    const text = free.ids.map((i) => `${i},`).join('');
    const starts: number[] = [];
    let acc = 0;
    for (const id of free.ids) {
      starts.push(acc);
      acc += `${id},`.length;
    }
    for (const [a, b] of [[4, 6], [10, 11], [0, 1]] as const) {
      const stop = text.slice(starts[a]! + 1, starts[b]! + 1); // from inside token a to inside token b
      const end = text.indexOf(stop) + stop.length;
      const k = starts.findIndex((st, i) => st < end && end <= st + `${free.ids[i]},`.length);
      const g = await generate(model, [1], { maxTokens: 20, eosTokenIds: [], stop: ['#never', stop], tokenBytes });
      expect(g.finishReason).toBe('stop');
      expect(g.stopString).toBe(stop);
      expect(g.ids).toEqual(free.ids.slice(0, k + 1));
    }
    await expect(generate(model, [1], { stop: ['x'] })).rejects.toThrow(/tokenBytes/);
  });

  test('context length ends generation', async () => {
    const g = await generate(model, new Array(60).fill(5), { maxTokens: 50, eosTokenIds: [] });
    expect(g.finishReason).toBe('context_length');
    expect(g.present.length).toBe(64);
  });

  test('bad options are InvalidArgumentErrors', async () => {
    await expect(generate(model, [], {})).rejects.toThrow(/empty prompt/);
    await expect(generate(model, [1], { temperature: -1 })).rejects.toThrow(/temperature/);
    await expect(generate(model, [1e9], {})).rejects.toThrow(/outside the model's vocabulary/);
  });
});

describe('lazy masking samples the masked distribution exactly', () => {
  test('first-token frequencies match p restricted to the allowed set', async () => {
    const V = 8;
    const logits = Float32Array.from([0, 1, 2, 0.5, -1, 1.5, 0, 0.2]);
    const fake = {
      info: { vocabSize: V, eosTokenIds: [], maxPositions: null },
      step: async () => ({ logits: logits.slice(), present: new KvCache([], 1) }),
    } as unknown as CausalLM;
    const allowedIds = [0, 3, 4, 7];
    const counts = new Array(V).fill(0);
    const N = 6000;
    for (let s = 0; s < N; s++) {
      const c = new TestConstraint(V, (_p, id) => allowedIds.includes(id));
      const g = await generate(fake, [0], { constraint: c, maxTokens: 1, temperature: 1, seed: s });
      counts[g.ids[0]!]++;
    }
    const z = allowedIds.reduce((a, i) => a + Math.exp(logits[i]!), 0);
    for (let i = 0; i < V; i++) {
      const p = allowedIds.includes(i) ? Math.exp(logits[i]!) / z : 0;
      expect(Math.abs(counts[i] / N - p)).toBeLessThan(0.025);
    }
  });
});
