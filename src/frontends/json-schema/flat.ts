/**
 * Flat schemas: the conjunction of the leaf keywords of several schema
 * objects, merged keyword by keyword (the `allOf` intersection). Child
 * schemas (property values, items) stay unmerged as conjunction lists.
 */
import { UnsupportedFeatureError } from '../../errors.js';
import { compareDec, toDecimal, type Bound } from './numbers.js';
import type { Reporter } from './report.js';
import type { Schema, SchemaObject, SchemaRegistry } from './resolve.js';
import { schemaRegExp } from './validate.js';
import { ALL_ATOMS, atomsOfType, includesValue, type Atom } from './values.js';
import { ANNOTATIONS, CONSTRAINING } from './keywords.js';

/** A keyword value with the pointer it came from. */
export interface Located<T> {
  readonly value: T;
  readonly where: string;
}

/** A pattern property: its regex and the conjunction of its schemas. */
export interface PatternProp {
  readonly pattern: string;
  readonly schemas: Schema[];
  readonly where: string;
}

/** A `contains` constraint. */
export interface ContainsC {
  readonly schema: Schema;
  readonly min: number;
  readonly max: number;
  readonly where: string;
}

/**
 * Some member must exist whose key is not in `exclude`, matches none of
 * `notPatterns`, matches all `keyPatterns`, is not valid against `keyNot`,
 * and whose value is valid against `value` (negated additionalProperties,
 * patternProperties, propertyNames).
 */
export interface SomeExtra {
  readonly exclude: readonly string[];
  readonly notPatterns: readonly string[];
  readonly keyPatterns?: readonly string[];
  readonly keyNot?: Schema;
  readonly value: Schema;
  readonly where: string;
}

/** The merged leaf constraints of a conjunction of schemas. */
export interface Flat {
  atoms: Set<Atom>;
  values: unknown[] | undefined;
  notIn: unknown[];
  lo: Bound | undefined;
  hi: Bound | undefined;
  multipleOf: Located<number>[];
  /** Moduli values must not be multiples of (from negations). */
  notMultipleOf: Located<number>[];
  minLength: number;
  maxLength: number;
  lengthWhere: string;
  patterns: Located<string>[];
  /** Patterns strings must not match (from negations). */
  notPatterns: Located<string>[];
  formats: Located<string>[];
  /** Formats strings must not match (from negations). */
  notFormats: Located<string>[];
  prefixItems: Schema[][];
  items: Schema[] | undefined;
  minItems: number;
  maxItems: number;
  contains: ContainsC[];
  uniqueItems: string | undefined;
  props: Map<string, Schema[]>;
  patternProps: PatternProp[];
  additional: Schema[] | undefined;
  required: Set<string>;
  propertyNames: Schema[];
  minProperties: number;
  maxProperties: number;
  unevaluatedProperties: Located<Schema[]> | undefined;
  unevaluatedItems: Located<Schema[]> | undefined;
  /** From negated additionalProperties: some key outside `exclude` and `notPatterns` has a value valid against `value`. */
  someExtra: SomeExtra[];
  /** Properties came from a negated schema (they are not "evaluated"). */
  negatedProps: boolean;
  /** Names of `properties` of schemas that are not negated: evaluated for `unevaluatedProperties`. */
  evalNames: Set<string>;
  /** An `additionalProperties` (or a self-contained `unevaluatedProperties`) of a schema that is not negated: every key is evaluated. */
  additionalEvaluated: boolean;
  /** Patterns of `patternProperties` of schemas that are not negated (keys they match are evaluated). */
  evalPatterns: Set<string>;
  /** Patterns of `patternProperties` of negated schemas (keys they match are not evaluated by them). */
  negatedPatterns: Set<string>;
  /** Items came from a negated schema. */
  negatedItems: boolean;
  /** A schema object for error locations. */
  where: string;
}

