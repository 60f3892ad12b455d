#!/usr/bin/env node
// Merges `bench mask` runs over disjoint file sets into one summary line:
//   node bench/maskbench-merge.mjs ENGINE TOKENIZER OUT1.jsonl SAMPLES1.jsonl [OUT2.jsonl SAMPLES2.jsonl ...]
// (each pair from --out and --samples-out of one run). Uses ./dist or $CONSTRAIN_DIST.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = resolve(process.env.CONSTRAIN_DIST ?? new URL('../dist', import.meta.url).pathname);
const { SummaryBuilder, resultFromLine } = await import(pathToFileURL(`${dist}/bench/maskbench.js`).href);
const [engine, tokenizer, ...pairs] = process.argv.slice(2);
if (!tokenizer || pairs.length === 0 || pairs.length % 2 !== 0) {
  console.error('usage: maskbench-merge.mjs ENGINE TOKENIZER OUT.jsonl SAMPLES.jsonl [...]');
  process.exit(2);
}
const lines = (f) => readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const builder = new SummaryBuilder(engine, tokenizer);
const seen = new Set();
for (let i = 0; i < pairs.length; i += 2) {
  const samples = new Map(lines(pairs[i + 1]).filter((s) => s.engine === engine).map((s) => [s.id, s.tbm_us]));
  for (const line of lines(pairs[i]).filter((l) => l.engine === engine)) {
    if (seen.has(line.id)) throw new Error(`${line.id} appears in more than one run`);
    seen.add(line.id);
    if (!samples.has(line.id)) throw new Error(`${pairs[i + 1]}: no samples for ${line.id}`);
    builder.add(resultFromLine(line, samples.get(line.id)));
  }
}
console.log(JSON.stringify(builder.summary()));
