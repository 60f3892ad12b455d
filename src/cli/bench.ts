/**
 * `constrain bench mask`: the MaskBench harness on the command line.
 *
 * ```
 * constrain bench mask --tokenizer T --schemas DIR|FILES [--engine constrain|xgrammar|both]
 *                      [--json] [--limit N] [--timeout-ms N] [--jobs N] [--out FILE]
 * ```
 * Prints a summary (with `--json`: the DESIGN.md §3.3 line, last); `--out`
 * writes one JSON line per schema. `--engine both` runs constrain then
 * xgrammar and adds a line of ratios (ours / theirs).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import { ENGINE_NAMES, isEngineName } from '../bench/engines.js';
import { type BenchClock, type MaskBenchSummary, resultLine, summaryRatios } from '../bench/maskbench.js';
import { listSchemaFiles, runMaskBench } from '../bench/runner.js';
import { ConstrainError, InvalidArgumentError } from '../errors.js';
import { registerConformance } from './conformance.js';
import { registerBatch } from './batch.js';

/** Parsed options of `bench mask`. */
export interface BenchMaskOptions {
  tokenizer: string;
  schemas: string[];
  engine: string;
  json?: boolean;
  limit?: number;
  timeoutMs: number;
  jobs: number;
  out?: string;
  samplesOut?: string;
  inProcess?: boolean;
  clock: string;
}

function positiveInt(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new CommanderArgumentError(`${flag} must be a positive integer, got "${v}"`);
    return n;
  };
}

/** The `bench` command group, created on first use so other subcommand files can share it. */
export function benchCommand(program: Command): Command {
  return (
    program.commands.find((c) => c.name() === 'bench') ??
    program.command('bench').description('benchmarks: mask (MaskBench), conformance (JSON-Schema-Test-Suite), batch (worker pool), e2e')
  );
}

/** Registers `bench mask` on `program`. */
export function register(program: Command): void {
  benchCommand(program)
    .command('mask')
    .description('MaskBench: time-to-first-mask, time-between-masks and correctness over JSON Schema files')
    .requiredOption('--tokenizer <name|path>', 'tokenizer.json path or short name (llama3.1, qwen3, ...)')
    .requiredOption('--schemas <paths...>', 'MaskBench files {schema, tests} or directories of them')
    .option('--engine <name>', `${ENGINE_NAMES.join('|')}|both`, 'constrain')
    .option('--json', 'print the summary as one JSON line (last line)')
    .option('--limit <n>', 'only the first N files (sorted by name)', positiveInt('--limit'))
    .option('--timeout-ms <n>', 'per-schema time limit (compile + tests)', positiveInt('--timeout-ms'), 15_000)
    .option('--jobs <n>', 'parallel worker threads (timings are noisier above 1)', positiveInt('--jobs'), 1)
    .option('--out <file>', 'write one JSON line per schema')
    .option('--samples-out <file>', 'write each schema\'s raw TBM samples (JSON lines {engine, id, tbm_us}), for merging runs')
    .option('--clock <kind>', 'wall (as MaskBench) or cpu (process CPU time: robust on a busy machine; needs --jobs 1)', 'wall')
    .option('--in-process', 'run in this thread (no workers, no time limit)')
    .action(async (opts: BenchMaskOptions) => {
      try {
        process.exitCode = await runBenchMask(opts);
      } catch (e) {
        if (!(e instanceof ConstrainError)) throw e;
        process.stderr.write(`constrain bench mask: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
  registerConformance(benchCommand(program));
  registerBatch(benchCommand(program));
}

function humanSummary(s: MaskBenchSummary): string {
  const pct = s.schemas ? ((100 * s.passing) / s.schemas).toFixed(1) : '0.0';
  const t = s.tbm_us;
  const f = s.ttfm_us;
  return [
    `engine ${s.engine}, tokenizer ${s.tokenizer}: ${s.passing}/${s.schemas} schemas passing (${pct}%)`,
    `  compile_error ${s.compile_error}, validation_error ${s.validation_error}, invalidation_error ${s.invalidation_error}, timeout ${s.timeout}`,
    `  TBM (us, ${s.tokens} tokens): avg ${t.avg} p25 ${t.p25} p50 ${t.p50} p75 ${t.p75} p90 ${t.p90} p95 ${t.p95} p99 ${t.p99} p99.9 ${t.p999} max ${t.max}`,
    `  TTFM (us): avg ${f.avg} p50 ${f.p50} p75 ${f.p75} p90 ${f.p90} p99 ${f.p99} max ${f.max}`,
  ].join('\n');
}

/** Runs `bench mask` with parsed options; returns the exit code (0 once the run completes). */
export async function runBenchMask(opts: BenchMaskOptions): Promise<number> {
  const engines = opts.engine === 'both' ? ['constrain', 'xgrammar'] : [opts.engine];
  for (const e of engines) {
    if (!isEngineName(e)) throw new InvalidArgumentError(`--engine: unknown engine "${e}" (${ENGINE_NAMES.join(', ')}, both)`);
  }
  if (opts.clock !== 'wall' && opts.clock !== 'cpu') throw new InvalidArgumentError(`--clock: "${opts.clock}" is not wall or cpu`);
  const clock: BenchClock = opts.clock;
  let files = listSchemaFiles(opts.schemas);
  if (opts.limit !== undefined) files = files.slice(0, opts.limit);
  const open = async (path: string | undefined): Promise<WriteStream | undefined> => {
    if (!path) return undefined;
    const s = createWriteStream(path);
    await once(s, 'open');
    return s;
  };
  const out = await open(opts.out);
  const samplesOut = await open(opts.samplesOut);
  const summaries: MaskBenchSummary[] = [];
  try {
    for (const engine of engines) {
      const bar = process.stderr.isTTY
        ? new SingleBar({
            format: `${engine} [{bar}] {value}/{total} | passing {passing} | timeout {timeouts} | {eta_formatted}`,
            stream: process.stderr,
            hideCursor: true,
          })
        : undefined;
      let passing = 0;
      let timeouts = 0;
      bar?.start(files.length, 0, { passing, timeouts });
      try {
        const summary = await runMaskBench({
          engine,
          tokenizer: opts.tokenizer,
          files,
          timeoutMs: opts.timeoutMs,
          jobs: opts.jobs,
          inProcess: opts.inProcess,
          clock,
          onResult: (r) => {
            if (r.status === 'passing') passing++;
            if (r.timeout) timeouts++;
            bar?.increment({ passing, timeouts });
            out?.write(JSON.stringify(resultLine(r, engine)) + '\n');
            samplesOut?.write(JSON.stringify({ engine, id: r.id, tbm_us: Array.from(r.tbmUs, (x) => Math.round(x * 10) / 10) }) + '\n');
          },
        });
        summaries.push(summary);
      } finally {
        bar?.stop();
      }
    }
  } finally {
    for (const s of [out, samplesOut]) {
      if (!s) continue;
      s.end();
      await once(s, 'finish');
    }
  }
  for (const s of summaries) process.stdout.write((opts.json ? JSON.stringify(s) : humanSummary(s)) + '\n');
  if (summaries.length === 2) {
    const ratios = summaryRatios(summaries[0]!, summaries[1]!);
    if (opts.json) process.stdout.write(JSON.stringify({ ratios, ours: summaries[0]!.engine, theirs: summaries[1]!.engine }) + '\n');
    else {
      const txt = Object.entries(ratios).map(([k, v]) => `${k} ${v ?? 'n/a'}`).join(', ');
      process.stdout.write(`ratios ${summaries[0]!.engine}/${summaries[1]!.engine}: ${txt}\n`);
    }
  }
  return 0;
}
