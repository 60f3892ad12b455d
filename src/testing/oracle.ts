/**
 * A slow, simple reference recognizer for grammar IR languages: the oracle
 * tests check the real (token-level) engine against. It shares no code with
 * the engine: expressions are desugared into plain BNF productions over
 * code-point-class terminals and recognized with a textbook Earley parser
 * (Earley 1970), with nullable nonterminals handled in the predictor as in
 * Aycock & Horspool, "Practical Earley Parsing" (2002).
 *
 * Before parsing, unproductive nonterminals (those deriving no string, such as
 * `nothing`, or classes of surrogates only) are pruned, so a non-empty Earley
 * set after a prefix means some continuation completes it: that is what makes
 * {@link GrammarOracle.isViablePrefix} exact.
 *
 * Questions can be asked over code points (`accepts`, `isViablePrefix`) or
 * over UTF-8 bytes that may end inside a code point (`acceptsBytes`,
 * `isViableBytePrefix`: what an exact token mask must agree with), and a
 * prefix's chart can be kept and extended many ways (`start().feed(..)`).
 *
 * Repetitions are expanded (linear in their bounds): keep bounds small.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Expr, Grammar, GuardSpec } from '../ir/expr.js';
import { guardHolds } from './guard-oracle.js';

/** A symbol: `>= 0` a nonterminal id, `< 0` terminal number `-sym - 1`. */
type Sym = number;

interface Production {
  readonly lhs: number;
  readonly rhs: readonly Sym[];
}

/** BNF form of a grammar: productions and terminal code-point classes. */
class Bnf {
  readonly prods: Production[] = [];
  /** Terminal classes: normalized inclusive code-point range pairs. */
  readonly terminals: (readonly number[])[] = [];
  /** Guarded nonterminals (see `GuardExpr`): checked where predicted. */
  readonly guards = new Map<number, GuardSpec>();
  ntCount = 0;
  private readonly ruleNt = new Map<string, number>();

  constructor(private readonly rules: ReadonlyMap<string, Expr>) {}

  newNt(): number {
    return this.ntCount++;
  }

  add(lhs: number, rhs: readonly Sym[]): void {
    this.prods.push({ lhs, rhs });
  }

  terminal(ranges: readonly number[]): Sym {
    this.terminals.push(ranges);
    return -this.terminals.length;
  }

  /** Nonterminal of rule `name`, desugaring its body the first time. */
  rule(name: string): number {
    let nt = this.ruleNt.get(name);
    if (nt !== undefined) return nt;
    const body = this.rules.get(name);
    if (body === undefined) throw new InvalidArgumentError(`oracle: reference to undefined rule "${name}"`);
    nt = this.newNt();
    this.ruleNt.set(name, nt);
    this.add(nt, [this.sym(body)]);
    return nt;
  }

  /** Symbols of expressions already desugared: IR trees may share subtrees. */
  private readonly memo = new Map<Expr, Sym>();

  /** A symbol deriving exactly the language of `e`. */
  sym(e: Expr): Sym {
    let s = this.memo.get(e);
    if (s === undefined) {
      s = this.desugar(e);
      this.memo.set(e, s);
    }
    return s;
  }

  private desugar(e: Expr): Sym {
    switch (e.kind) {
      case 'empty': {
        const nt = this.newNt();
        this.add(nt, []);
        return nt;
      }
      case 'nothing':
        return this.newNt(); // no productions
      case 'literal': {
        const syms: Sym[] = [];
        for (const ch of e.text) {
          const cp = ch.codePointAt(0)!;
          syms.push(this.terminal([cp, cp]));
        }
        if (syms.length === 1) return syms[0]!;
        const nt = this.newNt();
        this.add(nt, syms);
        return nt;
      }
      case 'class':
        return this.terminal(e.ranges);
      case 'seq': {
        const nt = this.newNt();
        this.add(
          nt,
          e.items.map((x) => this.sym(x)),
        );
        return nt;
      }
      case 'alt': {
        const nt = this.newNt();
        for (const x of e.items) this.add(nt, [this.sym(x)]);
        return nt;
      }
      case 'ref':
        return this.rule(e.name);
      case 'repeat':
        return this.repeat(this.sym(e.item), e.min, e.max);
      case 'guard': {
        const nt = this.newNt();
        this.add(nt, [this.sym(e.body)]);
        this.guards.set(nt, e.guard);
        return nt;
      }
    }
  }

