/**
 * JSON string texts over decoded code points.
 *
 * String constraints (pattern, format, length) describe the decoded value;
 * {@link encodeDecoded} maps such an expression to the JSON text that spells
 * it: each decoded code point may be written raw (except `"`, `\` and control
 * characters), as a short escape (`\n`, `\"`, `\/`, ...), as `\uXXXX` (hex in
 * either case) or, above U+FFFF, as an escaped surrogate pair. Lone surrogate
 * escapes are not accepted (they spell no code point).
 */
import { alt, charClass, empty, literal, nothing, repeat, seq, type Expr } from '../../ir/expr.js';
import { fixedWidthRange } from './numbers.js';

const SHORT_ESCAPES: ReadonlyArray<[number, string]> = [
  [0x22, '"'],
  [0x5c, '\\'],
  [0x2f, '/'],
  [0x08, 'b'],
  [0x0c, 'f'],
  [0x0a, 'n'],
  [0x0d, 'r'],
  [0x09, 't'],
];

function hexDigit(a: number, b: number): Expr {
  const r: number[] = [];
  const lo = Math.max(a, 0);
  const hi = Math.min(b, 9);
  if (lo <= hi) r.push(0x30 + lo, 0x30 + hi);
  const la = Math.max(a, 10);
  const lb = Math.min(b, 15);
  if (la <= lb) r.push(0x61 + la - 10, 0x61 + lb - 10, 0x41 + la - 10, 0x41 + lb - 10);
  return charClass(r);
}

/** Four hex digits (either case) spelling a value in [lo, hi]. */
export function hex4(lo: number, hi: number): Expr {
  return fixedWidthRange(BigInt(lo), BigInt(hi), 4, 16, hexDigit);
}

function intersect(ranges: readonly number[], lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < ranges.length; i += 2) {
    const a = Math.max(ranges[i]!, lo);
    const b = Math.min(ranges[i + 1]!, hi);
    if (a <= b) out.push(a, b);
  }
  return out;
}

const classMemo = new Map<string, Expr>();

/** JSON string-body texts that decode to one code point in `ranges` (normalized pairs). */
export function encodedClass(ranges: readonly number[]): Expr {
  const key = ranges.join(',');
  const hit = classMemo.get(key);
  if (hit) return hit;
  const parts: Expr[] = [];
  // raw: not a control character, not '"' or '\'
  const raw = intersect(ranges, 0x20, 0x10ffff);
  const rawNoQuote: number[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    let a = raw[i]!;
    const b = raw[i + 1]!;
    for (const ex of [0x22, 0x5c]) {
      if (ex >= a && ex <= b) {
        if (a <= ex - 1) rawNoQuote.push(a, ex - 1);
        a = ex + 1;
      }
    }
    if (a <= b) rawNoQuote.push(a, b);
  }
  const rawExpr = charClass(rawNoQuote);
  if (rawExpr.kind !== 'nothing') parts.push(rawExpr);
  const shorts: number[] = [];
  for (const [cp, ch] of SHORT_ESCAPES) if (intersect(ranges, cp, cp).length) shorts.push(ch.charCodeAt(0), ch.charCodeAt(0));
  if (shorts.length) parts.push(seq(literal('\\'), charClass(shorts)));
  // \uXXXX for BMP code points outside the surrogate block
  const bmp = [...intersect(ranges, 0, 0xd7ff), ...intersect(ranges, 0xe000, 0xffff)];
  const hexes: Expr[] = [];
  for (let i = 0; i < bmp.length; i += 2) hexes.push(hex4(bmp[i]!, bmp[i + 1]!));
  if (hexes.length) parts.push(seq(literal('\\u'), alt(...hexes)));
  // escaped surrogate pairs for supplementary code points
  const supp = intersect(ranges, 0x10000, 0x10ffff);
  const pairs: Expr[] = [];
  for (let i = 0; i < supp.length; i += 2) {
    const a = supp[i]! - 0x10000;
    const b = supp[i + 1]! - 0x10000;
    const ha = a >> 10;
    const hb = b >> 10;
    const pair = (h1: number, h2: number, l1: number, l2: number): Expr =>
      seq(literal('\\u'), hex4(0xd800 + h1, 0xd800 + h2), literal('\\u'), hex4(0xdc00 + l1, 0xdc00 + l2));
    if (ha === hb) pairs.push(pair(ha, ha, a & 0x3ff, b & 0x3ff));
    else {
      let from = ha;
      let to = hb;
      if ((a & 0x3ff) !== 0) {
        pairs.push(pair(ha, ha, a & 0x3ff, 0x3ff));
        from++;
      }
      if ((b & 0x3ff) !== 0x3ff) {
        pairs.push(pair(hb, hb, 0, b & 0x3ff));
        to--;
      }
      if (from <= to) pairs.push(pair(from, to, 0, 0x3ff));
    }
  }
  parts.push(...pairs);
  const out = alt(...parts);
  classMemo.set(key, out);
  return out;
}

