/**
 * Matcher: the per-sequence state of constrained decoding.
 *
 * The loop a server runs (DESIGN.md §3.2):
 *   1. `fillNextTokenBitmask(mask)`: which tokens may come next;
 *   2. sample a token from the masked logits;
 *   3. `acceptToken(id)`; stop once `isTerminated()`.
 * `rollback(n)` undoes tokens, `fork()` branches, `forcedTokens()` returns the
 * tokens that are the only way on (jump-forward).
 */

import { walkTrie, type TokenTrie } from '../vocab/trie.js';
import { completeUtf8Length } from '../util/utf8.js';
import { DEAD } from '../automaton/lexer.js';
import { EarleyChart } from './chart.js';
import type { CompiledGrammar } from './compiled.js';
import { fillGuardedCrossing, walkSubtree } from './guard-mask.js';

/** Longest forced byte run `forcedTokens` follows. */
const MAX_FORCED_BYTES = 4096;

/** Per-sequence matcher over a {@link CompiledGrammar}. */
export class Matcher {
  /** The compiled grammar this matcher runs. */
  readonly compiled: CompiledGrammar;
  private readonly chart: EarleyChart;
  /** Chart length (bytes) before each accepted token or string; -1 marks an accepted EOS. */
  private history: number[] = [];
  private terminated = false;
  private pathScratch = new Uint8Array(0);

  /** @internal Use {@link CompiledGrammar.matcher}. */
  constructor(compiled: CompiledGrammar, chart?: EarleyChart) {
    this.compiled = compiled;
    this.chart = chart ?? new EarleyChart(compiled.tables, compiled.lexer, compiled.limits);
  }

  /**
   * Writes the allowed next tokens into `mask` (bit `id & 31` of word
   * `id >>> 5`; the caller allocates it with `allocateBitmask(vocab.size)`).
   * EOS ids are allowed exactly where the grammar can end. Returns whether
   * any token is disallowed (false: the mask need not be applied).
   */
  fillNextTokenBitmask(mask: Uint32Array): boolean {
    const vocab = this.compiled.vocab;
    const words = (vocab.size + 31) >>> 5;
    if (mask.length < words) throw new RangeError(`bitmask has ${mask.length} words, needs ${words} for ${vocab.size} tokens`);
    mask.fill(0);
    if (this.terminated) return true;
    const chart = this.chart;
    const base = chart.numSets;
    try {
      if (chart.canContinue()) this.fillFromCaches(mask, words);
    } catch (e) {
      chart.popBytes(chart.numSets - base);
      throw e;
    }
    if (chart.isAccepting()) {
      for (const id of vocab.eosIds) mask[id >>> 5]! |= 1 << (id & 31);
    }
    return !isFull(mask, vocab.size);
  }

  /**
   * @internal The same mask computed without token caches: one plain trie walk
   * with the parser (a slower reference the tests compare against).
   */
  fillNextTokenBitmaskUncached(mask: Uint32Array): void {
    mask.fill(0);
    if (this.terminated) return;
    if (this.chart.canContinue()) walkTrie(this.compiled.vocab.trie, this.chart, mask);
    if (this.chart.isAccepting()) for (const id of this.compiled.vocab.eosIds) mask[id >>> 5]! |= 1 << (id & 31);
  }

  /** Mask of the current set: cached inside-lexeme tokens, plus crossing subtrees checked by the parser. */
  private fillFromCaches(mask: Uint32Array, words: number): void {
    const chart = this.chart;
    const lexer = this.compiled.lexer;
    const trie = this.compiled.vocab.trie;
    const end = chart.endThread;
    for (let th = chart.firstThread; th < end; th++) {
      const q = chart.threadState(th);
      if (!lexer.canAdvance(q)) continue;
      const entry = this.compiled.tokenCache(q);
      const base = entry.base;
      if (base !== null) {
        const n = base.length < words ? base.length : words;
        for (let w = 0; w < n; w++) mask[w]! |= base[w]!;
      }
      const allow = entry.allow;
      if (allow !== null) {
        for (let w = 0; w < words; w++) mask[w]! |= allow[w]!;
      } else if (entry.allowIds !== null) {
        const ids = entry.allowIds;
        for (let k = 0; k < ids.length; k++) {
          const id = ids[k]!;
          mask[id >>> 5]! |= 1 << (id & 31);
        }
      }
      const origin = chart.threadOrigin(th);
      if (chart.tracker !== null) {
        if (this.pathScratch.length < trie.maxDepth + 1) this.pathScratch = new Uint8Array(trie.maxDepth + 1);
        fillGuardedCrossing(chart, lexer, trie, entry.groups, origin, mask, this.pathScratch);
        continue;
      }
      for (const g of entry.groups) {
        if (!chart.pushKernel(origin, g.lexemes)) continue;
        const byteStart = g.byteStart;
        const children = g.children;
        const bytes = g.bytes;
        for (let bi = 0; bi < bytes.length; bi++) {
          const b = bytes[bi]!;
          // The chart after kernel + b is the same for the whole bucket.
          if (!kernelTakes(chart, lexer, b) || !chart.tryPushByte(b)) continue;
          walkChildren(chart, trie, children, null, byteStart[b]!, byteStart[b + 1]!, 0, mask);
          chart.popBytes(1);
        }
        const slice = g.slice;
        if (slice !== null) {
          // Children that stay in the slice, below boundary nodes of 1..sliceMax characters.
          const starts = slice.startBytes;
          let bc: ReturnType<typeof slice.boundaryChildren> | undefined;
          for (let bi = 0; bi < starts.length; bi++) {
            const b = starts[bi]!;
            if (!kernelTakes(chart, lexer, b) || !chart.tryPushByte(b)) continue;
            bc ??= slice.boundaryChildren();
            walkChildren(chart, trie, bc.node, bc.chars, bc.start[b]!, bc.start[b + 1]!, g.sliceMax, mask);
            chart.popBytes(1);
          }
        }
        chart.popBytes(1);
      }
    }
  }

