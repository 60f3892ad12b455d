/**
 * Loads a causal language model directory (Hugging Face / Optimum ONNX
 * export layout) into an onnxruntime-node session and runs single-sequence
 * forward steps with a KV cache.
 *
 * What is read: `model.onnx`, or `onnx/model*.onnx` (external data beside it
 * is loaded by ORT); `config.json`, `generation_config.json` and, for
 * onnxruntime-genai exports, `genai_config.json` (all optional). The I/O
 * contract (names, element types, KV shapes) is taken from the session's own
 * metadata, so a model works without any config: inputs `input_ids`,
 * `attention_mask`, optional `position_ids`, optional `use_cache_branch`,
 * `past_key_values.N.key|value`; outputs `logits`, `present.N.key|value`.
 * float16 tensors (Uint16Array in Node 20) are supported; logits are always
 * handed out as Float32Array.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import ort from 'onnxruntime-node';
import { ExecutionProviderError, InvalidArgumentError, LimitExceededError, ModelLoadError } from '../errors.js';
import { halfToFloat32 } from './fp16.js';

/** Execution provider. */
export type ExecutionProviderName = 'cpu' | 'cuda';

/** Options of {@link loadModel}. */
export interface LoadModelOptions {
  /** Execution provider; default `cpu`. `cuda` never falls back to CPU: it throws when unavailable. */
  ep?: ExecutionProviderName;
  /** Intra-op threads (ORT default when omitted: one per core). */
  threads?: number;
  /** A specific `.onnx` file, relative to the directory (default: found as described above). */
  file?: string;
}

/** Element type of KV tensors and logits. */
export type FloatKind = 'float32' | 'float16';

/** What the loader learnt about the model. */
export interface ModelInfo {
  /** The model directory (absolute). */
  dir: string;
  /** The `.onnx` file used (absolute). */
  file: string;
  /** Decoder layers (pairs of past inputs). */
  numLayers: number;
  /** KV heads (dimension 1 of the past tensors). */
  numKvHeads: number;
  /** Per-head width (dimension 3 of the past tensors). */
  headDim: number;
  /** Width of the logits (may exceed the tokenizer's size: padding ids). */
  vocabSize: number;
  /** Element type of past/present tensors. */
  kvType: FloatKind;
  /** Element type of the logits output. */
  logitsType: FloatKind;
  /** Whether the graph takes `position_ids`. */
  hasPositionIds: boolean;
  /** Largest total sequence length the model supports, when known (`max_position_embeddings`). */
  maxPositions: number | null;
  /** BOS id from the configs, when given. */
  bosTokenId: number | null;
  /** EOS ids from generation_config.json, config.json and genai_config.json (union, in that order). */
  eosTokenIds: number[];
  /** Parsed config.json (`{}` when absent). */
  config: Record<string, unknown>;
  /** Parsed generation_config.json (`{}` when absent). */
  generationConfig: Record<string, unknown>;
  /** The execution provider in use. */
  ep: ExecutionProviderName;
}

/**
 * A cache of past positions as the generation loop sees it: its length, a
 * free branch point and a truncated copy. {@link KvCache} (tensors in this
 * thread) and `WorkerKvCache` (a handle to tensors in a worker) implement it.
 */
export interface PastCache {
  /** Positions held. */
  readonly length: number;
  /** A branch point sharing the (immutable) cache. */
  fork(): PastCache;
  /** The cache of the first `n` positions. */
  truncate(n: number): PastCache;
}

/**
 * What the generation loop needs of a model: {@link CausalLM} (session in
 * this thread) or `WorkerLM` (session in a worker thread).
 */
export interface LanguageModel {
  /** What the loader found. */
  readonly info: ModelInfo;
  /** Logits of every position of `ids` after `past`, and the extended cache. */
  forward(ids: ArrayLike<number>, past?: PastCache | null): Promise<{ logits: Float32Array; present: PastCache }>;
  /** Logits of the last position of `ids` after `past`, and the extended cache. */
  step(ids: ArrayLike<number>, past?: PastCache | null): Promise<{ logits: Float32Array; present: PastCache }>;
  /** Frees the session. */
  release(): Promise<void>;
}

