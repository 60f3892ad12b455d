/**
 * GBNF front-end: syntax (escapes, classes, repetition, multi-line rules),
 * printed IR goldens, typed errors with line:column, every shared GBNF file,
 * and a nearley cross-check of the IR on a dozen grammars.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GrammarSyntaxError, UnsupportedFeatureError } from '../../../src/errors.js';
import { parseGbnf } from '../../../src/frontends/ebnf/gbnf.js';
import { printGrammar, type Grammar } from '../../../src/ir/expr.js';
import { GrammarOracle } from '../../../src/testing/oracle.js';
import { describeShared, hasShared, repoRoot, sharedPath } from '../../shared.js';
import { NearleyOracle } from './nearley-oracle.js';

const print = (text: string): string => printGrammar(parseGbnf(text));

/** Runs `fn`, expecting a GrammarSyntaxError; returns "message" for pinning. */
function syntaxError(text: string): string {
  try {
    parseGbnf(text, { source: 'g.gbnf' });
  } catch (e) {
    expect(e).toBeInstanceOf(GrammarSyntaxError);
    return (e as Error).message;
  }
  throw new Error('expected a GrammarSyntaxError');
}

describe('parseGbnf syntax', () => {
  it('prints literals, classes, groups and repetition', () => {
    expect(print('root ::= "a" [b-d] ("e" | f)* g+ "h"? [^x]{2} .{1,} i{0,3}\nf ::= "F"\ng ::= "G"\ni ::= "I"\n')).toBe(
      'root ::= "a" [b-d] ("e" | f)* g+ "h"? [\\x00-wy-\\u{10ffff}]{2} [\\x00-\\u{10ffff}]+ i{0,3}\n' +
        'f ::= "F"\ng ::= "G"\ni ::= "I"\n',
    );
  });
  it('decodes llama.cpp escapes', () => {
    const g = parseGbnf('root ::= "\\n\\r\\t\\\\\\"\\[\\]\\x41\\u00e9\\U0001F600" [\\]\\[\\x30-\\x39]');
    expect(printGrammar(g)).toBe('root ::= "\\n\\r\\t\\\\\\"[]Aé😀" [0-9\\x5b\\x5d]\n');
  });
  it('treats "-" before "]" as a literal and a non-ASCII range by code point', () => {
    expect(print('root ::= [a-] [ぁ-ゟ] [😀-😂]')).toBe('root ::= [\\x2da] [\\u{3041}-\\u{309f}] [\\u{1f600}-\\u{1f602}]\n');
  });
  it('allows empty alternatives, comments and rules spanning lines', () => {
    const text = '# c\nroot ::= # c2\n  a |\n  "x" # c3\n  "y"\na ::= | "b" (\n "c"\n | "d")\n';
    expect(printGrammar(parseGbnf(text))).toBe('root ::= a | "x" "y"\na ::= "" | "b" ("c" | "d")\n');
  });
  it('stacks postfix operators like llama.cpp and keeps rule order', () => {
    expect(print('z ::= "q"\nroot ::= z*? ("a"{2}){3,}')).toBe('root ::= (z*)? ("a"{2}){3,}\nz ::= "q"\n');
  });
  it('accepts names with "-", "_" and digits, and a custom start rule', () => {
    const g = parseGbnf('top_1 ::= my-rule\nmy-rule ::= "x"', { start: 'top_1' });
    expect(g.start).toBe('top_1');
    expect([...g.rules.keys()]).toEqual(['top_1', 'my-rule']);
  });
  it('handles CRLF line ends', () => {
    expect(print('root ::= a\r\na ::= "x"\r\n')).toBe('root ::= a\na ::= "x"\n');
  });
});

