/**
 * Runs JSON-Schema-Test-Suite keyword files through the front-end and the
 * grammar oracle (shared by conformance.test.ts and bench/conformance-ir.ts).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConstrainError } from '../../../src/errors.js';
import { jsonSchemaToGrammar } from '../../../src/frontends/json-schema/index.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';

/** Outcome counts of one keyword file. */
export interface SuiteRow {
  file: string;
  tests: number;
  pass: number;
  /** Invalid instances accepted. */
  fp: number;
  /** Valid instances rejected. */
  fn: number;
  /** Tests of groups whose schema raised UnsupportedFeatureError / LimitExceededError. */
  unsupported: number;
  /** Tests of groups whose schema raised any other error. */
  compileError: number;
  /** Descriptions of false positives. */
  fpList: string[];
  /** Descriptions of false negatives and compile problems. */
  notes: string[];
}

function walk(dir: string, out: string[]): string[] {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (f.endsWith('.json')) out.push(p);
  }
  return out;
}

/** The suite's remote documents keyed by their `http://localhost:1234/` URI. */
export function loadRemotes(suite: string): Record<string, unknown> {
  const remotes: Record<string, unknown> = {};
  const dir = join(suite, 'remotes');
  for (const f of walk(dir, [])) remotes['http://localhost:1234/' + relative(dir, f).split('\\').join('/')] = JSON.parse(readFileSync(f, 'utf8'));
  return remotes;
}

/** Keyword files of draft 2020-12 (with `optional`, those under optional/ too). */
export function suiteFiles(suite: string, optional: boolean): string[] {
  const base = join(suite, 'tests', 'draft2020-12');
  let files = readdirSync(base)
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(base, f));
  if (optional) files = files.concat(walk(join(base, 'optional'), []));
  return files;
}

/** Runs one keyword file: compact whitespace, instances as JSON.stringify. */
export function runSuiteFile(file: string, name: string, remotes: Record<string, unknown>): SuiteRow {
  const row: SuiteRow = { file: name, tests: 0, pass: 0, fp: 0, fn: 0, unsupported: 0, compileError: 0, fpList: [], notes: [] };
  const groups = JSON.parse(readFileSync(file, 'utf8')) as { description: string; schema: unknown; tests: { description: string; data: unknown; valid: boolean }[] }[];
  for (const g of groups) {
    row.tests += g.tests.length;
    let oracle: GrammarOracle;
    try {
      const { grammar } = jsonSchemaToGrammar(g.schema, { whitespace: 'compact', remotes });
      oracle = new GrammarOracle(grammar);
    } catch (e) {
      const unsupported = e instanceof ConstrainError && (e.code === 'UNSUPPORTED_FEATURE' || e.code === 'LIMIT_EXCEEDED');
      if (unsupported) row.unsupported += g.tests.length;
      else row.compileError += g.tests.length;
      row.notes.push(`${name} / ${g.description}: ${(e as Error).message}`);
      continue;
    }
    for (const t of g.tests) {
      const text = JSON.stringify(t.data);
      const ok = oracle.accepts(text);
      if (ok === t.valid) row.pass++;
      else if (ok) {
        row.fp++;
        row.fpList.push(`${name} / ${g.description} / ${t.description}: ${text.slice(0, 80)}`);
      } else {
        row.fn++;
        row.notes.push(`FN ${name} / ${g.description} / ${t.description}: ${text.slice(0, 80)}`);
      }
    }
  }
  return row;
}
