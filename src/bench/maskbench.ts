/**
 * The MaskBench protocol (guidance-ai/jsonschemabench `maskbench/`), engine
 * independent: per schema file `{schema, tests: [{data, valid}]}`, compile
 * (TTFM = compile + first mask), then for each test serialize `data` as
 * Python's `json.dumps(data, ensure_ascii=False)`, encode it without special
 * tokens, and time mask + accept for every token (TBM).
 *
 * Pass/fail (DESIGN.md §3.3): a valid test passes if every token is accepted
 * and EOS is allowed after the last one; an invalid test passes if some token
 * is rejected or EOS is not allowed at the end. A schema passes if it compiled
 * and all its tests passed. Unlike the original runner this checks EOS at the
 * end, so an engine cannot pass an invalid instance that is only a prefix of a
 * valid one.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import { type PyValue, parsePyJson, pyJsonDumps } from './pyjson.js';
import { SampleBuffer, percentiles } from './stats.js';

/** A grammar engine under test. */
export interface BenchEngine {
  /** Engine name in reports: 'constrain' | 'xgrammar'. */
  readonly name: string;
  /** Compiles a schema (JSON text) for this tokenizer; throws on failure (message recorded). */
  compile(schemaText: string): BenchGrammar;
  /** Releases engine resources. */
  dispose?(): void;
}

/** A compiled schema. */
export interface BenchGrammar {
  /** Engine messages from compilation (e.g. keywords it ignored), reported per schema. */
  readonly notes?: readonly string[];
  /** A fresh matcher at the start of the output. */
  matcher(): BenchMatcher;
  /** Releases the compiled grammar. */
  dispose?(): void;
}

/** One sequence's matcher, as MaskBench drives it. */
export interface BenchMatcher {
  /** Writes the allowed-token bitmask (bit `id & 31` of word `id >>> 5`). */
  fillNextTokenBitmask(mask: Uint32Array): void;
  /** Advances by one token; false (state unchanged) if it is not allowed. */
  acceptToken(id: number): boolean;
  /** Whether EOS is allowed now (after all tokens): e.g. the mask has an EOS bit set. */
  isEosAllowed(mask: Uint32Array): boolean;
  /** Releases the matcher. */
  dispose?(): void;
}

/** One MaskBench test instance. */
export interface SchemaTest {
  /** The instance, with exact numbers and key order. */
  data: PyValue;
  /** Whether the instance is valid against the schema. */
  valid: boolean;
}

/** A MaskBench schema file. */
export interface SchemaFile {
  /** File name (`Github_easy---o1234.json`). */
  id: string;
  /** The schema as Python's `json.dumps` prints it. */
  schemaText: string;
  /** Test instances in file order. */
  tests: SchemaTest[];
}

/** Outcome of one schema. */
export type SchemaStatus = 'passing' | 'compile_error' | 'validation_error' | 'invalidation_error' | 'timeout' | 'crash';

/** Everything measured on one schema. */
export interface SchemaResult {
  id: string;
  status: SchemaStatus;
  /** First error message (compile error, failing test, timeout, crash). */
  error?: string;
  compileError: boolean;
  /** A valid instance was rejected (or an engine exception during a test). */
  validationError: boolean;
  /** An invalid instance was accepted. */
  invalidationError: boolean;
  timeout: boolean;
  /** Compile + first mask, microseconds (0 if it did not compile). */
  ttfmUs: number;
  /** Tokens fed (mask + accept timed), including a rejected one. */
  tokens: number;
  /** Per-token mask + accept time, microseconds. */
  tbmUs: Float64Array;
  numTests: number;
  /** Tests that passed. */
  testsPassed: number;
  /** Tokens where `acceptToken` disagreed with the token's bit in the mask just filled. */
  maskMismatch: number;
  /** Engine messages from compilation (see {@link BenchGrammar.notes}). */
  notes?: string[];
}

