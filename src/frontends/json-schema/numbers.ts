/**
 * Exact grammars for JSON number texts whose value lies in a decimal range.
 *
 * A bound is a decimal (the shortest decimal form of the schema's number).
 * Plain texts (`-?int(.frac)?`) are decided digit by digit: the integer part
 * by fixed-width digit ranges, the fraction by lexicographic comparison with
 * the bound's fraction (missing digits read as zeros). Exponent forms
 * (`1e5`) are exact only where the value's sign alone decides the bound (no
 * bound, or a bound at zero); elsewhere they are left out, so the grammar
 * accepts a subset (restriction reported by the caller) and never more.
 */
import { alt, charClass, empty, literal, nothing, optional, plus, seq, star, type Expr } from '../../ir/expr.js';

/** A non-negative decimal: integer part and fraction digits without trailing zeros. */
export interface Dec {
  readonly int: bigint;
  readonly frac: string;
}
/** A signed decimal. */
export interface SignedDec extends Dec {
  readonly neg: boolean;
}
/** A range end: value and whether it is excluded. */
export interface Bound {
  readonly value: SignedDec;
  readonly exclusive: boolean;
}

const DIGIT = charClass([0x30, 0x39]);
const NONZERO = charClass([0x31, 0x39]);
const DIGITS = star(DIGIT);
const EXP = seq(charClass([0x45, 0x45, 0x65, 0x65]), optional(charClass([0x2b, 0x2b, 0x2d, 0x2d])), plus(DIGIT));
const FRAC_ANY = optional(seq(literal('.'), plus(DIGIT)));

/** Decimal digit class `[a-b]` (0 ≤ a ≤ b ≤ 9). */
export function digitRange(a: number, b: number): Expr {
  return a > b ? nothing() : charClass([0x30 + a, 0x30 + b]);
}

/** Exact decimal of a finite JS number (its shortest round-trip form). */
export function toDecimal(x: number): SignedDec {
  if (!Number.isFinite(x)) throw new RangeError(`not a finite number: ${x}`);
  const neg = x < 0 || Object.is(x, -0);
  let s = Math.abs(x).toString();
  let exp = 0;
  const e = s.indexOf('e');
  if (e >= 0) {
    exp = Number(s.slice(e + 1));
    s = s.slice(0, e);
  }
  const dot = s.indexOf('.');
  let digits = dot >= 0 ? s.slice(0, dot) + s.slice(dot + 1) : s;
  let point = (dot >= 0 ? dot : s.length) + exp;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits = digits + '0'.repeat(point - digits.length);
  const int = BigInt(digits.slice(0, point) || '0');
  const frac = digits.slice(point).replace(/0+$/, '');
  return { neg: neg && (int !== 0n || frac !== ''), int, frac };
}

/** Compares two signed decimals. */
export function compareDec(a: SignedDec, b: SignedDec): number {
  const sa = a.int === 0n && a.frac === '' ? 0 : a.neg ? -1 : 1;
  const sb = b.int === 0n && b.frac === '' ? 0 : b.neg ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  const mag = a.int !== b.int ? (a.int < b.int ? -1 : 1) : a.frac === b.frac ? 0 : a.frac < b.frac ? -1 : 1;
  return sa < 0 ? -mag : mag;
}

/** Whether a decimal is zero. */
export function isZero(d: Dec): boolean {
  return d.int === 0n && d.frac === '';
}

/**
 * Fixed-width digit strings (base 10 or 16) whose value lies in [lo, hi].
 * `digit(a, b)` gives the expression of one digit with value in a..b.
 */