describe('parseGbnf errors', () => {
  it('points at undefined references', () => {
    expect(syntaxError('root ::= "a"\n  foo\n')).toBe("undefined rule 'foo' (at g.gbnf:2:3)");
  });
  it('rejects duplicate rules at the second definition', () => {
    expect(syntaxError('root ::= "a"\nroot ::= "b"')).toBe("rule 'root' is defined twice (first at g.gbnf:1:1) (at g.gbnf:2:1)");
  });
  it('reports a missing start rule', () => {
    expect(syntaxError('main ::= "a"')).toBe("grammar has no start rule 'root' (at g.gbnf:1:1)");
    expect(syntaxError('')).toBe("grammar has no start rule 'root' (at g.gbnf:1:1)");
  });
  it('reports bad escapes at the backslash', () => {
    expect(syntaxError('root ::= "ab\\q"')).toBe('unknown escape \\q (at g.gbnf:1:13)');
    expect(syntaxError('root ::= [\\x4]')).toBe('expected 2 hex digits after \\x (at g.gbnf:1:11)');
    expect(syntaxError('root ::= "\\U00110000"')).toBe('code point \\U00110000 is beyond U+10FFFF (at g.gbnf:1:11)');
    expect(syntaxError('root ::= "\\uD83D\\uDE00"')).toBe('surrogate code point U+D83D in a literal can never match (at g.gbnf:1:11)');
    expect(() => parseGbnf('root ::= [\\uD800-\\uDFFF]')).not.toThrow();
  });
  it('reports unterminated literals and classes', () => {
    expect(syntaxError('root ::= "abc\n')).toBe('unterminated string literal (at g.gbnf:1:10)');
    expect(syntaxError('root ::= [abc')).toBe('unterminated character class (at g.gbnf:1:10)');
  });
  it('reports bad classes and bounds', () => {
    expect(syntaxError('root ::= []')).toBe('empty character class (at g.gbnf:1:10)');
    expect(syntaxError('root ::= [z-a]')).toBe('inverted range in character class (at g.gbnf:1:11)');
    expect(syntaxError('root ::= "a"{3,2}')).toBe('repetition {3,2} has min > max (at g.gbnf:1:13)');
    expect(syntaxError('root ::= "a"{x}')).toBe('malformed repetition {x}: expected {m}, {m,} or {m,n} (at g.gbnf:1:13)');
  });
  it('reports unexpected tokens with what was expected', () => {
    const m = syntaxError('root ::= ("a" | "b"))');
    expect(m).toMatch(/^unexpected "\)"; expected .*string literal.* \(at g\.gbnf:1:21\)$/);
    expect(syntaxError('root ::= "a" @')).toBe('unexpected character "@" (at g.gbnf:1:14)');
    expect(syntaxError('root ::= ("a"\n')).toMatch(/^unexpected end of grammar; expected .*"\)".* \(at g\.gbnf:2:1\)$/);
    expect(syntaxError('root ::= *')).toMatch(/^unexpected "\*"/);
    expect(syntaxError('"a" ::= "b"')).toMatch(/^unexpected string literal/);
  });
  it('rejects token references as unsupported', () => {
    expect(() => parseGbnf('root ::= <think> "x"', { source: 'g.gbnf' })).toThrow(UnsupportedFeatureError);
    expect(() => parseGbnf('root ::= !<[100]>')).toThrow(/GBNF token reference at 1:10/);
  });
});

/** Grammars (inline or shared) with strings nearley must accept / reject as written. */
interface XCase {
  name: string;
  text: () => string;
  accept: string[];
  reject: string[];
  shared?: string;
}

const shared = (rel: string) => () => readFileSync(sharedPath(rel), 'utf8');
const local = (rel: string) => () => readFileSync(join(repoRoot, rel), 'utf8');

