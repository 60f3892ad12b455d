/**
 * `bench conformance`: suite discovery, remotes, outcome counting, the CLI,
 * and (with ../shared) agreement of the token matcher with the slow grammar
 * oracle on real suite files.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type ConformanceTestResult, detectDraft, draftOfPath, findSuiteRoot, globMatcher, listSuiteFiles, loadSuiteFile, loadSuiteRemotes,
  runConformanceFile,
} from '../../src/bench/conformance.js';
import { runCli } from '../../src/cli/main.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { jsonSchemaToGrammar } from '../../src/frontends/json-schema/index.js';
import { GrammarOracle } from '../../src/testing/oracle.js';
import { Vocabulary } from '../../src/vocab/vocabulary.js';
import { describeShared, sharedPath } from '../shared.js';

/** Every byte a token, plus a few longer ones; EOS is id 0. */
const vocab = Vocabulary.fromTokens(
  ['<eos>', ...Array.from({ length: 256 }, (_, b) => new Uint8Array([b])), '{"', '":', 'true', 'null', '"a"'],
  { eos: [0], special: [0] },
);

let root: string;
let dir: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'conformance-'));
  dir = join(root, 'tests', 'draft2020-12');
  mkdirSync(join(dir, 'optional', 'format'), { recursive: true });
  mkdirSync(join(root, 'remotes', 'draft2020-12'), { recursive: true });
  writeFileSync(join(root, 'remotes', 'draft2020-12', 'int.json'), JSON.stringify({ $id: 'http://localhost:1234/draft2020-12/int.json', type: 'integer' }));
  writeFileSync(
    join(dir, 'mixed.json'),
    JSON.stringify([
      {
        description: 'remote ref',
        schema: { $schema: 'https://json-schema.org/draft/2020-12/schema', $ref: 'http://localhost:1234/draft2020-12/int.json' },
        tests: [
          { description: 'integer', data: 3, valid: true },
          { description: 'string', data: 'a', valid: false },
        ],
      },
      { description: 'false schema', schema: false, tests: [{ description: 'anything', data: 1, valid: false }] },
      {
        description: 'unsupported',
        schema: { type: 'array', uniqueItems: true },
        tests: [
          { description: 'unique', data: [1, 2], valid: true },
          { description: 'not unique', data: [1, 1], valid: false },
        ],
      },
      {
        description: 'format is an annotation',
        schema: { format: 'email' },
        tests: [{ description: 'not an email', data: 'x', valid: true }],
      },
      {
        description: 'a test the grammar gets wrong on purpose (labels flipped)',
        schema: { type: 'string' },
        tests: [
          { description: 'string said invalid', data: 'a', valid: false },
          { description: 'number said valid', data: 1, valid: true },
        ],
      },
    ]),
  );
  writeFileSync(join(dir, 'other.json'), JSON.stringify([{ description: 'g', schema: { type: 'null' }, tests: [{ description: 'null', data: null, valid: true }] }]));
  writeFileSync(join(dir, 'optional', 'format', 'email.json'), JSON.stringify([{ description: 'g', schema: { format: 'email' }, tests: [{ description: 'bad', data: 'x', valid: false }] }]));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('suite discovery', () => {
  test('keyword files without optional/ unless asked, sorted; globs', () => {
    expect(listSuiteFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(['mixed.json', 'other.json']);
    expect(listSuiteFiles(dir, { optional: true }).map((f) => f.slice(dir.length + 1))).toEqual(['mixed.json', 'optional/format/email.json', 'other.json']);
    expect(listSuiteFiles(dir, { glob: 'oth*' })).toHaveLength(1);
    expect(listSuiteFiles(dir, { optional: true, glob: 'optional/**' })).toHaveLength(1);
    expect(globMatcher('m?xed')('mixed.json')).toBe(true);
    expect(globMatcher('*.json')('optional/format/email.json')).toBe(true);
  });

  test('a bad directory is an InvalidArgumentError', () => {
    expect(() => listSuiteFiles(join(root, 'nope'))).toThrow(InvalidArgumentError);
    expect(() => listSuiteFiles(join(dir, 'mixed.json'))).toThrow(/not a directory/);
    expect(() => listSuiteFiles(dir, { glob: 'zzz' })).toThrow(/no keyword files/);
  });

  test('a file that is not a suite file is an InvalidArgumentError', () => {
    const bad = join(root, 'bad.json');
    writeFileSync(bad, '{"schema": {}}');
    expect(() => loadSuiteFile(bad)).toThrow(InvalidArgumentError);
  });

  test('suite root and remotes', () => {
    expect(findSuiteRoot(dir)).toBe(root);
    expect(Object.keys(loadSuiteRemotes(root))).toEqual(['http://localhost:1234/draft2020-12/int.json']);
    expect(findSuiteRoot('/')).toBeUndefined();
  });

  test('drafts from $schema and from the path', () => {
    expect(detectDraft({ $schema: 'http://json-schema.org/draft-07/schema#' })).toBe('draft7');
    expect(detectDraft({ $schema: 'https://json-schema.org/draft/2020-12/schema' })).toBe('draft2020-12');
    expect(detectDraft(true, 'draft7')).toBe('draft7');
    expect(draftOfPath('/x/tests/draft2019-09/ref.json')).toBe('draft2019-09');
    expect(draftOfPath('/x/y')).toBe('unknown');
  });
});

describe('runConformanceFile', () => {
  test('counts every outcome and reports each test', () => {
    const seen: ConformanceTestResult[] = [];
    const row = runConformanceFile(join(dir, 'mixed.json'), 'mixed', { vocab, remotes: loadSuiteRemotes(root), onTest: (r) => seen.push(r) });
    expect(row).toEqual({ file: 'mixed', tests: 8, pass: 4, false_positive: 1, false_negative: 1, unsupported: 2, compile_error: 0, timeout: 0 });
    expect(seen.map((r) => r.outcome)).toEqual(['pass', 'pass', 'pass', 'unsupported', 'unsupported', 'pass', 'false_positive', 'false_negative']);
    expect(seen[0]).toMatchObject({ draft: 'draft2020-12', accepted: true });
    expect(seen[3]!.error).toMatch(/uniqueItems/);
  });

  test('without remotes the remote $ref is unsupported; formatAssertion asserts format', () => {
    const row = runConformanceFile(join(dir, 'mixed.json'), 'mixed', { vocab, formatAssertion: true });
    expect(row.unsupported).toBe(4);
    expect(row.false_negative).toBe(2);
  });
});

describe('bench conformance CLI', () => {
  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const ow = process.stdout.write.bind(process.stdout);
    const ew = process.stderr.write.bind(process.stderr);
    process.stdout.write = ((s: string) => ((out += s), true)) as typeof process.stdout.write;
    process.stderr.write = ((s: string) => ((err += s), true)) as typeof process.stderr.write;
    try {
      const code = await runCli(args);
      return { code, out, err };
    } finally {
      process.stdout.write = ow;
      process.stderr.write = ew;
    }
  }

  test('table, JSON summary and --out lines; exit 1 on a false positive', async () => {
    const outFile = join(root, 'out.jsonl');
    const r = await cli(['bench', 'conformance', '--suite', dir, '--tokenizer', 'llama3.1', '--json', '--out', outFile, '--timeout-ms', '600000']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('format as annotation');
    expect(r.out).toMatch(/TOTAL\s+9\s+5\s+1\s+1\s+2\s+0\s+0/);
    const summary = JSON.parse(r.out.trim().split('\n').pop()!) as { total: { tests: number; pass: number }; format: string; files: number };
    expect(summary).toMatchObject({ format: 'annotation', files: 2, total: { tests: 9, pass: 5 } });
    expect(readFileSync(outFile, 'utf8').trim().split('\n')).toHaveLength(9);
  });

  test('a missing suite directory exits 2 with the reason', async () => {
    const r = await cli(['bench', 'conformance', '--suite', join(root, 'missing')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/does not exist/);
  });
});

describeShared('data/json-schema-test-suite/tests/draft2020-12', 'suite files: token matcher agrees with the grammar oracle', () => {
  const suiteDir = sharedPath('data/json-schema-test-suite/tests/draft2020-12');
  test('ref, anyOf, items, allOf: accepted by the Llama 3.1 matcher iff by the oracle', async () => {
    const llama = await Vocabulary.fromFile('llama3.1');
    const remotes = loadSuiteRemotes(findSuiteRoot(suiteDir)!);
    let compared = 0;
    for (const name of ['ref', 'anyOf', 'items', 'allOf']) {
      const file = join(suiteDir, `${name}.json`);
      const results: ConformanceTestResult[] = [];
      runConformanceFile(file, name, { vocab: llama, remotes, timeoutMs: 600_000, onTest: (r) => results.push(r) });
      let i = 0;
      for (const g of loadSuiteFile(file)) {
        let oracle: GrammarOracle | undefined;
        try {
          oracle = new GrammarOracle(jsonSchemaToGrammar(g.schema, { whitespace: 'compact', remotes, formatAssertion: false }).grammar);
        } catch {
          oracle = undefined;
        }
        for (const t of g.tests) {
          const r = results[i++]!;
          if (oracle && r.accepted !== undefined) {
            expect(r.accepted, `${name} / ${g.description} / ${t.description}`).toBe(oracle.accepts(JSON.stringify(t.data)));
            compared++;
          }
          expect(r.outcome, `${name} / ${g.description} / ${t.description}`).not.toBe('false_positive');
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});
