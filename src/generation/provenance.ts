/**
 * Provenance: the record every generation result carries, enough to run it
 * again and check the output is the same (`constrain generate --replay`):
 * model file hash, execution provider, dtype, tokenizer hash, the request
 * (prompt, sampling parameters, seed, …), the constraint's source and hash,
 * package versions, and the output ids with their hash.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ChatMessage } from './chat.js';
import type { ConstraintSpec } from './constraint.js';

/** Format tag of {@link Provenance} records. */
export const PROVENANCE_FORMAT = 'constrain-provenance/1';

/**
 * An operation on a generation session, recorded so a replay can redo it:
 * `fork` after `steps` steps (optionally reseeded), or `regenerate` from
 * token `k` after `steps` steps.
 */
export type HistoryOp = { op: 'fork'; steps: number; seed?: number } | { op: 'regenerate'; steps: number; k: number; seed?: number };

/** The recorded request: everything that determines the output. */
export interface RecordedRequest {
  /** Plain text prompt (absent for chat). */
  prompt?: string;
  /** Chat messages (absent for a plain prompt). */
  messages?: ChatMessage[];
  /** A chat template given instead of the model's own. */
  chatTemplate?: string;
  /** Whether the tokenizer's special tokens (BOS) were added to a plain prompt. */
  addSpecialTokens: boolean;
  /** Text the answer was forced to start with. */
  prefill?: string;
  /** Stop strings. */
  stop?: string[];
  /** Token budget after the prefill. */
  maxTokens: number;
  /** Sampling parameters (temperature 0 = greedy). */
  sampling: { temperature: number; topK: number; topP: number; minP: number };
  /** PRNG seed. */
  seed: number;
  /** Top-N logprobs requested (null: none). */
  logprobs: number | null;
  /** Whether forced tokens were batched (jump-forward). */
  jumpForward: boolean;
  /** Whether EOS was ignored (benchmarks). */
  ignoreEos: boolean;
  /** Forks and regenerations that led to this result, in order (absent: a plain run). */
  history?: HistoryOp[];
}

/** A generation's provenance record (JSON). */
export interface Provenance {
  /** {@link PROVENANCE_FORMAT}. */
  format: string;
  /** When the record was made (ISO 8601). Not part of what is compared on replay. */
  created: string;
  /** The model. */
  model: {
    /** As given (`builtin` or a path). */
    spec: string;
    /** Absolute model directory. */
    dir: string;
    /** The .onnx file. */
    file: string;
    /** SHA-256 of the .onnx file followed by its external data file, if any. */
    sha256: string;
    /** Element type of the KV cache / weights. */
    dtype: string;
    /** Execution provider. */
    ep: string;
    /** Logits width. */
    vocabSize: number;
  };
  /** The tokenizer file and its SHA-256. */
  tokenizer: { file: string; sha256: string };
  /** The request. */
  request: RecordedRequest;
  /** The constraint (null: unconstrained); `sha256` of its canonical spec. */
  grammar: (ConstraintSpec & { sha256: string }) | { kind: 'compiled'; sha256: null } | null;
  /** Versions of the packages that determine the output. */
  packages: Record<string, string>;
  /** What came out. */
  result: {
    /** Prompt token ids. */
    promptIds: number[];
    /** Output ids (prefill included, EOS excluded). */
    ids: number[];
    /** SHA-256 of the output text's UTF-8. */
    textSha256: string;
    /** Why it stopped. */
    finishReason: string;
  };
}

/** SHA-256 hex of a string or bytes. */
export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** External data files ORT reads beside an .onnx file. */
function externalData(file: string): string[] {
  return [`${file}.data`, `${file}_data`, file.replace(/\.onnx$/, '.onnx_data')].filter((f, i, a) => a.indexOf(f) === i && existsSync(f));
}

/** SHA-256 of a model: the .onnx file, then its external data files (streamed). */
export async function modelHash(file: string): Promise<string> {
  const h = createHash('sha256');
  for (const f of [file, ...externalData(file)]) {
    for await (const chunk of createReadStream(f)) h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

/** SHA-256 of a file (streamed). */
export async function fileHash(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

let versions: Record<string, string> | undefined;

/** Versions of constrain, onnxruntime-node, the tokenizer and template packages, and Node. */
export function packageVersions(): Record<string, string> {
  if (versions) return versions;
  const req = createRequire(import.meta.url);
  const read = (name: string): string => {
    try {
      // Walk up from the entry point: some packages do not export package.json.
      let dir = dirname(req.resolve(name));
      for (let i = 0; i < 6; i++, dir = dirname(dir)) {
        const f = join(dir, 'package.json');
        if (!existsSync(f)) continue;
        const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === name && pkg.version) return pkg.version;
      }
    } catch {
      // not installed
    }
    return 'unknown';
  };
  let own = 'unknown';
  try {
    own = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    // not in a package layout
  }
  versions = {
    constrain: own,
    'onnxruntime-node': read('onnxruntime-node'),
    '@huggingface/tokenizers': read('@huggingface/tokenizers'),
    '@huggingface/jinja': read('@huggingface/jinja'),
    node: process.version,
  };
  return versions;
}
