/**
 * Lark-like front-end: printed IR goldens, %ignore semantics against a
 * brute-force reference, common terminals against JS regexes, the Python
 * regex translation, typed errors, and cross-checks of shared grammars with
 * nearley and GrammarOracle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GrammarSyntaxError, UnsupportedFeatureError } from '../../../src/errors.js';
import { parseLark } from '../../../src/frontends/ebnf/lark.js';
import { LARK_COMMON } from '../../../src/frontends/ebnf/lark-common.js';
import { printGrammar, type Grammar } from '../../../src/ir/expr.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';
import { describeShared, sharedPath } from '../../shared.js';
import { NearleyOracle } from './nearley-oracle.js';

const print = (text: string): string => printGrammar(parseLark(text));

function thrown(text: string): Error {
  try {
    parseLark(text, { source: 'g.lark' });
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
function syntaxError(text: string): string {
  const e = thrown(text);
  expect(e).toBeInstanceOf(GrammarSyntaxError);
  return e.message;
}
function unsupported(text: string): string {
  const e = thrown(text);
  expect(e).toBeInstanceOf(UnsupportedFeatureError);
  return e.message;
}

/** All strings over `alphabet` of length <= n. */
function* strings(alphabet: string[], n: number): Generator<string> {
  yield '';
  let layer = [''];
  for (let len = 1; len <= n; len++) {
    const next: string[] = [];
    for (const s of layer) for (const c of alphabet) next.push(s + c);
    yield* next;
    layer = next;
  }
}

describe('parseLark syntax', () => {
  it('prints rules, terminals and operators', () => {
    const g = `
      ?start: item+ -> items
      !item: NAME ["=" value] | "(" start ")"
      _value.2: INT~2 | INT ~ 1..3 | HEX{2} | HEX{1,} | HEX{0,4} | "a".."f"
      value: _value
      NAME: /[a-z]+/ | "x"i
      HEX.5: ("0".."9" | "a".."f")
      %import common.INT
    `;
    expect(print(g)).toBe(
      'start ::= item+\n' +
        'item ::= NAME ("=" value)? | "(" start ")"\n' +
        '_value ::= INT{2} | INT{1,3} | HEX{2} | HEX+ | HEX{0,4} | [a-f]\n' +
        'value ::= _value\n' +
        'NAME ::= [a-z]+ | [Xx]\n' +
        'HEX ::= [0-9] | [a-f]\n' +
        'INT ::= [0-9]+\n',
    );
  });
  it('continues definitions over lines, with or without a leading "|"', () => {
    expect(print('start: "a"\n  | "b"\n  "c"\nx: "d" // c\n# c\n')).toBe('start ::= "a" | "b" "c"\nx ::= "d"\n');
  });
  it('decodes string escapes as Lark does', () => {
    const g = parseLark('start: "\\n\\t\\x41\\u00e9\\U0001F600\\\\\\"\\d"');
    expect(g.rules.get('start')).toEqual({ kind: 'literal', text: '\n\tAé😀\\"\\d' });
  });
  it('imports common terminals, with aliases and lists', () => {
    const g = parseLark('start: N _W X\n%import common.NUMBER -> N\n%import common.WS -> _W\n%import common (CNAME, INT)\nX: CNAME');
    expect([...g.rules.keys()]).toEqual(['start', 'N', '_W', 'CNAME', 'INT', 'X']);
  });
  it('uses a custom start rule', () => {
    expect(parseLark('a: "x"\nb: a a', { start: 'b' }).start).toBe('b');
  });
});