/**
 * The KV cache of one sequence: for each layer a key and a value tensor of
 * shape `[1, kvHeads, length, headDim]`. Immutable: a step returns a new cache
 * and never writes into the old one, so {@link KvCache.fork} is free and two
 * branches can grow from the same cache independently.
 */
export class KvCache implements PastCache {
  /** Tensors in order layer 0 key, layer 0 value, layer 1 key, … */
  readonly tensors: readonly ort.Tensor[];
  /** Positions held. */
  readonly length: number;

  /** @internal */
  constructor(tensors: readonly ort.Tensor[], length: number) {
    this.tensors = tensors;
    this.length = length;
  }

  /** A branch point: shares the (immutable) tensors, so it costs nothing. */
  fork(): KvCache {
    return new KvCache(this.tensors, this.length);
  }

  /** The cache of the first `n` positions (copies), for rollback or regenerate-from-step-k. */
  truncate(n: number): KvCache {
    if (!Number.isInteger(n) || n < 0 || n > this.length) {
      throw new InvalidArgumentError(`KvCache.truncate(${n}): must be an integer in 0..${this.length}`);
    }
    if (n === this.length) return this;
    const out = this.tensors.map((t) => {
      const [b, h, len, d] = t.dims as [number, number, number, number];
      const src = t.data as Float32Array | Uint16Array;
      const dst = new (src.constructor as Float32ArrayConstructor | Uint16ArrayConstructor)(b * h * n * d);
      for (let r = 0; r < b * h; r++) dst.set(src.subarray(r * len * d, r * len * d + n * d), r * n * d);
      return new ort.Tensor(t.type as 'float32', dst as Float32Array, [b, h, n, d]);
    });
    return new KvCache(out, n);
  }
}

/** Result of {@link CausalLM.step}. */
export interface StepResult {
  /** Logits of the last input position, `vocabSize` floats (a fresh array the caller may modify). */
  logits: Float32Array;
  /** The cache extended by the step's tokens. */
  present: KvCache;
}

/** Result of {@link CausalLM.forward}. */
export interface ForwardResult {
  /** Logits of every input position, row-major `[ids.length, vocabSize]`. */
  logits: Float32Array;
  /** The cache extended by the step's tokens. */
  present: KvCache;
}

/** A loaded causal LM: one ORT session plus its I/O description. Batch size 1. */
export class CausalLM implements LanguageModel {
  /** What the loader found. */
  readonly info: ModelInfo;
  /** The underlying session. @internal */
  readonly session: ort.InferenceSession;
  private readonly pastNames: string[];
  private readonly presentNames: string[];
  private readonly hasUseCacheBranch: boolean;
  private readonly empty: KvCache;

