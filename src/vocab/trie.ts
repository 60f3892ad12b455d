/**
 * The flat token trie and the walk that fills a token bitmask.
 *
 * All non-empty token byte strings are sorted and laid out as a trie in DFS
 * pre-order in typed arrays (llguidance `toktrie`, see DESIGN.md §4). Node 0
 * is the root; the children of a node follow it directly, and the subtree of
 * node `i` is the index range `[i, i + subtreeSize[i])`. The walk advances a
 * byte-level {@link Recognizer} one byte per edge and skips a whole subtree
 * as soon as a byte is rejected, so a mask costs about one `tryPushByte` per
 * live trie node, with no allocation.
 *
 * Bitmask layout (shared with XGrammar and llguidance): token `id` is allowed
 * when bit `id & 31` of word `id >>> 5` is set.
 */
import { sortIdsByBytes } from './bytesort.js';

/** Byte-level recognizer the trie walk drives (the grammar matcher implements it). */
export interface Recognizer {
  /** Tries to advance by byte `b`; on success pushes one state and returns true, else leaves state unchanged. */
  tryPushByte(b: number): boolean;
  /** Pops the `n` most recently pushed states. */
  popBytes(n: number): void;
}

/**
 * A token trie in DFS order, in flat typed arrays. Build it with
 * {@link TokenTrie.build}; walk it with {@link walkTrie}.
 */
export class TokenTrie {
  /** Number of nodes; node 0 is the root (depth 0, no byte). */
  readonly nodeCount: number;
  /** Edge byte into node i (i >= 1); 0 for the root. */
  readonly byte: Uint8Array;
  /** Nodes in the subtree of i, itself included; the next sibling-or-later node is `i + subtreeSize[i]`. */
  readonly subtreeSize: Uint32Array;
  /**
   * How many pushed bytes to pop when leaving i's subtree: `depth(i) - depth(j) + 1`
   * where `j = i + subtreeSize[i]` is the node after the subtree in DFS order
   * (depth 0 when there is none, i.e. at the end of the trie).
   */
  readonly popCount: Uint16Array;
  /** Depth of node i (bytes from the root). */
  readonly depth: Uint16Array;
  /** Length nodeCount + 1; tokens ending exactly at node i are `tokIds[tokStart[i] .. tokStart[i + 1])`. */
  readonly tokStart: Uint32Array;
  /** Token ids by node, in increasing id order per node (several ids can share one byte string). */
  readonly tokIds: Int32Array;
  /** Length of the longest token in bytes (the deepest node). */
  readonly maxDepth: number;

  private constructor(
    byte: Uint8Array, subtreeSize: Uint32Array, popCount: Uint16Array, depth: Uint16Array,
    tokStart: Uint32Array, tokIds: Int32Array, maxDepth: number,
  ) {
    this.nodeCount = byte.length;
    this.byte = byte;
    this.subtreeSize = subtreeSize;
    this.popCount = popCount;
    this.depth = depth;
    this.tokStart = tokStart;
    this.tokIds = tokIds;
    this.maxDepth = maxDepth;
  }

  /**
   * Builds the trie of the given token byte strings.
   * @param tokens byte string of each token, index = token id; an empty array excludes the id
   *   (special tokens, padding, gaps)
   */
  static build(tokens: readonly Uint8Array[]): TokenTrie {
    let total = 0;
    for (const t of tokens) total += t.length;
    const pool = new Uint8Array(total);
    const start = new Uint32Array(tokens.length + 1);
    let off = 0;
    for (let id = 0; id < tokens.length; id++) {
      start[id] = off;
      pool.set(tokens[id], off);
      off += tokens[id].length;
    }
    start[tokens.length] = off;
    return TokenTrie.fromPool(pool, start);
  }

  /**
   * Builds the trie from byte strings packed in one pool: token `id` is
   * `pool[start[id] .. start[id + 1])`; empty strings are excluded.
   * @internal
   */
  static fromPool(pool: Uint8Array, start: Uint32Array): TokenTrie {
    // Each loop is its own small function: V8 optimizes each on its own
    // (on-stack replacement of one big function recompiles it per loop).
    const n = start.length - 1;
    const maxLen = maxLength(start);
    if (maxLen > 0xfffe) throw new RangeError(`token of ${maxLen} bytes exceeds the trie depth limit 65534`);
    const order = nonEmptyIds(start);
    sortIdsByBytes(pool, start, order);
    const cap = 1 + (start[n] - start[0]); // the root plus one node per byte, at most
    const byte = new Uint8Array(cap);
    const depth = new Uint16Array(cap);
    const subtree = new Uint32Array(cap);
    const tokNode = new Int32Array(order.length);
    const nodes = layOut(pool, start, order, maxLen, byte, depth, subtree, tokNode);
    return new TokenTrie(
      byte.slice(0, nodes), subtree.slice(0, nodes), popCounts(depth, subtree, nodes), depth.slice(0, nodes),
      tokenStarts(tokNode, nodes), order, maxLen,
    );
  }
}

