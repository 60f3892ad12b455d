import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuiltinModel } from '../../src/decode/builtin.js';
import { buildLlamaOnnx, llamaConfigJson, randomLlamaWeights, type LlamaBuildOptions, type LlamaConfig } from '../../src/decode/llama-builder.js';
import { loadModel, type CausalLM } from '../../src/decode/model.js';
import { WorkerLM } from '../../src/decode/worker-model.js';
import { InvalidArgumentError, ModelLoadError } from '../../src/errors.js';

const tmp = mkdtempSync(join(tmpdir(), 'constrain-worker-'));
let dir: string;
let here: CausalLM;
let there: WorkerLM;

beforeAll(async () => {
  dir = await ensureBuiltinModel();
  here = await loadModel(dir, { threads: 1 });
  there = await WorkerLM.load(dir, { threads: 1 });
});
afterAll(async () => {
  await here?.release();
  await there?.release();
  rmSync(tmp, { recursive: true, force: true });
});

function expectSame(a: Float32Array, b: Float32Array): void {
  expect(b.length).toBe(a.length);
  let diff = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) diff++;
  expect(diff).toBe(0);
}

describe('WorkerLM: the model in a worker thread', () => {
  test('same info and bit-identical logits as the in-thread model (prompt, step, fork, truncate, all rows)', async () => {
    expect(there.info).toEqual(here.info);
    const a = await here.step([1, 5, 9, 30]);
    const b = await there.step([1, 5, 9, 30]);
    expectSame(a.logits, b.logits);
    // Two branches from the same cache.
    const a1 = await here.step([7], a.present.fork());
    const b1 = await there.step([7], b.present.fork());
    const a2 = await here.step([8], a.present);
    const b2 = await there.step([8], b.present);
    expectSame(a1.logits, b1.logits);
    expectSame(a2.logits, b2.logits);
    // Truncate, then several rows.
    const at = a1.present.truncate(2);
    const bt = b1.present.truncate(2);
    expect(bt.length).toBe(2);
    const a3 = await here.forward([11, 12, 13], at);
    const b3 = await there.forward([11, 12, 13], bt);
    expectSame(a3.logits, b3.logits);
    expect(b3.present.length).toBe(5);
  });

  test('begin/wait: the JS thread works while the model runs; one pass at a time', async () => {
    const p = there.begin([1, 2, 3], null, false);
    expect(() => there.begin([4], null, false)).toThrow(InvalidArgumentError);
    let x = 0;
    for (let i = 0; i < 1000; i++) x += i;
    const r = p.wait();
    expect(x).toBe(499500);
    expectSame((await here.step([1, 2, 3])).logits, r.logits);
    expect(() => p.wait()).toThrow(InvalidArgumentError);
  });

  test('typed errors: missing directory, a file that is not ONNX; a model error surfaces from wait', async () => {
    await expect(WorkerLM.load(join(tmp, 'nope'))).rejects.toThrow(ModelLoadError);
    const bad = join(tmp, 'bad.onnx');
    writeFileSync(bad, 'not a model');
    await expect(WorkerLM.load(bad)).rejects.toThrow(ModelLoadError);
    // An id out of range fails inside the session; the worker stays usable.
    expect(() => there.begin([1_000_000], null, false).wait()).toThrow(/onnxruntime/);
    const ok = await there.step([1, 2]);
    expectSame((await here.step([1, 2])).logits, ok.logits);
  });

  test('fp16, no position_ids, external data: the same as in this thread', async () => {
    const c: LlamaConfig = {
      vocabSize: 40, hiddenSize: 16, intermediateSize: 24, numLayers: 2, numHeads: 4, numKvHeads: 2, headDim: 4,
      maxPositions: 32, rmsNormEps: 1e-5, ropeTheta: 10000, tieWordEmbeddings: true,
    };
    const variants: LlamaBuildOptions[] = [{ dtype: 'float16' }, { positionIds: false }, { encode: { externalDataThreshold: 256 } }];
    for (const [i, opts] of variants.entries()) {
      const d = join(tmp, `v${i}`);
      mkdirSync(d, { recursive: true });
      const enc = buildLlamaOnnx(c, randomLlamaWeights(c, 3), opts);
      writeFileSync(join(d, 'model.onnx'), enc.model);
      if (enc.externalData) writeFileSync(join(d, enc.externalDataFile), enc.externalData);
      writeFileSync(join(d, 'config.json'), JSON.stringify(llamaConfigJson(c, { bos: 1, eos: 2 })));
      const a = await loadModel(d, { threads: 1 });
      const b = await WorkerLM.load(d, { threads: 1 });
      try {
        expect(b.info).toEqual(a.info);
        const ra = await a.step([1, 4, 9]);
        const rb = await b.step([1, 4, 9]);
        expectSame(ra.logits, rb.logits);
        expectSame((await a.forward([3, 5], ra.present)).logits, (await b.forward([3, 5], rb.present)).logits);
      } finally {
        await a.release();
        await b.release();
      }
    }
  });

  test('a worker that stopped is reported, not waited for', async () => {
    const w = await WorkerLM.load(dir, { threads: 1 });
    await (w as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    expect(() => w.begin([1], null, false).wait()).toThrow(/stopped/);
  });

  test('release stops the worker; later calls throw', async () => {
    const w = await WorkerLM.load(dir, { threads: 1 });
    await w.step([1]);
    await w.release();
    expect(() => w.begin([1], null, false)).toThrow(InvalidArgumentError);
  });
});
