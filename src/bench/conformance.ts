/**
 * JSON-Schema-Test-Suite conformance through the real token matcher: every
 * schema of a keyword file is compiled with `compileJsonSchema` for a
 * vocabulary, every instance is serialized with `JSON.stringify` (compact
 * whitespace, which the schema is compiled for), encoded with the
 * vocabulary's encoder, fed token by token with `acceptToken`, and finally
 * checked with EOS. Accepted must equal the test's `valid`.
 *
 * Outcomes per test: `pass`, `false_positive` (invalid accepted),
 * `false_negative` (valid rejected), `unsupported` (the schema raised
 * UnsupportedFeatureError / LimitExceededError), `compile_error` (any other
 * error while compiling), `timeout` (compile + tests of the group ran past
 * the limit; checked after the fact, the grammar compile itself is bounded by
 * `compileTimeMs`). A schema whose language is empty (EmptyLanguageError:
 * `false`, contradictions) accepts no instance, exactly; its tests are scored
 * as rejected.
 *
 * `format` follows the draft's default: an annotation (not asserted), unless
 * `formatAssertion` is set.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { compileJsonSchema } from '../api.js';
import { ConstrainError, InvalidArgumentError } from '../errors.js';
import type { CompiledGrammar } from '../matcher/compiled.js';

/** One test of a suite group. */
export interface SuiteTest {
  description: string;
  data: unknown;
  valid: boolean;
}

/** One group of a keyword file: a schema and its tests. */
export interface SuiteGroup {
  description: string;
  schema: unknown;
  tests: SuiteTest[];
}

/** Outcome of one test. */
export type ConformanceOutcome = 'pass' | 'false_positive' | 'false_negative' | 'unsupported' | 'compile_error' | 'timeout';

/** JSON Schema drafts the suite has directories for. */
export type SuiteDraft = 'draft2020-12' | 'draft2019-09' | 'draft7' | 'draft6' | 'draft4' | 'unknown';

/** One test's result (a line of `--out`). */
export interface ConformanceTestResult {
  /** Keyword file, relative to the suite directory, without `.json`. */
  file: string;
  group: string;
  test: string;
  valid: boolean;
  /** Whether the matcher accepted the instance (undefined when the schema did not compile). */
  accepted?: boolean;
  outcome: ConformanceOutcome;
  /** Draft of the group's schema (`$schema`, else the directory's). */
  draft: SuiteDraft;
  /** Tokens fed (including a rejected one). */
  tokens: number;
  /** Compile error message, or the token where a valid instance was rejected. */
  error?: string;
}

/** Counts of one keyword file (or the total). */
export interface ConformanceRow {
  file: string;
  tests: number;
  pass: number;
  false_positive: number;
  false_negative: number;
  unsupported: number;
  compile_error: number;
  timeout: number;
}

/** What a suite run needs from a vocabulary. */
export interface ConformanceVocabulary {
  /** End-of-sequence ids (the first one is fed at the end). */
  readonly eosIds: readonly number[];
  /** Token ids of `text`, without special tokens. */
  encode(text: string): ArrayLike<number>;
}

/** Options of {@link runConformanceFile}. */
export interface ConformanceFileOptions {
  /** The vocabulary schemas are compiled for (a `Vocabulary`). */
  vocab: ConformanceVocabulary & Parameters<typeof compileJsonSchema>[1];
  /** Remote documents by absolute URI (see {@link loadSuiteRemotes}). */
  remotes?: Record<string, unknown>;
  /** Assert `format` (default false: the draft 2020-12 default, format is an annotation). */
  formatAssertion?: boolean;
  /** Limit per group (compile + tests), ms (default 15,000). */
  timeoutMs?: number;
  /** Draft assumed for schemas without `$schema` (default: from the file's directory name). */
  draft?: SuiteDraft;
  /** Called with each test's result. */
  onTest?: (r: ConformanceTestResult) => void;
}

const DRAFT_URIS: readonly [RegExp, SuiteDraft][] = [
  [/json-schema\.org\/draft\/2020-12\/schema/, 'draft2020-12'],
  [/json-schema\.org\/draft\/2019-09\/schema/, 'draft2019-09'],
  [/json-schema\.org\/draft-07\/schema/, 'draft7'],
  [/json-schema\.org\/draft-06\/schema/, 'draft6'],
  [/json-schema\.org\/draft-04\/schema/, 'draft4'],
];

/** The draft a schema declares in `$schema`, else `fallback`. */
export function detectDraft(schema: unknown, fallback: SuiteDraft = 'unknown'): SuiteDraft {
  if (schema !== null && typeof schema === 'object' && !Array.isArray(schema)) {
    const s = (schema as Record<string, unknown>).$schema;
    if (typeof s === 'string') for (const [re, d] of DRAFT_URIS) if (re.test(s)) return d;
  }
  return fallback;
}

