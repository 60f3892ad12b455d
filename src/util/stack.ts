/**
 * Turns a JavaScript stack overflow inside a recursive front-end into a
 * typed LimitExceededError, so deeply nested input fails with a clear error
 * instead of a RangeError from the engine.
 */
import { LimitExceededError } from '../errors.js';

/** Nesting the guarded parsers accept before the stack runs out (documentation value for the error). */
export const STACK_NESTING_LIMIT = 1000;

/** Runs `fn`; a stack overflow becomes `LimitExceededError('maxNesting')` naming `what`. */
export function withStackGuard<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new LimitExceededError('maxNesting', STACK_NESTING_LIMIT, `${what} is nested too deeply`);
    }
    throw e;
  }
}
