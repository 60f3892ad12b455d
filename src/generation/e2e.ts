/**
 * End-to-end generation benchmark: tokens/s of the same prompts generated
 * greedily, unconstrained and under constraints (JSON Schema, regex, GBNF,
 * each also with jump-forward), and the share of forced tokens. See
 * {@link runE2eBench} for what is timed and how the unconstrained baseline
 * is matched to each case.
 */
import type { ConstraintSpec } from './constraint.js';
import type { GenerationResult } from './generation.js';
import type { GenerationRequest, Generator } from './generator.js';

/** One benchmark case. */
export interface E2eCase {
  /** Row name. */
  name: string;
  /** The constraint (null: free generation, EOS ignored so every prompt runs to `maxTokens`). */
  constraint: ConstraintSpec | null;
  /** Batch forced tokens. */
  jumpForward: boolean;
}

/** The JSON Schema of the default cases: fixed keys (forced text), bounded strings, an enum. */
export const E2E_SCHEMA = {
  type: 'object',
  properties: {
    id: { type: 'integer', minimum: 0, maximum: 99999 },
    name: { type: 'string', maxLength: 16 },
    active: { type: 'boolean' },
    kind: { enum: ['person', 'place', 'thing'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 8 }, maxItems: 3 },
  },
  required: ['id', 'name', 'active', 'kind', 'tags'],
  additionalProperties: false,
};

/**
 * The GBNF case: a JSON record with literal keys in a fixed order (the JSON
 * Schema cases accept the keys in any order, `json-ordered` in schema order).
 */
export const E2E_GBNF = [
  'root ::= "{\\"id\\": " [0-9]{1,5} ", \\"name\\": \\"" [a-z]{1,12} "\\", \\"active\\": " ("true" | "false") ", \\"kind\\": \\"" kind "\\"}"',
  'kind ::= "person" | "place" | "thing"',
  '',
].join('\n');

/** Default prompts. */
export const E2E_PROMPTS = [
  'Describe a record as JSON:',
  'Once upon a time, there was a little girl named Lily.',
  'The answer is',
  'Tom and his dog went to the park. They',
];

/**
 * Default cases: unconstrained, then JSON Schema, regex and GBNF, each with
 * and without jump-forward. `ordered` adds the JSON Schema in schema
 * property order (`json-ordered`: whole keys are forced text).
 */
export function defaultE2eCases(options: { ordered?: boolean } = {}): E2eCase[] {
  const json: ConstraintSpec = { kind: 'json-schema', source: JSON.stringify(E2E_SCHEMA), whitespace: 'compact' };
  const ordered: ConstraintSpec = { ...json, propertyOrder: 'schema' };
  const regex: ConstraintSpec = { kind: 'regex', source: '[A-Z][a-z]{1,10}( [a-z]{1,10}){3,12}\\. Score: [0-9]{1,3}/100\\.' };
  const gbnf: ConstraintSpec = { kind: 'gbnf', source: E2E_GBNF };
  return [
    { name: 'unconstrained', constraint: null, jumpForward: false },
    { name: 'json-schema', constraint: json, jumpForward: false },
    { name: 'json-schema+jump', constraint: json, jumpForward: true },
    ...(options.ordered
      ? [
          { name: 'json-ordered', constraint: ordered, jumpForward: false },
          { name: 'json-ordered+jump', constraint: ordered, jumpForward: true },
        ]
      : []),
    { name: 'regex', constraint: regex, jumpForward: false },
    { name: 'regex+jump', constraint: regex, jumpForward: true },
    { name: 'gbnf', constraint: gbnf, jumpForward: false },
    { name: 'gbnf+jump', constraint: gbnf, jumpForward: true },
  ];
}

/** Options of {@link runE2eBench}. */
export interface E2eOptions {
  /** Token budget per generation. Default 128. */
  maxTokens?: number;
  /** Passes over the prompts per case (best counts). Default 3. */
  runs?: number;
  /** Prompts. Default {@link E2E_PROMPTS}. */
  prompts?: string[];
  /** Cases. Default {@link defaultE2eCases}. */
  cases?: E2eCase[];
  /** Called after each case. */
  onRow?: (row: E2eRow) => void;
}

