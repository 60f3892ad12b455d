/** Shared setup of the generation tests: the built-in model loaded once per file, ajv. */
import Ajv2020Module from 'ajv/dist/2020.js';
import { Generator } from '../../src/generation/generator.js';

type AjvCtor = typeof Ajv2020Module.default;
const Ajv2020 = ((Ajv2020Module as unknown as { default?: AjvCtor }).default ?? Ajv2020Module) as AjvCtor;

/** A fresh ajv (2020-12), strict off. */
export function makeAjv(): InstanceType<AjvCtor> {
  return new Ajv2020({ strict: false });
}

/** Loads the built-in model with one thread. */
export async function builtinGenerator(): Promise<Generator> {
  return Generator.load('builtin', { threads: 1 });
}

/**
 * A schema whose language is finite (no numbers: `1.000…` equals 1),
 * so every run ends with EOS within a few hundred tokens.
 */
export const BOUNDED_SCHEMA = {
  type: 'object',
  properties: {
    id: { enum: ['x', 'y22', 'z333'] },
    name: { type: 'string', maxLength: 12 },
    ok: { type: 'boolean' },
    kind: { enum: ['a', 'bb', 'ccc'] },
    tags: { type: 'array', items: { type: 'string', maxLength: 4 }, maxItems: 2 },
  },
  required: ['id', 'name', 'ok', 'kind', 'tags'],
  additionalProperties: false,
};
