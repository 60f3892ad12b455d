/**
 * Syntax tree of a Lark-like grammar as the nearley grammar (`lark.ne`)
 * builds it; raw tokens are kept for exact error locations.
 */
import type { Token } from './runner.js';

/** An expression of a rule or terminal body. */
export type LarkNode =
  | { readonly k: 'name'; readonly tok: Token }
  | { readonly k: 'string'; readonly tok: Token }
  | { readonly k: 'regexp'; readonly tok: Token }
  /** `"a".."z"` */
  | { readonly k: 'range'; readonly lo: Token; readonly hi: Token }
  /** `name{args}`: template usage (unsupported). */
  | { readonly k: 'template'; readonly tok: Token }
  /** `<...>`: special token (unsupported). */
  | { readonly k: 'special'; readonly tok: Token }
  | { readonly k: 'seq'; readonly items: readonly LarkNode[] }
  | { readonly k: 'alt'; readonly items: readonly LarkNode[] }
  /** `x?` `x*` `x+` `[x]` `x~n` `x~m..n` `x{m}` `x{m,n}` `x{m,}`; `max` Infinity when unbounded; `tok` the operator. */
  | { readonly k: 'repeat'; readonly item: LarkNode; readonly min: number; readonly max: number; readonly tok: Token };

/** A top-level item of a Lark grammar. */
export type LarkItem =
  /** `head: body`; `head` is the `head` token (text like `?expr.2:`). */
  | { readonly k: 'def'; readonly head: Token; readonly body: LarkNode }
  | { readonly k: 'ignore'; readonly tok: Token; readonly body: LarkNode }
  /**
   * `%import path [-> alias]` or `%import path (names)`; `dots` is the
   * leading-dot token of a relative path, if any.
   */
  | {
      readonly k: 'import';
      readonly tok: Token;
      readonly dot: Token | null;
      readonly path: readonly Token[];
      readonly alias: Token | null;
      readonly names: readonly Token[] | null;
    };