export function fixedWidthRange(lo: bigint, hi: bigint, width: number, base: number, digit: (a: number, b: number) => Expr): Expr {
  if (lo > hi) return nothing();
  if (width === 0) return empty();
  const B = BigInt(base);
  const unit = B ** BigInt(width - 1);
  const full = unit - 1n;
  const a = Number(lo / unit);
  const b = Number(hi / unit);
  const lr = lo % unit;
  const hr = hi % unit;
  const any = (w: number): Expr => (w === 0 ? empty() : fixedWidthRange(0n, B ** BigInt(w) - 1n, w, base, digit));
  if (a === b) return seq(digit(a, a), fixedWidthRange(lr, hr, width - 1, base, digit));
  if (lr === 0n && hr === full) return seq(digit(a, b), any(width - 1));
  const parts: Expr[] = [];
  let from = a;
  let to = b;
  if (lr !== 0n) {
    parts.push(seq(digit(a, a), fixedWidthRange(lr, full, width - 1, base, digit)));
    from = a + 1;
  }
  if (hr !== full) to = b - 1;
  if (from <= to) parts.push(seq(digit(from, to), width > 1 ? repeatDigits(width - 1, base, digit) : empty()));
  if (hr !== full) parts.push(seq(digit(b, b), fixedWidthRange(0n, hr, width - 1, base, digit)));
  return alt(...parts);
}

function repeatDigits(w: number, base: number, digit: (a: number, b: number) => Expr): Expr {
  const d = digit(0, base - 1);
  const items: Expr[] = [];
  for (let i = 0; i < w; i++) items.push(d);
  return seq(...items);
}

function numDigits(n: bigint): number {
  return n.toString().length;
}

/** Canonical decimal naturals (no leading zeros) in [lo, hi]; `hi` null for unbounded. */
export function natRange(lo: bigint, hi: bigint | null): Expr {
  if (lo < 0n) lo = 0n;
  if (hi !== null && lo > hi) return nothing();
  const parts: Expr[] = [];
  const wLo = numDigits(lo);
  const wHi = hi === null ? wLo : numDigits(hi);
  for (let w = wLo; w <= wHi; w++) {
    const min = w === 1 ? 0n : 10n ** BigInt(w - 1);
    const max = 10n ** BigInt(w) - 1n;
    const a = lo > min ? lo : min;
    const b = hi !== null && hi < max ? hi : max;
    parts.push(fixedWidthRange(a, b, w, 10, digitRange));
  }
  if (hi === null) parts.push(seq(NONZERO, DIGIT, ...Array<Expr>(Math.max(0, wLo - 1)).fill(DIGIT), DIGITS));
  return alt(...parts);
}

/** Canonical JSON integers (with optional `-`, `-0` included when 0 is) in [lo, hi] (null: unbounded). */
export function intRange(lo: bigint | null, hi: bigint | null): Expr {
  if (lo !== null && hi !== null && lo > hi) return nothing();
  const parts: Expr[] = [];
  if (hi === null || hi >= 0n) parts.push(natRange(lo === null || lo < 0n ? 0n : lo, hi));
  if (lo === null || lo <= 0n) {
    // x = -y: y in [max(-hi, 0), -lo]; y = 0 gives "-0", which equals 0.
    const yLo = hi === null || hi > 0n ? 0n : -hi;
    parts.push(seq(literal('-'), natRange(yLo, lo === null ? null : -lo)));
  }
  return alt(...parts);
}

/** Lower / upper constraint on a fraction's digit string: digits (no trailing zeros) and strictness; null: none. */
interface FracBound {
  readonly d: string;
  readonly excl: boolean;
}

function fracKey(l: FracBound | null, h: FracBound | null): string {
  return `${l ? l.d + (l.excl ? '>' : '=') : '*'}|${h ? h.d + (h.excl ? '<' : '=') : '*'}`;
}

/** Whether the all-zeros fraction satisfies the bounds. */
function zeroOk(l: FracBound | null, h: FracBound | null): boolean {
  if (l && (l.d !== '' || l.excl)) return false;
  if (h && h.d === '' && h.excl) return false;
  return true;
}

