/**
 * Schema documents: canonical copies with absolute `$ref`s, and lookup of
 * `$ref` targets by absolute URI (`$id` resources, JSON pointers, `$anchor`).
 *
 * The root schema and every remote are deep-copied once; while copying,
 * each `$ref` is resolved against the base URI in force (`$id`) and stored
 * absolute, so later stages may move subschemas around (merging `allOf`)
 * without changing what their references mean.
 */
import { LimitExceededError, UnsupportedFeatureError } from '../../errors.js';

/** A schema: boolean or object. */
export type Schema = boolean | SchemaObject;
/** A schema object (keywords to values). */
export type SchemaObject = { [k: string]: unknown };

/** Keywords whose value is a map of names to schemas. */
export const MAP_KEYWORDS = ['properties', 'patternProperties', '$defs', 'definitions', 'dependentSchemas', 'dependencies'] as const;
/** Keywords whose value is an array of schemas. */
export const ARRAY_KEYWORDS = ['allOf', 'anyOf', 'oneOf', 'prefixItems'] as const;
/** Keywords whose value is one schema (`items` may also be an array in draft-07). */
export const SINGLE_KEYWORDS = [
  'items',
  'additionalItems',
  'additionalProperties',
  'not',
  'if',
  'then',
  'else',
  'contains',
  'propertyNames',
  'unevaluatedProperties',
  'unevaluatedItems',
  'contentSchema',
] as const;
/** Keywords whose values are data, never schemas. */
const DATA_KEYWORDS = new Set(['enum', 'const', 'default', 'examples', 'required', 'dependentRequired', 'type']);

/** Base URI of a root schema without `$id`. */
export const DEFAULT_BASE = 'https://constrain.invalid/root.json';

/** Where a schema object came from. */
export interface Origin {
  /** Document URI (without fragment). */
  readonly doc: string;
  /** JSON pointer inside the document. */
  readonly pointer: string;
}

