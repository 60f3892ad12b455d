/**
 * Earley recognizer over lexemes, advanced one byte at a time.
 *
 * The chart has one Earley set per byte consumed. A set holds parser items
 * `(core, origin)` and lexer threads `(origin, lexer state)`: a thread is a
 * lexeme in progress that started at set `origin`, running every lexeme the
 * items of that set expect in one lazy DFA state. On a byte, each thread
 * steps its DFA; where the new state accepts a lexeme, the items of the
 * origin set waiting for it advance into the new set (completion and
 * prediction follow, Aycock–Horspool style for nullable rules), and the
 * thread also lives on, so a lexeme may end at any point it can: the language
 * is exactly the context-free one, with no greedy commitment.
 *
 * Sets are stored back to back in growable typed arrays, so pushing a byte
 * appends and popping n bytes truncates: the trie walk and rollback are stack
 * operations that allocate nothing in the steady state. A set is viable iff it
 * has a thread (a live DFA state can always finish its lexeme, and every
 * production is productive) or it accepts the whole input.
 */

import { LimitExceededError } from '../errors.js';
import { DEAD, type LexerTable } from '../automaton/lexer.js';
import { NO_SYMBOL, type ParserTables } from './tables.js';
import { JsonTracker } from './json-tracker.js';

/** Limits enforced while parsing. */
export interface ChartLimits {
  /** Most parser items in one Earley set. Default 100,000. */
  maxItemsPerSet?: number;
}

/** Grows an Int32Array to at least `need` entries, doubling. */
function growI32(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  let n = a.length;
  while (n < need) n *= 2;
  const b = new Int32Array(n);
  b.set(a);
  return b;
}

/** An Earley chart with byte-level push and pop. */
export class EarleyChart {
  private readonly t: ParserTables;
  private readonly lx: LexerTable;
  private readonly maxItems: number;
  private readonly acceptCore: number;
  /** JSON structure per set, for the guards; null when the grammar has none. */
  private tr: JsonTracker | null;
  /** Set while building an unguarded kernel (see {@link pushKernel}). */
  private unguarded = false;

  private itemCore = new Int32Array(1024);
  private itemOrigin = new Int32Array(1024);
  private itemsLen = 0;
  private thOrigin = new Int32Array(256);
  private thState = new Int32Array(256);
  private threadsLen = 0;
  /** Start of each set's items; entry `numSets` is the end of the last set. */
  private setItemStart = new Int32Array(256);
  private setThreadStart = new Int32Array(256);
  private setAccept = new Uint8Array(256);
  /**
   * 1 when the set's lexeme endings have been run through the parser. A set
   * made by a byte only records its threads; the threads (from older sets)
   * whose state accepts are pending lexeme endings, completed on demand: when
   * the next byte can follow one of those lexemes, or when asked whether the
   * set accepts or can continue.
   */
  private setDone = new Uint8Array(256);
  /** Number of sets (bytes consumed + 1). */
  numSets = 0;

  // Deduplication of items in the set being built: open addressing with stamps.
  private hCore = new Int32Array(256);
  private hOrigin = new Int32Array(256);
  private hStamp = new Int32Array(256);
  private hMask = 255;
  private stamp = 0;
  private setCount = 0;
  // Expected lexemes of a set.
  private lexSeen: Int32Array;
  private lexScratch: Int32Array;
  private lexStamp = 0;
  /** Per nonterminal: the stamp of the set that last predicted it (predict once per set). */
  private ntPredicted: Int32Array;
  // Completions (lhs, origin) done in the set being built: open addressing with stamps.
  private cLhs = new Int32Array(256);
  private cOrigin = new Int32Array(256);
  private cStamp = new Int32Array(256);
  private cMask = 255;
  private cCount = 0;

