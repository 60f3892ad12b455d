/**
 * BatchMaskPool: token bitmasks for many sequences at once, computed by
 * worker threads that write straight into a caller-owned shared bitmask.
 *
 * ```ts
 * const pool = await BatchMaskPool.create({ tokenizer: 'llama3.1', workers: 2 });
 * const a = await pool.add({ kind: 'json-schema', schema });
 * const b = await pool.add({ kind: 'regex', pattern: '[0-9]+' });
 * const masks = pool.allocateMasks(2);          // Int32Array on a SharedArrayBuffer, one row per sequence
 * await pool.fillMasks([a, b], masks);          // row i: the allowed tokens of seqs[i]
 * const ok = await pool.accept([a, b], [t0, t1]);
 * // or both at once, one round trip per worker: await pool.step([a, b], [t0, t1], masks)
 * await pool.close();
 * ```
 *
 * Each worker holds the vocabulary (token bytes in shared memory, its own
 * trie) and compiles each grammar spec it is given once, cached by the spec's
 * hash. A sequence lives on one worker (least-loaded or round-robin), so a
 * batch call sends one message to each worker involved, not one per
 * sequence. Rows use the layout of `fillNextTokenBitmask`: bit `id & 31` of
 * word `id >>> 5` of the row, `ceil(vocab.size / 32)` words per row.
 *
 * Failures: a bad spec rejects `add` with the same error class and code as
 * `compile*` in-process; an error of one sequence rejects the batch call with
 * that sequence's error (its id in `error.sequence`), after every other row is
 * done. A worker that exits or hangs past `timeoutMs` is replaced: calls in
 * flight on it reject with a {@link BatchPoolError} and its sequences are
 * lost (`SEQUENCE_LOST` until removed); the pool goes on. After `close()`
 * every call rejects with `POOL_CLOSED`.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '../errors.js';
import type { MatcherVocabulary } from '../matcher/compiled.js';
import { Vocabulary } from '../vocab/vocabulary.js';
import { BatchPoolError, deserializeError, type SerializedError } from './errors.js';
import type { BatchWorkerData, WorkerReply, WorkerRequest } from './protocol.js';
import { specKey, type GrammarSpec } from './spec.js';
import { vocabularyData, type VocabularyData } from './vocab.js';

/** A sequence of a pool: an id the pool hands out in `add` and `fork`. */
export type SequenceId = number;

/** Options of {@link BatchMaskPool.create}. */
export interface BatchMaskPoolOptions {
  /** A tokenizer name or path (as `Vocabulary.fromFile` takes), or a loaded vocabulary. */
  tokenizer: string | MatcherVocabulary;
  /** Worker threads; default `os.availableParallelism() - 1`, at least 1. */
  workers?: number;
  /** How `add` picks a worker: fewest live sequences (default), or in turn. */
  placement?: 'least-loaded' | 'round-robin';
  /**
   * Longest a call may wait for a worker, in ms (default 60,000; compiles
   * have their own `compileTimeMs` limit). A worker past it is terminated and
   * replaced.
   */
  timeoutMs?: number;
  /** @internal Worker script (tests substitute a bundled or fake one). */
  workerFile?: string | URL;
}

/** Options of {@link BatchMaskPool.fillMasks} and {@link BatchMaskPool.step}. */
export interface FillOptions {
  /** Row of the bitmask for each sequence (default: row `i` for `seqs[i]`). */
  rows?: ArrayLike<number>;
}

type Reply = Extract<WorkerReply, { type: 'reply' }>;
/** A request as the pool builds it, before the request id is set. */
type Request = WorkerRequest extends infer R ? (R extends { rid: number } ? Omit<R, 'rid'> : never) : never;

interface Pending {
  resolve(r: Reply): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

/** One worker thread and what the pool knows of it. */
class Slot {
  worker: Worker | undefined;
  /** Bumped when the worker is replaced; sequences of older generations are lost. */
  generation = 0;
  /** Live sequences on this worker. */
  sequences = 0;
  readonly pending = new Map<number, Pending>();
  /** Whether the current worker has said it is ready. */
  ready = false;
  /** Rejects the start of the current worker, until it is ready. */
  startFailed: ((e: Error) => void) | undefined;
  constructor(readonly index: number) {}
}

interface SequenceInfo {
  slot: Slot;
  generation: number;
  terminated: boolean;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** A pool of worker threads that fill token bitmasks of many sequences per call. */
export class BatchMaskPool {
  /** Logits size of the vocabulary: tokens per bitmask row. */
  readonly vocabSize: number;
  /** 32-bit words per bitmask row: `ceil(vocabSize / 32)`. */
  readonly rowWords: number;
  private readonly slots: Slot[];
  private readonly sequences = new Map<SequenceId, SequenceInfo>();
  private readonly data: BatchWorkerData;
  private readonly file: string | URL;
  private readonly timeoutMs: number;
  private readonly placement: 'least-loaded' | 'round-robin';
  private nextSeq = 1;
  private nextRid = 1;
  private turn = 0;
  private closed = false;

