/**
 * Byte-level regular expressions with Brzozowski derivatives.
 *
 * Expressions are hash-consed into a {@link RegexStore}: every distinct
 * expression has one integer id, so a derivative is a table lookup once
 * computed, and a lazily built DFA state is just an expression id. Smart
 * constructors normalise sequences (right-nested), alternations (flattened,
 * sorted, deduplicated, byte sets merged) and repetitions, which keeps the
 * number of distinct derivatives finite (Brzozowski 1964; Owens, Reppy and
 * Turon, "Regular-expression derivatives re-examined", 2009).
 *
 * Bounded repetition `x{m,n}` is a node with counters, never n copies: its
 * derivative is `d(x) · x{m-1,n-1}`, so states are created only for the
 * counter values a walk actually reaches.
 *
 * There is no intersection or complement, so an expression other than
 * {@link NOTHING} always has a non-empty language: "dead" is a single id.
 */

import { LimitExceededError } from '../errors.js';

/** Id of the empty language. */
export const NOTHING = 0;
/** Id of the language holding only the empty string. */
export const EPSILON = 1;

/** Node kinds, stored in {@link RegexStore.kind}. */
export const enum Kind {
  Nothing = 0,
  Epsilon = 1,
  /** A set of bytes; `a` is an index into the byte-set table. */
  Bytes = 2,
  /** `a` then `b`; `a` is never a Seq (right-nested). */
  Seq = 3,
  /** Union of the ids in the alternation table at `a`. */
  Alt = 4,
  /** `a{b,c}`; `c` is -1 for unbounded. */
  Repeat = 5,
}

/** Limits of a regex store. */
export interface RegexLimits {
  /** Most distinct expressions (each derivative state is one). Default 2,000,000. */
  maxNodes?: number;
}

/**
 * Hash-consed store of byte-level regular expressions, with memoised
 * derivatives. One store is shared by a compiled grammar and all its matchers
 * (it only grows, and growing never changes existing ids).
 */
export class RegexStore {
  /** Node kind per id. */
  kind: Uint8Array = new Uint8Array(1024);
  /** First operand per id. */
  a: Int32Array = new Int32Array(1024);
  /** Second operand per id. */
  b: Int32Array = new Int32Array(1024);
  /** Third operand per id (Repeat max). */
  c: Int32Array = new Int32Array(1024);
  /** 1 when the id's language contains the empty string. */
  nullable: Uint8Array = new Uint8Array(1024);
  /** Number of ids in use. */
  size = 0;
  private readonly maxNodes: number;
  /** Hash-consing: hash of (kind, a, b, c) → ids. */
  private readonly index = new Map<number, number[]>();
  /** Hash of an alternation's sorted operands → Alt ids. */
  private readonly altIndex = new Map<number, number[]>();
  /** Byte sets: 8 words each (256 bits). */
  private byteSets: Uint32Array[] = [];
  private readonly byteSetIndex = new Map<number, number[]>();
  /** Alternation operand lists. */
  private alts: Int32Array[] = [];
  /** Memoised derivatives: key id*256+byte. */
  private readonly derivCache = new Map<number, number>();

  constructor(limits: RegexLimits = {}) {
    this.maxNodes = limits.maxNodes ?? 2_000_000;
    this.node(Kind.Nothing, 0, 0, 0, 0);
    this.node(Kind.Epsilon, 0, 0, 0, 1);
  }

  private node(kind: Kind, a: number, b: number, c: number, nullable: number): number {
    let h = Math.imul(kind + 1, 0x9e3779b1);
    h = Math.imul(h ^ a, 0x85ebca77);
    h = Math.imul(h ^ b, 0xc2b2ae3d);
    h = Math.imul(h ^ c, 0x27d4eb2f) ^ (h >>> 15);
    const bucket = this.index.get(h);
    if (bucket !== undefined) {
      for (let i = 0; i < bucket.length; i++) {
        const x = bucket[i]!;
        if (this.kind[x] === kind && this.a[x] === a && this.b[x] === b && this.c[x] === c) return x;
      }
    }
    const id = this.size;
    if (id >= this.maxNodes) throw new LimitExceededError('maxRegexNodes', this.maxNodes, 'too many distinct regular-expression states');
    if (id >= this.kind.length) this.grow();
    this.kind[id] = kind;
    this.a[id] = a;
    this.b[id] = b;
    this.c[id] = c;
    this.nullable[id] = nullable;
    this.size++;
    if (bucket !== undefined) bucket.push(id);
    else this.index.set(h, [id]);
    return id;
  }

  private grow(): void {
    const n = this.kind.length * 2;
    const k = new Uint8Array(n); k.set(this.kind); this.kind = k;
    const a = new Int32Array(n); a.set(this.a); this.a = a;
    const b = new Int32Array(n); b.set(this.b); this.b = b;
    const c = new Int32Array(n); c.set(this.c); this.c = c;
    const z = new Uint8Array(n); z.set(this.nullable); this.nullable = z;
  }

