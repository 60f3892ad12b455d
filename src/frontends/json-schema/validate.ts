/**
 * A small JSON Schema validator over canonical schemas, used at compile time
 * only: to filter `enum`/`const` values by the other keywords of their
 * schema, to test named properties against `propertyNames`, and to prove
 * `oneOf` branches disjoint. Keywords it cannot decide throw
 * UnsupportedFeatureError, so callers never guess.
 */
import { UnsupportedFeatureError } from '../../errors.js';
import { formatRegExp, isKnownFormat, NON_STRING_FORMATS } from './formats.js';
import type { Schema, SchemaObject, SchemaRegistry } from './resolve.js';
import { atomOf, atomsOfType, deepEqual, includesValue, type Atom } from './values.js';

const regexCache = new Map<string, RegExp>();

/** An ECMAScript `u` RegExp for a JSON Schema pattern (cached). */
export function schemaRegExp(pattern: string, where: string): RegExp {
  let r = regexCache.get(pattern);
  if (!r) {
    try {
      r = new RegExp(pattern, 'u');
    } catch (e) {
      throw new UnsupportedFeatureError('pattern', where, `invalid regex: ${(e as Error).message}`);
    }
    regexCache.set(pattern, r);
  }
  return r;
}

function cpLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

function isMultiple(x: number, m: number): boolean {
  const q = x / m;
  return Number.isFinite(q) && Math.abs(q - Math.round(q)) < 1e-9;
}

/** Validates JSON values against canonical schemas of a registry. */
export class Validator {
  constructor(
    private readonly reg: SchemaRegistry,
    private readonly formats = true,
  ) {}

  /** Whether `v` is valid against `s`. */
  valid(v: unknown, s: Schema, depth = 0): boolean {
    if (s === true) return true;
    if (s === false) return false;
    if (depth > 200) throw new UnsupportedFeatureError('$ref', this.reg.where(s), 'validation recursion too deep');
    const where = (k: string): string => this.reg.where(s, k);
    for (const [k, val] of Object.entries(s)) {
      if (!this.keyword(v, s, k, val, depth, where)) return false;
    }
    return true;
  }

