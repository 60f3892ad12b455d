/**
 * Crossing tokens of grammars with guards.
 *
 * A token cache group pushes one parser kernel ("these lexemes ended here")
 * for all trie nodes where the lexemes may end, at the chart's current
 * position: the bytes of the token up to the node are not pushed. That is
 * exact for the parser (the kernel depends only on the origin set), and for
 * the JSON tracker the guards read only when those bytes leave its state
 * unchanged: the tracker is in a plain mode (outside keys and escapes) and
 * the path holds none of `{}[],:"\`. Nodes with such a "clean" path keep
 * the kernel; the others (e.g. a string's closing quote) are decided by
 * pushing the token's bytes through the chart, which is exact by itself.
 * Those walks only visit children whose first byte some thread of the
 * unguarded kernel takes (guards only remove items, so no other child can
 * live): after a key's closing quote that is `:` or whitespace, not the
 * whole vocabulary.
 */

import { DEAD, type LexerTable } from '../automaton/lexer.js';
import type { TokenTrie } from '../vocab/trie.js';
import type { EarleyChart } from './chart.js';
import { isPlainMode, isStructuralByte } from './json-tracker.js';
import type { KernelGroup } from './token-cache.js';

/** Per trie: parent of each node and whether its path holds a structural byte. */
interface TriePaths {
  readonly parent: Int32Array;
  readonly dirty: Uint8Array;
}

const triePaths = new WeakMap<TokenTrie, TriePaths>();

/** The parent of each trie node and whether its path holds a structural byte (per trie, once). */
function pathsOf(trie: TokenTrie): TriePaths {
  let p = triePaths.get(trie);
  if (p !== undefined) return p;
  const n = trie.nodeCount;
  const parent = new Int32Array(n).fill(-1);
  const dirty = new Uint8Array(n);
  const stack = new Int32Array(trie.maxDepth + 2);
  stack[0] = 0;
  for (let i = 1; i < n; i++) {
    const d = trie.depth[i]!;
    const par = stack[d - 1]!;
    parent[i] = par;
    dirty[i] = dirty[par]! | (isStructuralByte(trie.byte[i]!) ? 1 : 0);
    stack[d] = i;
  }
  p = { parent, dirty };
  triePaths.set(trie, p);
  return p;
}

/**
 * Adds to `mask` the crossing tokens of the groups of one thread (origin set
 * `origin`) at the chart's current set, for a grammar with guards.
 */
export function fillGuardedCrossing(
  chart: EarleyChart,
  lexer: LexerTable,
  trie: TokenTrie,
  groups: readonly KernelGroup[],
  origin: number,
  mask: Uint32Array,
  pathScratch: Uint8Array,
): void {
  const paths = pathsOf(trie);
  const k = chart.numSets - 1;
  const plain = isPlainMode(chart.tracker!.mode(k));
  for (const g of groups) {
    // Bytes some thread of the unguarded kernel takes: no other child can live.
    if (!chart.pushKernel(origin, g.lexemes, true)) continue;
    let nLive = 0;
    for (let b = 0; b < 256; b++) if (g.byteStart[b + 1]! > g.byteStart[b]! && takesByte(chart, lexer, b)) liveBytes[nLive++] = b;
    chart.popBytes(1);
    if (nLive === 0) continue;
    if (plain && chart.pushKernel(origin, g.lexemes)) {
      const nRedo = walkBuckets(chart, lexer, trie, paths, g, nLive, mask);
      chart.popBytes(1);
      // buckets where a guard read a key the kernel skipped: exactly, byte by byte
      for (let r = 0; r < nRedo; r++) {
        const b = redo[r]!;
        for (let i = g.byteStart[b]!; i < g.byteStart[b + 1]!; i++) {
          const c = g.children[i]!;
          if (!paths.dirty[paths.parent[c]!]) walkChild(chart, trie, paths, c, mask, pathScratch);
        }
      }
    }
    // Children below a dirty path (all of them outside plain modes). Where the
    // path only changes the tracker's mode (a string's closing quote, a
    // comma), a kernel in that mode; otherwise through the chart.
    let nd = 0;
    for (let l = 0; l < nLive; l++) {
      const b = liveBytes[l]!;
      for (let i = g.byteStart[b]!; i < g.byteStart[b + 1]!; i++) {
        const c = g.children[i]!;
        if (plain && !paths.dirty[paths.parent[c]!]) continue;
        if (nd >= dChild.length) growDirty();
        dChild[nd] = c;
        dMode[nd] = plain ? pathMode(chart, trie, paths, c, k, pathScratch) : -1;
        nd++;
      }
    }
    for (let m = 0; m < 8; m++) {
      let any = false;
      for (let i = 0; i < nd && !any; i++) any = dMode[i] === m;
      if (!any || !chart.pushKernel(origin, g.lexemes, false, m)) continue;
      walkModeChildren(chart, lexer, trie, nd, m, mask);
      chart.popBytes(1);
    }
    for (let i = 0; i < nd; i++) if (dMode[i]! < 0) walkChild(chart, trie, paths, dChild[i]!, mask, pathScratch);
  }
}

