/**
 * Replaying a provenance record: load the same model (its hash must match),
 * compile the recorded constraint, run the recorded request (redoing recorded
 * forks and regenerations) and compare the output with the record.
 */
import { InvalidArgumentError } from '../errors.js';
import type { ExecutionProviderName } from '../decode/model.js';
import { constraintHash, type ConstraintSpec } from './constraint.js';
import type { Generation, GenerationResult } from './generation.js';
import { Generator, type GenerationRequest } from './generator.js';
import { packageVersions, PROVENANCE_FORMAT, type Provenance } from './provenance.js';

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Model to load instead of the recorded one (its hash must still match). */
  model?: string;
  /** Execution provider (default: the recorded one). */
  ep?: ExecutionProviderName;
  /** Intra-op threads. */
  threads?: number;
  /** A generator already holding the model (skips loading; its hash must match). */
  generator?: Generator;
}

/** Outcome of {@link replay}. */
export interface ReplayOutcome {
  /** The new result. */
  result: GenerationResult;
  /** Whether ids, text hash and finish reason equal the record's. */
  matches: boolean;
  /** What differs (empty when `matches`). */
  differences: string[];
  /** Notes that do not affect the comparison (package versions that changed). */
  notes: string[];
}

/** Takes a provenance record, or an object holding one under `provenance` (a `--json` output). */
export function provenanceOf(json: unknown): Provenance {
  const obj = json as { format?: unknown; provenance?: unknown } | null;
  const rec = (obj && typeof obj === 'object' && obj.format === undefined && obj.provenance ? obj.provenance : obj) as Provenance | null;
  if (!rec || typeof rec !== 'object' || rec.format !== PROVENANCE_FORMAT) {
    throw new InvalidArgumentError(`not a provenance record: expected "format": "${PROVENANCE_FORMAT}" (or a --json output with a provenance field)`);
  }
  if (!rec.model?.sha256 || !rec.request || !rec.result) throw new InvalidArgumentError('provenance record lacks model, request or result');
  return rec;
}

/** The model to load for a record: `override`, else `builtin` or the recorded directory. */
export function modelSpecOf(rec: Provenance, override?: string): string {
  return override ?? (rec.model.spec === 'builtin' ? 'builtin' : rec.model.dir);
}

/** The request a record describes. */
export function requestOf(rec: Provenance): GenerationRequest {
  const q = rec.request;
  let constraint: ConstraintSpec | null = null;
  if (rec.grammar) {
    if (rec.grammar.kind === 'compiled') throw new InvalidArgumentError('the record used a precompiled grammar whose source was not recorded: it cannot be replayed');
    const { sha256, ...spec } = rec.grammar;
    constraint = spec as ConstraintSpec;
    if (constraintHash(constraint) !== sha256) throw new InvalidArgumentError('the recorded grammar does not match its recorded sha256 (edited record?)');
  }
  return {
    ...(q.prompt !== undefined ? { prompt: q.prompt } : { messages: q.messages }),
    ...(q.chatTemplate !== undefined ? { chatTemplate: q.chatTemplate } : {}),
    addSpecialTokens: q.addSpecialTokens,
    constraint,
    prefill: q.prefill,
    stop: q.stop,
    maxTokens: q.maxTokens,
    temperature: q.sampling.temperature,
    topK: q.sampling.topK,
    topP: q.sampling.topP,
    minP: q.sampling.minP,
    seed: q.seed,
    logprobs: q.logprobs ?? undefined,
    jumpForward: q.jumpForward,
    ignoreEos: q.ignoreEos,
  };
}

/** Runs a session through the recorded history (forks, regenerations), then to the end. */
export async function runWithHistory(start: Generation, rec: Provenance): Promise<GenerationResult> {
  let gen = start;
  for (const op of rec.request.history ?? []) {
    while (gen.stepCount < op.steps && !gen.done) await gen.step();
    const seed = op.seed !== undefined ? { seed: op.seed } : {};
    if (op.op === 'fork') gen = gen.fork(seed);
    else gen.regenerateFrom(op.k, seed);
  }
  return gen.run();
}

/**
 * Reproduces a recorded generation. Throws `InvalidArgumentError` when the
 * model or tokenizer files differ from the recorded hashes (the output could
 * not be expected to match).
 */
export async function replay(record: unknown, options: ReplayOptions = {}): Promise<ReplayOutcome> {
  const rec = provenanceOf(record);
  const request = requestOf(rec);
  const spec = modelSpecOf(rec, options.model);
  const gen = options.generator ?? (await Generator.load(spec, { ep: options.ep ?? (rec.model.ep as ExecutionProviderName), threads: options.threads }));
  try {
    const now = gen.start(request);
    const loaded = now.ctx.record;
    if (loaded.model.sha256 !== rec.model.sha256) {
      throw new InvalidArgumentError(`model ${loaded.model.file} has sha256 ${loaded.model.sha256}, the record ${rec.model.sha256}: not the recorded model (pass --model DIR)`);
    }
    if (loaded.tokenizer.sha256 !== rec.tokenizer.sha256) {
      throw new InvalidArgumentError(`tokenizer ${loaded.tokenizer.file} has sha256 ${loaded.tokenizer.sha256}, the record ${rec.tokenizer.sha256}`);
    }
    const result = await runWithHistory(now, rec);
    const differences: string[] = [];
    const r = result.provenance.result;
    if (r.promptIds.join(',') !== rec.result.promptIds.join(',')) differences.push('prompt tokens differ');
    const k = firstDifference(r.ids, rec.result.ids);
    if (k >= 0) differences.push(`output ids differ from token ${k} (recorded ${rec.result.ids.length} tokens, now ${r.ids.length})`);
    if (r.textSha256 !== rec.result.textSha256) differences.push('text hash differs');
    if (r.finishReason !== rec.result.finishReason) differences.push(`finish reason ${r.finishReason}, recorded ${rec.result.finishReason}`);
    const notes: string[] = [];
    const pk = packageVersions();
    for (const [name, v] of Object.entries(rec.packages ?? {})) if (pk[name] !== v) notes.push(`${name} ${pk[name] ?? 'absent'} (recorded ${v})`);
    if ((options.ep ?? rec.model.ep) !== rec.model.ep) notes.push(`execution provider ${options.ep} (recorded ${rec.model.ep})`);
    return { result, matches: differences.length === 0, differences, notes };
  } finally {
    if (!options.generator) await gen.release();
  }
}

function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
