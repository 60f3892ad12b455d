/**
 * Options of the JSON Schema front-end, with their defaults and limits.
 */
import { InvalidArgumentError } from '../../errors.js';

/** How whitespace between JSON tokens is constrained. */
export type WhitespaceMode = 'compact' | 'maskbench' | 'pretty' | 'flexible';

/** Options of {@link jsonSchemaToGrammar}. */
export interface JsonSchemaOptions {
  /**
   * Whitespace between tokens. `compact`: none. `maskbench`: `", "` and `": "`
   * exactly as Python's `json.dumps` default. `pretty`: newline and `indent`
   * spaces per level (as `json.dumps(indent=N)` / `JSON.stringify(v, null, N)`).
   * `flexible` (default): any JSON whitespace, at most `maxWhitespace` characters
   * per gap, so compact, json.dumps and 2-space-indented texts are all accepted.
   */
  whitespace?: WhitespaceMode;
  /** Indent width of `pretty` (default 2). */
  indent?: number;
  /** Longest whitespace run between two tokens in `flexible` mode (default 64: 2-space indentation to depth 31). */
  maxWhitespace?: number;
  /**
   * `schema`: named properties in the order the schema lists them, then
   * additional properties. `auto` (default) and `any`: any order, whatever
   * the number of members. Small objects (at most `maxAnyOrderProperties`
   * members with `any`, at most that and {@link AUTO_ANY_ORDER} with `auto`,
   * counting the additional-property slot) are built from subset states;
   * larger ones use guards, conditions on the JSON text read so far that the
   * matcher checks (each declared key at most once, required keys and
   * min/maxProperties before the closing brace, counted as distinct keys).
   * Objects that must hold an additional member (negated
   * additionalProperties) stay in schema order (reported).
   */
  propertyOrder?: 'schema' | 'any' | 'auto';
  /**
   * How the names of declared properties are spelled. `canonical` (default):
   * as `JSON.stringify` / Python's `json.dumps` write them (escapes only where
   * JSON requires one), so keys are fixed text a decoder can force; reported in
   * `report.restricted`. `any`: every JSON spelling of the name (`"n\u0061me"`).
   */
  keySpelling?: 'canonical' | 'any';
  /** Treat an absent `additionalProperties` as `false` (default false: absent means any). */
  strictAdditionalProperties?: boolean;
  /** Deepest nesting for `pretty` layouts of recursive structures (default 32). */
  maxNesting?: number;
  /** Remote schemas by absolute URI, for `$ref`s outside the root document. */
  remotes?: Record<string, unknown>;
  /** Report unsupported keywords instead of throwing (the language then over-approximates them). */
  lenient?: boolean;
  /**
   * Enforce `format` (default true, as ajv-formats does). With false, formats
   * are annotations only, the draft 2020-12 default.
   */
  formatAssertion?: boolean;
  /** Resource limits. */
  limits?: Partial<JsonSchemaLimits>;
}

/** Resource limits; each raises LimitExceededError naming the key. */
export interface JsonSchemaLimits {
  /** Most schema nodes in the root document plus remotes (default 200,000). */
  maxSchemaNodes: number;
  /** Most grammar rules produced (default 50,000). */
  maxRules: number;
  /** Most expanded schema merges / distributions (default 20,000). */
  maxExpansions: number;
  /** Most `$ref`s followed while merging one schema without hitting a rule (default 64). */
  maxRefDepth: number;
  /** Most enum / const values (default 10,000). */
  maxEnumValues: number;
  /** Largest object (members + additional slot) built from subset states (2^n rules) rather than guards, and largest finite `uniqueItems` domain (default 8). */
  maxAnyOrderProperties: number;
  /** Largest modulus of integer `multipleOf` (default 1,000). */
  maxMultipleOf: number;
  /** Deepest nesting of schema objects, and of schemas compiled inside one another (default 500). */
  maxSchemaDepth: number;
  /** Most states of a string automaton (pattern ∩ length, key complements; default 20,000). */
  maxAutomatonStates: number;
}

/** Options with every default filled in. */
export interface ResolvedOptions {
  whitespace: WhitespaceMode;
  indent: number;
  maxWhitespace: number;
  propertyOrder: 'schema' | 'any' | 'auto';
  keySpelling: 'canonical' | 'any';
  strictAdditionalProperties: boolean;
  maxNesting: number;
  remotes: Record<string, unknown>;
  lenient: boolean;
  formatAssertion: boolean;
  limits: JsonSchemaLimits;
}

/** Largest object (named members + 1 for additional properties) built from subset states under `propertyOrder: 'auto'`; larger ones use guards. */
export const AUTO_ANY_ORDER = 6;

/** Default limits. */
export const DEFAULT_LIMITS: Readonly<JsonSchemaLimits> = {
  maxSchemaNodes: 200_000,
  maxRules: 50_000,
  maxExpansions: 20_000,
  maxRefDepth: 64,
  maxEnumValues: 10_000,
  maxAnyOrderProperties: 8,
  maxMultipleOf: 1_000,
  maxAutomatonStates: 20_000,
  maxSchemaDepth: 500,
};

function nonNegInt(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) throw new InvalidArgumentError(`option ${name} must be a non-negative integer, got ${v}`);
  return v;
}

/** Fills defaults and checks option values. */
export function resolveOptions(o: JsonSchemaOptions = {}): ResolvedOptions {
  const ws = o.whitespace ?? 'flexible';
  if (!['compact', 'maskbench', 'pretty', 'flexible'].includes(ws)) throw new InvalidArgumentError(`option whitespace: unknown mode ${String(ws)}`);
  const order = o.propertyOrder ?? 'auto';
  if (order !== 'schema' && order !== 'any' && order !== 'auto') throw new InvalidArgumentError(`option propertyOrder: unknown value ${String(order)}`);
  const limits: JsonSchemaLimits = { ...DEFAULT_LIMITS };
  for (const [k, v] of Object.entries(o.limits ?? {})) {
    if (!(k in limits)) throw new InvalidArgumentError(`unknown limit ${k}`);
    (limits as unknown as Record<string, number>)[k] = nonNegInt(`limits.${k}`, v as number, 0);
  }
  return {
    whitespace: ws,
    indent: nonNegInt('indent', o.indent, 2),
    maxWhitespace: nonNegInt('maxWhitespace', o.maxWhitespace, 64),
    propertyOrder: order,
    keySpelling: keySpellingOf(o.keySpelling),
    strictAdditionalProperties: o.strictAdditionalProperties ?? false,
    maxNesting: nonNegInt('maxNesting', o.maxNesting, 32),
    remotes: o.remotes ?? {},
    lenient: o.lenient ?? false,
    formatAssertion: o.formatAssertion ?? true,
    limits,
  };
}

function keySpellingOf(v: unknown): 'canonical' | 'any' {
  if (v === undefined || v === 'canonical') return 'canonical';
  if (v === 'any') return 'any';
  throw new InvalidArgumentError(`option keySpelling: unknown value ${String(v)}`);
}
