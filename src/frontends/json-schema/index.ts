/**
 * JSON Schema front-end: draft 2020-12 (and draft-07 spellings) to the
 * grammar IR. See `docs`-level notes in {@link jsonSchemaToGrammar}.
 */
import { InvalidArgumentError, LimitExceededError } from '../../errors.js';
import type { Grammar } from '../../ir/expr.js';
import { SchemaCompiler } from './compile.js';
import { resolveOptions, type JsonSchemaOptions } from './options.js';
import { Reporter, type SchemaReport } from './report.js';
import { SchemaRegistry } from './resolve.js';
import { checkJson } from './values.js';

export type { JsonSchemaOptions, JsonSchemaLimits, WhitespaceMode } from './options.js';
export { AUTO_ANY_ORDER, DEFAULT_LIMITS } from './options.js';
export type { SchemaReport, ReportEntry } from './report.js';

/** Result of {@link jsonSchemaToGrammar}. */
export interface JsonSchemaGrammar {
  /** The grammar of the JSON texts valid against the schema. */
  readonly grammar: Grammar;
  /** Unknown keywords, deliberate restrictions, and (with `lenient`) keywords not enforced. */
  readonly report: SchemaReport;
}

/**
 * Converts a JSON Schema into a grammar of the JSON texts it accepts.
 *
 * Exact for the keywords it enforces: every accepted text is valid. Some
 * valid texts are left out on purpose and listed in `report.restricted`:
 * objects that must hold an additional member accept schema order only, numbers
 * in exponent form where a bound is not at zero, integers in exponent form,
 * and parts of some formats. A constraining keyword it cannot enforce throws
 * `UnsupportedFeatureError(keyword, pointer)`, or with `lenient: true` is
 * listed in `report.ignored` / `report.approximated`.
 *
 * @throws UnsupportedFeatureError naming the keyword and its JSON pointer.
 * @throws LimitExceededError naming the limit (see `JsonSchemaOptions.limits`).
 * @throws InvalidArgumentError on bad options or a schema that is not JSON.
 */
export function jsonSchemaToGrammar(schema: unknown, options?: JsonSchemaOptions): JsonSchemaGrammar {
  const opts = resolveOptions(options);
  if (typeof schema !== 'boolean' && (schema === null || typeof schema !== 'object' || Array.isArray(schema))) {
    throw new InvalidArgumentError('a JSON Schema must be an object or a boolean');
  }
  const kind = checkJson(schema, 4 * opts.limits.maxSchemaDepth);
  if (kind === 'not-json') throw new InvalidArgumentError('the schema is not a JSON value');
  if (kind === 'deep') throw new LimitExceededError('maxSchemaDepth', opts.limits.maxSchemaDepth, 'schema document nested too deeply');
  const rep = new Reporter(opts.lenient);
  try {
    const reg = new SchemaRegistry(schema, opts.remotes, opts.limits.maxSchemaNodes, opts.limits.maxSchemaDepth);
    const c = new SchemaCompiler(reg, opts, rep);
    c.compileRoot();
    return { grammar: c.rules.grammar('root'), report: rep.report };
  } catch (e) {
    // raised limits can let the expansion recurse past the JS stack: report it as the limit it is
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new LimitExceededError('maxSchemaDepth', opts.limits.maxSchemaDepth, 'recursion past the JavaScript stack while expanding the schema (lower maxExpansions / maxSchemaDepth)');
    }
    throw e;
  }
}
