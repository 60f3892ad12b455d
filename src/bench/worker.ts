/**
 * Worker thread of the MaskBench runner: builds one engine, then runs the
 * protocol on each schema file the parent sends. The parent kills this
 * thread when a schema runs past its time limit (a synchronous WASM compile
 * cannot be interrupted otherwise) and starts a fresh one.
 *
 * Messages in: `{type: 'run', file}`. Out: `{type: 'ready'}`,
 * `{type: 'init_error', error}`, `{type: 'result', result, fatal}`,
 * `{type: 'file_error', file, error}`.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createBenchEngine } from './engines.js';
import { type BenchClock, FatalEngineError, loadSchemaFile, runSchema } from './maskbench.js';
import { loadBenchTokenizer } from './tokenizer.js';

/** What the parent passes as `workerData`. */
export interface MaskBenchWorkerData {
  engine: string;
  tokenizer: string;
  clock: BenchClock;
}

/** A message from the parent. */
export interface WorkerRequest {
  type: 'run';
  file: string;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('src/bench/worker.ts must run in a worker thread');
  const data = workerData as MaskBenchWorkerData;
  let engine;
  let tok;
  try {
    tok = await loadBenchTokenizer(data.tokenizer);
    engine = await createBenchEngine(data.engine, tok);
  } catch (e) {
    port.postMessage({ type: 'init_error', error: e instanceof Error ? e.message : String(e) });
    return;
  }
  const vocabSize = tok.size;
  const encode = tok.encode;
  port.on('message', (msg: WorkerRequest) => {
    let file;
    try {
      file = loadSchemaFile(msg.file);
    } catch (e) {
      port.postMessage({ type: 'file_error', file: msg.file, error: e instanceof Error ? e.message : String(e) });
      return;
    }
    try {
      const result = runSchema(engine, encode, file, { vocabSize, clock: data.clock });
      port.postMessage({ type: 'result', result, fatal: false }, [result.tbmUs.buffer as ArrayBuffer]);
    } catch (e) {
      if (!(e instanceof FatalEngineError)) throw e;
      port.postMessage({ type: 'result', result: e.result, fatal: true });
      port.close();
    }
  });
  port.postMessage({ type: 'ready' });
}

void main();
