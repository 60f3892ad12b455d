/**
 * Grammar IR → context-free grammar over lexemes.
 *
 * Rules that are regular (no recursion through them) are inlined as byte-level
 * regular expressions; every maximal run of regular items inside a rule body
 * becomes one lexeme. The rest becomes productions over nonterminals and
 * lexemes; `x{m,n}` over a non-regular `x` becomes one counted repeat
 * production, not n copies. The lexer/parser split changes speed, never the
 * language: the parser ends a lexeme at every point where it may end (no
 * greedy commitment), so the language is exactly the IR's context-free one.
 */

import { GrammarSyntaxError, LimitExceededError, InvalidArgumentError, UnsupportedFeatureError } from '../errors.js';
import type { Expr, Grammar, GuardSpec } from '../ir/expr.js';
import { EPSILON, NOTHING, RegexStore } from '../automaton/regex.js';
import { codePointClass, literalBytes } from '../automaton/utf8.js';

/** A production: `lhs → syms`, or a counted repeat `lhs → sym{min,max}` (max -1: unbounded). */
export interface Production {
  lhs: number;
  syms: number[];
  /** Present for repeat productions: `syms` has exactly one symbol. */
  repeat?: { min: number; max: number };
}

/**
 * Context-free grammar over lexemes. Symbol encoding: `s >= 0` is nonterminal
 * `s`; `s < 0` is lexeme `-s - 1`.
 */
export interface Cfg {
  store: RegexStore;
  /** Regex id of each lexeme; a lexeme matches its regex minus the empty string. */
  lexemes: number[];
  /** Nonterminal names (for debugging and error messages). */
  names: string[];
  productions: Production[];
  /** The augmented start nonterminal: it has exactly one production. */
  start: number;
  nullable: Uint8Array;
  /** Distinct guard conditions (see `GuardExpr`). */
  guards: GuardSpec[];
  /** Per nonterminal: index into `guards` checked when it is predicted, or -1. */
  ntGuard: Int32Array;
}

/** Limits applied while building the CFG. */
export interface CfgLimits {
  /** Largest repetition bound `{m,n}` accepted. Default 1,000,000. */
  maxRepeat?: number;
  /** Most productions. Default 500,000. */
  maxProductions?: number;
  /** Most nested expression levels. Default 2,000. */
  maxNesting?: number;
  /** Deadline (Date.now() value) after which compilation stops. */
  deadline?: number;
  /** The time limit in ms the deadline came from (for the error message). */
  timeLimitMs?: number;
}

/** Encodes lexeme index `i` as a symbol. */
export function lexemeSymbol(i: number): number {
  return -i - 1;
}

const DROP = Number.MIN_SAFE_INTEGER;
/** A repetition with a larger (or no) upper bound makes an expression heavy: a loop worth its own lexer states. */
const HEAVY_REPEAT = 16;