describe('%ignore semantics', () => {
  it('adds I* after every terminal occurrence and at the start', () => {
    expect(print('start: A "b" /c/\nA: "a"\n%ignore " "\n%ignore /\\t/')).toBe(
      '__start ::= __IGNORE start\nstart ::= A __IGNORE "b" __IGNORE "c" __IGNORE\nA ::= "a"\n__IGNORE ::= (" " | "\\t")*\n',
    );
  });
  it('writes (x+ | y)* as (x | y)*', () => {
    expect(print('start: "a"\n%ignore WS\n%ignore /#+/\n%ignore "x"+ "y"\n%import common.WS')).toBe(
      '__start ::= __IGNORE start\nstart ::= "a" __IGNORE\nWS ::= [\\x09-\\x0a\\x0c-\\x0d\\x20]+\n__IGNORE ::= ([\\x09-\\x0a\\x0c-\\x0d\\x20] | "#" | "x"+ "y")*\n',
    );
  });
  it('matches i0 t1 i1 ... tn in exactly (brute force over a small alphabet)', () => {
    const cases: [string, RegExp][] = [
      ['start: AB+\nAB: "ab"\n%ignore " "', /^ *(ab *)+$/],
      ['start: "(" start ")" | X\nX: "x" "y"?\n%ignore " "', /^ *(\( *)*xy?( *\))* *$/],
      ['start: [A] B\nA: "a"+\nB: "b"\n%ignore WS\n%import common.WS', /^[ ]*(a+[ ]*)?b[ ]*$/],
    ];
    for (const [text, re] of cases) {
      const g = parseLark(text);
      const oracle = new GrammarOracle(g);
      for (const s of strings(['a', 'b', ' ', '(', ')', 'x', 'y'].slice(0, text.includes('(') ? 7 : 3), text.includes('(') ? 4 : 6)) {
        let expected = re.test(s);
        if (text.includes('(')) {
          const t = s.replace(/ /g, '');
          const m = /^(\(*)xy?(\)*)$/.exec(t);
          expected = !!m && m[1]!.length === m[2]!.length && !/x +y/.test(s);
        }
        expect([text, s, oracle.accepts(s)]).toEqual([text, s, expected]);
      }
    }
  });
});

describe('common terminals', () => {
  const check = (name: string, re: RegExp, alphabet: string[], n: number) => {
    const oracle = GrammarOracle.fromExpr(LARK_COMMON.get(name)!);
    for (const s of strings(alphabet, n)) expect([name, s, oracle.accepts(s)]).toEqual([name, s, re.test(s)]);
  };
  it('NUMBER and friends match common.lark', () => {
    check('NUMBER', /^(\d+[eE][+-]?\d+|(\d+\.\d*|\.\d+)([eE][+-]?\d+)?|\d+)$/, ['1', '.', 'e', '-'], 5);
    check('SIGNED_NUMBER', /^[+-]?(\d+[eE][+-]?\d+|(\d+\.\d*|\.\d+)([eE][+-]?\d+)?|\d+)$/, ['1', '.', 'E', '+'], 5);
    check('CNAME', /^[_a-zA-Z][_a-zA-Z0-9]*$/, ['_', 'a', 'Z', '9'], 4);
    check('NEWLINE', /^(\r?\n)+$/, ['\r', '\n', ' '], 5);
  });
  it('ESCAPED_STRING and C_COMMENT are the lexemes Lark matches', () => {
    check('ESCAPED_STRING', /^"(?:[^"\\\n]|\\[^\n])*"$/, ['"', '\\', 'a', '\n'], 5);
    check('C_COMMENT', /^\/\*(?:(?!\*\/)[\s\S])*\*\/$/, ['/', '*', 'a', '\n'], 6);
  });
});

