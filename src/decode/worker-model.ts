/**
 * A causal LM whose ONNX Runtime session lives in a worker thread, so the
 * JS thread can work while the model runs. onnxruntime-node 1.30's
 * `InferenceSession.run` is not off-thread: it defers with `setImmediate` and
 * then runs synchronously on the JS thread (measured: a busy loop started
 * after `run()` and the forward pass take the sum of their times). Here the
 * caller starts a forward pass with {@link WorkerLM.begin}, does its own work
 * (the constraint's mask for the next position), and collects the logits
 * with {@link PendingForward.wait}, which blocks on an `Atomics.wait` until
 * the worker signals and then takes the reply with `receiveMessageOnPort`
 * (no event-loop turn in between).
 *
 * The KV cache stays in the worker: a {@link WorkerKvCache} is a handle.
 * Caches are immutable there too (a run makes a new one, `truncate` copies),
 * so forks share handles; a handle is freed when its last JS object is
 * garbage-collected (`FinalizationRegistry`) or the model is released.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type ort from 'onnxruntime-node';
import { InvalidArgumentError, LimitExceededError, ModelLoadError } from '../errors.js';
import { halfToFloat32 } from './fp16.js';
import { describeModel, prepareLoad, sessionCreateError, type LanguageModel, type LoadModelOptions, type ModelInfo, type PastCache } from './model.js';

/**
 * The worker's code (CommonJS, run with `eval`: it needs nothing but
 * onnxruntime-node). It loads the session with the native binding (the same
 * calls as onnxruntime-node's backend, without its `setImmediate` hops) and
 * then serves commands in a synchronous loop: `Atomics.wait` on a command
 * counter, run, reply, bump the reply counter. A decoding step (one row of
 * logits, ids that fit) goes through shared memory only: ids and handles in
 * the control words, logits (float16 converted here) in a shared buffer, a
 * round trip of about 10–20 µs; anything else is a message
 * (`receiveMessageOnPort`, about 40–60 µs).
 */
/** Control words (Int32 indices into the shared signal buffer). */
const C_REPLIES = 0; // replies sent (the caller waits on it)
const C_COMMANDS = 1; // commands sent (the worker waits on it)
const C_SEQ = 2; // the command number that is a shared-memory step
const C_N = 3; // its ids
const C_PAST = 4; // past cache handle
const C_PAST_LEN = 5; // past length
const C_OUT = 6; // handle of the new cache
const C_KIND = 7; // reply kind: 1 logits in the shared buffer, 2 a message
const C_VALUES = 8; // logits values the model returned
const C_IDS = 16; // first id
/** Most ids a shared-memory step carries (longer passes go by message). */
const IDS_CAP = 256;

