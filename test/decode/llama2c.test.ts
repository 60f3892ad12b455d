import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convertLlama2c, permuteRopeRows, readLlama2c } from '../../src/decode/llama2c.js';
import { generate } from '../../src/decode/generate.js';
import { loadModel, type CausalLM } from '../../src/decode/model.js';
import { describeShared, sharedPath } from '../shared.js';
import { Rng } from '../../src/sampling/prng.js';
import { ModelLoadError } from '../../src/errors.js';

function argmax(a: Float32Array): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

async function greedy(model: CausalLM, prompt: number[], n: number): Promise<number[]> {
  let r = await model.step(prompt, null);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const id = argmax(r.logits);
    out.push(id);
    if (i + 1 < n) r = await model.step([id], r.present);
  }
  return out;
}

describe('permuteRopeRows', () => {
  test('interleaved pairs become halves within each head', () => {
    // 2 heads of width 4, 1 column: rows are their own indices.
    const w = Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(permuteRopeRows(w, 2, 4, 1))).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });
});

/** Writes a synthetic llama2.c checkpoint (legacy or version 1) with seeded random weights; returns the raw arrays. */
function writeCheckpoint(path: string, version: 0 | 1, shared: boolean): Record<string, Float32Array> {
  const [dim, hidden, layers, heads, kvHeads, vocab, seqLen] = [8, 12, 2, 2, 1, 20, 16];
  const hd = dim / heads;
  const rng = new Rng(99);
  const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.nextFloat() - 0.5);
  const t: Record<string, Float32Array> = {
    emb: rand(vocab * dim), rmsAtt: rand(layers * dim), wq: rand(layers * dim * dim), wk: rand(layers * kvHeads * hd * dim),
    wv: rand(layers * kvHeads * hd * dim), wo: rand(layers * dim * dim), rmsFfn: rand(layers * dim), w1: rand(layers * hidden * dim),
    w2: rand(layers * dim * hidden), w3: rand(layers * hidden * dim), rmsFinal: rand(dim), cos: rand((seqLen * hd) / 2),
    sin: rand((seqLen * hd) / 2), wcls: rand(vocab * dim),
  };
  const hdr = new Int32Array([dim, hidden, layers, heads, kvHeads, shared || version === 1 ? vocab : -vocab, seqLen]);
  const parts: Uint8Array[] = [];
  const f = (a: Float32Array): void => void parts.push(new Uint8Array(a.buffer));
  if (version === 0) {
    parts.push(new Uint8Array(hdr.buffer));
    for (const k of ['emb', 'rmsAtt', 'wq', 'wk', 'wv', 'wo', 'rmsFfn', 'w1', 'w2', 'w3', 'rmsFinal', 'cos', 'sin']) f(t[k]!);
  } else {
    const head = new Uint8Array(256);
    const dv = new DataView(head.buffer);
    dv.setUint32(0, 0x616b3432, true);
    dv.setInt32(4, 1, true);
    head.set(new Uint8Array(hdr.buffer), 8);
    head[36] = shared ? 1 : 0;
    parts.push(head);
    for (const k of ['rmsAtt', 'rmsFfn', 'rmsFinal', 'emb', 'wq', 'wk', 'wv', 'wo', 'w1', 'w2', 'w3']) f(t[k]!);
  }
  if (!shared) f(t.wcls!);
  writeFileSync(path, Buffer.concat(parts));
  return t;
}

