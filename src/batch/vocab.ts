/**
 * The vocabulary as workers receive it: the token byte pool and offsets in
 * SharedArrayBuffers (one copy in memory for all workers), the logits size
 * and the EOS ids. Each worker builds its own trie from them; compiling and
 * masking need nothing else (no encoder: `encode` is not available there).
 */
import { InvalidArgumentError } from '../errors.js';
import type { MatcherVocabulary } from '../matcher/compiled.js';
import { TokenTrie } from '../vocab/trie.js';

/** What `workerData` carries of the vocabulary. */
export interface VocabularyData {
  /** Name for messages (`llama3.1`, a path, `synthetic`). */
  name: string;
  /** Logits size. */
  size: number;
  /** EOS ids. */
  eosIds: number[];
  /** Token `id` is `pool[start[id] .. start[id + 1])` (empty for special tokens and padding). */
  pool: Uint8Array;
  /** Offsets into `pool`, length `size + 1`. */
  start: Uint32Array;
}

/** Copies a vocabulary's token bytes into shared memory. */
export function vocabularyData(vocab: MatcherVocabulary, name = 'vocabulary'): VocabularyData {
  const size = vocab.size;
  const packed = vocab as Partial<{ tokenPool: Uint8Array; tokenStart: Uint32Array }>;
  let srcPool: Uint8Array;
  let srcStart: Uint32Array;
  if (packed.tokenPool instanceof Uint8Array && packed.tokenStart instanceof Uint32Array && packed.tokenStart.length === size + 1) {
    srcPool = packed.tokenPool;
    srcStart = packed.tokenStart;
  } else {
    // Any MatcherVocabulary: pack tokenBytes(id) for every id.
    const parts: Uint8Array[] = [];
    srcStart = new Uint32Array(size + 1);
    let off = 0;
    for (let id = 0; id < size; id++) {
      const b = vocab.tokenBytes(id);
      srcStart[id] = off;
      parts.push(b);
      off += b.length;
    }
    srcStart[size] = off;
    srcPool = new Uint8Array(off);
    for (let id = 0; id < size; id++) srcPool.set(parts[id]!, srcStart[id]!);
  }
  const base = srcStart[0]!;
  const bytes = srcStart[size]! - base;
  const pool = new Uint8Array(new SharedArrayBuffer(Math.max(1, bytes)), 0, bytes);
  pool.set(srcPool.subarray(base, base + bytes));
  const start = new Uint32Array(new SharedArrayBuffer(4 * (size + 1)));
  for (let id = 0; id <= size; id++) start[id] = srcStart[id]! - base;
  return { name, size, eosIds: [...vocab.eosIds], pool, start };
}

/** The vocabulary a worker compiles against, built from {@link VocabularyData}. */
export function workerVocabulary(d: VocabularyData): MatcherVocabulary {
  const { pool, start, size } = d;
  return {
    size,
    eosIds: Object.freeze([...d.eosIds]),
    trie: TokenTrie.fromPool(pool, start),
    tokenBytes(id: number): Uint8Array {
      if (!(id >= 0 && id < size)) throw new RangeError(`token id ${id} out of range [0, ${size})`);
      return pool.subarray(start[id], start[id + 1]);
    },
    encode(): number[] {
      throw new InvalidArgumentError('encode is not available in a batch mask worker (it holds token bytes, not the tokenizer)');
    },
  };
}