  /** `x{min,max}`: `x^min` then `S -> ε | S x` (unbounded) or a chain `O_k -> ε | x O_{k-1}`. */
  private repeat(x: Sym, min: number, max: number): Sym {
    let tail: number;
    if (max === Infinity) {
      tail = this.newNt();
      this.add(tail, []);
      this.add(tail, [tail, x]); // left recursion, on purpose
    } else {
      tail = this.newNt();
      this.add(tail, []);
      for (let k = 1; k <= max - min; k++) {
        const o = this.newNt();
        this.add(o, []);
        this.add(o, [x, tail]);
        tail = o;
      }
    }
    const nt = this.newNt();
    const rhs: Sym[] = [];
    for (let i = 0; i < min; i++) rhs.push(x);
    rhs.push(tail);
    this.add(nt, rhs);
    return nt;
  }
}

function isSurrogate(cp: number): boolean {
  return cp >= 0xd800 && cp <= 0xdfff;
}

/** Whether `cp` is in `ranges` (sorted pairs) and is not a surrogate. */
function inRanges(ranges: readonly number[], cp: number): boolean {
  if (isSurrogate(cp)) return false;
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[2 * mid]!) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]!) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Whether some code point of `ranges` is matchable (not a surrogate). */
function terminalProductive(ranges: readonly number[]): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i]! < 0xd800 || ranges[i + 1]! > 0xdfff) return true;
  }
  return false;
}

/**
 * Reference recognizer for a {@link Grammar} (or a bare {@link Expr}) over
 * strings of Unicode code points. Slow and obviously correct; for tests.
 */
export class GrammarOracle {
  private readonly prods: Production[];
  private readonly terminals: (readonly number[])[];
  /** Productions of each nonterminal (indices into `prods`). */
  private readonly byLhs: number[][];
  private readonly nullable: boolean[];
  /** LR(0) item numbering: item `(p, dot)` is `itemBase[p] + dot`. */
  private readonly itemBase: number[];
  /** Index of the augmented start production `S' -> S`, or -1 for the empty language. */
  private readonly startProd: number;
  private readonly guards: ReadonlyMap<number, GuardSpec>;

  /** Builds the oracle for `grammar`'s start rule. */
  constructor(grammar: Grammar) {
    const bnf = new Bnf(grammar.rules);
    const start = bnf.rule(grammar.start);
    const top = bnf.newNt();
    bnf.add(top, [start]);
    this.terminals = bnf.terminals;
    this.guards = bnf.guards;

    // Prune unproductive symbols (fixpoint), so every kept item can complete.
    const productive = new Array<boolean>(bnf.ntCount).fill(false);
    const symOk = (s: Sym): boolean => (s >= 0 ? productive[s]! : terminalProductive(bnf.terminals[-s - 1]!));
    for (let changed = true; changed; ) {
      changed = false;
      for (const p of bnf.prods) {
        if (!productive[p.lhs] && p.rhs.every(symOk)) {
          productive[p.lhs] = true;
          changed = true;
        }
      }
    }
    this.prods = bnf.prods.filter((p) => productive[p.lhs] && p.rhs.every(symOk));

    this.byLhs = Array.from({ length: bnf.ntCount }, () => [] as number[]);
    this.prods.forEach((p, i) => this.byLhs[p.lhs]!.push(i));

    this.nullable = new Array<boolean>(bnf.ntCount).fill(false);
    for (let changed = true; changed; ) {
      changed = false;
      for (const p of this.prods) {
        if (!this.nullable[p.lhs] && p.rhs.every((s) => s >= 0 && this.nullable[s]!)) {
          this.nullable[p.lhs] = true;
          changed = true;
        }
      }
    }
    this.itemBase = [];
    let base = 0;
    for (const p of this.prods) {
      this.itemBase.push(base);
      base += p.rhs.length + 1;
    }
    this.startProd = productive[top] ? this.byLhs[top]![0]! : -1;
  }

  /** Oracle for a bare expression (its `ref`s must not dangle: there are no rules). */
  static fromExpr(e: Expr): GrammarOracle {
    return new GrammarOracle({ rules: new Map([['$start', e]]), start: '$start' });
  }

