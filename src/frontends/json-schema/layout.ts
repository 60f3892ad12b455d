/**
 * Whitespace layouts: what may stand between JSON tokens.
 */
import { charClass, empty, literal, repeat, seq, type Expr } from '../../ir/expr.js';
import type { ResolvedOptions } from './options.js';

/** Whitespace between tokens; `depth` is the nesting depth of the container (0 = top level). */
export interface Layout {
  /** True when the texts depend on depth (`pretty`). */
  readonly depthSensitive: boolean;
  /** After `{` / `[`, before the first member. */
  open(depth: number): Expr;
  /** After the last member, before `}` / `]`. */
  close(depth: number): Expr;
  /** Between two members, including the comma. */
  sep(depth: number): Expr;
  /** Between a key and its value, including the colon. */
  readonly colon: Expr;
  /** Between `{` and `}` (or `[` and `]`) of an empty container. */
  readonly emptyInner: Expr;
  /** Before and after the top-level value. */
  readonly outer: Expr;
}

/** Builds the layout for the options. */
export function makeLayout(o: ResolvedOptions): Layout {
  switch (o.whitespace) {
    case 'compact':
      return fixed(literal(','), literal(':'));
    case 'maskbench':
      return fixed(literal(', '), literal(': '));
    case 'pretty': {
      const ind = (d: number): string => ' '.repeat(o.indent * d);
      return {
        depthSensitive: true,
        open: (d) => literal('\n' + ind(d + 1)),
        close: (d) => literal('\n' + ind(d)),
        sep: (d) => literal(',\n' + ind(d + 1)),
        colon: literal(': '),
        emptyInner: empty(),
        outer: empty(),
      };
    }
    case 'flexible': {
      const ws = repeat(charClass([0x09, 0x0a, 0x0d, 0x0d, 0x20, 0x20]), 0, o.maxWhitespace);
      const sep = seq(ws, literal(','), ws);
      return {
        depthSensitive: false,
        open: () => ws,
        close: () => ws,
        sep: () => sep,
        colon: seq(ws, literal(':'), ws),
        emptyInner: ws,
        outer: ws,
      };
    }
  }
}

function fixed(sep: Expr, colon: Expr): Layout {
  return {
    depthSensitive: false,
    open: () => empty(),
    close: () => empty(),
    sep: () => sep,
    colon,
    emptyInner: empty(),
    outer: empty(),
  };
}
