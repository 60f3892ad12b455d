/**
 * BatchMaskPool: masks written by workers into a shared bitmask equal the
 * in-process `Matcher.fillNextTokenBitmask` masks along seeded random walks
 * (accepts, rejects, rollbacks, forks) over several grammars; typed errors
 * cross the thread boundary; crashes, hangs and close are handled.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileGbnf, compileJsonSchema, compileLark, compileRegex } from '../../src/api.js';
import { BatchMaskPool, type SequenceId } from '../../src/batch/pool.js';
import { BatchPoolError } from '../../src/batch/errors.js';
import { compileSpec, type GrammarSpec } from '../../src/batch/spec.js';
import { GrammarSyntaxError, InvalidArgumentError, UnsupportedFeatureError } from '../../src/errors.js';
import type { Matcher } from '../../src/matcher/matcher.js';
import { Vocabulary } from '../../src/vocab/vocabulary.js';
import { Rng } from '../matcher/helpers.js';
import { bundledWorker } from './bundle.js';

const fakeWorker = fileURLToPath(new URL('./fixtures/fake-worker.mjs', import.meta.url));

/** Printable ASCII, newline, some multi-byte tokens, a special EOS, and padding up to 160 logits. */
function testVocab(): Vocabulary {
  const tokens: string[] = ['</s>', '\n'];
  for (let c = 0x20; c < 0x7f; c++) tokens.push(String.fromCharCode(c));
  tokens.push('{"', '":', '", "', '"}', 'name', 'age', 'tags', 'true', 'false', 'null', '12', '345', 'ab', 'bc', 'abc', 'yz', ' +', '(1', '))', 'é', 'ü');
  return Vocabulary.fromTokens(tokens, { eos: [0], special: [0], size: 160 });
}

const SPECS: GrammarSpec[] = [
  {
    kind: 'json-schema',
    schema: {
      type: 'object',
      properties: { name: { type: 'string', maxLength: 4 }, age: { type: 'integer', minimum: 0 }, tags: { type: 'array', items: { enum: ['a', 'bc'] }, maxItems: 3 } },
      required: ['name'],
    },
    options: { whitespace: 'compact' },
  },
  { kind: 'regex', pattern: '[a-c]{2,5}(x|yz)?' },
  { kind: 'gbnf', text: 'root ::= expr\nexpr ::= term (" +" term)*\nterm ::= [0-9]+ | "(" expr ")"\n' },
  { kind: 'lark', text: 'start: "a" start "b" | "ab" | NUM\nNUM: /[0-9]{1,3}/\n' },
  { kind: 'json-schema', schema: { enum: ['é', 'ü', 12, true, null] } },
];

const words = (size: number): number => (size + 31) >>> 5;

function allowedIds(row: Uint32Array | Int32Array, size: number): number[] {
  const out: number[] = [];
  for (let id = 0; id < size; id++) if ((row[id >>> 5]! >>> (id & 31)) & 1) out.push(id);
  return out;
}