  /** Whether the whole `text` is in the language. */
  accepts(text: string): boolean {
    return this.start().feed(text).isAccepting();
  }

  /** Whether some continuation (possibly empty) of `text` is in the language. */
  isViablePrefix(text: string): boolean {
    return this.start().feed(text).isViable();
  }

  /** Whether `bytes` are valid UTF-8 whose text is in the language. */
  acceptsBytes(bytes: Uint8Array): boolean {
    return this.start().feedBytes(bytes).isAccepting();
  }

  /**
   * Whether `bytes` (UTF-8, possibly ending inside a code point) extend to a
   * text of the language: the byte-level question a token mask answers.
   */
  isViableBytePrefix(bytes: Uint8Array): boolean {
    return this.start().feedBytes(bytes).isViable();
  }

  /** The chart of the empty prefix; feed it text or bytes. */
  start(): OracleChart {
    const sets: EarleySet[] = [];
    if (this.startProd >= 0) {
      const set = newSet();
      this.add(set, this.startProd, 0, 0);
      sets.push(set);
      this.close(sets, 0);
    }
    return new OracleChart(this, sets, EMPTY_BYTES);
  }

  /** @internal Adds item `(p, d, o)` to `set` unless present. */
  add(set: EarleySet, p: number, d: number, o: number): void {
    const key = (this.itemBase[p]! + d) * ORIGIN_LIMIT + o;
    if (set.seen.has(key)) return;
    set.seen.add(key);
    const rhs = this.prods[p]!.rhs;
    if (d < rhs.length && rhs[d]! >= 0) {
      let list = set.waiting.get(rhs[d]!);
      if (list === undefined) set.waiting.set(rhs[d]!, (list = []));
      list.push(set.items.length);
    }
    set.items.push(p, d, o);
  }

  /** @internal Runs predictor and completer on `sets[i]` (seeded by the scanner) to closure. */
  close(sets: readonly EarleySet[], i: number): void {
    const set = sets[i]!;
    const items = set.items;
    for (let k = 0; k < items.length; k += 3) {
      const p = items[k]!;
      const d = items[k + 1]!;
      const o = items[k + 2]!;
      const prod = this.prods[p]!;
      if (d < prod.rhs.length) {
        const s = prod.rhs[d]!;
        const guard = s >= 0 ? this.guards.get(s) : undefined;
        if (guard !== undefined && !guardHolds(guard, prefixText(sets, i))) continue;
        if (s >= 0) {
          // Predictor (Aycock–Horspool: step over a nullable nonterminal at once).
          for (const q of this.byLhs[s]!) this.add(set, q, 0, i);
          if (this.nullable[s]) this.add(set, p, d + 1, o);
        }
      } else {
        // Completer: advance the items of set `o` waiting on this production's nonterminal.
        const from = sets[o]!;
        const list = from.waiting.get(prod.lhs);
        if (list !== undefined) {
          for (let j = 0; j < list.length; j++) {
            const at = list[j]!;
            this.add(set, from.items[at]!, from.items[at + 1]! + 1, from.items[at + 2]!);
          }
        }
      }
    }
  }

  /** @internal Scanner: the items of `set` advanced over code point `cp` (seed of the next set). */
  scan(set: EarleySet, next: EarleySet, cp: number): void {
    const items = set.items;
    for (let k = 0; k < items.length; k += 3) {
      const p = items[k]!;
      const d = items[k + 1]!;
      const rhs = this.prods[p]!.rhs;
      if (d < rhs.length && rhs[d]! < 0 && inRanges(this.terminals[-rhs[d]! - 1]!, cp)) {
        this.add(next, p, d + 1, items[k + 2]!);
      }
    }
  }

  /** @internal Whether some item of `set` can scan a non-surrogate code point in `lo..hi`. */
  canScanRange(set: EarleySet, lo: number, hi: number): boolean {
    const items = set.items;
    for (let k = 0; k < items.length; k += 3) {
      const rhs = this.prods[items[k]!]!.rhs;
      const d = items[k + 1]!;
      if (d < rhs.length && rhs[d]! < 0 && rangesIntersect(this.terminals[-rhs[d]! - 1]!, lo, hi)) return true;
    }
    return false;
  }