/** The draft named by a suite path (`.../tests/draft2020-12/...`), or 'unknown'. */
export function draftOfPath(path: string): SuiteDraft {
  const m = /(draft2020-12|draft2019-09|draft7|draft6|draft4)(?:[/\\]|$)/.exec(path);
  return m ? (m[1] as SuiteDraft) : 'unknown';
}

/**
 * The suite's root (the directory holding `remotes/`), searched upwards from
 * `dir`; undefined when there is none.
 */
export function findSuiteRoot(dir: string): string | undefined {
  let d = resolve(dir);
  for (;;) {
    if (existsSync(join(d, 'remotes')) && statSync(join(d, 'remotes')).isDirectory()) return d;
    const up = dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

function walk(dir: string, out: string[], skip?: string): string[] {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) {
      if (f !== skip) walk(p, out, skip);
    } else if (f.endsWith('.json')) out.push(p);
  }
  return out;
}

/** The suite's remote documents keyed by their `http://localhost:1234/` URI (empty without `remotes/`). */
export function loadSuiteRemotes(suiteRoot: string): Record<string, unknown> {
  const remotes: Record<string, unknown> = {};
  const dir = join(suiteRoot, 'remotes');
  if (!existsSync(dir)) return remotes;
  for (const f of walk(dir, [])) {
    remotes['http://localhost:1234/' + relative(dir, f).split('\\').join('/')] = JSON.parse(readFileSync(f, 'utf8'));
  }
  return remotes;
}

/** A matcher for `*`, `**` and `?` globs on `/`-separated relative paths. */
export function globMatcher(glob: string): (path: string) => boolean {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const rx = new RegExp(`^${re}$`);
  return (p) => rx.test(p) || rx.test(basename(p)) || rx.test(p.replace(/\.json$/, '')) || rx.test(basename(p).replace(/\.json$/, ''));
}

/** Options of {@link listSuiteFiles}. */
export interface ListSuiteOptions {
  /** Include `optional/` (default false). */
  optional?: boolean;
  /** Keep files whose relative path (or name, with or without `.json`) matches. */
  glob?: string;
}

/**
 * Keyword files of a suite directory (e.g. `tests/draft2020-12`), sorted;
 * `optional/` only when asked.
 * @throws InvalidArgumentError when `dir` is missing, not a directory, or has no keyword files
 */
export function listSuiteFiles(dir: string, opts: ListSuiteOptions = {}): string[] {
  const base = resolve(dir);
  if (!existsSync(base)) throw new InvalidArgumentError(`--suite: ${base} does not exist`);
  if (!statSync(base).isDirectory()) throw new InvalidArgumentError(`--suite: ${base} is not a directory`);
  let files = walk(base, [], opts.optional ? undefined : 'optional');
  if (opts.glob !== undefined) {
    const m = globMatcher(opts.glob);
    files = files.filter((f) => m(relative(base, f).split('\\').join('/')));
  }
  if (files.length === 0) {
    throw new InvalidArgumentError(`--suite: no keyword files (*.json) in ${base}${opts.glob ? ` matching ${opts.glob}` : ''}`);
  }
  return files;
}

/**
 * Reads a keyword file: an array of `{description, schema, tests}`.
 * @throws InvalidArgumentError when it is not one
 */
