/**
 * A batch mask worker: holds the vocabulary, the grammars compiled in it
 * (cached by spec key) and one matcher per sequence pinned to it, and
 * writes its sequences' rows of the shared bitmask in place.
 *
 * The thread runs one loop and never returns to its event loop: wait on the
 * `Kick` slot, answer every queued message (pulled with
 * `receiveMessageOnPort`), then run the posted step, if any (see
 * protocol.ts).
 * @internal
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import type { CompiledGrammar } from '../matcher/compiled.js';
import type { Matcher } from '../matcher/matcher.js';
import { InvalidArgumentError } from '../errors.js';
import { serializeError } from './errors.js';
import { Ctl, Data, StepFlag, type BatchWorkerData, type StepFailure, type WorkerReply, type WorkerRequest } from './protocol.js';
import { compileSpec } from './spec.js';
import { workerVocabulary } from './vocab.js';

const init = workerData as BatchWorkerData;
const port = init.port;
const ctl = new Int32Array(init.control);
const vocab = workerVocabulary(init.vocab);
const grammars = new Map<string, CompiledGrammar>();
const matchers = new Map<number, Matcher>();
/** Registered mask buffers, as 32-bit words. */
const buffers = new Map<number, Uint32Array<ArrayBufferLike>>();
/** The step data area and its capacity in sequences. */
let data: Int32Array<ArrayBufferLike> = new Int32Array(0);
let cap = 0;
let failures: StepFailure[] = [];

function matcherOf(seq: number): Matcher {
  const m = matchers.get(seq);
  if (m === undefined) throw new InvalidArgumentError(`sequence ${seq} is not on this worker`);
  return m;
}

function terminatedFlags(seqs: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(seqs.length);
  for (let i = 0; i < seqs.length; i++) out[i] = matchers.get(seqs[i]!)?.isTerminated() ? 1 : 0;
  return out;
}

/** Runs the step described by the header and the data area. */
function step(): void {
  const flags = ctl[Ctl.Flags]!;
  const n = ctl[Ctl.Count]!;
  failures = [];
  const seqs = Data.Seqs * cap;
  if (flags & StepFlag.Accept) {
    const tokens = Data.Tokens * cap;
    const accepted = Data.Accepted * cap;
    const terminated = Data.Terminated * cap;
    for (let i = 0; i < n; i++) {
      data[accepted + i] = 0;
      try {
        const m = matcherOf(data[seqs + i]!);
        data[accepted + i] = m.acceptToken(data[tokens + i]!) ? 1 : 0;
        data[terminated + i] = m.isTerminated() ? 1 : 0;
      } catch (e) {
        failures.push({ phase: 'accept', index: i, error: serializeError(e) });
      }
    }
  }
  if (flags & StepFlag.Fill) {
    const words = ctl[Ctl.Words]!;
    const base = ctl[Ctl.WordOffset]!;
    const buf = buffers.get(ctl[Ctl.Buffer]!);
    const rows = Data.Rows * cap;
    for (let i = 0; i < n; i++) {
      try {
        if (buf === undefined) throw new InvalidArgumentError(`mask buffer ${ctl[Ctl.Buffer]} is not registered`);
        const off = base + data[rows + i]! * words;
        const row = buf.subarray(off, off + words);
        try {
          matcherOf(data[seqs + i]!).fillNextTokenBitmask(row);
        } catch (e) {
          row.fill(0);
          throw e;
        }
      } catch (e) {
        failures.push({ phase: 'fill', index: i, error: serializeError(e) });
      }
    }
  }
  ctl[Ctl.Failed] = failures.length ? 1 : 0;
}

function handle(msg: WorkerRequest): WorkerReply {
  switch (msg.op) {
    case 'add': {
      let g = grammars.get(msg.key);
      if (g === undefined) {
        g = compileSpec(msg.spec, vocab);
        grammars.set(msg.key, g);
      }
      const m = g.matcher();
      matchers.set(msg.seq, m);
      return { type: 'reply', rid: msg.rid, terminated: Uint8Array.of(m.isTerminated() ? 1 : 0) };
    }
    case 'fork': {
      const m = matcherOf(msg.from).fork();
      matchers.set(msg.seq, m);
      return { type: 'reply', rid: msg.rid, terminated: Uint8Array.of(m.isTerminated() ? 1 : 0) };
    }
    case 'rollback': {
      const ms = Array.from(msg.seqs, matcherOf);
      for (let i = 0; i < ms.length; i++) {
        const n = msg.counts[i]!;
        if (!(Number.isInteger(n) && n >= 0 && n <= ms[i]!.steps)) {
          throw new RangeError(`sequence ${msg.seqs[i]}: cannot roll back ${n} steps: ${ms[i]!.steps} accepted`);
        }
      }
      for (let i = 0; i < ms.length; i++) ms[i]!.rollback(msg.counts[i]!);
      return { type: 'reply', rid: msg.rid, terminated: terminatedFlags(msg.seqs) };
    }
    case 'remove':
      for (const s of msg.seqs) matchers.delete(s);
      return { type: 'reply', rid: msg.rid };
    case 'buffer':
      buffers.delete(msg.drop);
      buffers.set(msg.id, new Uint32Array(msg.buffer));
      return { type: 'reply', rid: msg.rid };
    case 'channel':
      data = new Int32Array(msg.data);
      cap = msg.cap;
      return { type: 'reply', rid: msg.rid };
    case 'failures':
      return { type: 'reply', rid: msg.rid, failures };
    default:
      throw new InvalidArgumentError(`unknown batch worker request ${JSON.stringify((msg as { op?: unknown }).op)}`);
  }
}

port.postMessage({ type: 'ready' } satisfies WorkerReply);
for (;;) {
  const kick = Atomics.load(ctl, Ctl.Kick);
  for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) {
    const msg = m.message as WorkerRequest;
    let reply: WorkerReply;
    try {
      reply = handle(msg);
    } catch (e) {
      reply = { type: 'reply', rid: msg.rid, error: serializeError(e) };
    }
    port.postMessage(reply);
  }
  const req = Atomics.load(ctl, Ctl.StepReq);
  if (req !== Atomics.load(ctl, Ctl.StepDone)) {
    step();
    Atomics.store(ctl, Ctl.StepDone, req);
    Atomics.notify(ctl, Ctl.StepDone);
  }
  // A timed wait, so a terminate() lands within a second even if a wake-up were lost.
  Atomics.wait(ctl, Ctl.Kick, kick, 1000);
}
