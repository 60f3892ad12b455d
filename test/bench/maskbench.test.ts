import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BenchEngine, type BenchMatcher, type SchemaFile, SummaryBuilder, loadSchemaFile, resultFromLine, resultLine,
  runSchema, summaryRatios, timeoutResult,
} from '../../src/bench/maskbench.js';
import { parsePyJson, pyJsonDumps } from '../../src/bench/pyjson.js';
import { listSchemaFiles } from '../../src/bench/runner.js';

/**
 * A character-level fake: token id = UTF-16 code unit (< 128), EOS = 128.
 * The "schema" is `{"enum": [...]}`; the language is the Python-style dumps of
 * the enum values. The matcher is exact by construction (prefix checks), and
 * `bugs` inject the faults the protocol must detect.
 */
const EOS = 128;
const VOCAB = 129;
const encode = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0));

interface Bugs {
  eosAlways?: boolean;
  maskLies?: boolean;
  throwOnAccept?: boolean;
}

function fakeEngine(bugs: Bugs = {}): BenchEngine & { compiled: number } {
  const engine = {
    name: 'fake',
    compiled: 0,
    compile(schemaText: string) {
      const schema = parsePyJson(schemaText);
      if (!(schema instanceof Map) || !Array.isArray(schema.get('enum'))) throw new Error('fake engine: only {"enum": [...]}');
      engine.compiled++;
      const lang = (schema.get('enum') as never[]).map((v) => pyJsonDumps(v));
      return {
        matcher(): BenchMatcher {
          let prefix = '';
          return {
            fillNextTokenBitmask(mask: Uint32Array) {
              mask.fill(0);
              for (let id = 0; id < 128; id++) {
                const next = prefix + String.fromCharCode(id);
                if (lang.some((s) => s.startsWith(next)) !== !!bugs.maskLies) mask[id >>> 5]! |= 1 << (id & 31);
              }
              if (bugs.eosAlways || lang.includes(prefix)) mask[EOS >>> 5]! |= 1 << (EOS & 31);
            },
            acceptToken(id: number) {
              if (bugs.throwOnAccept) throw new Error('boom');
              const next = prefix + String.fromCharCode(id);
              if (!lang.some((s) => s.startsWith(next))) return false;
              prefix = next;
              return true;
            },
            isEosAllowed: (mask: Uint32Array) => ((mask[EOS >>> 5]! >>> (EOS & 31)) & 1) === 1,
          };
        },
      };
    },
  };
  return engine;
}

function schemaFile(enumJson: string, tests: [string, boolean][], id = 'fake.json'): SchemaFile {
  return {
    id,
    schemaText: `{"enum": ${enumJson}}`,
    tests: tests.map(([data, valid]) => ({ data: parsePyJson(data), valid })),
  };
}

const run = (f: SchemaFile, bugs?: Bugs) => runSchema(fakeEngine(bugs), encode, f, { vocabSize: VOCAB });

