import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ort from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { ExecutionProviderError, ModelLoadError } from '../../src/errors.js';
import { halfToFloat32, float32ToHalf } from '../../src/decode/fp16.js';
import { buildLlamaOnnx, llamaConfigJson, randomLlamaWeights, type LlamaBuildOptions, type LlamaConfig, type LlamaWeights } from '../../src/decode/llama-builder.js';
import { loadModel } from '../../src/decode/model.js';
import { referenceLogits } from './reference.js';
import { describeShared, sharedPath } from '../shared.js';

const tmp = mkdtempSync(join(tmpdir(), 'constrain-model-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const base: LlamaConfig = {
  vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4,
  maxPositions: 32, rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: true,
};

let n = 0;
/** Writes a model dir and returns it. */
function writeModel(c: LlamaConfig, w: LlamaWeights, opts: LlamaBuildOptions = {}, sub = 'model.onnx'): string {
  const dir = join(tmp, `m${n++}`);
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  const enc = buildLlamaOnnx(c, w, opts);
  writeFileSync(join(dir, sub), enc.model);
  if (enc.externalData) writeFileSync(join(dir, sub.replace(/[^/]*$/, enc.externalDataFile)), enc.externalData);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(llamaConfigJson(c, { bos: 1, eos: 2 })));
  return dir;
}

/** Max |a - b| / (1 + |b|) over all entries. */
function maxRelErr(a: Float32Array, rows: Float64Array[]): number {
  let e = 0;
  const V = rows[0]!.length;
  rows.forEach((r, i) => r.forEach((b, j) => (e = Math.max(e, Math.abs(a[i * V + j]! - b) / (1 + Math.abs(b))))));
  return e;
}

const ids = [1, 7, 3, 39, 12, 5, 22, 8];
const variants: Array<[string, Partial<LlamaConfig>]> = [
  ['GQA tied', {}],
  ['MHA untied', { numKvHeads: 4, tieWordEmbeddings: false }],
  ['MQA, 3 layers, wide FFN', { numKvHeads: 1, numLayers: 3, intermediateSize: 40 }],
];

