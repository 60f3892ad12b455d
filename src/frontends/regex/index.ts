/**
 * Regex front-end: ECMAScript regular expressions (the dialect of JSON Schema
 * `pattern`, Unicode-mode syntax and semantics) to the grammar IR.
 */
import { InvalidArgumentError, UnsupportedFeatureError } from '../../errors.js';
import type { Expr } from '../../ir/expr.js';
import { lowerRegex } from './lower.js';
import { parsePattern } from './parser.js';

/** Options of {@link parseRegex}. */
export interface RegexOptions {
  /**
   * `'full'` (default): the whole text must match (anchors `^`/`$` at the ends are allowed and
   * redundant). `'search'`: JSON Schema `pattern` semantics: the text matches if it contains a
   * match, i.e. `[\s\S]*` is implied before unless the pattern starts with `^` and after unless
   * it ends with `$` (per alternative).
   */
  mode?: 'full' | 'search';
  /**
   * Flags: `i` (case-insensitive, Unicode simple case folding), `s` (`.` matches line
   * terminators), `u`/`v` accepted (Unicode mode is always on). Default: no flags; `.` then
   * excludes `\n \r \u2028 \u2029`. `m` is an `UnsupportedFeatureError`; others are invalid.
   */
  flags?: string;
  /** Label for error locations, default `'<regex>'`. */
  source?: string;
  /** Largest repetition bound accepted (default 100000); beyond it, `LimitExceededError('maxRepeat')`. */
  maxRepeat?: number;
  /**
   * Also accept the non-Unicode-mode (Annex B) spellings common in real schemas whose meaning
   * is unambiguous: `\\:`, `\\-`, `\\@` (identity escapes of non-alphanumerics), a `{` that
   * starts no quantifier and lone `}` `]` as literals, `[\\w-.]` as `\\w`, `-`, `.`. Matching
   * semantics stay Unicode-mode. Default false (Node's `new RegExp(p, 'u')` syntax exactly).
   */
  lenient?: boolean;
}

/** Default of {@link RegexOptions.maxRepeat}. */
export const DEFAULT_MAX_REPEAT = 100_000;

/**
 * Parses an ECMAScript regular expression into a grammar IR expression over code points.
 * Anchors `^`/`$` are exact anywhere (`a^b` is the empty language).
 *
 * @throws GrammarSyntaxError on invalid syntax (message names the offset).
 * @throws UnsupportedFeatureError for lookaround, backreferences, `\b`/`\B`, the `m` flag, `v`-flag set notation.
 * @throws LimitExceededError when a repetition bound exceeds `maxRepeat`.
 * @throws InvalidArgumentError on unknown or repeated flags.
 */
export function parseRegex(pattern: string, opts: RegexOptions = {}): Expr {
  const source = opts.source ?? '<regex>';
  const flags = parseFlags(opts.flags ?? '', source);
  const ast = parsePattern(pattern, { source, unicodeSets: flags.has('v'), lenient: opts.lenient ?? false });
  return lowerRegex(ast, {
    mode: opts.mode ?? 'full',
    ignoreCase: flags.has('i'),
    dotAll: flags.has('s'),
    unicodeSets: flags.has('v'),
    maxRepeat: opts.maxRepeat ?? DEFAULT_MAX_REPEAT,
    source,
  });
}

function parseFlags(flags: string, source: string): Set<string> {
  const set = new Set<string>();
  for (const f of flags) {
    if (set.has(f)) throw new InvalidArgumentError(`regex flags "${flags}": flag "${f}" repeated (${source})`);
    if (f === 'm') throw new UnsupportedFeatureError('flag m (multiline)', source);
    if (!'isuv'.includes(f)) throw new InvalidArgumentError(`regex flags "${flags}": unknown flag "${f}" (${source})`);
    set.add(f);
  }
  if (set.has('u') && set.has('v')) throw new InvalidArgumentError(`regex flags "${flags}": u and v are exclusive (${source})`);
  return set;
}
