/**
 * How a {@link BatchMaskPool} talks to its workers.
 *
 * Two paths. Requests that carry data (add a grammar, fork, rollback,
 * remove, register a mask buffer) are messages on a MessageChannel, each
 * answered by one {@link WorkerReply} with the same `rid`. The decoding step
 * (accept tokens and/or fill mask rows) goes through shared memory: the pool
 * writes sequence ids, tokens and rows into the worker's data area and the
 * header below, bumps `StepReq` and `Kick`; the worker writes results and
 * mask rows, then sets `StepDone` and notifies. The worker thread blocks in
 * `Atomics.wait` on `Kick` and pulls messages with `receiveMessageOnPort`,
 * so it never needs its event loop: a step costs one futex wake each way.
 * @internal
 */
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from './errors.js';
import type { GrammarSpec } from './spec.js';
import type { VocabularyData } from './vocab.js';

/** Slots of the shared header (an Int32Array of `Ctl.Size`). */
export const enum Ctl {
  /** Bumped by the pool for every request, message or step; the worker waits on it. */
  Kick = 0,
  /** Id of the last step the pool posted. */
  StepReq = 1,
  /** Id of the last step the worker finished; the pool waits on it. */
  StepDone = 2,
  /** {@link StepFlag} bits. */
  Flags = 3,
  /** Sequences in the step. */
  Count = 4,
  /** Id of the registered mask buffer to fill. */
  Buffer = 5,
  /** Word offset of row 0 in that buffer. */
  WordOffset = 6,
  /** 32-bit words per row. */
  Words = 7,
  /** 1 when some sequence of the step failed: fetch them with a `failures` request. */
  Failed = 8,
  Size = 16,
}

/** What a step does. */
export const enum StepFlag {
  /** Accept `tokens[i]` for `seqs[i]` first. */
  Accept = 1,
  /** Then fill row `rows[i]` for `seqs[i]`. */
  Fill = 2,
}

/**
 * Offsets (in Int32 slots, multiples of `cap`) of the arrays in the data
 * area of capacity `cap`: inputs `seqs`, `tokens`, `rows`; outputs
 * `accepted`, `terminated` (0/1).
 */
export const enum Data {
  Seqs = 0,
  Tokens = 1,
  Rows = 2,
  Accepted = 3,
  Terminated = 4,
  Arrays = 5,
}

/** `workerData` of a batch worker. */
export interface BatchWorkerData {
  vocab: VocabularyData;
  /** The header, `Ctl.Size` Int32 slots. */
  control: SharedArrayBuffer;
  /** Requests in, replies out. */
  port: MessagePort;
}

/** A message request to a worker. */
export type WorkerRequest =
  /** Compile `spec` (cached under `key`) and start sequence `seq` on it. */
  | { op: 'add'; rid: number; seq: number; key: string; spec: GrammarSpec }
  /** Start sequence `seq` as a copy of `from`. */
  | { op: 'fork'; rid: number; seq: number; from: number }
  /** Undo `counts[i]` tokens of `seqs[i]` (all or none). */
  | { op: 'rollback'; rid: number; seqs: Int32Array; counts: Int32Array }
  /** Drop sequences. */
  | { op: 'remove'; rid: number; seqs: Int32Array }
  /** Register a mask buffer under `id`, forgetting buffer `drop` (-1: none). */
  | { op: 'buffer'; rid: number; id: number; buffer: SharedArrayBuffer; drop: number }
  /** Use `data` (Int32 slots, `Data.Arrays * cap`) as the step data area from now on. */
  | { op: 'channel'; rid: number; data: SharedArrayBuffer; cap: number }
  /** The per-sequence failures of the last step. */
  | { op: 'failures'; rid: number };

/** A per-sequence failure of a step: which phase, index into the step's arrays, the error. */
export interface StepFailure {
  phase: 'accept' | 'fill';
  index: number;
  error: SerializedError;
}

/** A worker's answer. */
export type WorkerReply =
  | { type: 'ready' }
  | {
      type: 'reply'; rid: number;
      /** The request failed as a whole (bad spec on `add`, unknown sequence). */
      error?: SerializedError;
      /** `add`, `fork`, `rollback`: 1 where the sequence is terminated afterwards. */
      terminated?: Uint8Array;
      /** `failures`. */
      failures?: StepFailure[];
    };