  /** @internal */
  constructor(session: ort.InferenceSession, info: ModelInfo, hasUseCacheBranch: boolean) {
    this.session = session;
    this.info = info;
    this.hasUseCacheBranch = hasUseCacheBranch;
    this.pastNames = [];
    this.presentNames = [];
    for (let l = 0; l < info.numLayers; l++) {
      for (const kind of ['key', 'value']) {
        this.pastNames.push(`past_key_values.${l}.${kind}`);
        this.presentNames.push(`present.${l}.${kind}`);
      }
    }
    const dims = [1, info.numKvHeads, 0, info.headDim];
    const tensors = this.pastNames.map(() =>
      info.kvType === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), dims) : new ort.Tensor('float32', new Float32Array(0), dims),
    );
    this.empty = new KvCache(tensors, 0);
  }

  /** An empty cache (no positions), the `past` of a first step. */
  emptyCache(): KvCache {
    return this.empty;
  }

  /**
   * Runs the model on `ids` after the positions in `past` (default: none) and
   * returns the logits of every new position and the extended cache.
   */
  async forward(ids: ArrayLike<number>, past: KvCache | null = null): Promise<ForwardResult> {
    const p = past ?? this.empty;
    const s = ids.length;
    if (s === 0) throw new InvalidArgumentError('CausalLM.forward: ids is empty');
    const total = p.length + s;
    if (this.info.maxPositions !== null && total > this.info.maxPositions) {
      throw new LimitExceededError('maxPositions', this.info.maxPositions, `sequence of ${total} positions (model ${this.info.dir})`);
    }
    const idData = new BigInt64Array(s);
    for (let i = 0; i < s; i++) idData[i] = BigInt(ids[i]!);
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', idData, [1, s]),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(total).fill(1n), [1, total]),
    };
    if (this.info.hasPositionIds) {
      const pos = new BigInt64Array(s);
      for (let i = 0; i < s; i++) pos[i] = BigInt(p.length + i);
      feeds.position_ids = new ort.Tensor('int64', pos, [1, s]);
    }
    if (this.hasUseCacheBranch) feeds.use_cache_branch = new ort.Tensor('bool', new Uint8Array([p.length > 0 ? 1 : 0]), [1]);
    for (let i = 0; i < this.pastNames.length; i++) feeds[this.pastNames[i]!] = p.tensors[i]!;
    const out = await this.session.run(feeds);
    const logitsT = out.logits!;
    const V = this.info.vocabSize;
    const raw = logitsT.data as Float32Array | Uint16Array;
    if (raw.length !== s * V) {
      throw new ModelLoadError(this.info.file, `logits has ${raw.length} values, expected ${s}×${V} (shape ${logitsT.dims.join('x')})`);
    }
    const logits = raw instanceof Uint16Array ? halfToFloat32(raw) : (raw as Float32Array);
    const present = this.presentNames.map((n) => out[n]!);
    return { logits, present: new KvCache(present, total) };
  }

  /** Runs `ids` after `past` and returns the last position's logits and the extended cache. */
  async step(ids: ArrayLike<number>, past: KvCache | null = null): Promise<StepResult> {
    const r = await this.forward(ids, past);
    const V = this.info.vocabSize;
    const n = r.logits.length / V;
    return { logits: n === 1 ? r.logits : r.logits.slice((n - 1) * V), present: r.present };
  }

  /** Frees the session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Reads a JSON file when it exists; `ModelLoadError` when it exists but does not parse. */
function readJsonIfAny(path: string): Record<string, unknown> | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (e) {
    throw new ModelLoadError(path, `not valid JSON: ${(e as Error).message}`);
  }
}

/** Finds the ONNX file of a model directory (see module doc). */
export function findModelFile(dir: string, file?: string): string {
  if (file) {
    const p = resolve(dir, file);
    if (!existsSync(p)) throw new ModelLoadError(p, 'model file not found');
    return p;
  }
  if (!existsSync(dir)) throw new ModelLoadError(dir, 'model directory not found');
  if (statSync(dir).isFile()) {
    if (dir.endsWith('.onnx')) return resolve(dir);
    throw new ModelLoadError(dir, 'not a directory nor an .onnx file');
  }
  const direct = join(dir, 'model.onnx');
  if (existsSync(direct)) return resolve(direct);
  const sub = join(dir, 'onnx');
  if (existsSync(sub) && statSync(sub).isDirectory()) {
    const cands = readdirSync(sub).filter((f) => /^model.*\.onnx$/.test(f)).sort();
    // Prefer the plain fp32 export, then fp16, then whatever sorts first.
    const pick = cands.find((f) => f === 'model.onnx') ?? cands.find((f) => f === 'model_fp16.onnx') ?? cands[0];
    if (pick) return resolve(sub, pick);
  }
  throw new ModelLoadError(dir, 'not a model directory: no model.onnx and no onnx/model*.onnx');
}

/** Reads an id or a list of ids from a config value. */
function idsOf(v: unknown): number[] {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return [v];
  if (Array.isArray(v)) return v.filter((x): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0);
  return [];
}

/** How to install the CUDA provider, for error messages. */
const CUDA_HINT =
  'the CUDA execution provider of onnxruntime-node is not installed. Install it (needs network and CUDA 12 + cuDNN 9 on the machine) with: ' +
  'ONNXRUNTIME_NODE_INSTALL=cuda12 npm install onnxruntime-node   (or run with --ep cpu)';

/**
 * Whether the CUDA provider can be tried: this onnxruntime-node build lists
 * it, and its provider library sits beside the native binding (it is only
 * downloaded by `ONNXRUNTIME_NODE_INSTALL=cuda12`). When the binding cannot
 * be located, session creation decides.
 */