/** Non-empty digit strings f with l ≤/< 0.f ≤/< h. */
function fracNonEmpty(l: FracBound | null, h: FracBound | null, memo: Map<string, Expr>): Expr {
  if (l && l.d === '' && !l.excl) l = null;
  const key = fracKey(l, h);
  const hit = memo.get(key);
  if (hit) return hit;
  let out: Expr;
  if (h && h.d === '') out = h.excl || l ? nothing() : plus(literal('0'));
  else if (!l && !h) out = plus(DIGIT);
  else if (l && l.d === '' && !h) out = seq(star(literal('0')), NONZERO, DIGITS);
  else {
    const groups = new Map<string, { from: number; to: number; l: FracBound | null; h: FracBound | null }>();
    const order: string[] = [];
    for (let d = 0; d <= 9; d++) {
      let nl: FracBound | null = l;
      if (l) {
        const l0 = l.d === '' ? 0 : l.d.charCodeAt(0) - 48;
        if (d < l0) continue;
        nl = d > l0 ? null : { d: l.d.slice(1), excl: l.excl };
      }
      let nh: FracBound | null = h;
      if (h) {
        const h0 = h.d.charCodeAt(0) - 48;
        if (d > h0) continue;
        nh = d < h0 ? null : { d: h.d.slice(1), excl: h.excl };
      }
      const k = fracKey(nl, nh);
      const g = groups.get(k);
      if (g && g.to === d - 1) g.to = d;
      else {
        const kk = g ? `${k}#${d}` : k;
        groups.set(kk, { from: d, to: d, l: nl, h: nh });
        order.push(kk);
      }
    }
    const parts: Expr[] = [];
    for (const k of order) {
      const g = groups.get(k)!;
      const rest = alt(zeroOk(g.l, g.h) ? empty() : nothing(), fracNonEmpty(g.l, g.h, memo));
      parts.push(seq(digitRange(g.from, g.to), rest));
    }
    out = alt(...parts);
  }
  memo.set(key, out);
  return out;
}

/** `(.digits)?` whose value 0.f satisfies the bounds (absent fraction = 0). */
function fracPart(l: FracBound | null, h: FracBound | null): Expr {
  if (!l && !h) return FRAC_ANY;
  const ne = fracNonEmpty(l, h, new Map());
  return alt(zeroOk(l, h) ? empty() : nothing(), seq(literal('.'), ne));
}

/** Unsigned number texts without exponent whose value lies in the range (hi null: unbounded). */
function unsignedPlain(lo: Dec, loExcl: boolean, hi: Dec | null, hiExcl: boolean): Expr {
  const A = lo.int;
  const lb: FracBound = { d: lo.frac, excl: loExcl };
  if (hi === null) {
    return alt(seq(natRange(A, A), fracPart(lb, null)), seq(natRange(A + 1n, null), FRAC_ANY));
  }
  const B = hi.int;
  const hb: FracBound = { d: hi.frac, excl: hiExcl };
  if (A > B) return nothing();
  if (A === B) return seq(natRange(A, A), fracPart(lb, hb));
  const parts = [seq(natRange(A, A), fracPart(lb, null))];
  if (A + 1n <= B - 1n) parts.push(seq(natRange(A + 1n, B - 1n), FRAC_ANY));
  parts.push(seq(natRange(B, B), fracPart(null, hb)));
  return alt(...parts);
}

/** Unsigned number texts with value in [0 or (0, ∞), exponents included. */
function unsignedFromZero(excl: boolean): Expr {
  const mant = seq(natRange(0n, null), FRAC_ANY);
  if (!excl) return seq(mant, optional(EXP));
  // a non-zero mantissa: some non-zero digit in the integer or fraction part
  const nz = alt(seq(natRange(1n, null), FRAC_ANY), seq(literal('0.'), star(literal('0')), NONZERO, DIGITS));
  return seq(nz, optional(EXP));
}

/** What {@link numberRange} produced. */
export interface NumberGrammar {
  /** The texts. */
  readonly expr: Expr;
  /** True when exponent forms of some values in range are left out (a deliberate restriction). */
  readonly restricted: boolean;
}

const ZERO: Dec = { int: 0n, frac: '' };

