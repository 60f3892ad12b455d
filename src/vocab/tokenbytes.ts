/**
 * Converts token strings (as UTF-8 bytes) to the bytes the token contributes
 * to text, following {@link ByteRules}. Written over byte ranges so a 262k
 * vocabulary converts without creating strings.
 */
import { unicodeToByte } from './bytemap.js';
import type { ByteRules } from './spec.js';

/** Converter for one tokenizer's rules, with a growable output pool. */
export class TokenByteWriter {
  /** Output bytes; valid up to {@link length}. */
  out: Uint8Array;
  /** Bytes written so far. */
  length = 0;
  private readonly rules: ByteRules;
  private readonly growth: number;

  constructor(rules: ByteRules, capacity: number) {
    this.rules = rules;
    let g = 1;
    for (const r of rules.replacements) g = Math.max(g, Math.ceil(r.to.length / r.from.length));
    this.growth = g;
    this.out = new Uint8Array(Math.max(16, capacity));
  }

  /** Appends the bytes of the token string `src[s..e)` (UTF-8). */
  writeToken(src: Uint8Array, s: number, e: number): void {
    this.reserve((e - s) * this.growth);
    if (this.rules.kind === 'byte-level') this.length = writeByteLevel(src, s, e, this.out, this.length);
    else this.writeSentencePiece(src, s, e);
  }

  /** Appends bytes as they are (byte-level added tokens keep their UTF-8 content). */
  writeRaw(src: Uint8Array): void {
    this.reserve(src.length);
    this.out.set(src, this.length);
    this.length += src.length;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.out.length) return;
    const bigger = new Uint8Array(Math.max(this.out.length * 2, this.length + n));
    bigger.set(this.out.subarray(0, this.length));
    this.out = bigger;
  }

  private writeSentencePiece(src: Uint8Array, s: number, e: number): void {
    const out = this.out;
    if (this.rules.byteFallback && e - s === 6 && src[s] === 0x3c && src[s + 1] === 0x30 && src[s + 2] === 0x78 && src[s + 5] === 0x3e) {
      const hi = hexValue(src[s + 3]);
      const lo = hexValue(src[s + 4]);
      if (hi >= 0 && lo >= 0) {
        out[this.length++] = hi * 16 + lo;
        return;
      }
    }
    const reps = this.rules.replacements;
    if (reps.length === 0) {
      out.set(src.subarray(s, e), this.length);
      this.length += e - s;
      return;
    }
    if (reps.length === 1) {
      this.length = replaceInto(src, s, e, reps[0].from, reps[0].to, out, this.length);
      return;
    }
    // Several Replace decoders: apply them one after another.
    let cur = src.slice(s, e);
    for (const r of reps) {
      const tmp = new Uint8Array(Math.max(1, cur.length * Math.ceil(r.to.length / r.from.length + 1)));
      cur = tmp.subarray(0, replaceInto(cur, 0, cur.length, r.from, r.to, tmp, 0));
    }
    this.reserve(cur.length);
    this.out.set(cur, this.length);
    this.length += cur.length;
  }
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/**
 * Byte-level: each code point maps to one byte. A token with a code point
 * outside the map keeps its UTF-8 bytes as they are (the Rust decoder does so).
 */
function writeByteLevel(src: Uint8Array, s: number, e: number, out: Uint8Array, o: number): number {
  const map = unicodeToByte;
  let j = o;
  let k = s;
  while (k < e) {
    const b0 = src[k];
    let cp: number;
    if (b0 < 0x80) {
      cp = b0;
      k += 1;
    } else if ((b0 & 0xe0) === 0xc0 && k + 1 < e) {
      cp = ((b0 & 0x1f) << 6) | (src[k + 1] & 0x3f);
      k += 2;
    } else {
      cp = -1;
    }
    const b = cp >= 0 && cp < map.length ? map[cp] : -1;
    if (b < 0) {
      out.set(src.subarray(s, e), o);
      return o + (e - s);
    }
    out[j++] = b;
  }
  return j;
}

function replaceInto(src: Uint8Array, s: number, e: number, from: Uint8Array, to: Uint8Array, out: Uint8Array, o: number): number {
  const f0 = from[0];
  const fl = from.length;
  let j = o;
  let k = s;
  outer: while (k < e) {
    const c = src[k];
    if (c === f0 && k + fl <= e) {
      for (let m = 1; m < fl; m++) {
        if (src[k + m] !== from[m]) {
          out[j++] = c;
          k++;
          continue outer;
        }
      }
      out.set(to, j);
      j += to.length;
      k += fl;
    } else {
      out[j++] = c;
      k++;
    }
  }
  return j;
}