export function loadSuiteFile(path: string): SuiteGroup[] {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InvalidArgumentError(`${path}: not JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(v)) throw new InvalidArgumentError(`${path}: not a JSON-Schema-Test-Suite file (expected an array of groups)`);
  v.forEach((g: unknown, i) => {
    const o = g as Partial<SuiteGroup> | null;
    if (!o || typeof o !== 'object' || !('schema' in o) || !Array.isArray(o.tests)) {
      throw new InvalidArgumentError(`${path}: /${i} is not a group {description, schema, tests}`);
    }
    o.tests.forEach((t, j) => {
      if (!t || typeof t !== 'object' || typeof t.valid !== 'boolean' || !('data' in t)) {
        throw new InvalidArgumentError(`${path}: /${i}/tests/${j} lacks "data" or a boolean "valid"`);
      }
    });
  });
  return v as SuiteGroup[];
}

/** An empty row named `file`. */
export function emptyRow(file: string): ConformanceRow {
  return { file, tests: 0, pass: 0, false_positive: 0, false_negative: 0, unsupported: 0, compile_error: 0, timeout: 0 };
}

/** Adds `r`'s counts into `into`. */
export function addRow(into: ConformanceRow, r: ConformanceRow): void {
  into.tests += r.tests;
  into.pass += r.pass;
  into.false_positive += r.false_positive;
  into.false_negative += r.false_negative;
  into.unsupported += r.unsupported;
  into.compile_error += r.compile_error;
  into.timeout += r.timeout;
}

/**
 * Feeds `text` token by token, then EOS: whether the matcher accepted it all.
 * Returns the tokens fed (including a rejected one).
 */
export function matchText(compiled: CompiledGrammar, vocab: ConformanceVocabulary, text: string): { accepted: boolean; tokens: number; rejectedAt?: number } {
  const m = compiled.matcher();
  const ids = vocab.encode(text);
  for (let i = 0; i < ids.length; i++) {
    if (!m.acceptToken(ids[i]!)) return { accepted: false, tokens: i + 1, rejectedAt: i };
  }
  const eos = vocab.eosIds[0];
  const end = eos === undefined ? m.isAccepting() : m.acceptToken(eos);
  return { accepted: end, tokens: ids.length };
}

/**
 * Runs one keyword file's groups through the matcher; returns its counts.
 * `name` is the file's label (relative path without `.json`).
 */
export function runConformanceFile(path: string, name: string, opts: ConformanceFileOptions): ConformanceRow {
  const row = emptyRow(name);
  const fallback = opts.draft ?? draftOfPath(path);
  const timeoutMs = opts.timeoutMs ?? 15_000;
  for (const g of loadSuiteFile(path)) {
    const draft = detectDraft(g.schema, fallback);
    const t0 = performance.now();
    const base = { file: name, group: g.description, draft };
    let compiled: CompiledGrammar | undefined;
    let failure: { outcome: ConformanceOutcome; error: string } | undefined;
    let empty = false;
    try {
      compiled = compileJsonSchema(g.schema, opts.vocab, {
        whitespace: 'compact',
        remotes: opts.remotes,
        formatAssertion: opts.formatAssertion ?? false,
        grammarLimits: { compileTimeMs: timeoutMs },
      });
    } catch (e) {
      // A schema no instance satisfies (`false`, contradictions): nothing is accepted, exactly.
      empty = e instanceof ConstrainError && e.code === 'EMPTY_LANGUAGE';
      const typed = e instanceof ConstrainError && (e.code === 'UNSUPPORTED_FEATURE' || e.code === 'LIMIT_EXCEEDED');
      failure = { outcome: typed ? 'unsupported' : 'compile_error', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
    const results: ConformanceTestResult[] = [];
    for (const t of g.tests) {
      const r: ConformanceTestResult = { ...base, test: t.description, valid: t.valid, outcome: 'pass', tokens: 0 };
      if (empty) {
        r.accepted = false;
        r.error = 'empty language: the schema accepts no instance';
        if (t.valid) r.outcome = 'false_negative';
      } else if (!compiled) {
        r.outcome = failure!.outcome;
        r.error = failure!.error;
      } else {
        const text = JSON.stringify(t.data);
        const { accepted, tokens, rejectedAt } = matchText(compiled, opts.vocab, text);
        r.accepted = accepted;
        r.tokens = tokens;
        if (accepted !== t.valid) r.outcome = accepted ? 'false_positive' : 'false_negative';
        if (!accepted && t.valid) r.error = rejectedAt === undefined ? 'EOS not allowed at the end' : `token ${rejectedAt} rejected`;
      }
      results.push(r);
    }
    if (compiled && performance.now() - t0 > timeoutMs) {
      // Past the limit: a timeout, except that a false positive stays visible.
      for (const r of results) if (r.outcome !== 'false_positive') r.outcome = 'timeout';
    }
    for (const r of results) {
      row.tests++;
      row[r.outcome]++;
      opts.onTest?.(r);
    }
  }
  return row;
}

/** Summary of a suite run (the `--json` line). */
export interface ConformanceSummary {
  suite: string;
  tokenizer: string;
  /** Whether `format` was asserted (`annotation` is the draft 2020-12 default). */
  format: 'annotation' | 'assertion';
  files: number;
  total: ConformanceRow;
  /** pass / tests, percent with one decimal. */
  pass_rate: number;
  rows: ConformanceRow[];
}

/** Formats rows and their total as the conformance table. */
export function conformanceTable(rows: readonly ConformanceRow[], total: ConformanceRow): string {
  const width = Math.max(34, ...rows.map((r) => r.file.length + 2));
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  const line = (r: ConformanceRow): string =>
    `${r.file.padEnd(width)}${pad(r.tests, 6)}${pad(r.pass, 6)}${pad(r.false_positive, 5)}${pad(r.false_negative, 5)}${pad(r.unsupported, 7)}${pad(r.compile_error, 7)}${pad(r.timeout, 8)}`;
  const head = `${'file'.padEnd(width)}${pad('tests', 6)}${pad('pass', 6)}${pad('FP', 5)}${pad('FN', 5)}${pad('unsup', 7)}${pad('error', 7)}${pad('timeout', 8)}`;
  return [head, ...rows.map(line), line(total)].join('\n');
}