/** Reads and parses a MaskBench file; the schema text is re-serialized as Python does. */
export function loadSchemaFile(path: string): SchemaFile {
  const root = parsePyJson(readFileSync(path, 'utf8'), path);
  if (!(root instanceof Map) || !root.has('schema')) throw new InvalidArgumentError(`${path}: not a MaskBench file (no "schema")`);
  const tests: SchemaTest[] = [];
  const rawTests = root.get('tests') ?? [];
  if (!Array.isArray(rawTests)) throw new InvalidArgumentError(`${path}: "tests" is not an array`);
  rawTests.forEach((t, i) => {
    if (!(t instanceof Map) || typeof t.get('valid') !== 'boolean' || !t.has('data')) {
      throw new InvalidArgumentError(`${path}: /tests/${i} lacks "data" or a boolean "valid"`);
    }
    tests.push({ data: t.get('data')!, valid: t.get('valid') as boolean });
  });
  return { id: basename(path), schemaText: pyJsonDumps(root.get('schema')!), tests };
}

/** How {@link runSchema} encodes text (no special tokens). */
export type Encode = (text: string) => ArrayLike<number>;

/** Options of {@link runSchema}. */
export interface RunSchemaOptions {
  /** Logits size of the tokenizer; the bitmask has ceil(size / 32) words. */
  vocabSize: number;
  /** How TTFM and TBM are timed (default 'wall'). */
  clock?: BenchClock;
}

/**
 * 'wall': elapsed time (`process.hrtime`), as MaskBench measures.
 * 'cpu': CPU time of this process (`process.cpuUsage`, user + system, 1 us
 * resolution), which stays meaningful on a machine shared with other jobs;
 * only valid while this thread is the process's one busy thread.
 */
export type BenchClock = 'wall' | 'cpu';

/** A microsecond clock of kind `clock`. */
export function clockUs(clock: BenchClock = 'wall'): () => number {
  if (clock === 'cpu') {
    return () => {
      const u = process.cpuUsage();
      return u.user + u.system;
    };
  }
  if (clock !== 'wall') throw new InvalidArgumentError(`unknown clock "${String(clock)}" (wall, cpu)`);
  return () => Number(process.hrtime.bigint()) / 1000;
}

