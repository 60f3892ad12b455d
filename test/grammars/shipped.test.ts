/**
 * The GBNF grammars shipped in `grammars/`: each parses, and its examples in
 * `test/grammars/<name>/{valid,invalid}-*.txt` are accepted / rejected by
 * nearley's Earley parser over the IR and by the project's GrammarOracle,
 * and both agree on which prefixes are viable. Independent oracles: chess.js
 * (random legal games in SAN) and JSON.parse.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Chess } from 'chess.js';
import { describe, expect, it } from 'vitest';
import { parseGbnf } from '../../src/frontends/ebnf/gbnf.js';
import type { Grammar } from '../../src/ir/expr.js';
import { GrammarOracle } from '../../src/testing/oracle.js';
import { NearleyOracle } from '../frontends/ebnf/nearley-oracle.js';
import { repoRoot } from '../shared.js';
import { rng as prng } from '../random.js';

const SHIPPED = ['json', 'chess-san', 'chess-move', 'arithmetic', 'csv', 'xml'];

function load(name: string): Grammar {
  const file = join(repoRoot, 'grammars', `${name}.gbnf`);
  return parseGbnf(readFileSync(file, 'utf8'), { source: file });
}

function examples(name: string): { file: string; text: string; valid: boolean }[] {
  const dir = join(repoRoot, 'test', 'grammars', name);
  return readdirSync(dir)
    .filter((f) => /^(valid|invalid)-.*\.txt$/.test(f))
    .sort()
    .map((f) => ({ file: f, text: readFileSync(join(dir, f), 'utf8'), valid: f.startsWith('valid-') }));
}


describe('shipped GBNF grammars', () => {
  for (const name of SHIPPED) {
    describe(name, () => {
      const g = load(name);
      const nearley = new NearleyOracle(g);
      const cases = examples(name);
      it('has valid and invalid examples', () => {
        expect(cases.some((c) => c.valid)).toBe(true);
        expect(cases.some((c) => !c.valid)).toBe(true);
      });
      it('nearley over the IR agrees with the examples', () => {
        for (const c of cases) expect([c.file, nearley.accepts(c.text)]).toEqual([c.file, c.valid]);
      });
      it('is unambiguous on its valid examples (one nearley parse each)', () => {
        for (const c of cases.filter((x) => x.valid)) expect([c.file, nearley.parseCount(c.text)]).toEqual([c.file, 1]);
      });
      it('GrammarOracle agrees with the examples', () => {
        const oracle = new GrammarOracle(g);
        for (const c of cases) expect([c.file, oracle.accepts(c.text)]).toEqual([c.file, c.valid]);
      });
      it('nearley and GrammarOracle agree on every prefix of every example', () => {
        const oracle = new GrammarOracle(g);
        for (const c of cases) {
          const cps = Array.from(c.text);
          for (let i = 0; i <= cps.length; i++) {
            const p = cps.slice(0, i).join('');
            const viable = oracle.isViablePrefix(p);
            expect([c.file, p, nearley.isViablePrefix(p)]).toEqual([c.file, p, viable]);
            if (c.valid) expect(viable).toBe(true);
          }
        }
      });
    });
  }

  it('xml.gbnf does not match tag names (documented: not context-free)', () => {
    expect(new NearleyOracle(load('xml')).accepts('<a></b>')).toBe(true);
  });

  it('chess grammars accept random legal games and every legal move (chess.js)', () => {
    const game = new NearleyOracle(load('chess-san'));
    const single = new NearleyOracle(load('chess-move'));
    const rnd = prng(7);
    for (let n = 0; n < 4; n++) {
      const chess = new Chess();
      const parts: string[] = [];
      for (let ply = 0; ply < 40 && !chess.isGameOver(); ply++) {
        const moves = chess.moves();
        for (const m of moves) expect([m, single.accepts(m)]).toEqual([m, true]);
        const m = moves[Math.floor(rnd() * moves.length)]!;
        if (ply % 2 === 0) parts.push(`${ply / 2 + 1}.`);
        parts.push(chess.move(m).san);
      }
      const result = chess.isCheckmate() ? (chess.turn() === 'w' ? '0-1' : '1-0') : chess.isDraw() ? '1/2-1/2' : '*';
      const text = `${parts.join(' ')} ${result}`;
      expect([text, game.accepts(text)]).toEqual([text, true]);
      expect(game.accepts(parts.join(' '))).toBe(true);
    }
  });

  it('json.gbnf agrees with JSON.parse on mutated documents', () => {
    const json = new NearleyOracle(load('json'));
    const seeds = ['{"a": [1, 2.5e-3, "x\\u0041"], "b": null}', '[true,false,{"k":"v"}]', '-12.5E+2', '"\\/\\b"'];
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', '0', '1', '-', '.', 'e', ' ', 'a', 'u', '\n'];
    const rnd = prng(11);
    let agreed = 0;
    for (const s of seeds) {
      for (let k = 0; k < 40; k++) {
        const chars = Array.from(s);
        const pos = Math.floor(rnd() * (chars.length + 1));
        const op = rnd();
        if (op < 0.4) chars.splice(pos, 1);
        else if (op < 0.8) chars.splice(pos, 0, alphabet[Math.floor(rnd() * alphabet.length)]!);
        else chars[Math.min(pos, chars.length - 1)] = alphabet[Math.floor(rnd() * alphabet.length)]!;
        const text = chars.join('');
        let ok = true;
        try {
          JSON.parse(text);
        } catch {
          ok = false;
        }
        expect([text, json.accepts(text)]).toEqual([text, ok]);
        agreed++;
      }
    }
    expect(agreed).toBe(160);
  });
});