function cudaInstalled(): boolean {
  try {
    if (!ort.listSupportedBackends().some((b) => b.name === 'cuda')) return false;
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const bin = join(pkg, 'bin');
    if (!existsSync(bin)) return true;
    for (const napi of readdirSync(bin)) {
      const dir = join(bin, napi, process.platform, process.arch);
      if (existsSync(dir)) return readdirSync(dir).some((f) => f.includes('providers_cuda'));
    }
    return true;
  } catch {
    return true;
  }
}

/** What a load needs, settled from the options: see {@link prepareLoad}. */
export interface PreparedLoad {
  /** The execution provider. */
  ep: ExecutionProviderName;
  /** The `.onnx` file (absolute). */
  file: string;
  /** The directory of the configs and tokenizer (absolute). */
  root: string;
  /** ORT session options. */
  sessionOptions: ort.InferenceSession.SessionOptions;
}

/**
 * Checks load options and finds the model file: `InvalidArgumentError` for a
 * bad EP or thread count, `ModelLoadError` for a missing model, and
 * `ExecutionProviderError` (with the install command) for `cuda` when its
 * provider library is not installed.
 */
export function prepareLoad(dir: string, options: LoadModelOptions = {}): PreparedLoad {
  const ep = options.ep ?? 'cpu';
  if (ep !== 'cpu' && ep !== 'cuda') throw new InvalidArgumentError(`unknown execution provider '${ep as string}' (use cpu or cuda)`);
  if (options.threads !== undefined && (!Number.isInteger(options.threads) || options.threads < 1)) {
    throw new InvalidArgumentError(`threads must be a positive integer, got ${options.threads}`);
  }
  const file = findModelFile(dir, options.file);
  const root = statSync(resolve(dir)).isFile() ? resolve(dir, '..') : resolve(dir);
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: [ep],
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
  };
  if (ep === 'cuda' && !cudaInstalled()) throw new ExecutionProviderError(CUDA_HINT);
  return { ep, file, root, sessionOptions };
}

/** The typed error for a failed session creation (message: onnxruntime's first line). */
export function sessionCreateError(e: unknown, ep: ExecutionProviderName, file: string): Error {
  const msg = (e as Error)?.message ?? String(e);
  if (ep === 'cuda' && /cuda|provider|shared library|\.so/i.test(msg)) {
    return new ExecutionProviderError(`${CUDA_HINT}\n(onnxruntime said: ${msg.split('\n')[0]})`);
  }
  return new ModelLoadError(file, `onnxruntime could not load it: ${msg.split('\n')[0]}`);
}

/**
 * Loads a model directory. Throws `ModelLoadError` naming the missing file or
 * unsupported I/O, and `ExecutionProviderError` for `ep: 'cuda'` when the
 * CUDA provider is unavailable (never a silent CPU fallback).
 */
export async function loadModel(dir: string, options: LoadModelOptions = {}): Promise<CausalLM> {
  const { ep, file, root, sessionOptions } = prepareLoad(dir, options);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, sessionOptions);
  } catch (e) {
    throw sessionCreateError(e, ep, file);
  }

  try {
    const { info, hasUseCacheBranch } = describeModel(file, root, session.inputMetadata, session.outputMetadata, ep);
    return new CausalLM(session, info, hasUseCacheBranch);
  } catch (e) {
    void session.release();
    throw e;
  }
}

/** What {@link describeModel} learnt: the model info and whether it takes `use_cache_branch`. */
export interface ModelDescription {
  /** The model info. */
  info: ModelInfo;
  /** Whether the graph takes a `use_cache_branch` input. */
  hasUseCacheBranch: boolean;
}

/**
 * Reads the I/O contract of a session (its input and output metadata) and
 * the configs beside the model file (`root`): `ModelLoadError` naming what is
 * missing or unsupported. Shared by {@link loadModel} and the worker-thread
 * model, whose session lives in another thread.
 */
