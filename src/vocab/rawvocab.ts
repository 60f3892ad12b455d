/**
 * The model vocabulary of a tokenizer.json as raw UTF-8 key bytes: what the
 * fast scanner of the file produces without building 262k JS strings, and
 * what a parsed JSON object is converted to, so both paths share the byte
 * mapping code.
 */
import { utf8Decode, utf8EncodeInto } from '../util/utf8.js';

/** Model vocabulary entries (token string -> id) as byte ranges of one buffer. */
export interface RawVocab {
  /** Buffer holding the key bytes. */
  readonly text: Uint8Array;
  /** Number of entries. */
  readonly count: number;
  /** Token id of each entry. */
  readonly ids: Int32Array;
  /** Start of each entry's key bytes in `text`. */
  readonly keyStart: Uint32Array;
  /** End (exclusive) of each entry's key bytes in `text`. */
  readonly keyEnd: Uint32Array;
  /**
   * 1 when the key bytes are JSON string contents holding a backslash escape
   * (they must be unescaped before use); 0 when they are the key's plain UTF-8.
   */
  readonly escaped: Uint8Array;
}

/** Decodes the token string of entry `k`. */
export function rawKeyText(raw: RawVocab, k: number): string {
  const s = raw.keyStart[k];
  const e = raw.keyEnd[k];
  if (raw.escaped[k] === 0) return utf8Decode(raw.text.subarray(s, e));
  // JSON string contents: decode with the quotes around them.
  return JSON.parse('"' + utf8Decode(raw.text.subarray(s, e)) + '"') as string;
}

/** Builds a raw vocabulary from token strings and their ids. */
export function rawVocabFromStrings(keys: readonly string[], ids: readonly number[]): RawVocab {
  const count = keys.length;
  let cap = 0;
  for (const k of keys) cap += k.length * 3;
  const text = new Uint8Array(cap);
  const keyStart = new Uint32Array(count);
  const keyEnd = new Uint32Array(count);
  let off = 0;
  for (let k = 0; k < count; k++) {
    keyStart[k] = off;
    off += utf8EncodeInto(keys[k], text, off);
    keyEnd[k] = off;
  }
  return {
    text: text.subarray(0, off), count, ids: Int32Array.from(ids), keyStart, keyEnd,
    escaped: new Uint8Array(count),
  };
}
