/**
 * Errors across the thread boundary. A worker sends an error as plain data
 * (class name, code, message, its own fields); the pool rebuilds an instance
 * of the same class, so `instanceof UnsupportedFeatureError` and `e.code`
 * work as they do in-process. Failures of the pool itself are
 * {@link BatchPoolError}s.
 */
import {
  ConstrainError, EmptyLanguageError, ExecutionProviderError, GrammarSyntaxError, InvalidArgumentError,
  LimitExceededError, ModelLoadError, TokenizerLoadError, UnsupportedFeatureError,
} from '../errors.js';

/** Why a pool call failed for a reason of the pool, not of a grammar. */
export type BatchPoolErrorCode =
  /** The pool was closed (before or during the call). */
  | 'POOL_CLOSED'
  /** The worker holding the sequence exited or threw outside a call; it was replaced. */
  | 'WORKER_EXITED'
  /** A call ran past `timeoutMs`; its worker was terminated and replaced. */
  | 'TIMEOUT'
  /** The sequence lived on a worker that died: its state is gone, `remove` it. */
  | 'SEQUENCE_LOST';

/** A failure of the batch pool itself (closed, worker crash, timeout, lost sequence). */
export class BatchPoolError extends ConstrainError {
  /** Machine-readable kind. */
  declare readonly code: BatchPoolErrorCode;
  constructor(code: BatchPoolErrorCode, message: string) {
    super(code, message);
  }
}

/** An error as data: what crosses `postMessage`. */
export interface SerializedError {
  /** Class name (`UnsupportedFeatureError`, `RangeError`, ...). */
  name: string;
  message: string;
  stack?: string;
  /** Own fields of the error (`code`, `feature`, `where`, `location`, `limit`, ...). */
  fields: Record<string, unknown>;
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** Classes rebuilt by name; anything else comes back as a plain `Error` with the same name and fields. */
const CLASSES: Record<string, ErrorClass> = {
  ConstrainError, GrammarSyntaxError, UnsupportedFeatureError, LimitExceededError, EmptyLanguageError,
  TokenizerLoadError, ModelLoadError, ExecutionProviderError, InvalidArgumentError, BatchPoolError,
  RangeError, TypeError, SyntaxError, Error,
};

/** Turns a thrown value into data that survives `postMessage`. */
export function serializeError(e: unknown): SerializedError {
  if (!(e instanceof Error)) return { name: 'Error', message: String(e), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const k of Object.keys(e)) {
    if (k === 'message' || k === 'stack') continue;
    const v = (e as unknown as Record<string, unknown>)[k];
    if (v === null || ['string', 'number', 'boolean'].includes(typeof v)) fields[k] = v;
    else if (typeof v === 'object') {
      try {
        fields[k] = structuredClone(v);
      } catch {
        /* not cloneable: dropped */
      }
    }
  }
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/**
 * Rebuilds an error of the same class as the one serialized, without
 * running its constructor (whose message formatting already happened).
 */
export function deserializeError(s: SerializedError, context?: string): Error {
  const cls = Object.prototype.hasOwnProperty.call(CLASSES, s.name) ? CLASSES[s.name]! : Error;
  const e = Object.create(cls.prototype as object) as Error;
  Object.defineProperty(e, 'message', { value: s.message, writable: true, configurable: true, enumerable: false });
  for (const [k, v] of Object.entries(s.fields)) (e as unknown as Record<string, unknown>)[k] = v;
  if (!Object.prototype.hasOwnProperty.call(s.fields, 'name') && s.name !== cls.name) {
    Object.defineProperty(e, 'name', { value: s.name, writable: true, configurable: true, enumerable: false });
  }
  const head = `${s.name}: ${s.message}`;
  const workerFrames = s.stack && s.stack.startsWith(head) ? s.stack.slice(head.length) : s.stack ? '\n' + s.stack : '';
  Object.defineProperty(e, 'stack', {
    value: `${head}${workerFrames}\n    at <batch worker${context ? ': ' + context : ''}>`,
    writable: true, configurable: true, enumerable: false,
  });
  return e;
}
