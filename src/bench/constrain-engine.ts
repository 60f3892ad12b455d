/**
 * The `constrain` MaskBench engine: this project's own compiler, through
 * `compileJsonSchema(schema, vocab, {whitespace: 'maskbench'})` from
 * `src/api.ts` and `Vocabulary` from `src/vocab/vocabulary.ts`.
 *
 * Both are imported dynamically so the harness builds and runs (with
 * `--engine xgrammar`) before they exist; asking for this engine then fails
 * with a clear message.
 */
import { InvalidArgumentError } from '../errors.js';
import type { BenchEngine, BenchGrammar, BenchMatcher } from './maskbench.js';
import type { BenchTokenizer } from './tokenizer.js';

/** The parts of the project's API this engine uses. */
interface ConstrainMatcher {
  fillNextTokenBitmask(mask: Uint32Array): unknown;
  acceptToken(id: number): boolean;
}
interface ConstrainApi {
  compileJsonSchema(schema: unknown, vocab: unknown, options: { whitespace: 'maskbench' }): { matcher(): ConstrainMatcher };
}
interface VocabularyModule {
  Vocabulary: { fromFile(path: string): Promise<{ readonly eosIds: ArrayLike<number>; readonly size: number }> };
}

async function importOrExplain<T>(spec: string, what: string): Promise<T> {
  try {
    return (await import(spec)) as T;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(spec.replace('../', '').replace('.js', ''))) {
      throw new InvalidArgumentError(`not available yet: ${what} (src/${spec.slice(3, -3)}.ts) does not exist in this build`);
    }
    throw e;
  }
}

/** Creates the constrain engine for `tok` (its tokenizer.json is loaded as a `Vocabulary`). */
export async function createConstrainEngine(tok: BenchTokenizer): Promise<BenchEngine> {
  const api = await importOrExplain<Partial<ConstrainApi>>('../api.js', 'compileJsonSchema');
  const vm = await importOrExplain<Partial<VocabularyModule>>('../vocab/vocabulary.js', 'Vocabulary');
  if (typeof api.compileJsonSchema !== 'function') throw new InvalidArgumentError('src/api.ts does not export compileJsonSchema');
  if (!vm.Vocabulary) throw new InvalidArgumentError('src/vocab/vocabulary.ts does not export Vocabulary');
  const compileJsonSchema = api.compileJsonSchema;
  const vocab = await vm.Vocabulary.fromFile(tok.path);
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
