/**
 * An independent membership oracle for IR grammars: turns a {@link Grammar}
 * into a character-level nearley grammar (one token per code point, classes
 * as test functions) and lets nearley's Earley parser decide. Slow, for tests.
 */
import nearley from 'nearley';
import type { Expr, Grammar } from '../../../src/ir/expr.js';

interface CpToken {
  type: 'cp';
  value: string;
  text: string;
  cp: number;
  offset: number;
  line: number;
  col: number;
}

/** nearley lexer yielding one token per code point. */
class CodePointLexer implements nearley.Lexer {
  private chars: string[] = [];
  private i = 0;
  reset(chunk: string): void {
    this.chars = Array.from(chunk);
    this.i = 0;
  }
  next(): CpToken | undefined {
    if (this.i >= this.chars.length) return undefined;
    const ch = this.chars[this.i]!;
    const tok: CpToken = { type: 'cp', value: ch, text: ch, cp: ch.codePointAt(0)!, offset: this.i, line: 1, col: this.i + 1 };
    this.i++;
    return tok;
  }
  save(): object {
    return {};
  }
  formatError(tok: CpToken): string {
    return `at code point ${tok.offset}`;
  }
  has(): boolean {
    return true;
  }
}

function inRanges(ranges: readonly number[], cp: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) if (cp >= ranges[i]! && cp <= ranges[i + 1]!) return true;
  return false;
}

/** Converts an IR grammar to nearley's compiled form (start symbol `r:<start>`). */
export function toNearley(g: Grammar): nearley.CompiledRules {
  const rules: nearley.ParserRule[] = [];
  const nul = () => null;
  let fresh = 0;
  const add = (name: string, symbols: unknown[]) => rules.push({ name, symbols, postprocess: nul });
  const never = { test: () => false };
  /** Returns the nearley symbols of a sequence for `e`. */
  const symbols = (e: Expr): unknown[] => {
    switch (e.kind) {
      case 'empty':
        return [];
      case 'nothing':
        return [never];
      case 'literal':
        return Array.from(e.text).map((ch) => ({ literal: ch }));
      case 'class': {
        const r = e.ranges;
        return [{ test: (t: CpToken) => inRanges(r, t.cp) }];
      }
      case 'ref':
        return ['r:' + e.name];
      case 'seq':
        return e.items.flatMap(symbols);
      case 'alt': {
        const n = `alt#${fresh++}`;
        for (const it of e.items) add(n, symbols(it));
        return [n];
      }
      case 'repeat': {
        const item = symbols(e.item);
        const n = `rep#${fresh++}`;
        const out: unknown[] = [];
        for (let i = 0; i < e.min; i++) out.push(...item);
        if (e.max === Infinity) {
          add(n, []);
          add(n, [n, ...item]);
          out.push(n);
        } else if (e.max > e.min) {
          // n_k -> null | item n_{k+1}: at most (max - min) more items
          const names = Array.from({ length: e.max - e.min }, (_, k) => `${n}.${k}`);
          for (let k = 0; k < names.length; k++) {
            add(names[k]!, []);
            add(names[k]!, [...item, ...(k + 1 < names.length ? [names[k + 1]!] : [])]);
          }
          out.push(names[0]!);
        }
        return out;
      }
    }
  };
  for (const [name, e] of g.rules) add('r:' + name, symbols(e));
  return { ParserStart: 'r:' + g.start, ParserRules: rules };
}

/** Membership oracle over nearley. */
export class NearleyOracle {
  private readonly grammar: nearley.Grammar;
  constructor(g: Grammar) {
    this.grammar = nearley.Grammar.fromCompiled(toNearley(g));
  }
  private run(text: string): nearley.Parser | undefined {
    const p = new nearley.Parser(this.grammar, { lexer: new CodePointLexer() });
    try {
      p.feed(text);
    } catch {
      return undefined;
    }
    return p;
  }
  /** Whether `text` is in the language. */
  accepts(text: string): boolean {
    const p = this.run(text);
    return p !== undefined && p.results.length > 0;
  }
  /** Number of parse trees nearley finds for `text` (0: rejected, >1: ambiguous). */
  parseCount(text: string): number {
    return this.run(text)?.results.length ?? 0;
  }
  /**
   * Whether `text` is a prefix of the language, assuming every rule derives
   * some string (nearley keeps items that can never complete).
   */
  isViablePrefix(text: string): boolean {
    return this.run(text) !== undefined;
  }
}
