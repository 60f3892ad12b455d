/**
 * Code-point set tables for the regex front-end: ECMAScript class escapes
 * (`\d \w \s .`), Unicode property classes (`\p{...}`) and simple case
 * folding. Property and case tables are computed lazily from Node's own
 * RegExp engine (so they follow the Unicode version Node ships) and cached.
 *
 * Sets are ranges: pairs `[lo0, hi0, lo1, hi1, ...]` of inclusive code points,
 * as in the IR's `ClassExpr`.
 */
import { MAX_CODE_POINT, normalizeRanges } from '../../ir/expr.js';

/** First surrogate code point. Surrogates are never matched (no UTF-8 encoding). */
export const SURROGATE_LO = 0xd800;
/** Last surrogate code point. */
export const SURROGATE_HI = 0xdfff;

/** `\d`: ASCII digits. */
export const DIGIT_RANGES: readonly number[] = [0x30, 0x39];
/** `\w`: ASCII word characters `[A-Za-z0-9_]`. */
export const WORD_RANGES: readonly number[] = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
/**
 * `\s`: ECMAScript WhiteSpace (TAB, VT, FF, SP, NBSP, ZWNBSP, Zs) plus
 * LineTerminator (LF, CR, LS, PS). Zs as of Unicode 15/16.
 */
export const SPACE_RANGES: readonly number[] = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f,
  0x3000, 0x3000, 0xfeff, 0xfeff,
];
/** ECMAScript LineTerminator: what `.` excludes without the `s` flag. */
export const LINE_TERMINATOR_RANGES: readonly number[] = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];

/** Whether `ranges` (normalized) contain any code point that is not a surrogate. */
export function hasNonSurrogate(ranges: readonly number[]): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    const lo = ranges[i]!;
    const hi = ranges[i + 1]!;
    if (lo < SURROGATE_LO || hi > SURROGATE_HI) return true;
  }
  return false;
}

/**
 * All non-surrogate code points in order, as one string: 0..D7FF and
 * E000..FFFF one UTF-16 unit each, then 10000..10FFFF as surrogate pairs.
 */
let allText: string | undefined;
/** UTF-16 index in {@link allText} where the astral (paired) part starts. */
const ASTRAL_INDEX = 0x10000 - (SURROGATE_HI - SURROGATE_LO + 1);

function allCodePoints(): string {
  if (allText !== undefined) return allText;
  const units = new Uint16Array(ASTRAL_INDEX + 2 * (MAX_CODE_POINT - 0xffff));
  let n = 0;
  for (let cp = 0; cp <= 0xffff; cp++) if (cp < SURROGATE_LO || cp > SURROGATE_HI) units[n++] = cp;
  for (let v = 0; v <= MAX_CODE_POINT - 0x10000; v++) {
    units[n++] = 0xd800 + (v >> 10);
    units[n++] = 0xdc00 + (v & 0x3ff);
  }
  if (new Uint8Array(Uint16Array.of(1).buffer)[0] === 1) {
    allText = new TextDecoder('utf-16le').decode(units); // one native call on little-endian hosts
  } else {
    const chunks: string[] = [];
    for (let i = 0; i < n; i += 0x2000) chunks.push(String.fromCharCode(...units.subarray(i, Math.min(n, i + 0x2000))));
    allText = chunks.join('');
  }
  return allText;
}

/** Code point starting at UTF-16 index `i` of {@link allCodePoints}. */
function codePointAtIndex(i: number): number {
  if (i < SURROGATE_LO) return i;
  if (i < ASTRAL_INDEX) return i + (SURROGATE_HI - SURROGATE_LO + 1);
  return 0x10000 + ((i - ASTRAL_INDEX) >> 1);
}

/**
 * Code points matched by a one-character ECMAScript regex class `source`
 * (e.g. `\p{Lu}`), by running Node's RegExp (flags `gu` + `extraFlags`) over
 * every code point once. Surrogates are not included.
 */
export function rangesMatchedBy(source: string, extraFlags = ''): number[] {
  const text = allCodePoints();
  const re = new RegExp(`(?:${source})+`, 'gu' + extraFlags);
  const out: number[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const start = m.index;
    const end = start + m[0].length;
    const last = end - 1 >= ASTRAL_INDEX ? codePointAtIndex(end - 2) : codePointAtIndex(end - 1);
    const first = codePointAtIndex(start);
    // A run spanning D7FF..E000 in the text is two ranges in code points.
    if (first < SURROGATE_LO && last > SURROGATE_HI) out.push(first, SURROGATE_LO - 1, SURROGATE_HI + 1, last);
    else out.push(first, last);
  }
  return normalizeRanges(out);
}

