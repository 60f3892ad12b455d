// Quick probe: per-token mask time on grammars/json.gbnf with a real tokenizer.
import { readFileSync } from 'node:fs';
import { Vocabulary } from '../src/vocab/vocabulary.js';
import { resolveTokenizerPath } from '../src/vocab/resolve.js';
import { compileGbnf } from '../src/api.js';
import { allocateBitmask } from '../src/vocab/trie.js';

const tok = process.argv[2] ?? 'llama3.1';
const t0 = performance.now();
const vocab = await Vocabulary.fromFile(resolveTokenizerPath(tok));
console.log(`vocab ${tok} size ${vocab.size} load ${(performance.now() - t0).toFixed(0)} ms, trie nodes ${vocab.trie.nodeCount}`);
const grammarFile = process.argv[3] ?? 'grammars/json.gbnf';
const t1 = performance.now();
const compiled = compileGbnf(readFileSync(grammarFile, 'utf8'), vocab);
console.log(`compile ${(performance.now() - t1).toFixed(1)} ms`, compiled.stats);
const doc = process.argv[4] ?? JSON.stringify({ name: 'Alice Smith', age: 42, tags: ['a', 'bb', 'ccc'], nested: { x: 1.5e3, y: [true, false, null], s: 'héllo wörld ✓' } }, null, 1);
const ids = vocab.encode(doc);
const m = compiled.matcher();
const mask = allocateBitmask(vocab.size);
const times: number[] = [];
for (const id of ids) {
  const a = performance.now();
  m.fillNextTokenBitmask(mask);
  const ok = (mask[id >>> 5]! >>> (id & 31)) & 1;
  if (!ok) throw new Error(`token ${id} ${JSON.stringify(vocab.tokenText(id))} not allowed`);
  m.acceptToken(id);
  times.push(performance.now() - a);
}
m.fillNextTokenBitmask(mask);
console.log('eos allowed', vocab.eosIds.some((e) => (mask[e >>> 5]! >>> (e & 31)) & 1));
times.sort((a, b) => a - b);
const avg = times.reduce((a, b) => a + b, 0) / times.length;
console.log(`tokens ${times.length} mask+accept avg ${(avg * 1000).toFixed(0)} us p50 ${(times[times.length >> 1]! * 1000).toFixed(0)} us max ${(times[times.length - 1]! * 1000).toFixed(0)} us`);
