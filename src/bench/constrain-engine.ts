/**
 * The `constrain` MaskBench engine: this project's own compiler, through
 * `compileJsonSchema(schema, vocab, {whitespace: 'maskbench'})` with the
 * tokenizer.json loaded as a `Vocabulary`.
 */
import { compileJsonSchema } from '../api.js';
import { Vocabulary } from '../vocab/vocabulary.js';
import type { BenchEngine, BenchGrammar, BenchMatcher } from './maskbench.js';
import type { BenchTokenizer } from './tokenizer.js';

/** Creates the constrain engine for `tok` (its tokenizer.json is loaded as a `Vocabulary`). */
export async function createConstrainEngine(tok: BenchTokenizer): Promise<BenchEngine> {
  const vocab = await Vocabulary.fromFile(tok.path);
  const eos = Int32Array.from(vocab.eosIds);
  const isEosAllowed = (mask: Uint32Array): boolean => {
    for (let i = 0; i < eos.length; i++) {
      const id = eos[i]!;
      if ((mask[id >>> 5]! >>> (id & 31)) & 1) return true;
    }
    return false;
  };
  return {
    name: 'constrain',
    compile(schemaText: string): BenchGrammar {
      const compiled = compileJsonSchema(JSON.parse(schemaText) as unknown, vocab, { whitespace: 'maskbench' });
      return {
        matcher(): BenchMatcher {
          const m = compiled.matcher();
          return {
            fillNextTokenBitmask: (mask: Uint32Array): void => void m.fillNextTokenBitmask(mask),
            acceptToken: (id: number): boolean => m.acceptToken(id),
            isEosAllowed,
          };
        },
      };
    },
  };
}
