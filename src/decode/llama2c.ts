/**
 * Reads llama2.c checkpoints (Karpathy's `run.c` formats) and converts them
 * into a Hugging Face style model directory that {@link loadModel} opens:
 * `model.onnx`, `config.json`, `generation_config.json` and the tokenizer files.
 *
 * Two layouts are read:
 * - legacy (version 0): 7 int32 header `(dim, hidden_dim, n_layers, n_heads,
 *   n_kv_heads, vocab_size, seq_len)`, then float32 arrays: token embedding,
 *   rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_cis_real,
 *   freq_cis_imag, and the classifier when `vocab_size` is negative (untied);
 * - version 1 (`export.py --version 1`): magic `ak42`, version int32 1, the 7
 *   ints, a shared-classifier byte, zero padding to 256 bytes, then rms_att,
 *   rms_ffn, rms_final, embedding, wq, wk, wv, wo, w1, w2, w3, [classifier].
 *
 * llama2.c applies RoPE to interleaved pairs (2j, 2j+1); the ONNX graph uses
 * HF's rotate_half (pairs j, j + headDim/2). Permuting the rows of wq and wk
 * within each head from interleaved to halves makes the two equal.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ModelLoadError } from '../errors.js';
import { buildLlamaOnnx, llamaConfigJson, type LlamaConfig, type LlamaLayerWeights, type LlamaWeights } from './llama-builder.js';

/** A checkpoint read into memory. */
export interface Llama2cCheckpoint {
  /** Architecture. */
  config: LlamaConfig;
  /** Weights in PyTorch layout, wq/wk rows already permuted to rotate_half order. */
  weights: LlamaWeights;
  /** 0 = legacy, 1 = version 1. */
  version: 0 | 1;
}

const MAGIC_V1 = 0x616b3432; // "ak42" little-endian

/**
 * Reorders the rows of a `[heads*headDim, in]` matrix within each head from
 * interleaved pairs to halves: new row `t*headDim/2 + j` = old row `2j + t`.
 */
export function permuteRopeRows(w: Float32Array, heads: number, headDim: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  const half = headDim / 2;
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < half; j++) {
      for (let t = 0; t < 2; t++) {
        const src = (h * headDim + 2 * j + t) * cols;
        const dst = (h * headDim + t * half + j) * cols;
        out.set(w.subarray(src, src + cols), dst);
      }
    }
  }
  return out;
}

