/**
 * Robustness: mutated grammars either parse or throw a typed ConstrainError
 * (never a TypeError or nearley's own Error), and parsing stays fast.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConstrainError } from '../../../src/errors.js';
import { parseGbnf } from '../../../src/frontends/ebnf/gbnf.js';
import { parseLark } from '../../../src/frontends/ebnf/lark.js';
import { repoRoot } from '../../shared.js';
import { rng as prng } from '../../random.js';


const LARK_SAMPLE = `
?start: value
?value: object | array | ESCAPED_STRING | SIGNED_NUMBER -> number | "true"i | /nul{2}/
array  : "[" [value ("," value)*] "]"
object : "{" [pair ("," pair)*] "}"
pair   : ESCAPED_STRING ":" value
ID.2: ("a".."z" | "_")~1..3 DIGIT{0,2}
%import common (ESCAPED_STRING, SIGNED_NUMBER, DIGIT)
%import common.WS
%ignore WS
`;

function mutate(text: string, rnd: () => number): string {
  const chars = Array.from(text);
  const pieces = ['"', '[', ']', '(', ')', '{', '}', '\\', '|', '*', '?', '+', '\n', ' ', ':', '::=', '/', '%', '.', '..', '~', '#', 'x', '1', ',', '^', '-', '\\u', '\\x'];
  const n = 1 + Math.floor(rnd() * 3);
  for (let k = 0; k < n; k++) {
    const pos = Math.floor(rnd() * (chars.length + 1));
    if (rnd() < 0.5) chars.splice(pos, 1 + Math.floor(rnd() * 3));
    else chars.splice(pos, 0, pieces[Math.floor(rnd() * pieces.length)]!);
  }
  return chars.join('');
}

function typedOrOk(parse: () => unknown): 'ok' | 'typed' {
  try {
    parse();
    return 'ok';
  } catch (e) {
    if (e instanceof ConstrainError) return 'typed';
    throw e;
  }
}

describe('mutated grammars give typed errors only', () => {
  it('GBNF', () => {
    const base = readFileSync(join(repoRoot, 'grammars', 'json.gbnf'), 'utf8') + readFileSync(join(repoRoot, 'grammars', 'chess-move.gbnf'), 'utf8').replace('root ', 'root2 ');
    const rnd = prng(1);
    const seen = { ok: 0, typed: 0 };
    for (let i = 0; i < 300; i++) {
      const text = mutate(base, rnd);
      seen[typedOrOk(() => parseGbnf(text, { source: 'fuzz.gbnf' }))]++;
    }
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.typed).toBeGreaterThan(100);
  });
  it('Lark', () => {
    const rnd = prng(2);
    const seen = { ok: 0, typed: 0 };
    for (let i = 0; i < 300; i++) {
      const text = mutate(LARK_SAMPLE, rnd);
      seen[typedOrOk(() => parseLark(text, { source: 'fuzz.lark' }))]++;
    }
    expect(seen.ok).toBeGreaterThan(10);
    expect(seen.typed).toBeGreaterThan(100);
  });
});
