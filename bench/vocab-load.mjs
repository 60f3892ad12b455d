#!/usr/bin/env node
// Vocabulary load time, cold, one fresh process per sample (requires `npm run build`).
// Usage: node bench/vocab-load.mjs [--runs N] [names...]   (default: all seven short names, 5 runs)
// Prints one line per tokenizer (min / median wall ms and median CPU ms of
// Vocabulary.fromFile inside `constrain vocab --json`), then a JSON line with all results.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const args = process.argv.slice(2);
let runs = 5;
const runsAt = args.indexOf('--runs');
if (runsAt >= 0) {
  runs = Number(args[runsAt + 1]);
  args.splice(runsAt, 2);
}
const names = args.length ? args : ['llama3.1', 'llama3', 'qwen3', 'gemma3', 'llama2', 'gpt-oss', 'deepseek-v3'];
const bin = fileURLToPath(new URL('../bin/constrain.js', import.meta.url));
const results = {};
for (const name of names) {
  const ms = [];
  const cpu = [];
  let report;
  for (let r = 0; r < runs; r++) {
    const out = execFileSync(process.execPath, [bin, 'vocab', '--tokenizer', name, '--json'], { encoding: 'utf8' });
    report = JSON.parse(out.trim().split('\n').pop());
    ms.push(report.loadMs);
    cpu.push(report.loadCpuMs);
  }
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  results[name] = { size: report.size, trieNodes: report.trieNodes, minMs: ms[0], medianMs: ms[mid], medianCpuMs: cpu[mid] };
  console.log(`${name.padEnd(12)} size ${String(report.size).padStart(6)}  trie nodes ${String(report.trieNodes).padStart(7)}  load min ${ms[0]} ms  median ${ms[mid]} ms  (cpu median ${cpu[mid]} ms)`);
}
console.log(JSON.stringify({ bench: 'vocab-load', runs, results }));