/** Sets an own enumerable property (safe for names such as `__proto__`). */
function setOwn(o: object, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function escapeToken(t: string): string {
  return t.replace(/~/g, '~0').replace(/\//g, '~1');
}

function stripFragment(u: string): string {
  const i = u.indexOf('#');
  return i >= 0 ? u.slice(0, i) : u;
}

/** Resolves `ref` against `base`; throws UnsupportedFeatureError on a malformed URI. */
export function resolveUri(ref: string, base: string, where: string): string {
  try {
    return new URL(ref, base).href;
  } catch {
    throw new UnsupportedFeatureError('$ref', where, `cannot resolve URI ${JSON.stringify(ref)} against ${base}`);
  }
}

/** The set of schema documents and their resources. */
export class SchemaRegistry {
  /** Canonical root schema. */
  readonly root: Schema;
  /** Absolute URI of the root document. */
  readonly rootUri: string;
  /** Resource (document or embedded `$id`) URIs to schemas. */
  private readonly resources = new Map<string, Schema>();
  /** `uri#anchor` to schemas. */
  private readonly anchors = new Map<string, Schema>();
  /** Origins of canonical schema objects. */
  private readonly origins = new WeakMap<object, Origin>();
  /** Raw remotes not yet canonicalized, by document URI. */
  private readonly pendingRemotes = new Map<string, unknown>();
  private nodes = 0;
  /** How many schemas (root and all remotes) declare each `$dynamicAnchor` name. */
  private readonly dynamicAnchors = new Map<string, number>();
  /** Whether the root declares a draft before 2019-09 (`$ref` siblings are then ignored). */
  readonly legacyRef: boolean;

  constructor(
    root: unknown,
    remotes: Record<string, unknown>,
    private readonly maxNodes: number,
    private readonly maxDepth: number = 500,
  ) {
    for (const [k, v] of Object.entries(remotes)) this.pendingRemotes.set(stripFragment(resolveUri(k, DEFAULT_BASE, '')), v);
    for (const doc of [root, ...Object.values(remotes)]) this.countDynamicAnchors(doc);
    const dialect = root && typeof root === 'object' ? (root as SchemaObject)['$schema'] : undefined;
    this.legacyRef = typeof dialect === 'string' && /draft-0[3-7]/.test(dialect);
    let base = DEFAULT_BASE;
    if (root && typeof root === 'object' && typeof (root as SchemaObject)['$id'] === 'string') {
      base = stripFragment(resolveUri((root as SchemaObject)['$id'] as string, DEFAULT_BASE, ''));
    }
    this.rootUri = base;
    this.root = this.canonical(root, base, base, '', true);
    this.resources.set(base, this.root);
  }

  private countDynamicAnchors(doc: unknown): void {
    const stack: unknown[] = [doc];
    let seen = 0;
    while (stack.length) {
      const x = stack.pop();
      if (x === null || typeof x !== 'object') continue;
      if (++seen > this.maxNodes) throw new LimitExceededError('maxSchemaNodes', this.maxNodes, 'schema too large');
      if (!Array.isArray(x)) {
        const a = (x as SchemaObject)['$dynamicAnchor'];
        if (typeof a === 'string') this.dynamicAnchors.set(a, (this.dynamicAnchors.get(a) ?? 0) + 1);
      }
      for (const v of Array.isArray(x) ? x : Object.values(x as object)) stack.push(v);
    }
  }

  /**
   * The target of a `$dynamicRef` when it behaves like `$ref` whatever the
   * dynamic scope: its fragment is a pointer, or the schema it names has no
   * `$dynamicAnchor` of that name, or only one schema anywhere declares that
   * name. Undefined when the dynamic scope could change the target.
   */
  staticDynamicRef(uri: string): Schema | undefined {
    const target = this.lookup(uri);
    if (target === undefined) return undefined;
    const hash = uri.indexOf('#');
    const frag = hash >= 0 ? decodeURIComponent(uri.slice(hash + 1)) : '';
    if (frag === '' || frag.startsWith('/')) return target;
    if (typeof target !== 'object' || target['$dynamicAnchor'] !== frag) return target;
    return (this.dynamicAnchors.get(frag) ?? 0) <= 1 ? target : undefined;
  }

  /** Origin of a canonical schema object (undefined for synthesized ones). */
  origin(s: unknown): Origin | undefined {
    return s && typeof s === 'object' ? this.origins.get(s) : undefined;
  }

  /** Records an origin for a synthesized schema object (keeps the first). */
  setOrigin(s: object, o: Origin | undefined): void {
    if (o && !this.origins.has(s)) this.origins.set(s, o);
  }

  /** A printable location: the pointer (root document) or `uri#pointer`. */
  where(s: unknown, keyword?: string): string {
    const o = this.origin(s);
    const suffix = keyword === undefined ? '' : '/' + escapeToken(keyword);
    if (!o) return suffix;
    return o.doc === this.rootUri ? o.pointer + suffix : `${o.doc}#${o.pointer}${suffix}`;
  }

  /** The schema an absolute URI names, or undefined. */
  lookup(uri: string): Schema | undefined {
    const hash = uri.indexOf('#');
    const doc = hash >= 0 ? uri.slice(0, hash) : uri;
    let frag = hash >= 0 ? uri.slice(hash + 1) : '';
    try {
      frag = decodeURIComponent(frag);
    } catch {
      return undefined;
    }
    let res = this.resources.get(doc);
    if (res === undefined) {
      const raw = this.pendingRemotes.get(doc);
      if (raw === undefined) return undefined;
      this.pendingRemotes.delete(doc);
      res = this.canonical(raw, doc, doc, '', true);
      this.resources.set(doc, res);
      res = this.resources.get(doc)!;
    }
    if (frag === '') return res;
    if (!frag.startsWith('/')) return this.anchors.get(`${doc}#${frag}`);
    let cur: unknown = res;
    for (const raw of frag.slice(1).split('/')) {
      const tok = raw.replace(/~1/g, '/').replace(/~0/g, '~');
      if (cur === null || typeof cur !== 'object') return undefined;
      if (Array.isArray(cur)) {
        if (!/^(0|[1-9]\d*)$/.test(tok)) return undefined;
        cur = cur[Number(tok)];
      } else {
        if (!Object.prototype.hasOwnProperty.call(cur, tok)) return undefined;
        cur = (cur as SchemaObject)[tok];
      }
    }
    if (typeof cur === 'boolean' || (cur !== null && typeof cur === 'object' && !Array.isArray(cur))) return cur as Schema;
    return undefined;
  }

  private count(): void {
    if (++this.nodes > this.maxNodes) throw new LimitExceededError('maxSchemaNodes', this.maxNodes, 'schema too large');
  }

  /**
   * Canonical copy of a schema: `$ref` made absolute, resources and anchors
   * registered. `ids`: whether `$id`/`$anchor` here are identifiers (false
   * inside unknown keywords).
   */
  private canonical(s: unknown, base: string, doc: string, pointer: string, ids: boolean, depth = 0): Schema {
    this.count();
    if (depth > this.maxDepth) throw new LimitExceededError('maxSchemaDepth', this.maxDepth, `schema nested too deeply at ${pointer.slice(0, 80)}...`);
    if (typeof s === 'boolean') return s;
    if (s === null || typeof s !== 'object' || Array.isArray(s)) {
      throw new UnsupportedFeatureError('schema', pointer || '/', `a schema must be an object or a boolean, got ${JSON.stringify(s)?.slice(0, 40)}`);
    }
    const src = s as SchemaObject;
    const out: SchemaObject = {};
    this.origins.set(out, { doc, pointer });
    if (ids && typeof src['$id'] === 'string') {
      const id = src['$id'];
      if (id.startsWith('#')) {
        // draft-07 style location-independent identifier
        this.anchors.set(`${base}#${id.slice(1)}`, out);
      } else {
        base = stripFragment(resolveUri(id, base, pointer));
        if (!this.resources.has(base)) this.resources.set(base, out);
      }
    }
    if (ids) {
      for (const k of ['$anchor', '$dynamicAnchor']) {
        const a = src[k];
        if (typeof a === 'string') this.anchors.set(`${base}#${a}`, out);
      }
    }
    const legacyOnlyRef = this.legacyRef && typeof src['$ref'] === 'string';
    for (const [k, v] of Object.entries(src)) {
      const p = `${pointer}/${escapeToken(k)}`;
      if (legacyOnlyRef && k !== '$ref' && k !== 'definitions' && k !== '$defs') continue;
      if (k === '$ref' || k === '$dynamicRef') {
        setOwn(out, k, typeof v === 'string' ? resolveUri(v, base, p) : v);
      } else if ((MAP_KEYWORDS as readonly string[]).includes(k) && v && typeof v === 'object' && !Array.isArray(v)) {
        const m: SchemaObject = {};
        for (const [name, sub] of Object.entries(v as SchemaObject)) {
          setOwn(m, name, k === 'dependencies' && Array.isArray(sub) ? sub : this.canonical(sub, base, doc, `${p}/${escapeToken(name)}`, ids, depth + 1));
        }
        setOwn(out, k, m);
      } else if ((ARRAY_KEYWORDS as readonly string[]).includes(k) && Array.isArray(v)) {
        setOwn(out, k, v.map((sub, i) => this.canonical(sub, base, doc, `${p}/${i}`, ids, depth + 1)));
      } else if (k === 'items' && Array.isArray(v)) {
        setOwn(out, k, v.map((sub, i) => this.canonical(sub, base, doc, `${p}/${i}`, ids, depth + 1)));
      } else if ((SINGLE_KEYWORDS as readonly string[]).includes(k)) {
        setOwn(out, k, this.canonical(v, base, doc, p, ids, depth + 1));
      } else if (!DATA_KEYWORDS.has(k) && !k.startsWith('$') && v && typeof v === 'object' && !Array.isArray(v)) {
        // unknown keyword holding an object: may be the target of a $ref by pointer
        try {
          setOwn(out, k, this.canonical(v, base, doc, p, false, depth + 1));
        } catch (e) {
          if (e instanceof LimitExceededError) throw e;
          setOwn(out, k, v);
        }
      } else {
        setOwn(out, k, v);
      }
    }
    return out;
  }
}
