/**
 * ajv oracle: everything the matcher accepts must be valid by ajv.
 *
 *   npx vite-node bench/ajv-oracle.ts -- [--limit N] [--walks K] [--seed S] [--only suite|maskbench]
 *        [--suite DIR] [--schemas DIR] [--tokenizer T] [--json] [--verbose]
 *
 * Suite part: JSON-Schema-Test-Suite keyword files (default
 * ../shared/data/json-schema-test-suite/tests/draft2020-12), compact
 * whitespace, `format` as an annotation (as `bench conformance` runs it;
 * ajv without format validation). MaskBench part: the dev slice
 * (../shared/data/jsonschemabench-dev), whitespace as MaskBench
 * (`json.dumps`), `format` asserted (ajv-formats). For each schema the test
 * instances the matcher accepts and K random walks through the masks are
 * checked with ajv. `--limit` bounds the files of each part.
 *
 * Prints counts per part; `ajv-invalid accepted` must be 0 (exit code 1 otherwise).
 */
import { join, relative } from 'node:path';
import { findSuiteRoot, listSuiteFiles, loadSuiteFile, loadSuiteRemotes } from '../src/bench/conformance.js';
import { loadSchemaFile } from '../src/bench/maskbench.js';
import { pyJsonDumps } from '../src/bench/pyjson.js';
import { listSchemaFiles } from '../src/bench/runner.js';
import { Vocabulary } from '../src/vocab/vocabulary.js';
import { type AjvCounts, addCounts, checkSchema, emptyCounts } from './ajv-check.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const opt = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const flag = (name: string): boolean => args.includes(name);
const shared = process.env.CONSTRAIN_SHARED ?? join(process.cwd(), '..', 'shared');
const limit = opt('--limit') ? Number(opt('--limit')) : Infinity;
const walks = opt('--walks') ? Number(opt('--walks')) : 3;
const seed = opt('--seed') ? Number(opt('--seed')) : 1;
const only = opt('--only');
const vocab = await Vocabulary.fromFile(opt('--tokenizer') ?? 'llama3.1');

function print(part: string, c: AjvCounts, ms: number): void {
  console.log(
    `${part}: ${c.schemas} schemas (${c.compileSkipped} not compiled by constrain, ${c.ajvSkipped} skipped: ajv cannot compile them or contradicts the suite); ` +
      `instances checked ${c.testsChecked + c.walksChecked} (${c.testsChecked} accepted tests, ${c.walksChecked} random walks, ` +
      `${c.walksUnfinished} walks unfinished, ${c.impreciseSkipped} with numbers beyond double precision skipped); ajv-invalid accepted ${c.invalidAccepted}; ${(ms / 1000).toFixed(1)} s`,
  );
  for (const f of c.failures.slice(0, flag('--verbose') ? Infinity : 20)) console.log('  INVALID ACCEPTED ' + f);
}

const results: Record<string, AjvCounts> = {};
if (only !== 'maskbench') {
  const t0 = performance.now();
  const dir = opt('--suite') ?? join(shared, 'data', 'json-schema-test-suite', 'tests', 'draft2020-12');
  const root = findSuiteRoot(dir);
  const remotes = root ? loadSuiteRemotes(root) : {};
  const total = emptyCounts();
  for (const f of listSuiteFiles(dir).slice(0, limit)) {
    const name = relative(dir, f).replace(/\.json$/, '');
    const tf = performance.now();
    loadSuiteFile(f).forEach((g, gi) => {
      const c = checkSchema({
        id: `${name}/${gi} (${g.description})`,
        schema: g.schema,
        instances: g.tests.map((t) => ({ text: JSON.stringify(t.data), label: t.description, valid: t.valid })),
        vocab,
        compile: { whitespace: 'compact', remotes, formatAssertion: false },
        formats: false,
        walks,
        seed: seed + 1000 * gi,
      });
      addCounts(total, c);
    });
    if (flag('--progress')) process.stderr.write(`${name} ${Math.round(performance.now() - tf)} ms\n`);
  }
  results.suite = total;
  print('suite', total, performance.now() - t0);
}
if (only !== 'suite') {
  const t0 = performance.now();
  const dir = opt('--schemas') ?? join(shared, 'data', 'jsonschemabench-dev');
  const total = emptyCounts();
  const files = listSchemaFiles([dir]).slice(0, limit);
  files.forEach((f, i) => {
    const file = loadSchemaFile(f);
    const c = checkSchema({
      id: file.id,
      schema: JSON.parse(file.schemaText) as unknown,
      instances: file.tests.map((t, j) => ({ text: pyJsonDumps(t.data), label: `test ${j}` })),
      vocab,
      compile: { whitespace: 'maskbench' },
      formats: true,
      walks,
      seed: seed + 1000 * i,
    });
    addCounts(total, c);
    if (process.stderr.isTTY && i % 50 === 0) process.stderr.write(`\rmaskbench ${i}/${files.length}`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  results.maskbench = total;
  print('maskbench', total, performance.now() - t0);
}
if (flag('--json')) {
  console.log(JSON.stringify(Object.fromEntries(Object.entries(results).map(([k, { failures, ...c }]) => [k, { ...c, failures: failures.length }]))));
}
if (Object.values(results).some((c) => c.invalidAccepted > 0)) process.exitCode = 1;
