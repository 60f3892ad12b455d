/**
 * Sorting token byte strings for the trie: an MSD radix sort over a byte
 * pool, with insertion sort for small buckets. Order is lexicographic by
 * unsigned byte, a string before every extension of it, and equal strings
 * in their input order (stable). On the 262k Gemma-3 vocabulary this is
 * several times faster than `Array.prototype.sort` with a comparator.
 */

/** Buckets below this size are finished by insertion sort. */
const SmallRange = 24;

/**
 * Sorts `ids` in place by the bytes `pool[start[id] .. start[id + 1])`.
 * @param pool concatenated byte strings
 * @param start offsets into `pool`, length (number of strings + 1)
 * @param ids the ids to sort (any subset of the strings)
 */
export function sortIdsByBytes(pool: Uint8Array, start: Uint32Array, ids: Int32Array): void {
  const tmp = new Int32Array(ids.length);
  sortRange(pool, start, ids, tmp, 0, ids.length, 0);
}

function sortRange(
  pool: Uint8Array, start: Uint32Array, ids: Int32Array, tmp: Int32Array,
  lo: number, hi: number, depth: number,
): void {
  // Explicit work list instead of recursion: token strings can be 1000+ bytes long.
  const stack: number[] = [lo, hi, depth];
  const count = new Uint32Array(257);
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
