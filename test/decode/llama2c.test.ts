import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convertLlama2c, permuteRopeRows, readLlama2c } from '../../src/decode/llama2c.js';
import { generate } from '../../src/decode/generate.js';
import { loadModel, type CausalLM } from '../../src/decode/model.js';
import { describeShared, sharedPath } from '../shared.js';

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

describeShared('models/stories260K/stories260K.bin', 'stories260K conversion', () => {
  let dir: string;
  let model: CausalLM;
  const expected = JSON.parse(readFileSync(sharedPath('models/stories260K/expected_greedy.json'), 'utf8')) as Record<
    string,
    { prompt_ids: number[]; generated_ids: number[] }
  >;
  beforeAll(async () => {
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