  constructor(tables: ParserTables, lexer: LexerTable, limits: ChartLimits = {}) {
    this.t = tables;
    this.lx = lexer;
    this.maxItems = limits.maxItemsPerSet ?? 100_000;
    const sp = tables.startProduction;
    this.acceptCore = tables.core(sp, tables.prodLen[sp]!);
    this.lexSeen = new Int32Array(lexer.lexemes.length);
    this.lexScratch = new Int32Array(lexer.lexemes.length);
    this.tr = tables.guards.length > 0 ? new JsonTracker(tables.guards) : null;
    this.ntPredicted = new Int32Array(tables.ntProdStart.length);
    this.reset();
  }

  /** Back to the start: one set holding the predictions of the start rule. */
  reset(): void {
    this.itemsLen = 0;
    this.threadsLen = 0;
    this.numSets = 0;
    this.setItemStart[0] = 0;
    this.setThreadStart[0] = 0;
    if (this.tr !== null) this.tr.reset();
    this.beginSet();
    this.add(this.t.prodCore0[this.t.startProduction]!, 0);
    this.finishSet(0, 0);
    this.setDone[0] = 1;
    this.numSets = 1;
    this.setItemStart[1] = this.itemsLen;
    this.setThreadStart[1] = this.threadsLen;
  }

  /** Whether the input so far is a complete sentence. */
  isAccepting(): boolean {
    this.materializeTop();
    return this.setAccept[this.numSets - 1] === 1;
  }

  /** Runs the pending lexeme endings of the current set through the parser (idempotent). */
  materializeTop(): void {
    const k = this.numSets - 1;
    if (this.setDone[k] === 1) return;
    const itemBase = this.itemsLen;
    const lx = this.lx;
    this.beginSet();
    const te = this.threadsLen;
    for (let th = this.setThreadStart[k]!; th < te; th++) {
      const origin = this.thOrigin[th]!;
      if (origin >= k) continue;
      const q = this.thState[th]!;
      const ae = lx.acceptEnd(q);
      for (let a = lx.acceptStart(q); a < ae; a++) this.scanLexeme(origin, -lx.acceptedLexeme(a) - 1);
    }
    this.setAccept[k] = this.itemsLen > itemBase ? this.finishSet(k, itemBase) : 0;
    this.setDone[k] = 1;
    this.setItemStart[k + 1] = this.itemsLen;
    this.setThreadStart[k + 1] = this.threadsLen;
  }

  /** Whether byte `b` can follow one of the lexemes ending at the current set (so ending them matters). */
  private pendingWants(k: number, b: number): boolean {
    const lx = this.lx;
    const te = this.threadsLen;
    for (let th = this.setThreadStart[k]!; th < te; th++) {
      if (this.thOrigin[th]! >= k) continue;
      const q = this.thState[th]!;
      if (lx.acceptEnd(q) > lx.acceptStart(q) && lx.canFollow(q, b)) return true;
    }
    return false;
  }

  /** Whether the input so far can be extended by at least one byte. */
  canContinue(): boolean {
    this.materializeTop();
    const k = this.numSets - 1;
    for (let th = this.setThreadStart[k]!; th < this.threadsLen; th++) if (this.lx.canAdvance(this.thState[th]!)) return true;
    return false;
  }

  /** Advances by one byte if the result is still a viable prefix; returns whether it did. */
  tryPushByte(b: number): boolean {
    const k = this.numSets - 1;
    if (this.setDone[k] === 0 && this.pendingWants(k, b)) this.materializeTop();
    const ts = this.setThreadStart[k]!;
    const te = this.threadsLen;
    const threadBase = this.threadsLen;
    const lx = this.lx;
    let pending = 0;
    for (let th = ts; th < te; th++) {
      const from = this.thState[th]!;
      let q = lx.trans[from * 256 + b]!;
      if (q < 0) q = lx.next(from, b);
      if (q === DEAD) continue;
      this.pushThread(this.thOrigin[th]!, q);
      if (lx.acceptEnd(q) > lx.acceptStart(q)) pending = 1;
    }
    if (this.threadsLen === threadBase) return false;
    const n = k + 1;
    if (this.tr !== null) this.tr.step(n, b);
    // A live thread always leads somewhere, so the set is viable; whether it
    // accepts is known once its pending endings are materialized.
    this.setAccept[n] = 0;
    this.setDone[n] = pending ? 0 : 1;
    this.numSets = n + 1;
    if (this.numSets + 1 >= this.setItemStart.length) this.growSets();
    this.setItemStart[this.numSets] = this.itemsLen;
    this.setThreadStart[this.numSets] = this.threadsLen;
    return true;
  }