  private constructor(vocab: VocabularyData, workers: number, opts: BatchMaskPoolOptions) {
    this.vocabSize = vocab.size;
    this.rowWords = (vocab.size + 31) >>> 5;
    this.data = { vocab };
    this.file = opts.workerFile ?? new URL('./worker.js', import.meta.url);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.placement = opts.placement ?? 'least-loaded';
    this.slots = Array.from({ length: workers }, (_, i) => new Slot(i));
  }

  /**
   * Loads the vocabulary (when given a name), starts the workers and waits
   * until each has built its trie.
   * @throws InvalidArgumentError for bad options; the worker's error if one cannot start
   */
  static async create(opts: BatchMaskPoolOptions): Promise<BatchMaskPool> {
    const workers = opts.workers ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) throw new InvalidArgumentError(`workers must be an integer in [1, 256], got ${workers}`);
    const t = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (!(Number.isInteger(t) && t > 0 && t <= 0x7fffffff)) throw new InvalidArgumentError(`timeoutMs must be a positive integer of ms, got ${t}`);
    if (opts.placement !== undefined && opts.placement !== 'least-loaded' && opts.placement !== 'round-robin') {
      throw new InvalidArgumentError(`placement must be least-loaded or round-robin, got ${JSON.stringify(opts.placement)}`);
    }
    const vocab = typeof opts.tokenizer === 'string' ? await Vocabulary.fromFile(opts.tokenizer) : opts.tokenizer;
    const name = typeof opts.tokenizer === 'string' ? opts.tokenizer : ((opts.tokenizer as { name?: string }).name ?? 'vocabulary');
    const pool = new BatchMaskPool(vocabularyData(vocab, name), workers, opts);
    try {
      await Promise.all(pool.slots.map((s) => pool.spawn(s)));
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  /** Number of worker threads. */
  get workers(): number {
    return this.slots.length;
  }

  /** Live sequences per worker (index = worker). */
  workerLoads(): number[] {
    return this.slots.map((s) => s.sequences);
  }

  /** Whether {@link close} was called. */
  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * A zeroed bitmask of `rows` rows on a SharedArrayBuffer, as
   * {@link fillMasks} needs: `rows * rowWords` 32-bit words.
   */
  allocateMasks(rows: number): Int32Array {
    if (!Number.isInteger(rows) || rows < 0) throw new InvalidArgumentError(`rows must be a non-negative integer, got ${rows}`);
    return new Int32Array(new SharedArrayBuffer(Math.max(4, rows * this.rowWords * 4)), 0, rows * this.rowWords);
  }

  /**
   * Starts a sequence constrained by `spec` on the least-loaded worker,
   * which compiles the spec (once per worker; later sequences of the same
   * spec reuse it).
   * @throws the compile error of `spec`, of the same class and code as in-process (`UnsupportedFeatureError`, ...)
   */
  async add(spec: GrammarSpec): Promise<SequenceId> {
    this.checkOpen();
    const key = specKey(spec);
    const slot = this.pick();
    const seq = this.nextSeq++;
    slot.sequences++;
    const generation = slot.generation;
    let reply: Reply;
    try {
      reply = await this.request(slot, { op: 'add', seq, key, spec });
    } catch (e) {
      if (slot.generation === generation) slot.sequences--;
      throw e;
    }
    this.sequences.set(seq, { slot, generation, terminated: reply.terminated?.[0] === 1 });
    return seq;
  }

  /** Starts a new sequence in the state of `seq`, on the same worker. */
  async fork(seq: SequenceId): Promise<SequenceId> {
    const info = this.lookup(seq);
    const slot = info.slot;
    const id = this.nextSeq++;
    slot.sequences++;
    let reply: Reply;
    try {
      reply = await this.request(slot, { op: 'fork', seq: id, from: seq });
    } catch (e) {
      if (slot.generation === info.generation) slot.sequences--;
      throw e;
    }
    this.sequences.set(id, { slot, generation: info.generation, terminated: reply.terminated?.[0] === 1 });
    return id;
  }

  /**
   * Writes the allowed next tokens of `seqs[i]` into row `i` (or
   * `rows[i]`) of `masks`, an `Int32Array` or `Uint32Array` on a
   * SharedArrayBuffer (see {@link allocateMasks}). Resolves once every row
   * is written.
   */
  async fillMasks(seqs: ArrayLike<SequenceId>, masks: Int32Array | Uint32Array, opts: FillOptions = {}): Promise<void> {
    await this.run(seqs, undefined, masks, opts.rows);
  }

  /**
   * Feeds `tokenIds[i]` to `seqs[i]`; resolves to whether each was accepted
   * (a rejected token leaves its sequence unchanged).
   */
  async accept(seqs: ArrayLike<SequenceId>, tokenIds: ArrayLike<number>): Promise<boolean[]> {
    return (await this.run(seqs, tokenIds, undefined, undefined))!;
  }

  /**
   * {@link accept} then {@link fillMasks} for the same sequences, in one
   * round trip per worker: the decoding step of a server.
   */
  async step(seqs: ArrayLike<SequenceId>, tokenIds: ArrayLike<number>, masks: Int32Array | Uint32Array, opts: FillOptions = {}): Promise<boolean[]> {
    return (await this.run(seqs, tokenIds, masks, opts.rows))!;
  }

  /** Undoes the last `n` (or `n[i]`) accepted tokens of each sequence. Throws RangeError past the start, changing nothing on that worker. */
  async rollback(seqs: ArrayLike<SequenceId>, n: number | ArrayLike<number>): Promise<void> {
    const counts = typeof n === 'number' ? new Int32Array(seqs.length).fill(n) : Int32Array.from(n);
    if (typeof n === 'number' && !(Number.isInteger(n) && n >= 0)) throw new RangeError(`cannot roll back ${n} steps`);
    if (counts.length !== seqs.length) throw new InvalidArgumentError(`rollback: ${seqs.length} sequences but ${counts.length} counts`);
    const groups = this.group(seqs);
    await this.settle(groups.map(async (g) => {
      const seqIds = pick(seqs, g.indices);
      const reply = await this.request(g.slot, { op: 'rollback', seqs: seqIds, counts: pick(counts, g.indices) }, [seqIds.buffer]);
      this.noteTerminated(seqs, g.indices, reply.terminated);
    }));
  }

  /** Whether `seq` has accepted EOS (as of its last accept or rollback). */
  isTerminated(seq: SequenceId): boolean {
    return this.lookup(seq).terminated;
  }

  /** Ends sequences and frees their matchers. Lost and unknown ids are ignored. */
  async remove(seqs: ArrayLike<SequenceId>): Promise<void> {
    this.checkOpen();
    const bySlot = new Map<Slot, number[]>();
    for (let i = 0; i < seqs.length; i++) {
      const info = this.sequences.get(seqs[i]!);
      if (info === undefined) continue;
      this.sequences.delete(seqs[i]!);
      if (info.generation !== info.slot.generation) continue;
      info.slot.sequences--;
      let list = bySlot.get(info.slot);
      if (list === undefined) bySlot.set(info.slot, (list = []));
      list.push(seqs[i]!);
    }
    await this.settle([...bySlot].map(([slot, list]) => this.request(slot, { op: 'remove', seqs: Int32Array.from(list) })));
  }

  /** Terminates the workers. Calls in flight reject with `POOL_CLOSED`; so do later calls. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const err = (): BatchPoolError => new BatchPoolError('POOL_CLOSED', 'the batch mask pool was closed');
    const exits: Promise<number>[] = [];
    for (const s of this.slots) {
      for (const p of s.pending.values()) {
        clearTimeout(p.timer);
        p.reject(err());
      }
      s.pending.clear();
      if (s.worker) exits.push(s.worker.terminate());
      s.worker = undefined;
    }
    this.sequences.clear();
    await Promise.all(exits);
  }

  /** Accept and/or fill, grouped by worker. */
  private async run(
    seqs: ArrayLike<SequenceId>, tokens: ArrayLike<number> | undefined,
    masks: Int32Array | Uint32Array | undefined, rows: ArrayLike<number> | undefined,
  ): Promise<boolean[] | undefined> {
    this.checkOpen();
    const n = seqs.length;
    if (tokens !== undefined && tokens.length !== n) throw new InvalidArgumentError(`${n} sequences but ${tokens.length} token ids`);
    if (masks !== undefined) this.checkMasks(masks, n, rows);
    const groups = this.group(seqs);
    const accepted: boolean[] | undefined = tokens ? new Array<boolean>(n).fill(false) : undefined;
    await this.settle(groups.map(async (g) => {
      const ids = pick(seqs, g.indices);
      const msg: Request & { op: 'step' } = { op: 'step' };
      const transfer: ArrayBuffer[] = [ids.buffer];
      if (tokens) {
        msg.accept = ids;
        msg.tokens = pick(tokens, g.indices);
        transfer.push(msg.tokens.buffer as ArrayBuffer);
      }
      if (masks) {
        msg.seqs = tokens ? ids.slice() : ids;
        if (tokens) transfer.push(msg.seqs.buffer as ArrayBuffer);
        msg.rows = rows ? pick(rows, g.indices) : Int32Array.from(g.indices);
        transfer.push(msg.rows.buffer as ArrayBuffer);
        msg.buffer = masks.buffer as SharedArrayBuffer;
        msg.byteOffset = masks.byteOffset;
        msg.words = this.rowWords;
      }
      const reply = await this.request(g.slot, msg, transfer);
      if (accepted && reply.accepted) {
        for (let j = 0; j < g.indices.length; j++) accepted[g.indices[j]!] = reply.accepted[j] === 1;
        this.noteTerminated(seqs, g.indices, reply.terminated);
      }
      if (reply.failures?.length) {
        const f = reply.failures[0]!;
        const seq = seqs[g.indices[f.index]!]!;
        throw withSequence(deserializeError(f.error, `sequence ${seq}`), seq);
      }
    }));
    return accepted;
  }

  private noteTerminated(seqs: ArrayLike<SequenceId>, indices: readonly number[], flags: Uint8Array | undefined): void {
    if (!flags) return;
    for (let j = 0; j < indices.length; j++) {
      const info = this.sequences.get(seqs[indices[j]!]!);
      if (info) info.terminated = flags[j] === 1;
    }
  }

  /** Waits for all, then rethrows the first failure (so no worker is still writing when the caller sees it). */
  private async settle(calls: Promise<unknown>[]): Promise<void> {
    const results = await Promise.allSettled(calls);
    for (const r of results) if (r.status === 'rejected') throw r.reason;
  }

  private checkMasks(masks: Int32Array | Uint32Array, n: number, rows: ArrayLike<number> | undefined): void {
    if (!(masks instanceof Int32Array || masks instanceof Uint32Array) || !(masks.buffer instanceof SharedArrayBuffer)) {
      throw new InvalidArgumentError('masks must be an Int32Array or Uint32Array on a SharedArrayBuffer (see allocateMasks)');
    }
    let needRows = n;
    if (rows !== undefined) {
      if (rows.length !== n) throw new InvalidArgumentError(`${n} sequences but ${rows.length} rows`);
      needRows = 0;
      for (let i = 0; i < n; i++) {
        const r = rows[i]!;
        if (!(Number.isInteger(r) && r >= 0)) throw new InvalidArgumentError(`rows[${i}] = ${r} is not a row index`);
        needRows = Math.max(needRows, r + 1);
      }
    }
    if (masks.length < needRows * this.rowWords) {
      throw new RangeError(`bitmask has ${masks.length} words, needs ${needRows * this.rowWords} for ${needRows} rows of ${this.vocabSize} tokens`);
    }
  }

  /** Sequence indices grouped by the worker holding them. */
  private group(seqs: ArrayLike<SequenceId>): { slot: Slot; indices: number[] }[] {
    const groups: { slot: Slot; indices: number[] }[] = [];
    const bySlot: ({ slot: Slot; indices: number[] } | undefined)[] = new Array(this.slots.length);
    for (let i = 0; i < seqs.length; i++) {
      const info = this.lookup(seqs[i]!);
      let g = bySlot[info.slot.index];
      if (g === undefined) {
        g = bySlot[info.slot.index] = { slot: info.slot, indices: [] };
        groups.push(g);
      }
      g.indices.push(i);
    }
    return groups;
  }

  private lookup(seq: SequenceId): SequenceInfo {
    this.checkOpen();
    const info = this.sequences.get(seq);
    if (info === undefined) throw new InvalidArgumentError(`sequence ${seq} is not in this pool (never added, or removed)`);
    if (info.generation !== info.slot.generation) {
      throw new BatchPoolError('SEQUENCE_LOST', `sequence ${seq} was lost when batch worker ${info.slot.index} exited; remove it`);
    }
    return info;
  }

  private checkOpen(): void {
    if (this.closed) throw new BatchPoolError('POOL_CLOSED', 'the batch mask pool is closed');
  }

  /** The worker for a new sequence. */
  private pick(): Slot {
    const live = this.slots.filter((s) => s.worker !== undefined);
    if (live.length === 0) throw new BatchPoolError('WORKER_EXITED', 'no batch worker is running (they failed to restart)');
    const n = this.slots.length;
    let best: Slot | undefined;
    for (let k = 0; k < n; k++) {
      const s = this.slots[(this.turn + k) % n]!;
      if (s.worker === undefined) continue;
      if (this.placement === 'round-robin') {
        best = s;
        break;
      }
      if (best === undefined || s.sequences < best.sequences) best = s;
    }
    this.turn = (best!.index + 1) % n;
    return best!;
  }

  /** Sends a request; the reply (or the error it carries) settles the promise. */
  private request(slot: Slot, msg: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.closed) return reject(new BatchPoolError('POOL_CLOSED', 'the batch mask pool is closed'));
      const worker = slot.worker;
      if (worker === undefined) return reject(new BatchPoolError('WORKER_EXITED', `batch worker ${slot.index} is not running`));
      const rid = this.nextRid++;
      const timer = setTimeout(() => {
        slot.pending.delete(rid);
        reject(new BatchPoolError('TIMEOUT', `batch worker ${slot.index} did not answer a ${msg.op} request within ${this.timeoutMs} ms; it was terminated`));
        this.retire(slot, worker, `was terminated after a ${msg.op} request timed out (${this.timeoutMs} ms)`);
      }, this.timeoutMs);
      slot.pending.set(rid, { resolve, reject, timer });
      if (slot.pending.size === 1) worker.ref();
      worker.postMessage({ ...msg, rid } as WorkerRequest, transfer);
    });
  }