/** The unconstrained flat schema. */
export function emptyFlat(where: string): Flat {
  return {
    atoms: new Set(ALL_ATOMS),
    values: undefined,
    notIn: [],
    lo: undefined,
    hi: undefined,
    multipleOf: [],
    notMultipleOf: [],
    minLength: 0,
    maxLength: Infinity,
    lengthWhere: where,
    patterns: [],
    notPatterns: [],
    formats: [],
    notFormats: [],
    prefixItems: [],
    items: undefined,
    minItems: 0,
    maxItems: Infinity,
    contains: [],
    uniqueItems: undefined,
    props: new Map(),
    patternProps: [],
    additional: undefined,
    required: new Set(),
    propertyNames: [],
    minProperties: 0,
    maxProperties: Infinity,
    unevaluatedProperties: undefined,
    unevaluatedItems: undefined,
    someExtra: [],
    negatedProps: false,
    evalNames: new Set(),
    additionalEvaluated: false,
    evalPatterns: new Set(),
    negatedPatterns: new Set(),
    negatedItems: false,
    where,
  };
}

/** A copy that can be changed independently. */
export function cloneFlat(f: Flat): Flat {
  const props = new Map<string, Schema[]>();
  for (const [k, v] of f.props) props.set(k, v.slice());
  return {
    ...f,
    atoms: new Set(f.atoms),
    values: f.values?.slice(),
    notIn: f.notIn.slice(),
    multipleOf: f.multipleOf.slice(),
    notMultipleOf: f.notMultipleOf.slice(),
    patterns: f.patterns.slice(),
    notPatterns: f.notPatterns.slice(),
    formats: f.formats.slice(),
    notFormats: f.notFormats.slice(),
    prefixItems: f.prefixItems.map((x) => x.slice()),
    items: f.items?.slice(),
    contains: f.contains.slice(),
    props,
    patternProps: f.patternProps.map((p) => ({ ...p, schemas: p.schemas.slice() })),
    additional: f.additional?.slice(),
    required: new Set(f.required),
    evalNames: new Set(f.evalNames),
    evalPatterns: new Set(f.evalPatterns),
    negatedPatterns: new Set(f.negatedPatterns),
    propertyNames: f.propertyNames.slice(),
    someExtra: f.someExtra.slice(),
  };
}

function tighterLo(a: Bound | undefined, b: Bound): Bound {
  if (!a) return b;
  const c = compareDec(a.value, b.value);
  if (c !== 0) return c > 0 ? a : b;
  return a.exclusive ? a : b;
}
function tighterHi(a: Bound | undefined, b: Bound): Bound {
  if (!a) return b;
  const c = compareDec(a.value, b.value);
  if (c !== 0) return c < 0 ? a : b;
  return a.exclusive ? a : b;
}