export function describeModel(
  file: string,
  root: string,
  inputMetadata: readonly ort.InferenceSession.ValueMetadata[],
  outputMetadata: readonly ort.InferenceSession.ValueMetadata[],
  ep: ExecutionProviderName,
): ModelDescription {
  const config = readJsonIfAny(join(root, 'config.json')) ?? {};
  const generationConfig = readJsonIfAny(join(root, 'generation_config.json')) ?? {};
  const genai = (readJsonIfAny(join(root, 'genai_config.json'))?.model ?? {}) as Record<string, unknown>;
  const fail = (problem: string): never => {
    throw new ModelLoadError(file, problem);
  };
  const inputs = new Map<string, ort.InferenceSession.ValueMetadata>();
  for (const m of inputMetadata) inputs.set(m.name, m);
  const outputs = new Map<string, ort.InferenceSession.ValueMetadata>();
  for (const m of outputMetadata) outputs.set(m.name, m);
  for (const need of ['input_ids', 'attention_mask']) if (!inputs.has(need)) fail(`model has no '${need}' input (inputs: ${[...inputs.keys()].join(', ')})`);
  if (!outputs.has('logits')) fail(`model has no 'logits' output (outputs: ${[...outputs.keys()].join(', ')})`);
  let numLayers = 0;
  while (inputs.has(`past_key_values.${numLayers}.key`)) numLayers++;
  const known = new Set(['input_ids', 'attention_mask', 'position_ids', 'use_cache_branch']);
  for (let l = 0; l < numLayers; l++) {
    for (const kind of ['key', 'value']) {
      known.add(`past_key_values.${l}.${kind}`);
      if (!inputs.has(`past_key_values.${l}.${kind}`)) fail(`missing input past_key_values.${l}.${kind}`);
      if (!outputs.has(`present.${l}.${kind}`)) fail(`missing output present.${l}.${kind}`);
    }
  }
  for (const name of inputs.keys()) if (!known.has(name)) fail(`unsupported input '${name}'`);

  const floatKind = (m: ort.InferenceSession.ValueMetadata | undefined, what: string): FloatKind => {
    const t = m && m.isTensor ? m.type : undefined;
    if (t === 'float32' || t === 'float16') return t;
    return fail(`${what} has element type ${t ?? 'unknown'}; only float32 and float16 are supported`);
  };
  const logitsMeta = outputs.get('logits')!;
  const logitsType = floatKind(logitsMeta, 'logits');
  const kvType: FloatKind = numLayers ? floatKind(inputs.get('past_key_values.0.key'), 'past_key_values.0.key') : 'float32';
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null);

  const pastShape = numLayers ? ((inputs.get('past_key_values.0.key') as ort.InferenceSession.TensorValueMetadata).shape ?? []) : [];
  const heads = num(config.num_attention_heads) ?? num((genai.decoder as Record<string, unknown> | undefined)?.num_attention_heads);
  const numKvHeads =
    num(pastShape[1]) ?? num(config.num_key_value_heads) ?? num((genai.decoder as Record<string, unknown> | undefined)?.num_key_value_heads) ?? heads;
  const hidden = num(config.hidden_size);
  const headDim =
    num(pastShape[3]) ?? num(config.head_dim) ?? num((genai.decoder as Record<string, unknown> | undefined)?.head_size) ?? (hidden && heads ? hidden / heads : null);
  if (numLayers && (!numKvHeads || !headDim)) fail('cannot tell the KV cache shape: the past inputs have symbolic head dims and config.json lacks num_key_value_heads/head_dim');
  const lshape = logitsMeta.isTensor ? logitsMeta.shape : [];
  const vocabSize = num(lshape[2]) ?? num(config.vocab_size) ?? num(genai.vocab_size) ?? fail('cannot tell the vocabulary size: logits dim 2 is symbolic and config.json has no vocab_size');

  const eos: number[] = [];
  for (const v of [generationConfig.eos_token_id, config.eos_token_id, genai.eos_token_id]) for (const id of idsOf(v)) if (!eos.includes(id)) eos.push(id);
  const bos = idsOf(generationConfig.bos_token_id ?? config.bos_token_id ?? genai.bos_token_id)[0] ?? null;
  const maxPositions = num(config.max_position_embeddings) ?? num(genai.context_length);

  const info: ModelInfo = {
    dir: root,
    file,
    numLayers,
    numKvHeads: numKvHeads ?? 0,
    headDim: headDim ?? 0,
    vocabSize,
    kvType,
    logitsType,
    hasPositionIds: inputs.has('position_ids'),
    maxPositions,
    bosTokenId: bos,
    eosTokenIds: eos,
    config,
    generationConfig,
    ep,
  };
  return { info, hasUseCacheBranch: inputs.has('use_cache_branch') };
}