  /** Index of the first lexer thread of the current set. */
  get firstThread(): number {
    return this.setThreadStart[this.numSets - 1]!;
  }
  /** One past the last lexer thread of the current set. */
  get endThread(): number {
    return this.threadsLen;
  }
  /** Lexer state of thread `th`. */
  threadState(th: number): number {
    return this.thState[th]!;
  }
  /** Origin set of thread `th`. */
  threadOrigin(th: number): number {
    return this.thOrigin[th]!;
  }

  /**
   * Pushes a set holding only what ending `lexemes` at a thread from set
   * `origin` gives: the advanced items of
   * that set, their closure and a new thread. No byte is consumed; it stands
   * for "a lexeme ended here" when checking token rests. Returns whether the
   * set is viable (pushed); pop it with `popBytes(1)`. With `unguarded`,
   * guards are taken to hold: a superset of the kernel's items and lexemes
   * (only for pre-checks: bytes no thread of it takes are dead).
   * `trackerMode` (grammars with guards): the JSON tracker's mode after the
   * bytes the kernel stands for, when they change only the mode.
   */
  pushKernel(origin: number, lexemes: Int32Array, unguarded = false, trackerMode = -1): boolean {
    const k = this.numSets - 1;
    this.unguarded = unguarded;
    const itemBase = this.itemsLen;
    const threadBase = this.threadsLen;
    if (this.tr !== null) this.tr.copy(k + 1, trackerMode);
    this.beginSet();
    for (let a = 0; a < lexemes.length; a++) this.scanLexeme(origin, -lexemes[a]! - 1);
    let accept = 0;
    try {
      if (this.itemsLen > itemBase) accept = this.finishSet(k + 1, itemBase);
    } finally {
      this.unguarded = false;
    }
    if (this.threadsLen === threadBase && accept === 0) {
      this.itemsLen = itemBase;
      return false;
    }
    this.setAccept[k + 1] = accept;
    this.setDone[k + 1] = 1;
    this.numSets = k + 2;
    if (this.numSets + 1 >= this.setItemStart.length) this.growSets();
    this.setItemStart[this.numSets] = this.itemsLen;
    this.setThreadStart[this.numSets] = this.threadsLen;
    return true;
  }

  /** Pops the last `n` bytes. */
  popBytes(n: number): void {
    this.numSets -= n;
    this.itemsLen = this.setItemStart[this.numSets]!;
    this.threadsLen = this.setThreadStart[this.numSets]!;
    if (this.tr !== null) this.tr.truncate(this.numSets);
  }

  /** The JSON structure tracker of a grammar with guards (null without). */
  get tracker(): JsonTracker | null {
    return this.tr;
  }

  /** Number of bytes consumed. */
  get length(): number {
    return this.numSets - 1;
  }

  /** Copies this chart's state into `other` (same tables). */
  copyTo(other: EarleyChart): void {
    other.itemCore = this.itemCore.slice();
    other.itemOrigin = this.itemOrigin.slice();
    other.itemsLen = this.itemsLen;
    other.thOrigin = this.thOrigin.slice();
    other.thState = this.thState.slice();
    other.threadsLen = this.threadsLen;
    other.setItemStart = this.setItemStart.slice();
    other.setThreadStart = this.setThreadStart.slice();
    other.setAccept = this.setAccept.slice();
    other.setDone = this.setDone.slice();
    other.numSets = this.numSets;
    if (this.tr !== null && other.tr !== null) this.tr.copyTo(other.tr);
  }

