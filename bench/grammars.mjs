// Grammar mask benchmark (issue "Grammar engine"): compile time (benchmark.js) and per-token
// mask + accept time along texts of each grammar, Llama-3.1 vocabulary.
// Run after `npm run build`: node bench/grammars.mjs [--tokenizer llama3.1] [--json]
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Benchmark from 'benchmark';
import { Vocabulary, compileGbnf, allocateBitmask } from '../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const tokenizer = args.includes('--tokenizer') ? args[args.indexOf('--tokenizer') + 1] : 'llama3.1';
const json = args.includes('--json');
const vocab = await Vocabulary.fromFile(tokenizer);

/** Shipped grammars with their valid examples under test/grammars/<name>/. */
const cases = [];
for (const f of readdirSync(join(root, 'grammars')).filter((x) => x.endsWith('.gbnf'))) {
  const name = f.replace(/\.gbnf$/, '');
  const dir = join(root, 'test', 'grammars', name);
  const texts = existsSync(dir) ? readdirSync(dir).filter((x) => x.startsWith('valid')).map((x) => readFileSync(join(dir, x), 'utf8')) : [];
  cases.push({ name, text: readFileSync(join(root, 'grammars', f), 'utf8'), texts });
}

/** Per-token mask + accept times (µs) along every text, one fresh matcher per text. */
function timeMasks(compiled, texts, mask) {
  const out = [];
  for (const t of texts) {
    const m = compiled.matcher();
    for (const id of vocab.encode(t)) {
      const a = process.hrtime.bigint();
      m.fillNextTokenBitmask(mask);
      m.acceptToken(id);
      out.push(Number(process.hrtime.bigint() - a) / 1000);
    }
  }
  return out;
}

function percentile(sorted, p) {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const rows = [];
for (const c of cases) {
  // Compile time, statistically (benchmark.js).
  let compileMs = 0;
  await new Promise((resolve) => {
    new Benchmark(`compile ${c.name}`, () => compileGbnf(c.text, vocab), { minSamples: 20, maxTime: 2 })
      .on('complete', function () {
        compileMs = this.stats.mean * 1000;
        resolve();
      })
      .run();
  });
  // Per-token mask + accept along every example (a fresh grammar, so first visits are included).
  const compiled = compileGbnf(c.text, vocab);
  const mask = allocateBitmask(vocab.size);
  // First pass (first visits of lexer states included), then the same masks again (caches warm).
  const times = timeMasks(compiled, c.texts, mask);
  const warm = timeMasks(compiled, c.texts, mask);
  times.sort((a, b) => a - b);
  warm.sort((a, b) => a - b);
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);
  rows.push({
    grammar: c.name,
    tokens: times.length,
    compile_ms: +compileMs.toFixed(3),
    mask_us: { mean: +mean(times).toFixed(1), p50: +percentile(times, 50).toFixed(1), p99: +percentile(times, 99).toFixed(1), max: +times[times.length - 1].toFixed(1) },
    warm_mask_us: { mean: +mean(warm).toFixed(1), p50: +percentile(warm, 50).toFixed(1), p99: +percentile(warm, 99).toFixed(1) },
  });
}
if (json) console.log(JSON.stringify({ tokenizer, rows }));
else {
  console.log(`tokenizer ${tokenizer}, ${vocab.size} tokens; mask + accept per token in µs (first pass includes first visits of lexer states; warm = second pass)`);
  console.log('grammar'.padEnd(12), 'tokens'.padStart(6), 'compile ms'.padStart(11), 'mean'.padStart(8), 'p50'.padStart(8), 'p99'.padStart(9), 'max'.padStart(9), '| warm mean'.padStart(12), 'p50'.padStart(7), 'p99'.padStart(8));
  for (const r of rows) {
    console.log(r.grammar.padEnd(12), String(r.tokens).padStart(6), r.compile_ms.toFixed(2).padStart(11), r.mask_us.mean.toFixed(1).padStart(8), r.mask_us.p50.toFixed(1).padStart(8), r.mask_us.p99.toFixed(1).padStart(9), r.mask_us.max.toFixed(1).padStart(9), ('| ' + r.warm_mask_us.mean.toFixed(1)).padStart(12), r.warm_mask_us.p50.toFixed(1).padStart(7), r.warm_mask_us.p99.toFixed(1).padStart(8));
  }
}
