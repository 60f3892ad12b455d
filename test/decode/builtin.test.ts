import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, describe, expect, test } from 'vitest';
import { builtinTokenizerJson, tokenizerSize } from '../../src/decode/builtin-tokenizer.js';
import { ensureBuiltinModel, writeSeededModel } from '../../src/decode/builtin.js';
import { loadModel } from '../../src/decode/model.js';

const tmp = mkdtempSync(join(tmpdir(), 'constrain-builtin-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('built-in tokenizer', () => {
  const json = builtinTokenizerJson();
  const tok = new Tokenizer(json, { add_bos_token: true });
  test('is a valid tokenizer.json that round-trips text, with multi-character tokens', () => {
    for (const text of ['Once upon a time, the little girl said "hi".', '{"name": "Ann", "age": 30, "ok": true}', 'naïve café 😀\ttab\nnewline']) {
      const ids = tok.encode(text).ids;
      expect(ids[0]).toBe(1); // <s>
      expect(tok.decode(ids, { skip_special_tokens: true })).toBe(text);
    }
    const ids = tok.encode('{"name": true}', { add_special_tokens: false }).ids;
    expect(ids.length).toBeLessThan('{"name": true}'.length); // merges applied
  });
  test('size and layout', () => {
    const size = tokenizerSize(json);
    const vocab = (json.model as { vocab: Record<string, number> }).vocab;
    expect(Object.keys(vocab).length).toBe(size); // dense ids 0..size-1
    expect(new Set(Object.values(vocab)).size).toBe(size);
    expect(vocab['<0x41>']).toBe(3 + 0x41);
    expect(size).toBeGreaterThan(400);
  });
});

describe('built-in model', () => {
  test('ensureBuiltinModel generates once into the cache and loads; vocab matches the tokenizer', async () => {
    const cache = join(tmp, 'cache');
    const dir = await ensureBuiltinModel({ cacheDir: cache });
    expect(await ensureBuiltinModel({ cacheDir: cache })).toBe(dir);
    expect(readdirSync(cache)).toEqual([dir.split('/').pop()]);
    const m = await loadModel(dir, { threads: 1 });
    const size = tokenizerSize(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')));
    expect(m.info.vocabSize).toBe(size);
    expect(m.info).toMatchObject({ numLayers: 2, numKvHeads: 2, headDim: 16, eosTokenIds: [2], bosTokenId: 1 });
    const r = await m.step([1, 300, 301]);
    expect(r.logits.length).toBe(size);
    expect(r.logits.every(Number.isFinite)).toBe(true);
    await m.release();
  });
  test('same seed → byte-identical model.onnx', () => {
    const a = writeSeededModel(join(tmp, 'a'), { seed: 3 });
    const b = writeSeededModel(join(tmp, 'b'), { seed: 3 });
    expect(readFileSync(join(a, 'model.onnx')).equals(readFileSync(join(b, 'model.onnx')))).toBe(true);
    expect(readFileSync(join(a, 'tokenizer.json')).equals(readFileSync(join(b, 'tokenizer.json')))).toBe(true);
  });
});
