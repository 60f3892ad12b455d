/**
 * Parser tables of a compiled grammar: productions in flat typed arrays and
 * the Earley item cores (production, dot) interned on first use.
 *
 * Symbol encoding (shared with the compiler): `s >= 0` is nonterminal `s`,
 * `s < 0` is lexeme `-s - 1`. A repeat production `A → x{min,max}` has one
 * symbol; its dot counts completed repetitions, saturating at `min` when
 * `max` is unbounded, so its cores stay finite.
 */

import { LimitExceededError } from '../errors.js';
import type { GuardSpec } from '../ir/expr.js';

/** "No symbol after the dot" marker in {@link ParserTables.coreNext}. */
export const NO_SYMBOL = -0x80000000;

/** Plain description of productions the compiler hands to {@link ParserTables}. */
export interface ProductionList {
  /** Number of nonterminals. */
  nonterminals: number;
  /** Per production: left-hand side. */
  lhs: number[];
  /** Per production: symbols. */
  syms: number[][];
  /** Per production: repeat bounds, or undefined for an ordinary production (max -1: unbounded). */
  repeat: ({ min: number; max: number } | undefined)[];
  /** The augmented start production (its lhs has no other production). */
  startProduction: number;
  /** Nullable flag per nonterminal. */
  nullable: Uint8Array;
  /** Per nonterminal: guard index checked where it is predicted, or -1 (absent: no guards). */
  ntGuard?: Int32Array;
  /** The guard conditions. */
  guards?: readonly GuardSpec[];
}

/** Flat parser tables with lazily interned item cores. */
export class ParserTables {
  readonly prodLhs: Int32Array;
  readonly prodSymStart: Int32Array;
  readonly prodLen: Int32Array;
  /** Repeat minimum per production, -1 for ordinary productions. */
  readonly prodRepMin: Int32Array;
  /** Repeat maximum per production (-1 unbounded). */
  readonly prodRepMax: Int32Array;
  readonly prodSyms: Int32Array;
  /** Productions of nonterminal n: `ntProds[ntProdStart[n]..ntProdStart[n+1])`. */
  readonly ntProdStart: Int32Array;
  readonly ntProds: Int32Array;
  readonly nullable: Uint8Array;
  readonly startProduction: number;
  /** Core of (production, 0) for each production. */
  readonly prodCore0: Int32Array;
  /** Per nonterminal: guard index (into {@link guards}) checked where it is predicted, or -1. */
  readonly ntGuard: Int32Array;
  /** Guard conditions; empty when the grammar has none (then no JSON tracker runs). */
  readonly guards: readonly GuardSpec[];

  /** Production of each core. */
  coreProd = new Int32Array(256);
  /** Dot of each core. */
  coreDot = new Int32Array(256);
  /** Symbol after the dot, or {@link NO_SYMBOL}. */
  coreNext = new Int32Array(256);
  /** 1 when the core is complete (may reduce). */
  coreComplete = new Uint8Array(256);
  /** Core after advancing over the next symbol, -1 until computed. */
  coreAdvance = new Int32Array(256);
  /** Number of cores. */
  coreCount = 0;
  private readonly coreIndex = new Map<number, number>();
  private readonly maxCores: number;

  constructor(p: ProductionList, maxCores = 4_000_000) {
    const n = p.lhs.length;
    this.maxCores = maxCores;
    this.prodLhs = Int32Array.from(p.lhs);
    this.prodSymStart = new Int32Array(n);
    this.prodLen = new Int32Array(n);
    this.prodRepMin = new Int32Array(n).fill(-1);
    this.prodRepMax = new Int32Array(n).fill(-1);
    let total = 0;
    for (let i = 0; i < n; i++) total += p.syms[i]!.length;
    this.prodSyms = new Int32Array(total);
    let off = 0;
    for (let i = 0; i < n; i++) {
      this.prodSymStart[i] = off;
      this.prodLen[i] = p.syms[i]!.length;
      this.prodSyms.set(p.syms[i]!, off);
      off += p.syms[i]!.length;
      const r = p.repeat[i];
      if (r) {
        this.prodRepMin[i] = r.min;
        this.prodRepMax[i] = r.max;
      }
    }
    const counts = new Int32Array(p.nonterminals + 1);
    for (let i = 0; i < n; i++) counts[p.lhs[i]! + 1]!++;
    for (let i = 0; i < p.nonterminals; i++) counts[i + 1]! += counts[i]!;
    this.ntProdStart = counts.slice();
    this.ntProds = new Int32Array(n);
    const fill = counts.slice();
    for (let i = 0; i < n; i++) this.ntProds[fill[p.lhs[i]!]!++] = i;
    this.nullable = p.nullable;
    this.ntGuard = p.ntGuard ?? new Int32Array(p.nonterminals).fill(-1);
    this.guards = p.guards ?? [];
    this.startProduction = p.startProduction;
    this.prodCore0 = new Int32Array(n);
    for (let i = 0; i < n; i++) this.prodCore0[i] = this.core(i, 0);
  }

  /** Interns the core (production, dot). */
  core(prod: number, dot: number): number {
    const key = prod * 0x200000 + dot;
    const hit = this.coreIndex.get(key);
    if (hit !== undefined) return hit;
    const id = this.coreCount;
    if (id >= this.maxCores) throw new LimitExceededError('maxItemCores', this.maxCores, 'too many parser item cores');
    if (id >= this.coreProd.length) this.growCores();
    this.coreCount++;
    this.coreIndex.set(key, id);
    this.coreProd[id] = prod;
    this.coreDot[id] = dot;
    this.coreAdvance[id] = -1;
    const min = this.prodRepMin[prod]!;
    if (min >= 0) {
      const max = this.prodRepMax[prod]!;
      this.coreNext[id] = max < 0 || dot < max ? this.prodSyms[this.prodSymStart[prod]!]! : NO_SYMBOL;
      this.coreComplete[id] = dot >= min ? 1 : 0;
    } else {
      const len = this.prodLen[prod]!;
      this.coreNext[id] = dot < len ? this.prodSyms[this.prodSymStart[prod]! + dot]! : NO_SYMBOL;
      this.coreComplete[id] = dot === len ? 1 : 0;
    }
    return id;
  }

  /** Core after advancing `core` over its next symbol (memoised). */
  advance(core: number): number {
    const a = this.coreAdvance[core]!;
    if (a >= 0) return a;
    const prod = this.coreProd[core]!;
    let dot = this.coreDot[core]! + 1;
    const min = this.prodRepMin[prod]!;
    if (min >= 0 && this.prodRepMax[prod]! < 0 && dot > min) dot = min;
    const r = this.core(prod, dot);
    this.coreAdvance[core] = r;
    return r;
  }

  /** Whether advancing over a nullable symbol must be done eagerly (ordinary productions only). */
  isRepeat(core: number): boolean {
    return this.prodRepMin[this.coreProd[core]!]! >= 0;
  }

  private growCores(): void {
    const n = this.coreProd.length * 2;
    const g = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.coreProd = g(this.coreProd);
    this.coreDot = g(this.coreDot);
    this.coreNext = g(this.coreNext);
    this.coreAdvance = g(this.coreAdvance);
    const c = new Uint8Array(n);
    c.set(this.coreComplete);
    this.coreComplete = c;
  }
}
