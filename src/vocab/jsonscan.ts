/**
 * A fast structural scan of tokenizer.json bytes. `JSON.parse` of a 33 MB
 * Gemma-3 file takes ~0.75 s, mostly for the half-million BPE merges, which
 * the vocabulary does not need (only the encoder does, and it is built
 * lazily). The scan walks the bytes (JSON structure is ASCII, so UTF-8
 * continuation bytes never look like it), skips `model.merges`, reads the
 * `model.vocab` object in place into a {@link RawVocab}, and `JSON.parse`s
 * only the small rest. Anything unexpected makes it give up (`undefined`);
 * the caller then parses the whole file, which also yields the precise
 * syntax error for invalid JSON.
 *
 * Skipping the merges byte by byte still costs ~0.2 s cold on Gemma-3, so
 * for the layout every `tokenizers` (serde) export has, where `merges` is
 * the last member of `model` and `model` the last member of the document,
 * the end of the merges array is read from the end of the file instead. The
 * shortcut is taken only when all the standard members were already seen
 * before `merges` (so nothing the vocabulary needs can follow it) and the
 * file ends in `] } }`; the merges themselves are validated when the
 * encoder parses the whole file.
 */
import type { RawVocab } from './rawvocab.js';

/** What the scan extracts from a tokenizer.json. */
export interface ScannedTokenizer {
  /** The whole document except `model.merges` and, when `vocab` is set, `model.vocab`. */
  readonly head: Record<string, unknown>;
  /** The `model.vocab` object read in place; undefined when it is not an object (e.g. Unigram's array). */
  readonly vocab: RawVocab | undefined;
}

/** Thrown inside the scanner when the bytes are not what it expects. */
class ScanFailure extends Error {}

const Quote = 0x22;
const Backslash = 0x5c;
const Colon = 0x3a;
const Comma = 0x2c;
const LBrace = 0x7b;
const RBrace = 0x7d;
const LBracket = 0x5b;
const RBracket = 0x5d;

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });

/**
 * Scans tokenizer.json bytes. Returns `undefined` when the document has a
 * shape the scanner does not handle (or is not valid JSON).
 */