/** One case's figures (best pass). */
export interface E2eRow {
  case: string;
  /** Generated tokens over all prompts. */
  tokens: number;
  /** Of which forced (not sampled). */
  forced: number;
  /** forced / tokens. */
  forced_share: number;
  /** Generations that ended with EOS (complete under the constraint). */
  complete: number;
  /** Tokens after each prompt's first step (the ones timed). */
  counted_tokens: number;
  /** Time of the counted tokens (ms, sum of per-step minima over the runs). */
  ms: number;
  tokens_per_s: number;
  /** Process CPU time per token after the first step (ms). */
  cpu_ms_per_token: number;
  /** Of the counted time: forward passes, constraint, sampling (ms). */
  forward_ms: number;
  constraint_ms: number;
  sampling_ms: number;
  /** Unconstrained tokens/s on the same prompts at the same lengths. */
  unconstrained_tokens_per_s: number;
  /** tokens_per_s / unconstrained_tokens_per_s (1 = as fast; > 1 faster). */
  vs_unconstrained: number;
  /** The same ratio in process CPU time after the first step. */
  cpu_vs_unconstrained: number;
}

/** Result of {@link runE2eBench}. */
export interface E2eSummary {
  bench: 'e2e';
  model: string;
  vocab: number;
  layers: number;
  dtype: string;
  prompts: number;
  max_tokens: number;
  runs: number;
  rows: E2eRow[];
}

/** One run stepped by hand. */
interface Trace {
  result: GenerationResult;
  /** Wall ms of each step (the first step's prompt forward pass excluded). */
  wall: number[];
  /** Process CPU ms of each step. */
  cpu: number[];
  /** Output tokens after each step. */
  after: number[];
}