  /** @internal Union of the terminal classes the items of `set` can scan next (surrogates removed). */
  nextRanges(set: EarleySet): number[] {
    const acc: number[] = [];
    const items = set.items;
    for (let k = 0; k < items.length; k += 3) {
      const rhs = this.prods[items[k]!]!.rhs;
      const d = items[k + 1]!;
      if (d < rhs.length && rhs[d]! < 0) acc.push(...this.terminals[-rhs[d]! - 1]!);
    }
    // Sort, merge, and cut out the surrogate block.
    const pairs: [number, number][] = [];
    for (let i = 0; i < acc.length; i += 2) {
      const lo = acc[i]!;
      const hi = acc[i + 1]!;
      if (lo < 0xd800) pairs.push([lo, Math.min(hi, 0xd7ff)]);
      if (hi > 0xdfff) pairs.push([Math.max(lo, 0xe000), hi]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    const out: number[] = [];
    for (const [lo, hi] of pairs) {
      const n = out.length;
      if (n > 0 && lo <= out[n - 1]! + 1) out[n - 1] = Math.max(out[n - 1]!, hi);
      else out.push(lo, hi);
    }
    return out;
  }

  /** @internal Whether `set` holds the completed augmented start item. */
  hasAccept(set: EarleySet): boolean {
    return set.seen.has((this.itemBase[this.startProd]! + 1) * ORIGIN_LIMIT);
  }
}

/** One Earley set: flat `(production, dot, origin)` triples, a dedup set, items waiting per nonterminal. */
interface EarleySet {
  readonly items: number[];
  readonly seen: Set<number>;
  readonly waiting: Map<number, number[]>;
  /** The code point read into this set (-1 for the first). */
  cp: number;
  /** The text read up to this set, once a guard asked. */
  text?: string;
}

function newSet(): EarleySet {
  return { items: [], seen: new Set(), waiting: new Map(), cp: -1 };
}

/** The text read up to set `i` (for guards). */
function prefixText(sets: readonly EarleySet[], i: number): string {
  let j = i;
  while (j > 0 && sets[j]!.text === undefined) j--;
  let text = sets[j]!.text ?? '';
  for (let k = j + 1; k <= i; k++) text += String.fromCodePoint(sets[k]!.cp);
  sets[i]!.text = text;
  return text;
}

/** Item keys are `lr0 * ORIGIN_LIMIT + origin`: texts up to 2^24 code points. */
const ORIGIN_LIMIT = 1 << 24;
const EMPTY_BYTES = new Uint8Array(0);

/** Whether `ranges` share a non-surrogate code point with `lo..hi`. */
function rangesIntersect(ranges: readonly number[], lo: number, hi: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    const a = Math.max(lo, ranges[i]!);
    const b = Math.min(hi, ranges[i + 1]!);
    if (a <= b && (a < 0xd800 || b > 0xdfff)) return true;
  }
  return false;
}

/**
 * The code points a UTF-8 byte sequence can still become: `[lo, hi]` for a
 * valid (possibly partial) sequence, `undefined` when no code point starts
 * with these bytes (bad lead or continuation byte, overlong, above U+10FFFF).
 * Surrogates are left in the range; callers exclude them.
 */
function utf8Range(b: Uint8Array): [number, number] | undefined {
  const lead = b[0]!;
  let len: number;
  let bits: number;
  let min: number;
  let max: number;
  if (lead < 0x80) return b.length === 1 ? [lead, lead] : undefined;
  if (lead >= 0xc0 && lead < 0xe0) (len = 2), (bits = lead & 0x1f), (min = 0x80), (max = 0x7ff);
  else if (lead >= 0xe0 && lead < 0xf0) (len = 3), (bits = lead & 0x0f), (min = 0x800), (max = 0xffff);
  else if (lead >= 0xf0 && lead < 0xf8) (len = 4), (bits = lead & 0x07), (min = 0x10000), (max = 0x10ffff);
  else return undefined;
  if (b.length > len) return undefined;
  for (let i = 1; i < b.length; i++) {
    if ((b[i]! & 0xc0) !== 0x80) return undefined;
    bits = (bits << 6) | (b[i]! & 0x3f);
  }
  const rest = 6 * (len - b.length);
  const lo = Math.max(min, bits * 2 ** rest);
  const hi = Math.min(max, (bits + 1) * 2 ** rest - 1);
  return lo <= hi ? [lo, hi] : undefined;
}

/** Length of the UTF-8 sequence `lead` starts (1 for bytes that start none: they fail in {@link utf8Range}). */
function utf8Length(lead: number): number {
  return lead < 0xc0 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : lead < 0xf8 ? 4 : 1;
}

/**
 * An Earley chart after some prefix, immutable: {@link OracleChart.feed}
 * returns a new chart sharing the finished sets, so one prefix can be
 * extended many ways (say, by every token of a vocabulary).
 */
export class OracleChart {
  /** @internal */
  constructor(
    private readonly oracle: GrammarOracle,
    /** Earley sets, one per code point read plus one; empty when the prefix is dead. */
    private readonly sets: readonly EarleySet[],
    /** Trailing bytes of an incomplete UTF-8 sequence (from {@link feedBytes}). */
    private readonly pending: Uint8Array,
  ) {}