  /** Starts (or restarts) the worker of a slot; resolves when it is ready. */
  private spawn(slot: Slot): Promise<void> {
    const worker = new Worker(this.file, { workerData: this.data });
    slot.worker = worker;
    slot.ready = false;
    let lastError: Error | undefined;
    return new Promise<void>((resolve, reject) => {
      slot.startFailed = reject;
      const startTimer = setTimeout(() => this.retire(slot, worker, `did not start within ${this.timeoutMs} ms`), this.timeoutMs);
      worker.on('message', (m: WorkerReply) => {
        if (m.type === 'ready') {
          clearTimeout(startTimer);
          if (slot.worker !== worker) return;
          slot.ready = true;
          slot.startFailed = undefined;
          if (slot.pending.size === 0) worker.unref();
          resolve();
          return;
        }
        if (slot.worker !== worker) return;
        const p = slot.pending.get(m.rid);
        if (p === undefined) return; // timed out already
        slot.pending.delete(m.rid);
        clearTimeout(p.timer);
        if (slot.pending.size === 0) worker.unref();
        if (m.error) p.reject(deserializeError(m.error as SerializedError));
        else p.resolve(m);
      });
      worker.on('error', (e) => {
        lastError = e;
      });
      worker.on('exit', (code) => {
        clearTimeout(startTimer);
        this.retire(slot, worker, lastError ? `threw ${lastError.name}: ${lastError.message}` : `exited with code ${code}`, lastError);
      });
    });
  }

