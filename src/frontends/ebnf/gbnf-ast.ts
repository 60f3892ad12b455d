/**
 * Syntax tree of a GBNF grammar as the nearley grammar (`gbnf.ne`) builds it:
 * raw tokens are kept so the front-end can report exact locations.
 */
import type { Token } from './runner.js';

/** An expression of a GBNF rule body. */
export type GbnfNode =
  | { readonly k: 'ref'; readonly tok: Token }
  | { readonly k: 'string'; readonly tok: Token }
  | { readonly k: 'class'; readonly tok: Token }
  | { readonly k: 'any'; readonly tok: Token }
  | { readonly k: 'token'; readonly tok: Token }
  | { readonly k: 'seq'; readonly items: readonly GbnfNode[] }
  | { readonly k: 'alt'; readonly items: readonly GbnfNode[] }
  /** Postfix operator `*`, `+`, `?` or `{m,n}` (the `op` token). */
  | { readonly k: 'repeat'; readonly item: GbnfNode; readonly op: Token };

/** One `name ::= body` definition; `head` is the `define` token (value: the name). */
export interface GbnfRule {
  readonly head: Token;
  readonly body: GbnfNode;
}
