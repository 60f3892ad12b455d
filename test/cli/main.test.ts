import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildProgram, runCli } from '../../src/cli/main.js';
import { InvalidArgumentError } from '../../src/errors.js';

let out: string;
let err: string;
beforeEach(() => {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err += String(s);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

describe('constrain CLI', () => {
  it('prints the package version', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toBe(0);
    expect(out.trim()).toBe(pkg.version);
  });

  it('prints help listing the vocab command', async () => {
    expect(await runCli(['--help'])).toBe(0);
    expect(out).toMatch(/Usage: constrain/);
    expect(out).toMatch(/vocab/);
  });

  it('exits 2 on usage errors', async () => {
    expect(await runCli(['no-such-command'])).toBe(2);
    expect(err).toMatch(/unknown command/);
    expect(await runCli(['vocab'])).toBe(2);
    expect(err).toMatch(/required option '--tokenizer <name\|path>' not specified/);
  });

  it('prints typed errors without a stack and exits 2', async () => {
    expect(await runCli(['vocab', '--tokenizer', 'llama9'])).toBe(2);
    expect(err).toBe('error: llama9: unknown tokenizer name and no such file (known names: llama3.1, llama3, qwen3, gemma3, llama2, gpt-oss, deepseek-v3)\n');
    const program = buildProgram();
    program.command('fail-typed').action(() => {
      throw new InvalidArgumentError('bad --foo');
    });
    err = '';
    expect(await runCli(['fail-typed'], program)).toBe(2);
    expect(err).toBe('error: bad --foo\n');
  });

  it('prints the stack of unexpected errors and exits 70', async () => {
    const program = buildProgram();
    program.command('fail').action(() => {
      throw new TypeError('boom');
    });
    expect(await runCli(['fail'], program)).toBe(70);
    expect(err).toMatch(/^TypeError: boom\n\s+at /);
  });

  it('returns the exit code a command sets', async () => {
    const program = buildProgram();
    program.command('reject').action(() => {
      process.exitCode = 1;
    });
    expect(await runCli(['reject'], program)).toBe(1);
    expect(process.exitCode).toBeUndefined();
  });
});

describe('constrain vocab', () => {
  it('reports a vocabulary as JSON', async () => {
    expect(await runCli(['vocab', '--tokenizer', 'llama2', '--json'])).toBe(0);
    const r = JSON.parse(out.trim().split('\n').pop()!);
    expect(r).toMatchObject({
      name: 'llama2', kind: 'sentencepiece', size: 32000, tokenizerSize: 32000, eosIds: [2], bosId: 1,
      special: { count: 3, first: [{ id: 0, text: '<unk>' }, { id: 1, text: '<s>' }, { id: 2, text: '</s>' }] },
    });
    expect(r.file).toMatch(/tokenizer-llama2\/models\/tokenizer\.json$/);
    expect(r.trieNodes).toBeGreaterThan(32000);
    expect(r.loadMs).toBeGreaterThan(0);
  });

  it('reports a vocabulary as text', async () => {
    expect(await runCli(['vocab', '--tokenizer', 'llama2'])).toBe(0);
    expect(out).toMatch(/^tokenizer {7}llama2 \(.*tokenizer\.json\)\nkind {12}sentencepiece\nsize {12}32000/);
    expect(out).toMatch(/eos ids {9}2\n/);
    expect(out).toMatch(/special tokens {2}3: 0 "<unk>", 1 "<s>", 2 "<\/s>"\n/);
    expect(out).toMatch(/load time {7}[0-9.]+ ms \(cpu [0-9.]+ ms\)\n$/);
  });
});
