/**
 * Sorting token byte strings for the trie. Order is lexicographic by
 * unsigned byte, a string before every extension of it, and equal strings
 * by increasing id (for more than 2^21 strings: in input order).
 *
 * A native numeric sort of 64-bit keys that pack the next
 * {@link PrefixBytes} bytes (base 257, digit 0 = "string ended") above the
 * id, then the same on each run of strings sharing those whole bytes, five
 * bytes deeper (prefix doubling, MSD); small runs end in insertion sort.
 * Beyond 2^21 ids an MSD radix sort is used instead. On the 262k Gemma-3
 * vocabulary this is ~2x faster than the radix sort alone and ~4x faster than
 * `Array.prototype.sort` with a comparator.
 */

/** Bytes packed into a key: 257^5 < 2^41, plus {@link IdBits} id bits, fits 62 bits. */
const PrefixBytes = 5;
/** Ids must stay below 2^21 for the packed key. */
const IdBits = 21;
const IdMask = (1 << IdBits) - 1;
/** Buckets below this size are finished by insertion sort. */
const SmallRange = 24;

/** Index of the low and high 32-bit word of a 64-bit element, by platform endianness. */
const LittleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const Lo = LittleEndian ? 0 : 1;
const Hi = LittleEndian ? 1 : 0;

/**
 * Sorts `ids` in place by the bytes `pool[start[id] .. start[id + 1])`.
 * @param pool concatenated byte strings
 * @param start offsets into `pool`, length (number of strings + 1)
 * @param ids the ids to sort (any subset of the strings)
 */
export function sortIdsByBytes(pool: Uint8Array, start: Uint32Array, ids: Int32Array): void {
  const n = ids.length;
  if (start.length - 1 > IdMask) {
    radixSort(pool, start, ids, new RadixScratch(n), 0, n, 0);
    return;
  }
  const keys = new BigUint64Array(n);
  const words = new Uint32Array(keys.buffer);
  // Work list of (lo, hi, depth): ids[lo..hi) share their first `depth` bytes.
  const stack: number[] = [0, n, 0];
  while (stack.length > 0) {
    const d = stack.pop()!;
    const h = stack.pop()!;
    const l = stack.pop()!;
    if (h - l < SmallRange) {
      insertionSort(pool, start, ids, l, h, d);
      continue;
    }
    for (let k = l; k < h; k++) {
      const id = ids[k];
      const s = start[id] + d;
      const len = start[id + 1] - s;
      let prefix = 0;
      for (let q = 0; q < PrefixBytes; q++) prefix = prefix * 257 + (q < len ? pool[s + q] + 1 : 0);
      // key = prefix * 2^21 + id, split into 32-bit words without losing bits.
      words[2 * k + Hi] = Math.floor(prefix / 2048);
      words[2 * k + Lo] = ((prefix % 2048) * 2097152 + id) >>> 0;
    }
    keys.subarray(l, h).sort();
    let runStart = l;
    let runPrefix = -1;
    for (let k = l; k <= h; k++) {
      let prefix = -2;
      if (k < h) {
        const lo = words[2 * k + Lo];
        ids[k] = lo & IdMask;
        prefix = words[2 * k + Hi] * 2048 + (lo >>> IdBits);
      }
      if (prefix === runPrefix) continue;
      // A run of one full-length prefix (its last digit is a byte, not "ended") needs the next bytes;
      // its ids are in increasing order, which the next pass keeps for ties.
      if (k - runStart > 1 && runPrefix % 257 !== 0) stack.push(runStart, k, d + PrefixBytes);
      runStart = k;
      runPrefix = prefix;
    }
  }
}

/** Reusable buffers of the radix sort. */
class RadixScratch {
  readonly tmp: Int32Array;
  readonly count = new Uint32Array(257);
  readonly stack: number[] = [];
  constructor(n: number) {
    this.tmp = new Int32Array(n);
  }
}

/** MSD radix sort of `ids[lo..hi)`, whose strings share their first `depth` bytes. */
function radixSort(
  pool: Uint8Array, start: Uint32Array, ids: Int32Array, scratch: RadixScratch,
  lo: number, hi: number, depth: number,
): void {
  if (hi - lo < SmallRange) {
    insertionSort(pool, start, ids, lo, hi, depth);
    return;
  }
  // Explicit work list instead of recursion: token strings can be 1000+ bytes long.
  const { tmp, count, stack } = scratch;
  stack.push(lo, hi, depth);
  while (stack.length > 0) {
    const d = stack.pop()!;
    const h = stack.pop()!;
    const l = stack.pop()!;
    if (h - l < SmallRange) {
      insertionSort(pool, start, ids, l, h, d);
      continue;
    }
    // Bucket 0: strings that end at depth d; bucket b + 1: next byte b.
    count.fill(0);
    for (let k = l; k < h; k++) {
      const id = ids[k];
      const s = start[id] + d;
      count[s < start[id + 1] ? pool[s] + 1 : 0]++;
    }
    let sum = l;
    for (let b = 0; b < 257; b++) {
      const c = count[b];
      count[b] = sum;
      sum += c;
    }
    for (let k = l; k < h; k++) {
      const id = ids[k];
      const s = start[id] + d;
      tmp[count[s < start[id + 1] ? pool[s] + 1 : 0]++] = id;
    }
    ids.set(tmp.subarray(l, h), l);
    // count[b] is now the end of bucket b; bucket 0 (ended strings) is done.
    let bStart = count[0];
    for (let b = 1; b < 257; b++) {
      const bEnd = count[b];
      if (bEnd - bStart > 1) stack.push(bStart, bEnd, d + 1);
      bStart = bEnd;
    }
  }
}

/** Compares strings `a` and `b` from byte `d` on (their first `d` bytes are equal). */
function compareFrom(pool: Uint8Array, start: Uint32Array, a: number, b: number, d: number): number {
  let i = start[a] + d;
  let j = start[b] + d;
  const ie = start[a + 1];
  const je = start[b + 1];
  while (i < ie && j < je) {
    const diff = pool[i] - pool[j];
    if (diff !== 0) return diff;
    i++;
    j++;
  }
  return (ie - i) - (je - j);
}

function insertionSort(pool: Uint8Array, start: Uint32Array, ids: Int32Array, lo: number, hi: number, d: number): void {
  for (let k = lo + 1; k < hi; k++) {
    const id = ids[k];
    let m = k - 1;
    while (m >= lo && compareFrom(pool, start, ids[m], id, d) > 0) {
      ids[m + 1] = ids[m];
      m--;
    }
    ids[m + 1] = id;
  }
}
