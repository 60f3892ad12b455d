/**
 * Disjunctive normal form of schemas: applicators (`$ref` inside a
 * conjunction, `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`,
 * `dependentRequired`, `dependentSchemas`) are unfolded into a list of
 * {@link Flat} alternatives whose union is the schema's language.
 */
import { LimitExceededError, UnsupportedFeatureError } from '../../errors.js';
import { addLeaf, cloneFlat, emptyFlat, isSelfContained, unnamedSchemas, type Flat } from './flat.js';
import { compareDec } from './numbers.js';
import { isKnownFormat, NON_STRING_FORMATS, UNSUPPORTED_FORMATS } from './formats.js';
import { ANNOTATIONS, CONSTRAINING } from './keywords.js';
import type { JsonSchemaLimits } from './options.js';
import type { Reporter } from './report.js';
import type { Schema, SchemaObject, SchemaRegistry } from './resolve.js';
import type { Validator } from './validate.js';
import { ALL_ATOMS, deepEqual, includesValue, type Atom } from './values.js';

/** A pending schema: `top` when it is the schema being compiled itself (its unevaluated* see only its own subschemas), `neg` inside a negation (no annotations). */
interface Item {
  readonly s: Schema;
  readonly refs: readonly string[];
  readonly top?: boolean;
  readonly neg?: boolean;
}
interface Branch {
  readonly alts: Schema[][];
  readonly refs: readonly string[];
  readonly neg?: boolean;
}
type Pending = Item | Branch;

const NUMS: Atom[] = ['int', 'nonint'];

/** Unfolds applicators into flat alternatives. */
export class Expander {
  private budget: number;
  constructor(
    private readonly reg: SchemaRegistry,
    private readonly rep: Reporter,
    private readonly validator: Validator,
    private readonly limits: JsonSchemaLimits,
    private readonly formats = true,
  ) {
    this.budget = limits.maxExpansions;
  }

  /** The flat alternatives of a conjunction of schemas. */
  expand(conj: readonly Schema[]): Flat[] {
    const out: Flat[] = [];
    const where = conj.length && typeof conj[0] === 'object' ? this.reg.where(conj[0]) : '';
    const saved = this.annotations;
    this.annotations = conj.some((s) => typeof s === 'object' && (s['unevaluatedProperties'] !== undefined || s['unevaluatedItems'] !== undefined));
    try {
      this.run(
        conj.map((s) => ({ s, refs: [], top: conj.length === 1 })),
        emptyFlat(where),
        out,
      );
    } finally {
      this.annotations = saved;
    }
    return out;
  }

  /** Whether the schema being expanded has unevaluated* (annotations of a lone `if` then matter). */
  private annotations = false;

  private tick(): void {
    if (--this.budget < 0) throw new LimitExceededError('maxExpansions', this.limits.maxExpansions, 'too many combinations of anyOf/oneOf/if/dependencies');
  }

  private run(items: Pending[], f: Flat, out: Flat[]): void {
    this.tick();
    let i = 0;
    for (; i < items.length; i++) {
      const it = items[i]!;
      if ('alts' in it) {
        const rest = items.slice(i + 1);
        for (const alt of it.alts) {
          this.run([...alt.map((s) => ({ s, refs: it.refs, neg: it.neg })), ...rest], cloneFlat(f), out);
        }
        return;
      }
      const s = it.s;
      if (s === true) continue;
      if (s === false) return;
      const neg = it.neg === true || s['$$negated'] === true;
      const closed = !it.top && isSelfContained(s);
      if (!it.top && !closed) {
        for (const k of ['unevaluatedProperties', 'unevaluatedItems']) {
          if (s[k] !== undefined) this.rep.unsupported(k, this.reg.where(s, k), 'inside allOf/anyOf/oneOf/not/if/$ref next to in-place applicators of its own');
        }
      }
      addLeaf(f, s, this.reg, this.rep, neg, this.formats, closed);
      // a contradiction: this alternative is empty, stop unfolding it
      if (f.atoms.size === 0 || (f.values !== undefined && f.values.length === 0) || requiredPropertyDead(f)) return;
      const more = this.applicators(s, it.refs, neg);
      if (more.length) {
        this.run([...more, ...items.slice(i + 1)], f, out);
        return;
      }
    }
    out.push(f);
  }

  /** Pending items for the applicators of a schema object. */
  private applicators(s: SchemaObject, refs: readonly string[], neg: boolean): Pending[] {
    const out: Pending[] = [];
    this.appendApplicators(s, refs, out);
    return neg ? out.map((p) => ({ ...p, neg: true })) : out;
  }

