/**
 * One-call compilation: front-end + compiler. Each function parses a
 * description into the grammar IR and compiles it against a vocabulary.
 */

import type { Grammar } from './ir/expr.js';
import { compileGrammar as compileIr, type CompileOptions } from './compiler/compile.js';
import type { CompiledGrammar, MatcherVocabulary } from './matcher/compiled.js';
import { parseRegex, type RegexOptions } from './frontends/regex/index.js';
import { parseGbnf, type GbnfOptions } from './frontends/ebnf/gbnf.js';

export type { CompileOptions, GrammarLimits } from './compiler/compile.js';

/** Compiles a grammar already in IR form. */
export function compileGrammar(grammar: Grammar, vocab: MatcherVocabulary, options: CompileOptions = {}): CompiledGrammar {
  return compileIr(grammar, vocab, options);
}

/** Options of {@link compileRegex}. */
export interface CompileRegexOptions extends CompileOptions {
  /** Regex flags (`i`, `s`, `u`). */
  flags?: string;
  /** 'full' (default): the whole output matches; 'search': JSON Schema `pattern` semantics. */
  mode?: RegexOptions['mode'];
}

/** Compiles an ECMAScript regex: the whole output must match it. */
export function compileRegex(pattern: string, vocab: MatcherVocabulary, options: CompileRegexOptions = {}): CompiledGrammar {
  const expr = parseRegex(pattern, { flags: options.flags, mode: options.mode ?? 'full', maxRepeat: options.limits?.maxRepeat });
  return compileIr({ rules: new Map([['root', expr]]), start: 'root' }, vocab, options);
}

/** Options of {@link compileGbnf}. */
export interface CompileGbnfOptions extends CompileOptions {
  /** File name for error locations. */
  source?: string;
  /** Start rule (default `root`). */
  start?: string;
}

/** Compiles a GBNF grammar (llama.cpp dialect). */
export function compileGbnf(text: string, vocab: MatcherVocabulary, options: CompileGbnfOptions = {}): CompiledGrammar {
  const opts: GbnfOptions = { source: options.source, start: options.start };
  return compileIr(parseGbnf(text, opts), vocab, options);
}