  /** A set of bytes given as a 256-bit set (8 words); the empty set gives NOTHING. */
  byteSet(bits: Uint32Array): number {
    let any = 0;
    let h = 0x811c9dc5;
    for (let i = 0; i < 8; i++) {
      any |= bits[i]!;
      h = Math.imul(h ^ bits[i]!, 0x01000193);
    }
    if (any === 0) return NOTHING;
    let idx = -1;
    const bucket = this.byteSetIndex.get(h);
    if (bucket !== undefined) {
      for (const cand of bucket) {
        const s = this.byteSets[cand]!;
        let same = true;
        for (let i = 0; i < 8; i++) if (s[i] !== bits[i]) same = false;
        if (same) {
          idx = cand;
          break;
        }
      }
    }
    if (idx < 0) {
      idx = this.byteSets.length;
      this.byteSets.push(Uint32Array.from(bits));
      if (bucket === undefined) this.byteSetIndex.set(h, [idx]);
      else bucket.push(idx);
    }
    return this.node(Kind.Bytes, idx, 0, 0, 0);
  }

  private readonly rangeCache = new Map<number, number>();

  /** The byte range `lo..hi` inclusive. */
  byteRange(lo: number, hi: number): number {
    const key = lo * 256 + hi;
    const hit = this.rangeCache.get(key);
    if (hit !== undefined) return hit;
    const bits = new Uint32Array(8);
    for (let x = lo; x <= hi; x++) bits[x >>> 5]! |= 1 << (x & 31);
    const id = this.byteSet(bits);
    this.rangeCache.set(key, id);
    return id;
  }

  /** The single byte `x`. */
  byte(x: number): number {
    return this.byteRange(x, x);
  }

  /** The byte set of a Bytes node. */
  bytesOf(id: number): Uint32Array {
    return this.byteSets[this.a[id]!]!;
  }

  /** Operands of an Alt node. */
  altItems(id: number): Int32Array {
    return this.alts[this.a[id]!]!;
  }

  /** Concatenation. */
  seq(x: number, y: number): number {
    if (x === NOTHING || y === NOTHING) return NOTHING;
    if (x === EPSILON) return y;
    if (y === EPSILON) return x;
    if (this.kind[x] === Kind.Seq) return this.seq(this.a[x]!, this.seq(this.b[x]!, y));
    return this.node(Kind.Seq, x, y, 0, this.nullable[x]! & this.nullable[y]!);
  }

  /** Concatenation of many. */
  seqOf(items: readonly number[]): number {
    let r = EPSILON;
    for (let i = items.length - 1; i >= 0; i--) r = this.seq(items[i]!, r);
    return r;
  }

