/**
 * Per-lexer-state token caches: most of a mask without the parser.
 *
 * For a lexer thread in DFA state `q`, split every token `t` three ways:
 * - **inside** (`allow`): the thread survives all of `t`'s bytes. Then `t` is
 *   viable whatever the parser stack is (the lexeme can still end, and every
 *   rule is productive), so these tokens depend on `q` alone: XGrammar's
 *   context-independent tokens, usually > 99% of those allowed.
 * - **crossing**: a lexeme may end inside `t`, at trie node `i` where the
 *   thread's state accepts. What follows depends on the parser, but only
 *   through the origin set (fixed for one mask) and the set of lexemes that
 *   end there. So the nodes are grouped by accept set; a mask pushes one
 *   parser kernel ("these lexemes ended here") per group and walks the
 *   subtrees below the group's nodes from it.
 * - **dead**: neither. Never allowed through this thread.
 *
 * Exactness: a viable path for `t` either keeps this thread alive to the
 * end (inside), or its first parser event is a lexeme of this thread ending
 * at some node of `t`'s path (crossing). Earley closure distributes over
 * unions of kernels, so checking each accept set's kernel separately
 * decides the same as the chart would on the whole token.
 *
 * The entry is a by-product of one lexer-only walk of the trie (one table
 * read per live node), so the first visit of a state costs that walk and
 * later visits cost an OR of the bitmask plus the crossing subtrees.
 */

import { DEAD, type LexerTable } from '../automaton/lexer.js';
import type { TokenTrie } from '../vocab/trie.js';
import type { SliceChains } from './slice-chain.js';
import type { TokenSlice } from '../vocab/slice.js';

/**
 * Trie nodes where lexemes with one accept set may end, below which the
 * parser decides. Stored as the children of those nodes bucketed by their
 * byte, so a mask tries each first byte once from the kernel and skips whole
 * buckets the parser rejects (after an identifier that may end anywhere,
 * only a few bytes can start what follows).
 */
export interface KernelGroup {
  /** The lexemes that end (this grammar's lexeme ids). */
  readonly lexemes: Int32Array;
  /** Children with first byte b: `children[byteStart[b]..byteStart[b+1])`. */
  readonly byteStart: Int32Array;
  /** The bytes b with children, ascending. */
  readonly bytes: Uint8Array;
  /** Trie nodes right below an accepting node. */
  readonly children: Int32Array;
  /**
   * A slice whose boundary nodes of 1..`sliceMax` characters are accepting
   * nodes too: their children that stay in the slice are not listed (there
   * are very many); they are `slice.boundaryChildren()` with those counts.
   */
  readonly slice: TokenSlice | null;
  readonly sliceMax: number;
}

/** A group as stored in the shared cache: which of the state's (lexeme, regex) pairs accept. */
export interface SharedKernelGroup {
  /** Positions (pair indices) of the state's pairs whose lexemes end. */
  readonly positions: Int32Array;
  readonly byteStart: Int32Array;
  readonly bytes: Uint8Array;
  readonly children: Int32Array;
  readonly slice: TokenSlice | null;
  readonly sliceMax: number;
}

/**
 * A cache entry independent of lexeme numbering: shared by grammars with equal regexes.
 * The inside tokens are `base | allow | allowIds` (each part may be absent).
 */
export interface SharedTokenCacheEntry {
  /** A slice mask shared by many entries (do not modify); may be shorter than a mask. */
  readonly base: Uint32Array | null;
  /** Inside tokens outside `base`, as a bitmask (many) ... */
  readonly allow: Uint32Array | null;
  /** ... or as a list of ids (few). */
  readonly allowIds: Int32Array | null;
  readonly groups: readonly SharedKernelGroup[];
}

/** The cache entry of one lexer state. */
export interface TokenCacheEntry {
  /** Inside tokens: a shared slice mask (may be shorter than a mask), or null. */
  readonly base: Uint32Array | null;
  /** More inside tokens as a bitmask, or null. */
  readonly allow: Uint32Array | null;
  /** More inside tokens as ids, or null. */
  readonly allowIds: Int32Array | null;
  /** Crossing nodes grouped by accept set. */
  readonly groups: readonly KernelGroup[];
}

