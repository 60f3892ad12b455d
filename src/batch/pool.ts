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
 * batch call costs one round trip to each worker involved, not one per
 * sequence; steps (accept, fill) go through shared memory and `Atomics`
 * (protocol.ts), other requests are messages. A request to an idle worker is
 * posted before the call returns, so the workers compute while this thread
 * runs a blocking forward pass. Rows use the layout of
 * `fillNextTokenBitmask`: bit `id & 31` of word `id >>> 5` of the row,
 * `ceil(vocab.size / 32)` words per row.
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
import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { InvalidArgumentError } from '../errors.js';
import type { MatcherVocabulary } from '../matcher/compiled.js';
import { Vocabulary } from '../vocab/vocabulary.js';
import { BatchPoolError, deserializeError, type SerializedError } from './errors.js';
import { Ctl, Data, StepFlag, type BatchWorkerData, type StepFailure, type WorkerReply, type WorkerRequest } from './protocol.js';
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
  /** The pool's end of the worker's message channel. */
  port: MessagePort | undefined;
  /** The shared header (protocol.ts `Ctl`). */
  ctl: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** The step data area (protocol.ts `Data`) and its capacity in sequences. */
  data: Int32Array<ArrayBufferLike> = new Int32Array(0);
  cap = 0;
  /** Id of the last step posted. */
  stepId = 0;
  /** Mask buffers registered with the current worker, oldest first, and their ids. */
  buffers = new Map<SharedArrayBuffer, number>();
  /** Bumped when the worker is replaced; sequences of older generations are lost. */
  generation = 0;
  /** Live sequences on this worker. */
  sequences = 0;
  readonly pending = new Map<number, Pending>();
  /** Requests to this worker run one at a time, in call order: the last one's settlement. */
  chain: Promise<unknown> = Promise.resolve();
  /** Requests started or waiting on this worker. */
  queued = 0;
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
/** Least time a worker gets to start (load its vocabulary, build its trie), whatever `timeoutMs` is. */
const START_TIMEOUT_MS = 60_000;
/** Mask buffers each worker keeps registered (a server double-buffers; more come and go). */
const MAX_BUFFERS = 8;
/** Initial step capacity per worker, in sequences. */
const MIN_CAP = 64;

/** A pool of worker threads that fill token bitmasks of many sequences per call. */
export class BatchMaskPool {
  /** Logits size of the vocabulary: tokens per bitmask row. */
  readonly vocabSize: number;
  /** 32-bit words per bitmask row: `ceil(vocabSize / 32)`. */
  readonly rowWords: number;
  private readonly slots: Slot[];
  private readonly sequences = new Map<SequenceId, SequenceInfo>();
  private readonly vocabData: VocabularyData;
  private readonly file: string | URL;
  private readonly timeoutMs: number;
  private readonly placement: 'least-loaded' | 'round-robin';
  private nextSeq = 1;
  private nextRid = 1;
  private nextBuffer = 1;
  private turn = 0;
  private closed = false;

  private constructor(vocab: VocabularyData, workers: number, opts: BatchMaskPoolOptions) {
    this.vocabSize = vocab.size;
    this.rowWords = (vocab.size + 31) >>> 5;
    this.vocabData = vocab;
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
    // A replacement worker ran it (the count was reset when the old one went): count it there.
    if (slot.generation !== generation) slot.sequences++;
    this.sequences.set(seq, { slot, generation: slot.generation, terminated: reply.terminated?.[0] === 1 });
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
    const exits: Promise<number>[] = [];
    for (const s of this.slots) {
      const w = s.worker;
      if (w === undefined) continue;
      exits.push(new Promise<number>((resolve) => w.once('exit', resolve)));
      this.retire(s, w, 'closed');
    }
    this.sequences.clear();
    await Promise.all(exits);
  }

