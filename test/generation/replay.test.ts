import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { constraintHash, type ConstraintSpec } from '../../src/generation/constraint.js';
import type { Generator } from '../../src/generation/generator.js';
import { PROVENANCE_FORMAT, sha256 } from '../../src/generation/provenance.js';
import { provenanceOf, replay } from '../../src/generation/replay.js';
import { builtinGenerator } from './helpers.js';

let gen: Generator;
beforeAll(async () => {
  gen = await builtinGenerator();
});
afterAll(async () => {
  await gen?.release();
});

const spec: ConstraintSpec = { kind: 'regex', source: '[a-z]{2,6}( [a-z]{2,6}){1,4}' };

describe('provenance', () => {
  test('the record names model and tokenizer hashes, EP, dtype, sampling, seed, grammar hash and package versions', async () => {
    const r = await gen.generate({ prompt: 'Words:', constraint: spec, temperature: 2, topP: 0.9, seed: 17, maxTokens: 20 });
    const p = r.provenance;
    expect(p.format).toBe(PROVENANCE_FORMAT);
    expect(p.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.tokenizer.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.model).toMatchObject({ spec: 'builtin', ep: 'cpu', dtype: 'float32', vocabSize: gen.model.info.vocabSize });
    expect(p.request).toMatchObject({ prompt: 'Words:', seed: 17, maxTokens: 20, sampling: { temperature: 2, topK: 0, topP: 0.9, minP: 0 } });
    expect(p.grammar).toEqual({ ...spec, sha256: constraintHash(spec) });
    expect(Object.keys(p.packages)).toEqual(expect.arrayContaining(['constrain', 'onnxruntime-node', '@huggingface/tokenizers', 'node']));
    expect(p.packages['onnxruntime-node']).toMatch(/^\d+\.\d+/);
    expect(p.result.ids).toEqual(r.tokens.map((t) => t.id));
    expect(p.result.textSha256).toBe(sha256(r.text));
    expect(JSON.parse(JSON.stringify(p))).toEqual(p); // plain JSON
  });
});

describe('replay', () => {
  test('a record replays to the same output; an edited one is reported', async () => {
    const r = await gen.generate({ prompt: 'Words:', constraint: spec, temperature: 3, seed: 5, maxTokens: 30 });
    const out = await replay(JSON.parse(JSON.stringify(r.provenance)), { generator: gen });
    expect(out.matches).toBe(true);
    expect(out.result.text).toBe(r.text);
    // A --json output (record under `provenance`) is accepted too.
    expect((await replay({ text: r.text, provenance: r.provenance }, { generator: gen })).matches).toBe(true);
    const edited = structuredClone(r.provenance);
    edited.request.seed = 6;
    const diff = await replay(edited, { generator: gen });
    // Seed 6 samples differently, and replay says where.
    expect(diff.result.text).not.toBe(r.text);
    expect(diff.matches).toBe(false);
    expect(diff.differences.join(' ')).toMatch(/output ids differ from token \d+/);
    const badGrammar = structuredClone(r.provenance);
    (badGrammar.grammar as { source: string }).source = '[a-z]+';
    await expect(replay(badGrammar, { generator: gen })).rejects.toThrow(/does not match its recorded sha256/);
    const badModel = structuredClone(r.provenance);
    badModel.model.sha256 = '0'.repeat(64);
    await expect(replay(badModel, { generator: gen })).rejects.toThrow(/not the recorded model/);
  });

  test('a JSON Schema record keeps its property order and replays on a worker-thread model (overlap)', async () => {
    const json: ConstraintSpec = {
      kind: 'json-schema',
      source: JSON.stringify({ type: 'object', properties: { b: { type: 'boolean' }, a: { enum: ['x', 'yy'] } }, required: ['a', 'b'], additionalProperties: false }),
      whitespace: 'compact',
      propertyOrder: 'schema',
    };
    const r = await gen.generate({ prompt: 'JSON:', constraint: json, temperature: 1, seed: 2, maxTokens: 30, jumpForward: true });
    const v = JSON.parse(r.text) as Record<string, unknown>;
    expect(Object.keys(v)).toEqual(['b', 'a']);
    expect(['x', 'yy']).toContain(v.a);
    expect(r.provenance.grammar).toMatchObject({ propertyOrder: 'schema' });
    const { Generator } = await import('../../src/generation/generator.js');
    const w = await Generator.load('builtin', { threads: 1, overlap: true });
    try {
      const out = await replay(JSON.parse(JSON.stringify(r.provenance)), { generator: w });
      expect(out.matches).toBe(true);
      expect(out.result.text).toBe(r.text);
    } finally {
      await w.release();
    }
  });

  test('forks and regenerations are recorded and replayed', async () => {
    const g = gen.start({ prompt: 'Once', temperature: 6, seed: 3, maxTokens: 25, ignoreEos: true });
    for (let i = 0; i < 6; i++) await g.step();
    const f = g.fork({ seed: 99 });
    await f.step();
    await f.step();
    f.regenerateFrom(4, { seed: 7 });
    const r = await f.run();
    expect(r.provenance.request.history).toEqual([
      { op: 'fork', steps: 6, seed: 99 },
      { op: 'regenerate', steps: 8, k: 4, seed: 7 },
    ]);
    const out = await replay(r.provenance, { generator: gen });
    expect(out.matches).toBe(true);
    expect(out.result.text).toBe(r.text);
  });

  test('records that cannot be replayed say why', async () => {
    expect(() => provenanceOf({ format: 'other' })).toThrow(InvalidArgumentError);
    const compiled = gen.compile(spec);
    const r = await gen.generate({ prompt: 'x', constraint: compiled, maxTokens: 5 });
    expect(r.provenance.grammar).toEqual({ kind: 'compiled', sha256: null });
    await expect(replay(r.provenance, { generator: gen })).rejects.toThrow(/precompiled grammar/);
  });
});
