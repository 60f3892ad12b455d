/**
 * The compiler: grammar IR + vocabulary → {@link CompiledGrammar}.
 */

import { EmptyLanguageError } from '../errors.js';
import type { Grammar } from '../ir/expr.js';
import { RegexStore, sharedRegexStore } from '../automaton/regex.js';
import { LexerTable } from '../automaton/lexer.js';
import { ParserTables } from '../matcher/tables.js';
import { CompiledGrammar, type MatcherVocabulary, type ReportEntry } from '../matcher/compiled.js';
import { buildCfg } from './cfg.js';
import { lexemeFollowBytes } from './follow.js';
import { withStackGuard } from '../util/stack.js';

/**
 * Resource limits of compilation and matching. Each, when hit, raises a
 * `LimitExceededError` naming it.
 */
export interface GrammarLimits {
  /** Wall time for compilation, ms. Default 10,000. */
  compileTimeMs?: number;
  /** Largest repetition bound `{m,n}`. Default 1,000,000. */
  maxRepeat?: number;
  /** Most CFG productions. Default 500,000. */
  maxProductions?: number;
  /** Deepest expression nesting. Default 2,000. */
  maxNesting?: number;
  /** Most lexer DFA states (built lazily, so this also bounds matching). Default 200,000. */
  maxLexerStates?: number;
  /** Most distinct regex derivative nodes; when set, the grammar gets a store of its own (default: the process-wide store, renewed past 1,000,000 nodes). */
  maxRegexNodes?: number;
  /** Most parser items in one Earley set. Default 100,000. */
  maxItemsPerSet?: number;
}

/** Options of {@link compileGrammar}. */
export interface CompileOptions {
  /** Resource limits. */
  limits?: GrammarLimits;
  /** Report entries from the front-end, kept on the compiled grammar. */
  report?: readonly ReportEntry[];
}

/** Compiles an IR grammar for a vocabulary. */
export function compileGrammar(grammar: Grammar, vocab: MatcherVocabulary, options: CompileOptions = {}): CompiledGrammar {
  const t0 = performance.now();
  const limits = options.limits ?? {};
  const timeLimit = limits.compileTimeMs ?? 10_000;
  const store = limits.maxRegexNodes !== undefined ? new RegexStore({ maxNodes: limits.maxRegexNodes }) : sharedRegexStore();
  const cfg = withStackGuard('grammar', () => buildCfg(
    grammar,
    {
      maxRepeat: limits.maxRepeat,
      maxProductions: limits.maxProductions,
      maxNesting: limits.maxNesting,
      deadline: Date.now() + timeLimit,
      timeLimitMs: timeLimit,
    },
    store,
  ));
  // Augmented start: the one production of cfg.start.
  let startProduction = -1;
  for (let i = 0; i < cfg.productions.length; i++) if (cfg.productions[i]!.lhs === cfg.start) startProduction = i;
  if (startProduction < 0) throw new EmptyLanguageError(`start rule "${grammar.start}" derives no text`);
  const tables = new ParserTables({
    nonterminals: cfg.names.length,
    lhs: cfg.productions.map((p) => p.lhs),
    syms: cfg.productions.map((p) => p.syms),
    repeat: cfg.productions.map((p) => p.repeat),
    startProduction,
    nullable: cfg.nullable,
    ntGuard: cfg.ntGuard,
    guards: cfg.guards,
  });
  const lexer = new LexerTable(store, cfg.lexemes, { maxLexerStates: limits.maxLexerStates }, lexemeFollowBytes(cfg, store));
  const stats = {
    rules: grammar.rules.size,
    nonterminals: cfg.names.length,
    productions: cfg.productions.length,
    lexemes: cfg.lexemes.length,
    compileMs: performance.now() - t0,
  };
  return new CompiledGrammar(vocab, tables, lexer, stats, { maxItemsPerSet: limits.maxItemsPerSet }, options.report ?? []);
}
