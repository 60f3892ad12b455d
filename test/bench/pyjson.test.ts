import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { PyJsonSyntaxError, parsePyJson, pyFloatRepr, pyJsonDumps } from '../../src/bench/pyjson.js';

/** Known outputs of Python 3 `json.dumps(json.loads(s), ensure_ascii=False)`. */
const NUMBER_CASES: [string, string][] = [
  ['1.0', '1.0'],
  ['1e-05', '1e-05'],
  ['1e+20', '1e+20'],
  ['1E5', '100000.0'],
  ['0.0001', '0.0001'],
  ['1e16', '1e+16'],
  ['1e15', '1000000000000000.0'],
  ['123456789012345678', '123456789012345678'],
  ['-0', '0'],
  ['-0.0', '-0.0'],
  ['0.1', '0.1'],
  ['1.5e300', '1.5e+300'],
  ['5e-324', '5e-324'],
  ['1e400', 'Infinity'],
  ['-1e400', '-Infinity'],
  ['2.5E-7', '2.5e-07'],
  ['100.0', '100.0'],
  ['1.7976931348623157e308', '1.7976931348623157e+308'],
  ['9007199254740993.0', '9007199254740992.0'],
  ['0.30000000000000004', '0.30000000000000004'],
  ['12345.678e10', '123456780000000.0'],
  ['NaN', 'NaN'],
];

describe('pyJsonDumps', () => {
  it.each(NUMBER_CASES)('number %s prints as Python does (%s)', (src, want) => {
    expect(pyJsonDumps(parsePyJson(src))).toBe(want);
  });

  it('keeps key order (integer-like keys too), duplicate keys keep first position, last value', () => {
    expect(pyJsonDumps(parsePyJson('{"b":1,"10":2,"a":[],"b":{}}'))).toBe('{"b": {}, "10": 2, "a": []}');
  });

  it('escapes strings like ensure_ascii=False', () => {
    const src = String.raw`"\u0001\u001f\u007f\u00e9\ud83d\ude00 \\ \/\"\b\f\n\r\t"`;
    expect(pyJsonDumps(parsePyJson(src))).toBe('"\\u0001\\u001f\u007fé😀 \\\\ /\\"\\b\\f\\n\\r\\t"');
  });

  it('uses ", " and ": " separators and no spaces in empty containers', () => {
    expect(pyJsonDumps(parsePyJson(' { "a" : [ 1 , true , null , false , { } , [ ] ] } '))).toBe(
      '{"a": [1, true, null, false, {}, []]}',
    );
  });

  it('rejects malformed JSON with an offset', () => {
    expect(() => parsePyJson('{"a": 01}')).toThrow(PyJsonSyntaxError);
    expect(() => parsePyJson('[1,]')).toThrow(/offset 3/);
    expect(() => parsePyJson('"abc')).toThrow(/unterminated/);
    expect(() => parsePyJson('1 2')).toThrow(/extra data/);
  });

  it('pyFloatRepr switches notation at 1e16 and 1e-4', () => {
    expect(pyFloatRepr(9999999999999998)).toBe('9999999999999998.0');
    expect(pyFloatRepr(1e16)).toBe('1e+16');
    expect(pyFloatRepr(0.0001)).toBe('0.0001');
    expect(pyFloatRepr(0.00009)).toBe('9e-05');
    expect(pyFloatRepr(-123.456)).toBe('-123.456');
  });
});

// Oracle: Python itself, when a python3 is on PATH (skipped otherwise).
const python = spawnSync('python3', ['-c', 'print(1)'], { encoding: 'utf8' });
describe.skipIf(python.status !== 0)('pyJsonDumps against python3 (random documents)', () => {
  it('matches json.dumps(json.loads(s), ensure_ascii=False) on 300 random documents', () => {
    let seed = 12345;
    const rnd = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const numbers = ['0', '-1', '17', '3.25', '1e21', '-2.5e-9', '1.0e0', '123456789012345678901', '0.1e1', '7E-5'];
    const chars = ['a', 'é', '"', '\\', '\n', '\u0003', '😀', ' ', '/', '\u2028'];
    const gen = (d: number): string => {
      const k = d > 3 ? Math.floor(rnd() * 4) : Math.floor(rnd() * 6);
      switch (k) {
        case 0: return pick(numbers);
        case 1: return JSON.stringify(Array.from({ length: Math.floor(rnd() * 5) }, () => pick(chars)).join(''));
        case 2: return pick(['true', 'false', 'null']);
        case 3: return pick(['1', '"x"']);
        case 4: return '[' + Array.from({ length: Math.floor(rnd() * 4) }, () => gen(d + 1)).join(',') + ']';
        default:
          return '{' + Array.from({ length: Math.floor(rnd() * 4) }, () => `${pick(['"a"', '"1"', '"b"', '"é"'])}:${gen(d + 1)}`).join(',') + '}';
      }
    };
    const docs = Array.from({ length: 300 }, () => gen(0));
    const py = spawnSync(
      'python3',
      ['-c', 'import json,sys\nfor l in json.load(sys.stdin): print(json.dumps(json.dumps(json.loads(l), ensure_ascii=False)))'],
      { input: JSON.stringify(docs), encoding: 'utf8' },
    );
    expect(py.status).toBe(0);
    const want = py.stdout.trim().split('\n').map((l) => JSON.parse(l) as string);
    expect(docs.map((d) => pyJsonDumps(parsePyJson(d)))).toEqual(want);
  });
});
