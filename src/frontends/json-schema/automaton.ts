/**
 * Small string automata over decoded code points, for what structure alone
 * cannot express: complements (keys not matching a pattern), intersections
 * (pattern ∩ format ∩ length), exclusions of named keys. Expressions are
 * compiled to NFAs (Thompson) and determinized by subsets over disjoint
 * code-point intervals; several DFAs run in product; the result becomes
 * one regular expression over JSON-encoded text (state elimination), or
 * right-linear grammar rules when that expression would be too large.
 */
import { LimitExceededError, UnsupportedFeatureError } from '../../errors.js';
import { alt, charClass, empty, ref, repeat, seq, type Expr } from '../../ir/expr.js';
import type { RuleBuilder } from './builder.js';
import { ANY_CHAR_RANGES, encodedClass } from './strings.js';

/** A deterministic automaton: per state sorted disjoint edges `[lo, hi, target]`; missing edges go to a dead state. */
export interface Dfa {
  readonly edges: readonly (readonly [number, number, number])[][];
  readonly accept: readonly boolean[];
  /** Start state. */
  readonly start: number;
}

interface Nfa {
  eps: number[][];
  edges: [number, number, number][][];
}

function nfaState(n: Nfa): number {
  n.eps.push([]);
  n.edges.push([]);
  return n.eps.length - 1;
}

/** Builds a DFA for an expression (no rule references); throws LimitExceededError past `maxStates`. */
export function dfaFromExpr(e: Expr, maxStates: number): Dfa {
  const n: Nfa = { eps: [], edges: [] };
  const check = (): void => {
    if (n.eps.length > maxStates) throw new LimitExceededError('maxAutomatonStates', maxStates, 'string automaton too large');
  };
  // returns the end state of a fragment starting at `from`
  const build = (x: Expr, from: number): number => {
    check();
    switch (x.kind) {
      case 'empty':
        return from;
      case 'nothing':
        return nfaState(n); // unreachable end
      case 'literal': {
        let cur = from;
        for (const ch of x.text) {
          const cp = ch.codePointAt(0)!;
          const nx = nfaState(n);
          n.edges[cur]!.push([cp, cp, nx]);
          cur = nx;
        }
        return cur;
      }
      case 'class': {
        const nx = nfaState(n);
        for (let i = 0; i < x.ranges.length; i += 2) n.edges[from]!.push([x.ranges[i]!, x.ranges[i + 1]!, nx]);
        return nx;
      }
      case 'seq': {
        let cur = from;
        for (const it of x.items) cur = build(it, cur);
        return cur;
      }
      case 'alt': {
        const end = nfaState(n);
        for (const it of x.items) {
          const s = nfaState(n);
          n.eps[from]!.push(s);
          n.eps[build(it, s)]!.push(end);
        }
        return end;
      }
      case 'repeat': {
        let cur = from;
        for (let i = 0; i < x.min; i++) cur = build(x.item, cur);
        if (x.max === Infinity) {
          const loop = nfaState(n);
          n.eps[cur]!.push(loop);
          const s = nfaState(n);
          n.eps[loop]!.push(s);
          n.eps[build(x.item, s)]!.push(loop);
          return loop;
        }
        const end = nfaState(n);
        for (let i = x.min; i < x.max; i++) {
          n.eps[cur]!.push(end);
          cur = build(x.item, cur);
        }
        n.eps[cur]!.push(end);
        return end;
      }
      case 'ref':
      case 'guard':
        throw new Error('internal: rule reference in a string expression');
    }
  };
  const start = nfaState(n);
  const final = build(e, start);
  // subset construction
  const closure = (set: number[]): number[] => {
    const seen = new Set(set);
    const stack = set.slice();
    while (stack.length) {
      const s = stack.pop()!;
      for (const t of n.eps[s]!) if (!seen.has(t)) (seen.add(t), stack.push(t));
    }
    return [...seen].sort((a, b) => a - b);
  };
  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const edges: [number, number, number][][] = [];
  const accept: boolean[] = [];
  const intern = (set: number[]): number => {
    const key = set.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      if (id > maxStates) throw new LimitExceededError('maxAutomatonStates', maxStates, 'string automaton too large');
      ids.set(key, id);
      sets.push(set);
      edges.push([]);
      accept.push(set.includes(final));
    }
    return id;
  };
  intern(closure([start]));
  for (let q = 0; q < sets.length; q++) {
    const out: [number, number, number][] = [];
    for (const s of sets[q]!) out.push(...n.edges[s]!);
    for (const [lo, hi, targets] of partition(out)) {
      edges[q]!.push([lo, hi, intern(closure(targets))]);
    }
  }
  return { edges, accept, start: 0 };
}