const propertyCache = new Map<string, readonly number[]>();

/** Why a property body is rejected, or `undefined` when Node's RegExp accepts `\p{body}`. */
export function checkProperty(body: string): string | undefined {
  if (!/^[A-Za-z0-9_]+(=[A-Za-z0-9_]+)?$/.test(body)) return `invalid property name \\p{${body}}`;
  try {
    new RegExp(`\\p{${body}}`, 'u');
    return undefined;
  } catch {
    return `unknown Unicode property \\p{${body}}`;
  }
}

/**
 * Ranges of the Unicode property `body` (`L`, `Lu`, `Script=Greek`, `Alphabetic`, ...),
 * as Node's RegExp `\p{body}` matches them. Call {@link checkProperty} first.
 */
export function propertyRanges(body: string): readonly number[] {
  let r = propertyCache.get(body);
  if (r === undefined) {
    r = rangesMatchedBy(`\\p{${body}}`);
    propertyCache.set(body, r);
  }
  return r;
}

/**
 * Simple case folding as equivalence classes. `foldCps` holds, sorted, every
 * code point whose class has more than one member; `foldClass[i]` lists the
 * members of `foldCps[i]`'s class (itself included).
 */
interface FoldTable {
  foldCps: Int32Array;
  foldClass: readonly (readonly number[])[];
}
let foldTable: FoldTable | undefined;

function escapeCp(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/**
 * Builds the fold classes. Candidates are the code points that change under
 * case mapping or folding (`\p{CWCM}`, `\p{CWCF}`): any code point outside
 * them folds to itself and nothing else folds to it. Each candidate's class
 * is what Node's case-insensitive unicode RegExp (ECMAScript Canonicalize =
 * simple case folding) matches among the candidates, so it is exact for
 * Node's Unicode version, including odd pairs such as U+1FD3 ~ U+0390.
 */
function buildFoldTable(): FoldTable {
  const cand = rangesMatchedBy('[\\p{CWCM}\\p{CWCF}]');
  const cps: number[] = [];
  for (let i = 0; i < cand.length; i += 2) for (let cp = cand[i]!; cp <= cand[i + 1]!; cp++) cps.push(cp);
  const text = String.fromCodePoint(...cps);
  const classOf = new Map<number, number[]>();
  for (const cp of cps) {
    if (classOf.has(cp)) continue;
    const members: number[] = [];
    for (const m of text.matchAll(new RegExp(escapeCp(cp), 'giu'))) members.push(m[0].codePointAt(0)!);
    if (members.length > 1) for (const c of members) classOf.set(c, members);
  }
  const sorted = [...classOf.keys()].sort((a, b) => a - b);
  return { foldCps: Int32Array.from(sorted), foldClass: sorted.map((cp) => classOf.get(cp)!) };
}

function folds(): FoldTable {
  return (foldTable ??= buildFoldTable());
}

/** The code points equal to `cp` under simple case folding, `cp` included, ascending. */
export function caseVariants(cp: number): readonly number[] {
  const { foldCps, foldClass } = folds();
  const i = lowerBound(foldCps, cp);
  if (i < foldCps.length && foldCps[i] === cp) return [...foldClass[i]!].sort((a, b) => a - b);
  return [cp];
}

/** Every code point that has another code point equal to it under simple case folding. */
export function caseSensitiveCodePoints(): Int32Array {
  return folds().foldCps;
}

/** Closes normalized `ranges` under simple case folding (what `i` makes a class match). */
export function caseClosure(ranges: readonly number[]): number[] {
  const { foldCps, foldClass } = folds();
  const out = ranges.slice();
  for (let r = 0; r < ranges.length; r += 2) {
    const hi = ranges[r + 1]!;
    for (let i = lowerBound(foldCps, ranges[r]!); i < foldCps.length && foldCps[i]! <= hi; i++) {
      for (const v of foldClass[i]!) out.push(v, v);
    }
  }
  return normalizeRanges(out);
}

function lowerBound(a: Int32Array, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