/** Length of the longest string. */
function maxLength(start: Uint32Array): number {
  let maxLen = 0;
  for (let id = 0; id + 1 < start.length; id++) {
    const len = start[id + 1] - start[id];
    if (len > maxLen) maxLen = len;
  }
  return maxLen;
}

/** Ids of the non-empty strings, ascending. */
function nonEmptyIds(start: Uint32Array): Int32Array {
  const n = start.length - 1;
  let count = 0;
  for (let id = 0; id < n; id++) if (start[id + 1] > start[id]) count++;
  const ids = new Int32Array(count);
  for (let id = 0, k = 0; id < n; id++) if (start[id + 1] > start[id]) ids[k++] = id;
  return ids;
}

/**
 * Creates the nodes of the sorted strings in DFS order: fills `byte`,
 * `depth`, `subtree` and `tokNode` (the node each sorted string ends at).
 * @returns the node count
 */
function layOut(
  pool: Uint8Array, start: Uint32Array, order: Int32Array, maxLen: number,
  byte: Uint8Array, depth: Uint16Array, subtree: Uint32Array, tokNode: Int32Array,
): number {
  const path = new Int32Array(maxLen + 1); // path[d] = node at depth d on the current path
  let nodes = 1;
  let pathLen = 0; // depth of the deepest node on the current path
  let prev = -1;
  for (let k = 0; k < order.length; k++) {
    const id = order[k];
    const s = start[id];
    const len = start[id + 1] - s;
    // Longest common prefix with the previous string (the current path).
    let lcp = 0;
    if (prev >= 0) {
      const ps = start[prev];
      const m = len < pathLen ? len : pathLen;
      while (lcp < m && pool[ps + lcp] === pool[s + lcp]) lcp++;
    }
    // Close the nodes below the common prefix.
    for (let d = pathLen; d > lcp; d--) subtree[path[d]] = nodes - path[d];
    for (let d = lcp; d < len; d++) {
      const node = nodes++;
      byte[node] = pool[s + d];
      depth[node] = d + 1;
      path[d + 1] = node;
    }
    pathLen = len;
    tokNode[k] = path[len];
    prev = id;
  }
  for (let d = pathLen; d > 0; d--) subtree[path[d]] = nodes - path[d];
  subtree[0] = nodes;
  return nodes;
}

/** popCount[i] = depth(i) - depth(i + subtree[i]) + 1, depth 0 past the end. */
function popCounts(depth: Uint16Array, subtree: Uint32Array, nodes: number): Uint16Array {
  const popCount = new Uint16Array(nodes);
  for (let i = 0; i < nodes; i++) {
    const j = i + subtree[i];
    popCount[i] = depth[i] - (j < nodes ? depth[j] : 0) + 1;
  }
  return popCount;
}

/**
 * Sorted strings end at non-decreasing nodes (a string sorts before its
 * extensions, equal strings by id), so the sorted ids are `tokIds` and only
 * the per-node starts are needed.
 */
function tokenStarts(tokNode: Int32Array, nodes: number): Uint32Array {
  const tokStart = new Uint32Array(nodes + 1);
  for (let k = 0; k < tokNode.length; k++) tokStart[tokNode[k] + 1]++;
  for (let i = 0; i < nodes; i++) tokStart[i + 1] += tokStart[i];
  return tokStart;
}

/**
 * Sets in `mask` (bit `id & 31` of word `id >>> 5`) every token whose whole
 * byte string the recognizer accepts, starting from its current state; does
 * not clear `mask` first. The recognizer is left in the state it started in.
 * @returns the number of trie nodes visited (calls to `tryPushByte`)
 */
export function walkTrie(trie: TokenTrie, r: Recognizer, mask: Uint32Array): number {
  const n = trie.nodeCount;
  const byte = trie.byte;
  const subtree = trie.subtreeSize;
  const popCount = trie.popCount;
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  let i = 1;
  let nextPop = 0; // pops owed before the next push (deferred to save calls)
  let visited = 0;
  while (i < n) {
    if (nextPop !== 0) r.popBytes(nextPop);
    visited++;
    if (r.tryPushByte(byte[i])) {
      const te = tokStart[i + 1];
      for (let k = tokStart[i]; k < te; k++) {
        const id = tokIds[k];
        mask[id >>> 5] |= 1 << (id & 31);
      }
      // A leaf is left at once: pop it and the ancestors it closes.
      nextPop = subtree[i] === 1 ? popCount[i] : 0;
      i++;
    } else {
      // Node i was not pushed: pop only the ancestors its subtree closes.
      nextPop = popCount[i] - 1;
      i += subtree[i];
    }
  }
  // The end of the trie counts as depth 0 in popCount, one below the root's
  // children, so the last pop is one too many.
  if (nextPop > 1) r.popBytes(nextPop - 1);
  return visited;
}

/** Allocates a token bitmask for `size` tokens: `Uint32Array(ceil(size / 32))`, all zero. */
export function allocateBitmask(size: number): Uint32Array {
  if (!Number.isInteger(size) || size < 0) throw new RangeError(`bitmask size must be a non-negative integer, got ${size}`);
  return new Uint32Array((size + 31) >>> 5);
}