const WORKER_SOURCE = String.raw`
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const path = require('node:path');
const ort = require(workerData.ort);
const { binding, initOrt } = require(path.join(path.dirname(workerData.ort), 'binding.js'));
const sig = new Int32Array(workerData.signal);
const port = workerData.port;
let shared = null;
const H2F = new Float32Array(65536);
for (let h = 0; h < 65536; h++) {
  const sg = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  H2F[h] = e === 0 ? sg * m * 2 ** -24 : e === 31 ? (m ? NaN : sg * Infinity) : sg * (1 + m / 1024) * 2 ** (e - 15);
}
const TYPES = [undefined, 'float32', 'uint8', 'int8', 'uint16', 'int16', 'int32', 'int64', 'string', 'bool', 'float16', 'float64', 'uint32', 'uint64'];
let session = null;
let io = null;
let fetches = null;
const caches = new Map();
function reply(msg, transfer) {
  port.postMessage(msg, transfer || []);
  sig[${C_KIND}] = 2;
  Atomics.add(sig, 0, 1);
  Atomics.notify(sig, 0);
}
function meta(list) {
  return list.map((m) => {
    if (!m.isTensor) return { name: m.name, isTensor: false };
    const shape = [];
    for (let i = 0; i < m.shape.length; i++) shape.push(m.shape[i] === -1 ? m.symbolicDimensions[i] : m.shape[i]);
    return { name: m.name, isTensor: true, type: TYPES[m.type] || 'unknown', shape };
  });
}
function tensor(r) {
  return r instanceof ort.Tensor ? r : new ort.Tensor(r.type, r.data, r.dims);
}
function runModel(ids, pastHandle, pastLength, outHandle) {
  const s = ids.length;
  const total = pastLength + s;
  const idData = new BigInt64Array(s);
  for (let i = 0; i < s; i++) idData[i] = BigInt(ids[i]);
  const feeds = {
    input_ids: new ort.Tensor('int64', idData, [1, s]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
  };
  if (io.hasPositionIds) {
    const pos = new BigInt64Array(s);
    for (let i = 0; i < s; i++) pos[i] = BigInt(pastLength + i);
    feeds.position_ids = new ort.Tensor('int64', pos, [1, s]);
  }
  if (io.hasUseCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([pastLength > 0 ? 1 : 0]), [1]);
  const past = caches.get(pastHandle);
  if (!past) throw new Error('internal: unknown KV cache handle ' + pastHandle);
  for (let i = 0; i < io.pastNames.length; i++) feeds[io.pastNames[i]] = past[i];
  const out = session.run(feeds, fetches, {});
  caches.set(outHandle, io.presentNames.map((n) => tensor(out[n])));
  return out;
}

/** A decoding step through shared memory (see the module doc). */
function runShared() {
  const n = sig[${C_N}];
  const out = runModel(sig.subarray(${C_IDS}, ${C_IDS} + n), sig[${C_PAST}], sig[${C_PAST_LEN}], sig[${C_OUT}]);
  const lt = out.logits;
  const raw = lt.data;
  const V = io.vocabSize;
  if (raw.length !== n * V) {
    reply({ ok: true, logits: new Float32Array(0), values: raw.length, dims: Array.from(lt.dims) });
    return;
  }
  const off = (n - 1) * V;
  if (raw instanceof Uint16Array) for (let i = 0; i < V; i++) shared[i] = H2F[raw[off + i]];
  else shared.set(off ? raw.subarray(off, off + V) : raw);
  sig[${C_VALUES}] = raw.length;
  sig[${C_KIND}] = 1;
  Atomics.add(sig, 0, 1);
  Atomics.notify(sig, 0);
}
function handle(m) {
  if (m.op === 'load') {
    initOrt();
    session = new binding.InferenceSession();
    session.loadModel(m.file, m.options);
    reply({ ok: true, inputs: meta(session.inputMetadata), outputs: meta(session.outputMetadata) });
  } else if (m.op === 'io') {
    io = m.io;
    shared = new Float32Array(m.logits);
    fetches = {};
    for (const o of session.outputMetadata) fetches[o.name] = null;
    const empty = io.pastNames.map(() => io.kvType === 'float16'
      ? new ort.Tensor('float16', new Uint16Array(0), [1, io.heads, 0, io.headDim])
      : new ort.Tensor('float32', new Float32Array(0), [1, io.heads, 0, io.headDim]));
    caches.set(0, empty);
  } else if (m.op === 'run') {
    const out = runModel(m.ids, m.past, m.pastLength, m.out);
    const lt = out.logits;
    const raw = lt.data;
    const V = io.vocabSize;
    const rows = raw.length / V;
    const logits = m.all || rows <= 1 ? raw.slice() : raw.slice((rows - 1) * V);
    reply({ ok: true, logits, values: raw.length, dims: Array.from(lt.dims) }, [logits.buffer]);
  } else if (m.op === 'truncate') {
    const n = m.n;
    caches.set(m.out, caches.get(m.src).map((t) => {
      const [b, h, len, d] = t.dims;
      const src = t.data;
      const dst = new src.constructor(b * h * n * d);
      for (let r = 0; r < b * h; r++) dst.set(src.subarray(r * len * d, r * len * d + n * d), r * n * d);
      return new ort.Tensor(t.type, dst, [b, h, n, d]);
    }));
  } else if (m.op === 'free') {
    for (const h of m.handles) caches.delete(h);
  } else if (m.op === 'release') {
    caches.clear();
    if (session) session.dispose();
    session = null;
    reply({ ok: true });
    return false;
  }
  return true;
}
let seen = 0;
for (;;) {
  while (Atomics.load(sig, 1) === seen) Atomics.wait(sig, 1, seen);
  seen++;
  if (Atomics.load(sig, ${C_SEQ}) === seen) {
    try {
      runShared();
    } catch (e) {
      reply({ ok: false, error: String((e && e.message) || e) });
    }
    continue;
  }
  const got = receiveMessageOnPort(port);
  if (!got) continue;
  const m = got.message;
  let more = true;
  try {
    more = handle(m);
  } catch (e) {
    if (m.op === 'load' || m.op === 'run' || m.op === 'release') reply({ ok: false, error: String((e && e.message) || e) });
    else console.error('constrain model worker:', e);
  }
  if (!more) break;
}
port.close();
`;

