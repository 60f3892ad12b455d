/**
 * Picks the EBNF dialect of a grammar text, for callers (CLI `--grammar F`)
 * that accept both: by file extension, else by content.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { Grammar } from '../../ir/expr.js';
import { parseGbnf } from './gbnf.js';
import { parseLark } from './lark.js';

/** An EBNF dialect constrain reads. */
export type EbnfDialect = 'gbnf' | 'lark';

/** Options of {@link parseEbnf}. */
export interface EbnfOptions {
  /** File name or label for error locations; its extension (`.gbnf`, `.lark`) picks the dialect. */
  source?: string;
  /** Dialect; overrides the extension and the content sniffing. */
  dialect?: EbnfDialect;
  /** Start rule (default `root` for GBNF, `start` for Lark). */
  start?: string;
}

/**
 * The dialect of `text`: `opts.dialect`, else `.gbnf`/`.lark` extension of
 * `opts.source`, else GBNF when some line defines a rule with `::=` (Lark has
 * no `::=`), else Lark.
 */
export function detectDialect(text: string, opts: Pick<EbnfOptions, 'source' | 'dialect'> = {}): EbnfDialect {
  if (opts.dialect !== undefined) {
    if (opts.dialect !== 'gbnf' && opts.dialect !== 'lark') throw new InvalidArgumentError(`unknown grammar dialect '${String(opts.dialect)}' (gbnf or lark)`);
    return opts.dialect;
  }
  const ext = /\.([a-z]+)$/i.exec(opts.source ?? '')?.[1]?.toLowerCase();
  if (ext === 'gbnf') return 'gbnf';
  if (ext === 'lark') return 'lark';
  return /^[ \t]*[A-Za-z0-9_-]+[ \t]*::=/m.test(text) ? 'gbnf' : 'lark';
}

/** Parses a GBNF or Lark-like grammar, the dialect chosen by {@link detectDialect}. */
export function parseEbnf(text: string, opts: EbnfOptions = {}): Grammar {
  const dialect = detectDialect(text, opts);
  const o = { source: opts.source, start: opts.start };
  return dialect === 'gbnf' ? parseGbnf(text, o) : parseLark(text, o);
}
