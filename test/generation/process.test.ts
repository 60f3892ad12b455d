/**
 * Same seed, same bytes across processes: the CLI, bundled with esbuild
 * (vitest's own dependency) so a plain `node` runs it, generates in two
 * child processes and in this one.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Generator } from '../../src/generation/generator.js';
import { repoRoot } from '../shared.js';
import { builtinGenerator } from './helpers.js';

const run = promisify(execFile);
// Two levels below the repository root, so the bundle finds package.json and the model cache as src/ does.
const dir = join(repoRoot, '.cache', 'generation-test');
const bundle = join(dir, `cli-${process.pid}.mjs`);

let gen: Generator;
beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  await build({
    stdin: { contents: "import { main } from './src/cli/main.ts';\nawait main();\n", resolveDir: repoRoot, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: bundle,
    logLevel: 'silent',
  });
  gen = await builtinGenerator();
}, 30_000);
afterAll(async () => {
  await gen?.release();
  rmSync(bundle, { force: true });
});

async function child(seed: number): Promise<{ text: string; ids: number[] }> {
  const args = [bundle, 'generate', '--prompt', 'Once upon a time', '--temperature', '5', '--seed', String(seed), '--max-tokens', '40', '--threads', '1', '--json'];
  const { stdout } = await run(process.execPath, args, { cwd: repoRoot, maxBuffer: 1 << 24 });
  const j = JSON.parse(stdout) as { text: string; tokens: Array<{ id: number }> };
  return { text: j.text, ids: j.tokens.map((t) => t.id) };
}

describe('determinism across processes', () => {
  test('same seed: identical bytes in two processes and this one; another seed differs', async () => {
    const [a, b, c] = await Promise.all([child(31), child(31), child(32)]);
    expect(b).toEqual(a);
    const here = await gen.generate({ prompt: 'Once upon a time', temperature: 5, seed: 31, maxTokens: 40, logprobs: 0 });
    expect(here.text).toBe(a.text);
    expect(here.tokens.map((t) => t.id)).toEqual(a.ids);
    expect(c.text).not.toBe(a.text);
  }, 60_000);
});