  /** Accept and/or fill, grouped by worker: one shared-memory step per worker. */
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
    await this.settle(groups.map((g) => this.enqueue(g.slot, async () => {
      const slot = g.slot;
      const idx = g.indices;
      const m = idx.length;
      if (m > slot.cap) await this.grow(slot, m);
      let bufferId = 0;
      if (masks) bufferId = slot.buffers.get(masks.buffer as SharedArrayBuffer) ?? (await this.register(slot, masks.buffer as SharedArrayBuffer));
      const { data, cap, ctl } = slot;
      for (let j = 0; j < m; j++) data[Data.Seqs * cap + j] = seqs[idx[j]!]!;
      if (tokens) for (let j = 0; j < m; j++) data[Data.Tokens * cap + j] = tokens[idx[j]!]!;
      if (masks) for (let j = 0; j < m; j++) data[Data.Rows * cap + j] = rows ? rows[idx[j]!]! : idx[j]!;
      ctl[Ctl.Flags] = (tokens ? StepFlag.Accept : 0) | (masks ? StepFlag.Fill : 0);
      ctl[Ctl.Count] = m;
      ctl[Ctl.Buffer] = bufferId;
      ctl[Ctl.WordOffset] = masks ? masks.byteOffset >>> 2 : 0;
      ctl[Ctl.Words] = this.rowWords;
      await this.postStep(slot);
      if (accepted) {
        for (let j = 0; j < m; j++) {
          accepted[idx[j]!] = data[Data.Accepted * cap + j] === 1;
          const info = this.sequences.get(seqs[idx[j]!]!);
          if (info) info.terminated = data[Data.Terminated * cap + j] === 1;
        }
      }
      if (ctl[Ctl.Failed] === 1) {
        const reply = await this.send(slot, { op: 'failures' });
        const f: StepFailure | undefined = reply.failures?.[0];
        if (f) {
          const seq = seqs[idx[f.index]!]!;
          throw withSequence(deserializeError(f.error, `sequence ${seq}`), seq);
        }
      }
    })));
    return accepted;
  }

  /** Posts the step written into the slot's shared memory and waits for the worker to finish it. */
  private postStep(slot: Slot): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const worker = this.live(slot);
      const ctl = slot.ctl;
      const id = ++slot.stepId;
      const rid = this.track(slot, worker, 'step', resolve as (r: unknown) => void, reject);
      Atomics.store(ctl, Ctl.StepReq, id);
      Atomics.add(ctl, Ctl.Kick, 1);
      Atomics.notify(ctl, Ctl.Kick);
      // A wake-up may be stale (the notify of the previous step, landing after its waiter had
      // seen the new value): wait again until the worker has written this step's id.
      const wait = (): void => {
        if (!slot.pending.has(rid)) return; // settled already (timeout, exit, close)
        if (Atomics.load(ctl, Ctl.StepDone) === id) {
          this.settlePending(slot, rid)?.resolve(undefined as never);
          return;
        }
        const w = waitAsync(ctl, Ctl.StepDone, id - 1);
        if (w.async) void w.value.then(wait);
        else wait();
      };
      wait();
    });
  }

  /** Makes the slot's step data area hold `m` sequences. */
  private async grow(slot: Slot, m: number): Promise<void> {
    let cap = Math.max(MIN_CAP, slot.cap);
    while (cap < m) cap *= 2;
    const sab = new SharedArrayBuffer(4 * Data.Arrays * cap);
    await this.send(slot, { op: 'channel', data: sab, cap });
    slot.data = new Int32Array(sab);
    slot.cap = cap;
  }

  /** The id of a mask buffer on the slot's worker, registering it (and forgetting the oldest) when new. */
  private async register(slot: Slot, buffer: SharedArrayBuffer): Promise<number> {
    const known = slot.buffers.get(buffer);
    if (known !== undefined) return known;
    const id = this.nextBuffer++;
    let drop = -1;
    if (slot.buffers.size >= MAX_BUFFERS) {
      const [oldest, oldId] = slot.buffers.entries().next().value!;
      slot.buffers.delete(oldest);
      drop = oldId;
    }
    await this.send(slot, { op: 'buffer', id, buffer, drop });
    slot.buffers.set(buffer, id);
    return id;
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

  /**
   * Runs `fn` after every earlier request to this worker has settled; if the
   * worker was replaced meanwhile, rejects with `SEQUENCE_LOST` instead (the
   * request names sequences of the old one).
   */
  private enqueue<T>(slot: Slot, fn: () => Promise<T>, namesSequences = true): Promise<T> {
    const generation = slot.generation;
    const start = (): Promise<T> => {
      if (namesSequences && slot.generation !== generation && !this.closed) {
        throw new BatchPoolError('SEQUENCE_LOST', `batch worker ${slot.index} exited before this request ran; its sequences are lost`);
      }
      return fn();
    };
    // Idle worker: start now, so the request is posted before this call returns (the caller
    // may block this thread next, e.g. in a forward pass, while the worker computes).
    const p = slot.queued === 0 ? (async () => start())() : slot.chain.then(start);
    slot.queued++;
    const done = p.then(() => undefined, () => undefined).then(() => void slot.queued--);
    slot.chain = done;
    return p;
  }

  /** Sends a message request in turn (see {@link enqueue}). */
  private request(slot: Slot, msg: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    return this.enqueue(slot, () => this.send(slot, msg, transfer), msg.op !== 'add');
  }

  /** The slot's running worker, or throws. */
  private live(slot: Slot): Worker {
    if (this.closed) throw new BatchPoolError('POOL_CLOSED', 'the batch mask pool is closed');
    if (slot.worker === undefined) throw new BatchPoolError('WORKER_EXITED', `batch worker ${slot.index} is not running`);
    return slot.worker;
  }

  /** Registers a pending call with its timeout; returns its request id. */
  private track(slot: Slot, worker: Worker, what: string, resolve: (r: unknown) => void, reject: (e: Error) => void): number {
    const rid = this.nextRid++;
    const timer = setTimeout(() => {
      slot.pending.delete(rid);
      reject(new BatchPoolError('TIMEOUT', `batch worker ${slot.index} did not answer a ${what} request within ${this.timeoutMs} ms; it was terminated`));
      this.retire(slot, worker, `was terminated after a ${what} request timed out (${this.timeoutMs} ms)`);
    }, this.timeoutMs);
    slot.pending.set(rid, { resolve: resolve as (r: Reply) => void, reject, timer });
    if (slot.pending.size === 1) {
      worker.ref();
      slot.port?.ref();
    }
    return rid;
  }

  /** Removes a pending call (clearing its timer); returns it, or undefined if already settled. */
  private settlePending(slot: Slot, rid: number): Pending | undefined {
    const p = slot.pending.get(rid);
    if (p === undefined) return undefined;
    slot.pending.delete(rid);
    clearTimeout(p.timer);
    if (slot.pending.size === 0) {
      slot.worker?.unref();
      slot.port?.unref();
    }
    return p;
  }

  /** Posts a message request now; the reply (or the error it carries) settles the promise. */
  private send(slot: Slot, msg: Request, transfer: ArrayBuffer[] = []): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      const worker = this.live(slot);
      const rid = this.track(slot, worker, msg.op, resolve as (r: unknown) => void, reject);
      slot.port!.postMessage({ ...msg, rid } as WorkerRequest, transfer);
      Atomics.add(slot.ctl, Ctl.Kick, 1);
      Atomics.notify(slot.ctl, Ctl.Kick);
    });
  }

  /** Starts (or restarts) the worker of a slot; resolves when it is ready. */
  private spawn(slot: Slot): Promise<void> {
    const control = new SharedArrayBuffer(4 * Ctl.Size);
    const { port1, port2 } = new MessageChannel();
    const data: BatchWorkerData = { vocab: this.vocabData, control, port: port2 };
    const worker = new Worker(this.file, { workerData: data, transferList: [port2] });
    slot.worker = worker;
    slot.port = port1;
    slot.ctl = new Int32Array(control);
    slot.data = new Int32Array(0);
    slot.cap = 0;
    slot.stepId = 0;
    slot.buffers = new Map();
    slot.ready = false;
    let lastError: Error | undefined;
    return new Promise<void>((resolve, reject) => {
      slot.startFailed = reject;
      const startMs = Math.max(this.timeoutMs, START_TIMEOUT_MS);
      const startTimer = setTimeout(() => this.retire(slot, worker, `did not start within ${startMs} ms`), startMs);
      port1.on('message', (m: WorkerReply) => {
        if (slot.worker !== worker) return;
        if (m.type === 'ready') {
          clearTimeout(startTimer);
          slot.ready = true;
          slot.startFailed = undefined;
          if (slot.pending.size === 0) {
            worker.unref();
            port1.unref();
          }
          resolve();
          return;
        }
        const p = this.settlePending(slot, m.rid);
        if (p === undefined) return; // timed out already
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
    slot.port?.close();
    slot.port = undefined;
    void worker.terminate();
    const err = this.closed
      ? new BatchPoolError('POOL_CLOSED', 'the batch mask pool was closed')
      : new BatchPoolError('WORKER_EXITED', `batch worker ${slot.index} ${why}; its ${slot.sequences} sequence(s) are lost`);
    for (const p of slot.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    slot.pending.clear();
    // Wake a step waiter (its promise is settled above; it sees that and returns).
    Atomics.notify(slot.ctl, Ctl.StepDone);
    if (this.closed) return;
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

/** `Atomics.waitAsync` (Node 16+; typed in lib ES2024, this project compiles against ES2022). */
function waitAsync(a: Int32Array<ArrayBufferLike>, index: number, value: number): { async: true; value: Promise<string> } | { async: false; value: string } {
  return (Atomics as unknown as { waitAsync: typeof waitAsync }).waitAsync(a, index, value);
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