  private appendApplicators(s: SchemaObject, refs: readonly string[], out: Pending[]): void {
    const w = (k: string): string => this.reg.where(s, k);
    if (typeof s['$ref'] === 'string') {
      const uri = s['$ref'];
      const t = this.reg.lookup(uri);
      if (t === undefined) throw new UnsupportedFeatureError('$ref', w('$ref'), `unresolvable reference ${uri}`);
      if (refs.includes(uri)) throw new UnsupportedFeatureError('$ref', w('$ref'), `reference cycle through ${uri} without an enclosing object or array`);
      if (refs.length >= this.limits.maxRefDepth) throw new LimitExceededError('maxRefDepth', this.limits.maxRefDepth, `at ${w('$ref')}`);
      out.push({ s: t, refs: [...refs, uri] });
    }
    if (typeof s['$dynamicRef'] === 'string') {
      const uri = s['$dynamicRef'];
      const t = this.reg.staticDynamicRef(uri);
      if (this.reg.lookup(uri) === undefined) throw new UnsupportedFeatureError('$dynamicRef', w('$dynamicRef'), `unresolvable reference ${uri}`);
      if (t === undefined) this.rep.unsupported('$dynamicRef', w('$dynamicRef'), 'target depends on the dynamic scope');
      else {
        if (refs.includes(uri)) throw new UnsupportedFeatureError('$dynamicRef', w('$dynamicRef'), `reference cycle through ${uri} without an enclosing object or array`);
        if (refs.length >= this.limits.maxRefDepth) throw new LimitExceededError('maxRefDepth', this.limits.maxRefDepth, `at ${w('$dynamicRef')}`);
        out.push({ s: t, refs: [...refs, uri] });
      }
    }
    if (s['$recursiveRef'] !== undefined) this.rep.unsupported('$recursiveRef', w('$recursiveRef'));
    if (Array.isArray(s['allOf'])) for (const m of s['allOf'] as Schema[]) out.push({ s: m, refs });
    if (s['not'] !== undefined) out.push({ s: this.negate(s['not'] as Schema, w('not'), 0), refs });
    if (Array.isArray(s['anyOf'])) out.push({ alts: (s['anyOf'] as Schema[]).map((m) => [m]), refs });
    if (Array.isArray(s['oneOf'])) out.push({ alts: this.oneOf(s['oneOf'] as Schema[], w('oneOf')), refs });
    if (s['if'] !== undefined && (s['then'] !== undefined || s['else'] !== undefined)) {
      const cond = s['if'] as Schema;
      let neg: Schema;
      try {
        neg = this.negate(cond, w('if'), 0);
      } catch (e) {
        if (!(e instanceof UnsupportedFeatureError)) throw e;
        this.rep.unsupported('if', w('if'), `cannot negate the condition (${e.message})`);
        neg = true;
      }
      out.push({ alts: [[cond, (s['then'] ?? true) as Schema], [neg, (s['else'] ?? true) as Schema]], refs });
    } else if (s['if'] !== undefined && this.annotations) {
      // A lone `if` constrains nothing but, when it holds, its annotations count:
      // either it holds (with them) or nothing is assumed (fewer evaluated, never more).
      out.push({ alts: [[s['if'] as Schema], [true]], refs });
    }
    const absent = (k: string): Schema => ({ properties: { [k]: false } });
    if (s['dependentRequired'] && typeof s['dependentRequired'] === 'object') {
      for (const [k, deps] of Object.entries(s['dependentRequired'] as Record<string, string[]>)) {
        out.push({ alts: [[absent(k)], [{ required: [k, ...deps] }]], refs });
      }
    }
    for (const kw of ['dependentSchemas', 'dependencies']) {
      const d = s[kw];
      if (!d || typeof d !== 'object') continue;
      for (const [k, dep] of Object.entries(d as Record<string, unknown>)) {
        const then: Schema[] = Array.isArray(dep) ? [{ required: [k, ...(dep as string[])] }] : [{ required: [k] }, dep as Schema];
        out.push({ alts: [[absent(k)], then], refs });
      }
    }
  }