/** `Atomics.waitAsync` (Node 16+; not in this TypeScript lib). */
const waitAsync = (Atomics as unknown as {
  waitAsync(a: Int32Array, i: number, v: number, t: number): { async: boolean; value: Promise<string> | string };
}).waitAsync;

/** Result of a {@link WorkerLM} forward pass. */
export interface WorkerForwardResult {
  /** Logits, row-major `[rows, vocabSize]` (see `begin`). */
  logits: Float32Array;
  /** The extended cache. */
  present: WorkerKvCache;
}

/** Longest a forward pass may take before the wait gives up (ms). */
const WAIT_LIMIT_MS = 600_000;

/** A KV cache held by the worker: a handle and its length. Immutable, like `KvCache`. */
export class WorkerKvCache implements PastCache {
  /** Positions held. */
  readonly length: number;
  /** @internal The worker's handle (0: the empty cache). */
  readonly handle: number;
  /** @internal */
  readonly owner: WorkerLM;

  /** @internal */
  constructor(owner: WorkerLM, handle: number, length: number) {
    this.owner = owner;
    this.handle = handle;
    this.length = length;
  }

  /** A branch point: the same immutable cache. */
  fork(): WorkerKvCache {
    return this;
  }

  /** The cache of the first `n` positions (a copy made in the worker). */
  truncate(n: number): WorkerKvCache {
    if (!Number.isInteger(n) || n < 0 || n > this.length) {
      throw new InvalidArgumentError(`KvCache.truncate(${n}): must be an integer in 0..${this.length}`);
    }
    if (n === this.length) return this;
    return this.owner.truncateCache(this, n);
  }
}

/** A forward pass in flight: {@link wait} returns its result (once). */
export interface PendingForward {
  /** Blocks until the worker replies; the logits of every new position or of the last one (see `begin`). */
  wait(): WorkerForwardResult;
}

interface Reply {
  ok: boolean;
  /** The logits are in the shared buffer. */
  shared?: boolean;
  error?: string;
  logits?: Float32Array | Uint16Array;
  values?: number;
  dims?: number[];
  inputs?: ort.InferenceSession.ValueMetadata[];
  outputs?: ort.InferenceSession.ValueMetadata[];
}

/** A causal LM run by a worker thread (see the module doc). Create with {@link WorkerLM.load}. */
export class WorkerLM implements LanguageModel {
  /** What the loader found. */
  readonly info: ModelInfo;
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly sig: Int32Array;
  /** One row of logits, written by the worker for a shared-memory step. */
  private readonly sharedLogits: Float32Array;
  private seen = 0;
  private sent = 0;
  private nextHandle = 1;
  private busy = false;
  private closed = false;
  private readonly empty: WorkerKvCache;
  private readonly registry: FinalizationRegistry<number>;

  private constructor(worker: Worker, port: MessagePort, sig: Int32Array, sharedLogits: Float32Array, info: ModelInfo) {
    this.worker = worker;
    this.port = port;
    this.sig = sig;
    this.sharedLogits = sharedLogits;
    this.info = info;
    this.empty = new WorkerKvCache(this, 0, 0);
    this.registry = new FinalizationRegistry((h) => {
      if (!this.closed) this.post({ op: 'free', handles: [h] });
    });
  }