  /** Union; flattens, merges byte sets, sorts and deduplicates. */
  alt(items: readonly number[]): number {
    const flat: number[] = [];
    let bits: Uint32Array | null = null;
    const push = (x: number): void => {
      if (x === NOTHING) return;
      const k = this.kind[x];
      if (k === Kind.Alt) {
        const sub = this.altItems(x);
        for (let i = 0; i < sub.length; i++) push(sub[i]!);
      } else if (k === Kind.Bytes) {
        const s = this.bytesOf(x);
        if (bits === null) bits = new Uint32Array(8);
        for (let i = 0; i < 8; i++) bits[i]! |= s[i]!;
      } else {
        flat.push(x);
      }
    };
    for (const x of items) push(x);
    if (bits !== null) flat.push(this.byteSet(bits));
    if (flat.length === 0) return NOTHING;
    flat.sort((p, q) => p - q);
    let n = 0;
    for (let i = 0; i < flat.length; i++) if (i === 0 || flat[i] !== flat[n - 1]) flat[n++] = flat[i]!;
    if (n === 1) return flat[0]!;
    const list = Int32Array.from(flat.slice(0, n));
    let nullable = 0;
    for (let i = 0; i < n; i++) nullable |= this.nullable[list[i]!]!;
    let h = 0x811c9dc5 ^ n;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ list[i]!, 0x01000193);
    const bucket = this.altIndex.get(h);
    if (bucket !== undefined) {
      for (const cand of bucket) {
        const other = this.altItems(cand);
        if (other.length !== n) continue;
        let same = true;
        for (let i = 0; i < n && same; i++) if (other[i] !== list[i]) same = false;
        if (same) return cand;
      }
    }
    this.alts.push(list);
    const id = this.node(Kind.Alt, this.alts.length - 1, n, 0, nullable);
    if (bucket !== undefined) bucket.push(id);
    else this.altIndex.set(h, [id]);
    return id;
  }

  /** `x{min,max}`; `max` = -1 (or Infinity) for unbounded. */
  repeat(x: number, min: number, max: number): number {
    if (max === Infinity) max = -1;
    if (max === 0) return EPSILON;
    if (x === EPSILON) return EPSILON;
    if (x === NOTHING) return min === 0 ? EPSILON : NOTHING;
    if (this.nullable[x]) min = 0;
    if (min === 1 && max === 1) return x;
    return this.node(Kind.Repeat, x, min, max, min === 0 ? 1 : 0);
  }

  /** Brzozowski derivative of `id` by byte `byte` (memoised). */
  deriv(id: number, byte: number): number {
    const key = id * 256 + byte;
    const hit = this.derivCache.get(key);
    if (hit !== undefined) return hit;
    let r: number;
    switch (this.kind[id] as Kind) {
      case Kind.Nothing:
      case Kind.Epsilon:
        r = NOTHING;
        break;
      case Kind.Bytes: {
        const s = this.bytesOf(id);
        r = (s[byte >>> 5]! >>> (byte & 31)) & 1 ? EPSILON : NOTHING;
        break;
      }
      case Kind.Seq: {
        const x = this.a[id]!;
        const y = this.b[id]!;
        const dx = this.seq(this.deriv(x, byte), y);
        r = this.nullable[x] ? this.alt([dx, this.deriv(y, byte)]) : dx;
        break;
      }
      case Kind.Alt: {
        const items = this.altItems(id);
        const ds: number[] = [];
        for (let i = 0; i < items.length; i++) ds.push(this.deriv(items[i]!, byte));
        r = this.alt(ds);
        break;
      }
      case Kind.Repeat: {
        const x = this.a[id]!;
        const min = this.b[id]!;
        const max = this.c[id]!;
        const rest = this.repeat(x, min > 0 ? min - 1 : 0, max < 0 ? -1 : max - 1);
        r = this.seq(this.deriv(x, byte), rest);
        break;
      }
    }
    this.derivCache.set(key, r);
    return r;
  }

  private readonly headMemo = new Map<number, Int32Array>();

  /**
   * Byte-set indices that can match the first byte of `id`: the derivative
   * by a byte depends only on which of these sets hold it, so bytes with the
   * same memberships share one derivative (derivative classes, Owens et al.).
   */
  headSets(id: number): Int32Array {
    const hit = this.headMemo.get(id);
    if (hit !== undefined) return hit;
    const out = new Set<number>();
    const visit = (x: number): void => {
      switch (this.kind[x] as Kind) {
        case Kind.Bytes:
          out.add(this.a[x]!);
          break;
        case Kind.Seq:
          for (const h of this.headSets(this.a[x]!)) out.add(h);
          if (this.nullable[this.a[x]!]) for (const h of this.headSets(this.b[x]!)) out.add(h);
          break;
        case Kind.Alt: {
          const items = this.altItems(x);
          for (let i = 0; i < items.length; i++) for (const h of this.headSets(items[i]!)) out.add(h);
          break;
        }
        case Kind.Repeat:
          for (const h of this.headSets(this.a[x]!)) out.add(h);
          break;
        default:
          break;
      }
    };
    visit(id);
    const r = Int32Array.from(out);
    this.headMemo.set(id, r);
    return r;
  }

  /** The byte set with index `i` (8 words). */
  byteSetBits(i: number): Uint32Array {
    return this.byteSets[i]!;
  }

  /** Whether `bytes` is in the language of `id` (for tests and debugging). */
  matches(id: number, bytes: Uint8Array): boolean {
    let s = id;
    for (let i = 0; i < bytes.length && s !== NOTHING; i++) s = this.deriv(s, bytes[i]!);
    return this.nullable[s] === 1;
  }

  /** Readable form of an expression (for debugging). */
  print(id: number): string {
    switch (this.kind[id] as Kind) {
      case Kind.Nothing:
        return '∅';
      case Kind.Epsilon:
        return 'ε';
      case Kind.Bytes: {
        const s = this.bytesOf(id);
        const parts: string[] = [];
        for (let x = 0; x < 256; x++) {
          if (!((s[x >>> 5]! >>> (x & 31)) & 1)) continue;
          let y = x;
          while (y < 255 && (s[(y + 1) >>> 5]! >>> ((y + 1) & 31)) & 1) y++;
          const f = (v: number): string => (v > 0x20 && v < 0x7f ? String.fromCharCode(v) : '\\x' + v.toString(16).padStart(2, '0'));
          parts.push(y === x ? f(x) : `${f(x)}-${f(y)}`);
          x = y;
        }
        return parts.length === 1 && !parts[0]!.includes('-') ? parts[0]! : `[${parts.join('')}]`;
      }
      case Kind.Seq:
        return this.print(this.a[id]!) + this.print(this.b[id]!);
      case Kind.Alt:
        return '(' + Array.from(this.altItems(id), (x) => this.print(x)).join('|') + ')';
      case Kind.Repeat: {
        const max = this.c[id]!;
        return `(${this.print(this.a[id]!)}){${this.b[id]},${max < 0 ? '' : max}}`;
      }
    }
  }
}

/** Nodes after which the process-wide store is replaced by a fresh one (old grammars keep theirs). */
const SHARED_STORE_RESET = 1_000_000;
let shared: RegexStore | undefined;

/**
 * The process-wide regex store. Compilations share it, so equal regexes get
 * equal ids across grammars and per-state token caches can be shared too.
 * It is replaced by a fresh store once it holds {@link SHARED_STORE_RESET}
 * nodes, which bounds its memory; grammars compiled before keep theirs.
 */
export function sharedRegexStore(): RegexStore {
  if (shared === undefined || shared.size > SHARED_STORE_RESET) shared = new RegexStore({ maxNodes: SHARED_STORE_RESET * 2 });
  return shared;
}
