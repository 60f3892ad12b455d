/**
 * Locates the external material in `../shared` (or `$CONSTRAIN_SHARED`).
 * Tests that need it call `describeShared` so a fresh clone without it skips
 * them with a clear reason instead of failing.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/** Repository root. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the shared data and models are expected. */
export const sharedDir = process.env.CONSTRAIN_SHARED ?? resolve(repoRoot, '..', 'shared');

/** Absolute path of `rel` under the shared folder. */
export function sharedPath(rel: string): string {
  return join(sharedDir, rel);
}
/** Whether `rel` exists under the shared folder. */
export function hasShared(rel: string): boolean {
  return existsSync(sharedPath(rel));
}
/** `describe` that skips, naming what is missing, when `rel` is absent from the shared folder. */
export function describeShared(rel: string, name: string, fn: () => void): void {
  if (hasShared(rel)) describe(name, fn);
  else describe.skip(`${name} (skipped: ${sharedPath(rel)} missing; set CONSTRAIN_SHARED)`, fn);
}