/** Unsigned texts in [lo, hi]; all exponent forms when the range is [0|(0, ∞), normalized ones otherwise. */
function unsigned(lo: Dec, loExcl: boolean, hi: Dec | null, hiExcl: boolean): NumberGrammar {
  if (hi === null && isZero(lo)) return { expr: unsignedFromZero(loExcl), restricted: false };
  const zeroOk = isZero(lo) && !loExcl;
  const zeroExp = zeroOk ? seq(literal('0'), optional(seq(literal('.'), plus(literal('0')))), EXP) : nothing();
  if (hi !== null && isZero(hi)) {
    // only zero
    return { expr: zeroOk && !hiExcl ? alt(seq(literal('0'), fracPart(null, { d: '', excl: false })), zeroExp) : nothing(), restricted: false };
  }
  return { expr: alt(unsignedPlain(lo, loExcl, hi, hiExcl), zeroExp, normalizedExp(lo, loExcl, hi, hiExcl)), restricted: true };
}

/** Significand (as a decimal in [1, 10)) and decimal exponent of a positive decimal. */
function normalize(d: Dec): { m: Dec; e: number } {
  const intDigits = d.int === 0n ? '' : d.int.toString();
  if (intDigits) {
    const all = (intDigits + d.frac).replace(/0+$/, '');
    return { m: { int: BigInt(all[0]!), frac: all.slice(1) }, e: intDigits.length - 1 };
  }
  const lead = d.frac.length - d.frac.replace(/^0+/, '').length;
  const rest = d.frac.slice(lead);
  return { m: { int: BigInt(rest[0]!), frac: rest.slice(1) }, e: -(lead + 1) };
}

/** `[eE]` and a signed exponent (leading zeros allowed) with value in [lo, hi] (null: unbounded). */
function exponentIn(lo: number | null, hi: number | null): Expr {
  if (lo !== null && hi !== null && lo > hi) return nothing();
  const zeros = star(literal('0'));
  const parts: Expr[] = [];
  if (hi === null || hi >= 0) parts.push(seq(optional(literal('+')), zeros, natRange(BigInt(Math.max(lo ?? 0, 0)), hi === null ? null : BigInt(hi))));
  if (lo === null || lo <= 0) parts.push(seq(literal('-'), zeros, natRange(BigInt(Math.max(hi === null ? 0 : -hi, 0)), lo === null ? null : BigInt(-lo))));
  return seq(charClass([0x45, 0x45, 0x65, 0x65]), alt(...parts));
}

const TEN: Dec = { int: 10n, frac: '' };
const ONE: Dec = { int: 1n, frac: '' };

/**
 * Normalized exponent texts `d(.ddd)?[eE][+-]?N` (d non-zero) with positive
 * value in the range: the exponent decides unless it equals the bound's,
 * where the significands are compared.
 */
function normalizedExp(lo: Dec, loExcl: boolean, hi: Dec | null, hiExcl: boolean): Expr {
  const L = isZero(lo) ? null : normalize(lo);
  const H = hi === null ? null : normalize(hi);
  const mant = (a: Dec, aExcl: boolean, b: Dec, bExcl: boolean): Expr => unsignedPlain(a, aExcl, b, bExcl);
  const parts: Expr[] = [];
  if (L && H && L.e === H.e) return seq(mant(L.m, loExcl, H.m, hiExcl), exponentIn(L.e, L.e));
  if (L) parts.push(seq(mant(L.m, loExcl, TEN, true), exponentIn(L.e, L.e)));
  if (H) parts.push(seq(mant(ONE, false, H.m, hiExcl), exponentIn(H.e, H.e)));
  const eLo = L ? L.e + 1 : null;
  const eHi = H ? H.e - 1 : null;
  if (eLo === null || eHi === null || eLo <= eHi) parts.push(seq(mant(ONE, false, TEN, true), exponentIn(eLo, eHi)));
  return alt(...parts);
}

