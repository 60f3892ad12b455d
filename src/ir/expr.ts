/**
 * The grammar IR: what every front-end produces and only the compiler consumes.
 *
 * A {@link Grammar} is a set of named rules, each an expression tree over
 * Unicode code points. Front-ends know nothing about tokens or bytes: text is
 * code points here, and the compiler encodes it as UTF-8. The language of a
 * grammar is the plain context-free language of its start rule (no greedy
 * lexing, no priorities), so a slow Earley oracle decides the same language.
 */

/** Matches the empty string only. */
export interface EmptyExpr { readonly kind: 'empty' }
/** Matches nothing (the empty language). */
export interface NothingExpr { readonly kind: 'nothing' }
/** Matches exactly this text (code points, encoded as UTF-8 by the compiler). */
export interface LiteralExpr { readonly kind: 'literal'; readonly text: string }
/**
 * Matches one code point in the union of inclusive ranges. `ranges` holds
 * pairs `[lo0, hi0, lo1, hi1, ...]`, sorted, non-overlapping, non-adjacent,
 * within 0..0x10FFFF. Surrogates (0xD800..0xDFFF) are never matched: the
 * compiler drops them, since they have no UTF-8 encoding.
 */
export interface ClassExpr { readonly kind: 'class'; readonly ranges: readonly number[] }
/** Concatenation. */
export interface SeqExpr { readonly kind: 'seq'; readonly items: readonly Expr[] }
/** Alternation (union). */
export interface AltExpr { readonly kind: 'alt'; readonly items: readonly Expr[] }
/** `item{min,max}`; `max` is `Infinity` for unbounded. */
export interface RepeatExpr { readonly kind: 'repeat'; readonly item: Expr; readonly min: number; readonly max: number }
/** Reference to a rule by name. */
export interface RefExpr { readonly kind: 'ref'; readonly name: string }

/**
 * The member-count and key constraints of one JSON object, shared by the
 * guards of its members (plain data: printable and comparable).
 */
export interface ObjectGuardShape {
  /** Declared member names (decoded), each at most once. */
  readonly keys: readonly string[];
  /** Per declared key: whether it is required. */
  readonly required: readonly boolean[];
  /** Whether additional members (keys outside `keys`) may appear. */
  readonly extra: boolean;
  /** minProperties (distinct keys). */
  readonly min: number;
  /** maxProperties (distinct keys; `Infinity` for none). */
  readonly max: number;
}

/**
 * A zero-width condition on the JSON text read so far, checked where a
 * guarded expression starts. `member`: declared key `index` is unseen in the
 * innermost open object and adding it leaves a way to a valid close;
 * `extra`: an additional member leaves one; `more`: some member can still be
 * added (before a comma); `close`: every required key is present and the
 * count reaches `min` (before the closing brace).
 */
export type GuardSpec =
  | { readonly kind: 'member'; readonly object: ObjectGuardShape; readonly index: number }
  | { readonly kind: 'extra' | 'more' | 'close'; readonly object: ObjectGuardShape };

/**
 * `body`, where `guard` holds at its start. Its language as an IR expression
 * is `body`'s; the matcher checks the guard when it predicts the expression.
 * Only the JSON Schema front-end makes guards (they read a JSON structure
 * tracker); `body` must not match the empty string.
 */
export interface GuardExpr { readonly kind: 'guard'; readonly guard: GuardSpec; readonly body: Expr }

/** An expression of the grammar IR. */
export type Expr =
  | EmptyExpr
  | NothingExpr
  | LiteralExpr
  | ClassExpr
  | SeqExpr
  | AltExpr
  | RepeatExpr
  | RefExpr
  | GuardExpr;

/** A grammar: named rules and the start rule. */
export interface Grammar {
  /** Rules by name, in definition order. */
  readonly rules: ReadonlyMap<string, Expr>;
  /** Name of the start rule; must be a key of `rules`. */
  readonly start: string;
}

/** Largest code point. */
export const MAX_CODE_POINT = 0x10ffff;

const EMPTY: EmptyExpr = { kind: 'empty' };
const NOTHING: NothingExpr = { kind: 'nothing' };

/** The expression matching only the empty string. */
export function empty(): EmptyExpr {
  return EMPTY;
}
/** The expression matching nothing. */
export function nothing(): NothingExpr {
  return NOTHING;
}
/** Exactly `text`. The empty text gives {@link empty}. */
export function literal(text: string): Expr {
  return text.length === 0 ? EMPTY : { kind: 'literal', text };
}
/** Reference to rule `name`. */
export function ref(name: string): RefExpr {
  return { kind: 'ref', name };
}
/** Concatenation; flattens nested sequences, drops `empty`, collapses on `nothing`. */
export function seq(...items: Expr[]): Expr {
  const out: Expr[] = [];
  for (const it of items) {
    if (it.kind === 'empty') continue;
    if (it.kind === 'nothing') return NOTHING;
    if (it.kind === 'seq') out.push(...it.items);
    else out.push(it);
  }
  if (out.length === 0) return EMPTY;
  if (out.length === 1) return out[0]!;
  return { kind: 'seq', items: out };
}
/** Alternation; flattens nested alternations and drops `nothing`. */
export function alt(...items: Expr[]): Expr {
  const out: Expr[] = [];
  for (const it of items) {
    if (it.kind === 'nothing') continue;
    if (it.kind === 'alt') out.push(...it.items);
    else out.push(it);
  }
  if (out.length === 0) return NOTHING;
  if (out.length === 1) return out[0]!;
  return { kind: 'alt', items: out };
}
/** `item{min,max}` (`max` may be `Infinity`). Throws RangeError on `min > max` or negative bounds. */
export function repeat(item: Expr, min: number, max: number): Expr {
  if (!(min >= 0) || !(max >= min) || !Number.isInteger(min) || !(Number.isInteger(max) || max === Infinity)) {
    throw new RangeError(`bad repetition bounds {${min},${max}}`);
  }
  if (max === 0 || item.kind === 'empty') return EMPTY;
  if (item.kind === 'nothing') return min === 0 ? EMPTY : NOTHING;
  if (min === 1 && max === 1) return item;
  return { kind: 'repeat', item, min, max };
}
/** `body` guarded by `guard` (see {@link GuardExpr}); a body of `nothing` gives `nothing`. */
export function guarded(guard: GuardSpec, body: Expr): Expr {
  if (body.kind === 'nothing') return NOTHING;
  if (body.kind === 'empty') throw new RangeError('a guarded expression must not be empty');
  return { kind: 'guard', guard, body };
}

