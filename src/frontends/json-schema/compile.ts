/**
 * Schema → grammar: each schema becomes the union of its flat alternatives,
 * each flat alternative the union of its per-type texts; `$ref` targets
 * become rules (recursion), child schemas are compiled on demand.
 */
import { ConstrainError, LimitExceededError, UnsupportedFeatureError } from '../../errors.js';
import { alt, charClass, literal, nothing, optional, plus, ref, repeat, seq, star, type Expr } from '../../ir/expr.js';
import { parseRegex } from '../regex/index.js';
import { RuleBuilder } from './builder.js';
import { Containers, type Member, type ObjectShape } from './containers.js';
import { Expander } from './expand.js';
import { applyUnevaluatedProperties, cloneFlat, unnamedSchemas, type Flat, type SomeExtra } from './flat.js';
import { formatExpr, formatRestriction, isKnownFormat, NON_STRING_FORMATS, UNSUPPORTED_FORMATS } from './formats.js';
import { ANNOTATIONS } from './keywords.js';
import { dfaFromExpr, dfaOfLength, dfaOfStrings, dfaOrUnsupported, productRules, type Dfa } from './automaton.js';
import { makeLayout, type Layout } from './layout.js';
import { lengthRange, withLength } from './length.js';
import {
  anyNumber,
  ceilBound,
  compareDec,
  floorBound,
  integerRange,
  multipleOfDfa,
  numberRange,
  positiveMultiples,
  toDecimal,
  type Bound,
} from './numbers.js';
import { AUTO_ANY_ORDER, type ResolvedOptions } from './options.js';
import type { Reporter } from './report.js';
import type { Schema, SchemaObject, SchemaRegistry } from './resolve.js';
import { ANY_CHAR_RANGES, encodeDecoded, encodedClass, encodedStringNotIn, encodedText } from './strings.js';
import { schemaRegExp, Validator } from './validate.js';
import { atomOf, deepEqual, includesValue } from './values.js';

const DIGIT = charClass([0x30, 0x39]);

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Whether a schema object holds only `$ref` plus annotations. */
function onlyKeyword(s: SchemaObject, kw: string): boolean {
  for (const k of Object.keys(s)) if (k !== kw && !ANNOTATIONS.has(k)) return false;
  return true;
}

/** Compiles canonical schemas of a registry into grammar rules. */
export class SchemaCompiler {
  readonly rules: RuleBuilder;
  private readonly layout: Layout;
  private readonly containers: Containers;
  private readonly expander: Expander;
  private readonly validator: Validator;
  private readonly ids = new WeakMap<object, number>();
  private nextId = 0;
  private nesting = 0;
  /** States left for string automata products, over the whole schema. */
  private readonly automata: { left: number; readonly limit: number };
  private readonly done = new Map<string, Expr>();
  private readonly building = new Map<string, { rule?: string }>();
  private readonly refRules = new Map<string, Expr>();
  /** `$ref` keys followed since the last schema that is more than a `$ref` (a cycle here makes no progress). */
  private pureRefs = new Set<string>();
  private readonly anyRules = new Map<number, Expr>();
  private readonly multRules = new Map<number, Expr>();

  constructor(
    private readonly reg: SchemaRegistry,
    private readonly opts: ResolvedOptions,
    private readonly rep: Reporter,
  ) {
    this.rules = new RuleBuilder(opts.limits.maxRules);
    this.automata = { left: opts.limits.maxAutomatonStates, limit: opts.limits.maxAutomatonStates };
    this.layout = makeLayout(opts);
    this.containers = new Containers(this.rules, this.layout, opts.limits.maxAnyOrderProperties);
    this.validator = new Validator(reg, opts.formatAssertion);
    this.expander = new Expander(reg, rep, this.validator, opts.limits, opts.formatAssertion);
  }

  /** The root rule: the root schema's texts with outer whitespace. */
  compileRoot(): void {
    const name = this.rules.reserve('root');
    const body = this.refRule(this.reg.rootUri, 0, '');
    this.rules.define(name, seq(this.layout.outer, body, this.layout.outer));
  }

  private d(depth: number): number {
    return this.layout.depthSensitive ? depth : 0;
  }

  /** Texts of one schema at nesting depth `depth`. */
  compile(s: Schema, depth: number): Expr {
    depth = this.d(depth);
    if (s === true) return this.anyValue(depth);
    if (s === false) return nothing();
    if (depth > this.opts.maxNesting) {
      this.rep.restrict('maxNesting', this.reg.where(s), `values nested deeper than ${this.opts.maxNesting} are not accepted`);
      return nothing();
    }
    if (typeof s['$ref'] === 'string' && onlyKeyword(s, '$ref')) return this.pureRef(s['$ref'], depth, this.reg.where(s, '$ref'), '$ref');
    if (typeof s['$dynamicRef'] === 'string' && onlyKeyword(s, '$dynamicRef') && this.reg.staticDynamicRef(s['$dynamicRef']) !== undefined) {
      return this.pureRef(s['$dynamicRef'], depth, this.reg.where(s, '$dynamicRef'), '$dynamicRef');
    }
    const saved = this.pureRefs;
    this.pureRefs = new Set();
    try {
      return this.once(`${this.idOf(s)}@${depth}`, 'schema', () => {
        if (Array.isArray(s['anyOf']) && onlyKeyword(s, 'anyOf')) return alt(...(s['anyOf'] as Schema[]).map((m) => this.compile(m, depth)));
        return alt(...this.expander.expand([s]).map((f) => this.flat(f, depth)));
      });
    } finally {
      this.pureRefs = saved;
    }
  }

  /**
   * A schema that is only a reference. Following references that are only
   * references back to one already followed defines a rule as itself: no
   * text, and no validator terminates on it, so it is a typed error.
   */
  private pureRef(uri: string, depth: number, where: string, keyword: string): Expr {
    const key = `${uri}@${depth}`;
    if (this.pureRefs.has(key)) throw new UnsupportedFeatureError(keyword, where, `reference cycle through ${uri} that only references (no value is ever reached)`);
    this.pureRefs.add(key);
    try {
      return this.refRule(uri, depth, where);
    } finally {
      this.pureRefs.delete(key);
    }
  }

