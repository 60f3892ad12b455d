/**
 * Code-point ranges to UTF-8 byte-range sequences.
 *
 * A range of code points becomes a union of sequences of byte ranges, each
 * sequence a cartesian product (the algorithm of RE2 and Rust's
 * `regex-syntax::utf8`). Surrogates are skipped: they have no UTF-8 form, so
 * the byte language of a class is always valid UTF-8.
 */

import { EPSILON, NOTHING, type RegexStore } from './regex.js';

const MAX_FOR_LEN = [0x7f, 0x7ff, 0xffff, 0x10ffff];

function utf8Len(cp: number): number {
  return cp <= 0x7f ? 1 : cp <= 0x7ff ? 2 : cp <= 0xffff ? 3 : 4;
}

/** UTF-8 byte-range sequences of code-point classes, shared by all compilations (pure data). */
const splitCache = new Map<string, number[][]>();

/** Encodes a code point as UTF-8 into `out` and returns the byte count. */
export function encodeCodePoint(cp: number, out: number[]): number {
  if (cp <= 0x7f) {
    out.push(cp);
    return 1;
  }
  if (cp <= 0x7ff) {
    out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    return 2;
  }
  if (cp <= 0xffff) {
    out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    return 3;
  }
  out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  return 4;
}

/** Appends to `out` the byte-range sequences (arrays of [lo,hi] pairs) covering `lo..hi`. */
function split(lo: number, hi: number, out: number[][]): void {
  if (lo > hi) return;
  // Skip surrogates.
  if (lo <= 0xdfff && hi >= 0xd800) {
    split(lo, 0xd7ff, out);
    split(0xe000, hi, out);
    return;
  }
  // Same encoded length at both ends.
  for (let i = 0; i < 3; i++) {
    const m = MAX_FOR_LEN[i]!;
    if (lo <= m && hi > m) {
      split(lo, m, out);
      split(m + 1, hi, out);
      return;
    }
  }
  const n = utf8Len(lo);
  if (n === 1) {
    out.push([lo, hi]);
    return;
  }
  // Split until every continuation position is a full or aligned range.
  for (let i = 1; i < n; i++) {
    const mask = (1 << (6 * i)) - 1;
    if ((lo & ~mask) !== (hi & ~mask)) {
      if ((lo & mask) !== 0) {
        split(lo, lo | mask, out);
        split((lo | mask) + 1, hi, out);
        return;
      }
      if ((hi & mask) !== mask) {
        split(lo, (hi & ~mask) - 1, out);
        split(hi & ~mask, hi, out);
        return;
      }
    }
  }
  const a: number[] = [];
  const b: number[] = [];
  encodeCodePoint(lo, a);
  encodeCodePoint(hi, b);
  const seq: number[] = [];
  for (let i = 0; i < n; i++) seq.push(a[i]!, b[i]!);
  out.push(seq);
}

/**
 * Byte-level regex for "one code point in `ranges`" (pairs of inclusive
 * code-point bounds, normalised). Surrogates are never matched.
 */
export function codePointClass(store: RegexStore, ranges: readonly number[]): number {
  const key = ranges.join(',');
  let seqs = splitCache.get(key);
  if (seqs === undefined) {
    seqs = [];
    for (let i = 0; i + 1 < ranges.length; i += 2) split(ranges[i]!, ranges[i + 1]!, seqs);
    if (splitCache.size > 10_000) splitCache.clear();
    splitCache.set(key, seqs);
  }
  // Group sequences by their tail so that common suffixes share nodes.
  const alts: number[] = [];
  for (const s of seqs) {
    const parts: number[] = [];
    for (let i = 0; i < s.length; i += 2) parts.push(store.byteRange(s[i]!, s[i + 1]!));
    alts.push(store.seqOf(parts));
  }
  return alts.length === 0 ? NOTHING : store.alt(alts);
}

/** Byte-level regex for exactly the UTF-8 encoding of `text`. */
export function literalBytes(store: RegexStore, text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return EPSILON;
  const parts: number[] = [];
  for (let i = 0; i < bytes.length; i++) parts.push(store.byte(bytes[i]!));
  return store.seqOf(parts);
}