describe('llama2c reader on synthetic checkpoints', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'constrain-l2c-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  for (const [version, shared] of [[0, true], [0, false], [1, true], [1, false]] as const) {
    test(`version ${version}, ${shared ? 'tied' : 'untied'} classifier`, () => {
      const file = join(tmp, `v${version}${shared}.bin`);
      const t = writeCheckpoint(file, version, shared);
      const c = readLlama2c(file);
      expect(c.version).toBe(version);
      expect(c.config).toMatchObject({ hiddenSize: 8, intermediateSize: 12, numLayers: 2, numHeads: 2, numKvHeads: 1, headDim: 4, vocabSize: 20, maxPositions: 16, tieWordEmbeddings: shared });
      expect(c.weights.embed).toEqual(t.emb);
      expect(c.weights.layers[1]!.down).toEqual(t.w2!.slice(8 * 12, 16 * 12));
      expect(c.weights.layers[1]!.q).toEqual(permuteRopeRows(t.wq!.slice(64, 128), 2, 4, 8));
      expect(c.weights.layers[0]!.k).toEqual(permuteRopeRows(t.wk!.slice(0, 32), 1, 4, 8));
      expect(c.weights.finalNorm).toEqual(t.rmsFinal);
      expect(c.weights.lmHead).toEqual(shared ? undefined : t.wcls);
      expect(c.weights.rope?.cos).toEqual(version === 0 ? t.cos : undefined);
    });
  }
  test('truncated and oversized files name the problem', () => {
    const file = join(tmp, 'v0.bin');
    writeCheckpoint(file, 0, true);
    const full = readFileSync(file);
    writeFileSync(join(tmp, 'short.bin'), full.subarray(0, full.length - 10));
    expect(() => readLlama2c(join(tmp, 'short.bin'))).toThrow(/truncated: freq_cis_imag/);
    writeFileSync(join(tmp, 'long.bin'), Buffer.concat([full, Buffer.alloc(8)]));
    expect(() => readLlama2c(join(tmp, 'long.bin'))).toThrow(/8 unexpected trailing bytes/);
    expect(() => readLlama2c(join(tmp, 'none.bin'))).toThrow(ModelLoadError);
    expect(() => convertLlama2c(file, join(tmp, 'out'), { tokenizer: join(tmp, 'no-tokenizer') })).toThrow(/tokenizer\.json not found/);
  });
});

describeShared('models/stories260K/stories260K.bin', 'stories260K conversion', () => {
  let dir: string;
  let model: CausalLM;
  let expected: Record<string, { prompt_ids: number[]; generated_ids: number[] }>;
  beforeAll(async () => {
    // Read here, not at collection time: describe.skip still runs this callback.
    expected = JSON.parse(readFileSync(sharedPath('models/stories260K/expected_greedy.json'), 'utf8'));
    dir = mkdtempSync(join(tmpdir(), 'constrain-stories-'));
    convertLlama2c(sharedPath('models/stories260K/stories260K.bin'), dir, { tokenizer: sharedPath('models/stories260K') });
    model = await loadModel(dir, { threads: 1 });
  });
  afterAll(async () => {
    await model?.release();
    rmSync(dir, { recursive: true, force: true });
  });

  test('header matches FORMAT.md', () => {
    const c = readLlama2c(sharedPath('models/stories260K/stories260K.bin')).config;
    expect(c).toMatchObject({ hiddenSize: 64, intermediateSize: 172, numLayers: 5, numHeads: 8, numKvHeads: 4, vocabSize: 512, maxPositions: 512, tieWordEmbeddings: true });
  });

  test('model directory has the expected files and I/O', () => {
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(cfg.num_key_value_heads).toBe(4);
    expect(model.info).toMatchObject({ numLayers: 5, numKvHeads: 4, headDim: 8, vocabSize: 512, kvType: 'float32', hasPositionIds: true });
    expect(model.info.eosTokenIds).toEqual([2, 1]);
    expect(readFileSync(join(dir, 'tokenizer.json'))).toEqual(readFileSync(sharedPath('models/stories260K/tokenizer.json')));
  });

  for (const key of ['bos_only', 'once_upon_a_time']) {
    test(`greedy ids reproduce expected_greedy.json (${key})`, async () => {
      const e = expected[key]!;
      expect(e, `${key} in expected_greedy.json`).toBeDefined();
      const got = await greedy(model, e.prompt_ids, e.generated_ids.length);
      expect(got).toEqual(e.generated_ids);
    });
  }

  test('generate() (greedy, default EOS ids [2, 1]) reproduces the BOS-only sample', async () => {
    const e = expected.bos_only!;
    const g = await generate(model, e.prompt_ids, { maxTokens: e.generated_ids.length });
    expect(g.ids).toEqual(e.generated_ids);
    expect(g.finishReason).toBe('max_tokens');
  });
});
