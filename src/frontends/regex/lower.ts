/**
 * Lowers the regex AST to the grammar IR: case folding, `.` and class sets,
 * bounded repetition (checked against `maxRepeat`), and anchors.
 *
 * Anchors (`^`, `$`, no multiline) are exact anywhere: each node is lowered
 * to four languages, one per combination of "passes a `^`" / "passes a `$`"
 * (see {@link Lowered}), so `(^a|b)c` in search mode becomes
 * `[\s\S]* b c [\s\S]* | a c [\s\S]*`, `a^b` the empty language, and
 * `(x($|/))*` works inside a repetition.
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

/**
 * A node lowered with its anchors resolved. Index `k = s * 2 + e` over two
 * flags: `s`, the derivation passes a `^`; `e`, it passes a `$`. A derivation
 * counts only if its `^`s come before anything it consumes and its `$`s after
 * (with nothing consumed, any order: start and end are then one position).
 * `v[k]` is the language consumed by the counted derivations with flags `k`;
 * `z[k]` whether one of them consumes nothing. Anchor-free nodes have only
 * `v[0]`, with `z[0]` = nullable.
 */
interface Lowered {
  readonly v: readonly [Expr, Expr, Expr, Expr];
  readonly z: readonly [boolean, boolean, boolean, boolean];
}

/** Flag indices of {@link Lowered}. */
const enum Flags {
  None = 0,
  End = 1,
  Start = 2,
  Both = 3,
}

/** Lowers a parsed pattern to an IR expression. */
export function lowerRegex(ast: Node, opts: LowerOptions): Expr {
  return new Lowerer(opts).top(ast);
}

class Lowerer {
  private readonly anyStar = star(anyChar());

  constructor(private readonly opts: LowerOptions) {}

  top(ast: Node): Expr {
    const { v } = this.node(ast);
    if (this.opts.mode === 'full') return alt(v[Flags.None], v[Flags.Start], v[Flags.End], v[Flags.Both]);
    const any = this.anyStar;
    const free = v[Flags.None];
    return alt(
      free.kind === 'empty' ? any : concat([any, free, any]),
      concat([v[Flags.Start], any]),
      concat([any, v[Flags.End]]),
      v[Flags.Both],
    );
  }

  private where(offset: number): string {
    return `${this.opts.source} offset ${offset}`;
  }