  /** Number of code points read. */
  get length(): number {
    return this.sets.length - 1;
  }

  /** The chart after also reading `text` (code points). Not allowed while bytes are pending. */
  feed(text: string): OracleChart {
    if (this.pending.length > 0) throw new RangeError('OracleChart.feed: an incomplete UTF-8 sequence is pending');
    if (this.sets.length === 0) return this;
    const sets = this.sets.slice();
    for (const ch of text) if (!this.step(sets, ch.codePointAt(0)!)) return new OracleChart(this.oracle, [], EMPTY_BYTES);
    return new OracleChart(this.oracle, sets, EMPTY_BYTES);
  }

  /** The chart after also reading UTF-8 `bytes`; a trailing incomplete sequence stays pending. */
  feedBytes(bytes: Uint8Array): OracleChart {
    if (this.sets.length === 0) return this;
    const all = new Uint8Array(this.pending.length + bytes.length);
    all.set(this.pending);
    all.set(bytes, this.pending.length);
    const dead = new OracleChart(this.oracle, [], EMPTY_BYTES);
    const sets = this.sets.slice();
    let i = 0;
    while (i < all.length) {
      const len = utf8Length(all[i]!);
      const seq = all.subarray(i, Math.min(all.length, i + len));
      const range = utf8Range(seq);
      if (range === undefined) return dead;
      if (seq.length < len) {
        const chart = new OracleChart(this.oracle, sets, seq.slice());
        return chart.isViable() ? chart : dead;
      }
      if (range[0] >= 0xd800 && range[0] <= 0xdfff) return dead; // encoded surrogate: invalid UTF-8
      if (!this.step(sets, range[0])) return dead;
      i += len;
    }
    return new OracleChart(this.oracle, sets, EMPTY_BYTES);
  }

  /** Whether the prefix read so far is in the language. */
  isAccepting(): boolean {
    return this.sets.length > 0 && this.pending.length === 0 && this.oracle.hasAccept(this.sets[this.sets.length - 1]!);
  }

  /** Whether some continuation (possibly empty) of the prefix is in the language. */
  isViable(): boolean {
    if (this.sets.length === 0) return false;
    const last = this.sets[this.sets.length - 1]!;
    if (this.pending.length === 0) return last.items.length > 0;
    const range = utf8Range(this.pending);
    return range !== undefined && this.oracle.canScanRange(last, range[0], range[1]);
  }

  /**
   * The code points that can come next (ranges `[lo, hi, ...]`, sorted, merged,
   * surrogates excluded): each keeps the prefix viable. Empty when the prefix is
   * dead or only complete. Not available while UTF-8 bytes are pending.
   */
  nextCodePoints(): number[] {
    if (this.pending.length > 0) throw new RangeError('OracleChart.nextCodePoints: an incomplete UTF-8 sequence is pending');
    if (this.sets.length === 0) return [];
    return this.oracle.nextRanges(this.sets[this.sets.length - 1]!);
  }

  /** Reads one code point into `sets`; false when the prefix dies. */
  private step(sets: EarleySet[], cp: number): boolean {
    const i = sets.length - 1;
    const next = newSet();
    next.cp = cp;
    this.oracle.scan(sets[i]!, next, cp);
    if (next.items.length === 0) return false;
    sets.push(next);
    this.oracle.close(sets, i + 1);
    return true;
  }
}