  /** Texts of a conjunction of schemas. */
  private conj(list: readonly Schema[], depth: number): Expr {
    depth = this.d(depth);
    if (list.length === 0) return this.anyValue(depth);
    if (list.length === 1) return this.compile(list[0]!, depth);
    if (list.includes(false)) return nothing();
    const key = `c${list.map((x) => (typeof x === 'boolean' ? String(x) : this.idOf(x))).join(',')}@${depth}`;
    return this.once(key, 'allof', () => alt(...this.expander.expand(list).map((x) => this.flat(x, depth))));
  }

  /** Counts one level of schemas compiled inside one another. */
  private enter(where?: string): void {
    if (++this.nesting > this.opts.limits.maxSchemaDepth) {
      throw new LimitExceededError('maxSchemaDepth', this.opts.limits.maxSchemaDepth, `schemas (or $ref chains) nested too deeply${where === undefined ? '' : ` at ${where}`}`);
    }
  }

  private idOf(s: object): number {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = ++this.nextId;
      this.ids.set(s, id);
    }
    return id;
  }

  /**
   * Builds the texts for `key` once. A key met again while it is being built
   * (recursion through merged schemas) becomes a rule reference.
   */
  private once(key: string, hint: string, build: () => Expr): Expr {
    const done = this.done.get(key);
    if (done) return done;
    const cur = this.building.get(key);
    if (cur) {
      cur.rule ??= this.rules.reserve(hint);
      return ref(cur.rule);
    }
    const entry: { rule?: string } = {};
    this.building.set(key, entry);
    let e: Expr;
    this.enter();
    try {
      e = build();
    } finally {
      this.building.delete(key);
      this.nesting--;
    }
    if (entry.rule) {
      this.rules.define(entry.rule, e);
      e = ref(entry.rule);
    }
    this.done.set(key, e);
    return e;
  }

  private refRule(uri: string, depth: number, where: string): Expr {
    const key = `${uri}@${depth}`;
    const hit = this.refRules.get(key);
    if (hit) return hit;
    const target = this.reg.lookup(uri);
    if (target === undefined) throw new UnsupportedFeatureError('$ref', where, `unresolvable reference ${uri}`);
    const hash = uri.indexOf('#');
    const hint = uri === this.reg.rootUri ? 'schema' : hash >= 0 ? uri.slice(hash + 1).replace(/^\/(\$defs|definitions)\//, '') || 'doc' : uri.split('/').pop()!;
    const name = this.rules.reserve(hint + (depth ? `@${depth}` : ''));
    const r = ref(name);
    this.refRules.set(key, r);
    this.enter(where || '/');
    try {
      this.rules.define(name, this.compile(target, depth));
    } finally {
      this.nesting--;
    }
    return r;
  }

  /** Any JSON value at a depth. */
  private anyValue(depth: number): Expr {
    depth = this.d(depth);
    const hit = this.anyRules.get(depth);
    if (hit) return hit;
    if (depth > this.opts.maxNesting) return nothing();
    const name = this.rules.reserve(depth ? `value@${depth}` : 'value');
    const r = ref(name);
    this.anyRules.set(depth, r);
    const str = seq(literal('"'), star(encodedClass(ANY_CHAR_RANGES)), literal('"'));
    const member = seq(str, this.layout.colon, this.anyValue(depth + 1));
    const obj = this.containers.objectInOrder({ members: [], extra: member, minProps: 0, maxProps: Infinity }, depth, 'object');
    const arr = this.containers.array([], this.anyValue(depth + 1), 0, Infinity, depth);
    this.rules.define(name, alt(literal('null'), literal('true'), literal('false'), anyNumber(), str, this.rules.add(depth ? `object@${depth}` : 'object', obj), this.rules.add(depth ? `array@${depth}` : 'array', arr)));
    return r;
  }

  // ---------------------------------------------------------------- flat

  private flat(f: Flat, depth: number): Expr {
    if (f.unevaluatedProperties) {
      const why = applyUnevaluatedProperties(f, f.unevaluatedProperties.value);
      if (why !== undefined) this.rep.unsupported('unevaluatedProperties', f.unevaluatedProperties.where, why);
    }
    if (f.unevaluatedItems) {
      if (f.contains.length) this.rep.unsupported('unevaluatedItems', f.unevaluatedItems.where, 'with contains');
      else if (f.negatedItems) this.rep.unsupported('unevaluatedItems', f.unevaluatedItems.where, 'with items of a negated (not/if) schema');
      else if (f.items === undefined) f.items = f.unevaluatedItems.value;
    }
    if (f.values !== undefined) return this.finite(f, depth);
    const parts: Expr[] = [];
    if (f.atoms.has('null') && !includesValue(f.notIn, null)) parts.push(literal('null'));
    if (f.atoms.has('boolean')) {
      if (!includesValue(f.notIn, true)) parts.push(literal('true'));
      if (!includesValue(f.notIn, false)) parts.push(literal('false'));
    }
    if (f.atoms.has('int') || f.atoms.has('nonint')) parts.push(this.numbers(f));
    if (f.atoms.has('string')) parts.push(this.strings(f));
    if (f.atoms.has('array')) {
      if (f.notIn.some((v) => Array.isArray(v))) this.rep.unsupported('not', f.where, 'excluding array values');
      parts.push(this.arrays(f, depth));
    }
    if (f.atoms.has('object')) {
      if (f.notIn.some((v) => v !== null && typeof v === 'object' && !Array.isArray(v))) this.rep.unsupported('not', f.where, 'excluding object values');
      parts.push(this.objects(f, depth));
    }
    return alt(...parts);
  }

  // ---------------------------------------------------------------- const / enum

  private finite(f: Flat, depth: number): Expr {
    if (f.values!.length > this.opts.limits.maxEnumValues) {
      this.rep.unsupported('enum', `${f.where}/enum`, `more than ${this.opts.limits.maxEnumValues} values (limit maxEnumValues)`);
    }
    const out: Expr[] = [];
    for (const v of f.values!) {
      if (!this.flatAccepts(f, v)) continue;
      out.push(this.valueText(v, depth, f.where));
    }
    return alt(...out);
  }

  /** Whether a value satisfies the flat constraints (other than the value list). */
  private flatAccepts(f: Flat, v: unknown): boolean {
    const a = atomOf(v);
    if (!f.atoms.has(a) || includesValue(f.notIn, v)) return false;
    const s: SchemaObject = {};
    if (a === 'int' || a === 'nonint') {
      const x = v as number;
      if (f.lo) {
        const c = compareDec(toDecimal(x), f.lo.value);
        if (c < 0 || (c === 0 && f.lo.exclusive)) return false;
      }
      if (f.hi) {
        const c = compareDec(toDecimal(x), f.hi.value);
        if (c > 0 || (c === 0 && f.hi.exclusive)) return false;
      }
      for (const m of f.multipleOf) if (!this.validator.valid(x, { multipleOf: m.value })) return false;
      for (const m of f.notMultipleOf) if (this.validator.valid(x, { multipleOf: m.value })) return false;
      for (const fm of f.formats) if (!this.validator.valid(x, { format: fm.value })) return false;
      return true;
    }
    if (a === 'string') {
      s['minLength'] = f.minLength;
      if (f.maxLength !== Infinity) s['maxLength'] = f.maxLength;
      if (!this.validator.valid(v, s)) return false;
      for (const p of f.patterns) if (!schemaRegExp(p.value, p.where).test(v as string)) return false;
      for (const p of f.notPatterns) if (schemaRegExp(p.value, p.where).test(v as string)) return false;
      for (const fm of f.notFormats) if (this.validator.valid(v, { format: fm.value })) return false;
      for (const fm of f.formats) {
        if (!isKnownFormat(fm.value) && !NON_STRING_FORMATS.has(fm.value) && UNSUPPORTED_FORMATS.has(fm.value)) {
          this.rep.unsupported('format', fm.where, `format ${fm.value}`);
          continue;
        }
        if (isKnownFormat(fm.value) && !this.validator.valid(v, { format: fm.value })) return false;
      }
      return true;
    }
    if (a === 'array') {
      const arr = v as unknown[];
      if (arr.length < f.minItems || arr.length > f.maxItems) return false;
      for (let i = 0; i < arr.length; i++) {
        const conj = i < f.prefixItems.length ? f.prefixItems[i]! : (f.items ?? []);
        if (!conj.every((c) => this.validator.valid(arr[i], c))) return false;
      }
      for (const c of f.contains) {
        const n = arr.filter((x) => this.validator.valid(x, c.schema)).length;
        if (n < c.min || n > c.max) return false;
      }
      if (f.uniqueItems) {
        for (let i = 0; i < arr.length; i++) for (let j = i + 1; j < arr.length; j++) if (deepEqual(arr[i], arr[j])) return false;
      }
      return true;
    }
    if (a === 'object') {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length < f.minProperties || keys.length > f.maxProperties) return false;
      for (const r of f.required) if (!Object.prototype.hasOwnProperty.call(o, r)) return false;
      for (const k of keys) {
        const conj = f.props.get(k) ?? unnamedSchemas(f, k);
        if (!conj.every((c) => this.validator.valid(o[k], c))) return false;
        if (!f.propertyNames.every((c) => this.validator.valid(k, c))) return false;
      }
      for (const x of f.someExtra) if (!this.validator.valid(v, { $$someExtra: x })) return false;
      return true;
    }
    return true;
  }

  /** Texts of one JSON value (numbers in any plain spelling of their value). */
  private valueText(v: unknown, depth: number, where: string): Expr {
    if (v === null) return literal('null');
    if (v === true) return literal('true');
    if (v === false) return literal('false');
    if (typeof v === 'number') {
      const d = toDecimal(v);
      const r = numberRange({ value: d, exclusive: false }, { value: d, exclusive: false });
      if (r.restricted) this.rep.restrict('const', where, 'numbers in exponent form are not accepted for enum/const numbers');
      return r.expr;
    }
    if (typeof v === 'string') return seq(literal('"'), encodedText(v), literal('"'));
    if (Array.isArray(v)) {
      return this.containers.array(
        v.map((x) => this.valueText(x, depth + 1, where)),
        null,
        v.length,
        v.length,
        depth,
      );
    }
    const entries = Object.entries(v as Record<string, unknown>);
    const members: Member[] = entries.map(([k, x]) => ({ text: seq(this.keyText(k), this.layout.colon, this.valueText(x, depth + 1, where)), required: true }));
    const shape = { members, extra: null, minProps: 0, maxProps: Infinity };
    return this.object(shape, depth, 'const', where);
  }

  private keyText(k: string): Expr {
    if (this.opts.keySpelling === 'canonical') {
      if (!this.keySpellingReported) {
        this.keySpellingReported = true;
        this.rep.restrict('properties', '', 'property names are spelled canonically (no optional \\u escapes); keySpelling: "any" allows every spelling');
      }
      return literal(JSON.stringify(k));
    }
    return seq(literal('"'), encodedText(k), literal('"'));
  }
  private keySpellingReported = false;

  // ---------------------------------------------------------------- numbers

  private numbers(f: Flat): Expr {
    let ints = f.atoms.has('int');
    let nonints = f.atoms.has('nonint');
    let lo = f.lo;
    let hi = f.hi;
    for (const fm of f.formats) {
      if (fm.value === 'int64' || fm.value === 'int32') nonints = false;
      if (fm.value === 'int32') {
        const L: Bound = { value: toDecimal(-(2 ** 31)), exclusive: false };
        const H: Bound = { value: toDecimal(2 ** 31 - 1), exclusive: false };
        lo = !lo || compareDec(lo.value, L.value) < 0 ? L : lo;
        hi = !hi || compareDec(hi.value, H.value) > 0 ? H : hi;
      }
    }
    const excluded = f.notIn.filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
    // multipleOf: an integer modulus K for integer values; a decimal step 10^-q for others
    let K = 1n;
    let decimalStep: number | undefined;
    // fall back to an automaton product (range × remainder automata) where the fast paths do not apply
    let general = false;
    for (const m of f.multipleOf) {
      const d = toDecimal(m.value);
      const q = d.frac.length;
      const p = BigInt(d.int.toString() + d.frac);
      const Km = p / gcd(p, 10n ** BigInt(q));
      if (q === 0) nonints = false;
      else if (nonints) {
        if (p === 1n && decimalStep === undefined) decimalStep = q;
        else general = true;
      }
      K = (K * Km) / gcd(K, Km);
    }
    if (K > BigInt(this.opts.limits.maxMultipleOf)) general = true;
    if (!ints && !nonints) return nothing();
    if (f.notMultipleOf.length) return this.multipleAutomaton(f, ints, nonints, lo, hi, excluded);
    if (f.multipleOf.length && (general || (nonints && decimalStep !== undefined && (lo || hi || excluded.length || !ints)))) {
      return this.multipleAutomaton(f, ints, nonints, lo, hi, excluded);
    }
    if (nonints) {
      if (decimalStep !== undefined) {
        // at most q significant fraction digits
        return seq(optional(literal('-')), integerPlain(), optional(seq(literal('.'), repeat(DIGIT, 1, decimalStep), star(literal('0')))));
      }
      if (!ints) {
        this.rep.restrict('type', f.where, 'non-integer numbers in exponent form are not accepted');
        const nonint = seq(optional(literal('-')), integerPlain(), literal('.'), star(DIGIT), charClass([0x31, 0x39]), star(DIGIT));
        if (!lo && !hi && !excluded.length) return nonint;
        // non-integers in range: the plain texts of the range with a non-zero fraction digit
        const ranged = alt(...splitRange(lo, hi, excluded).map(([a, b]) => numberRange(a ?? null, b ?? null).expr));
        const max = this.opts.limits.maxAutomatonStates;
        const comps = [dfaOrUnsupported(ranged, max, 'type', f.where), dfaOrUnsupported(nonint, max, 'type', f.where)];
        return productRules(comps, (fl) => fl[0]! && fl[1]!, this.rules, 'nonint', this.automata, false) ?? nothing();
      }
      const pieces = splitRange(lo, hi, excluded);
      const out: Expr[] = [];
      for (const [a, b] of pieces) {
        const r = numberRange(a ?? null, b ?? null);
        if (r.restricted) this.rep.restrict(a ? 'minimum' : 'maximum', f.where, 'numbers in exponent form are accepted only normalized (d.ddde±N) unless the bound is zero');
        out.push(r.expr);
      }
      return alt(...out);
    }
    // integers only
    const L = lo ? ceilBound(lo) : null;
    const H = hi ? floorBound(hi) : null;
    this.rep.restrict('integer', f.where, 'integers are accepted as -?digits with an optional .0+ fraction, not in exponent form');
    if (K === 1n) return intPieces(L, H, excluded);
    if (excluded.length) return this.multipleAutomaton(f, true, false, lo, hi, excluded);
    return this.multiples(K, L, H) ?? this.multipleAutomaton(f, true, false, lo, hi, excluded);
  }

  /** Numbers in range that are multiples of every `multipleOf`: range automaton × remainder automata (plain texts). */
  private multipleAutomaton(f: Flat, ints: boolean, nonints: boolean, lo: Bound | undefined, hi: Bound | undefined, excluded: number[]): Expr {
    const where = (f.multipleOf[0] ?? f.notMultipleOf[0])!.where;
    const intsOnly = !nonints;
    const range = intsOnly
      ? intPieces(lo ? ceilBound(lo) : null, hi ? floorBound(hi) : null, excluded)
      : alt(...splitRange(lo, hi, excluded).map(([a, b]) => numberRange(a ?? null, b ?? null).expr));
    const max = this.opts.limits.maxAutomatonStates;
    const comps: Dfa[] = [dfaOrUnsupported(range, max, 'multipleOf', where)];
    const want: boolean[] = [true];
    if (!ints) {
      // non-integer values only: a non-zero fraction digit
      comps.push(dfaOrUnsupported(seq(optional(literal('-')), integerPlain(), literal('.'), star(DIGIT), charClass([0x31, 0x39]), star(DIGIT)), max, 'type', where));
      want.push(true);
    }
    for (const [list, w] of [[f.multipleOf, true], [f.notMultipleOf, false]] as const) {
      for (const m of list) {
        const d = multipleOfDfa(m.value, max);
        if (!d) {
          this.rep.unsupported('multipleOf', m.where, `multipleOf ${m.value}: remainder automaton above limit maxAutomatonStates=${max}`);
          return range;
        }
        comps.push(d);
        want.push(w);
      }
    }
    this.rep.restrict('multipleOf', where, 'numbers under multipleOf (or its negation) are accepted in plain form only (no exponent)');
    return productRules(comps, (fl) => fl.every((x, i) => x === want[i]), this.rules, 'mult', this.automata, false) ?? nothing();
  }

  /** Integer texts of multiples of K in [L, H]; null where the fast forms do not apply. */
  private multiples(K: bigint, L: bigint | null, H: bigint | null): Expr | null {
    const frac0 = optional(seq(literal('.'), plus(literal('0'))));
    const lit = (x: bigint): Expr => seq(literal(x.toString()), frac0);
    if (L !== null && H !== null) {
      const first = L % K === 0n ? L : L >= 0n ? L + (K - (L % K)) : L - (L % K);
      const count = first > H ? 0n : (H - first) / K + 1n;
      if (count > BigInt(this.opts.limits.maxEnumValues)) {
        return null;
      }
      const out: Expr[] = [];
      for (let x = first; x <= H; x += K) {
        out.push(lit(x));
        if (x === 0n) out.push(seq(literal('-0'), frac0));
      }
      return alt(...out);
    }
    // one-sided or unbounded: only bounds that cut at zero are exact
    const k = Number(K);
    let pos = this.multRules.get(k);
    if (!pos) {
      const base = `mult${k}`;
      const names = new Map<number, string>();
      const nameOf = (r: number): string => {
        let n = names.get(r);
        if (!n) {
          n = this.rules.reserve(`${base}.r${r}`);
          names.set(r, n);
        }
        return n;
      };
      pos = positiveMultiples(k, nameOf, (n, e) => this.rules.define(n, e), ref);
      this.multRules.set(k, pos);
    }
    const parts: Expr[] = [];
    const zeroIn = (L === null || L <= 0n) && (H === null || H >= 0n);
    if (zeroIn) parts.push(seq(optional(literal('-')), literal('0')));
    // positives
    if (H === null) {
      if (L === null || L <= K) parts.push(pos);
      else {
        return null;
      }
    } else if (H >= K) {
      return null;
    }
    // negatives
    if (L === null) {
      if (H === null || H >= -K) parts.push(seq(literal('-'), pos));
      else {
        return null;
      }
    } else if (L <= -K) {
      return null;
    }
    return seq(alt(...parts), frac0);
  }

  // ---------------------------------------------------------------- strings

  /** The decoded-string constraints of a flat schema: regex sources, length bounds, excluded strings. */
  private stringParts(f: Flat): StringParts {
    const notIn = f.notIn.filter((x): x is string => typeof x === 'string');
    const sources: Source[] = [];
    for (const p of [...f.patterns, ...f.notPatterns]) {
      try {
        sources.push({ e: parseRegex(p.value, { mode: 'search', source: p.where }), kw: 'pattern', where: p.where, want: f.patterns.includes(p) });
      } catch (e) {
        if (!(e instanceof ConstrainError) || e.code === 'LIMIT_EXCEEDED') throw e;
        this.rep.unsupported('pattern', p.where, e.message);
      }
    }
    for (const fm of f.formats) {
      const name = fm.value;
      if (isKnownFormat(name)) {
        sources.push({ e: formatExpr(name), kw: 'format', where: fm.where, want: true });
        const r = formatRestriction(name);
        if (r) this.rep.restrict('format', fm.where, `${name}: ${r}`);
      } else if (UNSUPPORTED_FORMATS.has(name)) this.rep.unsupported('format', fm.where, `format ${name}`);
      else if (!NON_STRING_FORMATS.has(name)) this.rep.unknown(`format:${name}`, fm.where);
    }
    for (const fm of f.notFormats) sources.push({ e: formatExpr(fm.value), kw: 'format', where: fm.where, want: false });
    return { sources, min: f.minLength, max: f.maxLength, notIn, where: f.where, lengthWhere: f.lengthWhere };
  }

  /** Automaton components (DFA, wanted acceptance) of string constraints. */
  private stringComponents(p: StringParts): Component[] {
    const max = this.opts.limits.maxAutomatonStates;
    const out: Component[] = [];
    for (const src of p.sources) out.push({ dfa: dfaOrUnsupported(src.e, max, src.kw, src.where), want: src.want });
    if (p.min > 0 || p.max !== Infinity) {
      if (p.max !== Infinity && p.max > max) throw new UnsupportedFeatureError('maxLength', p.lengthWhere, `length bound ${p.max} with pattern or format above limit maxAutomatonStates=${max}`);
      out.push({ dfa: dfaOfLength(p.min, p.max), want: true });
    }
    if (p.notIn.length) out.push({ dfa: dfaOfStrings(p.notIn), want: false });
    return out;
  }

  /** JSON-encoded string bodies (between the quotes) of a flat schema's strings. */
  private stringBody(f: Flat): Expr {
    const p = this.stringParts(f);
    if (p.min > p.max) return nothing();
    const hasLength = p.min > 0 || p.max !== Infinity;
    if (p.sources.length === 0 && p.notIn.length === 0) return repeat(encodedClass(ANY_CHAR_RANGES), p.min, p.max);
    if (p.sources.length === 0 && !hasLength) return this.notIn(p.notIn);
    if (p.sources.length === 1 && p.notIn.length === 0 && p.sources[0]!.want) {
      const src = p.sources[0]!;
      const r = hasLength ? withLength(src.e, p.min, p.max) : src.e;
      if (r !== null) return encodeDecoded(r);
      // a long maximum whose automaton product would be large: bound the
      // pattern's unbounded repeats so no string exceeds it (a subset)
      if (p.max !== Infinity && p.max > SMALL_LENGTH) {
        let states = Infinity;
        try {
          states = dfaFromExpr(src.e, SMALL_PRODUCT).accept.length * (p.max + 1);
        } catch (e) {
          if (!(e instanceof LimitExceededError)) throw e;
        }
        const capped = states > SMALL_PRODUCT ? capRepeats(src.e, p.max) : null;
        const exact = capped && withLength(capped, p.min, Infinity);
        if (exact) {
          this.rep.restrict('maxLength', p.lengthWhere, `${src.kw} with maxLength ${p.max}: unbounded repeats capped so every string fits`);
          return encodeDecoded(exact);
        }
      }
    }
    try {
      const comps = this.stringComponents(p);
      return this.product(comps, 'str') ?? nothing();
    } catch (e) {
      if (!(e instanceof UnsupportedFeatureError)) throw e;
      this.rep.unsupported(e.feature, e.where, e.message);
      const first = p.sources.find((x) => x.want);
      return first ? encodeDecoded(first.e) : repeat(encodedClass(ANY_CHAR_RANGES), p.min, p.max);
    }
  }

  /** Encoded string bodies of strings other than `names` (a tree expression, or rules for long names). */
  private notIn(names: readonly string[]): Expr {
    if (names.every((n) => n.length <= 64)) return encodedStringNotIn(names);
    return this.product([{ dfa: dfaOfStrings(names), want: false }], 'notin') ?? nothing();
  }

  /** Rules for the product of components; null for the empty language. */
  private product(comps: Component[], hint: string): Expr | null {
    return productRules(
      comps.map((c) => c.dfa),
      (flags) => comps.every((c, i) => flags[i] === c.want),
      this.rules,
      hint,
      this.automata,
    );
  }

  private strings(f: Flat): Expr {
    return seq(literal('"'), this.stringBody(f), literal('"'));
  }

  // ---------------------------------------------------------------- arrays

  private arrays(f: Flat, depth: number): Expr {
    if (f.uniqueItems !== undefined && f.maxItems > 1) {
      const distinct = this.distinctItems(f, depth);
      if (distinct) return distinct;
      this.rep.unsupported('uniqueItems', f.uniqueItems, 'uniqueness of array items is not context-free (only finite item sets are supported)');
    }
    const itemOf = (conj: Schema[] | undefined): Expr | null => {
      if (conj === undefined) return this.anyValue(depth + 1);
      if (conj.includes(false)) return null;
      return this.conj(conj, depth + 1);
    };
    const prefix = f.prefixItems.map((c) => itemOf(c) ?? nothing());
    // a prefix item that matches nothing caps the length
    let max = f.maxItems;
    const dead = prefix.findIndex((e) => e.kind === 'nothing');
    if (dead >= 0) max = Math.min(max, dead);
    const rest = itemOf(f.items);
    const contains = f.contains.filter((c) => !(c.min === 0 && c.max === Infinity));
    if (contains.length === 0) return this.containers.array(prefix.slice(0, Math.min(prefix.length, max)), rest, f.minItems, max, depth);
    const c = contains[0]!;
    if (contains.length > 1) {
      this.rep.unsupported('contains', contains[1]!.where, 'more than one contains');
      return this.containers.array(prefix, rest, f.minItems, max, depth);
    }
    let neg: Schema | undefined;
    if (c.max !== Infinity) {
      try {
        neg = this.expander.negate(c.schema, c.where, 0);
      } catch (e) {
        if (!(e instanceof UnsupportedFeatureError)) throw e;
        this.rep.unsupported('maxContains', c.where, e.message);
      }
    }
    // item i: x = item ∧ contains (counted), y = item (∧ not contains when the count is bounded above)
    const itemConj = (i: number): Schema[] | undefined => (i < f.prefixItems.length ? f.prefixItems[i]! : f.items);
    const xy = (i: number): [Expr, Expr] => {
      const conj = itemConj(i);
      if (conj !== undefined && conj.includes(false)) return [nothing(), nothing()];
      const base = conj ?? [];
      const x = this.conj([...base, c.schema], depth + 1);
      const y = neg === undefined ? (conj === undefined ? this.anyValue(depth + 1) : this.conj(base, depth + 1)) : this.conj([...base, neg], depth + 1);
      return [x, y];
    };
    if (!prefix.length && f.minItems === 0 && max === Infinity && rest !== null) {
      const [x, y] = xy(f.prefixItems.length);
      return this.containers.arrayCounting(x, y, c.min, c.max, depth);
    }
    return this.containers.arrayCountingBounded(xy, f.prefixItems.length, f.minItems, max, c.min, neg === undefined ? Infinity : c.max, depth);
  }

  /** Arrays of distinct items when the items come from a small finite set; null otherwise. */
  private distinctItems(f: Flat, depth: number): Expr | null {
    if (f.prefixItems.length || f.contains.some((c) => !(c.min === 0 && c.max === Infinity)) || f.items === undefined) return null;
    const domain: unknown[] = [];
    for (const item of this.expander.expand(f.items)) {
      let vals = item.values;
      if (vals === undefined) {
        if ([...item.atoms].some((a) => a !== 'null' && a !== 'boolean')) return null;
        vals = [...(item.atoms.has('null') ? [null] : []), ...(item.atoms.has('boolean') ? [true, false] : [])];
      }
      for (const v of vals) if (this.flatAccepts(item, v) && !includesValue(domain, v)) domain.push(v);
    }
    if (domain.length > this.opts.limits.maxAnyOrderProperties) return null;
    const members = domain.map((v) => ({ text: this.valueText(v, depth + 1, f.where), required: false }));
    return this.containers.objectAnyOrder({ members, extra: null, minProps: f.minItems, maxProps: f.maxItems }, depth, 'unique', '[]');
  }

  // ---------------------------------------------------------------- objects

  private objects(f: Flat, depth: number): Expr {
    if (f.someExtra.length) return this.objectsWithSomeExtra(f, depth);
    return this.objectsPlain(f, depth, undefined);
  }

  /**
   * Objects with a member outside a negated schema's properties (negated
   * additionalProperties): either a named member qualifies, or an additional
   * member must appear.
   */
  private objectsWithSomeExtra(f: Flat, depth: number): Expr {
    const [x, ...rest] = f.someExtra as [SomeExtra, ...SomeExtra[]];
    const outside = (k: string): boolean =>
      !x.exclude.includes(k) &&
      !x.notPatterns.some((p) => schemaRegExp(p, x.where).test(k)) &&
      (x.keyPatterns ?? []).every((p) => schemaRegExp(p, x.where).test(k)) &&
      (x.keyNot === undefined || !this.validator.valid(k, x.keyNot));
    const parts: Expr[] = [];
    const names = [...f.props.keys(), ...[...f.required].filter((k) => !f.props.has(k))];
    for (const k of names) {
      if (!outside(k)) continue;
      const g = cloneFlat(f);
      g.someExtra = rest;
      g.required.add(k);
      g.props.set(k, [...(f.props.get(k) ?? unnamedSchemas(f, k)), x.value]);
      parts.push(this.objects(g, depth));
    }
    // an additional member; with several constraints, one member satisfying all (a subset)
    const g = cloneFlat(f);
    g.someExtra = [];
    const all = f.someExtra;
    const combined: SomeExtra =
      all.length === 1
        ? x
        : {
            exclude: all.flatMap((y) => y.exclude),
            notPatterns: all.flatMap((y) => y.notPatterns),
            keyPatterns: all.flatMap((y) => y.keyPatterns ?? []),
            keyNot: all.some((y) => y.keyNot !== undefined) ? { anyOf: all.flatMap((y) => (y.keyNot === undefined ? [] : [y.keyNot])) } : undefined,
            value: { allOf: all.map((y) => y.value) },
            where: x.where,
          };
    if (all.length > 1) this.rep.restrict('not', x.where, 'several negated additionalProperties/patternProperties/propertyNames met by one additional member');
    parts.push(this.objectsPlain(g, depth, combined));
    return alt(...parts);
  }

  private objectsPlain(f: Flat, depth: number, must: SomeExtra | undefined): Expr {
    const colon = this.layout.colon;
    const namesOk = (k: string): boolean => f.propertyNames.every((c) => this.validator.valid(k, c));
    const members: Member[] = [];
    const named: string[] = [];
    const addMember = (k: string, conj: Schema[], required: boolean): boolean => {
      named.push(k);
      const v = conj.includes(false) || !namesOk(k) ? nothing() : this.conj(conj, depth + 1);
      if (v.kind === 'nothing') return !required;
      members.push({ text: seq(this.keyText(k), colon, v), required });
      return true;
    };
    for (const [k, conj] of f.props) if (!addMember(k, conj, f.required.has(k))) return nothing();
    for (const k of f.required) if (!f.props.has(k) && !addMember(k, unnamedSchemas(f, k), true)) return nothing();
    // additional members
    let extra: Expr | null = null;
    const addlFalse = f.additional !== undefined && f.additional.includes(false);
    const addlAllowed = !addlFalse && !(f.additional === undefined && this.opts.strictAdditionalProperties);
    const where = f.where;
    const finite = f.propertyNames.length ? this.finiteNames(f.propertyNames) : undefined;
    if (finite) {
      // propertyNames lists the names: each allowed name is an optional member
      for (const k of finite) {
        if (named.includes(k) || !namesOk(k)) continue;
        const conj = unnamedSchemas(f, k);
        if (!addlAllowed && f.patternProps.every((p) => !schemaRegExp(p.pattern, p.where).test(k))) continue;
        addMember(k, conj, false);
      }
    } else if (f.patternProps.length === 0 && f.propertyNames.length === 0) {
      if (addlAllowed) extra = seq(literal('"'), this.notIn(named), literal('"'), colon, this.conj(f.additional ?? [], depth + 1));
    } else {
      extra = this.extraMembers(f, named, addlAllowed, depth);
    }
    if (extra && extra.kind === 'nothing') extra = null;
    let extraMust: Expr | undefined;
    if (must) {
      const addlAllowedHere = !(f.additional !== undefined && f.additional.includes(false)) && !(f.additional === undefined && this.opts.strictAdditionalProperties);
      if (f.patternProps.length || f.propertyNames.length) {
        this.rep.unsupported('not', must.where, 'negated additionalProperties with patternProperties or propertyNames');
      } else if (addlAllowedHere) {
        const max = this.opts.limits.maxAutomatonStates;
        const pat = (p: string): Dfa => dfaOrUnsupported(parseRegex(p, { mode: 'search', source: must.where }), max, 'patternProperties', must.where);
        const comps: Component[] = [{ dfa: dfaOfStrings([...named, ...must.exclude]), want: false }];
        for (const p of must.notPatterns) comps.push({ dfa: pat(p), want: false });
        for (const p of must.keyPatterns ?? []) comps.push({ dfa: pat(p), want: true });
        // keys outside the language of keyNot (a string schema): the product must not accept all of its components
        let notComps: Component[] = [];
        let keyOk = true;
        if (must.keyNot !== undefined) {
          const flats = this.expander.expand([must.keyNot]).filter((kf) => kf.atoms.has('string'));
          if (flats.length > 1) {
            this.rep.unsupported('not', must.where, 'negated propertyNames with alternatives');
            keyOk = false;
          } else if (flats.length === 1) notComps = this.stringComponents(this.stringParts(flats[0]!));
        }
        const n = comps.length;
        const key = keyOk
          ? productRules(
              [...comps, ...notComps].map((c) => c.dfa),
              (fl) => comps.every((c, i) => fl[i] === c.want) && (notComps.length === 0 || !notComps.every((c, i) => fl[n + i] === c.want)),
              this.rules,
              'extrakey',
              this.automata,
            )
          : null;
        if (key) extraMust = seq(literal('"'), key, literal('"'), colon, this.conj([...(f.additional ?? []), must.value], depth + 1));
      }
      if (!extraMust) return nothing();
    }
    const shape: ObjectShape = { members, extra, extraMust, minProps: f.minProperties, maxProps: f.maxProperties };
    const hint = where ? `obj${where}` : 'obj';
    return this.object(shape, depth, hint, where);
  }

  /** An object in the configured property order. */
  private object(shape: ObjectShape, depth: number, hint: string, where: string): Expr {
    const size = shape.members.length + (shape.extra ? 1 : 0);
    if (size <= 1 || this.opts.propertyOrder === 'schema') return this.containers.objectInOrder(shape, depth, hint);
    if (shape.extraMust) {
      this.rep.restrict('properties', where, 'objects required to hold an additional member are accepted in schema order only');
      return this.containers.objectInOrder(shape, depth, hint);
    }
    if (this.opts.propertyOrder === 'any') return this.containers.objectAnyOrder(shape, depth, hint);
    const counted = shape.minProps > 0 || shape.maxProps !== Infinity;
    if (size > Math.min(AUTO_ANY_ORDER, this.opts.limits.maxAnyOrderProperties) || (counted && shape.extra)) {
      this.rep.restrict('properties', where, `properties accepted in schema order only (object with ${size} members; any order up to ${AUTO_ANY_ORDER})`);
      return this.containers.objectInOrder(shape, depth, hint);
    }
    return this.containers.objectAnyOrder(shape, depth, hint);
  }

  /**
   * Additional members when keys are split by patternProperties and/or
   * constrained by propertyNames: one key language per set of matching
   * patterns (automata product), excluding the named keys.
   */
  private extraMembers(f: Flat, named: string[], addlAllowed: boolean, depth: number): Expr | null {
    const pats = f.patternProps;
    if (pats.length > 4) {
      this.rep.unsupported('patternProperties', pats[0]!.where, 'more than 4 patterns');
      return null;
    }
    const max = this.opts.limits.maxAutomatonStates;
    const comps: Component[] = [{ dfa: dfaOfStrings(named), want: false }];
    try {
      for (const p of pats) comps.push({ dfa: dfaOrUnsupported(parseRegex(p.pattern, { mode: 'search', source: p.where }), max, 'patternProperties', p.where), want: true });
      if (f.propertyNames.length) {
        const flats = this.expander.expand(f.propertyNames);
        if (flats.length !== 1) throw new UnsupportedFeatureError('propertyNames', f.where, 'alternatives in propertyNames');
        const pf = flats[0]!;
        if (!pf.atoms.has('string')) return null;
        comps.push(...this.stringComponents(this.stringParts(pf)));
      }
    } catch (e) {
      if (!(e instanceof ConstrainError) || e.code === 'LIMIT_EXCEEDED') throw e;
      this.rep.unsupported(e instanceof UnsupportedFeatureError ? e.feature : 'patternProperties', e instanceof UnsupportedFeatureError ? e.where : f.where, e.message);
      return null;
    }
    const out: Expr[] = [];
    for (let mask = 0; mask < 1 << pats.length; mask++) {
      const conj: Schema[] = [];
      pats.forEach((p, i) => {
        if (mask & (1 << i)) conj.push(...p.schemas);
      });
      if (mask === 0) {
        if (!addlAllowed) continue;
        conj.push(...(f.additional ?? []));
      }
      if (conj.includes(false)) continue;
      const want = comps.map((c, i) => (i >= 1 && i <= pats.length ? (mask & (1 << (i - 1))) !== 0 : c.want));
      const key = productRules(
        comps.map((c) => c.dfa),
        (flags) => flags.every((x, i) => x === want[i]),
        this.rules,
        'key',
        this.automata,
      );
      if (key === null) continue;
      out.push(seq(literal('"'), key, literal('"'), this.layout.colon, this.conj(conj, depth + 1)));
    }
    return out.length ? alt(...out) : null;
  }

  /** The finite set of names a propertyNames conjunction allows, if it is finite. */
  private finiteNames(conj: Schema[]): string[] | undefined {
    const flats = this.expander.expand(conj);
    const out: string[] = [];
    for (const f of flats) {
      if (!f.atoms.has('string')) continue;
      if (f.values === undefined) return undefined;
      for (const v of f.values) if (typeof v === 'string' && !out.includes(v)) out.push(v);
    }
    return out;
  }
}

