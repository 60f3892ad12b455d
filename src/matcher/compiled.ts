/**
 * CompiledGrammar: the immutable product of compilation, shared by every
 * matcher of one grammar and vocabulary.
 */

import type { LexerTable } from '../automaton/lexer.js';
import type { TokenTrie } from '../vocab/trie.js';
import type { ChartLimits } from './chart.js';
import { Matcher } from './matcher.js';
import type { ParserTables } from './tables.js';
import { buildTokenCache, TokenCacheScratch, type KernelGroup, type SharedTokenCacheEntry, type TokenCacheEntry } from './token-cache.js';
import { jsonSliceChains } from './slice-chain.js';
import type { RegexStore } from '../automaton/regex.js';

/** Most lexer states whose token caches are kept per compiled grammar. */
const MAX_CACHED_STATES = 1024;
/** Most shared token cache entries per (regex store, vocabulary): each holds a vocabulary-sized bitmask. */
const MAX_SHARED_STATES = 2048;

/** Scratch of cache builds (one thread). */
let scratch: TokenCacheScratch | undefined;

const sharedCaches = new WeakMap<RegexStore, WeakMap<TokenTrie, Map<string, SharedTokenCacheEntry>>>();

/** The process-wide token caches of one regex store and one vocabulary trie. */
function sharedCacheFor(store: RegexStore, trie: TokenTrie): Map<string, SharedTokenCacheEntry> {
  let byTrie = sharedCaches.get(store);
  if (byTrie === undefined) {
    byTrie = new WeakMap();
    sharedCaches.set(store, byTrie);
  }
  let m = byTrie.get(trie);
  if (m === undefined) {
    m = new Map();
    byTrie.set(trie, m);
  }
  return m;
}

/** What a compiled grammar needs of a vocabulary (the `Vocabulary` class provides it). */
export interface MatcherVocabulary {
  /** Mask length: number of logits. */
  readonly size: number;
  /** All end-of-sequence ids. */
  readonly eosIds: readonly number[];
  /** Flat trie of the text tokens. */
  readonly trie: TokenTrie;
  /** Exact bytes of a token (empty for special tokens and padding). */
  tokenBytes(id: number): Uint8Array;
  /** Canonical tokenization of a text, without special tokens. */
  encode(text: string, opts?: { addSpecialTokens?: boolean }): number[];
}

/** Compile statistics. */
export interface CompileStats {
  /** Rules in the source grammar. */
  rules: number;
  /** Nonterminals of the CFG (rules plus helpers). */
  nonterminals: number;
  /** Productions of the CFG. */
  productions: number;
  /** Lexemes (terminals as byte-level regexes). */
  lexemes: number;
  /** Compile time in milliseconds. */
  compileMs: number;
}

/** One line of the report of what a front-end enforces. */
export interface ReportEntry {
  /** Keyword or construct. */
  feature: string;
  /** JSON pointer or location. */
  where: string;
  /**
   * How it is handled: `ignored` and `approximated` (only with `lenient`) mean
   * the grammar accepts more than the source; `restricted` means it accepts
   * fewer on purpose (e.g. a fixed property order); `unknown` is a keyword
   * the specification says to ignore.
   */
  status: 'approximated' | 'ignored' | 'restricted' | 'unknown';
  /** Explanation. */
  detail?: string;
}

/** A grammar compiled against a vocabulary: create matchers from it. */
export class CompiledGrammar {
  /** The vocabulary the grammar was compiled for. */
  readonly vocab: MatcherVocabulary;
  /** Statistics of the compilation. */
  readonly stats: CompileStats;
  /** What the front-end enforces, approximates or ignores (empty when everything is enforced). */
  readonly report: readonly ReportEntry[];
  /** @internal */
  readonly tables: ParserTables;
  /** @internal */
  readonly lexer: LexerTable;
  /** @internal */
  readonly limits: ChartLimits;

  /** @internal */
  constructor(
    vocab: MatcherVocabulary,
    tables: ParserTables,
    lexer: LexerTable,
    stats: CompileStats,
    limits: ChartLimits,
    report: readonly ReportEntry[] = [],
  ) {
    this.vocab = vocab;
    this.tables = tables;
    this.lexer = lexer;
    this.stats = stats;
    this.limits = limits;
    this.report = report;
  }

  private readonly tokenCaches = new Map<number, TokenCacheEntry>();

  /**
   * @internal The token cache of lexer state `q`. Entries depend only on the
   * state's regexes and the vocabulary, so they are shared process-wide by all
   * grammars over the same regex store and trie (built by one lexer-only walk
   * on first use, FIFO-bounded); here they are mapped to this grammar's lexeme ids.
   */
  tokenCache(q: number): TokenCacheEntry {
    const e = this.tokenCaches.get(q);
    if (e !== undefined) return e;
    const trie = this.vocab.trie;
    const pairs = this.lexer.stateItems(q);
    let key = '';
    for (let p = 1; p < pairs.length; p += 2) key += pairs[p] + ',';
    const shared = sharedCacheFor(this.lexer.store, trie);
    let entry = shared.get(key);
    if (entry === undefined) {
      scratch ??= new TokenCacheScratch();
      entry = buildTokenCache(q, this.lexer, trie, (this.vocab.size + 31) >>> 5, scratch, jsonSliceChains(this.lexer, trie));
      if (shared.size >= MAX_SHARED_STATES) shared.delete(shared.keys().next().value!);
      shared.set(key, entry);
    }
    const groups: KernelGroup[] = entry.groups.map((g) => ({
      lexemes: Int32Array.from(g.positions, (pos) => pairs[pos * 2]!),
      byteStart: g.byteStart,
      bytes: g.bytes,
      children: g.children,
      slice: g.slice,
      sliceMax: g.sliceMax,
    }));
    const local: TokenCacheEntry = { base: entry.base, allow: entry.allow, allowIds: entry.allowIds, groups };
    if (this.tokenCaches.size >= MAX_CACHED_STATES) this.tokenCaches.delete(this.tokenCaches.keys().next().value!);
    this.tokenCaches.set(q, local);
    return local;
  }

  /** A new matcher at the start of the grammar. */
  matcher(): Matcher {
    return new Matcher(this);
  }
}