  private node(n: Node): Lowered {
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
        return this.node(n.body);
      case 'alt': {
        const parts = n.items.map((it) => this.node(it));
        const v = [0, 1, 2, 3].map((k) => alternation(parts.map((p) => p.v[k]!)));
        const z = [0, 1, 2, 3].map((k) => parts.some((p) => p.z[k]));
        return lowered(v, z);
      }
      case 'seq': {
        // Runs of anchor-free items are concatenated at once (linear in the pattern).
        let acc = plain(empty());
        let run: Expr[] = [];
        for (const it of n.items) {
          const l = this.node(it);
          if (isPlain(l)) {
            run.push(l.v[0]);
            continue;
          }
          if (run.length > 0) acc = sequence(acc, plain(concat(run)));
          run = [];
          acc = sequence(acc, l);
        }
        return run.length > 0 ? sequence(acc, plain(concat(run))) : acc;
      }
      case 'repeat': {
        const { maxRepeat } = this.opts;
        if (n.min > maxRepeat || (n.max !== Infinity && n.max > maxRepeat)) {
          const bounds = n.max === Infinity ? `{${n.min},}` : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
          throw new LimitExceededError('maxRepeat', maxRepeat, `repetition ${bounds} at ${this.where(n.offset)}`);
        }
        return repeatLowered(this.node(n.item), n.min, n.max);
      }
      case 'anchor': {
        const k = n.end ? Flags.End : Flags.Start;
        const v: Expr[] = [nothing(), nothing(), nothing(), nothing()];
        const z = [false, false, false, false];
        v[k] = empty();
        z[k] = true;
        return lowered(v, z);
      }
      case 'unsupported':
        throw new UnsupportedFeatureError(n.feature, this.where(n.offset));
    }
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

function lowered(v: readonly Expr[], z: readonly boolean[]): Lowered {
  return { v: [v[0]!, v[1]!, v[2]!, v[3]!], z: [z[0]!, z[1]!, z[2]!, z[3]!] };
}

/** An anchor-free node. */
function plain(expr: Expr): Lowered {
  return { v: [expr, nothing(), nothing(), nothing()], z: [nullable(expr), false, false, false] };
}

function isPlain(l: Lowered): boolean {
  return l.v[1].kind === 'nothing' && l.v[2].kind === 'nothing' && l.v[3].kind === 'nothing' && !l.z[1] && !l.z[2] && !l.z[3];
}

/** Whether `e` matches the empty string (no refs occur in regex IR). */
function nullable(e: Expr): boolean {
  switch (e.kind) {
    case 'empty':
      return true;
    case 'nothing':
    case 'literal':
    case 'class':
    case 'ref':
    case 'guard':
      return false;
    case 'seq':
      return e.items.every(nullable);
    case 'alt':
      return e.items.some(nullable);
    case 'repeat':
      return e.min === 0 || nullable(e.item);
  }
}

function epsIf(b: boolean): Expr {
  return b ? empty() : nothing();
}

/**
 * `a` then `b`. A `^` in `b` needs `a` to consume nothing; a `$` in `a` needs
 * `b` to consume nothing. Flags combine by OR.
 */
function sequence(a: Lowered, b: Lowered): Lowered {
  if (isPlain(a) && isPlain(b)) {
    return { v: [concat([a.v[0], b.v[0]]), nothing(), nothing(), nothing()], z: [a.z[0] && b.z[0], false, false, false] };
  }
  const v: Expr[] = [nothing(), nothing(), nothing(), nothing()];
  const z = [false, false, false, false];
  for (let ka = 0; ka < 4; ka++) {
    for (let kb = 0; kb < 4; kb++) {
      const k = ka | kb;
      const left = kb & Flags.Start ? epsIf(a.z[ka]!) : a.v[ka]!;
      const right = ka & Flags.End ? epsIf(b.z[kb]!) : b.v[kb]!;
      if (left.kind !== 'nothing' && right.kind !== 'nothing') v[k] = alt(v[k]!, concat([left, right]));
      if (a.z[ka] && b.z[kb]) z[k] = true;
    }
  }
  return lowered(v, z);
}

/**
 * `a{m,n}`. In a counted derivation of k copies, let i be the last copy with
 * a `^` and j the first with a `$`. Copies before i consume nothing (and have
 * no `$`), copies after j consume nothing (and have no `^`), copies between
 * are anchor-free. If j < i, no copy consumes anything.
 */
function repeatLowered(a: Lowered, m: number, n: number): Lowered {
  const p = a.v[Flags.None];
  if (isPlain(a)) return plain(repeat(p, m, n));
  const [z00, z01, z10, z11] = a.z;
  const zPre = z00 || z10; // a copy before the last `^`: consumes nothing, no `$`
  const zPost = z00 || z01; // a copy after the first `$`: consumes nothing, no `^`
  const pad = (lo: number): number => (zPre || zPost ? 0 : Math.max(0, lo));
  const v: Expr[] = [repeat(p, m, n), nothing(), nothing(), nothing()];
  if (n >= 1) {
    v[Flags.Start] = concat([a.v[Flags.Start], repeat(p, zPre ? 0 : Math.max(0, m - 1), n - 1)]);
    v[Flags.End] = concat([repeat(p, zPost ? 0 : Math.max(0, m - 1), n - 1), a.v[Flags.End]]);
    const both: Expr[] = [];
    if (m <= 1 || zPre || zPost) both.push(a.v[Flags.Both]);
    if (n >= 2) both.push(concat([a.v[Flags.Start], repeat(p, pad(m - 2), n - 2), a.v[Flags.End]]));
    if (z11 || (n >= 2 && z10 && z01)) both.push(empty());
    v[Flags.Both] = alt(...both);
  }
  const z = [m === 0 || z00, n >= 1 && z01, n >= 1 && z10, n >= 1 && (z11 || (n >= 2 && z10 && z01))];
  return lowered(v, z);
}

/** One code point's ranges when `e` matches exactly one code point, else undefined. */
function singleCodePoint(e: Expr): readonly number[] | undefined {
  if (e.kind === 'class') return e.ranges;
  if (e.kind === 'literal') {
    const cp = e.text.codePointAt(0)!;
    if (e.text.length === (cp > 0xffff ? 2 : 1)) return [cp, cp];
  }
  return undefined;
}

/** Alternation that merges its one-code-point items (`a|b|[0-9]`) into one class, where the first was. */
function alternation(items: readonly Expr[]): Expr {
  const ranges: number[] = [];
  let at = -1;
  let count = 0;
  const out: Expr[] = [];
  for (const it of items) {
    const r = singleCodePoint(it);
    if (r === undefined) {
      out.push(it);
      continue;
    }
    ranges.push(...r);
    if (count++ === 0) {
      at = out.length;
      out.push(it);
    }
  }
  if (count > 1) {
    const norm = normalizeRanges(ranges);
    out[at] = norm.length === 2 && norm[0] === norm[1] ? literal(String.fromCodePoint(norm[0]!)) : charClass(norm);
  }
  return alt(...out);
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
