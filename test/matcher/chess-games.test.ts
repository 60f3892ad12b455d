/**
 * The shipped SAN grammar accepts the movetext of every game in
 * ../shared/data/chess (header tags, comments, variations and NAGs removed,
 * as a PGN reader would), and rejects illegal-format moves.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { compileGbnf } from '../../src/api.js';
import { byteVocabulary } from '../../src/cli/grammar.js';
import { describeShared, repoRoot, sharedPath } from '../shared.js';

/**
 * Movetexts of the standard-chess games of a PGN file (a game whose Variant
 * tag is not "Standard" is skipped): tags, {comments}, ;comments,
 * (variations), $NAGs and !? marks removed, spacing normalized.
 */
function movetexts(pgn: string): string[] {
  const out: string[] = [];
  const games = pgn.replace(/^\uFEFF/, '').replace(/\r/g, '').split(/\n\s*\n(?=\[)/);
  for (const game of games) {
    const variant = /\[Variant "([^"]*)"\]/.exec(game)?.[1];
    if (variant !== undefined && variant !== 'Standard') continue;
    let text = game
      .split('\n')
      .filter((l) => !l.startsWith('['))
      .join('\n')
      .replace(/\{[^}]*\}/g, ' ')
      .replace(/;[^\n]*/g, ' ');
    let prev = '';
    while (prev !== text) {
      prev = text;
      text = text.replace(/\([^()]*\)/g, ' ');
    }
    const body = text
      .replace(/\$\d+/g, ' ')
      .replace(/[!?]+/g, '')
      .replace(/(\d+)\.\s*\.\.\.\s*/g, '$1... ')
      .replace(/(\d+)\.(?!\.)\s*/g, '$1. ')
      .replace(/\s+/g, ' ')
      .trim();
    if (body.length > 0) out.push(body);
  }
  return out;
}

describeShared('data/chess/lichess-games', 'chess SAN grammar on real games', () => {
  const compiled = compileGbnf(readFileSync(join(repoRoot, 'grammars', 'chess-san.gbnf'), 'utf8'), byteVocabulary());
  const accepts = (text: string): boolean => {
    const m = compiled.matcher();
    return m.acceptString(text) && m.isAccepting();
  };

  it('accepts the movetext of all standard games among the 866 lichess games', () => {
    const games = movetexts(readFileSync(sharedPath('data/chess/lichess-games/lichess_cubicinfinity_2022-12-28.pgn'), 'utf8'));
    expect(games.length).toBe(791);
    const rejected = games.filter((g) => !accepts(g));
    expect(rejected.slice(0, 3)).toEqual([]);
  });

  it('accepts the standard-chess python-chess edge cases', () => {
    const dir = sharedPath('data/chess/python-chess-pgn/pgn');
    // Outside standard SAN on purpose: variants (drops, antichess, Chess960 castling), UCI moves, null moves (Z0).
    const skip = new Set(['antichess-programfox.pgn', 'knightvuillaume-jannlee-zh-lichess.pgn', 'saturs-jannlee-zh-lichess.pgn', 'uci-moves.pgn', 'cutechess-fischerrandom.pgn', 'anastasian-lewis.pgn']);
    let checked = 0;
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.pgn') && !skip.has(x))) {
      for (const g of movetexts(readFileSync(join(dir, f), 'utf8'))) {
        if (/^\s*$/.test(g)) continue;
        expect(accepts(g), `${f}: ${g.slice(0, 80)}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it('rejects illegal-format moves', () => {
    for (const bad of ['1. e9 e5', '1. Ke4 Zf6', '1. e4 e5 2.Nf3', '1. exd8 Qxd8', '1. O-O-O-O', '0. e4', '1. e4 e5 3-0', '1. Nxx3']) {
      expect(accepts(bad), bad).toBe(false);
    }
  });
});
