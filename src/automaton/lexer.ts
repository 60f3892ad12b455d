/**
 * The lazy lexer DFA: runs several lexemes side by side over bytes.
 *
 * A lexer state is a sorted set of `(lexeme, regex)` pairs, every regex live
 * (not NOTHING); state 0 is the dead state (the empty set). States are
 * hash-consed, and transitions are filled in on first use into one flat
 * `Int32Array` table (`UNKNOWN` until computed), so the hot path is one array
 * read per byte. The table only grows; ids never change, so a matcher can keep
 * state ids across steps and share the table with every other matcher of the
 * same compiled grammar (on one thread).
 */

import { LimitExceededError } from '../errors.js';
import { EPSILON, NOTHING, type RegexStore } from './regex.js';

/** The dead lexer state. */
export const DEAD = 0;
const UNKNOWN = -1;

/** Limits of a lexer table. */
export interface LexerLimits {
  /** Most lexer states. Default 200,000. */
  maxLexerStates?: number;
}

/** Lazily built multi-lexeme DFA over bytes. */
export class LexerTable {
  /** Regex store the lexemes live in. */
  readonly store: RegexStore;
  /** Regex id of each lexeme. */
  readonly lexemes: Int32Array;
  /** Transitions: `trans[state * 256 + byte]`, `-1` until computed. */
  trans: Int32Array;
  /** Per state, the lexemes that may end here: `acceptList[acceptStart[s]..acceptStart[s+1])`. */
  private acceptStartArr: number[] = [0, 0];
  private acceptListArr: number[] = [];
  /** Per state: id of its accept set (its accepted lexemes), -1 when it accepts none. */
  private acceptSetIds: number[] = [-1];
  private readonly acceptSetIndex = new Map<string, number>();
  /** Per state: 1 when some byte may follow (some regex is not just the empty string). */
  private advanceable: number[] = [0];
  /** Per state: flattened (lexeme, regex) pairs. */
  private readonly items: Int32Array[] = [new Int32Array(0)];
  /** Hash of a state's pairs → states with that hash. */
  private readonly index = new Map<number, number[]>();
  private readonly startIndex = new Map<string, number>();
  private readonly maxStates: number;
  /** Number of states. */
  size = 1;

  /** Per lexeme, 8 words: bytes that can follow its end (all bytes when not given). */
  private readonly lexemeFollow: Uint32Array | undefined;
  /** Per state, 8 words: the union of the follow bytes of the lexemes it accepts (lazily). */
  private followBits = new Uint32Array(0);
  private followDone = new Uint8Array(0);

  constructor(store: RegexStore, lexemes: readonly number[], limits: LexerLimits = {}, lexemeFollow?: Uint32Array) {
    this.store = store;
    this.lexemeFollow = lexemeFollow;
    this.lexemes = Int32Array.from(lexemes);
    this.maxStates = limits.maxLexerStates ?? 200_000;
    this.trans = new Int32Array(256 * 64).fill(UNKNOWN);
    this.trans.fill(DEAD, 0, 256);
  }

  /** Start state for the given lexemes (sorted ascending, distinct). */
  start(lexemes: ArrayLike<number>, count: number): number {
    let key = '';
    for (let i = 0; i < count; i++) key += lexemes[i] + ',';
    const hit = this.startIndex.get(key);
    if (hit !== undefined) return hit;
    const pairs: number[] = [];
    for (let i = 0; i < count; i++) pairs.push(lexemes[i]!, this.lexemes[lexemes[i]!]!);
    const s = this.intern(pairs);
    this.startIndex.set(key, s);
    return s;
  }

  private intern(pairs: number[]): number {
    if (pairs.length === 0) return DEAD;
    // Hash-consing by a numeric hash of the pairs, buckets compared element-wise.
    let h = 0x811c9dc5;
    for (let i = 0; i < pairs.length; i++) h = Math.imul(h ^ pairs[i]!, 0x01000193);
    const bucket = this.index.get(h);
    if (bucket !== undefined) {
      for (let k = 0; k < bucket.length; k++) {
        const other = this.items[bucket[k]!]!;
        if (other.length !== pairs.length) continue;
        let same = true;
        for (let i = 0; i < pairs.length && same; i++) same = other[i] === pairs[i];
        if (same) return bucket[k]!;
      }
    }
    const id = this.size;
    if (id >= this.maxStates) throw new LimitExceededError('maxLexerStates', this.maxStates, 'too many lexer states');
    this.size++;
    this.items.push(Int32Array.from(pairs));
    if (bucket !== undefined) bucket.push(id);
    else this.index.set(h, [id]);
    if ((id + 1) * 256 > this.trans.length) {
      const t = new Int32Array(this.trans.length * 2).fill(UNKNOWN);
      t.set(this.trans);
      this.trans = t;
    }
    const nullable = this.store.nullable;
    let adv = 0;
    let setKey = '';
    for (let i = 0; i < pairs.length; i += 2) {
      if (nullable[pairs[i + 1]!]) {
        this.acceptListArr.push(pairs[i]!);
        setKey += pairs[i] + ',';
      }
      if (pairs[i + 1] !== EPSILON) adv = 1;
    }
    this.advanceable.push(adv);
    let setId = -1;
    if (setKey !== '') {
      setId = this.acceptSetIndex.get(setKey) ?? this.acceptSetIndex.size;
      this.acceptSetIndex.set(setKey, setId);
    }
    this.acceptSetIds.push(setId);
    this.acceptStartArr.push(this.acceptListArr.length);
    return id;
  }