/** Scratch of {@link buildTokenCache}, reusable across calls (one per thread). */
export class TokenCacheScratch {
  /** Lexer state per trie depth. */
  state = new Int32Array(0);
  /** Chain of lexer states of a slice. */
  chain = new Int32Array(0);
  /** Inside token ids collected by a walk. */
  ids = new Int32Array(1024);
  count = 0;
  /** Crossing nodes by accept set. */
  groups = new Map<number, { acceptState: number; nodes: number[] }>();

  ensure(depth: number, steps: number): void {
    if (this.state.length < depth + 2) this.state = new Int32Array(depth + 2);
    if (this.chain.length < steps + 1) this.chain = new Int32Array(steps + 1);
  }
}

/** Largest id list kept sparse, as a fraction of the mask words. */
const SPARSE_PER_WORD = 1;

/**
 * Lexer-only walk of the trie nodes `[i, end)` (whole subtrees), the state
 * before each node's byte at `state[depth - 1]`: collects inside tokens into
 * `sc.ids` and crossing nodes into `sc.groups`.
 */
function lexWalk(lexer: LexerTable, trie: TokenTrie, sc: TokenCacheScratch, i: number, end: number): void {
  const byte = trie.byte;
  const subtree = trie.subtreeSize;
  const depthOf = trie.depth;
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  const state = sc.state;
  let trans = lexer.trans;
  let ids = sc.ids;
  let count = sc.count;
  while (i < end) {
    const d = depthOf[i]!;
    const from = state[d - 1]!;
    let s = trans[from * 256 + byte[i]!]!;
    if (!(s >= 0)) {
      // Unknown (or past the end of a table that has grown since): compute.
      s = lexer.next(from, byte[i]!);
      trans = lexer.trans;
    }
    if (s === DEAD) {
      i += subtree[i]!;
      continue;
    }
    state[d] = s;
    const te = tokStart[i + 1]!;
    for (let k = tokStart[i]!; k < te; k++) {
      if (count === ids.length) {
        const g = new Int32Array(count * 2);
        g.set(ids);
        ids = g;
      }
      ids[count++] = tokIds[k]!;
    }
    if (subtree[i]! > 1) {
      const set = lexer.acceptSet(s);
      if (set >= 0) {
        let g = sc.groups.get(set);
        if (g === undefined) {
          g = { acceptState: s, nodes: [] };
          sc.groups.set(set, g);
        }
        g.nodes.push(i);
      }
    }
    i++;
  }
  sc.ids = ids;
  sc.count = count;
}

/**
 * The lexer-only walk from state `q`: returns the cache entry (inside tokens
 * and crossing nodes). With `chains`, a state the slice describes gets the
 * slice's tokens by one shared mask and only the slice's exit subtrees are
 * walked (exact: see slice-chain.ts); other states walk the whole trie.
 */
export function buildTokenCache(
  q: number, lexer: LexerTable, trie: TokenTrie, maskWords: number, sc: TokenCacheScratch, chains?: SliceChains,
): SharedTokenCacheEntry {
  sc.ensure(trie.maxDepth, chains?.slice.maxSteps ?? 0);
  sc.count = 0;
  sc.groups.clear();
  const state = sc.state;
  let base: Uint32Array | null = null;
  let sliceGroup: SharedKernelGroup | null = null;
  const L = chains !== undefined ? chains.chain(q, sc.chain) : -1;
  if (L >= 0) {
    const slice = chains!.slice;
    const chain = sc.chain;
    if (L > 0) base = slice.maskUpTo(L);
    const exitNode = slice.exitNode;
    const exitChars = slice.exitChars;
    const exitPartial = slice.exitPartial;
    const depthOf = trie.depth;
    const subtree = trie.subtreeSize;
    for (let k = 0; k < exitNode.length; k++) {
      const j = exitChars[k]!;
      const p = exitPartial[k]!;
      const plen = p >>> 24;
      // The parent's state: q_j, then the incomplete character's bytes.
      if (j > L || (j === L && plen > 0)) continue;
      let x = chain[j]!;
      for (let t = 0; t < plen && x !== DEAD; t++) x = lexer.next(x, (p >>> (8 * t)) & 0xff);
      if (x === DEAD) continue;
      const e = exitNode[k]!;
      state[depthOf[e]! - 1] = x;
      lexWalk(lexer, trie, sc, e, e + subtree[e]!);
    }
    if (chains!.acceptState >= 0) sliceGroup = sliceKernelGroup(q, lexer, trie, chains!.acceptState, slice, L);
  } else {
    state[0] = q;
    lexWalk(lexer, trie, sc, 1, trie.nodeCount);
  }
  let allow: Uint32Array | null = null;
  let allowIds: Int32Array | null = null;
  const count = sc.count;
  if (count > maskWords * SPARSE_PER_WORD) {
    allow = new Uint32Array(maskWords);
    const ids = sc.ids;
    for (let k = 0; k < count; k++) {
      const id = ids[k]!;
      allow[id >>> 5]! |= 1 << (id & 31);
    }
  } else if (count > 0) allowIds = sc.ids.slice(0, count);
  const groups = kernelGroups(q, lexer, trie, sc.groups);
  if (sliceGroup !== null) groups.push(sliceGroup);
  return { base, allow, allowIds, groups };
}