  private keyword(v: unknown, s: SchemaObject, k: string, val: unknown, depth: number, where: (k: string) => string): boolean {
    const atom = atomOf(v);
    const isNum = atom === 'int' || atom === 'nonint';
    switch (k) {
      case '$ref': {
        const t = this.reg.lookup(val as string);
        if (t === undefined) throw new UnsupportedFeatureError('$ref', where(k), `unresolvable reference ${String(val)}`);
        return this.valid(v, t, depth + 1);
      }
      case 'type': {
        const types = Array.isArray(val) ? (val as string[]) : [val as string];
        return types.some((t) => (atomsOfType(t) ?? []).includes(atom));
      }
      case '$$atoms':
        return (val as Atom[]).includes(atom);
      case 'enum':
        return includesValue(val as unknown[], v);
      case 'const':
        return deepEqual(val, v);
      case '$$notIn':
        return !includesValue(val as unknown[], v);
      case 'minimum':
        return !isNum || (s['exclusiveMinimum'] === true ? (v as number) > (val as number) : (v as number) >= (val as number));
      case 'maximum':
        return !isNum || (s['exclusiveMaximum'] === true ? (v as number) < (val as number) : (v as number) <= (val as number));
      case 'exclusiveMinimum':
        return !isNum || typeof val !== 'number' || (v as number) > val;
      case 'exclusiveMaximum':
        return !isNum || typeof val !== 'number' || (v as number) < val;
      case 'multipleOf':
        return !isNum || isMultiple(v as number, val as number);
      case '$$notFormat':
        return typeof v !== 'string' || !formatRegExp(val as string).test(v);
      case '$$notMultipleOf':
        return !isNum || !isMultiple(v as number, val as number);
      case 'minLength':
        return typeof v !== 'string' || cpLength(v) >= (val as number);
      case 'maxLength':
        return typeof v !== 'string' || cpLength(v) <= (val as number);
      case 'pattern':
        return typeof v !== 'string' || schemaRegExp(val as string, where(k)).test(v);
      case '$$notPattern':
        return typeof v !== 'string' || !schemaRegExp(val as string, where(k)).test(v);
      case 'format': {
        if (!this.formats) return true;
        const f = val as string;
        if (atom === 'string' && isKnownFormat(f)) return formatRegExp(f).test(v as string);
        if (f === 'int64') return !isNum || Number.isInteger(v);
        if (f === 'int32') return !isNum || (Number.isInteger(v) && (v as number) >= -(2 ** 31) && (v as number) <= 2 ** 31 - 1);
        if (NON_STRING_FORMATS.has(f) || atom !== 'string') return true;
        throw new UnsupportedFeatureError('format', where(k), `format ${f} cannot be checked`);
      }
      case 'allOf':
        return (val as Schema[]).every((x) => this.valid(v, x, depth + 1));
      case 'anyOf':
        return (val as Schema[]).some((x) => this.valid(v, x, depth + 1));
      case 'oneOf':
        return (val as Schema[]).filter((x) => this.valid(v, x, depth + 1)).length === 1;
      case 'not':
        return !this.valid(v, val as Schema, depth + 1);
      case 'if': {
        const ok = this.valid(v, val as Schema, depth + 1);
        const branch = ok ? s['then'] : s['else'];
        return branch === undefined || this.valid(v, branch as Schema, depth + 1);
      }
      case 'then':
      case 'else':
        return true;
      case 'items':
      case 'prefixItems':
      case 'additionalItems':
        return atom !== 'array' || this.items(v as unknown[], s, depth);
      case 'minItems':
        return atom !== 'array' || (v as unknown[]).length >= (val as number);
      case 'maxItems':
        return atom !== 'array' || (v as unknown[]).length <= (val as number);
      case 'uniqueItems': {
        if (atom !== 'array' || val !== true) return true;
        const a = v as unknown[];
        for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) if (deepEqual(a[i], a[j])) return false;
        return true;
      }
      case 'contains': {
        if (atom !== 'array') return true;
        const n = (v as unknown[]).filter((x) => this.valid(x, val as Schema, depth + 1)).length;
        const min = typeof s['minContains'] === 'number' ? s['minContains'] : 1;
        const max = typeof s['maxContains'] === 'number' ? s['maxContains'] : Infinity;
        return n >= min && n <= max;
      }
      case 'minContains':
      case 'maxContains':
        return true;
      case 'properties':
      case 'patternProperties':
      case 'additionalProperties':
        return atom !== 'object' || this.props(v as Record<string, unknown>, s, depth);
      case 'required':
        return atom !== 'object' || (val as string[]).every((p) => Object.prototype.hasOwnProperty.call(v, p));
      case 'minProperties':
        return atom !== 'object' || Object.keys(v as object).length >= (val as number);
      case 'maxProperties':
        return atom !== 'object' || Object.keys(v as object).length <= (val as number);
      case 'propertyNames':
        return atom !== 'object' || Object.keys(v as object).every((p) => this.valid(p, val as Schema, depth + 1));
      case 'dependentRequired':
        if (atom !== 'object') return true;
        for (const [p, deps] of Object.entries(val as Record<string, string[]>)) {
          if (Object.prototype.hasOwnProperty.call(v, p) && !deps.every((d) => Object.prototype.hasOwnProperty.call(v, d))) return false;
        }
        return true;
      case 'dependentSchemas':
      case 'dependencies':
        if (atom !== 'object') return true;
        for (const [p, dep] of Object.entries(val as Record<string, unknown>)) {
          if (!Object.prototype.hasOwnProperty.call(v, p)) continue;
          if (Array.isArray(dep)) {
            if (!dep.every((d) => Object.prototype.hasOwnProperty.call(v, d as string))) return false;
          } else if (!this.valid(v, dep as Schema, depth + 1)) return false;
        }
        return true;
      case '$$someExtra': {
        if (atom !== 'object') return true;
        const x = val as { exclude: string[]; notPatterns: string[]; keyPatterns?: string[]; keyNot?: Schema; value: Schema };
        return Object.entries(v as Record<string, unknown>).some(
          ([key, pv]) =>
            !x.exclude.includes(key) &&
            !x.notPatterns.some((p) => schemaRegExp(p, where(k)).test(key)) &&
            (x.keyPatterns ?? []).every((p) => schemaRegExp(p, where(k)).test(key)) &&
            (x.keyNot === undefined || !this.valid(key, x.keyNot, depth + 1)) &&
            this.valid(pv, x.value, depth + 1),
        );
      }
      case 'unevaluatedProperties':
      case 'unevaluatedItems':
      case '$dynamicRef':
      case '$recursiveRef':
        throw new UnsupportedFeatureError(k, where(k), 'not decidable by the compile-time validator');
      default:
        return true;
    }
  }

  private items(a: unknown[], s: SchemaObject, depth: number): boolean {
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
    for (let i = 0; i < a.length; i++) {
      const sch = i < prefix.length ? prefix[i] : rest;
      if (sch !== undefined && !this.valid(a[i], sch, depth + 1)) return false;
    }
    return true;
  }

  private props(o: Record<string, unknown>, s: SchemaObject, depth: number): boolean {
    const props = (s['properties'] ?? {}) as Record<string, Schema>;
    const pats = (s['patternProperties'] ?? {}) as Record<string, Schema>;
    const addl = s['additionalProperties'] as Schema | undefined;
    for (const [k, val] of Object.entries(o)) {
      let matched = false;
      if (Object.prototype.hasOwnProperty.call(props, k)) {
        matched = true;
        if (!this.valid(val, props[k]!, depth + 1)) return false;
      }
      for (const [p, ps] of Object.entries(pats)) {
        if (schemaRegExp(p, this.reg.where(s, 'patternProperties')).test(k)) {
          matched = true;
          if (!this.valid(val, ps, depth + 1)) return false;
        }
      }
      if (!matched && addl !== undefined && !this.valid(val, addl, depth + 1)) return false;
    }
    return true;
  }
}
