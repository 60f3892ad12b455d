import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { makeAjv } from '../generation/helpers.js';
import { describeShared, sharedPath } from '../shared.js';

let out: string;
let err: string;
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += typeof s === 'string' ? s : Buffer.from(s).toString('utf8');
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const tmp = mkdtempSync(join(tmpdir(), 'constrain-cli-gen-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function json(args: string[]): Promise<Record<string, unknown>> {
  const code = await runCli(['generate', '--threads', '1', ...args, '--json']);
  expect(code, err).toBe(0);
  return JSON.parse(out) as Record<string, unknown>;
}

type Tok = { id: number; text: string; logprob: number; top_logprobs: Array<{ id: number; text: string; logprob: number }>; masked_top_logprobs: unknown[]; forced: boolean };

describe('constrain generate', () => {
  test('--json: text, finish_reason, tokens with logprobs and forced flags, provenance; the default model is builtin', async () => {
    const j = await json(['--prompt', 'Once upon', '--max-tokens', '6', '--logprobs', '3', '--temperature', '2', '--seed', '4']);
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['text', 'finish_reason', 'tokens', 'provenance']));
    expect(j.captures).toBeUndefined();
    const tokens = j.tokens as Tok[];
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) {
      expect(Object.keys(t)).toEqual(expect.arrayContaining(['id', 'text', 'logprob', 'top_logprobs', 'masked_top_logprobs', 'forced']));
      expect(t.top_logprobs).toHaveLength(3);
      expect(t.top_logprobs[0]).toEqual({ id: expect.any(Number), text: expect.any(String), logprob: expect.any(Number) });
      expect(t.forced).toBe(false);
    }
    expect(tokens.map((t) => t.text).join('')).toBe(j.text);
    expect((j.provenance as { model: { spec: string } }).model.spec).toBe('builtin');
    // Without --json the same text is printed (streamed).
    out = '';
    expect(await runCli(['generate', '--prompt', 'Once upon', '--max-tokens', '6', '--temperature', '2', '--seed', '4'])).toBe(0);
    expect(out).toBe(`${j.text as string}\n`);
  });

  test('--regex with named groups gives captures; --prefill tokens are forced', async () => {
    const j = await json(['--prompt', 'Name:', '--regex', '(?<first>[A-Z][a-z]{1,6}) (?<last>[A-Z][a-z]{1,6})', '--prefill', 'Al', '--temperature', '3', '--seed', '2']);
    const text = j.text as string;
    expect(text).toMatch(/^Al[a-z]{0,5} [A-Z][a-z]{1,6}$/);
    expect(j.captures).toEqual({ first: text.split(' ')[0], last: text.split(' ')[1] });
    expect((j.tokens as Tok[])[0]!.forced).toBe(true);
  });

  test('--json-schema output is valid by ajv; --choices picks a line', async () => {
    const schema = { type: 'object', properties: { ok: { type: 'boolean' }, tag: { enum: ['a', 'b'] } }, required: ['ok', 'tag'], additionalProperties: false };
    const f = join(tmp, 'schema.json');
    writeFileSync(f, JSON.stringify(schema));
    const j = await json(['--prompt', 'JSON:', '--json-schema', f, '--whitespace', 'compact', '--temperature', '1', '--seed', '3']);
    expect(j.finish_reason).toBe('eos');
    expect(makeAjv().validate(schema, JSON.parse(j.text as string))).toBe(true);
    const c = join(tmp, 'choices.txt');
    writeFileSync(c, 'red\ngreen\nblue\n');
    out = '';
    const k = await json(['--prompt', 'Color:', '--choices', c, '--temperature', '4', '--seed', '1']);
    expect(['red', 'green', 'blue']).toContain(k.text);
  });

  test('--provenance writes a record that --replay reproduces; an edited record exits 1', async () => {
    const rec = join(tmp, 'rec.json');
    expect(await runCli(['generate', '--prompt', 'Hi', '--max-tokens', '12', '--temperature', '5', '--seed', '9', '--provenance', rec])).toBe(0);
    const text = out;
    out = '';
    expect(await runCli(['generate', '--replay', rec])).toBe(0);
    expect(out).toBe(text);
    const edited = JSON.parse(readFileSync(rec, 'utf8')) as { result: { ids: number[] } };
    edited.result.ids[0] = (edited.result.ids[0]! + 1) % 100;
    writeFileSync(rec, JSON.stringify(edited));
    err = '';
    expect(await runCli(['generate', '--replay', rec])).toBe(1);
    expect(err).toMatch(/output differs from the record: output ids differ from token 0/);
  });

  test('errors: --ep cuda, bad numbers, two constraints, chat without template, missing prompt', async () => {
    expect(await runCli(['generate', '--prompt', 'x', '--ep', 'cuda'])).toBe(2);
    expect(err).toMatch(/^error: .*CUDA execution provider.*ONNXRUNTIME_NODE_INSTALL=cuda12/);
    err = '';
    expect(await runCli(['generate', '--prompt', 'x', '--temperature', 'hot'])).toBe(2);
    expect(err).toBe('error: --temperature must be a number, got "hot"\n');
    err = '';
    expect(await runCli(['generate', '--prompt', 'x', '--regex', 'a', '--grammar', 'g.gbnf'])).toBe(2);
    expect(err).toMatch(/at most one of/);
    const msgs = join(tmp, 'msgs.json');
    writeFileSync(msgs, JSON.stringify([{ role: 'user', content: 'hi' }]));
    err = '';
    expect(await runCli(['generate', '--messages', msgs])).toBe(2);
    expect(err).toMatch(/no chat_template/);
    err = '';
    expect(await runCli(['generate'])).toBe(2);
    expect(err).toMatch(/give one of --prompt TEXT and --messages FILE/);
  });
});

