/**
 * Constraints named by their source text, so a generation can record them
 * (kind, source, options, hash) and a replay can compile them again.
 */
import { createHash } from 'node:crypto';
import { compileGbnf, compileJsonSchema, compileLark, compileRegex } from '../api.js';
import { InvalidArgumentError } from '../errors.js';
import type { CompiledGrammar, MatcherVocabulary } from '../matcher/compiled.js';

/** JSON whitespace modes of the JSON Schema front-end. */
export type JsonWhitespace = 'flexible' | 'compact' | 'maskbench' | 'pretty';

/** Property order of JSON Schema objects (`schema`: as listed, so keys are forced text; see the front-end's options). */
export type JsonPropertyOrder = 'schema' | 'any' | 'auto';

/** A constraint by source: what {@link compileConstraint} compiles and provenance records. */
export type ConstraintSpec =
  | { kind: 'json-schema'; source: string; whitespace?: JsonWhitespace; lenient?: boolean; propertyOrder?: JsonPropertyOrder }
  | { kind: 'regex'; source: string; flags?: string }
  | { kind: 'gbnf'; source: string; start?: string }
  | { kind: 'lark'; source: string; start?: string }
  | { kind: 'choices'; choices: string[] };

/** The kinds of {@link ConstraintSpec}. */
export const CONSTRAINT_KINDS = ['json-schema', 'regex', 'gbnf', 'lark', 'choices'] as const;

/** Canonical JSON of a spec (keys sorted, undefined dropped): the input of {@link constraintHash}. */
export function canonicalSpec(spec: ConstraintSpec): string {
  const obj = spec as unknown as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, obj[k]])));
}

/** SHA-256 (hex) of the spec's canonical JSON: equal hashes compile to the same grammar. */
export function constraintHash(spec: ConstraintSpec): string {
  return createHash('sha256').update(canonicalSpec(spec)).digest('hex');
}

/** Escapes a literal for an ECMAScript regex. */
export function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/** The regex of a choice list: exactly one of the strings. */
export function choicesRegex(choices: readonly string[]): string {
  if (choices.length === 0) throw new InvalidArgumentError('choices: the list is empty');
  return choices.map(escapeRegex).join('|');
}

/** Checks a spec's shape; throws `InvalidArgumentError` naming the problem. */
export function checkSpec(spec: unknown): asserts spec is ConstraintSpec {
  const s = spec as { kind?: unknown; source?: unknown; choices?: unknown } | null;
  if (!s || typeof s !== 'object') throw new InvalidArgumentError('constraint must be an object {kind, source}');
  if (!CONSTRAINT_KINDS.includes(s.kind as (typeof CONSTRAINT_KINDS)[number])) {
    throw new InvalidArgumentError(`constraint kind must be one of ${CONSTRAINT_KINDS.join(', ')}, got ${JSON.stringify(s.kind)}`);
  }
  if (s.kind === 'choices') {
    if (!Array.isArray(s.choices) || !s.choices.every((c) => typeof c === 'string')) throw new InvalidArgumentError('choices constraint needs choices: string[]');
  } else if (typeof s.source !== 'string') throw new InvalidArgumentError(`${s.kind as string} constraint needs source: string`);
}

/** Compiles a spec against a vocabulary (JSON Schema sources are JSON text). */
export function compileConstraint(spec: ConstraintSpec, vocab: MatcherVocabulary): CompiledGrammar {
  checkSpec(spec);
  switch (spec.kind) {
    case 'json-schema': {
      let schema: unknown;
      try {
        schema = JSON.parse(spec.source);
      } catch (e) {
        throw new InvalidArgumentError(`JSON Schema is not valid JSON: ${(e as Error).message}`);
      }
      return compileJsonSchema(schema, vocab, { whitespace: spec.whitespace, lenient: spec.lenient, propertyOrder: spec.propertyOrder });
    }
    case 'regex':
      return compileRegex(spec.source, vocab, { flags: spec.flags });
    case 'gbnf':
      return compileGbnf(spec.source, vocab, { start: spec.start });
    case 'lark':
      return compileLark(spec.source, vocab, { start: spec.start });
    case 'choices':
      return compileRegex(choicesRegex(spec.choices), vocab);
  }
}

/**
 * Named groups of a regex constraint matched against the whole output
 * (ECMAScript semantics, `null` for a group that did not take part), or
 * undefined when the constraint names none or is not a regex.
 */
export function captureGroups(spec: ConstraintSpec | null, text: string): Record<string, string | null> | undefined {
  if (!spec || spec.kind !== 'regex' || !/\(\?<[A-Za-z_$]/.test(spec.source)) return undefined;
  let re: RegExp;
  try {
    const flags = [...new Set(`${spec.flags ?? ''}u`)].join('');
    re = new RegExp(`^(?:${spec.source})$`, flags);
  } catch {
    return undefined;
  }
  const m = re.exec(text);
  if (!m?.groups) return undefined;
  return Object.fromEntries(Object.entries(m.groups).map(([k, v]) => [k, v ?? null]));
}