  /**
   * Loads a model directory as `loadModel` does (same checks and typed
   * errors), with the session in a new worker thread.
   */
  static async load(dir: string, options: LoadModelOptions = {}): Promise<WorkerLM> {
    const { ep, file, root, sessionOptions } = prepareLoad(dir, options);
    const { port1, port2 } = new MessageChannel();
    const sig = new Int32Array(new SharedArrayBuffer((C_IDS + IDS_CAP) * 4));
    const ortPath = createRequire(import.meta.url).resolve('onnxruntime-node');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { ort: ortPath, signal: sig.buffer, port: port2 }, transferList: [port2] });
    // Referenced while loading (Atomics.waitAsync alone does not keep the process alive), then not.
    let seen = 0;
    // A worker that fails to start (or dies) says so by an event, which can arrive while loading.
    let died: Error | null = null;
    const onDeath = (e: unknown): void => {
      died = e instanceof Error ? e : new Error(`the model worker exited (code ${String(e)})`);
    };
    worker.on('error', onDeath).on('exit', onDeath);
    const settle = async (): Promise<Reply> => {
      const t0 = Date.now();
      while (Atomics.load(sig, C_REPLIES) === seen) {
        const w = waitAsync(sig, C_REPLIES, seen, 200);
        if (w.async) await w.value;
        if (died) throw new ModelLoadError(file, `the model worker failed: ${(died as Error).message}`);
        if (Date.now() - t0 > WAIT_LIMIT_MS) throw new ModelLoadError(file, 'the model worker did not answer');
      }
      seen++;
      return receiveMessageOnPort(port1)!.message as Reply;
    };
    let sent = 0;
    const post = (m: unknown): void => {
      port1.postMessage(m);
      sent++;
      Atomics.add(sig, C_COMMANDS, 1);
      Atomics.notify(sig, C_COMMANDS);
    };
    post({ op: 'load', file, options: sessionOptions });
    const r = await settle();
    worker.unref();
    if (!r.ok) {
      await worker.terminate();
      throw sessionCreateError(new Error(r.error), ep, file);
    }
    try {
      const { info, hasUseCacheBranch } = describeModel(file, root, r.inputs!, r.outputs!, ep);
      const pastNames: string[] = [];
      const presentNames: string[] = [];
      for (let l = 0; l < info.numLayers; l++) {
        for (const kind of ['key', 'value']) {
          pastNames.push(`past_key_values.${l}.${kind}`);
          presentNames.push(`present.${l}.${kind}`);
        }
      }
      const io = { pastNames, presentNames, hasPositionIds: info.hasPositionIds, hasUseCacheBranch, kvType: info.kvType, heads: info.numKvHeads, headDim: info.headDim, vocabSize: info.vocabSize };
      const sharedLogits = new Float32Array(new SharedArrayBuffer(info.vocabSize * 4));
      post({ op: 'io', io, logits: sharedLogits.buffer });
      worker.off('exit', onDeath);
      const lm = new WorkerLM(worker, port1, sig, sharedLogits, info);
      lm.seen = seen;
      lm.sent = sent;
      return lm;
    } catch (e) {
      await worker.terminate();
      throw e;
    }
  }

  /** An empty cache (no positions). */
  emptyCache(): WorkerKvCache {
    return this.empty;
  }

  /**
   * Starts a forward pass of `ids` after `past` in the worker and returns at
   * once; `allRows`: logits of every new position (else the last one only).
   * One pass at a time per model.
   */
  begin(ids: ArrayLike<number>, past: WorkerKvCache | null, allRows: boolean): PendingForward {
    if (this.closed) throw new InvalidArgumentError('the model was released');
    if (this.busy) throw new InvalidArgumentError('WorkerLM: a forward pass is already in flight (one at a time)');
    const p = past ?? this.empty;
    if (p.owner !== this) throw new InvalidArgumentError('WorkerLM: the cache belongs to another model');
    const s = ids.length;
    if (s === 0) throw new InvalidArgumentError('CausalLM.forward: ids is empty');
    const total = p.length + s;
    if (this.info.maxPositions !== null && total > this.info.maxPositions) {
      throw new LimitExceededError('maxPositions', this.info.maxPositions, `sequence of ${total} positions (model ${this.info.dir})`);
    }
    const out = this.nextHandle++;
    if ((!allRows || s === 1) && s <= IDS_CAP) {
      // A decoding step: through shared memory only.
      const c = this.sig;
      c[C_N] = s;
      c[C_PAST] = p.handle;
      c[C_PAST_LEN] = p.length;
      c[C_OUT] = out;
      for (let i = 0; i < s; i++) c[C_IDS + i] = ids[i]!;
      this.sent++;
      Atomics.store(c, C_SEQ, this.sent);
      Atomics.add(c, C_COMMANDS, 1);
      Atomics.notify(c, C_COMMANDS);
    } else {
      this.post({ op: 'run', ids: Int32Array.from(ids), past: p.handle, pastLength: p.length, out, all: allRows });
    }
    this.busy = true;
    let taken = false;
    return {
      wait: (): WorkerForwardResult => {
        if (taken) throw new InvalidArgumentError('PendingForward.wait: already taken');
        taken = true;
        const r = this.take();
        this.busy = false;
        if (!r.ok) throw new Error(`onnxruntime: ${r.error}`);
        const V = this.info.vocabSize;
        const rows = allRows ? s : 1;
        if (r.values !== s * V) {
          throw new ModelLoadError(this.info.file, `logits has ${r.values} values, expected ${s}×${V} (shape ${(r.dims ?? []).join('x')})`);
        }
        const logits = r.shared ? this.sharedLogits.slice() : r.logits instanceof Uint16Array ? halfToFloat32(r.logits) : r.logits!;
        if (logits.length !== rows * V) throw new Error('internal: worker logits size');
        const present = new WorkerKvCache(this, out, total);
        this.registry.register(present, out);
        return { logits, present };
      },
    };
  }

  /** Runs `ids` after `past` and returns the logits of every new position and the extended cache. */
  async forward(ids: ArrayLike<number>, past: WorkerKvCache | null = null): Promise<WorkerForwardResult> {
    return this.begin(ids, past, true).wait();
  }

  /** Runs `ids` after `past` and returns the last position's logits and the extended cache. */
  async step(ids: ArrayLike<number>, past: WorkerKvCache | null = null): Promise<WorkerForwardResult> {
    return this.begin(ids, past, false).wait();
  }

  /** Frees the session and stops the worker. */
  async release(): Promise<void> {
    if (this.closed) return;
    this.post({ op: 'release' });
    this.take();
    this.closed = true;
    await this.worker.terminate();
  }

  /** @internal Posts a truncation; the worker runs it before the next pass. */
  truncateCache(src: WorkerKvCache, n: number): WorkerKvCache {
    const out = this.nextHandle++;
    this.post({ op: 'truncate', src: src.handle, n, out });
    const c = new WorkerKvCache(this, out, n);
    this.registry.register(c, out);
    return c;
  }

  /** Sends a command and wakes the worker. */
  private post(m: unknown): void {
    this.port.postMessage(m);
    this.sent++;
    Atomics.add(this.sig, C_COMMANDS, 1);
    Atomics.notify(this.sig, C_COMMANDS);
  }

  /** Blocks until the worker's next reply and returns it. */
  private take(): Reply {
    const t0 = Date.now();
    while (Atomics.load(this.sig, C_REPLIES) === this.seen) {
      if (Atomics.wait(this.sig, C_REPLIES, this.seen, 1000) === 'timed-out') {
        // threadId turns -1 as soon as the worker stops (its 'exit' event cannot arrive while this thread waits).
        if (this.worker.threadId === -1) throw new Error('the model worker stopped');
        if (Date.now() - t0 > WAIT_LIMIT_MS) throw new Error('the model worker did not answer');
      }
    }
    this.seen++;
    if (Atomics.load(this.sig, C_KIND) === 1) return { ok: true, shared: true, values: this.sig[C_VALUES]! };
    const m = receiveMessageOnPort(this.port);
    if (!m) throw new Error('internal: the model worker signalled without a reply');
    return m.message as Reply;
  }
}
