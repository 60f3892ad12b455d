/**
 * Engine names the harness knows and how to build each one. Engines are
 * loaded lazily so a missing optional one (web-xgrammar, or the project's own
 * API before it exists) only fails when asked for.
 */
import { InvalidArgumentError } from '../errors.js';
import type { BenchEngine } from './maskbench.js';
import type { BenchTokenizer } from './tokenizer.js';

/** Engines `bench mask --engine` accepts. */
export const ENGINE_NAMES = ['constrain', 'xgrammar', 'xgrammar-compliant'] as const;
/** One of {@link ENGINE_NAMES}. */
export type EngineName = (typeof ENGINE_NAMES)[number];

/** Whether `s` names a known engine. */
export function isEngineName(s: string): s is EngineName {
  return (ENGINE_NAMES as readonly string[]).includes(s);
}

/** Builds engine `name` for tokenizer `tok`. */
export async function createBenchEngine(name: string, tok: BenchTokenizer): Promise<BenchEngine> {
  switch (name) {
    case 'constrain':
      return (await import('./constrain-engine.js')).createConstrainEngine(tok);
    case 'xgrammar':
      return (await import('./xgrammar.js')).createXGrammarEngine(tok, { mode: 'default' });
    case 'xgrammar-compliant':
      return (await import('./xgrammar.js')).createXGrammarEngine(tok, { mode: 'compliant' });
    default:
      throw new InvalidArgumentError(`unknown engine "${name}" (known: ${ENGINE_NAMES.join(', ')})`);
  }
}