interface Source {
  readonly e: Expr;
  readonly kw: string;
  readonly where: string;
  /** Whether strings must match (true) or must not match (false). */
  readonly want: boolean;
}
interface StringParts {
  readonly sources: Source[];
  readonly min: number;
  readonly max: number;
  readonly notIn: string[];
  readonly where: string;
  readonly lengthWhere: string;
}
/** An automaton and whether the product wants it to accept. */
interface Component {
  readonly dfa: Dfa;
  readonly want: boolean;
}

/** maxLength up to which a pattern is intersected with the length by an exact automaton product. */
const SMALL_LENGTH = 64;
/** Beyond SMALL_LENGTH, the largest product (pattern states × (maxLength + 1)) still built exactly. */
const SMALL_PRODUCT = 4096;

/**
 * The pattern with every unbounded repeat capped at the largest common bound
 * that keeps all strings within `max` code points (a subset of the
 * language), or null when even the smallest caps are too long.
 */
function capRepeats(e: Expr, max: number): Expr | null {
  const cap = (x: Expr, c: number): Expr => {
    switch (x.kind) {
      case 'seq':
        return seq(...x.items.map((i) => cap(i, c)));
      case 'alt':
        return alt(...x.items.map((i) => cap(i, c)));
      case 'repeat':
        return repeat(cap(x.item, c), x.min, x.max === Infinity ? Math.max(x.min, c) : x.max);
      default:
        return x;
    }
  };
  let lo = 0;
  let hi = max;
  if (lengthRange(cap(e, 0))[1] > max) return null;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (lengthRange(cap(e, mid))[1] <= max) lo = mid;
    else hi = mid - 1;
  }
  return cap(e, lo);
}

