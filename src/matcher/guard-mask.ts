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

/** A kernel group split by whether the crossing node's path is clean. */
interface GroupSplit {
  /** Clean children bucketed by byte (as in {@link KernelGroup}). */
  readonly byteStart: Int32Array;
  readonly children: Int32Array;
  /** Distinct crossing nodes with a dirty path. */
  readonly dirtyNodes: Int32Array;
  /** All distinct crossing nodes. */
  readonly allNodes: Int32Array;
}

const triePaths = new WeakMap<TokenTrie, TriePaths>();
const splits = new WeakMap<KernelGroup, GroupSplit>();

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

function splitOf(g: KernelGroup, trie: TokenTrie, paths: TriePaths): GroupSplit {
  let s = splits.get(g);
  if (s !== undefined) return s;
  const byteStart = new Int32Array(257);
  const clean: number[] = [];
  const dirtySet = new Set<number>();
  const allSet = new Set<number>();
  for (let k = 0; k < g.children.length; k++) {
    const c = g.children[k]!;
    const par = paths.parent[c]!;
    allSet.add(par);
    if (paths.dirty[par]) dirtySet.add(par);
    else {
      clean.push(c);
      byteStart[trie.byte[c]! + 1]!++;
    }
  }
  for (let b = 0; b < 256; b++) byteStart[b + 1]! += byteStart[b]!;
  const fill = byteStart.slice(0, 256);
  const children = new Int32Array(clean.length);
  for (const c of clean) children[fill[trie.byte[c]!]!++] = c;
  s = { byteStart, children, dirtyNodes: Int32Array.from(dirtySet), allNodes: Int32Array.from(allSet) };
  splits.set(g, s);
  return s;
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
    const s = splitOf(g, trie, paths);
    if (plain && s.children.length > 0 && chart.pushKernel(origin, g.lexemes)) {
      walkBuckets(chart, lexer, trie, s.byteStart, s.children, mask);
      chart.popBytes(1);
    }
    const nodes = plain ? s.dirtyNodes : s.allNodes;
    for (let i = 0; i < nodes.length; i++) walkBelow(chart, trie, paths, nodes[i]!, mask, pathScratch);
  }
}

/** From a kernel set: the children bucketed by byte, one push per byte. */
function walkBuckets(chart: EarleyChart, lexer: LexerTable, trie: TokenTrie, byteStart: Int32Array, children: Int32Array, mask: Uint32Array): void {
  const subtree = trie.subtreeSize;
  const depthOf = trie.depth;
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  const kt0 = chart.firstThread;
  const kt1 = chart.endThread;
  for (let b = 0; b < 256; b++) {
    const cs = byteStart[b]!;
    const ce = byteStart[b + 1]!;
    if (cs === ce) continue;
    let live = false;
    for (let kt = kt0; kt < kt1 && !live; kt++) {
      const kq = chart.threadState(kt);
      let nq = lexer.trans[kq * 256 + b]!;
      if (nq < 0) nq = lexer.next(kq, b);
      live = nq !== DEAD;
    }
    if (!live || !chart.tryPushByte(b)) continue;
    for (let k = cs; k < ce; k++) {
      const c = children[k]!;
      const te = tokStart[c + 1]!;
      for (let t = tokStart[c]!; t < te; t++) {
        const id = tokIds[t]!;
        mask[id >>> 5]! |= 1 << (id & 31);
      }
      const end = c + subtree[c]!;
      if (end > c + 1) walkSubtree(chart, trie, c + 1, end, depthOf[c]!, mask);
    }
    chart.popBytes(1);
  }
}

/** Pushes the path of trie node `p` through the chart, then walks the subtrees of its children. */
function walkBelow(chart: EarleyChart, trie: TokenTrie, paths: TriePaths, p: number, mask: Uint32Array, scratch: Uint8Array): void {
  const d = trie.depth[p]!;
  for (let x = p, i = d - 1; x > 0; x = paths.parent[x]!, i--) scratch[i] = trie.byte[x]!;
  let pushed = 0;
  while (pushed < d && chart.tryPushByte(scratch[pushed]!)) pushed++;
  if (pushed === d) walkSubtree(chart, trie, p + 1, p + trie.subtreeSize[p]!, d, mask);
  if (pushed > 0) chart.popBytes(pushed);
}

/**
 * Walks trie nodes `[from, to)` (a subtree whose root is at depth `base`)
 * with the chart, from its current state; sets the bits of accepted tokens.
 */
function walkSubtree(chart: EarleyChart, trie: TokenTrie, from: number, to: number, base: number, mask: Uint32Array): void {
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
        mask[id >>> 5]! |= 1 << (id & 31);
      }
      j++;
    } else {
      j += subtree[j]!;
    }
  }
  if (pushed > 0) chart.popBytes(pushed);
}