/** Stable text of a guard condition (for printing and hashing grammars). */
export function printGuard(g: GuardSpec): string {
  const o = g.object;
  const keys = o.keys.map((k, i) => (o.required[i] ? '!' : '') + JSON.stringify(k)).join(',');
  const what = g.kind === 'member' ? `member ${g.index}` : g.kind;
  return `${what} of {${keys}${o.extra ? ',*' : ''}}[${o.min},${o.max === Infinity ? '' : o.max}]`;
}

/** `item*` */
export function star(item: Expr): Expr {
  return repeat(item, 0, Infinity);
}
/** `item+` */
export function plus(item: Expr): Expr {
  return repeat(item, 1, Infinity);
}
/** `item?` */
export function optional(item: Expr): Expr {
  return repeat(item, 0, 1);
}

/**
 * Normalizes code-point ranges: sorts, clips to 0..0x10FFFF, merges overlapping
 * and adjacent ranges. Input is pairs `[lo, hi, ...]` (inclusive, any order).
 */
export function normalizeRanges(ranges: readonly number[]): number[] {
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < ranges.length; i += 2) {
    const lo = Math.max(0, ranges[i]!);
    const hi = Math.min(MAX_CODE_POINT, ranges[i + 1]!);
    if (lo <= hi) pairs.push([lo, hi]);
  }
  pairs.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of pairs) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1]! + 1) {
      if (hi > out[n - 1]!) out[n - 1] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return out;
}
/** Complement of normalized ranges within 0..0x10FFFF. */
export function complementRanges(ranges: readonly number[]): number[] {
  const norm = normalizeRanges(ranges);
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < norm.length; i += 2) {
    if (norm[i]! > next) out.push(next, norm[i]! - 1);
    next = norm[i + 1]! + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}
/** One code point out of the given ranges (pairs, inclusive, any order); no ranges gives {@link nothing}. */
export function charClass(ranges: readonly number[]): Expr {
  const norm = normalizeRanges(ranges);
  return norm.length === 0 ? NOTHING : { kind: 'class', ranges: norm };
}
/** Any code point except those in `ranges`. */
export function notClass(ranges: readonly number[]): Expr {
  return charClass(complementRanges(ranges));
}
/** Any single code point. */
export function anyChar(): Expr {
  return charClass([0, MAX_CODE_POINT]);
}

function printRanges(ranges: readonly number[]): string {
  let s = '[';
  for (let i = 0; i < ranges.length; i += 2) {
    const lo = ranges[i]!;
    const hi = ranges[i + 1]!;
    s += printCp(lo);
    if (hi !== lo) s += '-' + printCp(hi);
  }
  return s + ']';
}
function printCp(cp: number): string {
  if (cp >= 0x21 && cp <= 0x7e && !'[]-\\^'.includes(String.fromCharCode(cp))) return String.fromCharCode(cp);
  return cp <= 0xff ? '\\x' + cp.toString(16).padStart(2, '0') : '\\u{' + cp.toString(16) + '}';
}

/** Prints an expression in a stable GBNF-like notation (for golden tests and debugging). */
export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'empty':
      return '""';
    case 'nothing':
      return '[]';
    case 'literal':
      return JSON.stringify(e.text);
    case 'class':
      return printRanges(e.ranges);
    case 'ref':
      return e.name;
    case 'guard':
      return `&{${printGuard(e.guard)}}(${printExpr(e.body)})`;
    case 'seq':
      return e.items.map((x) => (x.kind === 'alt' ? `(${printExpr(x)})` : printExpr(x))).join(' ');
    case 'alt':
      return e.items.map(printExpr).join(' | ');
    case 'repeat': {
      const inner = e.item.kind === 'seq' || e.item.kind === 'alt' || e.item.kind === 'repeat' ? `(${printExpr(e.item)})` : printExpr(e.item);
      if (e.min === 0 && e.max === Infinity) return inner + '*';
      if (e.min === 1 && e.max === Infinity) return inner + '+';
      if (e.min === 0 && e.max === 1) return inner + '?';
      if (e.max === Infinity) return `${inner}{${e.min},}`;
      if (e.min === e.max) return `${inner}{${e.min}}`;
      return `${inner}{${e.min},${e.max}}`;
    }
  }
}

/** Prints a whole grammar, one `name ::= expr` line per rule, start rule first. */
export function printGrammar(g: Grammar): string {
  const lines: string[] = [];
  const startExpr = g.rules.get(g.start);
  if (startExpr) lines.push(`${g.start} ::= ${printExpr(startExpr)}`);
  for (const [name, e] of g.rules) if (name !== g.start) lines.push(`${name} ::= ${printExpr(e)}`);
  return lines.join('\n') + '\n';
}