/** Dirty children of the current group (in byte order) and the tracker mode after their parent's path (-1: walk through the chart). */
let dChild = new Int32Array(256);
let dMode = new Int8Array(256);

function growDirty(): void {
  const c = new Int32Array(dChild.length * 2);
  c.set(dChild);
  dChild = c;
  const m = new Int8Array(dMode.length * 2);
  m.set(dMode);
  dMode = m;
}

/** The tracker mode after the path of `c`'s parent from set `k`, or -1 when it does more than change the mode. */
function pathMode(chart: EarleyChart, trie: TokenTrie, paths: TriePaths, c: number, k: number, scratch: Uint8Array): number {
  const p = paths.parent[c]!;
  const d = trie.depth[p]!;
  for (let x = p, i = d - 1; x > 0; x = paths.parent[x]!, i--) scratch[i] = trie.byte[x]!;
  return chart.tracker!.modeAfter(k, scratch, d);
}

/**
 * From a kernel set (tracker mode `m`): the dirty children with mode `m`,
 * one push per byte; a bucket where a guard read an unknown key falls back
 * to the chart walk (its entries get mode -1).
 */
function walkModeChildren(chart: EarleyChart, lexer: LexerTable, trie: TokenTrie, nd: number, m: number, mask: Uint32Array): void {
  const tr = chart.tracker!;
  const subtree = trie.subtreeSize;
  const depthOf = trie.depth;
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  let i = 0;
  while (i < nd) {
    if (dMode[i] !== m) {
      i++;
      continue;
    }
    const b = trie.byte[dChild[i]!]!;
    let j = i;
    while (j < nd && trie.byte[dChild[j]!] === b) j++;
    if (takesByte(chart, lexer, b)) {
      tr.unknownHit = false;
      foundLen = 0;
      if (chart.tryPushByte(b)) {
        for (let x = i; x < j; x++) {
          if (dMode[x] !== m) continue;
          const c = dChild[x]!;
          const te = tokStart[c + 1]!;
          for (let t = tokStart[c]!; t < te; t++) addFound(tokIds[t]!);
          const end = c + subtree[c]!;
          if (end > c + 1) walkSubtree(chart, trie, c + 1, end, depthOf[c]!, null);
        }
        chart.popBytes(1);
      }
      if (tr.unknownHit) {
        for (let x = i; x < j; x++) if (dMode[x] === m) dMode[x] = -1;
      } else {
        for (let x = 0; x < foundLen; x++) {
          const id = found[x]!;
          mask[id >>> 5]! |= 1 << (id & 31);
        }
      }
    }
    i = j;
  }
}

/** The live bytes of the current group (a list). */
const liveBytes = new Int32Array(256);
/** Bytes whose buckets {@link walkBuckets} could not decide. */
const redo = new Int32Array(256);
/** Tokens found in the current bucket, kept until the bucket is known to be exact. */
let found = new Int32Array(1024);
let foundLen = 0;

function addFound(id: number): void {
  if (foundLen >= found.length) {
    const f = new Int32Array(found.length * 2);
    f.set(found);
    found = f;
  }
  found[foundLen++] = id;
}

