/**
 * End-to-end generation speed, constrained vs unconstrained, on the test
 * models (the harness behind `constrain bench e2e`, run over several models).
 *
 *   npx vite-node bench/e2e.ts -- [--model builtin|stories260K|fixture|DIR]... [--max-tokens N] [--runs R] [--overlap] [--json]
 *
 * `stories260K` converts ../shared/models/stories260K (llama2.c) into a temp
 * dir with convertLlama2c; `fixture` is ../shared/models/tiny-random-llama-fp16-onnx
 * (32k vocabulary); `builtin` is the seeded built-in model. Default: all three.
 * Cases: `defaultE2eCases({ ordered: true })` (with the json-ordered rows).
 * Greedy, 4 prompts, one intra-op thread; see src/generation/e2e.ts for
 * what is timed. `--overlap`: the model runs in a worker thread and the
 * constraint's work overlaps the forward pass (Generator option `overlap`).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { convertLlama2c } from '../src/decode/llama2c.js';
import { defaultE2eCases, runE2eBench, type E2eSummary } from '../src/generation/e2e.js';
import { Generator } from '../src/generation/generator.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const models = args.flatMap((a, i) => (args[i - 1] === '--model' ? [a] : []));
if (!models.length) models.push('builtin', 'stories260K', 'fixture');
const maxTokens = Number(opt('max-tokens', '128'));
const runs = Number(opt('runs', '5'));
const json = args.includes('--json');
const overlap = args.includes('--overlap');
const shared = process.env.CONSTRAIN_SHARED ?? resolve(import.meta.dirname ?? '.', '..', '..', 'shared');

const out: E2eSummary[] = [];
for (const name of models) {
  let dir = name;
  let cleanup = (): void => {};
  if (name === 'stories260K') {
    const ckpt = join(shared, 'models/stories260K/stories260K.bin');
    if (!existsSync(ckpt)) {
      console.error(`skip stories260K: ${ckpt} missing (set CONSTRAIN_SHARED)`);
      continue;
    }
    dir = mkdtempSync(join(tmpdir(), 'constrain-e2e-'));
    const d = dir;
    cleanup = () => rmSync(d, { recursive: true, force: true });
    convertLlama2c(ckpt, dir, { tokenizer: join(shared, 'models/stories260K') });
  } else if (name === 'fixture') {
    dir = join(shared, 'models/tiny-random-llama-fp16-onnx');
    if (!existsSync(dir)) {
      console.error(`skip fixture: ${dir} missing (set CONSTRAIN_SHARED)`);
      continue;
    }
  }
  const gen = await Generator.load(dir, { threads: 1, overlap });
  try {
    const s = await runE2eBench(gen, { maxTokens, runs, cases: defaultE2eCases({ ordered: true }) });
    s.model = name;
    out.push(s);
    if (!json) {
      console.log(`${name}${overlap ? ' (overlap)' : ''}: vocab ${s.vocab}, ${s.dtype}, ${s.prompts} prompts × ≤${s.max_tokens} tokens, per-step minimum of ${s.runs} runs`);
      for (const r of s.rows) {
        console.log(
          `  ${r.case.padEnd(18)} ${String(r.tokens).padStart(4)} tokens ${r.tokens_per_s.toFixed(0).padStart(6)} tokens/s  ` +
            `${(100 * r.vs_unconstrained).toFixed(1).padStart(6)}% of unconstrained (CPU ${(100 * r.cpu_vs_unconstrained).toFixed(1)}%)  forced ${(100 * r.forced_share).toFixed(1)}%  complete ${r.complete}/${s.prompts}`,
        );
      }
    }
  } finally {
    await gen.release();
    cleanup();
  }
}
if (json) console.log(JSON.stringify({ bench: 'e2e', node: process.version, overlap, results: out }));
