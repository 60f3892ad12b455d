/**
 * Token slices: the tokens made only of one character class, precomputed
 * per vocabulary (llguidance's "slicer", DESIGN.md §4).
 *
 * A slice is given by a small byte-level DFA of one character of the class
 * (state 0 = between characters; a transition back to 0 completes one
 * character). Walking the trie with it once sorts every node:
 * - *in the slice*: its path is characters of the class, possibly followed by
 *   an incomplete one; the token ending there needs `steps` characters of room
 *   (complete ones, plus one for a trailing incomplete one);
 * - *exit*: its own byte leaves the class while its parent is in the slice
 *   (or is the root). Every token not in the slice lies in exactly one exit
 *   node's subtree.
 * A lexer state that takes any `k` characters of the class in a row (a loop,
 * or a counter with `k` left) then allows exactly the slice tokens of at most
 * `k` steps ({@link TokenSlice.maskUpTo}), and only the exit subtrees need a
 * walk (matcher/slice-chain.ts decides when a state qualifies).
 */

/** A byte-level DFA of one character of a class: `trans[s * 256 + b]`, -1 dead, 0 = character complete. */
export interface CharDfa {
  /** Transitions; state 0 is the start (between characters). */
  readonly trans: Int8Array;
  /** Short name for debugging. */
  readonly name: string;
}

/**
 * One UTF-8 encoded code point in `U+0020..U+10FFFF` other than `"` and `\`
 * (surrogates excluded): the characters a JSON string holds unescaped.
 */
export function jsonStringCharDfa(): CharDfa {
  const t = new Int8Array(8 * 256).fill(-1);
  const set = (s: number, lo: number, hi: number, to: number): void => {
    for (let b = lo; b <= hi; b++) t[s * 256 + b] = to;
  };
  set(0, 0x20, 0x7f, 0);
  t[0x22] = -1;
  t[0x5c] = -1;
  set(0, 0xc2, 0xdf, 1);
  set(0, 0xe0, 0xe0, 2);
  set(0, 0xe1, 0xec, 3);
  set(0, 0xed, 0xed, 4);
  set(0, 0xee, 0xef, 3);
  set(0, 0xf0, 0xf0, 5);
  set(0, 0xf1, 0xf3, 6);
  set(0, 0xf4, 0xf4, 7);
  set(1, 0x80, 0xbf, 0);
  set(2, 0xa0, 0xbf, 1);
  set(3, 0x80, 0xbf, 1);
  set(4, 0x80, 0x9f, 1);
  set(5, 0x90, 0xbf, 3);
  set(6, 0x80, 0xbf, 3);
  set(7, 0x80, 0x8f, 3);
  return { trans: t, name: 'json-string-chars' };
}

/** What a slice needs of the token trie (structurally a `TokenTrie`). */
export interface SliceTrie {
  readonly nodeCount: number;
  readonly byte: Uint8Array;
  readonly subtreeSize: Uint32Array;
  readonly depth: Uint16Array;
  readonly tokStart: Uint32Array;
  readonly tokIds: Int32Array;
  readonly maxDepth: number;
}

/** The tokens of one character class over one trie (see the module comment). */
export class TokenSlice {
  /** The character DFA. */
  readonly dfa: CharDfa;
  /** Words of the masks (covers every token id of the trie). */
  readonly words: number;
  /** Most steps of any node in the slice (so of any slice token, and of any exit's parent). */
  readonly maxSteps: number;
  /** Exit nodes in DFS order. */
  readonly exitNode: Int32Array;
  /** Complete characters on the exit node's parent path. */
  readonly exitChars: Int32Array;
  /**
   * The parent path's trailing incomplete character, packed: byte `i` at bits
   * `8i..8i+7`, length in bits 24..25 (0: the parent ends a character).
   */
  readonly exitPartial: Int32Array;
  /** Slice token ids sorted by steps; tokens of `s` steps are `ids[stepStart[s]..stepStart[s+1])`. */
  private readonly ids: Int32Array;
  private readonly stepStart: Int32Array;
  private readonly masks: (Uint32Array | undefined)[];

