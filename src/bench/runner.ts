/**
 * Runs MaskBench over many schema files: each engine lives in a worker
 * thread, every schema gets a time limit, and a worker that runs past it (or
 * dies) is terminated, its schema counted as a timeout (or crash), and a
 * fresh worker takes over, so one runaway compile never stops the run.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '../errors.js';
import { createBenchEngine } from './engines.js';
import {
  type BenchClock, FatalEngineError, type MaskBenchSummary, type SchemaResult, SummaryBuilder, loadSchemaFile, runSchema, timeoutResult,
} from './maskbench.js';
import { loadBenchTokenizer } from './tokenizer.js';
import type { MaskBenchWorkerData } from './worker.js';

/** Options of {@link runMaskBench}. */
export interface MaskBenchRunOptions {
  /** Engine name (see `ENGINE_NAMES`). */
  engine: string;
  /** Tokenizer short name or path. */
  tokenizer: string;
  /** Schema files, in run order. */
  files: string[];
  /** Per-schema limit (compile + all tests), ms. Default 15000. */
  timeoutMs?: number;
  /** Parallel workers. Default 1 (timings are only comparable single-threaded on a quiet machine). */
  jobs?: number;
  /**
   * Clock for TTFM, TBM and the time limit (default 'wall'). 'cpu' counts CPU
   * time of this process, which is the one worker's when `jobs` is 1 (required),
   * so a loaded machine neither inflates timings much nor causes false
   * timeouts; a wall-clock backstop of 10x the limit still applies.
   */
  clock?: BenchClock;
  /**
   * Run in this thread without workers: no time limit can be enforced.
   * Default: false, except when the compiled worker file is missing (running from TS sources).
   */
  inProcess?: boolean;
  /** Called once per schema, in completion order. */
  onResult?: (r: SchemaResult) => void;
  /** @internal Worker script (tests substitute a fake one). */
  workerFile?: string;
}

/** Files of a `--schemas` argument list: directories give their `*.json` files, sorted by name. */
export function listSchemaFiles(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    const p = resolve(a);
    if (!existsSync(p)) throw new InvalidArgumentError(`--schemas: ${p} does not exist`);
    if (statSync(p).isDirectory()) {
      const names = readdirSync(p).filter((n) => n.endsWith('.json')).sort();
      for (const n of names) out.push(join(p, n));
    } else out.push(p);
  }
  return out;
}

const workerFile = fileURLToPath(new URL('./worker.js', import.meta.url));

interface Slot {
  worker: Worker;
  file?: string;
  timer?: NodeJS.Timeout;
  startWall: number;
  startCpu: NodeJS.CpuUsage;
}

/**
 * Runs the protocol on every file and returns the summary line; per-schema
 * results go to `onResult`. Throws when the engine cannot start or a file is
 * not a MaskBench file.
 */
