import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SchemaResult } from '../../src/bench/maskbench.js';
import { runMaskBench } from '../../src/bench/runner.js';

// The worker pool with a fake worker script: a hanging schema is killed and
// counted as a timeout, a dying worker as a crash, and the run goes on.
const workerFile = fileURLToPath(new URL('./fixtures/fake-worker.mjs', import.meta.url));

describe('runMaskBench worker pool', () => {
  it('kills a runaway schema at the time limit, counts crashes, and finishes the rest', async () => {
    const results: SchemaResult[] = [];
    const files = ['/x/a.json', '/x/hang.json', '/x/b.json', '/x/exit.json', '/x/fatal.json', '/x/c.json'];
    const t0 = Date.now();
    const summary = await runMaskBench({
      engine: 'fake', tokenizer: 't', files, timeoutMs: 300, workerFile, onResult: (r) => results.push(r),
    });
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['a.json', 'passing'], ['hang.json', 'timeout'], ['b.json', 'passing'], ['exit.json', 'crash'],
      ['fatal.json', 'compile_error'], ['c.json', 'passing'],
    ]);
    expect(results[1]!.error).toBe('timeout after 300 ms');
    expect(results[3]!.error).toMatch(/exited with code 3/);
    expect(summary).toMatchObject({ schemas: 6, passing: 3, timeout: 1, compile_error: 2, tokens: 6 });
    expect(summary.tbm_us.max).toBe(1);
  });

  it('runs several workers in parallel and reports every schema once', async () => {
    const files = Array.from({ length: 20 }, (_, i) => `/x/s${i}.json`).concat(['/x/hang1.json', '/x/hang2.json']);
    const seen: string[] = [];
    const summary = await runMaskBench({ engine: 'fake', tokenizer: 't', files, timeoutMs: 300, jobs: 2, workerFile, onResult: (r) => seen.push(r.id) });
    expect(seen.sort()).toEqual(files.map((f) => f.slice(3)).sort());
    expect(summary).toMatchObject({ schemas: 22, passing: 20, timeout: 2 });
  });

  it('with the cpu clock, the limit counts CPU time of the busy worker', async () => {
    const results: SchemaResult[] = [];
    const summary = await runMaskBench({
      engine: 'fake', tokenizer: 't', files: ['/x/hang.json', '/x/a.json'], timeoutMs: 200, clock: 'cpu', workerFile,
      onResult: (r) => results.push(r),
    });
    expect(results.map((r) => r.status)).toEqual(['timeout', 'passing']);
    expect(results[0]!.error).toMatch(/^timeout after 200 ms (of CPU time|\(wall-clock backstop 2000 ms\))$/);
    expect(summary).toMatchObject({ schemas: 2, timeout: 1, passing: 1 });
    await expect(runMaskBench({ engine: 'fake', tokenizer: 't', files: ['/x/a.json'], clock: 'cpu', jobs: 2, workerFile })).rejects.toThrow(/needs --jobs 1/);
  });

  it('rejects when the engine cannot start', async () => {
    await expect(runMaskBench({ engine: 'broken', tokenizer: 't', files: ['/x/a.json'], workerFile })).rejects.toThrow(/engine broken: cannot start/);
  });
});