/** Splits overlapping labeled ranges into disjoint intervals with the set of their targets. */
function partition(list: readonly (readonly [number, number, number])[]): [number, number, number[]][] {
  if (list.length === 0) return [];
  const points = new Set<number>();
  for (const [lo, hi] of list) {
    points.add(lo);
    points.add(hi + 1);
  }
  const bounds = [...points].sort((a, b) => a - b);
  const out: [number, number, number[]][] = [];
  for (let i = 0; i + 1 < bounds.length; i++) {
    const lo = bounds[i]!;
    const hi = bounds[i + 1]! - 1;
    const t = new Set<number>();
    for (const [a, b, x] of list) if (a <= lo && hi <= b) t.add(x);
    if (t.size === 0) continue;
    const targets = [...t].sort((a, b) => a - b);
    const last = out[out.length - 1];
    if (last && last[1] === lo - 1 && last[2].join(',') === targets.join(',')) last[1] = hi;
    else out.push([lo, hi, targets]);
  }
  return out;
}

/** The DFA of exactly the given strings. */
export function dfaOfStrings(names: readonly string[]): Dfa {
  const edges: [number, number, number][][] = [[]];
  const accept = [false];
  for (const name of names) {
    let q = 0;
    for (const ch of name) {
      const cp = ch.codePointAt(0)!;
      let e = edges[q]!.find((x) => x[0] === cp);
      if (!e) {
        edges.push([]);
        accept.push(false);
        e = [cp, cp, edges.length - 1];
        edges[q]!.push(e);
      }
      q = e[2];
    }
    accept[q] = true;
  }
  for (const es of edges) es.sort((a, b) => a[0] - b[0]);
  return { edges, accept, start: 0 };
}

/** The DFA of strings with min ≤ length ≤ max (code points). */
export function dfaOfLength(min: number, max: number): Dfa {
  const top = max === Infinity ? min : max;
  const edges: [number, number, number][][] = [];
  const accept: boolean[] = [];
  for (let c = 0; c <= top; c++) {
    accept.push(c >= min);
    const next = max === Infinity ? Math.min(c + 1, top) : c + 1;
    edges.push(c < top || max === Infinity ? ANY_PAIRS.map(([lo, hi]) => [lo, hi, next] as [number, number, number]) : []);
  }
  return { edges, accept, start: 0 };
}

const ANY_PAIRS: [number, number][] = [];
for (let i = 0; i < ANY_CHAR_RANGES.length; i += 2) ANY_PAIRS.push([ANY_CHAR_RANGES[i]!, ANY_CHAR_RANGES[i + 1]!]);

/**
 * A regular expression (right-linear rules when it would be too large) over
 * JSON-encoded text for the product of `dfas`: a
 * product state accepts when `accepting(flags)` holds, `flags[i]` telling
 * whether component i accepts (dead components never accept). Returns a
 * reference to the start rule, or null for the empty language. Product
 * states are taken from `budget` (shared by the whole schema). With
 * `encode` false, edges are plain code points (not JSON string escapes).
 */
