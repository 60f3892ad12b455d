/**
 * End-to-end generation benchmark: tokens/s of the same prompts generated
 * unconstrained and under constraints (JSON Schema, the same with
 * jump-forward, a regex, a GBNF grammar), greedy, and the share of forced
 * tokens. Time counted: all steps less the first forward pass (the prompt,
 * identical in every case), best of `runs` passes over the prompts; the
 * process CPU time per token is reported too (steadier on a busy machine).
 */
import type { ConstraintSpec } from './constraint.js';
import type { Generator } from './generator.js';

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

/** Default prompts. */
export const E2E_PROMPTS = [
  'Describe a record as JSON:',
  'Once upon a time, there was a little girl named Lily.',
  'The answer is',
  'Tom and his dog went to the park. They',
];

/** Default cases. */
export function defaultE2eCases(): E2eCase[] {
  const json: ConstraintSpec = { kind: 'json-schema', source: JSON.stringify(E2E_SCHEMA), whitespace: 'compact' };
  return [
    { name: 'unconstrained', constraint: null, jumpForward: false },
    { name: 'json-schema', constraint: json, jumpForward: false },
    { name: 'json-schema+jump', constraint: json, jumpForward: true },
    { name: 'regex', constraint: { kind: 'regex', source: '[A-Z][a-z]{1,10}( [a-z]{1,10}){3,12}\\. Score: [0-9]{1,3}/100\\.' }, jumpForward: false },
    { name: 'gbnf', constraint: { kind: 'gbnf', source: 'root ::= item (", " item){0,11} "."\nitem ::= [a-z]{1,8} "=" [0-9]{1,4}\n' }, jumpForward: false },
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
  /** Time counted (ms). */
  ms: number;
  tokens_per_s: number;
  /** Process CPU time per token (ms). */
  cpu_ms_per_token: number;
  /** Of the counted time: forward passes, constraint, sampling (ms). */
  forward_ms: number;
  constraint_ms: number;
  sampling_ms: number;
  /** tokens/s relative to the unconstrained row (1 = as fast). */
  vs_unconstrained: number | null;
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

/** Runs the benchmark on a loaded generator. */
export async function runE2eBench(gen: Generator, options: E2eOptions = {}): Promise<E2eSummary> {
  const maxTokens = options.maxTokens ?? 128;
  const runs = options.runs ?? 3;
  const prompts = options.prompts ?? E2E_PROMPTS;
  const cases = options.cases ?? defaultE2eCases();
  // Warm-up: compile every constraint, build the tokenizer's encoder, JIT the loop.
  for (const c of cases) await gen.generate({ prompt: prompts[0]!, constraint: c.constraint, jumpForward: c.jumpForward, maxTokens: 8, ignoreEos: true });
  const rows: E2eRow[] = [];
  let base: number | null = null;
  for (const c of cases) {
    let best: E2eRow | null = null;
    for (let r = 0; r < runs; r++) {
      let tokens = 0, forced = 0, complete = 0, ms = 0, fwd = 0, con = 0, smp = 0;
      const cpu0 = process.cpuUsage();
      let promptCpuMs = 0;
      for (const prompt of prompts) {
        const res = await gen.generate({ prompt, constraint: c.constraint, jumpForward: c.jumpForward, maxTokens, ignoreEos: c.constraint === null });
        const t = res.timing;
        tokens += res.tokens.length;
        forced += res.tokens.filter((x) => x.forced).length;
        if (res.finishReason === 'eos') complete++;
        ms += t.totalMs - t.promptMs;
        promptCpuMs += t.promptMs;
        fwd += t.forwardMs;
        con += t.constraintMs;
        smp += t.samplingMs;
      }
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = Math.max(0, (cpu.user + cpu.system) / 1000 - promptCpuMs);
      const row: E2eRow = {
        case: c.name,
        tokens,
        forced,
        forced_share: round(tokens ? forced / tokens : 0, 4),
        complete,
        ms: round(ms, 2),
        tokens_per_s: round(ms > 0 ? (tokens * 1000) / ms : 0, 1),
        cpu_ms_per_token: round(tokens ? cpuMs / tokens : 0, 4),
        forward_ms: round(fwd, 2),
        constraint_ms: round(con, 2),
        sampling_ms: round(smp, 2),
        vs_unconstrained: null,
      };
      if (!best || row.tokens_per_s > best.tokens_per_s) best = row;
    }
    if (c.constraint === null && base === null) base = best!.tokens_per_s;
    best!.vs_unconstrained = base ? round(best!.tokens_per_s / base, 3) : null;
    rows.push(best!);
    options.onRow?.(best!);
  }
  const info = gen.model.info;
  return { bench: 'e2e', model: gen.spec, vocab: info.vocabSize, layers: info.numLayers, dtype: info.kvType, prompts: prompts.length, max_tokens: maxTokens, runs, rows };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