describe('Python regex translation', () => {
  const accepts = (terminal: string, s: string): boolean => new GrammarOracle(parseLark(`start: X\nX: ${terminal}`)).accepts(s);
  it('keeps Python meanings of . \\d \\w \\s', () => {
    expect(accepts('/./', '\r')).toBe(true);
    expect(accepts('/./', '\n')).toBe(false);
    expect(accepts('/./s', '\n')).toBe(true);
    expect(accepts('/\\d/', '٣')).toBe(true);
    expect(accepts('/\\w+/', 'é_9')).toBe(true);
    expect(accepts('/\\s/', '\x1c')).toBe(true);
    expect(accepts('/[^\\s]/', '\x1c')).toBe(false);
    expect(accepts('/[\\S]/', 'a')).toBe(true);
    expect(accepts('/\\W/', 'é')).toBe(false);
  });
  it('accepts Python literal escapes, ] first in a class, {,n} and (?P<n>)', () => {
    expect(accepts('/a\\-b\\#\\ /', 'a-b# ')).toBe(true);
    expect(accepts('/[]a]+/', ']a]')).toBe(true);
    expect(accepts('/x{,2}/', 'xx')).toBe(true);
    expect(accepts('/(?P<n>ab)+/', 'abab')).toBe(true);
    expect(accepts('/a(?#comment)b/', 'ab')).toBe(true);
    expect(accepts('/"\\"\\//', '""/')).toBe(true);
    expect(accepts('/SELECT/i', 'select')).toBe(true);
    expect(accepts('"select"i', 'SeLeCT')).toBe(true);
    expect(accepts('/ab/m', 'ab')).toBe(true);
  });
  it('rejects what has no exact meaning here', () => {
    expect(unsupported('start: /a(?=b)/')).toMatch(/unsupported lookahead/);
    expect(unsupported('start: /\\Aa/')).toMatch(/^unsupported Python regex anchor \\A at g\.lark:1:9/);
    expect(unsupported('start: /(?i)a/')).toMatch(/^unsupported Python inline regex flags at g\.lark:1:9/);
    expect(unsupported('start: /a b/x')).toMatch(/^unsupported Lark regex flag x at g\.lark:1:13/);
    expect(unsupported('start: /^a/m')).toMatch(/^unsupported Lark regex flag m with \^ or \$/);
    expect(unsupported('start: /[\\W]/')).toMatch(/\\W inside a character class/);
    expect(syntaxError('start: /a/q')).toBe("unknown regex flag 'q' (at g.lark:1:11)");
    expect(syntaxError('start: /a\n b/')).toBe('newline inside a regex (Lark allows it only with the x flag) (at g.lark:1:10)');
    expect(unsupported('start: /a\n b/x')).toMatch(/^unsupported Lark regex flag x at g\.lark:2:4/);
    expect(syntaxError('start: /a(/')).toMatch(/^invalid regex \/a\(\/: .* \(at g\.lark:1:8\)$/);
  });
});

describe('parseLark errors', () => {
  it('reports names: undefined, duplicate, misplaced, recursive', () => {
    expect(syntaxError('start: a\n')).toBe("undefined rule 'a' (at g.lark:1:8)");
    expect(syntaxError('start: A\n')).toBe("undefined terminal 'A' (at g.lark:1:8)");
    expect(syntaxError('start: "a"\nstart: "b"')).toBe("'start' is defined twice (first at g.lark:1:1) (at g.lark:2:1)");
    expect(syntaxError('start: A\nA: b\nb: "x"')).toBe("rule 'b' used inside terminal 'A' (at g.lark:2:4)");
    expect(syntaxError('start: A\nA: "x" B\nB: A')).toBe("terminal 'A' is recursive (terminals must be regular) (at g.lark:3:4)");
    expect(syntaxError('a: "x"')).toBe("grammar has no start rule 'start' (at g.lark:1:1)");
    expect(syntaxError('start: "x"\nFoo: "y"')).toMatch(/^'Foo' is neither a rule name/);
    expect(syntaxError('start: "a".."bc"')).toBe('a range needs one-character strings ("a".."z") (at g.lark:1:8)');
    expect(syntaxError('start: "x"~3..2')).toBe('repetition has min 3 > max 2 (at g.lark:1:11)');
    expect(syntaxError('start: "\\ud83d\\ude00"')).toBe('surrogate code point \\ud83d in a literal can never match (at g.lark:1:9)');
    expect(syntaxError('start: "x"\n%import common')).toBe('expected %import module.NAME or %import module (NAMES) (at g.lark:2:1)');
    expect(syntaxError('%import common.WS -> ws\nstart: "x"')).toBe("imported terminal needs an uppercase name, not 'ws' (at g.lark:1:22)");
  });
  it('reports syntax errors with line:column', () => {
    expect(syntaxError('start: "a" |\n  )')).toMatch(/^unexpected "\)"; expected .* \(at g\.lark:2:3\)$/);
    expect(syntaxError('start: "abc\n')).toBe('unterminated string literal (at g.lark:1:8)');
    expect(syntaxError('start: "a" ; "b"')).toBe('unexpected character ";" (at g.lark:1:12)');
    expect(syntaxError('start: ("a"')).toMatch(/^unexpected end of grammar; expected .*"\)"/);
  });
  it('rejects unsupported Lark features with typed errors', () => {
    expect(unsupported('start: "a"\n%declare FOO')).toBe('unsupported Lark directive %declare at g.lark:2:1');
    expect(unsupported('start: "a"\n%override start: "b"')).toBe('unsupported Lark directive %override at g.lark:2:1');
    expect(unsupported('_sep{x, sep}: x (sep x)*\nstart: "a"')).toMatch(/^unsupported Lark template at g\.lark:1:1/);
    expect(unsupported('start: _sep{"a", ","}')).toMatch(/^unsupported Lark template at g\.lark:1:8/);
    expect(unsupported('start: "a"\n%import .other.X')).toMatch(/^unsupported relative %import at g\.lark:2:9/);
    expect(unsupported('start: X\n%import python.X')).toMatch(/^unsupported %import at g\.lark:2:9: module 'python'/);
    expect(unsupported('start: X\n%import common.X')).toMatch(/^unsupported %import common\.X at g\.lark:2:16/);
    expect(unsupported('start: <|end|>')).toMatch(/^unsupported special token at g\.lark:1:8/);
  });
});

interface XCase {
  file: string;
  accept: string[];
  reject: string[];
  /** The accepted strings have exactly one parse (the %ignore construction adds no ambiguity). */
  unambiguous?: boolean;
}

const CROSS: XCase[] = [
  {
    file: 'outlines-grammars/json.lark',
    accept: ['{"a": [1, -2.5e3, true, null], "b": {}}', ' [ "x\\"y" ] ', '"s"', '-0.5'],
    reject: ['{"a" 1}', '[1,]', "'x'"],
    unambiguous: true,
  },
  {
    file: 'outlines-grammars/arithmetic.lark',
    accept: ['1 + 2 * (3 - -4) / 5', '  7', '1.5e3*2'],
    reject: ['1 +', '(1', '1\n+2'],
  },
  {
    file: 'syncode-grammars/calc.lark',
    accept: ['1+2', ' ( 3 * 4 )\n/ 5 '],
    reject: ['1+', '-1'],
  },
  {
    file: 'syncode-grammars/json.lark',
    accept: ['{"a": [1, ""]}', '[ ]'],
    reject: ['"a"', '1'],
  },
  {
    file: 'syncode-grammars/tiny.lark',
    accept: ['dd', 'cdd', 'dcd', 'ccdcd'],
    reject: ['cd', 'c d d', 'd'],
  },
  {
    file: 'lark-grammars/examples/standalone/json.lark',
    accept: ['{"a": [1, "x"]}', '  true  '],
    reject: ['{a: 1}'],
  },
  {
    file: 'lark-grammars/examples/composition/json.lark',
    accept: ['{"a": [1, "x"]}', '[1, 2]', '{"k": "v"}'],
    reject: ['{"k":"v"}', '[1 ,2]'],
  },
];

describeShared('data/grammars/outlines-grammars', 'Lark IR on shared grammars, cross-checked', () => {
  for (const c of CROSS) {
    it(c.file, () => {
      const g: Grammar = parseLark(readFileSync(sharedPath(`data/grammars/${c.file}`), 'utf8'), { source: c.file });
      const oracles = [new GrammarOracle(g), new NearleyOracle(g)];
      for (const o of oracles) {
        for (const s of c.accept) expect([s, o.accepts(s)]).toEqual([s, true]);
        for (const s of c.reject) expect([s, o.accepts(s)]).toEqual([s, false]);
      }
      if (c.unambiguous) for (const s of c.accept) expect([s, new NearleyOracle(g).parseCount(s)]).toEqual([s, 1]);
    });
  }
});

/**
 * Every shared Lark file: parses, or fails with the typed error pinned here
 * (feature or message start). A change in this table is a change in coverage.
 */
const SURVEY: Record<string, string> = {
  'lark-grammars/examples/advanced/python2.lark': 'UnsupportedFeatureError: Lark directive %declare',
  'lark-grammars/examples/advanced/template_lark.lark': 'UnsupportedFeatureError: Lark template',
  'lark-grammars/examples/composition/csv.lark': 'ok',
  'lark-grammars/examples/composition/json.lark': 'ok',
  'lark-grammars/examples/composition/storage.lark': 'UnsupportedFeatureError: relative %import',
  'lark-grammars/examples/grammars/verilog.lark': 'UnsupportedFeatureError: lookahead',
  'lark-grammars/examples/relative-imports/multiple2.lark': 'ok',
  'lark-grammars/examples/relative-imports/multiple3.lark': 'ok',
  'lark-grammars/examples/relative-imports/multiples.lark': 'UnsupportedFeatureError: relative %import',
  'lark-grammars/examples/standalone/json.lark': 'ok',
  'lark-grammars/examples/tests/negative_priority.lark': 'ok',
  'lark-grammars/examples/tests/no_newline_at_end.lark': 'ok',
  'lark-grammars/lark/grammars/common.lark': 'UnsupportedFeatureError: lookbehind',
  'lark-grammars/lark/grammars/lark.lark': 'UnsupportedFeatureError: lookahead',
  'lark-grammars/lark/grammars/python.lark': 'UnsupportedFeatureError: Lark template',
  'lark-grammars/lark/grammars/unicode.lark': "GrammarSyntaxError: grammar has no start rule 'start'",
  'llguidance/sample-grammars/lark.lark': 'ok',
  'llguidance/sample-grammars/rfc.lark': 'ok',
  'outlines-grammars/arithmetic.lark': 'ok',
  'outlines-grammars/common.lark': "GrammarSyntaxError: grammar has no start rule 'start'",
  'outlines-grammars/json.lark': 'ok',
  'syncode-grammars/c.lark': 'ok',
  'syncode-grammars/calc.lark': 'ok',
  'syncode-grammars/go.lark': 'ok',
  'syncode-grammars/invariants.lark': 'ok',
  'syncode-grammars/java.lark': 'ok',
  'syncode-grammars/json.lark': 'ok',
  'syncode-grammars/prover9.lark': 'ok',
  'syncode-grammars/python.lark': 'UnsupportedFeatureError: Lark directive %declare',
  'syncode-grammars/sql.lark': 'ok',
  'syncode-grammars/tiny.lark': 'ok',
};

function outcome(file: string): string {
  try {
    parseLark(readFileSync(sharedPath(`data/grammars/${file}`), 'utf8'), { source: file });
    return 'ok';
  } catch (e) {
    if (e instanceof UnsupportedFeatureError) return `UnsupportedFeatureError: ${e.feature}`;
    if (e instanceof GrammarSyntaxError) return `GrammarSyntaxError: ${e.message.replace(/ \(at .*\)$/, '')}`;
    throw e;
  }
}

describeShared('data/grammars/lark-grammars', 'every shared Lark file parses or fails with a pinned typed error', () => {
  for (const [file, expected] of Object.entries(SURVEY)) it(file, () => expect(outcome(file)).toBe(expected));
});

describeShared('data/grammars/lark-grammars/lark/grammars/common.lark', "built-in common terminals vs Lark's common.lark", () => {
  it('define every terminal of common.lark, with the same language where it is regular without laziness', () => {
    const text = readFileSync(sharedPath('data/grammars/lark-grammars/lark/grammars/common.lark'), 'utf8');
    const names = [...text.matchAll(/^(_?[A-Z][_A-Z0-9]*)\s*:/gm)].map((m) => m[1]!);
    expect(names.length).toBeGreaterThan(20);
    for (const n of names) expect([n, LARK_COMMON.has(n)]).toEqual([n, true]);
    // Lazy or lookbehind definitions describe lexemes, not full-match languages: compared above against JS regexes.
    const skip = new Set(['_STRING_ESC_INNER', 'ESCAPED_STRING', 'C_COMMENT']);
    const kept = text
      .split('\n')
      .filter((l) => !/^(_?[A-Z][_A-Z0-9]*)\s*:/.test(l) || !skip.has(/^(_?[A-Z][_A-Z0-9]*)/.exec(l)![1]!))
      .join('\n');
    const theirs = parseLark(`start: DIGIT\n${kept}`);
    const alphabet = ['0', '7', 'a', 'F', '.', 'e', '-', '_', ' ', '\t', '\n', '\r', '#', '/'];
    const longer = ['1.5e-3', '12', '.5e7', '1e', '-1.', '+7', '_a1', 'ab_', 'Fa0e', '\r\n\n', '\n\r', '# x', '// x', '-- x', ' \t ', '0x'];
    const samples = [...strings(alphabet, 2), ...longer];
    for (const n of names.filter((x) => !skip.has(x))) {
      const a = GrammarOracle.fromExpr(LARK_COMMON.get(n)!);
      const b = new GrammarOracle({ rules: theirs.rules, start: n });
      for (const s of samples) expect([n, s, a.accepts(s)]).toEqual([n, s, b.accepts(s)]);
    }
  });
});