describe('Llama graph vs reference forward pass', () => {
  for (const [name, over] of variants) {
    test(name, async () => {
      const c = { ...base, ...over };
      const w = randomLlamaWeights(c, 7);
      const m = await loadModel(writeModel(c, w), { threads: 1 });
      const ref = referenceLogits(c, w, ids);
      // Prefill of all ids at once.
      const full = await m.forward(ids);
      expect(maxRelErr(full.logits, ref)).toBeLessThan(1e-4);
      // Prefill of 3, then one token at a time through the KV cache.
      let r = await m.step(ids.slice(0, 3));
      expect(maxRelErr(r.logits, [ref[2]!])).toBeLessThan(1e-4);
      for (let i = 3; i < ids.length; i++) {
        r = await m.step([ids[i]!], r.present);
        expect(r.present.length).toBe(i + 1);
        expect(maxRelErr(r.logits, [ref[i]!])).toBeLessThan(1e-4);
      }
      await m.release();
    });
  }

  test('model without position_ids input', async () => {
    const w = randomLlamaWeights(base, 8);
    const m = await loadModel(writeModel(base, w, { positionIds: false }));
    expect(m.info.hasPositionIds).toBe(false);
    const ref = referenceLogits(base, w, ids.slice(0, 5));
    let r = await m.step(ids.slice(0, 2));
    for (let i = 2; i < 5; i++) r = await m.step([ids[i]!], r.present);
    expect(maxRelErr(r.logits, [ref[4]!])).toBeLessThan(1e-4);
    await m.release();
  });

  test('fp16 storage: Uint16Array I/O, float32 logits close to the reference on fp16-rounded weights', async () => {
    const w = randomLlamaWeights(base, 9);
    const round = (a: Float32Array): Float32Array => halfToFloat32(float32ToHalf(a));
    const wr: LlamaWeights = {
      embed: round(w.embed), finalNorm: round(w.finalNorm),
      layers: w.layers.map((l) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, round(v)])) as unknown as LlamaWeights['layers'][0]),
    };
    const dir = writeModel(base, w, { dtype: 'float16' }, 'onnx/model_fp16.onnx');
    const m = await loadModel(dir);
    expect(m.info.file.endsWith('onnx/model_fp16.onnx')).toBe(true);
    expect(m.info).toMatchObject({ kvType: 'float16', logitsType: 'float16' });
    let r = await m.step(ids.slice(0, 4));
    expect(r.present.tensors[0]!.data).toBeInstanceOf(Uint16Array);
    const cut = r.present.truncate(2);
    expect(cut.tensors[1]!.type).toBe('float16');
    // [1, kv=2, 4 positions, D=4] → first 2 positions of each head: elements 0..7 and 16..23.
    const full = Array.from(r.present.tensors[1]!.data as Uint16Array);
    expect(Array.from(cut.tensors[1]!.data as Uint16Array)).toEqual([...full.slice(0, 8), ...full.slice(16, 24)]);
    r = await m.step([ids[4]!], r.present);
    expect(r.logits).toBeInstanceOf(Float32Array);
    expect(maxRelErr(r.logits, [referenceLogits(base, wr, ids.slice(0, 5))[4]!])).toBeLessThan(2e-2);
    await m.release();
  });

  test('external data file loads and gives the same logits as inline weights', async () => {
    const w = randomLlamaWeights(base, 10);
    const inline = await loadModel(writeModel(base, w));
    const ext = await loadModel(writeModel(base, w, { encode: { externalDataThreshold: 256 } }));
    const a = await inline.forward(ids), b = await ext.forward(ids);
    expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
    await inline.release();
    await ext.release();
  });
});

describe('graph semantics beyond the batch-1 loader', () => {
  test('batch 2 with left padding: the padded row equals the unpadded sequence', async () => {
    const w = randomLlamaWeights(base, 13);
    const m = await loadModel(writeModel(base, w));
    const i64 = (a: number[], dims: number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(a.map(BigInt)), dims);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: i64([0, 0, 5, 6, 7, 8, 9, 10], [2, 4]),
      attention_mask: i64([0, 0, 1, 1, 1, 1, 1, 1], [2, 4]),
      position_ids: i64([0, 0, 0, 1, 0, 1, 2, 3], [2, 4]),
    };
    for (let l = 0; l < 2; l++) for (const k of ['key', 'value']) feeds[`past_key_values.${l}.${k}`] = new ort.Tensor('float32', new Float32Array(0), [2, 2, 0, 4]);
    const out = await m.session.run(feeds);
    const logits = out.logits!.data as Float32Array;
    const V = base.vocabSize;
    const row0 = logits.slice(3 * V, 4 * V); // batch 0, last position
    const row1 = logits.slice(7 * V, 8 * V);
    expect(maxRelErr(row0, [referenceLogits(base, w, [5, 6])[1]!])).toBeLessThan(1e-4);
    expect(maxRelErr(row1, [referenceLogits(base, w, [7, 8, 9, 10])[3]!])).toBeLessThan(1e-4);
    await m.release();
  });
});