  /**
   * Takes a dead or hung worker out of its slot: rejects its calls, marks its
   * sequences lost, terminates it and starts a replacement (unless it never
   * started, or the pool is closed). Does nothing for a worker already retired.
   */
  private retire(slot: Slot, worker: Worker, why: string, cause?: Error): void {
    if (slot.worker !== worker) return;
    slot.worker = undefined;
    void worker.terminate();
    if (this.closed) return;
    const err = new BatchPoolError('WORKER_EXITED', `batch worker ${slot.index} ${why}; its ${slot.sequences} sequence(s) are lost`);
    for (const p of slot.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    slot.pending.clear();
    slot.generation++;
    slot.sequences = 0;
    if (!slot.ready) {
      slot.startFailed?.(cause ?? err);
      slot.startFailed = undefined;
      return;
    }
    // Replace it; requests sent before the new one is ready wait in its queue.
    this.spawn(slot).catch(() => undefined);
  }
}

/** Picks `src[indices[j]]` into a fresh Int32Array. */
function pick(src: ArrayLike<number>, indices: readonly number[]): Int32Array<ArrayBuffer> {
  const out = new Int32Array(indices.length);
  for (let j = 0; j < indices.length; j++) out[j] = src[indices[j]!]!;
  return out;
}

/** Marks an error with the sequence it came from (`error.sequence`). */
function withSequence(e: Error, seq: SequenceId): Error {
  Object.defineProperty(e, 'sequence', { value: seq, enumerable: false, configurable: true, writable: true });
  return e;
}
