/**
 * The small regex AST the parser builds before lowering to the grammar IR.
 * Every node keeps its UTF-16 `offset` in the pattern for error messages.
 */

/** A set of code points before case folding: ranges plus named escapes resolved later. */
export interface SetItem {
  readonly kind: 'ranges' | 'word' | 'notWord' | 'property';
  /** For `ranges`: pairs `[lo, hi, ...]` (unnormalized). For `property`: ranges of `\p{...}`. */
  readonly ranges: readonly number[];
  /** For `property`: `\P{...}` (complemented). */
  readonly negated: boolean;
}

/** One code point (a literal character or a character escape). */
export interface CharNode { readonly kind: 'char'; readonly cp: number; readonly offset: number }
/** `.` */
export interface DotNode { readonly kind: 'dot'; readonly offset: number }
/** A bracket class `[...]` or a class escape (`\d`, `\p{L}`, ...) outside brackets. */
export interface SetNode { readonly kind: 'set'; readonly items: readonly SetItem[]; readonly negated: boolean; readonly offset: number }
/** Concatenation of terms. */
export interface SeqNode { readonly kind: 'seq'; readonly items: readonly Node[]; readonly offset: number }
/** Alternation. */
export interface AltNode { readonly kind: 'alt'; readonly items: readonly Node[]; readonly offset: number }
/** A group, capturing or not (captures do not change the language). */
export interface GroupNode { readonly kind: 'group'; readonly body: Node; readonly offset: number }
/** `item{min,max}` (greedy or lazy: same language). */
export interface RepeatNode { readonly kind: 'repeat'; readonly item: Node; readonly min: number; readonly max: number; readonly offset: number }
/** `^` or `$`. */
export interface AnchorNode { readonly kind: 'anchor'; readonly end: boolean; readonly offset: number }
/** Constructs that parse but cannot be expressed as a context-free language of code points. */
export interface UnsupportedNode {
  readonly kind: 'unsupported';
  /** `lookahead`, `lookbehind`, `backreference`, `word boundary`. */
  readonly feature: string;
  readonly offset: number;
}

/** A regex AST node. */
export type Node = CharNode | DotNode | SetNode | SeqNode | AltNode | GroupNode | RepeatNode | AnchorNode | UnsupportedNode;
