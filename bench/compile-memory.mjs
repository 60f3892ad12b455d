// Compile time and memory per JSON Schema (issue "Performance": compile p50/p99, none over 1 s;
// a compiled grammar for a typical schema under 1 MB beyond the shared vocabulary).
//
// Run after `npm run build`:
//   node --expose-gc bench/compile-memory.mjs [--tokenizer llama3.1] [--schemas DIR] [--limit N] [--json]
//
// For each MaskBench schema (MaskBench whitespace): compile time (wall and CPU), then the retained
// heap of the compiled grammar alone, then the retained heap after its first valid test instance
// was run token by token through fillNextTokenBitmask + acceptToken, at most 2 s (lexer states and token caches
// built on the way; the caches are shared across grammars, so this overstates one grammar's cost).
// Retained = heapUsed + arrayBuffers after a full GC, minus the same before.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Vocabulary, compileJsonSchema, allocateBitmask } from '../dist/index.js';
import { loadSchemaFile } from '../dist/bench/maskbench.js';
import { pyJsonDumps } from '../dist/bench/pyjson.js';

if (typeof globalThis.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(2);
}
const args = process.argv.slice(2);
const opt = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const tokenizer = opt('--tokenizer', 'llama3.1');
const dir = opt('--schemas', '../shared/data/jsonschemabench-dev');
const limit = Number(opt('--limit', 'Infinity'));
const json = args.includes('--json');

const vocab = await Vocabulary.fromFile(tokenizer);
const mask = allocateBitmask(vocab.size);
const files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort().slice(0, limit);

function retained() {
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

const wallMs = [];
const cpuMs = [];
const grammarBytes = [];
const afterRunBytes = [];
let failed = 0;
const keep = [];
for (const f of files) {
  const file = loadSchemaFile(join(dir, f));
  const schema = JSON.parse(file.schemaText);
  const before = retained();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  let compiled;
  try {
    compiled = compileJsonSchema(schema, vocab, { whitespace: 'maskbench' });
  } catch {
    failed++;
    continue;
  }
  const t1 = process.hrtime.bigint();
  const c1 = process.cpuUsage(c0);
  wallMs.push(Number(t1 - t0) / 1e6);
  cpuMs.push((c1.user + c1.system) / 1000);
  const afterCompile = retained();
  grammarBytes.push(afterCompile - before);
  const test = file.tests.find((t) => t.valid);
  if (test) {
    const m = compiled.matcher();
    const deadline = performance.now() + 2000; // at most 2 s of masks per instance
    for (const id of vocab.encode(pyJsonDumps(test.data))) {
      m.fillNextTokenBitmask(mask);
      if (!m.acceptToken(id) || performance.now() > deadline) break;
    }
    keep.push(m);
  }
  keep.push(compiled);
  afterRunBytes.push(retained() - before);
}

function pct(xs, p) {
  const s = Float64Array.from(xs).sort();
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
}
function summary(xs) {
  const s = Float64Array.from(xs).sort();
  const avg = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { avg, p50: pct(s, 50), p90: pct(s, 90), p99: pct(s, 99), max: s.length ? s[s.length - 1] : NaN };
}
const out = {
  tokenizer,
  schemas: files.length,
  compiled: wallMs.length,
  compile_failed: failed,
  compile_wall_ms: summary(wallMs),
  compile_cpu_ms: summary(cpuMs),
  over_1s: wallMs.filter((x) => x > 1000).length,
  grammar_kb: summary(grammarBytes.map((b) => Math.max(0, b) / 1024)),
  grammar_plus_run_kb: summary(afterRunBytes.map((b) => Math.max(0, b) / 1024)),
  grammar_over_1mb: grammarBytes.filter((b) => b > 1 << 20).length,
};
if (json) console.log(JSON.stringify(out));
else {
  const f = (x) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
  const row = (name, s, unit) => console.log(`${name.padEnd(24)} avg ${f(s.avg)} p50 ${f(s.p50)} p90 ${f(s.p90)} p99 ${f(s.p99)} max ${f(s.max)} ${unit}`);
  console.log(`${tokenizer}: ${out.compiled}/${out.schemas} schemas compiled (${failed} typed compile errors)`);
  row('compile (wall)', out.compile_wall_ms, 'ms');
  row('compile (CPU)', out.compile_cpu_ms, 'ms');
  row('grammar retained', out.grammar_kb, 'KiB');
  row('grammar + one instance', out.grammar_plus_run_kb, 'KiB');
  console.log(`compiles over 1 s: ${out.over_1s}; grammars over 1 MiB: ${out.grammar_over_1mb}`);
}