  /** Next state from `state` on `byte`, computing it on first use. */
  next(state: number, byte: number): number {
    const t = this.trans[state * 256 + byte]!;
    if (t !== UNKNOWN) return t;
    return this.compute(state, byte);
  }

  private compute(state: number, byte: number): number {
    const src = this.items[state]!;
    const pairs: number[] = [];
    for (let i = 0; i < src.length; i += 2) {
      const d = this.store.deriv(src[i + 1]!, byte);
      if (d !== NOTHING) pairs.push(src[i]!, d);
    }
    const s = this.intern(pairs);
    // Every byte in the same derivative class goes to the same state.
    const classes = this.classesOf(state);
    const c = classes[byte]!;
    const base = state * 256;
    for (let b = 0; b < 256; b++) if (classes[b] === c) this.trans[base + b] = s;
    return s;
  }

  /** Byte classes per state (filled on the state's first computed transition). */
  private readonly classCache: (Uint8Array | undefined)[] = [];
  private readonly classByKey = new Map<string, Uint8Array>();
  /** Classes of a single head byte set (the common case: a literal or one class next). */
  private readonly classBySet = new Map<number, Uint8Array>();

  /** Partition of the 256 bytes into classes with equal derivatives in `state`. */
  private classesOf(state: number): Uint8Array {
    const hit = this.classCache[state];
    if (hit !== undefined) return hit;
    const src = this.items[state]!;
    let cls: Uint8Array | undefined;
    if (src.length === 2) {
      const heads = this.store.headSets(src[1]!);
      if (heads.length === 1) {
        cls = this.classBySet.get(heads[0]!);
        if (cls === undefined) {
          cls = this.partition(heads);
          this.classBySet.set(heads[0]!, cls);
        }
      }
    }
    if (cls === undefined) {
      const sets = new Set<number>();
      for (let i = 0; i < src.length; i += 2) for (const h of this.store.headSets(src[i + 1]!)) sets.add(h);
      const sorted = [...sets].sort((a, b) => a - b);
      const key = sorted.join(',');
      cls = this.classByKey.get(key);
      if (cls === undefined) {
        cls = this.partition(sorted);
        this.classByKey.set(key, cls);
      }
    }
    this.classCache[state] = cls;
    return cls;
  }

  /** The coarsest partition of the bytes that refines every given byte set. */
  private partition(sets: ArrayLike<number>): Uint8Array {
    const cls = new Uint8Array(256);
    const remap = new Int16Array(512);
    for (let i = 0; i < sets.length; i++) {
      const bits = this.store.byteSetBits(sets[i]!);
      remap.fill(-1);
      let next = 0;
      for (let b = 0; b < 256; b++) {
        const k = cls[b]! * 2 + ((bits[b >>> 5]! >>> (b & 31)) & 1);
        if (remap[k]! < 0) remap[k] = next++;
        cls[b] = remap[k]!;
      }
    }
    return cls;
  }

  /** Whether some byte can follow in `state` (false for the dead state and for finished lexemes). */
  canAdvance(state: number): boolean {
    return this.advanceable[state] === 1;
  }

  /**
   * Whether byte `b` can come right after one of the lexemes `state` accepts
   * ends (true for every byte when no follow table was given).
   */
  canFollow(state: number, b: number): boolean {
    const lf = this.lexemeFollow;
    if (lf === undefined) return true;
    if (state >= this.followDone.length) {
      const n = Math.max(this.size, state + 1) * 2;
      const bits = new Uint32Array(n * 8);
      bits.set(this.followBits);
      this.followBits = bits;
      const done = new Uint8Array(n);
      done.set(this.followDone);
      this.followDone = done;
    }
    if (this.followDone[state] === 0) {
      const off = state * 8;
      for (let a = this.acceptStart(state); a < this.acceptEnd(state); a++) {
        const l = this.acceptedLexeme(a) * 8;
        for (let w = 0; w < 8; w++) this.followBits[off + w]! |= lf[l + w]!;
      }
      this.followDone[state] = 1;
    }
    return ((this.followBits[state * 8 + (b >>> 5)]! >>> (b & 31)) & 1) === 1;
  }

  /** Id of the set of lexemes `state` accepts (equal sets, equal ids), or -1 when none. */
  acceptSet(state: number): number {
    return this.acceptSetIds[state]!;
  }

  /** First index into {@link acceptList} of the lexemes `state` accepts. */
  acceptStart(state: number): number {
    return this.acceptStartArr[state]!;
  }
  /** End index into {@link acceptList} of the lexemes `state` accepts. */
  acceptEnd(state: number): number {
    return this.acceptStartArr[state + 1]!;
  }
  /** Lexeme index at position `i` of the accept list. */
  acceptedLexeme(i: number): number {
    return this.acceptListArr[i]!;
  }
  /** The (lexeme, regex) pairs of a state (for debugging). */
  stateItems(state: number): Int32Array {
    return this.items[state]!;
  }
}