/** JSON string-body texts decoding to code point `cp`. */
export function encodedChar(cp: number): Expr {
  return encodedClass([cp, cp]);
}

/** JSON string-body texts decoding to exactly `s`. */
export function encodedText(s: string): Expr {
  const items: Expr[] = [];
  for (const ch of s) items.push(encodedChar(ch.codePointAt(0)!));
  return seq(...items);
}

/** Maps an expression over decoded code points to the JSON string-body texts spelling its strings. */
export function encodeDecoded(e: Expr): Expr {
  switch (e.kind) {
    case 'empty':
    case 'nothing':
      return e;
    case 'literal':
      return encodedText(e.text);
    case 'class':
      return encodedClass(e.ranges);
    case 'seq':
      return seq(...e.items.map(encodeDecoded));
    case 'alt':
      return alt(...e.items.map(encodeDecoded));
    case 'repeat':
      return repeat(encodeDecoded(e.item), e.min, e.max);
    case 'ref':
    case 'guard':
      throw new Error(`internal: ${e.kind} in a string expression`);
  }
}

/** Any decoded code point (surrogates excluded). */
export const ANY_CHAR_RANGES: readonly number[] = [0, 0xd7ff, 0xe000, 0x10ffff];

/** The JSON string-body texts of strings whose decoded value is not one of `names`. */
export function encodedStringNotIn(names: readonly string[]): Expr {
  interface Node {
    children: Map<number, Node>;
    terminal: boolean;
  }
  const root: Node = { children: new Map(), terminal: false };
  for (const n of names) {
    let cur = root;
    for (const ch of n) {
      const cp = ch.codePointAt(0)!;
      let nx = cur.children.get(cp);
      if (!nx) {
        nx = { children: new Map(), terminal: false };
        cur.children.set(cp, nx);
      }
      cur = nx;
    }
    cur.terminal = true;
  }
  const anyRest = repeat(encodedClass(ANY_CHAR_RANGES), 0, Infinity);
  const build = (n: Node): Expr => {
    const parts: Expr[] = [];
    if (!n.terminal) parts.push(empty());
    const taken: number[] = [];
    for (const [cp, child] of n.children) {
      parts.push(seq(encodedChar(cp), build(child)));
      taken.push(cp, cp);
    }
    const others = subtractRanges(ANY_CHAR_RANGES, taken);
    if (others.length) parts.push(seq(encodedClass(others), anyRest));
    return parts.length ? alt(...parts) : nothing();
  };
  return build(root);
}

/** `a` minus `b` (both pairs; `b` any order). */
export function subtractRanges(a: readonly number[], b: readonly number[]): number[] {
  const sortedB: [number, number][] = [];
  for (let i = 0; i < b.length; i += 2) sortedB.push([b[i]!, b[i + 1]!]);
  sortedB.sort((x, y) => x[0] - y[0]);
  const out: number[] = [];
  for (let i = 0; i < a.length; i += 2) {
    let lo = a[i]!;
    const hi = a[i + 1]!;
    for (const [bl, bh] of sortedB) {
      if (bh < lo || bl > hi) continue;
      if (bl > lo) out.push(lo, bl - 1);
      lo = Math.max(lo, bh + 1);
      if (lo > hi) break;
    }
    if (lo <= hi) out.push(lo, hi);
  }
  return out;
}
