/** JSON Schema keys are forced text (canonical key spelling): jump-forward batches them. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { E2E_SCHEMA } from '../../src/generation/e2e.js';
import type { Generator } from '../../src/generation/generator.js';
import { builtinGenerator } from './helpers.js';

let gen: Generator;
beforeAll(async () => {
  gen = await builtinGenerator();
});
afterAll(async () => {
  await gen?.release();
});

/** The forced text the first step adds after the prefill. */
async function forcedAfter(prefill: string, propertyOrder?: 'schema' | 'auto'): Promise<string> {
  const constraint = { kind: 'json-schema' as const, source: JSON.stringify(E2E_SCHEMA), whitespace: 'compact' as const, ...(propertyOrder ? { propertyOrder } : {}) };
  const g = gen.start({ prompt: 'JSON:', prefill, constraint, jumpForward: true, maxTokens: 40 });
  // Steps return the prefill, then forced runs (the last token of a run may wait for the next step).
  const out: string[] = [];
  for (let i = 0; i < 4 && !g.done; i++) {
    const toks = (await g.step()).slice(i === 0 ? g.prefillTokens : 0);
    const k = toks.findIndex((t) => !t.forced);
    out.push(...toks.slice(0, k < 0 ? toks.length : k).map((t) => t.text));
    if (k >= 0) break;
  }
  return out.join('');
}

describe('JSON keys are forced', () => {
  test('schema order: the whole next key (a last token that could merge with what follows waits)', async () => {
    expect(await forcedAfter('{"id":12,', 'schema')).toMatch(/^"name":/);
    expect(await forcedAfter('{"id":12,"name":"ab",', 'schema')).toMatch(/^"active/);
  });

  test('any order (default for 5 members): the rest of a key once its first letter decides it', async () => {
    expect(await forcedAfter('{"id":12,"n')).toMatch(/^ame":/);
    expect(await forcedAfter('{"id":12,"name":"ab","t')).toMatch(/^ags":/);
  });
});