export function productRules(
  dfas: readonly Dfa[],
  accepting: (flags: readonly boolean[]) => boolean,
  b: RuleBuilder,
  hint: string,
  budget: { left: number; readonly limit: number },
  encode = true,
): Expr | null {
  const ids = new Map<string, number>();
  const tuples: number[][] = [];
  const trans: [number, number, number][][] = [];
  const acc: boolean[] = [];
  const intern = (t: number[]): number => {
    const key = t.join(',');
    let id = ids.get(key);
    if (id === undefined) {
      id = tuples.length;
      if (--budget.left < 0) throw new LimitExceededError('maxAutomatonStates', budget.limit, 'string automata too large (states summed over the schema)');
      ids.set(key, id);
      tuples.push(t);
      trans.push([]);
      acc.push(accepting(t.map((s, i) => s >= 0 && dfas[i]!.accept[s]!)));
    }
    return id;
  };
  intern(dfas.map((d) => d.start));
  for (let q = 0; q < tuples.length; q++) {
    const t = tuples[q]!;
    // elementary intervals over all components' edges (sorted), swept with one cursor per component
    const points: number[] = [];
    for (const [lo, hi] of ANY_PAIRS) points.push(lo, hi + 1);
    t.forEach((st, i) => {
      if (st < 0) return;
      for (const [lo, hi] of dfas[i]!.edges[st]!) points.push(lo, hi + 1);
    });
    points.sort((x, y) => x - y);
    const cursor = t.map(() => 0);
    let anyIdx = 0;
    const out = trans[q]!;
    for (let k = 0; k + 1 < points.length; k++) {
      const lo = points[k]!;
      if (lo === points[k + 1]) continue;
      const hi = points[k + 1]! - 1;
      while (anyIdx < ANY_PAIRS.length && ANY_PAIRS[anyIdx]![1] < lo) anyIdx++;
      if (anyIdx >= ANY_PAIRS.length || ANY_PAIRS[anyIdx]![0] > lo) continue;
      const next = t.map((st, i) => {
        if (st < 0) return -1;
        const es = dfas[i]!.edges[st]!;
        let c = cursor[i]!;
        while (c < es.length && es[c]![1] < lo) c++;
        cursor[i] = c;
        return c < es.length && es[c]![0] <= lo ? es[c]![2] : -1;
      });
      const nq = intern(next);
      const last = out[out.length - 1];
      if (last && last[2] === nq && last[1] === lo - 1) last[1] = hi;
      else out.push([lo, hi, nq]);
    }
  }
  // keep states from which an accepting state is reachable
  const live = acc.slice();
  for (let changed = true; changed; ) {
    changed = false;
    for (let q = 0; q < tuples.length; q++) {
      if (!live[q] && trans[q]!.some(([, , t]) => live[t])) {
        live[q] = true;
        changed = true;
      }
    }
  }
  if (!live[0]) return null;
  const klass = (ranges: number[]): Expr => (encode ? encodedClass(ranges) : charClass(ranges));
  const regular = regexOfStates(trans, acc, live, klass);
  if (regular !== null) return regular;
  const names = new Map<number, string>();
  const nameOf = (q: number): string => {
    let nm = names.get(q);
    if (!nm) {
      nm = b.reserve(`${hint}.q${q}`);
      names.set(q, nm);
    }
    return nm;
  };
  const order = [0];
  const seen = new Set([0]);
  for (let i = 0; i < order.length; i++) {
    const q = order[i]!;
    const byTarget = new Map<number, number[]>();
    for (const [lo, hi, t] of trans[q]!) {
      if (!live[t]) continue;
      const r = byTarget.get(t) ?? [];
      r.push(lo, hi);
      byTarget.set(t, r);
      if (!seen.has(t)) (seen.add(t), order.push(t));
    }
    const parts: Expr[] = acc[q] ? [empty()] : [];
    for (const [t, ranges] of byTarget) parts.push(seq(encode ? encodedClass(ranges) : charClass(ranges), ref(nameOf(t))));
    b.define(nameOf(q), alt(...parts));
  }
  return ref(nameOf(0));
}

/** Largest expression (items summed over the nodes built, shared nodes once) that {@link regexOfStates} builds before giving up. */
const MAX_REGEX_SIZE = 20000;

/**
 * One regular expression for the automaton (state 0 the start), by state
 * elimination (Brzozowski's algebraic method: Arden's rule `X = A·X + B ⇒ X
 * = A*·B`), states eliminated in reverse breadth-first order; null when the
 * expression grows past MAX_REGEX_SIZE. A regular expression lets the CFG
 * compiler keep a whole key or string body inside one lexeme, where
 * right-linear rules would make one lexeme per character (and consult the
 * parser at every character).
 */