  /**
   * `oneOf` as alternatives: branches provably disjoint from all others stay
   * as they are; a branch overlapping others is intersected with their
   * negations (exactly one branch valid).
   */
  private oneOf(alts: Schema[], where: string): Schema[][] {
    const pairs = this.overlaps(alts);
    if (pairs.length === 0) return alts.map((m) => [m]);
    try {
      const negs = new Map<number, Schema>();
      const neg = (j: number): Schema => {
        let n = negs.get(j);
        if (n === undefined) {
          n = this.negate(alts[j]!, where, 0);
          negs.set(j, n);
        }
        return n;
      };
      return alts.map((m, i) => {
        const conj: Schema[] = [m];
        for (const [a, b] of pairs) {
          if (a === i) conj.push(neg(b));
          else if (b === i) conj.push(neg(a));
        }
        return conj;
      });
    } catch (e) {
      if (!(e instanceof UnsupportedFeatureError)) throw e;
      this.rep.approximate('oneOf', where, `branches not provably disjoint and not negatable (${e.message}); read as anyOf`);
      return alts.map((m) => [m]);
    }
  }

  /**
   * A schema accepting exactly the values `s` rejects, for simple schemas;
   * UnsupportedFeatureError otherwise.
   */
  negate(s: Schema, where: string, depth: number): Schema {
    if (s === true) return false;
    if (s === false) return true;
    if (depth > this.limits.maxRefDepth) throw new UnsupportedFeatureError('not', where, 'negation nested too deeply');
    const alts: Schema[] = [];
    const w = (k: string): string => this.reg.where(s, k);
    const typed = (atoms: Atom[], extra: SchemaObject): Schema => ({ $$atoms: atoms, ...extra });
    for (const [k, v] of Object.entries(s)) {
      switch (k) {
        case '$dynamicRef':
        case '$ref': {
          const t = k === '$ref' ? this.reg.lookup(v as string) : this.reg.staticDynamicRef(v as string);
          if (t === undefined) throw new UnsupportedFeatureError('$ref', w(k), `unresolvable reference ${String(v)}`);
          alts.push(this.negate(t, w(k), depth + 1));
          break;
        }
        case 'type':
        case '$$atoms': {
          const f = emptyFlat(where);
          addLeaf(f, { [k]: v }, this.reg, this.rep);
          alts.push({ $$atoms: ALL_ATOMS.filter((a) => !f.atoms.has(a)) });
          break;
        }
        case 'enum':
          alts.push({ $$notIn: v });
          break;
        case 'const':
          alts.push({ $$notIn: [v] });
          break;
        case '$$notIn':
          alts.push({ enum: v });
          break;
        case 'pattern':
          alts.push(typed(['string'], { $$notPattern: v }));
          break;
        case 'multipleOf':
          alts.push(typed(NUMS, { $$notMultipleOf: v }));
          break;
        case '$$notMultipleOf':
          alts.push(typed(NUMS, { multipleOf: v }));
          break;
        case '$$notPattern':
          alts.push(typed(['string'], { pattern: v }));
          break;
        case 'minimum':
          alts.push(typed(NUMS, s['exclusiveMinimum'] === true ? { maximum: v } : { exclusiveMaximum: v }));
          break;
        case 'exclusiveMinimum':
          if (typeof v === 'number') alts.push(typed(NUMS, { maximum: v }));
          break;
        case 'maximum':
          alts.push(typed(NUMS, s['exclusiveMaximum'] === true ? { minimum: v } : { exclusiveMinimum: v }));
          break;
        case 'exclusiveMaximum':
          if (typeof v === 'number') alts.push(typed(NUMS, { minimum: v }));
          break;
        case 'minLength':
        case 'minItems':
        case 'minProperties': {
          const n = v as number;
          const atom: Atom = k === 'minLength' ? 'string' : k === 'minItems' ? 'array' : 'object';
          if (n > 0) alts.push(typed([atom], { [k.replace('min', 'max')]: n - 1 }));
          break;
        }
        case 'maxLength':
        case 'maxItems':
        case 'maxProperties': {
          const atom: Atom = k === 'maxLength' ? 'string' : k === 'maxItems' ? 'array' : 'object';
          alts.push(typed([atom], { [k.replace('max', 'min')]: (v as number) + 1 }));
          break;
        }
        case 'required':
          for (const r of v as string[]) alts.push(typed(['object'], { properties: { [r]: false } }));
          break;
        case 'properties':
          for (const [p, ps] of Object.entries(v as Record<string, Schema>)) {
            const n = this.negate(ps, w(k), depth + 1);
            if (n !== false) alts.push(typed(['object'], { required: [p], properties: { [p]: n }, $$negated: true }));
          }
          break;
        case 'items':
          if (Array.isArray(v) || s['prefixItems'] !== undefined) throw new UnsupportedFeatureError('not', w(k), 'negating tuple items');
          {
            const n = this.negate(v as Schema, w(k), depth + 1);
            if (n !== false) alts.push(typed(['array'], { contains: n }));
          }
          break;
        case 'unevaluatedItems':
          if (!isSelfContained(s)) throw new UnsupportedFeatureError('not', w(k), 'negating unevaluatedItems next to in-place applicators');
          if ((s['items'] !== undefined && !Array.isArray(s['items'])) || s['additionalItems'] !== undefined) break; // every item evaluated
          if (s['items'] !== undefined || s['prefixItems'] !== undefined || s['contains'] !== undefined) {
            throw new UnsupportedFeatureError('not', w(k), 'negating unevaluatedItems after prefixItems or with contains');
          }
          {
            const n = this.negate(v as Schema, w(k), depth + 1);
            if (n !== false) alts.push(typed(['array'], { contains: n }));
          }
          break;
        case 'contains':
          if (s['minContains'] !== undefined || s['maxContains'] !== undefined) throw new UnsupportedFeatureError('not', w(k), 'negating minContains/maxContains');
          alts.push(typed(['array'], { items: this.negate(v as Schema, w(k), depth + 1) }));
          break;
        case 'allOf':
          for (const m of v as Schema[]) alts.push(this.negate(m, w(k), depth + 1));
          break;
        case 'anyOf':
          alts.push({ allOf: (v as Schema[]).map((m) => this.negate(m, w(k), depth + 1)) });
          break;
        case 'oneOf': {
          // not exactly one: none, or two at once
          const ms = v as Schema[];
          alts.push({ allOf: ms.map((m) => this.negate(m, w(k), depth + 1)) });
          for (let i = 0; i < ms.length; i++) for (let j = i + 1; j < ms.length; j++) alts.push({ allOf: [ms[i]!, ms[j]!] });
          break;
        }
        case 'not':
          alts.push(v as Schema);
          break;
        case 'unevaluatedProperties':
        case 'additionalProperties': {
          if (k === 'unevaluatedProperties') {
            // Self-contained, it is additionalProperties (a no-op next to one, which evaluates every key).
            if (!isSelfContained(s)) throw new UnsupportedFeatureError('not', w(k), 'negating unevaluatedProperties next to in-place applicators');
            if (s['additionalProperties'] !== undefined) break;
          }
          const n = this.negate(v as Schema, w(k), depth + 1);
          if (n === false) break;
          const exclude = Object.keys((s['properties'] ?? {}) as object);
          const notPatterns = Object.keys((s['patternProperties'] ?? {}) as object);
          alts.push(typed(['object'], { $$someExtra: { exclude, notPatterns, value: n }, $$negated: true }));
          break;
        }
        case 'patternProperties':
          for (const [pat, ps] of Object.entries(v as Record<string, Schema>)) {
            const n = this.negate(ps, w(k), depth + 1);
            if (n !== false) alts.push(typed(['object'], { $$someExtra: { exclude: [], notPatterns: [], keyPatterns: [pat], value: n }, $$negated: true }));
          }
          break;
        case 'propertyNames':
          if (v !== true) alts.push(typed(['object'], { $$someExtra: { exclude: [], notPatterns: [], keyNot: v, value: true }, $$negated: true }));
          break;
        case 'uniqueItems':
          if (v === true) throw new UnsupportedFeatureError('not', w(k), 'negating uniqueItems');
          break;
        case '$$negated':
          break;
        case 'format':
          if (!this.formats || typeof v !== 'string' || NON_STRING_FORMATS.has(v)) break;
          if (isKnownFormat(v)) alts.push(typed(['string'], { $$notFormat: v }));
          else if (UNSUPPORTED_FORMATS.has(v)) throw new UnsupportedFeatureError('not', w(k), `negating format ${v}`);
          break;
        case '$$notFormat':
          alts.push(typed(['string'], { format: v }));
          break;
        default:
          if (ANNOTATIONS.has(k) || !CONSTRAINING.has(k)) break;
          throw new UnsupportedFeatureError('not', w(k), `negating ${k}`);
      }
    }
    if (alts.length === 0) return false;
    const out: SchemaObject = alts.length === 1 && typeof alts[0] === 'object' ? { ...alts[0] } : { anyOf: alts };
    out['$$negated'] = true;
    this.reg.setOrigin(out, this.reg.origin(s));
    return out;
  }

