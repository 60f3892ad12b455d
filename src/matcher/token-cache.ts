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
  /** Trie nodes right below an accepting node. */
  readonly children: Int32Array;
}

/** A group as stored in the shared cache: which of the state's (lexeme, regex) pairs accept. */
export interface SharedKernelGroup {
  /** Positions (pair indices) of the state's pairs whose lexemes end. */
  readonly positions: Int32Array;
  readonly byteStart: Int32Array;
  readonly children: Int32Array;
}

/** A cache entry independent of lexeme numbering: shared by grammars with equal regexes. */
export interface SharedTokenCacheEntry {
  readonly allow: Uint32Array;
  readonly groups: readonly SharedKernelGroup[];
}

/** The cache entry of one lexer state. */
export interface TokenCacheEntry {
  /** Tokens inside the lexeme(s): bitmask over the vocabulary. */
  readonly allow: Uint32Array;
  /** Crossing nodes grouped by accept set. */
  readonly groups: readonly KernelGroup[];
}

/**
 * The lexer-only walk from state `q`: returns the cache entry (inside tokens
 * and crossing nodes). `state` is scratch of at least `trie.maxDepth + 2`.
 */
export function buildTokenCache(q: number, lexer: LexerTable, trie: TokenTrie, maskWords: number, state: Int32Array): SharedTokenCacheEntry {
  const allow = new Uint32Array(maskWords);
  const n = trie.nodeCount;
  const byte = trie.byte;
  const subtree = trie.subtreeSize;
  const depthOf = trie.depth;
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  const groups = new Map<number, { acceptState: number; nodes: number[] }>();
  const byteOf = byte;
  state[0] = q;
  let i = 1;
  while (i < n) {
    const d = depthOf[i]!;
    const from = state[d - 1]!;
    let s = lexer.trans[from * 256 + byte[i]!]!;
    if (s < 0) s = lexer.next(from, byte[i]!);
    if (s === DEAD) {
      i += subtree[i]!;
      continue;
    }
    state[d] = s;
    const te = tokStart[i + 1]!;
    for (let k = tokStart[i]!; k < te; k++) {
      const id = tokIds[k]!;
      allow[id >>> 5]! |= 1 << (id & 31);
    }
    if (subtree[i]! > 1) {
      const set = lexer.acceptSet(s);
      if (set >= 0) {
        let g = groups.get(set);
        if (g === undefined) {
          g = { acceptState: s, nodes: [] };
          groups.set(set, g);
        }
        g.nodes.push(i);
      }
    }
    i++;
  }
  const out: SharedKernelGroup[] = [];
  const qPairs = lexer.stateItems(q);
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
    const positions: number[] = [];
    for (let a = lexer.acceptStart(g.acceptState); a < lexer.acceptEnd(g.acceptState); a++) {
      const lex = lexer.acceptedLexeme(a);
      for (let p = 0; p < qPairs.length; p += 2) if (qPairs[p] === lex) positions.push(p >> 1);
    }
    out.push({ positions: Int32Array.from(positions), byteStart, children });
  }
  return { allow, groups: out };
}