export async function runMaskBench(opts: MaskBenchRunOptions): Promise<MaskBenchSummary> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  if (!(timeoutMs > 0)) throw new InvalidArgumentError(`--timeout-ms must be positive, got ${timeoutMs}`);
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, opts.files.length || 1));
  const clock = opts.clock ?? 'wall';
  if (clock === 'cpu' && (opts.jobs ?? 1) > 1) throw new InvalidArgumentError('--clock cpu measures process CPU time and needs --jobs 1');
  const builder = new SummaryBuilder(opts.engine, opts.tokenizer);
  const emit = (r: SchemaResult): void => {
    builder.add(r);
    opts.onResult?.(r);
  };
  const script = opts.workerFile ?? workerFile;
  if (opts.inProcess ?? !existsSync(script)) {
    await runInProcess(opts, clock, emit);
    return builder.summary();
  }

  const queue = opts.files.slice();
  const numTests = new Map<string, number>();
  const testsOf = (file: string): number => {
    if (!numTests.has(file)) {
      try {
        numTests.set(file, loadSchemaFile(file).tests.length);
      } catch {
        numTests.set(file, 0);
      }
    }
    return numTests.get(file)!;
  };
  const idOf = (file: string): string => file.slice(file.lastIndexOf('/') + 1);

  return new Promise<MaskBenchSummary>((resolveRun, rejectRun) => {
    let live = 0;
    let failed = false;
    const fail = (e: Error): void => {
      if (failed) return;
      failed = true;
      rejectRun(e);
    };
    const finishIfDone = (): void => {
      if (!failed && live === 0 && queue.length === 0) resolveRun(builder.summary());
    };
    const spawn = (): void => {
      live++;
      const workerData: MaskBenchWorkerData = { engine: opts.engine, tokenizer: opts.tokenizer, clock };
      const slot: Slot = { worker: new Worker(script, { workerData }), startWall: 0, startCpu: process.cpuUsage() };
      let retired = false;
      const retire = (): void => {
        if (retired) return;
        retired = true;
        clearInterval(slot.timer);
        live--;
        void slot.worker.terminate();
      };
      const next = (): void => {
        if (failed) return retire();
        const file = queue.shift();
        if (file === undefined) {
          retire();
          return finishIfDone();
        }
        slot.file = file;
        slot.startWall = Date.now();
        slot.startCpu = process.cpuUsage();
        slot.timer = setInterval(() => {
          const wallMs = Date.now() - slot.startWall;
          let spentMs = wallMs;
          if (clock === 'cpu') {
            const u = process.cpuUsage(slot.startCpu);
            spentMs = (u.user + u.system) / 1000;
          }
          if (spentMs < timeoutMs && wallMs < timeoutMs * (clock === 'cpu' ? 10 : 1)) return;
          // The engine is stuck (or just slow) in synchronous code: kill it.
          slot.file = undefined;
          retire();
          const r = timeoutResult(idOf(file), testsOf(file), timeoutMs);
          if (clock === 'cpu') r.error += spentMs >= timeoutMs ? ' of CPU time' : ` (wall-clock backstop ${10 * timeoutMs} ms)`;
          emit(r);
          spawn();
        }, Math.max(5, Math.min(100, timeoutMs / 10)));
        slot.worker.postMessage({ type: 'run', file });
      };
      slot.worker.on('message', (msg: { type: string; result?: SchemaResult; fatal?: boolean; error?: string; file?: string }) => {
        if (retired) return;
        switch (msg.type) {
          case 'ready':
            return next();
          case 'init_error':
            retire();
            return fail(new InvalidArgumentError(`engine ${opts.engine}: ${msg.error}`));
          case 'file_error':
            retire();
            return fail(new InvalidArgumentError(msg.error ?? `bad schema file ${msg.file}`));
          case 'result': {
            clearInterval(slot.timer);
            slot.file = undefined;
            emit(msg.result!);
            if (msg.fatal) {
              retire();
              return spawn();
            }
            return next();
          }
        }
      });
      const onDeath = (why: string): void => {
        if (retired) return;
        const file = slot.file;
        retire();
        if (file === undefined) return fail(new InvalidArgumentError(`engine ${opts.engine}: worker ${why} before it was ready`));
        const r = timeoutResult(idOf(file), testsOf(file), timeoutMs);
        Object.assign(r, { status: 'crash', timeout: false, compileError: true, error: `worker ${why}` });
        emit(r);
        spawn();
      };
      slot.worker.on('error', (e) => onDeath(`crashed: ${e.message}`));
      slot.worker.on('exit', (code) => onDeath(`exited with code ${code}`));
    };
    for (let i = 0; i < jobs; i++) spawn();
  });
}

/** The same protocol in this thread (tests, debugging): no time limit. */
async function runInProcess(opts: MaskBenchRunOptions, clock: BenchClock, emit: (r: SchemaResult) => void): Promise<void> {
  const tok = await loadBenchTokenizer(opts.tokenizer);
  let engine = await createBenchEngine(opts.engine, tok);
  try {
    for (const f of opts.files) {
      try {
        emit(runSchema(engine, tok.encode, loadSchemaFile(f), { vocabSize: tok.size, clock }));
      } catch (e) {
        if (!(e instanceof FatalEngineError)) throw e;
        emit(e.result);
        engine = await createBenchEngine(opts.engine, tok);
      }
    }
  } finally {
    engine.dispose?.();
  }
}