/** Integer texts in [L, H] except the excluded values. */
function intPieces(L: bigint | null, H: bigint | null, excluded: readonly number[]): Expr {
  const ex = excluded.filter((x) => Number.isInteger(x)).map((x) => BigInt(x));
  const out: Expr[] = [];
  let from = L;
  for (const x of ex) {
    if ((from !== null && x < from) || (H !== null && x > H)) continue;
    out.push(integerRange(from, x - 1n));
    from = x + 1n;
  }
  out.push(integerRange(from, H));
  return alt(...out);
}

function integerPlain(): Expr {
  return alt(literal('0'), seq(charClass([0x31, 0x39]), star(DIGIT)));
}

/** Splits [lo, hi] at excluded points into open pieces. */
function splitRange(lo: Bound | undefined, hi: Bound | undefined, excluded: number[]): [Bound | undefined, Bound | undefined][] {
  const out: [Bound | undefined, Bound | undefined][] = [];
  let from = lo;
  for (const x of excluded) {
    const d = toDecimal(x);
    if (from && compareDec(d, from.value) < 0) continue;
    if (hi && compareDec(d, hi.value) > 0) continue;
    out.push([from, { value: d, exclusive: true }]);
    from = { value: d, exclusive: true };
  }
  out.push([from, hi]);
  return out;
}