describe('constrain bench e2e and convert-llama2c', () => {
  test('bench e2e --json: one row per case with tokens/s and forced share', async () => {
    expect(await runCli(['bench', 'e2e', '--max-tokens', '6', '--runs', '1', '--json'])).toBe(0);
    const s = JSON.parse(out.trim().split('\n').at(-1)!) as { bench: string; rows: Array<Record<string, number | string>> };
    expect(s.bench).toBe('e2e');
    expect(s.rows.map((r) => r.case)).toEqual(['unconstrained', 'json-schema', 'json-schema+jump', 'regex', 'regex+jump', 'gbnf', 'gbnf+jump']);
    for (const r of s.rows) {
      expect(r.tokens_per_s as number).toBeGreaterThan(0);
      expect(r.forced_share as number).toBeGreaterThanOrEqual(0);
    }
    expect(s.rows.find((r) => r.case === 'gbnf+jump')!.forced as number).toBeGreaterThan(0);
  });

  test('convert-llama2c: a missing checkpoint is a clear error', async () => {
    expect(await runCli(['convert-llama2c', '--checkpoint', join(tmp, 'nope.bin'), '--tokenizer', tmp, '--out', join(tmp, 'm')])).toBe(2);
    expect(err).toMatch(/nope\.bin.*not found/);
  });
});

describeShared('models/stories260K/stories260K.bin', 'stories260K through the CLI', () => {
  test('convert, then generate greedily: the expected story; JSON-constrained output valid', async () => {
    const dir = join(tmp, 's260k');
    expect(await runCli(['convert-llama2c', '--checkpoint', sharedPath('models/stories260K/stories260K.bin'), '--tokenizer', sharedPath('models/stories260K'), '--out', dir])).toBe(0);
    const expected = JSON.parse(readFileSync(sharedPath('models/stories260K/expected_greedy.json'), 'utf8')) as Record<string, { prompt_ids: number[]; generated_ids: number[]; text: string }>;
    const e = expected.once_upon_a_time!;
    out = '';
    const j = await json(['--model', dir, '--prompt', 'Once upon a time', '--max-tokens', String(e.generated_ids.length)]);
    expect((j.provenance as { result: { promptIds: number[] } }).result.promptIds).toEqual(e.prompt_ids);
    expect((j.tokens as Tok[]).map((t) => t.id)).toEqual(e.generated_ids);
    expect(j.text).toBe(e.text);
    const schema = { type: 'object', properties: { name: { type: 'string', maxLength: 10 }, happy: { type: 'boolean' } }, required: ['name', 'happy'], additionalProperties: false };
    const f = join(tmp, 's.json');
    writeFileSync(f, JSON.stringify(schema));
    for (const seed of ['1', '2', '3']) {
      out = '';
      const k = await json(['--model', dir, '--prompt', 'Lily said', '--json-schema', f, '--whitespace', 'compact', '--temperature', '1', '--seed', seed, '--max-tokens', '200']);
      expect(k.finish_reason).toBe('eos');
      expect(makeAjv().validate(schema, JSON.parse(k.text as string))).toBe(true);
    }
  }, 30_000);
});
