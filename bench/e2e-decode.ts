/**
 * Greedy decoding speed of the ONNX decoding loop (no constraint), CPU.
 *
 *   npx vite-node bench/e2e-decode.ts -- [--model builtin|stories260K|fixture|DIR]... [--tokens N]
 *                                         [--threads T] [--runs R] [--json]
 *
 * `stories260K` converts ../shared/models/stories260K (llama2.c) into a temp
 * dir first; `fixture` is ../shared/models/tiny-random-llama-fp16-onnx;
 * `builtin` is the seeded built-in model. Reports prefill time and decode
 * tokens/s (forward passes after the first, EOS ignored), best of R runs,
 * and the process CPU time per generated token (whole call; less sensitive
 * than wall time to other processes on a shared machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuiltinModel } from '../src/decode/builtin.js';
import { generate } from '../src/decode/generate.js';
import { convertLlama2c } from '../src/decode/llama2c.js';
import { loadModel } from '../src/decode/model.js';

const args = process.argv.slice(2).filter((a) => a !== '--');
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : dflt;
};
const models = args.flatMap((a, i) => (args[i - 1] === '--model' ? [a] : []));
if (!models.length) models.push('builtin', 'stories260K', 'fixture');
const tokens = Number(opt('tokens', '256'));
const threads = Number(opt('threads', '1'));
const runs = Number(opt('runs', '3'));
const json = args.includes('--json');
const shared = process.env.CONSTRAIN_SHARED ?? resolve(import.meta.dirname ?? '.', '..', '..', 'shared');

const results: Record<string, unknown>[] = [];
for (const name of models) {
  let dir = name;
  let cleanup = (): void => {};
  if (name === 'builtin') dir = await ensureBuiltinModel();
  else if (name === 'stories260K') {
    dir = mkdtempSync(join(tmpdir(), 'constrain-e2e-'));
    const d = dir;
    cleanup = () => rmSync(d, { recursive: true, force: true });
    convertLlama2c(join(shared, 'models/stories260K/stories260K.bin'), dir, { tokenizer: join(shared, 'models/stories260K') });
  } else if (name === 'fixture') dir = join(shared, 'models/tiny-random-llama-fp16-onnx');
  const model = await loadModel(dir, { threads });
  const maxTok = Math.min(tokens, (model.info.maxPositions ?? 1e9) - 2);
  await generate(model, [1], { maxTokens: 8, eosTokenIds: [] }); // warm-up
  let best = { prefillMs: Infinity, decodeMs: Infinity, tokensPerS: 0, msPerToken: 0, n: 0 };
  let cpuBest = Infinity;
  for (let r = 0; r < runs; r++) {
    const cpu0 = process.cpuUsage();
    const g = await generate(model, [1], { maxTokens: maxTok, eosTokenIds: [] });
    const cpu = process.cpuUsage(cpu0);
    cpuBest = Math.min(cpuBest, (cpu.user + cpu.system) / 1000 / g.ids.length);
    const n = g.ids.length - 1; // forward passes after the prefill
    const tps = (n * 1000) / g.timing.decodeMs;
    if (tps > best.tokensPerS) best = { prefillMs: g.timing.prefillMs, decodeMs: g.timing.decodeMs, tokensPerS: tps, msPerToken: g.timing.decodeMs / n, n };
  }
  const row = {
    model: name,
    vocab: model.info.vocabSize,
    layers: model.info.numLayers,
    kvType: model.info.kvType,
    threads,
    tokens: best.n + 1,
    prefill_ms: +best.prefillMs.toFixed(3),
    ms_per_token: +best.msPerToken.toFixed(3),
    tokens_per_s: +best.tokensPerS.toFixed(1),
    cpu_ms_per_token: +cpuBest.toFixed(3),
  };
  results.push(row);
  if (!json) console.log(`${name.padEnd(14)} vocab ${String(row.vocab).padStart(6)}  ${row.kvType}  ${row.tokens} tokens  ${row.ms_per_token} ms/token  ${row.tokens_per_s} tokens/s  cpu ${row.cpu_ms_per_token} ms/token  (threads ${threads}, best of ${runs})`);
  await model.release();
  cleanup();
}
if (json) console.log(JSON.stringify({ bench: 'e2e-decode', node: process.version, results }));