describe('BatchMaskPool with real workers', () => {
  const vocab = testVocab();
  let pool: BatchMaskPool;
  beforeAll(async () => {
    pool = await BatchMaskPool.create({ tokenizer: vocab, workers: 2, workerFile: await bundledWorker(), timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('masks equal in-process masks along random walks with rejects, rollbacks and forks', async () => {
    const rng = new Rng(7);
    const n = vocab.size;
    const w = words(n);
    // Every spec twice (two sequences of one grammar), placed least-loaded over two workers.
    const specs = [...SPECS, ...SPECS];
    const local: Matcher[] = specs.map((s) => compileSpec(s, vocab).matcher());
    const seqs: SequenceId[] = [];
    for (const s of specs) seqs.push(await pool.add(s));
    expect(pool.workerLoads()).toEqual([5, 5]);
    const masks = pool.allocateMasks(seqs.length + 2);
    const rows = seqs.map((_, i) => seqs.length + 1 - i); // reversed rows, with one spare row at 0
    const expected = new Uint32Array(w);
    let compared = 0;
    for (let stepNo = 0; stepNo < 40; stepNo++) {
      await pool.fillMasks(seqs, masks, { rows });
      const tokens: number[] = [];
      for (let i = 0; i < seqs.length; i++) {
        local[i]!.fillNextTokenBitmask(expected);
        const row = masks.subarray(rows[i]! * w, rows[i]! * w + w);
        expect(allowedIds(row, n), `step ${stepNo}, sequence ${i} (${specs[i]!.kind})`).toEqual(allowedIds(expected, n));
        compared++;
        const allowed = allowedIds(expected, n);
        // Mostly an allowed token (EOS rarely), sometimes any token.
        const nonEos = allowed.filter((id) => id !== 0);
        tokens.push(rng.next() < 0.15 || allowed.length === 0 ? rng.int(n) : nonEos.length && rng.next() < 0.95 ? rng.pick(nonEos) : rng.pick(allowed));
      }
      const ok = await pool.accept(seqs, tokens);
      expect(ok).toEqual(tokens.map((t, i) => local[i]!.acceptToken(t)));
      for (let i = 0; i < seqs.length; i++) expect(pool.isTerminated(seqs[i]!)).toBe(local[i]!.isTerminated());
      if (stepNo % 9 === 8) {
        const counts = local.map((m) => Math.min(m.steps, rng.int(3)));
        await pool.rollback(seqs, counts);
        local.forEach((m, i) => m.rollback(counts[i]!));
      }
      if (stepNo === 20) {
        // Fork sequence 0 and continue both.
        const f = await pool.fork(seqs[0]!);
        seqs.push(f);
        local.push(local[0]!.fork());
        specs.push(specs[0]!);
        rows.push(0);
      }
    }
    expect(compared).toBeGreaterThan(400);
    // step(): accept + fill in one round trip gives the same masks.
    const tokens = local.map((m) => {
      m.fillNextTokenBitmask(expected);
      return allowedIds(expected, n)[0] ?? 0;
    });
    const ok = await pool.step(seqs, tokens, masks, { rows });
    expect(ok).toEqual(tokens.map((t, i) => local[i]!.acceptToken(t)));
    for (let i = 0; i < seqs.length; i++) {
      local[i]!.fillNextTokenBitmask(expected);
      expect(allowedIds(masks.subarray(rows[i]! * w, rows[i]! * w + w), n)).toEqual(allowedIds(expected, n));
    }
    await pool.remove(seqs);
    expect(pool.workerLoads()).toEqual([0, 0]);
  });

  it('survives many back-to-back steps (no lost or stale wake-ups)', async () => {
    const s = await pool.add({ kind: 'regex', pattern: '[a-c]*' });
    const masks = pool.allocateMasks(1);
    const a = vocab.encode('a')[0]!;
    for (let i = 0; i < 3000; i++) expect((await pool.step([s], [a], masks))[0]).toBe(true);
    const local = compileSpec({ kind: 'regex', pattern: '[a-c]*' }, vocab).matcher();
    const expected = new Uint32Array(words(vocab.size));
    local.fillNextTokenBitmask(expected);
    expect(allowedIds(masks, vocab.size)).toEqual(allowedIds(expected, vocab.size));
    expect(allowedIds(expected, vocab.size)).toHaveLength(7); // a b c ab bc abc </s>
    await pool.remove([s]);
  });

  it('posts a step before returning: workers fill rows while this thread is blocked', async () => {
    const s = await pool.add({ kind: 'regex', pattern: '[a-c]*' });
    const masks = pool.allocateMasks(1);
    await pool.fillMasks([s], masks); // registers the buffer with the worker
    masks.fill(0);
    const p = pool.fillMasks([s], masks);
    const deadline = Date.now() + 10_000;
    let seen = false;
    while (!seen && Date.now() < deadline) for (let i = 0; i < masks.length; i++) if (Atomics.load(masks, i) !== 0) seen = true;
    expect(seen).toBe(true);
    await p;
    await pool.remove([s]);
  });

  it('rejects add with the in-process error class, code and message', async () => {
    const cases: [GrammarSpec, () => unknown, new (...a: never[]) => Error][] = [
      [{ kind: 'regex', pattern: '(?<=a)b' }, () => compileRegex('(?<=a)b', vocab), UnsupportedFeatureError],
      [{ kind: 'gbnf', text: 'root ::= "a" | \n  foo' }, () => compileGbnf('root ::= "a" | \n  foo', vocab), GrammarSyntaxError],
      [{ kind: 'json-schema', schema: { type: 'array', uniqueItems: true } }, () => compileJsonSchema({ type: 'array', uniqueItems: true }, vocab), UnsupportedFeatureError],
      [{ kind: 'lark', text: 'start: "a" (' }, () => compileLark('start: "a" (', vocab), GrammarSyntaxError],
      [{ kind: 'regex', pattern: 'a{5,3}' }, () => compileRegex('a{5,3}', vocab), Error],
    ];
    for (const [spec, local, cls] of cases) {
      let want: Error | undefined;
      try {
        local();
      } catch (e) {
        want = e as Error;
      }
      expect(want, JSON.stringify(spec)).toBeInstanceOf(cls);
      const got = await pool.add(spec).then(() => undefined, (e: Error) => e);
      expect(got, JSON.stringify(spec)).toBeInstanceOf(want!.constructor);
      expect(got!.name).toBe(want!.name);
      expect(got!.message).toBe(want!.message);
      expect((got as { code?: string }).code).toBe((want as { code?: string }).code);
      if (want instanceof UnsupportedFeatureError) expect(got).toMatchObject({ feature: want.feature, where: want.where });
      if (want instanceof GrammarSyntaxError) expect((got as GrammarSyntaxError).location).toEqual(want.location);
      expect(got!.stack).toContain('<batch worker>');
    }
    await expect(pool.add({ kind: 'xml' } as unknown as GrammarSpec)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(pool.add({ kind: 'regex', pattern: 'a', options: { limits: { maxRepeat: () => 1 } } } as unknown as GrammarSpec)).rejects.toThrow(/not plain data/);
  });

  it('checks arguments: unknown sequences, rollback past the start, mask buffers', async () => {
    const s = await pool.add({ kind: 'regex', pattern: 'ab' });
    await expect(pool.fillMasks([12345], pool.allocateMasks(1))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(pool.fillMasks([s], new Int32Array(words(vocab.size)))).rejects.toThrow(/SharedArrayBuffer/);
    await expect(pool.fillMasks([s, s], pool.allocateMasks(1))).rejects.toBeInstanceOf(RangeError);
    await expect(pool.accept([s], [1, 2])).rejects.toThrow(/1 sequences but 2 token ids/);
    expect(await pool.accept([s], [vocab.encode('a')[0]!])).toEqual([true]);
    const err = await pool.rollback([s], 2).then(() => undefined, (e: Error) => e);
    expect(err).toBeInstanceOf(RangeError);
    expect(err!.message).toMatch(/cannot roll back 2 steps: 1 accepted/);
    await pool.rollback([s], 1);
    const masks = pool.allocateMasks(1);
    await pool.fillMasks([s], masks);
    expect(allowedIds(masks, vocab.size)).toEqual(vocab.encode('a').concat(vocab.encode('ab')).sort((a, b) => a - b));
    await pool.remove([s]);
    await expect(pool.accept([s], [1])).rejects.toThrow(/not in this pool/);
  });
});

describe('BatchMaskPool failures (fake worker)', () => {
  const vocab = testVocab();

  it('a crashing worker rejects its calls, loses its sequences, is replaced', async () => {
    const pool = await BatchMaskPool.create({ tokenizer: vocab, workers: 1, workerFile: fakeWorker, timeoutMs: 5000 });
    try {
      const a = await pool.add({ kind: 'regex', pattern: 'x' });
      const err = await pool.add({ kind: 'regex', pattern: 'crash' }).then(() => undefined, (e: Error) => e);
      expect(err).toBeInstanceOf(BatchPoolError);
      expect(err).toMatchObject({ code: 'WORKER_EXITED' });
      expect(err!.message).toMatch(/batch worker 0 exited with code 3; its 2 sequence\(s\) are lost/);
      await expect(pool.accept([a], [1])).rejects.toMatchObject({ code: 'SEQUENCE_LOST' });
      const b = await pool.add({ kind: 'regex', pattern: 'y' });
      expect(await pool.accept([b], [1])).toEqual([true]);
      await pool.remove([a, b]);
      expect(pool.workerLoads()).toEqual([0]);
      const thrown = await pool.add({ kind: 'regex', pattern: 'throw' }).then(() => undefined, (e: Error) => e);
      expect(thrown).toMatchObject({ code: 'WORKER_EXITED' });
      expect(thrown!.message).toMatch(/threw TypeError: boom outside a request/);
      expect(await pool.add({ kind: 'regex', pattern: 'z' })).toBeGreaterThan(0);
    } finally {
      await pool.close();
    }
  });

  it('a hanging worker times out, is terminated and replaced', async () => {
    const pool = await BatchMaskPool.create({ tokenizer: vocab, workers: 2, workerFile: fakeWorker, timeoutMs: 300, placement: 'round-robin' });
    try {
      const t0 = Date.now();
      const err = await pool.add({ kind: 'regex', pattern: 'hang' }).then(() => undefined, (e: Error) => e);
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(err).toMatchObject({ code: 'TIMEOUT' });
      // The other worker, then the replacement, serve new sequences.
      const s1 = await pool.add({ kind: 'regex', pattern: 'a' });
      const s2 = await pool.add({ kind: 'regex', pattern: 'b' });
      expect(await pool.accept([s1, s2], [1, 1])).toEqual([true, true]);
    } finally {
      await pool.close();
    }
  });

  it('close rejects calls in flight and later calls', async () => {
    const pool = await BatchMaskPool.create({ tokenizer: vocab, workers: 1, workerFile: fakeWorker, timeoutMs: 10_000 });
    const hanging = pool.add({ kind: 'regex', pattern: 'hang' }).then(() => undefined, (e: Error) => e);
    await pool.close();
    expect(await hanging).toMatchObject({ code: 'POOL_CLOSED' });
    await expect(pool.add({ kind: 'regex', pattern: 'a' })).rejects.toMatchObject({ code: 'POOL_CLOSED' });
    expect(pool.isClosed).toBe(true);
    await pool.close();
  });

  it('a worker that cannot start fails create', async () => {
    await expect(BatchMaskPool.create({ tokenizer: vocab, workers: 1, workerFile: '/nonexistent/worker.mjs' })).rejects.toThrow();
    await expect(BatchMaskPool.create({ tokenizer: vocab, workers: 0 })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