/** Converts an IR grammar to a CFG over lexemes. Throws on undefined rules and limits. */
export function buildCfg(grammar: Grammar, limits: CfgLimits = {}, store = new RegexStore()): Cfg {
  const maxRepeat = limits.maxRepeat ?? 1_000_000;
  const maxProductions = limits.maxProductions ?? 500_000;
  const maxNesting = limits.maxNesting ?? 2_000;
  const deadline = limits.deadline ?? Infinity;
  const rules = grammar.rules;
  if (!rules.has(grammar.start)) {
    throw new InvalidArgumentError(`start rule "${grammar.start}" is not defined`);
  }

  const undefinedRef = (name: string, from: string): never => {
    throw new GrammarSyntaxError(`undefined rule "${name}" referenced from rule "${from}"`, {
      line: 0,
      column: 0,
      offset: 0,
      source: '<grammar>',
    });
  };

  // 1. Which rules are regular: not on a cycle, and referring only to regular rules.
  const refsOf = new Map<string, string[]>();
  /** Rules holding a guard: never regular, so the guard keeps a nonterminal of its own. */
  const guardedRules = new Set<string>();
  // Walked once per node and rule: expressions may share subexpressions (a
  // DAG, e.g. regexes from state elimination), exponentially many as a tree.
  let visited = new Set<Expr>();
  const collectRefs = (e: Expr, owner: string, out: string[], depth: number): void => {
    if (depth > maxNesting) throw new LimitExceededError('maxNesting', maxNesting, `expression nesting in rule "${owner}"`);
    if (e.kind === 'seq' || e.kind === 'alt' || e.kind === 'repeat' || e.kind === 'guard') {
      if (visited.has(e)) return;
      visited.add(e);
    }
    switch (e.kind) {
      case 'ref':
        if (!rules.has(e.name)) undefinedRef(e.name, owner);
        out.push(e.name);
        break;
      case 'seq':
      case 'alt':
        for (const it of e.items) collectRefs(it, owner, out, depth + 1);
        break;
      case 'guard':
        guardedRules.add(owner);
        collectRefs(e.body, owner, out, depth + 1);
        break;
      case 'repeat':
        if (e.max !== Infinity && e.max > maxRepeat) throw new LimitExceededError('maxRepeat', maxRepeat, `repetition {${e.min},${e.max}} in rule "${owner}"`);
        if (e.min > maxRepeat) throw new LimitExceededError('maxRepeat', maxRepeat, `repetition {${e.min},} in rule "${owner}"`);
        collectRefs(e.item, owner, out, depth + 1);
        break;
      default:
        break;
    }
  };
  for (const [name, e] of rules) {
    const out: string[] = [];
    visited = new Set<Expr>();
    collectRefs(e, name, out, 0);
    refsOf.set(name, out);
  }
  const cyclic = findCyclicRules(refsOf);
  const regularRule = new Map<string, boolean>();
  // Regular = not cyclic and all references regular. Iterative post-order DFS.
  for (const root of rules.keys()) {
    if (regularRule.has(root)) continue;
    const stack: [string, number][] = [[root, 0]];
    const onStack = new Set<string>([root]);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const refs = refsOf.get(top[0])!;
      if (top[1] < refs.length) {
        const next = refs[top[1]++]!;
        if (!regularRule.has(next) && !onStack.has(next)) {
          stack.push([next, 0]);
          onStack.add(next);
        }
        continue;
      }
      stack.pop();
      onStack.delete(top[0]);
      let reg = !cyclic.has(top[0]) && !guardedRules.has(top[0]);
      if (reg) for (const r of refs) if (regularRule.get(r) !== true) reg = false;
      regularRule.set(top[0], reg);
    }
  }
  const regularMemo = new Map<Expr, boolean>();
  function isRegularExpr(e: Expr): boolean {
    const hit = regularMemo.get(e);
    if (hit !== undefined) return hit;
    let r: boolean;
    switch (e.kind) {
      case 'ref':
        r = regularRule.get(e.name) === true;
        break;
      case 'seq':
      case 'alt':
        r = e.items.every(isRegularExpr);
        break;
      case 'repeat':
        r = isRegularExpr(e.item);
        break;
      case 'guard':
        r = false;
        break;
      default:
        r = true;
    }
    regularMemo.set(e, r);
    return r;
  }

  // 2. Regex of regular expressions, memoised per rule and per node.
  const ruleRegex = new Map<string, number>();
  const exprRegex = new Map<Expr, number>();
  const toRegex = (e: Expr): number => {
    const hit = exprRegex.get(e);
    if (hit !== undefined) return hit;
    let r: number;
    switch (e.kind) {
      case 'empty':
        r = EPSILON;
        break;
      case 'nothing':
        r = NOTHING;
        break;
      case 'literal':
        r = literalBytes(store, e.text);
        break;
      case 'class':
        r = codePointClass(store, e.ranges);
        break;
      case 'seq':
        r = store.seqOf(e.items.map(toRegex));
        break;
      case 'alt':
        r = store.alt(e.items.map(toRegex));
        break;
      case 'repeat':
        r = store.repeat(toRegex(e.item), e.min, e.max === Infinity ? -1 : e.max);
        break;
      case 'ref': {
        const memo = ruleRegex.get(e.name);
        if (memo !== undefined) {
          r = memo;
        } else {
          r = toRegex(rules.get(e.name)!);
          ruleRegex.set(e.name, r);
        }
        break;
      }
      case 'guard':
        throw new Error('internal: a guarded expression is never regular');
    }
    exprRegex.set(e, r);
    return r;
  };

  // 3. Productions.
  const names: string[] = [];
  const productions: Production[] = [];
  const lexemes: number[] = [];
  const lexemeOfRegex = new Map<number, number>();
  const nullableLexNt = new Map<number, number>();
  const ruleNt = new Map<string, number>();
  const exprNt = new Map<Expr, number>();
  const guardIds = new Map<GuardSpec, number>();
  const guards: GuardSpec[] = [];
  const guardOfNt = new Map<number, number>();

  const newNt = (name: string): number => {
    names.push(name);
    return names.length - 1;
  };
  const addProduction = (p: Production): void => {
    if (productions.length >= maxProductions) throw new LimitExceededError('maxProductions', maxProductions, 'grammar too large');
    if (Date.now() > deadline) throw new LimitExceededError('compileTimeMs', limits.timeLimitMs ?? 0, 'compilation took too long');
    productions.push(p);
  };
  /** Symbol for a regular run with regex `r`; EPSILON gives null (no symbol), NOTHING gives DROP. */
  const regexSymbol = (r: number): number | null => {
    if (r === NOTHING) return DROP;
    if (r === EPSILON) return null;
    let lx = lexemeOfRegex.get(r);
    if (lx === undefined) {
      lx = lexemes.length;
      lexemes.push(r);
      lexemeOfRegex.set(r, lx);
    }
    if (!store.nullable[r]) return lexemeSymbol(lx);
    let nt = nullableLexNt.get(r);
    if (nt === undefined) {
      nt = newNt(`lexeme${lx}?`);
      nullableLexNt.set(r, nt);
      addProduction({ lhs: nt, syms: [lexemeSymbol(lx)] });
      addProduction({ lhs: nt, syms: [] });
    }
    return nt;
  };
  const ntOfRule = (name: string): number => {
    let nt = ruleNt.get(name);
    if (nt === undefined) {
      nt = newNt(name);
      ruleNt.set(name, nt);
      pendingRules.push(name);
    }
    return nt;
  };
  const pendingRules: string[] = [];

  /** Symbols for a sequence body; returns null if the body can never match. */
  // Lexeme boundaries. The language never depends on them; the speed does:
  // a lexer state is the derivative of a lexeme, so a lexeme that runs on
  // far past a string or a number makes every position a state of its own,
  // and per-state token caches are never shared. So a run of regular items
  // is cut right after the item that follows a heavy one (a loop and its
  // terminator, e.g. `char* "`), and a heavy regular rule with a sequence or
  // alternation body is kept as a nonterminal (its alternatives become
  // productions, split the same way), so all its uses share one lexeme.
  const heavyMemo = new Map<Expr, boolean>();
  const heavy = (e: Expr): boolean => {
    const hit = heavyMemo.get(e);
    if (hit !== undefined) return hit;
    let h: boolean;
    switch (e.kind) {
      case 'repeat':
        h = e.max > HEAVY_REPEAT || heavy(e.item);
        break;
      case 'seq':
      case 'alt':
        h = e.items.some(heavy);
        break;
      case 'ref':
        heavyMemo.set(e, false); // guard; regular rules are acyclic
        h = heavy(rules.get(e.name)!);
        break;
      default:
        h = false;
    }
    heavyMemo.set(e, h);
    return h;
  };
  /** A regular rule reference kept as its own nonterminal. */
  const keptRule = (e: Expr): boolean => {
    if (e.kind !== 'ref' || !isRegularExpr(e) || !heavy(e)) return false;
    const body = rules.get(e.name)!;
    return body.kind === 'seq' || body.kind === 'alt' || body.kind === 'ref';
  };

  const symbolList = (e: Expr, owner: string, depth: number): number[] | null => {
    const items = e.kind === 'seq' ? e.items : [e];
    const out: number[] = [];
    let run: number[] = [];
    let cutAfterNext = false;
    const flush = (): boolean => {
      cutAfterNext = false;
      if (run.length === 0) return true;
      const s = regexSymbol(store.seqOf(run));
      run = [];
      if (s === DROP) return false;
      if (s !== null) out.push(s);
      return true;
    };
    for (const it of items) {
      if (it.kind === 'alt' && isRegularExpr(it) && heavy(it)) {
        // A heavy regular alternation (e.g. the member orders of an object)
        // becomes a nonterminal whose alternatives are split the same way, so
        // the loops inside it get lexemes (and lexer states) of their own.
        if (!flush()) return null;
        const s = altNonterminal(it, owner, depth + 1);
        if (s === DROP) return null;
        out.push(s);
        continue;
      }
      if (isRegularExpr(it) && !keptRule(it)) {
        if (cutAfterNext && it.kind === 'literal' && [...it.text].length > 1) {
          // Cut inside the terminator: `char* "` ends here and `}` starts the next
          // lexeme, so every string shares the state `char* "`.
          const first = String.fromCodePoint(it.text.codePointAt(0)!);
          run.push(literalBytes(store, first));
          if (!flush()) return null;
          run.push(literalBytes(store, it.text.slice(first.length)));
          continue;
        }
        run.push(toRegex(it));
        if (cutAfterNext) {
          if (!flush()) return null;
        } else if (heavy(it)) {
          // A bare loop keeps its terminator (the next item); a compound item
          // (alternation, group) that holds a loop ends its lexeme right here.
          if (it.kind === 'repeat') cutAfterNext = true;
          else if (!flush()) return null;
        }
      } else {
        if (!flush()) return null;
        const s = it.kind === 'ref' ? ntOfRule(it.name) : symbolOf(it, owner, depth + 1);
        if (s === DROP) return null;
        if (s !== null) out.push(s);
      }
    }
    if (!flush()) return null;
    return out;
  };

  /** Nonterminal for a heavy regular alternation, one production per alternative (memoised). */
  const altNonterminal = (e: Expr & { kind: 'alt' }, owner: string, depth: number): number => {
    if (depth > maxNesting) throw new LimitExceededError('maxNesting', maxNesting, `expression nesting in rule "${owner}"`);
    const memo = exprNt.get(e);
    if (memo !== undefined) return memo;
    const nt = newNt(`${owner}#${names.length}`);
    exprNt.set(e, nt);
    let any = false;
    for (const a of e.items) {
      const syms = symbolList(a, owner, depth + 1);
      if (syms !== null) {
        addProduction({ lhs: nt, syms });
        any = true;
      }
    }
    return any ? nt : DROP;
  };

  /** Symbol standing for a non-regular expression (or a regular one, as a lexeme). */
  const symbolOf = (e: Expr, owner: string, depth: number): number | null => {
    if (depth > maxNesting) throw new LimitExceededError('maxNesting', maxNesting, `expression nesting in rule "${owner}"`);
    if (isRegularExpr(e)) return regexSymbol(toRegex(e));
    if (e.kind === 'ref') return ntOfRule(e.name);
    const memo = exprNt.get(e);
    if (memo !== undefined) return memo;
    const nt = newNt(`${owner}#${names.length}`);
    exprNt.set(e, nt);
    if (e.kind === 'alt') {
      for (const a of e.items) {
        const syms = symbolList(a, owner, depth + 1);
        if (syms !== null) addProduction({ lhs: nt, syms });
      }
    } else if (e.kind === 'seq') {
      const syms = symbolList(e, owner, depth + 1);
      if (syms !== null) addProduction({ lhs: nt, syms });
    } else if (e.kind === 'guard') {
      let g = guardIds.get(e.guard);
      if (g === undefined) {
        g = guards.length;
        guards.push(e.guard);
        guardIds.set(e.guard, g);
      }
      guardOfNt.set(nt, g);
      const syms = symbolList(e.body, owner, depth + 1);
      if (syms !== null) addProduction({ lhs: nt, syms });
    } else if (e.kind === 'repeat') {
      const s = symbolOf(e.item, owner, depth + 1);
      if (s === DROP || s === null) {
        // x{m,n} of nothing / of the empty string.
        if (s === null || e.min === 0) addProduction({ lhs: nt, syms: [] });
      } else {
        addProduction({ lhs: nt, syms: [s], repeat: { min: e.min, max: e.max === Infinity ? -1 : e.max } });
      }
    }
    return nt;
  };

  const start = newNt('<start>');
  {
    const startRef: Expr = { kind: 'ref', name: grammar.start };
    const s = isRegularExpr(startRef) && !keptRule(startRef) ? regexSymbol(toRegex(startRef)) : ntOfRule(grammar.start);
    if (s === DROP) addProduction({ lhs: start, syms: [DROP] });
    else addProduction({ lhs: start, syms: s === null ? [] : [s] });
  }
  while (pendingRules.length > 0) {
    const name = pendingRules.pop()!;
    const nt = ruleNt.get(name)!;
    const e = rules.get(name)!;
    const alts = e.kind === 'alt' ? e.items : [e];
    for (const a of alts) {
      const syms = symbolList(a, name, 0);
      if (syms !== null) addProduction({ lhs: nt, syms });
    }
  }

  // 4. Productive nonterminals; drop productions using unproductive symbols.
  const nNt = names.length;
  const productive = new Uint8Array(nNt);
  const symProductive = (s: number): boolean => (s === DROP ? false : s < 0 ? true : productive[s] === 1);
  let again = true;
  while (again) {
    again = false;
    for (const p of productions) {
      if (productive[p.lhs]) continue;
      const ok = p.repeat ? p.repeat.min === 0 || symProductive(p.syms[0]!) : p.syms.every(symProductive);
      if (ok) {
        productive[p.lhs] = 1;
        again = true;
      }
    }
  }
  const kept: Production[] = [];
  for (const p of productions) {
    if (!productive[p.lhs]) continue;
    if (p.repeat) {
      if (!symProductive(p.syms[0]!)) kept.push({ lhs: p.lhs, syms: [] });
      else kept.push(p);
    } else if (p.syms.every(symProductive)) {
      kept.push(p);
    }
  }

  // 5. Nullable nonterminals; repeats of nullable symbols start at 0.
  const nullable = new Uint8Array(nNt);
  const symNullable = (s: number): boolean => s >= 0 && nullable[s] === 1;
  again = true;
  while (again) {
    again = false;
    for (const p of kept) {
      if (nullable[p.lhs]) continue;
      const ok = p.repeat ? p.repeat.min === 0 || symNullable(p.syms[0]!) : p.syms.every(symNullable);
      if (ok) {
        nullable[p.lhs] = 1;
        again = true;
      }
    }
  }
  for (const p of kept) if (p.repeat && symNullable(p.syms[0]!)) p.repeat.min = 0;

  // 6. Guarded nonterminals: checked where predicted, so never skipped as
  // nullable; and the guards assume each guarded text exists.
  const ntGuard = new Int32Array(nNt).fill(-1);
  for (const [nt, g] of guardOfNt) {
    if (nullable[nt]) throw new InvalidArgumentError(`guarded expression in "${names[nt]}" matches the empty string`);
    if (!productive[nt]) {
      throw new UnsupportedFeatureError('properties', names[nt]!, 'an object member without any valid text (its value schema has no instance) in an any-order object');
    }
    ntGuard[nt] = g;
  }

  return { store, lexemes, names, productions: kept, start, nullable, guards, ntGuard };
}

/** Rules on a cycle of references (Tarjan's strongly connected components, iterative). */
function findCyclicRules(refsOf: ReadonlyMap<string, readonly string[]>): Set<string> {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const sccStack: string[] = [];
  const cyclic = new Set<string>();
  let counter = 0;
  for (const root of refsOf.keys()) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    index.set(root, counter);
    low.set(root, counter++);
    sccStack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const v = frame[0];
      const refs = refsOf.get(v)!;
      if (frame[1] < refs.length) {
        const w = refs[frame[1]++]!;
        if (w === v) cyclic.add(v);
        if (!index.has(w)) {
          index.set(w, counter);
          low.set(w, counter++);
          sccStack.push(w);
          onStack.add(w);
          work.push([w, 0]);
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]![0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = sccStack.pop()!;
          onStack.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1) for (const c of comp) cyclic.add(c);
      }
    }
  }
  return cyclic;
}
