/**
 * The tokenizer MaskBench encodes test instances with, and what engines need
 * to know about it (token strings, EOS ids, logits size).
 *
 * A small adapter over `@huggingface/tokenizers`, so the harness does not
 * depend on the project's own `Vocabulary` for the encoding it measures
 * against: both engines see the same token ids.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { TokenizerLoadError } from '../errors.js';
import { resolveTokenizerPath } from '../vocab/resolve.js';

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

/** Names commonly used for end-of-sequence tokens, tried when no config names one. */
const EOS_NAMES = ['<|eot_id|>', '<|end_of_text|>', '<|endoftext|>', '</s>', '<eos>', '<|im_end|>', '<|end|>', '<|return|>'];

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

/** Loads a tokenizer by short name or path (see `resolveTokenizerPath` in src/vocab/resolve.ts). */
export async function loadBenchTokenizer(nameOrPath: string): Promise<BenchTokenizer> {
  const path = resolveTokenizerPath(nameOrPath);
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