/** JSON number texts (any form) with value in the range; null ends are unbounded. */
export function numberRange(lo: Bound | null, hi: Bound | null): NumberGrammar {
  if (lo && hi) {
    const c = compareDec(lo.value, hi.value);
    if (c > 0 || (c === 0 && (lo.exclusive || hi.exclusive))) return { expr: nothing(), restricted: false };
  }
  const parts: Expr[] = [];
  let restricted = false;
  // non-negative values: x in [max(lo, 0), hi]
  if (!hi || !hi.value.neg || isZero(hi.value)) {
    const l = lo && !lo.value.neg ? lo : null;
    const r = unsigned(l ? l.value : ZERO, l ? l.exclusive : false, hi ? hi.value : null, hi ? hi.exclusive : false);
    parts.push(r.expr);
    restricted ||= r.restricted;
  }
  // negative values: x = -y, y in [max(-hi, 0), -lo]
  if (!lo || lo.value.neg || isZero(lo.value)) {
    const yLo: Dec = hi && (hi.value.neg || isZero(hi.value)) ? hi.value : ZERO;
    const yLoExcl = hi && (hi.value.neg || isZero(hi.value)) ? hi.exclusive : false;
    const r = unsigned(yLo, yLoExcl, lo ? lo.value : null, lo ? lo.exclusive : false);
    parts.push(seq(literal('-'), r.expr));
    restricted ||= r.restricted;
  }
  return { expr: alt(...parts), restricted };
}

/** Any JSON number text. */
export function anyNumber(): Expr {
  return seq(optional(literal('-')), natRange(0n, null), FRAC_ANY, optional(EXP));
}

/** Integer texts `-?int(.0+)?` with value in [lo, hi] (null: unbounded). Exponent forms are left out. */
export function integerRange(lo: bigint | null, hi: bigint | null): Expr {
  return seq(intRange(lo, hi), optional(seq(literal('.'), plus(literal('0')))));
}

/** Smallest integer ≥ the bound (or > when exclusive). */
export function ceilBound(b: Bound): bigint {
  const v = b.value;
  const mag = v.int;
  if (v.neg) {
    // value = -(int.frac): ceil = -int; exclusive on an integer value: +1
    if (v.frac === '') return b.exclusive ? -mag + 1n : -mag;
    return -mag;
  }
  if (v.frac === '') return b.exclusive ? mag + 1n : mag;
  return mag + 1n;
}
/** Largest integer ≤ the bound (or < when exclusive). */
export function floorBound(b: Bound): bigint {
  const v = b.value;
  const mag = v.int;
  if (v.neg) {
    if (v.frac === '') return b.exclusive ? -mag - 1n : -mag;
    return -mag - 1n;
  }
  if (v.frac === '') return b.exclusive ? mag - 1n : mag;
  return mag;
}

/**
 * Canonical digit strings of multiples of `k` as right-linear rules: calls
 * `define(name, expr)` for each remainder state and returns the start
 * expression (positive multiples, no sign, no leading zeros).
 */
export function positiveMultiples(k: number, ruleName: (r: number) => string, define: (name: string, e: Expr) => void, ref: (name: string) => Expr): Expr {
  const next = (r: number, d: number): number => (r * 10 + d) % k;
  for (let r = 0; r < k; r++) {
    const byTarget = new Map<number, number[]>();
    for (let d = 0; d <= 9; d++) {
      const t = next(r, d);
      const arr = byTarget.get(t) ?? [];
      arr.push(0x30 + d, 0x30 + d);
      byTarget.set(t, arr);
    }
    const parts: Expr[] = r === 0 ? [empty()] : [];
    for (const [t, ranges] of byTarget) parts.push(seq(charClass(ranges), ref(ruleName(t))));
    define(ruleName(r), alt(...parts));
  }
  const first = new Map<number, number[]>();
  for (let d = 1; d <= 9; d++) {
    const t = d % k;
    const arr = first.get(t) ?? [];
    arr.push(0x30 + d, 0x30 + d);
    first.set(t, arr);
  }
  const parts: Expr[] = [];
  for (const [t, ranges] of first) parts.push(seq(charClass(ranges), ref(ruleName(t))));
  return alt(...parts);
}

