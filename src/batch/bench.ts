/**
 * The batch mask benchmark (`constrain bench batch`): B sequences of
 * MaskBench JSON schemas driven along the tokens of their valid test
 * instances, one step = a mask for every sequence plus its token accepted.
 * Times each step single-threaded in this thread and through
 * {@link BatchMaskPool}s of 1, 2, ... workers, and checks that every mask of
 * the pool equals the in-process one.
 *
 * Round 1 is the first pass (lexer states visited for the first time build
 * their token caches); later rounds roll the sequences back and replay, as
 * a server with warm caches runs. In-process caches are per process and
 * shared by all batch sizes, worker caches per worker, so only the later
 * rounds compare like with like.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { basename } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { Matcher } from '../matcher/matcher.js';
import { loadSchemaFile } from '../bench/maskbench.js';
import { pyJsonDumps } from '../bench/pyjson.js';
import { percentiles } from '../bench/stats.js';
import { Vocabulary } from '../vocab/vocabulary.js';
import { BatchMaskPool, type SequenceId } from './pool.js';
import { compileSpec, type GrammarSpec } from './spec.js';

/** Options of {@link runBatchBench}. */
export interface BatchBenchOptions {
  /** Tokenizer name or path. */
  tokenizer: string;
  /** MaskBench files `{schema, tests}` or plain schema files (driven by a seeded random walk). */
  files: readonly string[];
  /** Batch sizes (default 8, 32, 64). */
  batchSizes?: readonly number[];
  /** Worker counts of the pools to time (default 1, 2). */
  workers?: readonly number[];
  /**
   * Simulated forward pass per step, in ms (default 0): this thread spins
   * that long; in-process the masks come after it, with a pool they are
   * computed during it (the overlap a server gets).
   */
  forwardMs?: number;
  /** Steps (tokens) per sequence and round (default 32). */
  steps?: number;
  /** Rounds; the first is the cold pass (default 3). */
  rounds?: number;
  /** Seed of the file order and of random walks (default 1). */
  seed?: number;
  /** Per-schema compile limit in ms while selecting (default 2,000). */
  compileTimeMs?: number;
  /**
   * Skip schemas whose warm masks take longer than this on average, in ms
   * (default 20; 0 keeps all): one such schema would be most of every step.
   */
  maxMaskMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
  /** @internal Worker script for the pools. */
  workerFile?: string | URL;
}

/** Step time statistics, microseconds. */
export interface StepStats {
  mean: number;
  p50: number;
  p90: number;
  max: number;
}

/** One row of the result: a batch size and a mode. */
export interface BatchBenchRow {
  batch: number;
  /** `in-process` or `pool`. */
  mode: 'in-process' | 'pool';
  /** Worker threads (0 for in-process). */
  workers: number;
  /** First round. */
  cold: StepStats;
  /** Later rounds. */
  warm: StepStats;
  /** Masks per second in the later rounds (batch / mean step time). */
  masksPerSec: number;
  /** In-process warm mean / this warm mean. */
  speedup: number;
  /** Every mask equal to the in-process one (always true for in-process). */
  masksMatch: boolean;
}

/** The whole result (the `--json` line). */
export interface BatchBenchResult {
  tokenizer: string;
  vocabSize: number;
  /** Distinct schemas driven (sequences cycle through them when the batch is larger). */
  schemas: number;
  /** Of which driven by a test instance (the rest by a random walk). */
  fromInstances: number;
  /** Schemas skipped because their masks were slower than `maxMaskMs`. */
  skippedSlow: number;
  maxMaskMs: number;
  steps: number;
  rounds: number;
  /** Simulated forward pass per step, ms. */
  forwardMs: number;
  cpus: number;
  /** 1-, 5-, 15-minute load averages at the start and at the end. */
  loadStart: number[];
  loadEnd: number[];
  /** Time to create each pool (vocabulary to workers, tries built), ms. */
  poolStartMs: Record<string, number>;
  rows: BatchBenchRow[];
}

/** @internal One sequence's work: a grammar and the tokens it accepts. */
export interface Workload {
  id: string;
  spec: GrammarSpec;
  tokens: Int32Array;
}

/** mulberry32. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    let t = (s = (s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function shuffled<T>(xs: readonly T[], rand: () => number): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a;
}

/** Busy-waits `ms` milliseconds (a forward pass that holds this thread, as onnxruntime-node's run does). */
function spin(ms: number): void {
  if (ms <= 0) return;
  const end = performance.now() + ms;
  while (performance.now() < end);
}