/** Whether some thread of the chart's current set takes byte `b`. */
function takesByte(chart: EarleyChart, lexer: LexerTable, b: number): boolean {
  for (let kt = chart.firstThread; kt < chart.endThread; kt++) {
    const kq = chart.threadState(kt);
    let nq = lexer.trans[kq * 256 + b]!;
    if (nq < 0) nq = lexer.next(kq, b);
    if (nq !== DEAD) return true;
  }
  return false;
}

/**
 * From a kernel set: the clean children of the live buckets, one push per
 * byte. Returns how many bytes it left in {@link redo}: buckets where a guard
 * read a key whose bytes the kernel skipped (their tokens are not added).
 */
function walkBuckets(chart: EarleyChart, lexer: LexerTable, trie: TokenTrie, paths: TriePaths, g: KernelGroup, nLive: number, mask: Uint32Array): number {
  const tr = chart.tracker!;
  const subtree = trie.subtreeSize;
  const depthOf = trie.depth;
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  let nRedo = 0;
  for (let l = 0; l < nLive; l++) {
    const b = liveBytes[l]!;
    if (!takesByte(chart, lexer, b)) continue;
    tr.unknownHit = false;
    foundLen = 0;
    if (chart.tryPushByte(b)) {
      for (let i = g.byteStart[b]!; i < g.byteStart[b + 1]!; i++) {
        const c = g.children[i]!;
        if (paths.dirty[paths.parent[c]!]) continue;
        const te = tokStart[c + 1]!;
        for (let t = tokStart[c]!; t < te; t++) addFound(tokIds[t]!);
        const end = c + subtree[c]!;
        if (end > c + 1) walkSubtree(chart, trie, c + 1, end, depthOf[c]!, null);
      }
      chart.popBytes(1);
    }
    if (tr.unknownHit) {
      redo[nRedo++] = b;
      continue;
    }
    for (let i = 0; i < foundLen; i++) {
      const id = found[i]!;
      mask[id >>> 5]! |= 1 << (id & 31);
    }
  }
  return nRedo;
}

/** Pushes the path of trie node `c`'s parent through the chart, then walks the subtree of `c`. */
function walkChild(chart: EarleyChart, trie: TokenTrie, paths: TriePaths, c: number, mask: Uint32Array, scratch: Uint8Array): void {
  const p = paths.parent[c]!;
  const d = trie.depth[p]!;
  for (let x = p, i = d - 1; x > 0; x = paths.parent[x]!, i--) scratch[i] = trie.byte[x]!;
  let pushed = 0;
  while (pushed < d && chart.tryPushByte(scratch[pushed]!)) pushed++;
  if (pushed === d) walkSubtree(chart, trie, c, c + trie.subtreeSize[c]!, d, mask);
  if (pushed > 0) chart.popBytes(pushed);
}

/**
 * Walks trie nodes `[from, to)` (a subtree whose root is at depth `base`)
 * with the chart, from its current state; sets the bits of accepted tokens
 * (or, with a null mask, adds them to the found list). Also the matcher's
 * walk of crossing subtrees in grammars without guards.
 */
export function walkSubtree(chart: EarleyChart, trie: TokenTrie, from: number, to: number, base: number, mask: Uint32Array | null): void {
  const byte = trie.byte;
  const subtree = trie.subtreeSize;
  const depthOf = trie.depth;
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  let pushed = 0;
  let j = from;
  while (j < to) {
    const want = depthOf[j]! - base - 1;
    if (pushed > want) {
      chart.popBytes(pushed - want);
      pushed = want;
    }
    if (chart.tryPushByte(byte[j]!)) {
      pushed++;
      const te = tokStart[j + 1]!;
      for (let k = tokStart[j]!; k < te; k++) {
        const id = tokIds[k]!;
        if (mask === null) addFound(id);
        else mask[id >>> 5]! |= 1 << (id & 31);
      }
      j++;
    } else {
      j += subtree[j]!;
    }
  }
  if (pushed > 0) chart.popBytes(pushed);
}