/**
 * A DFA over plain number texts `-?(0|[1-9]\d*)(\.\d+)?` accepting those
 * whose value is a multiple of `m` (exact decimal arithmetic: with
 * m = p / 10^q, the value times 10^q is an integer multiple of p). Exponent
 * forms are not read. Edges are `[lo, hi, target]` code-point ranges.
 */
export function multipleOfDfa(m: number, maxStates: number): { edges: [number, number, number][][]; accept: boolean[]; start: number } | null {
  const d = toDecimal(m);
  const q = d.frac.length;
  const p = Number(BigInt(d.int.toString() + d.frac));
  if (!Number.isSafeInteger(p) || p <= 0 || p * (q + 3) + 3 > maxStates) return null;
  const pow10 = (k: number): number => {
    let x = 1 % p;
    for (let i = 0; i < k; i++) x = (x * 10) % p;
    return x;
  };
  const edges: [number, number, number][][] = [];
  const accept: boolean[] = [];
  const ids = new Map<string, number>();
  const keys: string[] = [];
  const state = (key: string, acc: boolean): number => {
    let id = ids.get(key);
    if (id === undefined) {
      id = edges.length;
      ids.set(key, id);
      keys.push(key);
      edges.push([]);
      accept.push(acc);
    }
    return id;
  };
  const D = (c: number): number => 0x30 + c;
  // int part states I(r), frac states F(r, f) for 1 <= f <= q, tail T(r) after q fraction digits (zeros only)
  const I = (r: number): number => state(`I${r}`, (r * pow10(q)) % p === 0);
  const F = (r: number, f: number): number => state(`F${r},${f}`, (r * pow10(q - f)) % p === 0);
  const T = (r: number): number => state(`T${r}`, r === 0);
  const start = state('S', false);
  const minus = state('M', false);
  const zero = state('Z', (0 * pow10(q)) % p === 0);
  const dot = (r: number): number => state(`D${r}`, false);
  for (const s of [start, minus]) {
    if (s === start) edges[s]!.push([0x2d, 0x2d, minus]);
    edges[s]!.push([D(0), D(0), zero]);
    for (let c = 1; c <= 9; c++) edges[s]!.push([D(c), D(c), I(c % p)]);
  }
  // BFS over the states reachable from the integer part
  const done = new Set<number>([start, minus]);
  const todo: number[] = [zero];
  for (let c = 1; c <= 9; c++) todo.push(I(c % p));
  while (todo.length) {
    const s = todo.pop()!;
    if (done.has(s)) continue;
    done.add(s);
    const key = keys[s]!;
    const out = edges[s]!;
    const push = (lo: number, hi: number, t: number): void => {
      out.push([lo, hi, t]);
      if (!done.has(t)) todo.push(t);
    };
    if (key === 'Z') push(0x2e, 0x2e, dot(0));
    else if (key[0] === 'I') {
      const r = Number(key.slice(1));
      for (let c = 0; c <= 9; c++) push(D(c), D(c), I((r * 10 + c) % p));
      push(0x2e, 0x2e, dot(r));
    } else if (key[0] === 'D') {
      const r = Number(key.slice(1));
      for (let c = 0; c <= 9; c++) {
        if (q >= 1) push(D(c), D(c), F((r * 10 + c) % p, 1));
        else if (c === 0) push(D(0), D(0), T(r));
      }
    } else if (key[0] === 'F') {
      const [r, f] = key.slice(1).split(',').map(Number) as [number, number];
      for (let c = 0; c <= 9; c++) {
        if (f < q) push(D(c), D(c), F((r * 10 + c) % p, f + 1));
        else if (c === 0) push(D(0), D(0), T(r));
      }
    } else if (key[0] === 'T') {
      push(D(0), D(0), s);
    }
    if (edges.length > maxStates) return null;
  }
  for (const e of edges) e.sort((a, b) => a[0] - b[0]);
  return { edges, accept, start };
}
