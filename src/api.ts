/**
 * One-call compilation: front-end + compiler. Each function parses a
 * description into the grammar IR and compiles it against a vocabulary.
 */

import type { Grammar } from './ir/expr.js';
import { compileGrammar as compileIr, type CompileOptions } from './compiler/compile.js';
import type { CompiledGrammar, MatcherVocabulary } from './matcher/compiled.js';
import { parseRegex, type RegexOptions } from './frontends/regex/index.js';
import { parseGbnf, type GbnfOptions } from './frontends/ebnf/gbnf.js';
import { parseLark } from './frontends/ebnf/lark.js';
import { jsonSchemaToGrammar, type JsonSchemaOptions } from './frontends/json-schema/index.js';
import type { GrammarLimits } from './compiler/compile.js';
import { withStackGuard } from './util/stack.js';
import type { ReportEntry } from './matcher/compiled.js';

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
  const expr = withStackGuard('regex', () => parseRegex(pattern, { flags: options.flags, mode: options.mode ?? 'full', maxRepeat: options.limits?.maxRepeat }));
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

/** Options of {@link compileLark}. */
export interface CompileLarkOptions extends CompileOptions {
  /** File name for error locations. */
  source?: string;
  /** Start rule (default `start`). */
  start?: string;
}

/** Compiles a Lark-like grammar (plain context-free semantics, see the Lark front-end). */
export function compileLark(text: string, vocab: MatcherVocabulary, options: CompileLarkOptions = {}): CompiledGrammar {
  return compileIr(parseLark(text, { source: options.source, start: options.start }), vocab, options);
}

/** Options of {@link compileJsonSchema}: the front-end's options plus compile limits. */
export interface CompileJsonSchemaOptions extends JsonSchemaOptions {
  /** Compile limits (the front-end's own are in `limits`). */
  grammarLimits?: GrammarLimits;
}

/**
 * Compiles a JSON Schema (draft 2020-12, draft-07 spellings). A keyword that
 * is not enforced exactly is an `UnsupportedFeatureError`, or with
 * `lenient: true` an entry of `compiled.report`.
 */
export function compileJsonSchema(schema: unknown, vocab: MatcherVocabulary, options: CompileJsonSchemaOptions = {}): CompiledGrammar {
  const { grammarLimits, ...frontOptions } = options;
  const { grammar, report } = withStackGuard('JSON Schema', () =>
    jsonSchemaToGrammar(typeof schema === 'string' ? JSON.parse(schema) : schema, frontOptions),
  );
  const entries: ReportEntry[] = [];
  const add = (list: readonly { keyword: string; pointer: string; detail?: string }[], status: ReportEntry['status']): void => {
    for (const e of list) entries.push({ feature: e.keyword, where: e.pointer, status, detail: e.detail });
  };
  add(report.ignored, 'ignored');
  add(report.approximated, 'approximated');
  add(report.restricted, 'restricted');
  add(report.unknownKeywords, 'unknown');
  return compileIr(grammar, vocab, { limits: grammarLimits, report: entries });
}