function cpuNow(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function trace(gen: Generator, request: GenerationRequest): Promise<Trace> {
  const g = gen.start(request);
  const tr: Trace = { result: null as unknown as GenerationResult, wall: [], cpu: [], after: [] };
  let w0 = 0;
  while (!g.done) {
    const c0 = cpuNow();
    await g.step();
    const c = cpuNow() - c0;
    const t = g.timing;
    const w = t.totalMs - t.promptMs;
    // A final step that only found EOS is left out: an unconstrained answer ends with the same
    // step (forward pass + pick), and the baseline (EOS ignored) has none to match it with.
    if (g.done && g.tokens.length === (tr.after.at(-1) ?? 0)) break;
    tr.wall.push(w - w0);
    tr.cpu.push(c);
    tr.after.push(g.tokens.length);
    w0 = w;
  }
  tr.result = g.result();
  return tr;
}

/** Element-wise minimum of `b` into `a` (runs of a deterministic generation take the same steps). */
function minInto(a: number[] | undefined, b: number[]): number[] {
  if (!a) return b.slice();
  for (let i = 0; i < Math.min(a.length, b.length); i++) a[i] = Math.min(a[i]!, b[i]!);
  return a;
}

function sum(a: readonly number[], from = 0, to = a.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += a[i]!;
  return s;
}

/**
 * Runs the benchmark on a loaded generator. Generation is greedy, so every
 * run of a case takes the same steps: each step's time is the minimum over
 * the runs (robust on a loaded machine, where noise only adds), and the
 * first step (prompt and first token) is left out. Runs are interleaved: per
 * round and prompt, the baseline then every case. Each constrained case is compared with the
 * unconstrained generation of the same prompts over the same token positions
 * (`vs_unconstrained` in wall time, `cpu_vs_unconstrained` in process CPU
 * time), so a short constrained answer is not credited with the cheaper
 * attention of a short sequence.
 */
export async function runE2eBench(gen: Generator, options: E2eOptions = {}): Promise<E2eSummary> {
  const maxTokens = options.maxTokens ?? 128;
  const runs = options.runs ?? 3;
  const prompts = options.prompts ?? E2E_PROMPTS;
  const cases = options.cases ?? defaultE2eCases();
  // Warm-up: compile every constraint, build the tokenizer's encoder, JIT the loop.
  for (const c of cases) await gen.generate({ prompt: prompts[0]!, constraint: c.constraint, jumpForward: c.jumpForward, maxTokens: 8, ignoreEos: true });
  // Per prompt: minimum step times of the unconstrained baseline (one token per step).
  const baseWall: Array<number[] | undefined> = prompts.map(() => undefined);
  const baseCpu: Array<number[] | undefined> = prompts.map(() => undefined);
  // Per case and prompt: minimum step times, and the last run's trace.
  const caseWall = cases.map(() => prompts.map((): number[] | undefined => undefined));
  const caseCpu = cases.map(() => prompts.map((): number[] | undefined => undefined));
  const last: Trace[][] = cases.map(() => []);
  for (let r = 0; r < runs; r++) {
    for (let pi = 0; pi < prompts.length; pi++) {
      const t = await trace(gen, { prompt: prompts[pi]!, maxTokens, ignoreEos: true });
      baseWall[pi] = minInto(baseWall[pi], t.wall);
      baseCpu[pi] = minInto(baseCpu[pi], t.cpu);
      for (let ci = 0; ci < cases.length; ci++) {
        const c = cases[ci]!;
        const tc = await trace(gen, { prompt: prompts[pi]!, constraint: c.constraint, jumpForward: c.jumpForward, maxTokens, ignoreEos: c.constraint === null });
        caseWall[ci]![pi] = minInto(caseWall[ci]![pi], tc.wall);
        caseCpu[ci]![pi] = minInto(caseCpu[ci]![pi], tc.cpu);
        last[ci]![pi] = tc;
      }
    }
  }
  const rows: E2eRow[] = [];
  for (let ci = 0; ci < cases.length; ci++) {
    let tokens = 0, counted = 0, forced = 0, complete = 0, ms = 0, cpu = 0, bMs = 0, bCpu = 0, fwd = 0, con = 0, smp = 0;
    for (let pi = 0; pi < prompts.length; pi++) {
      const t = last[ci]![pi]!;
      const res = t.result;
      const n = res.tokens.length;
      tokens += n;
      forced += res.tokens.filter((x) => x.forced).length;
      if (res.finishReason === 'eos') complete++;
      fwd += res.timing.forwardMs;
      con += res.timing.constraintMs;
      smp += res.timing.samplingMs;
      if (t.after.length < 2) continue;
      const first = t.after[0]!;
      counted += n - first;
      ms += sum(caseWall[ci]![pi]!, 1);
      cpu += sum(caseCpu[ci]![pi]!, 1);
      // Baseline step k produced token k: the same positions are steps first..n-1.
      bMs += sum(baseWall[pi]!, first, n);
      bCpu += sum(baseCpu[pi]!, first, n);
    }
    const row: E2eRow = {
      case: cases[ci]!.name,
      tokens,
      forced,
      forced_share: round(tokens ? forced / tokens : 0, 4),
      complete,
      counted_tokens: counted,
      ms: round(ms, 3),
      tokens_per_s: round(ms > 0 ? (counted * 1000) / ms : 0, 1),
      cpu_ms_per_token: round(counted ? cpu / counted : 0, 4),
      forward_ms: round(fwd, 2),
      constraint_ms: round(con, 2),
      sampling_ms: round(smp, 2),
      unconstrained_tokens_per_s: round(bMs > 0 ? (counted * 1000) / bMs : 0, 1),
      vs_unconstrained: round(ms > 0 ? bMs / ms : 0, 3),
      cpu_vs_unconstrained: round(cpu > 0 ? bCpu / cpu : 0, 3),
    };
    rows.push(row);
    options.onRow?.(row);
  }
  const info = gen.model.info;
  return { bench: 'e2e', model: gen.spec, vocab: info.vocabSize, layers: info.numLayers, dtype: info.kvType, prompts: prompts.length, max_tokens: maxTokens, runs, rows };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