function num(v: unknown, kw: string, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new UnsupportedFeatureError(kw, where, `expected a number, got ${JSON.stringify(v)}`);
  return v;
}
function count(v: unknown, kw: string, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    // 2020-12 allows 1.0 for non-negative integers
    throw new UnsupportedFeatureError(kw, where, `expected a non-negative integer, got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Keywords handled by the expander (applicators), not by {@link addLeaf}. */
export const APPLICATORS: ReadonlySet<string> = new Set([
  '$ref',
  'allOf',
  'anyOf',
  'oneOf',
  'not',
  'if',
  'dependentRequired',
  'dependentSchemas',
  'dependencies',
  '$dynamicRef',
  '$recursiveRef',
]);

/** In-place applicators: keywords whose subschemas' annotations an `unevaluated*` keyword of the same schema sees. */
const IN_PLACE = ['$ref', '$dynamicRef', '$recursiveRef', 'allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependentSchemas', 'dependencies'];

/**
 * Whether a schema object's `unevaluatedProperties` / `unevaluatedItems` see
 * only its own `properties` / `patternProperties` / `additionalProperties`
 * (`prefixItems` / `items`): it has no in-place applicator. Then
 * `unevaluatedProperties` means `additionalProperties` (unless that is
 * present too, which evaluates every key) and `unevaluatedItems` means
 * `items` after the prefix.
 */
export function isSelfContained(s: SchemaObject): boolean {
  return !IN_PLACE.some((k) => s[k] !== undefined);
}

/**
 * Applies a top-level `unevaluatedProperties` (the conjunction `u`) to a flat
 * alternative, exactly: keys evaluated by no schema that is not negated get
 * `u`. Returns why it cannot, or undefined when done.
 */
export function applyUnevaluatedProperties(f: Flat, u: Schema[]): string | undefined {
  if (f.additionalEvaluated) return undefined; // every key is evaluated
  if (f.negatedPatterns.size > 0 && f.evalPatterns.size > 0) return 'with patternProperties of both negated (not/if) and plain schemas';
  const evaluated = f.patternProps.filter((p) => f.evalPatterns.has(p.pattern));
  for (const [k, list] of f.props) {
    if (f.evalNames.has(k) || matching(evaluated, k) !== undefined) continue;
    list.push(...u);
  }
  for (const p of f.patternProps) if (!f.evalPatterns.has(p.pattern)) p.schemas.push(...u);
  f.additional = [...(f.additional ?? []), ...u];
  return undefined;
}

/**
 * Adds the leaf keywords of a schema object to a flat schema (in place).
 * `closed`: the schema is not the one compiled and is self-contained
 * ({@link isSelfContained}): its `unevaluated*` act as `additionalProperties` / `items`.
 */
export function addLeaf(f: Flat, s: SchemaObject, reg: SchemaRegistry, rep: Reporter, negated = false, formats = true, closed = false): void {
  const w = (k: string): string => reg.where(s, k);
  for (const [k, v] of Object.entries(s)) {
    switch (k) {
      case 'type': {
        const list = Array.isArray(v) ? v : [v];
        const atoms = new Set<Atom>();
        for (const t of list) {
          const a = typeof t === 'string' ? atomsOfType(t) : undefined;
          if (!a) throw new UnsupportedFeatureError('type', w(k), `unknown type ${JSON.stringify(t)}`);
          for (const x of a) atoms.add(x);
        }
        for (const x of [...f.atoms]) if (!atoms.has(x)) f.atoms.delete(x);
        break;
      }
      case '$$atoms':
        for (const x of [...f.atoms]) if (!(v as Atom[]).includes(x)) f.atoms.delete(x);
        break;
      case 'enum':
      case 'const': {
        const list = k === 'const' ? [v] : (v as unknown[]);
        if (!Array.isArray(list)) throw new UnsupportedFeatureError('enum', w(k), 'enum must be an array');
        f.values = f.values === undefined ? list.slice() : f.values.filter((x) => includesValue(list, x));
        break;
      }
      case '$$notIn':
        f.notIn.push(...(v as unknown[]));
        break;
      // draft-04: a boolean exclusiveMinimum/exclusiveMaximum makes minimum/maximum exclusive
      case 'minimum':
        f.lo = tighterLo(f.lo, { value: toDecimal(num(v, k, w(k))), exclusive: s['exclusiveMinimum'] === true });
        break;
      case 'exclusiveMinimum':
        if (typeof v === 'boolean') break;
        f.lo = tighterLo(f.lo, { value: toDecimal(num(v, k, w(k))), exclusive: true });
        break;
      case 'maximum':
        f.hi = tighterHi(f.hi, { value: toDecimal(num(v, k, w(k))), exclusive: s['exclusiveMaximum'] === true });
        break;
      case 'exclusiveMaximum':
        if (typeof v === 'boolean') break;
        f.hi = tighterHi(f.hi, { value: toDecimal(num(v, k, w(k))), exclusive: true });
        break;
      case 'multipleOf': {
        const m = num(v, k, w(k));
        if (!(m > 0)) throw new UnsupportedFeatureError(k, w(k), 'multipleOf must be positive');
        f.multipleOf.push({ value: m, where: w(k) });
        break;
      }
      case '$$notFormat':
        f.notFormats.push({ value: v as string, where: w('format') });
        break;
      case '$$notMultipleOf':
        f.notMultipleOf.push({ value: v as number, where: w('multipleOf') });
        break;
      case 'minLength':
        f.minLength = Math.max(f.minLength, count(v, k, w(k)));
        f.lengthWhere = w(k);
        break;
      case 'maxLength':
        f.maxLength = Math.min(f.maxLength, count(v, k, w(k)));
        f.lengthWhere = w(k);
        break;
      case 'pattern':
        if (typeof v !== 'string') throw new UnsupportedFeatureError(k, w(k), 'pattern must be a string');
        if (!f.patterns.some((p) => p.value === v)) f.patterns.push({ value: v, where: w(k) });
        break;
      case '$$notPattern':
        if (!f.notPatterns.some((p) => p.value === v)) f.notPatterns.push({ value: v as string, where: w('pattern') });
        break;
      case 'format':
        if (formats && typeof v === 'string' && !f.formats.some((p) => p.value === v)) f.formats.push({ value: v, where: w(k) });
        break;
      case 'items':
      case 'prefixItems':
        break; // handled below with the array shape
      case 'minItems':
        f.minItems = Math.max(f.minItems, count(v, k, w(k)));
        break;
      case 'maxItems':
        f.maxItems = Math.min(f.maxItems, count(v, k, w(k)));
        break;
      case 'contains': {
        const min = s['minContains'] === undefined ? 1 : count(s['minContains'], 'minContains', w('minContains'));
        const max = s['maxContains'] === undefined ? Infinity : count(s['maxContains'], 'maxContains', w('maxContains'));
        f.contains.push({ schema: v as Schema, min, max, where: w(k) });
        break;
      }
      case 'uniqueItems':
        if (v === true) f.uniqueItems ??= w(k);
        break;
      case 'properties':
      case 'patternProperties':
      case 'additionalProperties':
        break; // handled below with the object shape
      case 'required':
        if (!Array.isArray(v)) throw new UnsupportedFeatureError(k, w(k), 'required must be an array');
        for (const r of v) f.required.add(String(r));
        break;
      case 'propertyNames':
        f.propertyNames.push(v as Schema);
        break;
      case 'minProperties':
        f.minProperties = Math.max(f.minProperties, count(v, k, w(k)));
        break;
      case 'maxProperties':
        f.maxProperties = Math.min(f.maxProperties, count(v, k, w(k)));
        break;
      case 'unevaluatedProperties':
        if (!closed) f.unevaluatedProperties = { value: [...(f.unevaluatedProperties?.value ?? []), v as Schema], where: w(k) };
        break;
      case 'unevaluatedItems':
        if (!closed) f.unevaluatedItems = { value: [...(f.unevaluatedItems?.value ?? []), v as Schema], where: w(k) };
        else if (s['contains'] !== undefined && s['items'] === undefined && s['additionalItems'] === undefined) {
          throw new UnsupportedFeatureError('unevaluatedItems', w(k), 'with contains');
        }
        break;
      case '$$negated':
        break;
      case '$$someExtra':
        f.someExtra.push({ ...(v as Omit<SomeExtra, 'where'>), where: w('additionalProperties') });
        break;
      default:
        if (APPLICATORS.has(k) || ANNOTATIONS.has(k)) break;
        if (!CONSTRAINING.has(k)) rep.unknown(k, w(k));
    }
  }
  if (negated) {
    if (s['prefixItems'] !== undefined || s['items'] !== undefined || s['contains'] !== undefined) f.negatedItems = true;
    if (s['properties'] !== undefined || s['patternProperties'] !== undefined || s['additionalProperties'] !== undefined) f.negatedProps = true;
  }
  addArrayShape(f, s, closed);
  addObjectShape(f, s, reg, closed, negated);
}

function addArrayShape(f: Flat, s: SchemaObject, closed: boolean): void {
  let prefix: Schema[] = [];
  let rest: Schema | undefined;
  if (Array.isArray(s['prefixItems'])) {
    prefix = s['prefixItems'] as Schema[];
    rest = s['items'] as Schema | undefined;
  } else if (Array.isArray(s['items'])) {
    prefix = s['items'] as Schema[];
    rest = s['additionalItems'] as Schema | undefined;
  } else {
    rest = s['items'] as Schema | undefined;
  }
  if (closed && rest === undefined) rest = s['unevaluatedItems'] as Schema | undefined;
  if (prefix.length === 0 && rest === undefined) return;
  const n = Math.max(prefix.length, f.prefixItems.length);
  const merged: Schema[][] = [];
  for (let i = 0; i < n; i++) {
    const mine = i < f.prefixItems.length ? f.prefixItems[i]! : (f.items ?? []);
    const theirs = i < prefix.length ? [prefix[i]!] : rest === undefined ? [] : [rest];
    merged.push([...mine, ...theirs]);
  }
  f.prefixItems = merged;
  if (rest !== undefined) f.items = [...(f.items ?? []), rest];
}

function matching(pats: readonly PatternProp[], key: string): Schema[] | undefined {
  let out: Schema[] | undefined;
  for (const p of pats) {
    if (schemaRegExp(p.pattern, p.where).test(key)) (out ??= []).push(...p.schemas);
  }
  return out;
}

/** The conjunction for an unnamed key `key` in the flat schema. */
export function unnamedSchemas(f: Flat, key: string): Schema[] {
  return matching(f.patternProps, key) ?? f.additional ?? [];
}

function addObjectShape(f: Flat, s: SchemaObject, reg: SchemaRegistry, closed: boolean, negated: boolean): void {
  const P = (s['properties'] ?? {}) as Record<string, Schema>;
  const Qraw = (s['patternProperties'] ?? {}) as Record<string, Schema>;
  const A = (s['additionalProperties'] ?? (closed ? s['unevaluatedProperties'] : undefined)) as Schema | undefined;
  const Q: PatternProp[] = Object.entries(Qraw).map(([pattern, sch]) => ({ pattern, schemas: [sch], where: reg.where(s, 'patternProperties') }));
  const pKeys = Object.keys(P);
  if (pKeys.length === 0 && Q.length === 0 && A === undefined) return;
  if (negated) {
    for (const q of Q) f.negatedPatterns.add(q.pattern);
  } else {
    for (const k of pKeys) f.evalNames.add(k);
    for (const q of Q) f.evalPatterns.add(q.pattern);
    if (A !== undefined) f.additionalEvaluated = true;
  }
  // named keys already known: add this schema's view of them
  for (const [k, list] of f.props) {
    if (Object.prototype.hasOwnProperty.call(P, k)) continue;
    const extra = matching(Q, k) ?? (A === undefined ? [] : [A]);
    list.push(...extra);
  }
  for (const k of pKeys) {
    const mine = f.props.get(k) ?? unnamedSchemas(f, k).slice();
    mine.push(P[k]!, ...(matching(Q, k) ?? []));
    f.props.set(k, mine);
  }
  // unnamed keys
  if (Q.length === 0) {
    if (A !== undefined) {
      for (const p of f.patternProps) p.schemas.push(A);
      f.additional = [...(f.additional ?? []), A];
    }
  } else if (f.patternProps.length === 0) {
    const base = f.additional ?? [];
    f.patternProps = Q.map((q) => ({ ...q, schemas: [...q.schemas, ...base] }));
    if (A !== undefined) f.additional = [...base, A];
  } else if (f.additional === undefined && A === undefined) {
    f.patternProps.push(...Q);
  } else {
    throw new UnsupportedFeatureError('patternProperties', reg.where(s, 'patternProperties'), 'intersection of two schemas that both have patternProperties and additionalProperties');
  }
}
