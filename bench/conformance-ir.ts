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
import { join, relative } from 'node:path';
import { loadRemotes, runSuiteFile, suiteFiles, type SuiteRow } from '../test/frontends/json-schema/suite.js';

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
const remotes = loadRemotes(suite);
const base = join(suite, 'tests', 'draft2020-12');
let files = suiteFiles(suite, flag('--optional'));
if (only) files = files.filter((f) => only.some((o) => f.endsWith(`/${o}.json`)));

const rows: SuiteRow[] = [];
const fpList: string[] = [];
for (const file of files) {
  const row = runSuiteFile(file, relative(base, file).replace(/\.json$/, ''), remotes);
  rows.push(row);
  fpList.push(...row.fpList);
  if (verbose) for (const n of row.notes) console.error(n);
}

const total = rows.reduce(
  (a, r) => ({ ...a, tests: a.tests + r.tests, pass: a.pass + r.pass, fp: a.fp + r.fp, fn: a.fn + r.fn, unsupported: a.unsupported + r.unsupported, compileError: a.compileError + r.compileError }),
  { file: 'TOTAL', tests: 0, pass: 0, fp: 0, fn: 0, unsupported: 0, compileError: 0, fpList: [] as string[], notes: [] as string[] },
);
const pad = (s: string | number, n: number): string => String(s).padStart(n);
console.log(`${'file'.padEnd(34)}${pad('tests', 6)}${pad('pass', 6)}${pad('FP', 5)}${pad('FN', 5)}${pad('unsup', 7)}${pad('error', 7)}`);
for (const r of [...rows, total]) {
  console.log(`${r.file.padEnd(34)}${pad(r.tests, 6)}${pad(r.pass, 6)}${pad(r.fp, 5)}${pad(r.fn, 5)}${pad(r.unsupported, 7)}${pad(r.compileError, 7)}`);
}
console.log(`pass rate ${((100 * total.pass) / total.tests).toFixed(1)}% (${total.pass}/${total.tests}), false positives ${total.fp}`);
for (const f of fpList) console.log('FALSE POSITIVE ' + f);
if (flag('--json')) console.log(JSON.stringify({ rows: rows.map(({ fpList: _f, notes: _n, ...r }) => r), total: { ...total, fpList: undefined, notes: undefined } }));
