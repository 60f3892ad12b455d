/**
 * A batch mask worker: holds the vocabulary, the grammars compiled in it
 * (cached by spec key) and one matcher per sequence pinned to it, and
 * writes its sequences' rows of the shared bitmask in place. One request,
 * one reply; the pool's messages are handled in order.
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { CompiledGrammar } from '../matcher/compiled.js';
import type { Matcher } from '../matcher/matcher.js';
import { InvalidArgumentError } from '../errors.js';
import { serializeError } from './errors.js';
import type { BatchWorkerData, WorkerReply, WorkerRequest } from './protocol.js';
import { compileSpec } from './spec.js';
import { workerVocabulary } from './vocab.js';

const port = parentPort;
if (!port) throw new Error('src/batch/worker.ts must run in a worker thread');
const vocab = workerVocabulary((workerData as BatchWorkerData).vocab);
const grammars = new Map<string, CompiledGrammar>();
const matchers = new Map<number, Matcher>();
/** The current shared bitmask as 32-bit words, and the buffer it views. */
let maskBuffer: SharedArrayBuffer | undefined;
let maskWords: Uint32Array<ArrayBufferLike> = new Uint32Array(0);

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

function step(msg: Extract<WorkerRequest, { op: 'step' }>): WorkerReply {
  const reply: Extract<WorkerReply, { type: 'reply' }> = { type: 'reply', rid: msg.rid };
  const failures: NonNullable<typeof reply.failures> = [];
  if (msg.accept && msg.tokens) {
    const seqs = msg.accept;
    const tokens = msg.tokens;
    const accepted = new Uint8Array(seqs.length);
    for (let i = 0; i < seqs.length; i++) {
      try {
        accepted[i] = matcherOf(seqs[i]!).acceptToken(tokens[i]!) ? 1 : 0;
      } catch (e) {
        failures.push({ phase: 'accept', index: i, error: serializeError(e) });
      }
    }
    reply.accepted = accepted;
    reply.terminated = terminatedFlags(seqs);
  }
  if (msg.buffer && msg.seqs && msg.rows) {
    if (msg.buffer !== maskBuffer) {
      maskBuffer = msg.buffer;
      maskWords = new Uint32Array(msg.buffer);
    }
    const words = msg.words!;
    const base = msg.byteOffset! >>> 2;
    const { seqs, rows } = msg;
    for (let i = 0; i < seqs.length; i++) {
      const off = base + rows[i]! * words;
      const row = maskWords.subarray(off, off + words);
      try {
        matcherOf(seqs[i]!).fillNextTokenBitmask(row);
      } catch (e) {
        row.fill(0);
        failures.push({ phase: 'fill', index: i, error: serializeError(e) });
      }
    }
  }
  if (failures.length) reply.failures = failures;
  return reply;
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
    case 'step':
      return step(msg);
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
    default:
      throw new InvalidArgumentError(`unknown batch worker request ${JSON.stringify((msg as { op?: unknown }).op)}`);
  }
}

port.on('message', (msg: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    reply = handle(msg);
  } catch (e) {
    reply = { type: 'reply', rid: msg.rid, error: serializeError(e) };
  }
  port.postMessage(reply);
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
