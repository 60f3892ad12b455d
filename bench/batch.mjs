// Batch mask benchmark (issue 5): time per decoding step of B sequences (all masks + tokens accepted),
// in-process vs BatchMaskPool with 1 and 2 workers, Llama-3.1 tokenizer, MaskBench schemas driven along
// their valid test instances. The same as `constrain bench batch`; run after `npm run build`:
//   node bench/batch.mjs [--tokenizer llama3.1] [--batch 8,32,64] [--workers 1,2] [--steps 32] [--rounds 3] [--max-mask-ms 20] [--forward-ms 0] [--json]
import { batchBenchTable, runBatchBench } from '../dist/batch/bench.js';
import { defaultBatchSchemas } from '../dist/cli/batch.js';
import { listSchemaFiles } from '../dist/bench/runner.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => (args.includes(name) ? args[args.indexOf(name) + 1] : dflt);
const list = (s) => s.split(',').map(Number);
const schemas = args.includes('--schemas') ? [arg('--schemas')] : defaultBatchSchemas();
const result = await runBatchBench({
  tokenizer: arg('--tokenizer', 'llama3.1'),
  files: listSchemaFiles(schemas),
  batchSizes: list(arg('--batch', '8,32,64')),
  workers: list(arg('--workers', '1,2')),
  steps: Number(arg('--steps', '32')),
  rounds: Number(arg('--rounds', '3')),
  seed: Number(arg('--seed', '1')),
  maxMaskMs: Number(arg('--max-mask-ms', '20')),
  forwardMs: Number(arg('--forward-ms', '0')),
  log: (line) => process.stderr.write(line + '\n'),
});
console.log(args.includes('--json') ? JSON.stringify(result) : batchBenchTable(result));