const CROSS: XCase[] = [
  {
    name: 'llama.cpp json.gbnf',
    shared: 'data/grammars/llama.cpp-grammars/json.gbnf',
    text: shared('data/grammars/llama.cpp-grammars/json.gbnf'),
    accept: ['{}', '{"a": [1, 2.5, "x\\u00e9"], "b": {"c": null}}', '{"k":-0.5e7 }', '{ "s": "\\n" }'],
    reject: ['[]', '{"a": 01}', '{"a" 1}', '{"a": "\x01"}', '{"a": tru}'],
  },
  {
    name: 'llama.cpp json_arr.gbnf',
    shared: 'data/grammars/llama.cpp-grammars/json_arr.gbnf',
    text: shared('data/grammars/llama.cpp-grammars/json_arr.gbnf'),
    accept: ['[\n]', '[\n1,\n"a"]', '[\n{"x": [true]}]'],
    reject: ['[]', '[1]', '[\n1,]'],
  },
  {
    name: 'llama.cpp arithmetic.gbnf',
    shared: 'data/grammars/llama.cpp-grammars/arithmetic.gbnf',
    text: shared('data/grammars/llama.cpp-grammars/arithmetic.gbnf'),
    accept: ['1+2= 3\n', 'x*(y1 -2 )= z\n(a)= b\n'],
    reject: ['1+2=3', '=1\n', 'X=1\n'],
  },
  {
    name: 'llama.cpp chess.gbnf',
    shared: 'data/grammars/llama.cpp-grammars/chess.gbnf',
    text: shared('data/grammars/llama.cpp-grammars/chess.gbnf'),
    accept: ['1. e4 e5\n2. Nf3 Nc6\n', '1. d4 d5\n2. c4 dxc4\n3. O-O-O+ exd8=Q#\n'],
    reject: ['1. e4 e5\n', '1. e4\n2. d4 d5\n', '1. e9 e5\n2. a3 a6\n'],
  },
  {
    name: 'llama.cpp english.gbnf',
    shared: 'data/grammars/llama.cpp-grammars/english.gbnf',
    text: shared('data/grammars/llama.cpp-grammars/english.gbnf'),
    accept: ['Hello, world!', 'a\tb\nc [x] \\ ^_`{|}~'],
    reject: ['', 'two  spaces', 'caf\u00e9'],
  },
  {
    name: 'llama.cpp japanese.gbnf',
    shared: 'data/grammars/llama.cpp-grammars/japanese.gbnf',
    text: shared('data/grammars/llama.cpp-grammars/japanese.gbnf'),
    accept: ['こんにちは', 'カタカナ 漢字、'],
    reject: ['abc', 'こん  にちは'],
  },
  {
    name: 'llama.cpp list.gbnf',
    shared: 'data/grammars/llama.cpp-grammars/list.gbnf',
    text: shared('data/grammars/llama.cpp-grammars/list.gbnf'),
    accept: ['- a\n', '- milk\n- eggs 😀\n'],
    reject: ['- \n', '- a\u2028b\n', 'a\n', '- a'],
  },
  {
    name: 'llama.cpp c.gbnf',
    shared: 'data/grammars/llama.cpp-grammars/c.gbnf',
    text: shared('data/grammars/llama.cpp-grammars/c.gbnf'),
    accept: ['', 'int main(){return 0;}', 'float f(int x){y = x+1;while(y<3){y = y*2;}}'],
    reject: ['int main(){return 0}', 'main(){}'],
  },
  {
    name: 'xml_simple.gbnf',
    shared: 'data/grammars/xml-gbnf/xml_simple.gbnf',
    text: shared('data/grammars/xml-gbnf/xml_simple.gbnf'),
    accept: ['', '<a/>', '<a x="1">t&amp;&#65;<b/></a>'],
    reject: ['<a>', '<a x=1/>', 'text'],
  },
  {
    name: 'ambient-labs yes-no.gbnf',
    shared: 'data/grammars/ambient-labs-gbnf/yes-no.gbnf',
    text: shared('data/grammars/ambient-labs-gbnf/yes-no.gbnf'),
    accept: ['yes', 'no'],
    reject: ['', 'yesno', 'Yes'],
  },
  {
    name: 'llguidance vllm-sql.gbnf',
    shared: 'data/grammars/llguidance/sample-grammars/from-llama.cpp/vllm-sql.gbnf',
    text: shared('data/grammars/llguidance/sample-grammars/from-llama.cpp/vllm-sql.gbnf'),
    accept: ['SELECTcol_1fromtable_2wherecol_2=1'],
    reject: ['SELECT col_1 from table_2 where col_2=1'],
  },
  {
    name: 'shipped arithmetic.gbnf',
    text: local('grammars/arithmetic.gbnf'),
    accept: ['1', '-(2 ^ 3) * 4'],
    reject: ['1 2', '()'],
  },
  {
    name: 'shipped csv.gbnf',
    text: local('grammars/csv.gbnf'),
    accept: ['a,b\r\n"c""d",e'],
    reject: ['a"b'],
  },
  {
    name: 'inline bounded repetition and negation',
    text: () => 'root ::= [^abc]{2,3} ("x" | "y"){0,2} .\n',
    accept: ['dd.', 'ddd', 'ddxyz', 'ddd\u{1F600}'],
    reject: ['ad.', 'd.', 'ddxyxyz', 'dddd.xx'],
  },
];

function checkCross(c: XCase): void {
  const g: Grammar = parseGbnf(c.text(), { source: c.name });
  const nearley = new NearleyOracle(g);
  const oracle = new GrammarOracle(g);
  for (const s of c.accept) {
    expect([s, nearley.accepts(s)]).toEqual([s, true]);
    expect([s, oracle.accepts(s)]).toEqual([s, true]);
  }
  for (const s of c.reject) {
    expect([s, nearley.accepts(s)]).toEqual([s, false]);
    expect([s, oracle.accepts(s)]).toEqual([s, false]);
  }
}

describe('GBNF IR cross-checked with nearley and GrammarOracle', () => {
  for (const c of CROSS.filter((x) => !x.shared)) it(c.name, () => checkCross(c));
});

describeShared('data/grammars/llama.cpp-grammars', 'GBNF IR on shared grammars, cross-checked', () => {
  for (const c of CROSS.filter((x) => x.shared)) it(c.name, () => checkCross(c));
});

describeShared('data/grammars/llama.cpp-grammars', 'every shared GBNF file parses', () => {
  const dirs = ['llama.cpp-grammars', 'ambient-labs-gbnf', 'xml-gbnf', 'llguidance/sample-grammars/from-llama.cpp'];
  for (const d of dirs) {
    const dir = sharedPath(join('data/grammars', d));
    // describe.skip still collects: list the folder only when it is there.
    const files = hasShared(join('data/grammars', d)) ? readdirSync(dir).filter((x) => x.endsWith('.gbnf')) : ['(missing)'];
    for (const f of files) {
      it(`${d}/${f}`, () => {
        const g = parseGbnf(readFileSync(join(dir, f), 'utf8'), { source: f });
        expect(g.rules.has('root')).toBe(true);
      });
    }
  }
});
