/**
 * Messages between a {@link BatchMaskPool} and its workers. Every request
 * carries a request id `rid`; the worker answers each with exactly one
 * {@link WorkerReply} of the same `rid`, in order. Sequence ids are the
 * pool's; rows index the shared bitmask.
 * @internal
 */
import type { SerializedError } from './errors.js';
import type { GrammarSpec } from './spec.js';
import type { VocabularyData } from './vocab.js';

/** `workerData` of a batch worker. */
export interface BatchWorkerData {
  vocab: VocabularyData;
}

/** A request to a worker. */
export type WorkerRequest =
  /** Compile `spec` (cached under `key`) and start sequence `seq` on it. */
  | { op: 'add'; rid: number; seq: number; key: string; spec: GrammarSpec }
  /** Start sequence `seq` as a copy of `from`. */
  | { op: 'fork'; rid: number; seq: number; from: number }
  /**
   * Optionally accept `tokens[i]` for `accept[i]` (when `tokens` is set),
   * then fill row `rows[i]` for `seqs[i]` of the bitmask in `buffer` (when
   * `buffer` is set): rows of `words` 32-bit words from `byteOffset`.
   */
  | {
      op: 'step'; rid: number; accept?: Int32Array; tokens?: Int32Array;
      seqs?: Int32Array; rows?: Int32Array; buffer?: SharedArrayBuffer; byteOffset?: number; words?: number;
    }
  /** Undo `counts[i]` tokens of `seqs[i]`. */
  | { op: 'rollback'; rid: number; seqs: Int32Array; counts: Int32Array }
  /** Drop sequences. */
  | { op: 'remove'; rid: number; seqs: Int32Array };

/** Per-sequence failure inside a batch request: index into the request's array, and the error. */
export type SequenceFailure = [index: number, error: SerializedError];

/** A worker's answer. */
export type WorkerReply =
  | { type: 'ready' }
  | {
      type: 'reply'; rid: number;
      /** Whole-request failure (bad spec on `add`, unknown sequence). */
      error?: SerializedError;
      /** `step`: 1 where `accept[i]` took its token. */
      accepted?: Uint8Array;
      /** `step`, `rollback`, `add`, `fork`: 1 where the sequence is terminated afterwards (same order as the accept, or seqs, array). */
      terminated?: Uint8Array;
      /** Failures of single sequences in `step` (`phase` says which array `index` refers to). */
      failures?: { phase: 'accept' | 'fill'; index: number; error: SerializedError }[];
    };