  private growSets(): void {
    const n = this.setItemStart.length * 2;
    this.setItemStart = growI32(this.setItemStart, n);
    this.setThreadStart = growI32(this.setThreadStart, n);
    const a = new Uint8Array(n);
    a.set(this.setAccept);
    this.setAccept = a;
    const d = new Uint8Array(n);
    d.set(this.setDone);
    this.setDone = d;
  }

  private pushThread(origin: number, state: number): void {
    if (this.threadsLen >= this.thOrigin.length) {
      this.thOrigin = growI32(this.thOrigin, this.threadsLen + 1);
      this.thState = growI32(this.thState, this.threadsLen + 1);
    }
    this.thOrigin[this.threadsLen] = origin;
    this.thState[this.threadsLen] = state;
    this.threadsLen++;
  }

  /** Advances the items of set `origin` that wait for symbol `sym` into the set being built. */
  private scanLexeme(origin: number, sym: number): void {
    const t = this.t;
    const end = this.setItemStart[origin + 1]!;
    for (let i = this.setItemStart[origin]!; i < end; i++) {
      const c = this.itemCore[i]!;
      if (t.coreNext[c] === sym) this.add(t.advance(c), this.itemOrigin[i]!);
    }
  }

  private beginSet(): void {
    this.stamp++;
    this.setCount = 0;
    this.cCount = 0;
    if (this.stamp === 0x7fffffff) {
      this.hStamp.fill(0);
      this.ntPredicted.fill(0);
      this.cStamp.fill(0);
      this.stamp = 1;
    }
  }

  private add(core: number, origin: number): void {
    let h = (Math.imul(core, 0x9e3779b1) ^ Math.imul(origin + 1, 0x85ebca77)) & this.hMask;
    const stamp = this.stamp;
    while (this.hStamp[h] === stamp) {
      if (this.hCore[h] === core && this.hOrigin[h] === origin) return;
      h = (h + 1) & this.hMask;
    }
    this.hStamp[h] = stamp;
    this.hCore[h] = core;
    this.hOrigin[h] = origin;
    if (this.itemsLen >= this.itemCore.length) {
      this.itemCore = growI32(this.itemCore, this.itemsLen + 1);
      this.itemOrigin = growI32(this.itemOrigin, this.itemsLen + 1);
    }
    this.itemCore[this.itemsLen] = core;
    this.itemOrigin[this.itemsLen] = origin;
    this.itemsLen++;
    if (++this.setCount * 2 > this.hMask) this.growHash();
  }

  /**
   * Records that `lhs` from set `origin` completes in the set being built;
   * false when it already did (the items it advances are already there).
   */
  private firstCompletion(lhs: number, origin: number): boolean {
    let h = (Math.imul(lhs, 0x9e3779b1) ^ Math.imul(origin + 1, 0x85ebca77)) & this.cMask;
    const stamp = this.stamp;
    while (this.cStamp[h] === stamp) {
      if (this.cLhs[h] === lhs && this.cOrigin[h] === origin) return false;
      h = (h + 1) & this.cMask;
    }
    this.cStamp[h] = stamp;
    this.cLhs[h] = lhs;
    this.cOrigin[h] = origin;
    if (++this.cCount * 2 > this.cMask) this.growCompletions();
    return true;
  }

  private growCompletions(): void {
    const oldL = this.cLhs;
    const oldO = this.cOrigin;
    const oldS = this.cStamp;
    const size = (this.cMask + 1) * 2;
    this.cLhs = new Int32Array(size);
    this.cOrigin = new Int32Array(size);
    this.cStamp = new Int32Array(size);
    this.cMask = size - 1;
    const stamp = this.stamp;
    for (let i = 0; i < oldS.length; i++) {
      if (oldS[i] !== stamp) continue;
      let h = (Math.imul(oldL[i]!, 0x9e3779b1) ^ Math.imul(oldO[i]! + 1, 0x85ebca77)) & this.cMask;
      while (this.cStamp[h] === stamp) h = (h + 1) & this.cMask;
      this.cStamp[h] = stamp;
      this.cLhs[h] = oldL[i]!;
      this.cOrigin[h] = oldO[i]!;
    }
  }