describe('KV cache', () => {
  test('truncate rolls back, fork branches independently', async () => {
    const w = randomLlamaWeights(base, 11);
    const m = await loadModel(writeModel(base, w), { threads: 1 });
    const ref = referenceLogits(base, w, [1, 4, 5, 6]);
    const refB = referenceLogits(base, w, [1, 4, 9]);
    const r2 = await m.step([1, 4, 5]);
    const branch = r2.present.fork();
    const rolled = r2.present.truncate(2);
    expect(rolled.length).toBe(2);
    expect(rolled.tensors[0]!.dims).toEqual([1, 2, 2, 4]);
    const a = await m.step([6], r2.present);
    const b = await m.step([9], rolled);
    const again = await m.step([6], branch);
    expect(maxRelErr(a.logits, [ref[3]!])).toBeLessThan(1e-4);
    expect(maxRelErr(b.logits, [refB[2]!])).toBeLessThan(1e-4);
    expect(Array.from(again.logits)).toEqual(Array.from(a.logits));
    expect(() => r2.present.truncate(4)).toThrow(/0\.\.3/);
    await m.release();
  });

  test('positions beyond max_position_embeddings are a LimitExceededError', async () => {
    const m = await loadModel(writeModel(base, randomLlamaWeights(base, 12)));
    await expect(m.step(new Array(33).fill(3))).rejects.toThrow(/maxPositions=32/);
    await m.release();
  });
});

describe('seeded weights', () => {
  test('same seed gives byte-identical files, another seed differs', () => {
    const a = buildLlamaOnnx(base, randomLlamaWeights(base, 5)).model;
    const b = buildLlamaOnnx(base, randomLlamaWeights(base, 5)).model;
    const c = buildLlamaOnnx(base, randomLlamaWeights(base, 6)).model;
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });
});

describe('loadModel errors', () => {
  test('a folder that is not a model names what is missing', async () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir, { recursive: true });
    await expect(loadModel(dir)).rejects.toThrow(ModelLoadError);
    await expect(loadModel(dir)).rejects.toThrow(/no model\.onnx and no onnx\/model\*\.onnx/);
    await expect(loadModel(join(tmp, 'nope'))).rejects.toThrow(/model directory not found/);
  });

  test('a corrupt model.onnx is a ModelLoadError', async () => {
    const dir = join(tmp, 'corrupt');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), 'not a protobuf');
    await expect(loadModel(dir)).rejects.toThrow(ModelLoadError);
  });

  test('a bad config.json names the file', async () => {
    const dir = writeModel(base, randomLlamaWeights(base, 1));
    writeFileSync(join(dir, 'config.json'), '{');
    await expect(loadModel(dir)).rejects.toThrow(/config\.json: not valid JSON/);
  });

  test("ep 'cuda' never falls back to CPU silently", async () => {
    const dir = writeModel(base, randomLlamaWeights(base, 1));
    try {
      const m = await loadModel(dir, { ep: 'cuda' });
      expect(m.info.ep).toBe('cuda'); // a machine with the CUDA provider installed
      await m.release();
    } catch (e) {
      expect(e).toBeInstanceOf(ExecutionProviderError);
      expect((e as Error).message).toContain('ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node');
    }
  });
});

describeShared('models/tiny-random-llama-fp16-onnx/model.onnx', 'tiny-random-llama fp16 fixture (Optimum/genai export)', () => {
  test('loads from genai_config + session metadata and runs fp16 steps with a KV cache', async () => {
    const m = await loadModel(sharedPath('models/tiny-random-llama-fp16-onnx'), { threads: 1 });
    expect(m.info).toMatchObject({ numLayers: 2, numKvHeads: 1, headDim: 16, vocabSize: 32000, kvType: 'float16', logitsType: 'float16', hasPositionIds: true });
    const r = await m.step([1, 450, 4996]);
    expect(r.logits).toBeInstanceOf(Float32Array);
    expect(r.logits.length).toBe(32000);
    expect(r.logits.every(Number.isFinite)).toBe(true);
    expect(r.present.tensors[0]!.dims).toEqual([1, 1, 3, 16]);
    // The cache path agrees with a full recompute (fp16 tolerance).
    const next = await m.step([29871], r.present);
    const full = await m.step([1, 450, 4996, 29871]);
    let err = 0;
    for (let i = 0; i < 32000; i++) err = Math.max(err, Math.abs(next.logits[i]! - full.logits[i]!));
    expect(err).toBeLessThan(1e-2);
    await m.release();
  });
});
