/**
 * `constrain bench batch`: times one decoding step (a mask for every
 * sequence of a batch, then its token accepted) in this thread and through
 * the worker-thread {@link BatchMaskPool}.
 *
 * ```
 * constrain bench batch --tokenizer T [--schemas DIR|FILES] [--batch 8,32,64] [--workers 1,2]
 *                       [--steps N] [--rounds N] [--seed N] [--max-mask-ms N] [--forward-ms F] [--json]
 * ```
 * Prints a table (with `--json`: one JSON line, last).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { batchBenchTable, runBatchBench } from '../batch/bench.js';
import { listSchemaFiles } from '../bench/runner.js';
import { ConstrainError } from '../errors.js';

/** Parsed options of `bench batch`. */
export interface BenchBatchOptions {
  tokenizer: string;
  schemas?: string[];
  batch: number[];
  workers: number[];
  steps: number;
  rounds: number;
  seed: number;
  maxMaskMs: number;
  forwardMs: number;
  json?: boolean;
}

function positiveInt(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new CommanderArgumentError(`${flag} must be a positive integer, got "${v}"`);
  return n;
}

function intList(flag: string): (v: string) => number[] {
  return (v: string) => v.split(',').map((x) => positiveInt(flag, x.trim()));
}

/** The schemas used when `--schemas` is not given: the MaskBench dev slice beside the package, else its shipped schemas. */
export function defaultBatchSchemas(): string[] {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const dev = join(root, '..', 'shared', 'data', 'jsonschemabench-dev');
  if (existsSync(dev)) return [dev];
  return listSchemaFiles([join(root, 'grammars')]).filter((f) => f.endsWith('.schema.json'));
}

/** Registers `batch` on the `bench` command group. */
export function registerBatch(bench: Command): void {
  bench
    .command('batch')
    .description('batch masks: time per decoding step of B sequences, in-process vs the worker-thread pool')
    .requiredOption('--tokenizer <name|path>', 'tokenizer.json path or short name (llama3.1, qwen3, ...)')
    .option('--schemas <paths...>', 'MaskBench files or directories (default: ../shared/data/jsonschemabench-dev, else grammars/*.schema.json)')
    .option('--batch <list>', 'batch sizes', intList('--batch'), [8, 32, 64])
    .option('--workers <list>', 'worker counts of the pools', intList('--workers'), [1, 2])
    .option('--steps <n>', 'tokens per sequence and round', (v) => positiveInt('--steps', v), 32)
    .option('--rounds <n>', 'rounds (the first is the cold pass; at least 2)', (v) => positiveInt('--rounds', v), 3)
    .option('--seed <n>', 'seed of the schema order', (v) => positiveInt('--seed', v), 1)
    .option('--max-mask-ms <n>', 'skip schemas whose warm masks average more than N ms (0: keep all)', (v) => {
      const n = Number(v);
      if (!(n >= 0)) throw new CommanderArgumentError(`--max-mask-ms must be a number >= 0, got "${v}"`);
      return n;
    }, 20)
    .option('--forward-ms <n>', 'simulated forward pass per step (this thread busy): in-process masks follow it, pool masks overlap it', (v) => {
      const n = Number(v);
      if (!(n >= 0)) throw new CommanderArgumentError(`--forward-ms must be a number >= 0, got "${v}"`);
      return n;
    }, 0)
    .option('--json', 'print the result as one JSON line (last line)')
    .action(async (opts: BenchBatchOptions) => {
      try {
        const files = listSchemaFiles(opts.schemas ?? defaultBatchSchemas());
        const result = await runBatchBench({
          tokenizer: opts.tokenizer, files, batchSizes: opts.batch, workers: opts.workers, steps: opts.steps, rounds: opts.rounds,
          seed: opts.seed, maxMaskMs: opts.maxMaskMs, forwardMs: opts.forwardMs, log: (line) => process.stderr.write(line + '\n'),
        });
        process.stdout.write((opts.json ? JSON.stringify(result) : batchBenchTable(result)) + '\n');
      } catch (e) {
        if (!(e instanceof ConstrainError)) throw e;
        process.stderr.write(`constrain bench batch: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}
