/**
 * JSON-Schema-Test-Suite conformance of the JSON Schema front-end at the IR
 * level: each schema is converted to a grammar, each instance serialized
 * with JSON.stringify and checked with the slow GrammarOracle.
 *
 *   npx vite-node bench/conformance-ir.ts [--suite DIR] [--optional] [--json] [--only name,...]
 *
 * Per keyword file: pass, false positive (invalid accepted), false negative
 * (valid rejected), unsupported (UnsupportedFeatureError / LimitExceededError
 * at compile time: every test of the group counts), compile_error (any other
 * error). Zero false positives is the requirement.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConstrainError } from '../src/errors.js';
import { jsonSchemaToGrammar } from '../src/frontends/json-schema/index.js';
import { GrammarOracle } from '../src/testing/oracle.js';

const args = process.argv.slice(2);
const flag = (name: string): boolean => args.includes(name);
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const shared = process.env.CONSTRAIN_SHARED ?? join(process.cwd(), '..', 'shared');
const suite = opt('--suite') ?? join(shared, 'data', 'json-schema-test-suite');
const only = opt('--only')?.split(',');
const verbose = flag('--verbose');

function walk(dir: string, out: string[]): string[] {
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (f.endsWith('.json')) out.push(p);
  }
  return out;
}

const remotes: Record<string, unknown> = {};
for (const f of walk(join(suite, 'remotes'), [])) {
  remotes['http://localhost:1234/' + relative(join(suite, 'remotes'), f).split('\\').join('/')] = JSON.parse(readFileSync(f, 'utf8'));
}

interface Row {
  file: string;
  tests: number;
  pass: number;
  fp: number;
  fn: number;
  unsupported: number;
  compileError: number;
}

const base = join(suite, 'tests', 'draft2020-12');
let files = readdirSync(base).filter((f) => f.endsWith('.json')).map((f) => join(base, f));
if (flag('--optional')) files = files.concat(walk(join(base, 'optional'), []));
if (only) files = files.filter((f) => only.some((o) => f.endsWith(`/${o}.json`)));

const rows: Row[] = [];
const fpList: string[] = [];
for (const file of files) {
  const name = relative(base, file).replace(/\.json$/, '');
  const row: Row = { file: name, tests: 0, pass: 0, fp: 0, fn: 0, unsupported: 0, compileError: 0 };
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
      if (verbose) console.error(`${name} / ${g.description}: ${(e as Error).message}`);
      continue;
    }
    for (const t of g.tests) {
      const text = JSON.stringify(t.data);
      const ok = oracle.accepts(text);
      if (ok === t.valid) row.pass++;
      else if (ok) {
        row.fp++;
        fpList.push(`${name} / ${g.description} / ${t.description}: ${text.slice(0, 80)}`);
      } else {
        row.fn++;
        if (verbose) console.error(`FN ${name} / ${g.description} / ${t.description}: ${text.slice(0, 80)}`);
      }
    }
  }
  rows.push(row);
}

const total = rows.reduce(
  (a, r) => ({ file: 'TOTAL', tests: a.tests + r.tests, pass: a.pass + r.pass, fp: a.fp + r.fp, fn: a.fn + r.fn, unsupported: a.unsupported + r.unsupported, compileError: a.compileError + r.compileError }),
  { file: 'TOTAL', tests: 0, pass: 0, fp: 0, fn: 0, unsupported: 0, compileError: 0 },
);
const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log(`${'file'.padEnd(34)}${pad('tests', 6)}${pad('pass', 6)}${pad('FP', 5)}${pad('FN', 5)}${pad('unsup', 7)}${pad('error', 7)}`);
for (const r of [...rows, total]) {
  console.log(`${r.file.padEnd(34)}${pad(r.tests, 6)}${pad(r.pass, 6)}${pad(r.fp, 5)}${pad(r.fn, 5)}${pad(r.unsupported, 7)}${pad(r.compileError, 7)}`);
}
console.log(`pass rate ${((100 * total.pass) / total.tests).toFixed(1)}% (${total.pass}/${total.tests}), false positives ${total.fp}`);
for (const f of fpList) console.log('FALSE POSITIVE ' + f);
if (flag('--json')) console.log(JSON.stringify({ rows, total }));
