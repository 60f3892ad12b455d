/**
 * The batch worker runs as plain Node (no vitest transform), so tests bundle
 * src/batch/worker.ts with esbuild (vite's bundler, already installed) into
 * one temporary ESM file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from '../shared.js';

let bundled: Promise<string> | undefined;

/** Path of the bundled worker script (built once per test file). */
export function bundledWorker(): Promise<string> {
  bundled ??= (async () => {
    const outfile = join(mkdtempSync(join(tmpdir(), 'constrain-batch-')), 'worker.mjs');
    await build({
      entryPoints: [join(repoRoot, 'src/batch/worker.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      outfile,
      logLevel: 'silent',
      // CommonJS dependencies call require(); give the ESM bundle one.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    });
    return outfile;
  })();
  return bundled;
}