function regexOfStates(
  trans: readonly (readonly [number, number, number])[][],
  acc: readonly boolean[],
  live: readonly boolean[],
  klass: (ranges: number[]) => Expr,
): Expr | null {
  // breadth-first order of the live states reachable from 0
  const order = [0];
  const index = new Map<number, number>([[0, 0]]);
  for (let i = 0; i < order.length; i++) {
    for (const [, , t] of trans[order[i]!]!) {
      if (live[t] && !index.has(t)) (index.set(t, order.length), order.push(t));
    }
  }
  const n = order.length;
  let size = 0;
  const grow = (e: Expr): Expr => {
    if (e.kind === 'seq' || e.kind === 'alt') size += e.items.length;
    else size++;
    return e;
  };
  // a[i]: target index -> edge expression; b[i]: the accepting tail
  const a: Map<number, Expr>[] = [];
  const b: (Expr | null)[] = [];
  const preds: Set<number>[] = [];
  for (let i = 0; i < n; i++) preds.push(new Set());
  for (let i = 0; i < n; i++) {
    const q = order[i]!;
    const byTarget = new Map<number, number[]>();
    for (const [lo, hi, t] of trans[q]!) {
      if (!live[t]) continue;
      const j = index.get(t)!;
      const r = byTarget.get(j) ?? [];
      r.push(lo, hi);
      byTarget.set(j, r);
    }
    const m = new Map<number, Expr>();
    for (const [j, ranges] of byTarget) {
      m.set(j, grow(klass(ranges)));
      preds[j]!.add(i);
    }
    a.push(m);
    b.push(acc[q] ? empty() : null);
  }
  for (let k = n - 1; k >= 0; k--) {
    const ak = a[k]!;
    const loop = ak.get(k);
    if (loop !== undefined) {
      ak.delete(k);
      preds[k]!.delete(k);
      const star = grow(repeat(loop, 0, Infinity));
      for (const [t, e] of ak) ak.set(t, grow(seq(star, e)));
      const bk = b[k];
      if (bk !== null) b[k] = grow(seq(star, bk!));
    }
    if (k === 0) break;
    for (const q of preds[k]!) {
      const aq = a[q]!;
      const eqk = aq.get(k)!;
      aq.delete(k);
      for (const [t, ekt] of ak) {
        const via = grow(seq(eqk, ekt));
        const old = aq.get(t);
        aq.set(t, old === undefined ? via : grow(alt(old, via)));
        preds[t]!.add(q);
      }
      const bk = b[k];
      if (bk !== null) {
        const via = grow(seq(eqk, bk!));
        const bq = b[q];
        b[q] = bq === null ? via : grow(alt(bq!, via));
      }
      if (size > MAX_REGEX_SIZE) return null;
    }
    for (const t of ak.keys()) preds[t]!.delete(k);
  }
  const result = b[0];
  if (result === null || result === undefined) return null;
  const depth = exprDepth(result);
  return depth > MAX_REGEX_DEPTH ? null : result;
}

/** Deepest nesting {@link regexOfStates} returns (compilers recurse on it; their nesting limit is larger). */
const MAX_REGEX_DEPTH = 200;

/** Nesting depth of `e` (shared subexpressions walked once). */
function exprDepth(e: Expr): number {
  const memo = new Map<Expr, number>();
  const walk = (x: Expr): number => {
    const hit = memo.get(x);
    if (hit !== undefined) return hit;
    let d = 0;
    if (x.kind === 'seq' || x.kind === 'alt') for (const it of x.items) d = Math.max(d, walk(it));
    else if (x.kind === 'repeat') d = walk(x.item);
    memo.set(x, d + 1);
    return d + 1;
  };
  return walk(e);
}

/** Wraps DFA construction errors of a keyword as UnsupportedFeatureError when the expression is not regular-compatible. */
export function dfaOrUnsupported(e: Expr, maxStates: number, keyword: string, where: string): Dfa {
  try {
    return dfaFromExpr(e, maxStates);
  } catch (err) {
    if (err instanceof LimitExceededError) throw new UnsupportedFeatureError(keyword, where, err.message);
    throw err;
  }
}
