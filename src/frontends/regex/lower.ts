/**
 * Lowers the regex AST to the grammar IR: case folding, `.` and class sets,
 * bounded repetition (checked against `maxRepeat`), and anchors.
 *
 * Anchors are handled by lowering each node to at most four *variants*, one
 * per combination of "anchored at the start" / "anchored at the end", so
 * `(^a|b)c` in search mode becomes `a c [\s\S]* | [\s\S]* b c [\s\S]*`. A
 * `^` is accepted only where nothing can precede it (first term of an
 * alternative that is itself at the start, through unquantified groups), a
 * `$` symmetrically; anywhere else it is an `UnsupportedFeatureError`.
 */
import { LimitExceededError, UnsupportedFeatureError } from '../../errors.js';
import {
  alt,
  anyChar,
  charClass,
  complementRanges,
  empty,
  literal,
  normalizeRanges,
  nothing,
  repeat,
  seq,
  star,
  type Expr,
} from '../../ir/expr.js';
import type { Node, SetItem } from './ast.js';
import { LINE_TERMINATOR_RANGES, WORD_RANGES, caseClosure, caseVariants, hasNonSurrogate } from './unicode.js';

/** What lowering needs to know. */
export interface LowerOptions {
  /** Whole-text match or JSON Schema `pattern` (substring) semantics. */
  mode: 'full' | 'search';
  /** `i` flag. */
  ignoreCase: boolean;
  /** `s` flag. */
  dotAll: boolean;
  /** `v` flag: with `i`, `\\P{..}` complements the case-closed property (`u` closes the complement). */
  unicodeSets: boolean;
  /** Largest repetition bound accepted. */
  maxRepeat: number;
  /** Label for error locations. */
  source: string;
}

/** One way a node can match, and whether that way is pinned to the text's start / end. */
interface Variant {
  readonly s: boolean;
  readonly e: boolean;
  readonly expr: Expr;
}

/** Lowers a parsed pattern to an IR expression. */
export function lowerRegex(ast: Node, opts: LowerOptions): Expr {
  return new Lowerer(opts).top(ast);
}

class Lowerer {
  private readonly anyStar = star(anyChar());

  constructor(private readonly opts: LowerOptions) {}

  top(ast: Node): Expr {
    const variants = this.node(ast, true, true);
    if (this.opts.mode === 'full') return alt(...variants.map((v) => v.expr));
    return alt(
      ...variants.map((v) => {
        if (!v.s && !v.e && v.expr.kind === 'empty') return this.anyStar;
        return concat([v.s ? empty() : this.anyStar, v.expr, v.e ? empty() : this.anyStar]);
      }),
    );
  }

  private where(offset: number): string {
    return `${this.opts.source} offset ${offset}`;
  }

  private node(n: Node, atStart: boolean, atEnd: boolean): Variant[] {
    switch (n.kind) {
      case 'char':
        return plain(this.char(n.cp));
      case 'dot': {
        if (this.opts.dotAll) return plain(anyChar());
        return plain(this.set(complementRanges(LINE_TERMINATOR_RANGES)));
      }
      case 'set':
        return plain(this.set(this.setRanges(n.items, n.negated)));
      case 'group':
        return this.node(n.body, atStart, atEnd);
      case 'alt':
        return merge(n.items.flatMap((it) => this.node(it, atStart, atEnd)));
      case 'seq':
        return this.sequence(n.items, atStart, atEnd);
      case 'repeat': {
        const { maxRepeat } = this.opts;
        if (n.min > maxRepeat || (n.max !== Infinity && n.max > maxRepeat)) {
          const bounds = n.max === Infinity ? `{${n.min},}` : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
          throw new LimitExceededError('maxRepeat', maxRepeat, `repetition ${bounds} at ${this.where(n.offset)}`);
        }
        return plain(repeat(this.inner(n.item), n.min, n.max));
      }
      case 'anchor': {
        const ok = n.end ? atEnd : atStart;
        if (!ok) {
          throw new UnsupportedFeatureError(
            'anchor',
            this.where(n.offset),
            `${n.end ? '$' : '^'} is only supported at the ${n.end ? 'end' : 'start'} of the pattern or of a top-level alternative`,
          );
        }
        return [{ s: !n.end, e: n.end, expr: empty() }];
      }
      case 'unsupported':
        throw new UnsupportedFeatureError(n.feature, this.where(n.offset));
    }
  }