  private growHash(): void {
    if (this.setCount > this.maxItems) {
      throw new LimitExceededError('maxItemsPerSet', this.maxItems, 'too many parser items in one step (an ambiguous grammar?)');
    }
    const size = (this.hMask + 1) * 2;
    this.hCore = new Int32Array(size);
    this.hOrigin = new Int32Array(size);
    this.hStamp = new Int32Array(size);
    this.hMask = size - 1;
    const stamp = this.stamp;
    for (let i = this.itemsLen - this.setCount; i < this.itemsLen; i++) {
      const core = this.itemCore[i]!;
      const origin = this.itemOrigin[i]!;
      let h = (Math.imul(core, 0x9e3779b1) ^ Math.imul(origin + 1, 0x85ebca77)) & this.hMask;
      while (this.hStamp[h] === stamp) h = (h + 1) & this.hMask;
      this.hStamp[h] = stamp;
      this.hCore[h] = core;
      this.hOrigin[h] = origin;
    }
  }

  /**
   * Closes set `k` (items from `start`) under prediction and completion, then
   * starts its lexer thread. Returns 1 if the set accepts the whole input.
   */
  private finishSet(k: number, start: number): number {
    const t = this.t;
    // `t.coreNext` / `t.coreComplete` are re-read: interning a new core (in
    // `t.advance`) may grow and replace them.
    const ntGuard = t.ntGuard;
    for (let i = start; i < this.itemsLen; i++) {
      const c = this.itemCore[i]!;
      const o = this.itemOrigin[i]!;
      const nx = t.coreNext[c]!;
      if (nx >= 0) {
        if (this.ntPredicted[nx] !== this.stamp) {
          // predicted (or refused by its guard, which depends only on the set) once per set
          this.ntPredicted[nx] = this.stamp;
          const g = ntGuard[nx]!;
          if (g < 0 || this.unguarded || this.tr!.check(g, k)) {
            const pe = t.ntProdStart[nx + 1]!;
            for (let p = t.ntProdStart[nx]!; p < pe; p++) this.add(t.prodCore0[t.ntProds[p]!]!, k);
          }
        }
        if (t.nullable[nx] && !t.isRepeat(c)) this.add(t.advance(c), o);
      }
      if (t.coreComplete[c] && o !== k && this.firstCompletion(t.prodLhs[t.coreProd[c]!]!, o)) {
        const lhs = t.prodLhs[t.coreProd[c]!]!;
        const end = this.setItemStart[o + 1]!;
        for (let j = this.setItemStart[o]!; j < end; j++) {
          const cj = this.itemCore[j]!;
          if (t.coreNext[cj] === lhs) this.add(t.advance(cj), this.itemOrigin[j]!);
        }
      }
    }
    // Expected lexemes → one thread starting here.
    const stamp = ++this.lexStamp;
    let count = 0;
    let accept = 0;
    for (let i = start; i < this.itemsLen; i++) {
      const c = this.itemCore[i]!;
      const nx = t.coreNext[c]!;
      if (nx < 0 && nx !== NO_SYMBOL) {
        const lex = -nx - 1;
        if (this.lexSeen[lex] !== stamp) {
          this.lexSeen[lex] = stamp;
          this.lexScratch[count++] = lex;
        }
      }
      if (c === this.acceptCore && this.itemOrigin[i] === 0) accept = 1;
    }
    if (count > 0) {
      const s = this.lexScratch;
      for (let i = 1; i < count; i++) {
        const v = s[i]!;
        let j = i - 1;
        while (j >= 0 && s[j]! > v) {
          s[j + 1] = s[j]!;
          j--;
        }
        s[j + 1] = v;
      }
      this.pushThread(k, this.lx.start(s, count));
    }
    if (k === 0) this.setAccept[0] = accept;
    return accept;
  }
}
