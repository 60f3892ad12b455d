/**
 * Grammar rules under construction: unique names, forward references for
 * recursion, and the rule-count limit.
 */
import { LimitExceededError } from '../../errors.js';
import { ref, type Expr, type Grammar } from '../../ir/expr.js';

/** Collects named rules. */
export class RuleBuilder {
  private readonly rules = new Map<string, Expr | null>();
  private readonly used = new Set<string>();
  /** Next numeric suffix to try per base name. */
  private readonly next = new Map<string, number>();
  constructor(private readonly maxRules: number) {}

  /** Reserves a fresh rule name derived from `hint`; define it later with {@link define}. */
  reserve(hint: string): string {
    let base = hint.replace(/[^A-Za-z0-9_.-]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 48) || 'r';
    if (/^[0-9]/.test(base)) base = 'r' + base;
    let name = base;
    let i = this.next.get(base) ?? 2;
    while (this.used.has(name)) name = `${base}-${i++}`;
    this.next.set(base, i);
    this.used.add(name);
    this.rules.set(name, null);
    if (this.rules.size > this.maxRules) throw new LimitExceededError('maxRules', this.maxRules, 'the schema expands into too many grammar rules');
    return name;
  }
  /** Sets the body of a reserved rule. */
  define(name: string, e: Expr): void {
    this.rules.set(name, e);
  }
  /** Reserves and defines a rule; returns a reference to it. */
  add(hint: string, e: Expr): Expr {
    const n = this.reserve(hint);
    this.define(n, e);
    return ref(n);
  }
  /** The finished grammar. */
  grammar(start: string): Grammar {
    const out = new Map<string, Expr>();
    out.set(start, this.rules.get(start)!);
    for (const [k, v] of this.rules) {
      if (v === null) throw new Error(`internal: rule ${k} reserved but never defined`);
      if (k !== start) out.set(k, v);
    }
    return { rules: out, start };
  }
}