  /** Pairs (i, j), i < j, of `oneOf` branches not provably disjoint. */
  private overlaps(alts: Schema[]): [number, number][] {
    const views = alts.map((a) => this.view(a));
    const out: [number, number][] = [];
    for (let i = 0; i < alts.length; i++) {
      for (let j = i + 1; j < alts.length; j++) if (!this.pairDisjoint(alts[i]!, views[i], alts[j]!, views[j], 0)) out.push([i, j]);
    }
    return out;
  }

  private view(s: Schema): Flat[] | undefined {
    const save = this.budget;
    try {
      return this.expand([s]);
    } catch (e) {
      if (e instanceof UnsupportedFeatureError || e instanceof LimitExceededError) return undefined;
      throw e;
    } finally {
      this.budget = Math.min(this.budget, save);
    }
  }

  private pairDisjoint(a: Schema, va: Flat[] | undefined, b: Schema, vb: Flat[] | undefined, depth: number): boolean {
    if (!va || !vb) return false;
    for (const fa of va) {
      for (const fb of vb) {
        if (!this.flatsDisjoint(fa, fb, a, b, depth)) return false;
      }
    }
    return true;
  }

  private flatsDisjoint(fa: Flat, fb: Flat, a: Schema, b: Schema, depth: number): boolean {
    const common = [...fa.atoms].filter((x) => fb.atoms.has(x));
    if (common.length === 0) return true;
    const finite = fa.values ?? fb.values;
    if (finite !== undefined) {
      const other = fa.values !== undefined ? b : a;
      try {
        return !finite.some((v) => this.validator.valid(v, other));
      } catch (e) {
        if (e instanceof UnsupportedFeatureError) return false;
        throw e;
      }
    }
    for (const atom of common) {
      if (atom === 'object' && this.objectsDisjoint(fa, fb, depth)) continue;
      if ((atom === 'int' || atom === 'nonint') && rangesDisjoint(fa, fb)) continue;
      return false;
    }
    return true;
  }

