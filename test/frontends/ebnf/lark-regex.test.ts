/**
 * The Python-to-ECMAScript regex translation against Python's own `re`
 * (`re.fullmatch`), when a `python3` is on the PATH (skipped otherwise):
 * each Lark regex terminal must accept exactly the strings Python matches.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseLark } from '../../../src/frontends/ebnf/lark.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';

const PATTERNS: [string, string][] = [
  ['.', ''],
  ['.', 's'],
  ['a.c', 'i'],
  ['\\d+', ''],
  ['\\D', ''],
  ['\\w+', ''],
  ['\\W', ''],
  ['\\s+', ''],
  ['\\S', ''],
  ['[\\s\\d]', ''],
  ['[^\\s]', ''],
  ['[\\S]', ''],
  ['[\\w\\-]+', ''],
  ['a\\-b\\ c\\#', ''],
  ['[]x]', ''],
  ['[^]x]', ''],
  ['x{,2}y', ''],
  ['x{2}', ''],
  ['a{b', ''],
  ['a}', ''],
  ['(?P<g>ab|c)+', ''],
  ['a(?#note)b', ''],
  ['0x[\\da-f]+', 'i'],
  ['(\\d+\\.\\d*|\\.\\d+)(e[-+]?\\d+)?', 'i'],
  ['[a-zA-z.;\\\\\\/]+', ''],
  ['\\U0001F600|\\u00e9|\\x41', ''],
  ['[\\t \\f]+', ''],
  ['"[^"]*"', ''],
  ['sk', 'i'],
  ['ß|é', 'i'],
  ['[a-z]+', 'i'],
];

const SAMPLES = [
  '', 'a', 'A', 'abc', 'aBc', 'a\nc', '\r', '\n', ' ', '\t', '\x0b', '\x1c', '\x85', '\u00a0', '\u2028', '\u3000',
  '0', '42', '٣', '１', 'é', 'É', 'ß', 'ſ', 'K', '_', '-', 'a-b c#', ']', 'x]', ']]', 'y', 'xy', 'xxy', 'xxxy', 'xx',
  'a{b', 'a}', 'abab', 'abcab', 'ab', '0x1F', '0XaB', '1.5e3', '.5', '1E-2', 'a;b/c\\', '😀', 'é', 'A', '"x y"', '""',
  ' \t', '\f', '\x00', '\u00b2', 'Ⅷ', 'ſK', 'SK', 'sk', 'ẞ', 'Kelvin', 'ıi', 'İ',
];

const PY = `
import json, re, sys
data = json.load(sys.stdin)
out = []
for pat, flags in data["patterns"]:
    f = 0
    if "i" in flags: f |= re.I
    if "s" in flags: f |= re.S
    rx = re.compile(pat, f)
    out.append([rx.fullmatch(s) is not None for s in data["samples"]])
json.dump(out, sys.stdout)
`;

function python(): boolean[][] | undefined {
  const r = spawnSync('python3', ['-c', PY], { input: JSON.stringify({ patterns: PATTERNS, samples: SAMPLES }), encoding: 'utf8' });
  if (r.status !== 0 || !r.stdout) return undefined;
  return JSON.parse(r.stdout) as boolean[][];
}

const verdicts = python();
const describePy = verdicts ? describe : describe.skip;

describePy('Lark regex terminals match what Python re.fullmatch matches', () => {
  PATTERNS.forEach(([pat, flags], k) => {
    it(`/${pat}/${flags}`, () => {
      const g = parseLark(`start: X\nX: /${pat}/${flags}`);
      const oracle = new GrammarOracle(g);
      SAMPLES.forEach((s, j) => expect([s, oracle.accepts(s)]).toEqual([s, verdicts![k]![j]]));
    });
  });
});
