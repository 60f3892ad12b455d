/**
 * `constrain bench conformance`: JSON-Schema-Test-Suite keyword files through
 * the real token matcher (see src/bench/conformance.ts).
 *
 * ```
 * constrain bench conformance --suite DIR [--tokenizer T] [--optional] [--file GLOB]
 *                             [--limit N] [--timeout-ms N] [--format-assertion]
 *                             [--json] [--out FILE] [--verbose]
 * ```
 * Prints a table per keyword file (pass, false positive, false negative,
 * unsupported, compile error, timeout) and the totals; with `--json` a
 * summary line last. `--out` writes one JSON line per test.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { relative, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError as CommanderArgumentError } from 'commander';
import {
  type ConformanceRow, type ConformanceSummary, addRow, conformanceTable, draftOfPath, emptyRow, findSuiteRoot, listSuiteFiles,
  loadSuiteRemotes, runConformanceFile,
} from '../bench/conformance.js';
import { compileJsonSchema } from '../api.js';
import { ConstrainError } from '../errors.js';
import { Vocabulary } from '../vocab/vocabulary.js';

/** Parsed options of `bench conformance`. */
export interface BenchConformanceOptions {
  suite: string;
  tokenizer: string;
  optional?: boolean;
  file?: string;
  limit?: number;
  timeoutMs: number;
  formatAssertion?: boolean;
  json?: boolean;
  out?: string;
  verbose?: boolean;
}

function positiveInt(flag: string): (v: string) => number {
  return (v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n <= 0) throw new CommanderArgumentError(`${flag} must be a positive integer, got "${v}"`);
    return n;
  };
}

/** Registers `conformance` under the `bench` command group `bench`. */
export function registerConformance(bench: Command): void {
  bench
    .command('conformance')
    .description('JSON-Schema-Test-Suite through the token matcher: pass / false positive / false negative per keyword file')
    .requiredOption('--suite <dir>', 'a suite directory, e.g. JSON-Schema-Test-Suite/tests/draft2020-12 ($refs to localhost:1234 resolve from its remotes/)')
    .option('--tokenizer <name|path>', 'tokenizer.json path or short name', 'llama3.1')
    .option('--optional', 'include the optional/ files')
    .option('--file <glob>', 'only keyword files matching (e.g. "ref*", "optional/format/*")')
    .option('--limit <n>', 'only the first N files (sorted by name)', positiveInt('--limit'))
    .option('--timeout-ms <n>', 'per-group limit (compile + tests)', positiveInt('--timeout-ms'), 15_000)
    .option('--format-assertion', 'assert "format" (default: an annotation, as draft 2020-12 specifies)')
    .option('--json', 'print the summary as one JSON line (last line)')
    .option('--out <file>', 'write one JSON line per test')
    .option('--verbose', 'print every failing test to stderr')
    .action(async (opts: BenchConformanceOptions) => {
      try {
        process.exitCode = await runBenchConformance(opts);
      } catch (e) {
        if (!(e instanceof ConstrainError)) throw e;
        process.stderr.write(`constrain bench conformance: ${e.message}\n`);
        process.exitCode = 2;
      }
    });
}

/** Runs `bench conformance` with parsed options; returns the exit code (1 when a false positive was found). */
export async function runBenchConformance(opts: BenchConformanceOptions): Promise<number> {
  const dir = resolve(opts.suite);
  let files = listSuiteFiles(dir, { optional: opts.optional, glob: opts.file });
  if (opts.limit !== undefined) files = files.slice(0, opts.limit);
  const root = findSuiteRoot(dir);
  const remotes = root ? loadSuiteRemotes(root) : {};
  const vocab = await Vocabulary.fromFile(opts.tokenizer);
  // Build the vocabulary's lazy parts (token trie, encoder) outside the first group's time limit.
  compileJsonSchema(true, vocab).matcher().fillNextTokenBitmask(new Uint32Array((vocab.size + 31) >>> 5));
  vocab.encode('{}');
  let out: WriteStream | undefined;
  if (opts.out) {
    out = createWriteStream(opts.out);
    await once(out, 'open');
  }
  const format = opts.formatAssertion ? 'assertion' : 'annotation';
  const bar = process.stderr.isTTY
    ? new SingleBar({ format: 'conformance [{bar}] {value}/{total} files | pass {pass}/{tests} | FP {fp}', stream: process.stderr, hideCursor: true })
    : undefined;
  const rows: ConformanceRow[] = [];
  const total = emptyRow('TOTAL');
  const fps: string[] = [];
  bar?.start(files.length, 0, { pass: 0, tests: 0, fp: 0 });
  try {
    for (const f of files) {
      const name = relative(dir, f).split('\\').join('/').replace(/\.json$/, '');
      const row = runConformanceFile(f, name, {
        vocab,
        remotes,
        formatAssertion: opts.formatAssertion ?? false,
        timeoutMs: opts.timeoutMs,
        draft: draftOfPath(dir) === 'unknown' ? undefined : draftOfPath(dir),
        onTest: (r) => {
          out?.write(JSON.stringify(r) + '\n');
          if (r.outcome === 'false_positive') fps.push(`${r.file} / ${r.group} / ${r.test}`);
          if (opts.verbose && r.outcome !== 'pass') process.stderr.write(`${r.outcome} ${r.file} / ${r.group} / ${r.test}${r.error ? `: ${r.error}` : ''}\n`);
        },
      });
      rows.push(row);
      addRow(total, row);
      bar?.increment({ pass: total.pass, tests: total.tests, fp: total.false_positive });
    }
  } finally {
    bar?.stop();
    if (out) {
      out.end();
      await once(out, 'finish');
    }
  }
  const passRate = total.tests ? Math.round((1000 * total.pass) / total.tests) / 10 : 0;
  const lines = [
    `suite ${dir}, tokenizer ${opts.tokenizer}, compact JSON.stringify instances, format as ${format}${format === 'annotation' ? ' (draft 2020-12 default; --format-assertion asserts it)' : ''}`,
    conformanceTable(rows, total),
    `pass rate ${passRate.toFixed(1)}% (${total.pass}/${total.tests}), false positives ${total.false_positive}`,
    ...fps.map((f) => `FALSE POSITIVE ${f}`),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (opts.json) {
    const summary: ConformanceSummary = { suite: dir, tokenizer: opts.tokenizer, format, files: files.length, total, pass_rate: passRate, rows };
    process.stdout.write(JSON.stringify(summary) + '\n');
  }
  return total.false_positive > 0 ? 1 : 0;
}
