/**
 * `constrain bench e2e`: tokens/s of greedy generation with a model,
 * unconstrained and under JSON Schema (with and without jump-forward), regex
 * and GBNF constraints on the same prompts, and the share of forced tokens.
 *
 * ```
 * constrain bench e2e --model DIR|builtin [--json] [--max-tokens N] [--runs R] [--threads T] [--ep cpu|cuda] [--overlap]
 * ```
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from '../errors.js';
import { runE2eBench, type E2eRow } from '../generation/e2e.js';
import { Generator } from '../generation/generator.js';
import { benchCommand } from './bench.js';

/** Parsed options of `bench e2e`. */
export interface E2eCliOptions {
  model: string;
  json?: boolean;
  maxTokens: string;
  runs: string;
  threads: string;
  ep: string;
  overlap?: boolean;
}

function positive(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

function line(r: E2eRow): string {
  const vs = `  ${(100 * r.vs_unconstrained).toFixed(1)}% of unconstrained (${r.unconstrained_tokens_per_s.toFixed(1)} tokens/s at the same lengths; CPU ${(100 * r.cpu_vs_unconstrained).toFixed(1)}%)`;
  return (
    `${r.case.padEnd(18)} ${String(r.tokens).padStart(5)} tokens  ${r.tokens_per_s.toFixed(1).padStart(8)} tokens/s  ` +
    `cpu ${r.cpu_ms_per_token.toFixed(3)} ms/token  forced ${(100 * r.forced_share).toFixed(1)}%  complete ${r.complete}${vs}`
  );
}

/** Registers `bench e2e` under the `bench` group. */
export function register(program: Command): void {
  benchCommand(program)
    .command('e2e')
    .description('end-to-end tokens/s: unconstrained vs JSON Schema, regex, grammar on the same prompts; share of forced tokens')
    .option('--model <dir|builtin>', 'model directory or builtin', 'builtin')
    .option('--json', 'print the summary as one JSON line (last line)')
    .option('--max-tokens <n>', 'tokens per generation', '128')
    .option('--runs <n>', 'passes per case (best counts)', '3')
    .option('--threads <n>', 'intra-op threads', '1')
    .option('--ep <name>', 'execution provider: cpu or cuda', 'cpu')
    .option('--overlap', 'model in a worker thread, the constraint\'s work during its forward pass')
    .action(async (o: E2eCliOptions) => {
      if (o.ep !== 'cpu' && o.ep !== 'cuda') throw new InvalidArgumentError(`--ep must be cpu or cuda, got "${o.ep}"`);
      const gen = await Generator.load(o.model, { ep: o.ep, threads: positive(o.threads, '--threads'), overlap: o.overlap ?? false });
      try {
        const summary = await runE2eBench(gen, {
          maxTokens: positive(o.maxTokens, '--max-tokens'),
          runs: positive(o.runs, '--runs'),
          onRow: o.json ? undefined : (r) => process.stdout.write(line(r) + '\n'),
        });
        if (o.json) process.stdout.write(JSON.stringify(summary) + '\n');
      } finally {
        await gen.release();
      }
    });
}