  /** Sorts the nodes of `trie` by one walk with `dfa`. */
  constructor(trie: SliceTrie, dfa: CharDfa) {
    this.dfa = dfa;
    this.trie = trie;
    const starts: number[] = [];
    for (let b = 0; b < 256; b++) if (dfa.trans[b]! >= 0) starts.push(b);
    this.startBytes = Uint8Array.from(starts);
    const n = trie.nodeCount;
    const { byte, depth, subtreeSize: subtree, tokStart, tokIds } = trie;
    let maxId = -1;
    for (let k = 0; k < tokIds.length; k++) if (tokIds[k]! > maxId) maxId = tokIds[k]!;
    this.words = (maxId + 32) >>> 5;
    const tr = dfa.trans;
    // Per depth: DFA state and complete characters after the node at that depth.
    const sState = new Int32Array(trie.maxDepth + 2);
    const sChars = new Int32Array(trie.maxDepth + 2);
    const sPartial = new Int32Array(trie.maxDepth + 2);
    const tokSteps = new Int32Array(tokIds.length).fill(-1);
    const exitNode: number[] = [];
    const exitChars: number[] = [];
    const exitPartial: number[] = [];
    let maxSteps = 0;
    let i = 1;
    while (i < n) {
      const d = depth[i]!;
      const ps = sState[d - 1]!;
      const b = byte[i]!;
      const s = tr[ps * 256 + b]!;
      if (s < 0) {
        exitNode.push(i);
        exitChars.push(sChars[d - 1]!);
        exitPartial.push(sPartial[d - 1]!);
        i += subtree[i]!;
        continue;
      }
      let chars = sChars[d - 1]!;
      let partial = 0;
      if (s === 0) chars++;
      else {
        const p = sPartial[d - 1]!;
        const len = p >>> 24;
        partial = ((len + 1) << 24) | (p & 0xffffff) | (b << (8 * len));
      }
      sState[d] = s;
      sChars[d] = chars;
      sPartial[d] = partial;
      const steps = chars + (s === 0 ? 0 : 1);
      const te = tokStart[i + 1]!;
      for (let k = tokStart[i]!; k < te; k++) tokSteps[k] = steps;
      if (steps > maxSteps) maxSteps = steps;
      i++;
    }
    this.maxSteps = maxSteps;
    this.exitNode = Int32Array.from(exitNode);
    this.exitChars = Int32Array.from(exitChars);
    this.exitPartial = Int32Array.from(exitPartial);
    const start = new Int32Array(maxSteps + 2);
    for (let k = 0; k < tokSteps.length; k++) if (tokSteps[k]! > 0) start[tokSteps[k]! + 1]!++;
    for (let s = 0; s <= maxSteps; s++) start[s + 1]! += start[s]!;
    const fill = start.slice();
    const ids = new Int32Array(start[maxSteps + 1]!);
    for (let k = 0; k < tokSteps.length; k++) if (tokSteps[k]! > 0) ids[fill[tokSteps[k]!]!++] = tokIds[k]!;
    this.ids = ids;
    this.stepStart = start;
    this.masks = new Array(maxSteps + 1);
  }

  /** Bytes that can start a character of the class, ascending. */
  readonly startBytes: Uint8Array;
  private childStart: Int32Array | undefined;
  private childNode: Int32Array | undefined;
  private childChars: Int32Array | undefined;
  private readonly trie: SliceTrie;

  /**
   * In-slice nodes with first byte `b` whose parent ends a character of the
   * slice (at least one): `node[start[b]..start[b+1])`, with the parent's
   * character count in `chars`. Built on first use (one walk of the trie).
   */
  boundaryChildren(): { start: Int32Array; node: Int32Array; chars: Int32Array } {
    if (this.childStart === undefined) {
      const trie = this.trie;
      const { byte, depth, subtreeSize: subtree } = trie;
      const tr = this.dfa.trans;
      const sState = new Int32Array(trie.maxDepth + 2);
      const sChars = new Int32Array(trie.maxDepth + 2);
      const nodes: number[] = [];
      const chars: number[] = [];
      const bytes: number[] = [];
      const count = new Int32Array(257);
      let i = 1;
      while (i < trie.nodeCount) {
        const d = depth[i]!;
        const ps = sState[d - 1]!;
        const s = tr[ps * 256 + byte[i]!]!;
        if (s < 0) {
          i += subtree[i]!;
          continue;
        }
        if (ps === 0 && sChars[d - 1]! >= 1) {
          nodes.push(i);
          chars.push(sChars[d - 1]!);
          bytes.push(byte[i]!);
          count[byte[i]! + 1]!++;
        }
        sState[d] = s;
        sChars[d] = sChars[d - 1]! + (s === 0 ? 1 : 0);
        i++;
      }
      for (let b = 0; b < 256; b++) count[b + 1]! += count[b]!;
      const fill = count.slice(0, 256);
      const node = new Int32Array(nodes.length);
      const ch = new Int32Array(nodes.length);
      for (let k = 0; k < nodes.length; k++) {
        const at = fill[bytes[k]!]!++;
        node[at] = nodes[k]!;
        ch[at] = chars[k]!;
      }
      this.childStart = count;
      this.childNode = node;
      this.childChars = ch;
    }
    return { start: this.childStart, node: this.childNode!, chars: this.childChars! };
  }

  /** Number of slice tokens. */
  get size(): number {
    return this.ids.length;
  }

  /**
   * Bitmask (shared, do not modify) of the slice tokens needing at most `k`
   * steps (`k >= maxSteps`: the whole slice). Built on first use.
   */
  maskUpTo(k: number): Uint32Array {
    if (k > this.maxSteps) k = this.maxSteps;
    if (k < 0) k = 0;
    const hit = this.masks[k];
    if (hit !== undefined) return hit;
    // Start from the largest smaller mask already built.
    let j = k - 1;
    while (j >= 0 && this.masks[j] === undefined) j--;
    const m = j >= 0 ? this.masks[j]!.slice() : new Uint32Array(this.words);
    const ids = this.ids;
    const end = this.stepStart[k + 1]!;
    for (let t = this.stepStart[j + 1]!; t < end; t++) {
      const id = ids[t]!;
      m[id >>> 5]! |= 1 << (id & 31);
    }
    this.masks[k] = m;
    return m;
  }
}

const jsonSlices = new WeakMap<object, TokenSlice>();

/** The JSON-string-character slice of `trie` (built once per trie, on first use). */
export function jsonStringSlice(trie: SliceTrie): TokenSlice {
  let s = jsonSlices.get(trie);
  if (s === undefined) {
    s = new TokenSlice(trie, jsonStringCharDfa());
    jsonSlices.set(trie, s);
  }
  return s;
}
