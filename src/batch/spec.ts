/**
 * Grammar specs a batch pool sends to its workers: plain data (JSON), so
 * each worker compiles the grammar itself against its copy of the
 * vocabulary. A spec's key (a hash of its canonical JSON) names the compiled
 * grammar in each worker's cache.
 */
import { createHash } from 'node:crypto';
import {
  compileGbnf, compileJsonSchema, compileLark, compileRegex,
  type CompileGbnfOptions, type CompileJsonSchemaOptions, type CompileLarkOptions, type CompileRegexOptions,
} from '../api.js';
import { InvalidArgumentError } from '../errors.js';
import type { CompiledGrammar, MatcherVocabulary } from '../matcher/compiled.js';

/**
 * What a sequence is constrained by. Options are those of the in-process
 * `compile*` functions and must be plain data (they cross a thread boundary).
 */
export type GrammarSpec =
  | { kind: 'json-schema'; schema: unknown; options?: CompileJsonSchemaOptions }
  | { kind: 'regex'; pattern: string; options?: CompileRegexOptions }
  | { kind: 'gbnf'; text: string; options?: CompileGbnfOptions }
  | { kind: 'lark'; text: string; options?: CompileLarkOptions };

/** Compiles a spec in this thread, exactly as a worker does. */
export function compileSpec(spec: GrammarSpec, vocab: MatcherVocabulary): CompiledGrammar {
  switch (spec.kind) {
    case 'json-schema':
      return compileJsonSchema(spec.schema, vocab, spec.options);
    case 'regex':
      return compileRegex(spec.pattern, vocab, spec.options);
    case 'gbnf':
      return compileGbnf(spec.text, vocab, spec.options);
    case 'lark':
      return compileLark(spec.text, vocab, spec.options);
    default:
      throw new InvalidArgumentError(`unknown grammar spec kind ${JSON.stringify((spec as { kind?: unknown }).kind)} (json-schema, regex, gbnf, lark)`);
  }
}

/**
 * Canonical JSON of a value: object keys sorted, `undefined` members
 * dropped. Throws `InvalidArgumentError` for what JSON cannot carry
 * (functions, bigints, symbols, cycles, non-finite numbers).
 */
export function canonicalJson(value: unknown): string {
  const seen = new Set<object>();
  const walk = (v: unknown, path: string): string => {
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return JSON.stringify(v);
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new InvalidArgumentError(`grammar spec: ${v} at ${path || '/'} is not JSON`);
      return JSON.stringify(v);
    }
    if (typeof v !== 'object') throw new InvalidArgumentError(`grammar spec: a ${typeof v} at ${path || '/'} is not plain data`);
    if (seen.has(v)) throw new InvalidArgumentError(`grammar spec: cycle at ${path || '/'}`);
    seen.add(v);
    let out: string;
    if (Array.isArray(v)) {
      out = '[' + v.map((x, i) => walk(x === undefined ? null : x, `${path}/${i}`)).join(',') + ']';
    } else {
      const keys = Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort();
      out = '{' + keys.map((k) => JSON.stringify(k) + ':' + walk((v as Record<string, unknown>)[k], `${path}/${k}`)).join(',') + '}';
    }
    seen.delete(v);
    return out;
  };
  return walk(value, '');
}

/** The cache key of a spec: SHA-256 of its canonical JSON (hex). Validates the spec's shape. */
export function specKey(spec: GrammarSpec): string {
  if (typeof spec !== 'object' || spec === null) throw new InvalidArgumentError('grammar spec must be an object {kind, ...}');
  const field = { 'json-schema': 'schema', regex: 'pattern', gbnf: 'text', lark: 'text' }[spec.kind as string];
  if (field === undefined) {
    throw new InvalidArgumentError(`unknown grammar spec kind ${JSON.stringify((spec as { kind?: unknown }).kind)} (json-schema, regex, gbnf, lark)`);
  }
  const body = (spec as unknown as Record<string, unknown>)[field];
  if (field !== 'schema' ? typeof body !== 'string' : body === undefined) {
    throw new InvalidArgumentError(`grammar spec of kind ${spec.kind} needs ${field === 'schema' ? 'a' : 'a string'} "${field}"`);
  }
  return createHash('sha256').update(canonicalJson(spec)).digest('hex');
}