describe('runSchema (MaskBench protocol) with a fake engine', () => {
  it('passes a schema whose valid instances are accepted and invalid ones rejected', () => {
    const r = run(schemaFile('[{"a": 12}, "xy"]', [['{"a":12}', true], ['"xy"', true], ['{"a":13}', false]]));
    expect(r).toMatchObject({ status: 'passing', testsPassed: 3, numTests: 3, compileError: false, maskMismatch: 0 });
    // tokens: 9 + 4 + 8 (the 8th, '3', is rejected and still timed)
    expect(r.tokens).toBe('{"a": 12}'.length + 4 + 8);
    expect(r.tbmUs.length).toBe(r.tokens);
    expect(r.ttfmUs).toBeGreaterThan(0);
  });

  it('serializes instances as Python json.dumps does (", " and ": ")', () => {
    // the language holds only the spaced form; compact JSON would be rejected
    const r = run(schemaFile('[[1, {"b": null}]]', [['[1,{"b":null}]', true]]));
    expect(r.status).toBe('passing');
  });

  it('an invalid instance that is a prefix of a valid one passes only because EOS is refused', () => {
    const f = schemaFile('[12]', [['1', false]]);
    expect(run(f).status).toBe('passing');
    const buggy = run(f, { eosAlways: true });
    expect(buggy).toMatchObject({ status: 'invalidation_error', invalidationError: true, validationError: false });
    expect(buggy.error).toBe('test #0: invalid instance accepted');
  });

  it('a valid instance needs EOS at the end', () => {
    // "1" is in the language only as a prefix of 12: every token accepted, EOS refused
    const r = run(schemaFile('[12]', [['1', true]]));
    expect(r).toMatchObject({ status: 'validation_error', validationError: true, error: 'test #0: valid instance rejected' });
  });

  it('counts validation and invalidation errors once per schema and keeps the first message', () => {
    const r = run(schemaFile('[1]', [['2', true], ['3', true], ['1', true]]), { eosAlways: true });
    expect(r.validationError).toBe(true);
    expect(r.error).toBe('test #0: valid instance rejected');
    const b = new SummaryBuilder('fake', 'chars');
    b.add(r);
    b.add(run(schemaFile('[1]', [['2', true], ['1', true]]), { eosAlways: true }));
    b.add(run(schemaFile('[12]', [['1', false], ['5', true]]), { eosAlways: true }));
    const s = b.summary();
    expect(s).toMatchObject({ schemas: 3, passing: 0, validation_error: 3, invalidation_error: 1, compile_error: 0 });
  });

  it('records compile errors with their message and no TTFM sample', () => {
    const f: SchemaFile = { id: 'bad.json', schemaText: '{"type": "object"}', tests: [{ data: null, valid: true }] };
    const r = run(f);
    expect(r).toMatchObject({ status: 'compile_error', compileError: true, tokens: 0, ttfmUs: 0 });
    expect(r.error).toMatch(/only \{"enum"/);
    const b = new SummaryBuilder('fake', 'chars');
    b.add(r);
    expect(b.summary()).toMatchObject({ schemas: 1, compile_error: 1, passing: 0, ttfm_us: { p50: 0, max: 0 } });
  });

  it('an engine exception during a test is a validation error, not a crash of the run', () => {
    const r = run(schemaFile('[1]', [['1', true]]), { throwOnAccept: true });
    expect(r).toMatchObject({ status: 'validation_error', validationError: true });
    expect(r.error).toMatch(/test #0: exception Error: boom/);
  });

  it('counts tokens whose mask bit disagrees with acceptToken', () => {
    const r = run(schemaFile('[12]', [['12', true]]), { maskLies: true });
    expect(r.maskMismatch).toBe(2);
  });

  it('compiles each schema once and a schema without tests passes', () => {
    const e = fakeEngine();
    const r = runSchema(e, encode, schemaFile('[1]', []), { vocabSize: VOCAB });
    expect(r.status).toBe('passing');
    expect(e.compiled).toBe(1);
  });
});

describe('SummaryBuilder', () => {
  it('builds the DESIGN.md summary line with keys in order; timeouts add no samples', () => {
    const b = new SummaryBuilder('fake', 'chars');
    const ok = run(schemaFile('["abc"]', [['"abc"', true], ['"abd"', false]]));
    b.add(ok);
    b.add(timeoutResult('slow.json', 3, 15000));
    const s = b.summary();
    expect(Object.keys(s)).toEqual([
      'engine', 'tokenizer', 'schemas', 'passing', 'compile_error', 'validation_error', 'invalidation_error', 'timeout', 'tokens', 'tbm_us', 'ttfm_us',
    ]);
    expect(Object.keys(s.tbm_us)).toEqual(['avg', 'p25', 'p50', 'p75', 'p90', 'p95', 'p99', 'p999', 'max']);
    expect(Object.keys(s.ttfm_us)).toEqual(['avg', 'p50', 'p75', 'p90', 'p99', 'max']);
    expect(s).toMatchObject({ schemas: 2, passing: 1, timeout: 1, tokens: ok.tokens });
    expect(s.ttfm_us.max).toBeCloseTo(ok.ttfmUs, 0);
  });

  it('resultLine carries id, status, error, ttfm, tokens and TBM percentiles', () => {
    const line = resultLine(timeoutResult('slow.json', 3, 15000), 'fake');
    expect(line).toMatchObject({ engine: 'fake', id: 'slow.json', status: 'timeout', error: 'timeout after 15000 ms', tokens: 0, tests: 3 });
    expect(JSON.parse(JSON.stringify(line))).toEqual(line);
  });

  it('resultFromLine + raw samples rebuild the same summary (merging runs)', () => {
    const rs = [
      run(schemaFile('["abc"]', [['"abc"', true], ['"abd"', false]]), {}),
      run(schemaFile('[1]', [['2', true]]), {}),
      timeoutResult('slow.json', 2, 100),
    ];
    const direct = new SummaryBuilder('fake', 'chars');
    const merged = new SummaryBuilder('fake', 'chars');
    for (const r of rs) {
      r.ttfmUs = Math.round(r.ttfmUs * 10) / 10; // lines keep 0.1 us
      direct.add(r);
      const line = JSON.parse(JSON.stringify(resultLine(r, 'fake'))) as Record<string, unknown>;
      merged.add(resultFromLine(line, Array.from(r.tbmUs)));
    }
    expect(merged.summary()).toEqual(direct.summary());
    expect(() => resultFromLine(resultLine(rs[0]!, 'fake'), [1])).toThrow(/1 TBM samples for/);
  });

  it('summaryRatios divides ours by theirs', () => {
    const b1 = new SummaryBuilder('a', 't').summary();
    const a = { ...b1, passing: 50, ttfm_us: { ...b1.ttfm_us, p50: 10 }, tbm_us: { ...b1.tbm_us, avg: 3, p50: 1, p99: 8 } };
    const c = { ...b1, passing: 100, ttfm_us: { ...b1.ttfm_us, p50: 40 }, tbm_us: { ...b1.tbm_us, avg: 6, p50: 0, p99: 2 } };
    expect(summaryRatios(a, c)).toEqual({ ttfm_p50: 0.25, tbm_avg: 0.5, tbm_p50: null, tbm_p99: 4, passing: 0.5 });
  });
});

describe('schema files', () => {
  it('loadSchemaFile keeps the schema in Python form and the tests in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'maskbench-'));
    const p = join(dir, 'b.json');
    writeFileSync(p, '{"description":"x","schema":{"type":"object","properties":{"10":{},"a":{"maximum":1.0}}},"tests":[{"data":{"a":1e-05},"valid":true},{"valid":false,"data":[]}]}');
    writeFileSync(join(dir, 'a.json'), '{"schema":{},"tests":[]}');
    writeFileSync(join(dir, 'notes.txt'), 'not a schema');
    const f = loadSchemaFile(p);
    expect(f.id).toBe('b.json');
    expect(f.schemaText).toBe('{"type": "object", "properties": {"10": {}, "a": {"maximum": 1.0}}}');
    expect(f.tests.map((t) => [pyJsonDumps(t.data), t.valid])).toEqual([['{"a": 1e-05}', true], ['[]', false]]);
    expect(listSchemaFiles([dir]).map((x) => x.slice(dir.length + 1))).toEqual(['a.json', 'b.json']);
    writeFileSync(join(dir, 'c.json'), '{"tests":[]}');
    expect(() => loadSchemaFile(join(dir, 'c.json'))).toThrow(/not a MaskBench file/);
    expect(() => listSchemaFiles([join(dir, 'missing')])).toThrow(/does not exist/);
  });
});
