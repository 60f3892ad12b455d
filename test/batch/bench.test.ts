/**
 * The batch benchmark end to end on a small workload: the shipped person
 * schema driven by a random walk, Llama-3.1 vocabulary (an installed
 * devDependency), in-process vs a one-worker pool; masks must agree.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { batchBenchTable, runBatchBench } from '../../src/batch/bench.js';
import { repoRoot } from '../shared.js';
import { bundledWorker } from './bundle.js';

describe('runBatchBench', () => {
  it('times in-process and pool steps with equal masks', async () => {
    const r = await runBatchBench({
      tokenizer: 'llama3.1', files: [join(repoRoot, 'grammars', 'person.schema.json')],
      batchSizes: [3], workers: [1], steps: 6, rounds: 2, workerFile: await bundledWorker(),
    });
    expect(r).toMatchObject({ schemas: 1, fromInstances: 0, steps: 6, rounds: 2, vocabSize: 128256 });
    expect(r.rows.map((x) => [x.batch, x.mode, x.workers, x.masksMatch])).toEqual([[3, 'in-process', 0, true], [3, 'pool', 1, true]]);
    for (const x of r.rows) expect(x.warm.mean).toBeGreaterThan(0);
    expect(batchBenchTable(r)).toMatch(/pool, 1 worker/);
  });
});