function errorText(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

/** An engine failure after which the engine instance must not be reused (it is rebuilt). */
export class EngineAbortError extends Error {}

/** Whether an error means the engine instance is unusable (WASM abort, out of memory). */
export function isFatalEngineError(e: unknown): boolean {
  if (e instanceof EngineAbortError) return true;
  // lib ES2022 has no WebAssembly types; the global exists in Node.
  const wasm = (globalThis as { WebAssembly?: { RuntimeError: abstract new () => Error } }).WebAssembly;
  return (wasm !== undefined && e instanceof wasm.RuntimeError) || (e instanceof RangeError && /memory/i.test(e.message));
}

/** An engine error that leaves the engine unusable; the caller restarts it. */
export class FatalEngineError extends Error {
  /** The partial result of the schema being run. */
  readonly result: SchemaResult;
  constructor(result: SchemaResult, cause: unknown) {
    super(result.error ?? errorText(cause));
    this.result = result;
  }
}

/**
 * Runs the MaskBench protocol on one schema, synchronously. Never throws for
 * engine errors, except {@link FatalEngineError} when the engine is dead.
 */
export function runSchema(engine: BenchEngine, encode: Encode, file: SchemaFile, opts: RunSchemaOptions): SchemaResult {
  const mask = new Uint32Array(Math.ceil(opts.vocabSize / 32));
  const now = clockUs(opts.clock);
  const tbm = new SampleBuffer(256);
  const r: SchemaResult = {
    id: file.id,
    status: 'passing',
    compileError: false,
    validationError: false,
    invalidationError: false,
    timeout: false,
    ttfmUs: 0,
    tokens: 0,
    tbmUs: new Float64Array(0),
    numTests: file.tests.length,
    testsPassed: 0,
    maskMismatch: 0,
  };
  let grammar: BenchGrammar;
  try {
    const t0 = now();
    grammar = engine.compile(file.schemaText);
    const m = grammar.matcher();
    m.fillNextTokenBitmask(mask);
    r.ttfmUs = now() - t0;
    m.dispose?.();
    if (grammar.notes?.length) r.notes = [...grammar.notes];
  } catch (e) {
    r.compileError = true;
    r.status = 'compile_error';
    r.error = errorText(e);
    if (isFatalEngineError(e)) throw new FatalEngineError(r, e);
    return r;
  }
  try {
    for (let i = 0; i < file.tests.length; i++) {
      const test = file.tests[i]!;
      let accepted = true;
      let m: BenchMatcher | undefined;
      try {
        const ids = encode(pyJsonDumps(test.data));
        m = grammar.matcher();
        for (let k = 0; k < ids.length; k++) {
          const id = ids[k]!;
          const t0 = now();
          m.fillNextTokenBitmask(mask);
          const ok = m.acceptToken(id);
          tbm.push(now() - t0);
          r.tokens++;
          if (ok !== (((mask[id >>> 5]! >>> (id & 31)) & 1) === 1)) r.maskMismatch++;
          if (!ok) {
            accepted = false;
            break;
          }
        }
        if (accepted) {
          m.fillNextTokenBitmask(mask);
          accepted = m.isEosAllowed(mask);
        }
      } catch (e) {
        if (isFatalEngineError(e)) throw e;
        r.validationError = true;
        r.error ??= `test #${i}: exception ${errorText(e)}`;
        continue;
      } finally {
        m?.dispose?.();
      }
      if (accepted === test.valid) r.testsPassed++;
      else if (test.valid) {
        r.validationError = true;
        r.error ??= `test #${i}: valid instance rejected`;
      } else {
        r.invalidationError = true;
        r.error ??= `test #${i}: invalid instance accepted`;
      }
    }
  } catch (e) {
    r.validationError = true;
    r.status = 'crash';
    r.error = `crash: ${errorText(e)}`;
    r.tbmUs = tbm.toArray();
    throw new FatalEngineError(r, e);
  } finally {
    grammar.dispose?.();
  }
  r.tbmUs = tbm.toArray();
  if (r.validationError) r.status = 'validation_error';
  else if (r.invalidationError) r.status = 'invalidation_error';
  return r;
}

/** TBM distribution in the summary line, microseconds. */
export interface TbmSummary {
  avg: number; p25: number; p50: number; p75: number; p90: number; p95: number; p99: number; p999: number; max: number;
}
/** TTFM distribution in the summary line, microseconds. */
export interface TtfmSummary {
  avg: number; p50: number; p75: number; p90: number; p99: number; max: number;
}

/** The `bench mask --json` summary line (DESIGN.md §3.3), keys in this order. */
export interface MaskBenchSummary {
  engine: string;
  tokenizer: string;
  schemas: number;
  passing: number;
  compile_error: number;
  validation_error: number;
  invalidation_error: number;
  timeout: number;
  tokens: number;
  tbm_us: TbmSummary;
  ttfm_us: TtfmSummary;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Accumulates schema results into a {@link MaskBenchSummary}. */
export class SummaryBuilder {
  private readonly tbm = new SampleBuffer(1 << 16);
  private readonly ttfm = new SampleBuffer(1024);
  private readonly counts = { schemas: 0, passing: 0, compile_error: 0, validation_error: 0, invalidation_error: 0, timeout: 0, tokens: 0 };
  constructor(
    private readonly engine: string,
    private readonly tokenizer: string,
  ) {}

  /** Adds one schema's result. Timed-out schemas contribute neither TTFM nor TBM samples. */
  add(r: SchemaResult): void {
    const c = this.counts;
    c.schemas++;
    if (r.status === 'passing') c.passing++;
    if (r.compileError) c.compile_error++;
    if (r.validationError) c.validation_error++;
    if (r.invalidationError) c.invalidation_error++;
    if (r.timeout) {
      c.timeout++;
      return;
    }
    if (!r.compileError) this.ttfm.push(r.ttfmUs);
    c.tokens += r.tokens;
    this.tbm.pushAll(r.tbmUs);
  }

  /** The summary so far. */
  summary(): MaskBenchSummary {
    const t = percentiles(this.tbm.view());
    const f = percentiles(this.ttfm.view());
    return {
      engine: this.engine,
      tokenizer: this.tokenizer,
      ...this.counts,
      tbm_us: {
        avg: round1(t.avg), p25: round1(t.p25), p50: round1(t.p50), p75: round1(t.p75), p90: round1(t.p90),
        p95: round1(t.p95), p99: round1(t.p99), p999: round1(t.p999), max: round1(t.max),
      },
      ttfm_us: { avg: round1(f.avg), p50: round1(f.p50), p75: round1(f.p75), p90: round1(f.p90), p99: round1(f.p99), max: round1(f.max) },
    };
  }
}

/** A timed-out schema's result (the engine was killed; nothing was measured). */
export function timeoutResult(id: string, numTests: number, timeoutMs: number): SchemaResult {
  return {
    id, status: 'timeout', error: `timeout after ${timeoutMs} ms`, compileError: false, validationError: false,
    invalidationError: false, timeout: true, ttfmUs: 0, tokens: 0, tbmUs: new Float64Array(0), numTests,
    testsPassed: 0, maskMismatch: 0,
  };
}

/** One `--out` line: the schema's result without raw samples, TBM as percentiles. */
export function resultLine(r: SchemaResult, engine: string): Record<string, unknown> {
  const p = percentiles(r.tbmUs);
  return {
    engine,
    id: r.id,
    status: r.status,
    error: r.error ?? null,
    compile_error: r.compileError,
    validation_error: r.validationError,
    invalidation_error: r.invalidationError,
    timeout: r.timeout,
    ttfm_us: round1(r.ttfmUs),
    tests: r.numTests,
    tests_passed: r.testsPassed,
    tokens: r.tokens,
    mask_mismatch: r.maskMismatch,
    tbm_us: {
      avg: round1(p.avg), p50: round1(p.p50), p90: round1(p.p90), p99: round1(p.p99), max: round1(p.max),
    },
    ...(r.notes ? { notes: r.notes } : {}),
  };
}

/**
 * Rebuilds a schema result from its `--out` line and its raw TBM samples
 * (`--samples-out`), to merge the summaries of runs over disjoint file sets.
 */
export function resultFromLine(line: Record<string, unknown>, tbmUs: ArrayLike<number>): SchemaResult {
  const r: SchemaResult = {
    id: String(line.id),
    status: line.status as SchemaStatus,
    compileError: line.compile_error === true,
    validationError: line.validation_error === true,
    invalidationError: line.invalidation_error === true,
    timeout: line.timeout === true,
    ttfmUs: Number(line.ttfm_us),
    tokens: Number(line.tokens),
    tbmUs: Float64Array.from(tbmUs),
    numTests: Number(line.tests),
    testsPassed: Number(line.tests_passed),
    maskMismatch: Number(line.mask_mismatch),
  };
  if (typeof line.error === 'string') r.error = line.error;
  if (r.tbmUs.length !== r.tokens && !r.timeout) {
    throw new InvalidArgumentError(`${r.id}: ${r.tbmUs.length} TBM samples for ${r.tokens} tokens`);
  }
  return r;
}

/** Ratios ours / theirs for `--engine both`: values below 1 mean `ours` is faster (or, for passing, worse). */
export function summaryRatios(ours: MaskBenchSummary, theirs: MaskBenchSummary): Record<string, number | null> {
  const q = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);
  return {
    ttfm_p50: q(ours.ttfm_us.p50, theirs.ttfm_us.p50),
    tbm_avg: q(ours.tbm_us.avg, theirs.tbm_us.avg),
    tbm_p50: q(ours.tbm_us.p50, theirs.tbm_us.p50),
    tbm_p99: q(ours.tbm_us.p99, theirs.tbm_us.p99),
    passing: q(ours.passing, theirs.passing),
  };
}
