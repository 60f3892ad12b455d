/**
 * Per-lexer-state token caches: most of a mask without the parser.
 *
 * For a lexer thread in DFA state `q`, split every token `t` three ways:
 * - **inside** (`allow`): the thread survives all of `t`'s bytes. Then `t` is
 *   viable whatever the parser stack is (the lexeme can still end, and every
 *   rule is productive), so these tokens depend on `q` alone: XGrammar's
 *   context-independent tokens, usually > 99% of those allowed.
 * - **crossing** (`groups`): the thread dies inside `t`, but before that it
 *   passed states where lexemes could end. For each such point, `t` splits
 *   into the lexeme part and a *rest*; the parser configuration after the
 *   split depends only on the origin set (fixed for one mask) and on which
 *   lexemes end there (the accept set). So rests are grouped per accept set,
 *   deduplicated and sorted, and a mask checks each distinct rest once from
 *   that configuration, then sets the bits of all tokens sharing it.
 * - **dead**: neither. Never allowed through this thread.
 *
 * Exactness: a viable path for `t` either keeps this thread alive to the
 * end (inside), or its first parser event is a lexeme ending at some point
 * of this thread (a crossing split). Earley closure distributes over unions
 * of kernels, so checking each split's kernel separately decides the same.
 */

import { DEAD, type LexerTable } from '../automaton/lexer.js';
import { TokenTrie } from '../vocab/trie.js';

/**
 * Rests of crossing tokens for one accept set, as a trie (identical rests
 * share a node, common prefixes share a path, a dead byte skips a subtree).
 */
export interface RestGroup {
  /** A lexer state whose accept list is this group's accept set. */
  readonly acceptState: number;
  /** Trie of the rests; its "token ids" are entry indices into `entryToken`. */
  readonly trie: TokenTrie;
  /** Token id of each rest entry. */
  readonly entryToken: Int32Array;
}

/** The cache entry of one lexer state. */
export interface TokenCacheEntry {
  /** Tokens inside the lexeme(s): bitmask over the vocabulary. */
  readonly allow: Uint32Array;
  /** Crossing tokens grouped by accept set. */
  readonly groups: readonly RestGroup[];
}

/** Most (token, split) pairs a cache entry may hold before the state is walked directly instead. */
export const MAX_CROSSING_ENTRIES = 400_000;

/**
 * Builds the cache entry of lexer state `q`: one lexer-only walk of the trie.
 * Returns null when the crossing set is too large to be worth caching.
 */
export function buildTokenCache(
  q: number,
  lexer: LexerTable,
  trie: TokenTrie,
  tokenBytes: (id: number) => Uint8Array,
  maskWords: number,
): TokenCacheEntry | null {
  const allow = new Uint32Array(maskWords);
  const n = trie.nodeCount;
  const byte = trie.byte;
  const subtree = trie.subtreeSize;
  const depthOf = trie.depth;
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  const maxDepth = trie.maxDepth + 2;
  const state = new Int32Array(maxDepth);
  // Accept points on the current path: depth and accepting state.
  const accDepth = new Int32Array(maxDepth);
  const accState = new Int32Array(maxDepth);
  let accCount = 0;
  state[0] = q;
  // Crossing entries, collected per accept-set key.
  const groups = new Map<string, { acceptState: number; tokens: number[]; offsets: number[]; bytes: number }>();
  let total = 0;
  const keyOf = (s: number): string => {
    let k = '';
    for (let a = lexer.acceptStart(s); a < lexer.acceptEnd(s); a++) k += lexer.acceptedLexeme(a) + ',';
    return k;
  };
  const keyCache = new Map<number, string>();
  let i = 1;
  while (i < n) {
    const d = depthOf[i]!;
    while (accCount > 0 && accDepth[accCount - 1]! >= d) accCount--;
    const from = state[d - 1]!;
    let s = lexer.trans[from * 256 + byte[i]!]!;
    if (s < 0) s = lexer.next(from, byte[i]!);
    if (s === DEAD) {
      if (accCount > 0) {
        const end = i + subtree[i]!;
        for (let p = 0; p < accCount; p++) {
          const ad = accDepth[p]!;
          const as = accState[p]!;
          let key = keyCache.get(as);
          if (key === undefined) {
            key = keyOf(as);
            keyCache.set(as, key);
          }
          let g = groups.get(key);
          if (g === undefined) {
            g = { acceptState: as, tokens: [], offsets: [], bytes: 0 };
            groups.set(key, g);
          }
          for (let node = i; node < end; node++) {
            for (let k = tokStart[node]!; k < tokStart[node + 1]!; k++) {
              const id = tokIds[k]!;
              g.tokens.push(id);
              g.offsets.push(ad);
              g.bytes += tokenBytes(id).length - ad;
              if (++total > MAX_CROSSING_ENTRIES) return null;
            }
          }
        }
      }
      i += subtree[i]!;
      continue;
    }
    state[d] = s;
    for (let k = tokStart[i]!; k < tokStart[i + 1]!; k++) {
      const id = tokIds[k]!;
      allow[id >>> 5]! |= 1 << (id & 31);
    }
    if (lexer.acceptEnd(s) > lexer.acceptStart(s)) {
      accDepth[accCount] = d;
      accState[accCount] = s;
      accCount++;
    }
    i++;
  }
  const out: RestGroup[] = [];
  for (const g of groups.values()) out.push(packGroup(g.acceptState, g.tokens, g.offsets, g.bytes, tokenBytes));
  return { allow, groups: out };
}

function packGroup(
  acceptState: number,
  tokens: number[],
  offsets: number[],
  bytes: number,
  tokenBytes: (id: number) => Uint8Array,
): RestGroup {
  const pool = new Uint8Array(bytes);
  const start = new Uint32Array(tokens.length + 1);
  let off = 0;
  for (let e = 0; e < tokens.length; e++) {
    start[e] = off;
    const rest = tokenBytes(tokens[e]!).subarray(offsets[e]!);
    pool.set(rest, off);
    off += rest.length;
  }
  start[tokens.length] = off;
  return { acceptState, trie: TokenTrie.fromPool(pool, start), entryToken: Int32Array.from(tokens) };
}