export function scanTokenizerJson(buf: Uint8Array): ScannedTokenizer | undefined {
  try {
    return scan(buf);
  } catch (e) {
    if (e instanceof ScanFailure || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

function scan(buf: Uint8Array): ScannedTokenizer {
  let i = 0;
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
  const rootPieces: string[] = [];
  const modelPieces: string[] = [];
  let vocab: RawVocab | undefined;
  let sawModel = false;
  const seen = new Set<string>();
  i = members(buf, i, (key, ks, vs) => {
    if (key !== 'model' || buf[vs] !== LBrace) {
      const ve = skipValue(buf, vs);
      rootPieces.push(decoder.decode(buf.subarray(ks, ve)));
      seen.add(key);
      return ve;
    }
    sawModel = true;
    return members(buf, vs, (mkey, mks, mvs) => {
      if (mkey === 'vocab' && buf[mvs] === LBrace) {
        const r = readVocab(buf, mvs);
        vocab = r.vocab;
        seen.add('model.vocab');
        return r.end;
      }
      if (mkey === 'merges' && buf[mvs] === LBracket && StandardMembers.every((m) => seen.has(m))) {
        const end = mergesEndFromTail(buf);
        if (end > mvs) return end;
      }
      seen.add('model.' + mkey);
      const mve = skipValue(buf, mvs);
      if (mkey !== 'merges') modelPieces.push(decoder.decode(buf.subarray(mks, mve)));
      return mve;
    });
  });
  if (skipWs(buf, i) !== buf.length) throw new ScanFailure();
  if (sawModel) rootPieces.push('"model":{' + modelPieces.join(',') + '}');
  const head = JSON.parse('{' + rootPieces.join(',') + '}') as Record<string, unknown>;
  return { head, vocab };
}

/** Members that precede `model.merges` in every serde-written tokenizer.json. */
const StandardMembers = ['added_tokens', 'normalizer', 'pre_tokenizer', 'post_processor', 'decoder', 'model.type', 'model.vocab'];

/** If the file ends in `] } }` (whitespace aside), the index after that `]`; else -1. */
function mergesEndFromTail(buf: Uint8Array): number {
  let i = buf.length - 1;
  const back = (): number => {
    while (i >= 0 && (buf[i] === 0x20 || buf[i] === 0x0a || buf[i] === 0x0d || buf[i] === 0x09)) i--;
    return i >= 0 ? buf[i--] : -1;
  };
  if (back() !== RBrace || back() !== RBrace || back() !== RBracket) return -1;
  return i + 2;
}

function skipWs(buf: Uint8Array, i: number): number {
  for (;;) {
    const c = buf[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
    else return i;
  }
}

/** Index after the string starting at the quote at `i`. */
function skipString(buf: Uint8Array, i: number): number {
  const n = buf.length;
  i++;
  while (i < n) {
    const c = buf[i++];
    if (c === Quote) return i;
    if (c === Backslash) i++;
  }
  throw new ScanFailure();
}

/** Index after the JSON value starting at `i` (no whitespace before it). */
function skipValue(buf: Uint8Array, i: number): number {
  const n = buf.length;
  const c0 = buf[i];
  if (c0 === Quote) return skipString(buf, i);
  if (c0 === LBrace || c0 === LBracket) {
    let depth = 0;
    while (i < n) {
      const c = buf[i++];
      if (c === Quote) {
        while (i < n) {
          const d = buf[i++];
          if (d === Quote) break;
          if (d === Backslash) i++;
        }
      } else if (c === LBrace || c === LBracket) depth++;
      else if (c === RBrace || c === RBracket) {
        if (--depth === 0) return i;
      }
    }
    throw new ScanFailure();
  }
  // Number or literal: up to the next delimiter.
  const s = i;
  while (i < n) {
    const c = buf[i];
    if (c === Comma || c === RBrace || c === RBracket || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) break;
    i++;
  }
  if (i === s) throw new ScanFailure();
  return i;
}

/**
 * Iterates the members of the object at `i`: calls `fn(key, keyStart, valueStart)`,
 * which returns the index after the value. Returns the index after the object.
 */
function members(buf: Uint8Array, i: number, fn: (key: string, keyStart: number, valueStart: number) => number): number {
  i = skipWs(buf, i);
  if (buf[i] !== LBrace) throw new ScanFailure();
  i = skipWs(buf, i + 1);
  if (buf[i] === RBrace) return i + 1;
  for (;;) {
    if (buf[i] !== Quote) throw new ScanFailure();
    const ks = i;
    const ke = skipString(buf, i);
    const key = JSON.parse(decoder.decode(buf.subarray(ks, ke))) as string;
    i = skipWs(buf, ke);
    if (buf[i] !== Colon) throw new ScanFailure();
    i = skipWs(buf, i + 1);
    i = skipWs(buf, fn(key, ks, i));
    if (buf[i] === Comma) i = skipWs(buf, i + 1);
    else if (buf[i] === RBrace) return i + 1;
    else throw new ScanFailure();
  }
}

/** Reads a `{"token": id, ...}` object in place. */
function readVocab(buf: Uint8Array, i: number): { vocab: RawVocab; end: number } {
  const n = buf.length;
  let cap = 1024;
  let ids = new Int32Array(cap);
  let keyStart = new Uint32Array(cap);
  let keyEnd = new Uint32Array(cap);
  let escaped = new Uint8Array(cap);
  let count = 0;
  const base = i;
  i = skipWs(buf, i + 1);
  if (buf[i] !== RBrace) {
    for (;;) {
      if (buf[i] !== Quote) throw new ScanFailure();
      const ks = ++i;
      let esc = 0;
      for (;;) {
        if (i >= n) throw new ScanFailure();
        const c = buf[i++];
        if (c === Quote) break;
        if (c === Backslash) {
          esc = 1;
          i++;
        } else if (c < 0x20) throw new ScanFailure();
      }
      const ke = i - 1;
      i = skipWs(buf, i);
      if (buf[i] !== Colon) throw new ScanFailure();
      i = skipWs(buf, i + 1);
      let id = 0;
      const ds = i;
      for (;;) {
        const c = buf[i];
        if (c < 0x30 || c > 0x39) break;
        id = id * 10 + (c - 0x30);
        i++;
      }
      if (i === ds || i - ds > 9) throw new ScanFailure();
      if (count === cap) {
        cap *= 2;
        ids = grow(ids, new Int32Array(cap));
        keyStart = grow(keyStart, new Uint32Array(cap));
        keyEnd = grow(keyEnd, new Uint32Array(cap));
        escaped = grow(escaped, new Uint8Array(cap));
      }
      ids[count] = id;
      keyStart[count] = ks - base;
      keyEnd[count] = ke - base;
      escaped[count] = esc;
      count++;
      i = skipWs(buf, i);
      if (buf[i] === Comma) i = skipWs(buf, i + 1);
      else if (buf[i] === RBrace) break;
      else throw new ScanFailure();
    }
  }
  const end = i + 1;
  const text = new Uint8Array(end - base); // a copy, so the file buffer can be freed
  text.set(buf.subarray(base, end));
  return {
    vocab: {
      text, count,
      ids: ids.subarray(0, count), keyStart: keyStart.subarray(0, count),
      keyEnd: keyEnd.subarray(0, count), escaped: escaped.subarray(0, count),
    },
    end,
  };
}

function grow<T extends Int32Array | Uint32Array | Uint8Array>(old: T, bigger: T): T {
  bigger.set(old);
  return bigger;
}
