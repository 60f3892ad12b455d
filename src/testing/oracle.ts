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
 * Repetitions are expanded (linear in their bounds): keep bounds small.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Expr, Grammar } from '../ir/expr.js';

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

  /** A symbol deriving exactly the language of `e`. */
  sym(e: Expr): Sym {
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

  /** Builds the oracle for `grammar`'s start rule. */
  constructor(grammar: Grammar) {
    const bnf = new Bnf(grammar.rules);
    const start = bnf.rule(grammar.start);
    const top = bnf.newNt();
    bnf.add(top, [start]);
    this.terminals = bnf.terminals;

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
    const { sets, n } = this.recognize(text);
    if (sets.length <= n) return false;
    const last = sets[n]!;
    for (let k = 0; k < last.length; k += 3) {
      if (last[k] === this.startProd && last[k + 1] === 1 && last[k + 2] === 0) return true;
    }
    return false;
  }

  /** Whether some continuation (possibly empty) of `text` is in the language. */
  isViablePrefix(text: string): boolean {
    const { sets, n } = this.recognize(text);
    return sets.length > n && sets[n]!.length > 0;
  }

  /**
   * Runs Earley over the code points of `text`. Each set is a flat list of
   * items `(production, dot, origin)`. Stops early when a set comes out empty
   * (then `sets.length <= n`).
   */
  private recognize(text: string): { sets: number[][]; n: number } {
    const cps = Array.from(text, (ch) => ch.codePointAt(0)!);
    const n = cps.length;
    const sets: number[][] = [];
    if (this.startProd < 0) return { sets, n };
    const { prods, itemBase } = this;
    // Per set: keys of its items (dedup) and, per nonterminal, the items waiting on it.
    const seen: Set<number>[] = [];
    const waiting: Map<number, number[]>[] = [];
    const add = (i: number, p: number, d: number, o: number): void => {
      const key = (itemBase[p]! + d) * (n + 1) + o;
      if (seen[i]!.has(key)) return;
      seen[i]!.add(key);
      const set = sets[i]!;
      const rhs = prods[p]!.rhs;
      if (d < rhs.length && rhs[d]! >= 0) {
        const w = waiting[i]!;
        let list = w.get(rhs[d]!);
        if (list === undefined) w.set(rhs[d]!, (list = []));
        list.push(set.length);
      }
      set.push(p, d, o);
    };
    const open = (): void => {
      sets.push([]);
      seen.push(new Set());
      waiting.push(new Map());
    };
    open();
    add(0, this.startProd, 0, 0);
    for (let i = 0; i <= n; i++) {
      const set = sets[i]!;
      if (set.length === 0) return { sets: sets.slice(0, i), n };
      if (i < n) open();
      for (let k = 0; k < set.length; k += 3) {
        const p = set[k]!;
        const d = set[k + 1]!;
        const o = set[k + 2]!;
        const prod = prods[p]!;
        if (d < prod.rhs.length) {
          const s = prod.rhs[d]!;
          if (s < 0) {
            // Scanner.
            if (i < n && inRanges(this.terminals[-s - 1]!, cps[i]!)) add(i + 1, p, d + 1, o);
          } else {
            // Predictor (Aycock–Horspool: step over a nullable nonterminal at once).
            for (const q of this.byLhs[s]!) add(i, q, 0, i);
            if (this.nullable[s]) add(i, p, d + 1, o);
          }
        } else {
          // Completer: advance the items of set `o` waiting on this production's nonterminal.
          const from = sets[o]!;
          const list = waiting[o]!.get(prod.lhs);
          if (list !== undefined) {
            for (let j = 0; j < list.length; j++) {
              const at = list[j]!;
              add(i, from[at]!, from[at + 1]! + 1, from[at + 2]!);
            }
          }
        }
      }
    }
    return { sets, n };
  }
}