/** FNV-1a over a row's words. */
function rowHash(words: Int32Array | Uint32Array, off: number, n: number): number {
  let h = 0x811c9dc5;
  for (let i = off; i < off + n; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  return h >>> 0;
}

/** Tokens of a seeded random walk of `steps` non-EOS allowed tokens, or undefined if it dead-ends. */
function randomWalk(m: Matcher, vocab: Vocabulary, steps: number, rand: () => number): Int32Array | undefined {
  const mask = new Uint32Array((vocab.size + 31) >>> 5);
  const out = new Int32Array(steps);
  const eos = new Set(vocab.eosIds);
  for (let k = 0; k < steps; k++) {
    m.fillNextTokenBitmask(mask);
    const allowed: number[] = [];
    for (let id = 0; id < vocab.size; id++) if ((mask[id >>> 5]! >>> (id & 31)) & 1 && !eos.has(id)) allowed.push(id);
    if (allowed.length === 0) return undefined;
    out[k] = allowed[Math.floor(rand() * allowed.length)]!;
    m.acceptToken(out[k]!);
  }
  return out;
}

/**
 * Whether the masks along `tokens` take at most `maxMs` on average, on a
 * second pass (the first builds the token caches); gives up early.
 */
function masksWithin(m: Matcher, tokens: Int32Array, size: number, maxMs: number): boolean {
  const mask = new Uint32Array((size + 31) >>> 5);
  const budget = maxMs * tokens.length;
  for (let pass = 0; pass < 2; pass++) {
    const t0 = performance.now();
    for (let k = 0; k < tokens.length; k++) {
      m.fillNextTokenBitmask(mask);
      m.acceptToken(tokens[k]!);
      if (performance.now() - t0 > budget * (pass === 0 ? 4 : 1)) return false;
    }
    m.rollback(tokens.length);
  }
  return true;
}

/** @internal Picks up to `count` usable schemas in seeded order. */
export function selectWorkloads(
  vocab: Vocabulary, opts: Required<Pick<BatchBenchOptions, 'files' | 'steps' | 'seed' | 'compileTimeMs' | 'maxMaskMs'>>, count: number, log: (s: string) => void,
): { workloads: Workload[]; skipped: number } {
  const rand = rng(opts.seed);
  const out: Workload[] = [];
  let tried = 0;
  let skipped = 0;
  for (const file of shuffled(opts.files, rand)) {
    if (out.length >= count) break;
    tried++;
    let schema: unknown;
    let instances: string[] = [];
    try {
      const f = loadSchemaFile(file);
      schema = JSON.parse(f.schemaText);
      instances = f.tests.filter((t) => t.valid).map((t) => pyJsonDumps(t.data));
    } catch {
      try {
        schema = JSON.parse(readFileSync(file, 'utf8'));
      } catch {
        continue;
      }
    }
    // Selection bounds the compile time; the timed runs compile with the default limits (a busy worker may be slower).
    const spec: GrammarSpec = { kind: 'json-schema', schema, options: { whitespace: 'maskbench' } };
    let compiled;
    try {
      compiled = compileSpec({ ...spec, options: { whitespace: 'maskbench', grammarLimits: { compileTimeMs: opts.compileTimeMs } } }, vocab);
    } catch {
      continue;
    }
    let tokens: Int32Array | undefined;
    for (const text of instances) {
      const ids = vocab.encode(text);
      if (ids.length < opts.steps) continue;
      const m = compiled.matcher();
      if (ids.slice(0, opts.steps).every((id) => m.acceptToken(id))) {
        tokens = Int32Array.from(ids.slice(0, opts.steps));
        break;
      }
    }
    const fromInstance = tokens !== undefined;
    if (!tokens && instances.length === 0) tokens = randomWalk(compiled.matcher(), vocab, opts.steps, rand);
    if (!tokens) continue;
    if (opts.maxMaskMs > 0 && !masksWithin(compiled.matcher(), tokens, vocab.size, opts.maxMaskMs)) {
      skipped++;
      continue;
    }
    out.push({ id: basename(file) + (fromInstance ? '' : ' (random walk)'), spec, tokens });
  }
  log(`selected ${out.length} schemas (${tried} tried, ${skipped} skipped as slower than ${opts.maxMaskMs} ms per mask)`);
  return { workloads: out, skipped };
}

function stats(samples: number[]): StepStats {
  const p = percentiles(Float64Array.from(samples));
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { mean: r(p.avg), p50: r(p.p50), p90: r(p.p90), max: r(p.max) };
}

/**
 * Runs the benchmark. Throws `InvalidArgumentError` when no file gives a
 * usable workload.
 */
export async function runBatchBench(opts: BatchBenchOptions): Promise<BatchBenchResult> {
  const log = opts.log ?? ((): void => undefined);
  const batchSizes = opts.batchSizes ?? [8, 32, 64];
  const workerCounts = opts.workers ?? [1, 2];
  const steps = opts.steps ?? 32;
  const rounds = opts.rounds ?? 3;
  const forwardMs = opts.forwardMs ?? 0;
  if (!(rounds >= 2)) throw new InvalidArgumentError('rounds must be at least 2 (the first is the cold pass)');
  const loadStart = loadavg().map((x) => Math.round(x * 100) / 100);
  const vocab = await Vocabulary.fromFile(opts.tokenizer);
  const maxBatch = Math.max(...batchSizes);
  const maxMaskMs = opts.maxMaskMs ?? 20;
  const { workloads, skipped } = selectWorkloads(
    vocab, { files: opts.files, steps, seed: opts.seed ?? 1, compileTimeMs: opts.compileTimeMs ?? 2000, maxMaskMs }, maxBatch, log,
  );
  if (workloads.length === 0) throw new InvalidArgumentError(`no usable schema with a valid instance of at least ${steps} tokens among ${opts.files.length} files`);
  const words = (vocab.size + 31) >>> 5;
  const rows: BatchBenchRow[] = [];
  const poolStartMs: Record<string, number> = {};

  // In-process: one thread, one matcher per sequence. Row hashes are the reference.
  const reference = new Map<number, Uint32Array>();
  const inProcess = new Map<number, { cold: StepStats; warm: StepStats }>();
  for (const b of batchSizes) {
    const compiled = new Map<Workload, ReturnType<typeof compileSpec>>();
    const work = Array.from({ length: b }, (_, i) => workloads[i % workloads.length]!);
    const matchers = work.map((w) => {
      let c = compiled.get(w);
      if (!c) compiled.set(w, (c = compileSpec(w.spec, vocab)));
      return c.matcher();
    });
    const masks = new Uint32Array(b * words);
    const rowViews = matchers.map((_, i) => masks.subarray(i * words, (i + 1) * words));
    const hashes = new Uint32Array(steps * b);
    const cold: number[] = [];
    const warm: number[] = [];
    for (let r = 0; r < rounds; r++) {
      for (let k = 0; k < steps; k++) {
        const t0 = performance.now();
        spin(forwardMs);
        for (let i = 0; i < b; i++) matchers[i]!.fillNextTokenBitmask(rowViews[i]!);
        for (let i = 0; i < b; i++) {
          if (!matchers[i]!.acceptToken(work[i]!.tokens[k]!)) throw new Error(`${work[i]!.id}: token ${k} rejected in-process`);
        }
        (r === 0 ? cold : warm).push((performance.now() - t0) * 1000);
        if (r === 0) for (let i = 0; i < b; i++) hashes[k * b + i] = rowHash(masks, i * words, words);
      }
      for (const m of matchers) m.rollback(steps);
    }
    reference.set(b, hashes);
    const row = { cold: stats(cold), warm: stats(warm) };
    inProcess.set(b, row);
    rows.push({ batch: b, mode: 'in-process', workers: 0, ...row, masksPerSec: Math.round((b * 1e6) / row.warm.mean), speedup: 1, masksMatch: true });
    log(`batch ${b} in-process: warm step ${row.warm.mean} us`);
  }

  // Pools: one per worker count and batch size (fresh caches in each).
  for (const w of workerCounts) {
    for (const b of batchSizes) {
      const t0 = performance.now();
      const pool = await BatchMaskPool.create({ tokenizer: vocab, workers: w, workerFile: opts.workerFile });
      poolStartMs[String(w)] = Math.round(performance.now() - t0);
      try {
        const work = Array.from({ length: b }, (_, i) => workloads[i % workloads.length]!);
        const seqs: SequenceId[] = await Promise.all(work.map((x) => pool.add(x.spec)));
        const masks = pool.allocateMasks(b);
        const tokens = new Int32Array(b);
        const hashes = reference.get(b)!;
        let match = true;
        const cold: number[] = [];
        const warm: number[] = [];
        for (let r = 0; r < rounds; r++) {
          // Step k: fill masks for token k (together with accepting token k-1), then, after the last, accept it alone.
          for (let k = 0; k < steps; k++) {
            const t1 = performance.now();
            // The workers fill the masks while this thread runs the (simulated) forward pass.
            let pending: Promise<unknown>;
            if (k === 0) pending = pool.fillMasks(seqs, masks);
            else {
              for (let i = 0; i < b; i++) tokens[i] = work[i]!.tokens[k - 1]!;
              pending = pool.step(seqs, tokens, masks).then((ok) => {
                if (!ok.every(Boolean)) throw new Error(`pool rejected token ${k - 1}`);
              });
            }
            spin(forwardMs);
            await pending;
            let dt = performance.now() - t1;
            if (k === steps - 1) {
              for (let i = 0; i < b; i++) tokens[i] = work[i]!.tokens[k]!;
              const t2 = performance.now();
              await pool.accept(seqs, tokens);
              dt += performance.now() - t2;
            }
            (r === 0 ? cold : warm).push(dt * 1000);
            if (r === 0) for (let i = 0; i < b; i++) if (rowHash(masks, i * words, words) !== hashes[k * b + i]) match = false;
          }
          await pool.rollback(seqs, steps);
        }
        const row = { cold: stats(cold), warm: stats(warm) };
        const base = inProcess.get(b)!.warm.mean;
        rows.push({
          batch: b, mode: 'pool', workers: w, ...row, masksPerSec: Math.round((b * 1e6) / row.warm.mean),
          speedup: Math.round((base / row.warm.mean) * 100) / 100, masksMatch: match,
        });
        log(`batch ${b} pool ${w}: warm step ${row.warm.mean} us${match ? '' : ' MASKS DIFFER'}`);
      } finally {
        await pool.close();
      }
    }
  }
  rows.sort((x, y) => x.batch - y.batch || x.workers - y.workers);
  return {
    tokenizer: opts.tokenizer, vocabSize: vocab.size, schemas: workloads.length,
    fromInstances: workloads.filter((x) => !x.id.endsWith('(random walk)')).length, skippedSlow: skipped, maxMaskMs,
    steps, rounds, forwardMs, cpus: availableParallelism(), loadStart, loadEnd: loadavg().map((x) => Math.round(x * 100) / 100), poolStartMs, rows,
  };
}

/** The result as a table (µs per step: all masks of the batch plus their tokens accepted). */
export function batchBenchTable(r: BatchBenchResult): string {
  const head = ['batch', 'mode', 'cold mean', 'warm mean', 'warm p50', 'warm p90', 'warm max', 'masks/s', 'speedup', 'masks equal'];
  const lines = r.rows.map((x) => [
    String(x.batch), x.mode === 'pool' ? `pool, ${x.workers} worker${x.workers > 1 ? 's' : ''}` : 'in-process',
    x.cold.mean.toFixed(0), x.warm.mean.toFixed(0), x.warm.p50.toFixed(0), x.warm.p90.toFixed(0), x.warm.max.toFixed(0),
    String(x.masksPerSec), x.speedup.toFixed(2) + 'x', x.masksMatch ? 'yes' : 'NO',
  ]);
  const width = head.map((h, c) => Math.max(h.length, ...lines.map((l) => l[c]!.length)));
  const fmt = (l: string[]): string => l.map((s, c) => (c < 2 ? s.padEnd(width[c]!) : s.padStart(width[c]!))).join('  ');
  return [
    `${r.tokenizer} (${r.vocabSize} logits), ${r.schemas} schemas (${r.fromInstances} driven by a test instance; ${r.skippedSlow} skipped with masks over ${r.maxMaskMs} ms), ` +
      `${r.steps} steps x ${r.rounds} rounds; us per step (all masks of the batch + tokens accepted` +
      `${r.forwardMs ? ` + a ${r.forwardMs} ms simulated forward pass, overlapped by the pool` : ''}); cold = round 1 (in-process caches are shared with earlier batches)`,
    fmt(head),
    ...lines.map(fmt),
    `load average ${r.loadStart.join(' ')} at start, ${r.loadEnd.join(' ')} at end; ${r.cpus} CPUs: the pool's speedup is bounded by free cores`,
  ].join('\n');
}