  /** Whether `id` may come next (without changing state). */
  isAllowed(id: number): boolean {
    if (this.terminated) return false;
    const vocab = this.compiled.vocab;
    if (this.isEos(id)) return this.chart.isAccepting();
    if (!(id >= 0 && id < vocab.size)) return false;
    const bytes = vocab.tokenBytes(id);
    if (bytes.length === 0) return false;
    const n = this.pushBytes(bytes);
    this.chart.popBytes(n);
    return n === bytes.length;
  }

  /** Consumes token `id`; returns false (state unchanged) if it is not allowed. */
  acceptToken(id: number): boolean {
    if (this.terminated) return false;
    if (this.isEos(id)) {
      if (!this.chart.isAccepting()) return false;
      this.history.push(-1);
      this.terminated = true;
      return true;
    }
    const vocab = this.compiled.vocab;
    if (!(id >= 0 && id < vocab.size)) return false;
    const bytes = vocab.tokenBytes(id);
    if (bytes.length === 0) return false;
    return this.acceptBytes(bytes);
  }

  /** Consumes a text (UTF-8) or raw bytes as one step; false (state unchanged) if not allowed. */
  acceptString(text: string | Uint8Array): boolean {
    if (this.terminated) return false;
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    return this.acceptBytes(bytes);
  }

  private acceptBytes(bytes: Uint8Array): boolean {
    const before = this.chart.length;
    const n = this.pushBytes(bytes);
    if (n < bytes.length) {
      this.chart.popBytes(n);
      return false;
    }
    this.history.push(before);
    return true;
  }

  /** Pushes bytes until one is rejected; returns how many were pushed. */
  private pushBytes(bytes: Uint8Array): number {
    const chart = this.chart;
    for (let i = 0; i < bytes.length; i++) {
      if (!chart.tryPushByte(bytes[i]!)) return i;
    }
    return bytes.length;
  }

  private isEos(id: number): boolean {
    return this.compiled.vocab.eosIds.includes(id);
  }

  /** Whether the text so far is a complete sentence of the grammar (EOS allowed). */
  isAccepting(): boolean {
    return !this.terminated && this.chart.isAccepting();
  }

  /** Whether EOS was accepted, or nothing at all can follow. */
  isTerminated(): boolean {
    return this.terminated;
  }

  /** Whether the matcher can neither continue nor end (only after misuse: cannot happen through acceptToken). */
  isStuck(): boolean {
    return !this.terminated && !this.chart.canContinue() && !this.chart.isAccepting();
  }

  /** Undoes the last `n` accepted tokens (or strings). Throws RangeError past the start. */
  rollback(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n > this.history.length) {
      throw new RangeError(`cannot roll back ${n} steps: ${this.history.length} accepted`);
    }
    let target = -2;
    for (let i = 0; i < n; i++) {
      const h = this.history.pop()!;
      if (h === -1) this.terminated = false;
      else target = h;
    }
    if (target >= 0) this.chart.popBytes(this.chart.length - target);
  }

  /** Number of accepted steps (tokens and strings) that `rollback` can undo. */
  get steps(): number {
    return this.history.length;
  }

  /** Back to the start of the grammar. */
  reset(): void {
    this.chart.reset();
    this.history = [];
    this.terminated = false;
  }

  /** An independent copy of this matcher, in the same state. */
  fork(): Matcher {
    const chart = new EarleyChart(this.compiled.tables, this.compiled.lexer, this.compiled.limits);
    this.chart.copyTo(chart);
    const m = new Matcher(this.compiled, chart);
    m.history = this.history.slice();
    m.terminated = this.terminated;
    return m;
  }

  /**
   * The bytes that must come next whatever is generated: followed while exactly
   * one byte is possible and the text cannot end here.
   */
  forcedBytes(): Uint8Array {
    if (this.terminated) return new Uint8Array(0);
    const chart = this.chart;
    const out: number[] = [];
    while (out.length < MAX_FORCED_BYTES && !chart.isAccepting()) {
      let only = -1;
      let count = 0;
      for (let b = 0; b < 256 && count < 2; b++) {
        if (chart.tryPushByte(b)) {
          chart.popBytes(1);
          only = b;
          count++;
        }
      }
      if (count !== 1) break;
      chart.tryPushByte(only);
      out.push(only);
    }
    chart.popBytes(out.length);
    return Uint8Array.from(out);
  }

  /**
   * Tokens that are the only way on (jump-forward), in the tokenizer's
   * canonical tokenization of the forced text. The last token of the forced
   * text is left out when more text may follow, since it could merge with it.
   * Every returned id is accepted in sequence from the current state.
   */
  forcedTokens(): number[] {
    const bytes = this.forcedBytes();
    if (bytes.length === 0) return [];
    // Cut an incomplete trailing UTF-8 sequence (forced bytes that are only
    // continuation bytes, after a token that split a character, are kept).
    const end = completeUtf8Length(bytes) || ((bytes[0]! & 0xc0) === 0x80 ? bytes.length : 0);
    if (end === 0) return [];
    const forced = bytes.subarray(0, end);
    const vocab = this.compiled.vocab;
    let ids = vocab.encode(Buffer.from(forced).toString('utf8'), { addSpecialTokens: false });
    // A SentencePiece tokenizer encoding a text on its own adds its dummy-prefix
    // space: when the encoding does not spell the bytes exactly, split greedily.
    if (!spells(vocab, ids, forced)) ids = greedySplit(vocab.trie, forced);
    const probe = this.fork();
    let complete = end === bytes.length;
    if (complete) {
      for (const id of ids) probe.acceptToken(id);
      complete = !probe.chart.canContinue();
      probe.rollback(probe.steps - this.steps);
    }
    if (!complete) ids = ids.slice(0, -1);
    const out: number[] = [];
    for (const id of ids) {
      if (!probe.acceptToken(id)) break;
      out.push(id);
    }
    return out;
  }
}

