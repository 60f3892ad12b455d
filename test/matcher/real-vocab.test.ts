/**
 * On a real 128k vocabulary: the cached mask path equals a plain trie walk
 * with the parser, along random generations from the shipped grammars, and
 * every example of a shipped grammar is accepted token by token with EOS.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Vocabulary } from '../../src/vocab/vocabulary.js';
import { resolveTokenizerPath } from '../../src/vocab/resolve.js';
import { compileGbnf } from '../../src/api.js';
import { allocateBitmask } from '../../src/vocab/trie.js';
import { repoRoot } from '../shared.js';
import { Rng } from './helpers.js';

let vocab: Vocabulary;
beforeAll(async () => {
  vocab = await Vocabulary.fromFile(resolveTokenizerPath('llama3.1'));
});

const names = ['json', 'arithmetic', 'csv', 'chess-san', 'xml'];

function bits(mask: Uint32Array, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) if ((mask[i >>> 5]! >>> (i & 31)) & 1) out.push(i);
  return out;
}

describe('real vocabulary (llama3.1)', () => {
  for (const name of names) {
    it(`${name}: cached masks equal the plain walk on random generations`, () => {
      const compiled = compileGbnf(readFileSync(join(repoRoot, 'grammars', `${name}.gbnf`), 'utf8'), vocab);
      const rng = new Rng(name.length * 7919);
      const a = allocateBitmask(vocab.size);
      const b = allocateBitmask(vocab.size);
      for (let walk = 0; walk < 2; walk++) {
        const m = compiled.matcher();
        for (let step = 0; step < (name === "csv" ? 8 : 16); step++) {
          m.fillNextTokenBitmask(a);
          m.fillNextTokenBitmaskUncached(b);
          const fast = bits(a, vocab.size);
          expect(fast).toEqual(bits(b, vocab.size));
          const choices = fast.filter((id) => !vocab.eosIds.includes(id));
          if (choices.length === 0) break;
          // Prefer short tokens now and then so that generations go deep.
          const id = rng.pick(choices);
          expect(m.acceptToken(id)).toBe(true);
        }
      }
    });
  }

  it('shipped examples are accepted token by token, with EOS at the end', () => {
    for (const name of names) {
      const dir = join(repoRoot, 'test', 'grammars', name);
      if (!existsSync(dir)) continue;
      const compiled = compileGbnf(readFileSync(join(repoRoot, 'grammars', `${name}.gbnf`), 'utf8'), vocab);
      const mask = allocateBitmask(vocab.size);
      for (const f of readdirSync(dir).filter((x) => x.startsWith('valid'))) {
        const text = readFileSync(join(dir, f), 'utf8');
        const m = compiled.matcher();
        for (const id of vocab.encode(text)) {
          m.fillNextTokenBitmask(mask);
          expect((mask[id >>> 5]! >>> (id & 31)) & 1, `${name}/${f}: token ${JSON.stringify(vocab.tokenText(id))}`).toBe(1);
          expect(m.acceptToken(id)).toBe(true);
        }
        expect(m.isAccepting(), `${name}/${f} complete`).toBe(true);
      }
    }
  });
});