/** Positions (pair indices of state `q`) of the lexemes state `acc` accepts. */
function acceptPositions(q: number, lexer: LexerTable, acc: number): Int32Array {
  const qPairs = lexer.stateItems(q);
  const positions: number[] = [];
  for (let a = lexer.acceptStart(acc); a < lexer.acceptEnd(acc); a++) {
    const lex = lexer.acceptedLexeme(a);
    for (let p = 0; p < qPairs.length; p += 2) if (qPairs[p] === lex) positions.push(p >> 1);
  }
  return Int32Array.from(positions);
}

/**
 * The group of a slice whose chain states accept (a lexeme may end after
 * every character): the children that leave the slice (exits below a
 * boundary node of 1..L characters) are listed; those that stay are implied.
 */
function sliceKernelGroup(q: number, lexer: LexerTable, trie: TokenTrie, acc: number, slice: TokenSlice, L: number): SharedKernelGroup {
  const byteOf = trie.byte;
  const byteStart = new Int32Array(257);
  const exitNode = slice.exitNode;
  const exitChars = slice.exitChars;
  const exitPartial = slice.exitPartial;
  const take = (k: number): boolean => exitPartial[k] === 0 && exitChars[k]! >= 1 && exitChars[k]! <= L;
  let total = 0;
  for (let k = 0; k < exitNode.length; k++) {
    if (!take(k)) continue;
    byteStart[byteOf[exitNode[k]!]! + 1]!++;
    total++;
  }
  for (let b = 0; b < 256; b++) byteStart[b + 1]! += byteStart[b]!;
  const fill = byteStart.slice(0, 256);
  const children = new Int32Array(total);
  for (let k = 0; k < exitNode.length; k++) if (take(k)) children[fill[byteOf[exitNode[k]!]!]!++] = exitNode[k]!;
  return { positions: acceptPositions(q, lexer, acc), byteStart, bytes: nonEmptyBytes(byteStart), children, slice, sliceMax: L };
}

function nonEmptyBytes(byteStart: Int32Array): Uint8Array {
  let nb = 0;
  for (let b = 0; b < 256; b++) if (byteStart[b + 1]! > byteStart[b]!) nb++;
  const bytes = new Uint8Array(nb);
  for (let b = 0, k = 0; b < 256; b++) if (byteStart[b + 1]! > byteStart[b]!) bytes[k++] = b;
  return bytes;
}

/** The crossing nodes' children bucketed by byte, per accept set. */
function kernelGroups(q: number, lexer: LexerTable, trie: TokenTrie, groups: Map<number, { acceptState: number; nodes: number[] }>): SharedKernelGroup[] {
  const subtree = trie.subtreeSize;
  const byteOf = trie.byte;
  const out: SharedKernelGroup[] = [];
  for (const g of groups.values()) {
    const byteStart = new Int32Array(257);
    let total = 0;
    for (const i of g.nodes) {
      const end = i + subtree[i]!;
      for (let c = i + 1; c < end; c += subtree[c]!) {
        byteStart[byteOf[c]! + 1]!++;
        total++;
      }
    }
    for (let b = 0; b < 256; b++) byteStart[b + 1]! += byteStart[b]!;
    const fill = byteStart.slice(0, 256);
    const children = new Int32Array(total);
    for (const i of g.nodes) {
      const end = i + subtree[i]!;
      for (let c = i + 1; c < end; c += subtree[c]!) children[fill[byteOf[c]!]!++] = c;
    }
    out.push({ positions: acceptPositions(q, lexer, g.acceptState), byteStart, bytes: nonEmptyBytes(byteStart), children, slice: null, sliceMax: 0 });
  }
  return out;
}