/** Parses a llama2.c checkpoint. Throws `ModelLoadError` (with the path) on a malformed file. */
export function readLlama2c(path: string): Llama2cCheckpoint {
  if (!existsSync(path)) throw new ModelLoadError(path, 'llama2.c checkpoint not found');
  const buf = readFileSync(path);
  if (buf.length < 28) throw new ModelLoadError(path, `file of ${buf.length} bytes is too short for a llama2.c header`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let version: 0 | 1 = 0;
  let hOff = 0;
  let dataOff = 28;
  let shared: boolean;
  if (dv.getUint32(0, true) === MAGIC_V1) {
    const v = dv.getInt32(4, true);
    if (v !== 1) throw new ModelLoadError(path, `llama2.c checkpoint version ${v} is not supported (only legacy and version 1 fp32)`);
    version = 1;
    hOff = 8;
    dataOff = 256;
  }
  const hdr = Array.from({ length: 7 }, (_, i) => dv.getInt32(hOff + 4 * i, true));
  const [dim, hiddenDim, nLayers, nHeads, nKvHeads, vocabSigned, seqLen] = hdr as [number, number, number, number, number, number, number];
  if (version === 1) shared = buf[hOff + 28] !== 0;
  else shared = vocabSigned > 0;
  const vocab = Math.abs(vocabSigned);
  if ([dim, hiddenDim, nLayers, nHeads, nKvHeads, vocab, seqLen].some((x) => x <= 0) || dim % nHeads !== 0) {
    throw new ModelLoadError(path, `implausible llama2.c header (${hdr.join(', ')})`);
  }
  const hd = dim / nHeads;
  const kvDim = nKvHeads * hd;
  const config: LlamaConfig = {
    vocabSize: vocab,
    hiddenSize: dim,
    intermediateSize: hiddenDim,
    numLayers: nLayers,
    numHeads: nHeads,
    numKvHeads: nKvHeads,
    headDim: hd,
    maxPositions: seqLen,
    rmsNormEps: 1e-5,
    ropeTheta: 10000,
    tieWordEmbeddings: shared,
  };

  let off = dataOff;
  const take = (name: string, n: number): Float32Array => {
    const end = off + n * 4;
    if (end > buf.length) throw new ModelLoadError(path, `truncated: ${name} needs bytes ${off}..${end}, file has ${buf.length}`);
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = dv.getFloat32(off + 4 * i, true);
    off = end;
    return a;
  };
  const perLayer = (name: string, n: number): Float32Array[] => {
    const all = take(name, n * nLayers);
    return Array.from({ length: nLayers }, (_, l) => all.slice(l * n, (l + 1) * n));
  };

  let embed: Float32Array, rmsAtt: Float32Array[], rmsFfn: Float32Array[], rmsFinal: Float32Array;
  let rope: LlamaWeights['rope'];
  if (version === 0) {
    embed = take('token_embedding_table', vocab * dim);
    rmsAtt = perLayer('rms_att_weight', dim);
  } else {
    rmsAtt = perLayer('rms_att_weight', dim);
    rmsFfn = perLayer('rms_ffn_weight', dim);
    rmsFinal = take('rms_final_weight', dim);
    embed = take('token_embedding_table', vocab * dim);
  }
  const wq = perLayer('wq', dim * dim);
  const wk = perLayer('wk', kvDim * dim);
  const wv = perLayer('wv', kvDim * dim);
  const wo = perLayer('wo', dim * dim);
  if (version === 0) rmsFfn = perLayer('rms_ffn_weight', dim);
  const w1 = perLayer('w1', hiddenDim * dim);
  const w2 = perLayer('w2', dim * hiddenDim);
  const w3 = perLayer('w3', hiddenDim * dim);
  if (version === 0) {
    rmsFinal = take('rms_final_weight', dim);
    rope = { cos: take('freq_cis_real', (seqLen * hd) / 2), sin: take('freq_cis_imag', (seqLen * hd) / 2) };
  }
  const lmHead = shared ? undefined : take('wcls', vocab * dim);
  if (off !== buf.length) throw new ModelLoadError(path, `${buf.length - off} unexpected trailing bytes after the weights (header ${hdr.join(', ')})`);

  const layers: LlamaLayerWeights[] = [];
  for (let l = 0; l < nLayers; l++) {
    layers.push({
      inputNorm: rmsAtt[l]!,
      q: permuteRopeRows(wq[l]!, nHeads, hd, dim),
      k: permuteRopeRows(wk[l]!, nKvHeads, hd, dim),
      v: wv[l]!,
      o: wo[l]!,
      postNorm: rmsFfn![l]!,
      gate: w1[l]!,
      up: w3[l]!,
      down: w2[l]!,
    });
  }
  return { config, version, weights: { embed, layers, finalNorm: rmsFinal!, lmHead, rope } };
}

/** Options of {@link convertLlama2c}. */
export interface ConvertLlama2cOptions {
  /**
   * `tokenizer.json` file, or a folder holding one; `tokenizer_config.json`
   * (and `special_tokens_map.json`) beside it are copied too when present.
   */
  tokenizer: string;
  /** BOS id (default 1, as llama2.c). */
  bosTokenId?: number;
  /**
   * Ids that end generation, written to generation_config.json. Default
   * `[2, 1]`: EOS, and BOS, because llama2.c stops when the model emits BOS
   * (its TinyStories models separate stories with BOS).
   */
  eosTokenIds?: number[];
  /** Storage type of the ONNX file. Default `float32`. */
  dtype?: 'float32' | 'float16';
}

/**
 * Converts a llama2.c checkpoint into a model directory `outDir` (created if
 * needed) and returns `outDir`. Throws `ModelLoadError` when the checkpoint
 * or the tokenizer is missing or malformed.
 */
export function convertLlama2c(checkpoint: string, outDir: string, options: ConvertLlama2cOptions): string {
  const ckpt = readLlama2c(checkpoint);
  let tokFile = options.tokenizer;
  if (existsSync(tokFile) && statSync(tokFile).isDirectory()) tokFile = join(tokFile, 'tokenizer.json');
  if (!existsSync(tokFile)) throw new ModelLoadError(tokFile, 'tokenizer.json not found');
  const tokDir = dirname(tokFile);
  const bos = options.bosTokenId ?? 1;
  const eos = options.eosTokenIds ?? [2, 1];
  const dtype = options.dtype ?? 'float32';
  const enc = buildLlamaOnnx(ckpt.config, ckpt.weights, { dtype });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'model.onnx'), enc.model);
  if (enc.externalData) writeFileSync(join(outDir, enc.externalDataFile), enc.externalData);
  const cfg = llamaConfigJson(ckpt.config, { bos, eos: eos[0]! }, dtype);
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(cfg, null, 2) + '\n');
  const gen = { bos_token_id: bos, eos_token_id: eos, max_length: ckpt.config.maxPositions, do_sample: false };
  writeFileSync(join(outDir, 'generation_config.json'), JSON.stringify(gen, null, 2) + '\n');
  copyFileSync(tokFile, join(outDir, 'tokenizer.json'));
  for (const f of ['tokenizer_config.json', 'special_tokens_map.json']) {
    const p = join(tokDir, f);
    if (existsSync(p)) copyFileSync(p, join(outDir, f));
  }
  return outDir;
}
