// Per-token mask + accept time on MaskBench schemas, split into a cold pass (fresh process: first
// visits of lexer states included, as `bench mask` measures) and warm passes (the same tokens
// again on the same compiled grammars), plus a benchmark.js measurement of the warm hot path.
// Run after `npx tsc -p tsconfig.json`:
//   node bench/masks.mjs [--schemas DIR] [--limit N] [--offset N] [--tokenizer llama3.1]
//                        [--warm-reps N] [--top N] [--no-benchmark] [--check] [--json]
// `--check` compares every mask with the uncached reference (slow). Profile with
//   node --cpu-prof bench/masks.mjs ...
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Benchmark from 'benchmark';
import { Vocabulary, compileJsonSchema, allocateBitmask } from '../dist/index.js';
import { loadBenchTokenizer } from '../dist/bench/tokenizer.js';
import { loadSchemaFile } from '../dist/bench/maskbench.js';
import { pyJsonDumps } from '../dist/bench/pyjson.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const dir = opt('--schemas', join(root, '..', 'shared', 'data', 'jsonschemabench-dev'));
const limit = +opt('--limit', '200');
const offset = +opt('--offset', '0');
const warmReps = +opt('--warm-reps', '2');
const top = +opt('--top', '10');
const tokenizer = opt('--tokenizer', 'llama3.1');
const json = args.includes('--json');
const check = args.includes('--check');

const tok = await loadBenchTokenizer(tokenizer);
const vocab = await Vocabulary.fromFile(tok.path);
const names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort().slice(offset, offset + limit);

/** Compiled grammars with their tests' token ids (schemas that fail to compile are skipped). */
const cases = [];
const compileUs = [];
for (const n of names) {
  const file = loadSchemaFile(join(dir, n));
  let compiled;
  const t0 = process.hrtime.bigint();
  try {
    compiled = compileJsonSchema(JSON.parse(file.schemaText), vocab, { whitespace: 'maskbench' });
  } catch {
    continue;
  }
  compileUs.push(Number(process.hrtime.bigint() - t0) / 1000);
  cases.push({ id: n, compiled, tests: file.tests.map((t) => Int32Array.from(tok.encode(pyJsonDumps(t.data)))) });
}

const mask = allocateBitmask(vocab.size);
const ref = allocateBitmask(vocab.size);
let mismatches = 0;

/** One pass over every case: per-token mask + accept times (µs), per case totals. */
function pass() {
  const times = [];
  const perCase = [];
  for (const c of cases) {
    let total = 0;
    let worst = 0;
    for (const ids of c.tests) {
      const m = c.compiled.matcher();
      for (let k = 0; k < ids.length; k++) {
        const t0 = process.hrtime.bigint();
        m.fillNextTokenBitmask(mask);
        const ok = m.acceptToken(ids[k]);
        const dt = Number(process.hrtime.bigint() - t0) / 1000;
        times.push(dt);
        total += dt;
        if (dt > worst) worst = dt;
        if (check) {
          if (ok) m.rollback(1);
          m.fillNextTokenBitmaskUncached(ref);
          for (let w = 0; w < ref.length; w++) if (ref[w] !== mask[w]) { mismatches++; break; }
          if (ok) m.acceptToken(ids[k]);
        }
        if (!ok) break;
      }
    }
    perCase.push({ id: c.id, total, worst });
  }
  return { times, perCase };
}

function summary(xs) {
  const s = Float64Array.from(xs).sort();
  const q = (p) => (s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : 0);
  const avg = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, avg: +avg.toFixed(1), p50: +q(0.5).toFixed(1), p90: +q(0.9).toFixed(1), p99: +q(0.99).toFixed(1), max: +(s[s.length - 1] ?? 0).toFixed(1) };
}

const cold = pass();
let warm;
for (let r = 0; r < warmReps; r++) warm = pass();

// benchmark.js: the warm per-token loop over all cases (mean time per token).
let benchUs;
if (!args.includes('--no-benchmark')) {
  const all = [];
  for (const c of cases) for (const ids of c.tests) all.push([c.compiled, ids]);
  const tokens = all.reduce((s, [, ids]) => s + ids.length, 0);
  await new Promise((resolve) => {
    new Benchmark('warm masks', () => {
      for (const [compiled, ids] of all) {
        const m = compiled.matcher();
        for (let k = 0; k < ids.length; k++) {
          m.fillNextTokenBitmask(mask);
          if (!m.acceptToken(ids[k])) break;
        }
      }
    }, { minSamples: 5, maxTime: 5 })
      .on('complete', function () {
        benchUs = +((this.stats.mean * 1e6) / tokens).toFixed(2);
        resolve();
      })
      .run();
  });
}

const out = {
  schemas: names.length,
  compiled: cases.length,
  compile_us: summary(compileUs),
  cold: summary(cold.times),
  warm: summary(warm?.times ?? []),
  warm_benchmark_us_per_token: benchUs,
  ...(check ? { mismatches } : {}),
};
if (json) console.log(JSON.stringify(out));
else {
  console.log(JSON.stringify(out, null, 1));
  const worst = (p) => [...p.perCase].sort((a, b) => b.total - a.total).slice(0, top);
  console.log('-- cold: schemas by total mask time (ms), worst token (ms)');
  for (const r of worst(cold)) console.log(r.id.padEnd(60), (r.total / 1000).toFixed(2).padStart(8), (r.worst / 1000).toFixed(2).padStart(8));
  if (warm) {
    console.log('-- warm');
    for (const r of worst(warm)) console.log(r.id.padEnd(60), (r.total / 1000).toFixed(2).padStart(8), (r.worst / 1000).toFixed(2).padStart(8));
  }
}