/**
 * Whether byte `b` can continue some lexer thread of the current set (a cheap
 * pre-check: when none can, pushing `b` fails, since the set is complete).
 */
function kernelTakes(chart: EarleyChart, lexer: CompiledGrammar['lexer'], b: number): boolean {
  const kt1 = chart.endThread;
  for (let kt = chart.firstThread; kt < kt1; kt++) {
    const kq = chart.threadState(kt);
    let nq = lexer.trans[kq * 256 + b]!;
    if (!(nq >= 0)) nq = lexer.next(kq, b);
    if (nq !== DEAD) return true;
  }
  return false;
}

/**
 * With the chart just past the first byte of `nodes[from..to)`: sets the
 * tokens of each node and walks its subtree. With `chars`, only the nodes
 * whose `chars` entry is at most `max` count.
 */
function walkChildren(
  chart: EarleyChart, trie: TokenTrie, nodes: Int32Array, chars: Int32Array | null, from: number, to: number, max: number, mask: Uint32Array,
): void {
  const tokStart = trie.tokStart;
  const tokIds = trie.tokIds;
  const subtree = trie.subtreeSize;
  const depthOf = trie.depth;
  for (let k = from; k < to; k++) {
    if (chars !== null && chars[k]! > max) continue;
    const c = nodes[k]!;
    const te = tokStart[c + 1]!;
    for (let t = tokStart[c]!; t < te; t++) {
      const id = tokIds[t]!;
      mask[id >>> 5]! |= 1 << (id & 31);
    }
    const end = c + subtree[c]!;
    if (end > c + 1) walkSubtree(chart, trie, c + 1, end, depthOf[c]!, mask);
  }
}

/** Whether the tokens' bytes concatenate to exactly `bytes`. */
function spells(vocab: { tokenBytes(id: number): Uint8Array }, ids: readonly number[], bytes: Uint8Array): boolean {
  let off = 0;
  for (const id of ids) {
    const b = vocab.tokenBytes(id);
    if (off + b.length > bytes.length) return false;
    for (let i = 0; i < b.length; i++) if (b[i] !== bytes[off + i]) return false;
    off += b.length;
  }
  return off === bytes.length;
}

/** Greedy longest-match split of `bytes` into tokens, following the trie; stops where no token matches. */
function greedySplit(trie: TokenTrie, bytes: Uint8Array): number[] {
  const out: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let node = 0;
    let best = -1;
    let bestLen = 0;
    for (let d = pos; d < bytes.length; d++) {
      // Children of `node` are the nodes of its subtree at depth + 1.
      const end = node + trie.subtreeSize[node]!;
      let child = node + 1;
      while (child < end && trie.byte[child] !== bytes[d]) child += trie.subtreeSize[child]!;
      if (child >= end) break;
      node = child;
      if (trie.tokStart[node + 1]! > trie.tokStart[node]!) {
        best = trie.tokIds[trie.tokStart[node]!]!;
        bestLen = d - pos + 1;
      }
    }
    if (best < 0) break;
    out.push(best);
    pos += bestLen;
  }
  return out;
}

function isFull(mask: Uint32Array, size: number): boolean {
  const full = size >>> 5;
  for (let i = 0; i < full; i++) if (mask[i] !== 0xffffffff) return false;
  const rest = size & 31;
  if (rest === 0) return true;
  const want = 0xffffffff >>> (32 - rest);
  return ((mask[full]! & want) >>> 0) === want;
}
