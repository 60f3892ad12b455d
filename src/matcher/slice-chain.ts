/**
 * Which lexer states can use a token slice, and how many characters of it.
 *
 * For a slice of character class C (vocab/slice.ts) and lexer state x, one
 * product walk of C's byte DFA with the lexer decides:
 * - `x` *steps* to `y` when every character of C takes x to the same live
 *   state y, and every incomplete character leaves a live, non-accepting state
 *   (so no lexeme can end inside a character);
 * - `x` is *closed* when no first byte of a character of C is live from x;
 * - otherwise the slice does not describe x.
 * The chain `q = q0 → q1 → ... → qL` (where q1..qL accept the same lexemes,
 * or none: see {@link SliceChains.acceptState}) with `qL` closed, or running past the
 * slice's longest token, then says: from q, a slice token of s steps stays
 * inside the lexeme iff `s <= L`, and is dead otherwise. The state at any slice
 * node is known from its character count (plus its incomplete bytes), so
 * only the slice's exit subtrees need a walk. A loop (`x` steps to itself)
 * gives the whole slice; a `{0,n}` counter gives a chain of length n.
 */

import { DEAD, type LexerTable } from '../automaton/lexer.js';
import { jsonStringSlice, type SliceTrie, type TokenSlice } from '../vocab/slice.js';

const chainsByLexer = new WeakMap<LexerTable, WeakMap<TokenSlice, SliceChains>>();

/** The JSON-string slice chains of `lexer` over `trie` (one per lexer table and trie). */
export function jsonSliceChains(lexer: LexerTable, trie: SliceTrie): SliceChains {
  const slice = jsonStringSlice(trie);
  let bySlice = chainsByLexer.get(lexer);
  if (bySlice === undefined) {
    bySlice = new WeakMap();
    chainsByLexer.set(lexer, bySlice);
  }
  let c = bySlice.get(slice);
  if (c === undefined) {
    c = new SliceChains(lexer, slice);
    bySlice.set(slice, c);
  }
  return c;
}

/** Classification codes (successor states are >= 1). */
const UNKNOWN = -1;
const CLOSED = -2;
const OTHER = -3;

/** Per (lexer table, slice): memoised classification of lexer states. */
export class SliceChains {
  /** The slice. */
  readonly slice: TokenSlice;
  private readonly lexer: LexerTable;
  private cls = new Int32Array(256).fill(UNKNOWN);
  // Scratch of the product walk: pairs (dfa state, lexer state).
  private stackD = new Int32Array(64);
  private stackL = new Int32Array(64);

  constructor(lexer: LexerTable, slice: TokenSlice) {
    this.lexer = lexer;
    this.slice = slice;
  }

  /**
   * Fills `chain[0..L]` with q0..qL and returns L, the most steps a slice
   * token may take from `q` (`slice.maxSteps` when the chain runs that far),
   * or -1 when the slice does not describe `q`.
   */
  chain(q: number, chain: Int32Array): number {
    const max = this.slice.maxSteps;
    const lx = this.lexer;
    let x = q;
    chain[0] = q;
    this.acceptState = -1;
    let set = -1;
    for (let j = 0; j < max; j++) {
      const c = this.classify(x);
      if (c === CLOSED) return j;
      if (c === OTHER) return -1;
      // Between characters, either no lexeme ends, or always the same ones.
      const cs = lx.acceptSet(c);
      if (j === 0) {
        set = cs;
        if (cs >= 0) this.acceptState = c;
      } else if (cs !== set) return -1;
      if (c === x) {
        for (let k = j + 1; k <= max; k++) chain[k] = x;
        return max;
      }
      x = c;
      chain[j + 1] = x;
    }
    return max;
  }

  /**
   * After {@link chain}: a chain state whose accept set all of q1..qL share
   * (lexemes may end after every whole character), or -1 when none accepts.
   */
  acceptState = -1;

  /** Successor of `x` over one character, or CLOSED / OTHER (memoised). */
  private classify(x: number): number {
    if (x >= this.cls.length) {
      let n = this.cls.length;
      while (n <= x) n *= 2;
      const c = new Int32Array(n).fill(UNKNOWN);
      c.set(this.cls);
      this.cls = c;
    }
    let r = this.cls[x]!;
    if (r === UNKNOWN) {
      r = this.compute(x);
      this.cls[x] = r;
    }
    return r;
  }

  private compute(x: number): number {
    const lx = this.lexer;
    const tr = this.slice.dfa.trans;
    // Closed: every first byte dies.
    let anyLive = false;
    let anyDead = false;
    for (let b = 0; b < 256; b++) {
      if (tr[b]! < 0) continue;
      if (lx.next(x, b) === DEAD) anyDead = true;
      else anyLive = true;
    }
    if (!anyLive) return CLOSED;
    if (anyDead) return OTHER;
    // Steps: walk (dfa state, lexer state) pairs of incomplete characters.
    let succ = -1;
    let sp = 0;
    const seen = new Set<number>();
    this.stackD[sp] = 0;
    this.stackL[sp++] = x;
    while (sp > 0) {
      sp--;
      const ds = this.stackD[sp]!;
      const ls = this.stackL[sp]!;
      for (let b = 0; b < 256; b++) {
        const nd = tr[ds * 256 + b]!;
        if (nd < 0) continue;
        const nl = lx.next(ls, b);
        if (nl === DEAD) return OTHER;
        if (nd === 0) {
          if (succ < 0) succ = nl;
          else if (succ !== nl) return OTHER;
          continue;
        }
        if (lx.acceptEnd(nl) > lx.acceptStart(nl)) return OTHER;
        const key = nl * 256 + nd;
        if (seen.has(key)) continue;
        seen.add(key);
        if (sp >= this.stackD.length) {
          const d = new Int32Array(sp * 2);
          d.set(this.stackD);
          this.stackD = d;
          const l = new Int32Array(sp * 2);
          l.set(this.stackL);
          this.stackL = l;
        }
        this.stackD[sp] = nd;
        this.stackL[sp++] = nl;
      }
    }
    return succ;
  }
}
