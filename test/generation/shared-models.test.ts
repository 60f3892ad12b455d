/** The generation API on the shared 32k-vocabulary fixture: chat template, prefill and forced tokens with a real SentencePiece tokenizer. */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { readChatTemplateConfig, renderChat } from '../../src/generation/chat.js';
import { Generator } from '../../src/generation/generator.js';
import { describeShared, sharedPath } from '../shared.js';
import { makeAjv } from './helpers.js';

const FIXTURE = 'models/tiny-random-llama-fp16-onnx';

describeShared(`${FIXTURE}/model.onnx`, 'tiny-random-llama-fp16-onnx (32k Llama-2 vocabulary)', () => {
  let gen: Generator;
  beforeAll(async () => {
    gen = await Generator.load(sharedPath(FIXTURE), { threads: 1 });
  });
  afterAll(async () => {
    await gen?.release();
  });

  test('the Llama-2 chat template renders as Hugging Face does; its raise_exception is an InvalidArgumentError', () => {
    const cfg = readChatTemplateConfig(sharedPath(FIXTURE));
    expect(cfg.bosToken).toBe('<s>');
    expect(renderChat(cfg, [{ role: 'user', content: 'hi' }])).toBe('<s>[INST] hi [/INST]');
    expect(renderChat(cfg, [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'hi' }])).toBe('<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nhi [/INST]');
    expect(() => renderChat(cfg, [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }])).toThrow(InvalidArgumentError);
    expect(() => renderChat(cfg, [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }])).toThrow(/Conversation roles must alternate/);
  });

  test('chat messages: BOS comes from the template, not added twice', async () => {
    const r = await gen.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 2 });
    expect(r.provenance.result.promptIds).toEqual(gen.vocab.encode('<s>[INST] hi [/INST]'));
    expect(r.provenance.result.promptIds.filter((id) => id === 1)).toHaveLength(1);
  });

  test('prefill after a prompt spells exactly the prefill (no dummy-prefix space)', async () => {
    for (const prefill of ['{"a', ' The', 'x', 'héllo']) {
      const r = await gen.generate({ prompt: 'Q: give JSON. A:', prefill, maxTokens: 1 });
      const pre = r.tokens.filter((t) => t.forced).map((t) => Buffer.from(gen.vocab.tokenBytes(t.id)));
      expect(Buffer.concat(pre).toString('utf8')).toBe(prefill);
    }
  });

  test('jump-forward with a SentencePiece vocabulary: forced tokens, valid JSON and regex outputs', async () => {
    const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 8 }, ok: { type: 'boolean' } }, required: ['name', 'ok'], additionalProperties: false };
    for (const seed of [1, 2]) {
      const r = await gen.generate({ prompt: 'JSON:', constraint: { kind: 'json-schema', source: JSON.stringify(schema), whitespace: 'compact' }, jumpForward: true, temperature: 1, seed, maxTokens: 200 });
      expect(r.finishReason).toBe('eos');
      expect(makeAjv().validate(schema, JSON.parse(r.text))).toBe(true);
    }
    const re = 'Name: [A-Z][a-z]{1,8}, age: [0-9]{1,2}\\.';
    const r = await gen.generate({ prompt: 'Person:', constraint: { kind: 'regex', source: re }, jumpForward: true, temperature: 1, seed: 3, logprobs: 2 });
    expect(r.text).toMatch(new RegExp(`^${re}$`));
    expect(r.tokens.filter((t) => t.forced).length).toBeGreaterThan(2);
    for (const t of r.tokens.filter((x) => x.forced)) expect(t.logprob).toBeLessThanOrEqual(0);
  });
});

describeShared(`${FIXTURE}/model.onnx`, 'overlap on the fp16 32k fixture (which refuses several tokens after a past)', () => {
  test('same tokens with the model in a worker, jump-forward and logprobs included', async () => {
    const plain = await Generator.load(sharedPath(FIXTURE), { threads: 1 });
    const worker = await Generator.load(sharedPath(FIXTURE), { threads: 1, overlap: true });
    try {
      const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 8 }, ok: { type: 'boolean' } }, required: ['name', 'ok'], additionalProperties: false };
      const constraint = { kind: 'json-schema' as const, source: JSON.stringify(schema), whitespace: 'compact' as const, propertyOrder: 'schema' as const };
      for (const req of [
        { prompt: 'JSON:', constraint, jumpForward: true, temperature: 1, seed: 3, maxTokens: 60 },
        { prompt: 'JSON:', constraint, jumpForward: true, maxTokens: 60, logprobs: 2 },
        { prompt: 'Hi', temperature: 0.9, seed: 1, maxTokens: 12, ignoreEos: true },
      ]) {
        const a = await plain.generate(req);
        const b = await worker.generate(req);
        expect(b.tokens).toEqual(a.tokens);
        expect(b.text).toBe(a.text);
        expect(b.finishReason).toBe(a.finishReason);
      }
    } finally {
      await plain.release();
      await worker.release();
    }
  });
});