  /** A node that must not contain edge anchors (inside a quantifier). */
  private inner(n: Node): Expr {
    return alt(...this.node(n, false, false).map((v) => v.expr));
  }

  private sequence(items: readonly Node[], atStart: boolean, atEnd: boolean): Variant[] {
    const n = items.length;
    if (n === 0) return plain(empty());
    if (n === 1) return this.node(items[0]!, atStart, atEnd);
    const first = this.node(items[0]!, atStart, false);
    const middle: Expr[] = [];
    for (let i = 1; i < n - 1; i++) middle.push(this.inner(items[i]!));
    const last = this.node(items[n - 1]!, false, atEnd);
    const out: Variant[] = [];
    for (const a of first) for (const b of last) out.push({ s: a.s, e: b.e, expr: concat([a.expr, ...middle, b.expr]) });
    return merge(out);
  }

  private char(cp: number): Expr {
    if (cp >= 0xd800 && cp <= 0xdfff) return nothing(); // a lone surrogate matches no valid text
    if (this.opts.ignoreCase) {
      const v = caseVariants(cp);
      if (v.length > 1) return charClass(v.flatMap((c) => [c, c]));
    }
    return literal(String.fromCodePoint(cp));
  }

  private setRanges(items: readonly SetItem[], negated: boolean): number[] {
    const acc: number[] = [];
    for (const it of items) {
      switch (it.kind) {
        case 'ranges':
          acc.push(...it.ranges);
          break;
        case 'word':
          acc.push(...this.wordRanges());
          break;
        case 'notWord':
          acc.push(...complementRanges(this.wordRanges()));
          break;
        case 'property':
          if (!it.negated) acc.push(...it.ranges);
          else if (this.opts.unicodeSets && this.opts.ignoreCase) acc.push(...complementRanges(caseClosure(it.ranges)));
          else acc.push(...complementRanges(it.ranges));
          break;
      }
    }
    let r = normalizeRanges(acc);
    if (this.opts.ignoreCase) r = caseClosure(r);
    return negated ? complementRanges(r) : r;
  }

  /** `\w`: with `i` (Unicode mode) also the characters that fold into it (ſ, K). */
  private wordRanges(): readonly number[] {
    return this.opts.ignoreCase ? caseClosure(WORD_RANGES) : WORD_RANGES;
  }

  /** A class expression for `ranges` (already case-closed where `i` applies). */
  private set(ranges: readonly number[]): Expr {
    const r = normalizeRanges(ranges);
    if (!hasNonSurrogate(r)) return nothing();
    if (r.length === 2 && r[0] === r[1]) return literal(String.fromCodePoint(r[0]!));
    return charClass(r);
  }
}

function plain(expr: Expr): Variant[] {
  return [{ s: false, e: false, expr }];
}

/** Merges variants with the same anchoring into one alternation (at most four remain). */
function merge(vs: Variant[]): Variant[] {
  const out: Variant[] = [];
  for (const v of vs) {
    const i = out.findIndex((o) => o.s === v.s && o.e === v.e);
    if (i < 0) out.push(v);
    else out[i] = { s: v.s, e: v.e, expr: alt(out[i]!.expr, v.expr) };
  }
  return out;
}

/** Concatenation that also joins adjacent literals into one. */
function concat(items: readonly Expr[]): Expr {
  const flat: Expr[] = [];
  for (const it of items) {
    const x = it.kind === 'seq' ? it.items : [it];
    for (const y of x) {
      const prev = flat[flat.length - 1];
      if (y.kind === 'literal' && prev !== undefined && prev.kind === 'literal') {
        flat[flat.length - 1] = literal(prev.text + y.text);
      } else flat.push(y);
    }
  }
  return seq(...flat);
}