  /** Objects: a property one requires and the other forbids, or required by both with disjoint values. */
  private objectsDisjoint(fa: Flat, fb: Flat, depth: number): boolean {
    if (fa.minProperties > fb.maxProperties || fb.minProperties > fa.maxProperties) return true;
    const forbids = (f: Flat, k: string): boolean => {
      const conj = f.props.get(k) ?? unnamedSchemas(f, k);
      return conj.includes(false);
    };
    for (const k of fa.required) if (forbids(fb, k)) return true;
    for (const k of fb.required) if (forbids(fa, k)) return true;
    if (depth >= 3) return false;
    for (const k of fa.required) {
      if (!fb.required.has(k)) continue;
      const ca = fa.props.get(k) ?? unnamedSchemas(fa, k);
      const cb = fb.props.get(k) ?? unnamedSchemas(fb, k);
      if (ca.length === 0 || cb.length === 0) continue;
      const sa: Schema = { allOf: ca };
      const sb: Schema = { allOf: cb };
      if (this.pairDisjoint(sa, this.view(sa), sb, this.view(sb), depth + 1)) return true;
    }
    return false;
  }
}

/**
 * Whether an objects-only flat schema requires a property whose schemas
 * contradict on their face (false, or disjoint const/enum/excluded values):
 * prunes `if`/`then`/`else` and `oneOf` combinations over a discriminator.
 */
function requiredPropertyDead(f: Flat): boolean {
  if (f.atoms.size !== 1 || !f.atoms.has('object') || f.required.size === 0) return false;
  for (const k of f.required) {
    const conj = f.props.get(k) ?? unnamedSchemas(f, k);
    let vals: unknown[] | undefined;
    const out: unknown[] = [];
    for (const c of conj) {
      if (c === false) return true;
      if (c === true) continue;
      if ('const' in c) vals = (vals ?? [c['const']]).filter((x) => deepEqual(x, c['const']));
      if (Array.isArray(c['enum'])) vals = (vals ?? (c['enum'] as unknown[])).filter((x) => includesValue(c['enum'] as unknown[], x));
      if (Array.isArray(c['$$notIn'])) out.push(...(c['$$notIn'] as unknown[]));
    }
    if (vals !== undefined && vals.every((x) => includesValue(out, x))) return true;
  }
  return false;
}

/** Whether the numeric ranges of two flat schemas do not meet. */
function rangesDisjoint(fa: Flat, fb: Flat): boolean {
  const below = (hi: Flat['hi'], lo: Flat['lo']): boolean => {
    if (!hi || !lo) return false;
    const c = compareDec(hi.value, lo.value);
    return c < 0 || (c === 0 && (hi.exclusive || lo.exclusive));
  };
  return below(fa.hi, fb.lo) || below(fb.hi, fa.lo);
}
