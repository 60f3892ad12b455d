/**
 * Builds a Llama-architecture decoder as an ONNX graph (opset 17, standard
 * ops only) with the I/O of Hugging Face Optimum exports:
 *
 * inputs  `input_ids` int64 [b,s], `attention_mask` int64 [b,past+s],
 *         `position_ids` int64 [b,s], `past_key_values.N.key|value` [b,kvHeads,past,headDim]
 * outputs `logits` [b,s,vocab], `present.N.key|value` [b,kvHeads,past+s,headDim]
 *
 * The graph: token embedding (Gather); per layer RMSNorm (in the pattern ORT
 * fuses to SimplifiedLayerNormalization) → one fused q|k|v MatMul (1/√headDim
 * folded into the q columns) → RoPE in the rotate_half convention (HF Llama;
 * cos/sin gathered by `position_ids`; rotate_half as a MatMul with a signed
 * permutation) → KV concat with the past → GQA by viewing the query heads of
 * each KV head as one group (`[b, kv, rep*s, D]`, head h reads KV head
 * h / rep as `repeat_interleave` does, without copying K/V) → scaled dot
 * product with an additive mask (causal in cache-index space AND
 * `attention_mask`) → output projection, residual; RMSNorm → fused gate|up
 * MatMul → SiLU-gated FFN, residual; final RMSNorm → lm_head (the transposed
 * embedding when tied).
 *
 * Weights use PyTorch `Linear` layout `[out, in]`; the builder stores them
 * transposed (`[in, out]`) so each projection is one MatMul. With
 * `dtype: 'float16'` weights are stored as fp16 and the past/present/logits
 * tensors are fp16 (like Optimum fp16 exports); arithmetic inside stays fp32.
 */
import { InvalidArgumentError } from '../errors.js';
import { Rng } from '../sampling/prng.js';
import { float32ToHalf } from './fp16.js';
import { GraphBuilder } from './graph.js';
import { OnnxDataType, encodeOnnxModel, type EncodeOptions, type EncodedOnnxModel, type OnnxModel } from './onnx-writer.js';

/** Architecture hyper-parameters (the subset of HF `LlamaConfig` the graph needs). */
export interface LlamaConfig {
  /** Rows of the embedding and of the logits. */
  vocabSize: number;
  /** Model width. */
  hiddenSize: number;
  /** FFN inner width. */
  intermediateSize: number;
  /** Decoder layers. */
  numLayers: number;
  /** Query heads. */
  numHeads: number;
  /** Key/value heads (GQA when fewer than query heads; must divide `numHeads`). */
  numKvHeads: number;
  /** Per-head width (even; usually `hiddenSize / numHeads`). */
  headDim: number;
  /** Size of the RoPE tables: positions must stay below it. */
  maxPositions: number;
  /** RMSNorm epsilon. */
  rmsNormEps: number;
  /** RoPE base. */
  ropeTheta: number;
  /** Whether lm_head is the embedding matrix. */
  tieWordEmbeddings: boolean;
}

/** One decoder layer's weights, PyTorch layout (`[out, in]`), q/k rows in rotate_half order. */
export interface LlamaLayerWeights {
  /** [hidden] */
  inputNorm: Float32Array;
  /** [heads*headDim, hidden] */
  q: Float32Array;
  /** [kvHeads*headDim, hidden] */
  k: Float32Array;
  /** [kvHeads*headDim, hidden] */
  v: Float32Array;
  /** [hidden, heads*headDim] */
  o: Float32Array;
  /** [hidden] */
  postNorm: Float32Array;
  /** [intermediate, hidden] */
  gate: Float32Array;
  /** [intermediate, hidden] */
  up: Float32Array;
  /** [hidden, intermediate] */
  down: Float32Array;
}

/** All weights of a Llama model. */
export interface LlamaWeights {
  /** [vocab, hidden] */
  embed: Float32Array;
  /** One entry per layer. */
  layers: LlamaLayerWeights[];
  /** [hidden] */
  finalNorm: Float32Array;
  /** [vocab, hidden]; required when the config is untied, ignored when tied. */
  lmHead?: Float32Array;
  /**
   * RoPE tables `[maxPositions, headDim/2]` (cos and sin of pos·θ^(-2j/headDim)).
   * Computed from `ropeTheta` when absent (in float64, then rounded).
   */
  rope?: { cos: Float32Array; sin: Float32Array };
}

/** Options of {@link buildLlamaOnnx}. */
export interface LlamaBuildOptions {
  /** Storage type of weights and of past/present/logits. Default `float32`. */
  dtype?: 'float32' | 'float16';
  /** Whether the graph takes `position_ids` (default true); without it positions are past..past+s-1. */
  positionIds?: boolean;
  /** Passed to the writer (external data). */
  encode?: EncodeOptions;
}

/** Checks a config; throws `InvalidArgumentError` naming the bad field. */
export function checkLlamaConfig(c: LlamaConfig): void {
  const positive = ['vocabSize', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'maxPositions'] as const;
  for (const k of positive) {
    if (!Number.isInteger(c[k]) || c[k] <= 0) throw new InvalidArgumentError(`llama config: ${k} must be a positive integer, got ${c[k]}`);
  }
  if (c.numHeads % c.numKvHeads !== 0) throw new InvalidArgumentError(`llama config: numKvHeads ${c.numKvHeads} does not divide numHeads ${c.numHeads}`);
  if (c.headDim % 2 !== 0) throw new InvalidArgumentError(`llama config: headDim ${c.headDim} must be even for RoPE`);
}

/** Checks that every weight array has the size the config implies. */
function checkWeights(c: LlamaConfig, w: LlamaWeights): void {
  const H = c.hiddenSize, qd = c.numHeads * c.headDim, kd = c.numKvHeads * c.headDim, I = c.intermediateSize;
  const expect = (name: string, a: Float32Array | undefined, n: number): void => {
    if (!a || a.length !== n) throw new InvalidArgumentError(`llama weights: ${name} has ${a?.length ?? 'no'} elements, expected ${n}`);
  };
  expect('embed', w.embed, c.vocabSize * H);
  if (w.layers.length !== c.numLayers) throw new InvalidArgumentError(`llama weights: ${w.layers.length} layers, config says ${c.numLayers}`);
  w.layers.forEach((l, i) => {
    expect(`layers.${i}.inputNorm`, l.inputNorm, H);
    expect(`layers.${i}.q`, l.q, qd * H);
    expect(`layers.${i}.k`, l.k, kd * H);
    expect(`layers.${i}.v`, l.v, kd * H);
    expect(`layers.${i}.o`, l.o, H * qd);
    expect(`layers.${i}.postNorm`, l.postNorm, H);
    expect(`layers.${i}.gate`, l.gate, I * H);
    expect(`layers.${i}.up`, l.up, I * H);
    expect(`layers.${i}.down`, l.down, H * I);
  });
  expect('finalNorm', w.finalNorm, H);
  if (!c.tieWordEmbeddings) expect('lmHead', w.lmHead, c.vocabSize * H);
  if (w.rope) {
    expect('rope.cos', w.rope.cos, c.maxPositions * (c.headDim / 2));
    expect('rope.sin', w.rope.sin, c.maxPositions * (c.headDim / 2));
  }
}

/** Transposes a row-major [rows, cols] matrix. */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c]!;
  return t;
}

/** RoPE tables [maxPos, headDim] in rotate_half layout: each half-table written twice. */
function ropeTables(c: LlamaConfig, rope: LlamaWeights['rope']): { cos: Float32Array; sin: Float32Array } {
  const half = c.headDim / 2, D = c.headDim, P = c.maxPositions;
  const cos = new Float32Array(P * D), sin = new Float32Array(P * D);
  for (let p = 0; p < P; p++) {
    for (let j = 0; j < half; j++) {
      let cv: number, sv: number;
      if (rope) {
        cv = rope.cos[p * half + j]!;
        sv = rope.sin[p * half + j]!;
      } else {
        const angle = p * Math.pow(c.ropeTheta, (-2 * j) / D);
        cv = Math.cos(angle);
        sv = Math.sin(angle);
      }
      cos[p * D + j] = cv;
      cos[p * D + j + half] = cv;
      sin[p * D + j] = sv;
      sin[p * D + j + half] = sv;
    }
  }
  return { cos, sin };
}

/** Builds the ONNX graph (not yet encoded) of a Llama model. */
export function buildLlamaGraph(c: LlamaConfig, w: LlamaWeights, options: LlamaBuildOptions = {}): OnnxModel {
  checkLlamaConfig(c);
  checkWeights(c, w);
  const fp16 = options.dtype === 'float16';
  const ioType = fp16 ? OnnxDataType.FLOAT16 : OnnxDataType.FLOAT;
  const g = new GraphBuilder();
  const H = c.hiddenSize, D = c.headDim, nH = c.numHeads, nKv = c.numKvHeads, I = c.intermediateSize;
  const rep = nH / nKv;

  /** A weight initializer usable as fp32 inside the graph. */
  const weight = (name: string, dims: number[], data: Float32Array): string => {
    if (!fp16) return g.weight(name, dims, data);
    const half = float32ToHalf(data);
    g.tensor(name, OnnxDataType.FLOAT16, dims, new Uint8Array(half.buffer));
    return g.op('Cast', [name], { to: OnnxDataType.FLOAT }, `${name}.f32`);
  };
  const i64 = (...v: number[]): string => g.int64(v);

  // Inputs.
  const inputIds = g.input('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
  const attnMask = g.input('attention_mask', OnnxDataType.INT64, ['batch_size', 'total_sequence_length']);
  const withPositions = options.positionIds ?? true;
  const positionInput = withPositions ? g.input('position_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']) : '';
  const pasts: Array<[string, string]> = [];
  for (let l = 0; l < c.numLayers; l++) {
    const shape = ['batch_size', nKv, 'past_sequence_length', D];
    pasts.push([
      g.input(`past_key_values.${l}.key`, ioType, shape),
      g.input(`past_key_values.${l}.value`, ioType, shape),
    ]);
  }

  // Embedding.
  const embed = weight('model.embed_tokens.weight', [c.vocabSize, H], w.embed);
  let x = g.op('Gather', [embed, inputIds], { axis: 0 });

  // Additive attention bias [b,1,s,T]: key j visible to query i iff j <= past + i and attention_mask[b,j] = 1.
  g.scope = 'mask';
  const one = g.int64([1], true), zero = g.int64([0], true);
  const T = g.op('Gather', [g.op('Shape', [attnMask]), one], { axis: 0 });
  const S = g.op('Gather', [g.op('Shape', [inputIds]), one], { axis: 0 });
  const P = g.op('Sub', [T, S]);
  const qRange = g.op('Range', [P, T, one]); // [s]: cache index of each query
  const qIdx = g.op('Unsqueeze', [qRange, i64(1)]); // [s,1]
  const kIdx = g.op('Unsqueeze', [g.op('Range', [zero, T, one]), i64(0)]); // [1,T]
  const causal = g.op('LessOrEqual', [kIdx, qIdx]); // [s,T]
  const pad = g.op('Unsqueeze', [g.op('Cast', [attnMask], { to: OnnxDataType.BOOL }), i64(1, 2)]); // [b,1,1,T]
  const allowed = g.op('And', [causal, pad]); // [b,1,s,T]
  // A large finite negative (not -inf) so a fully masked row (left padding) gives a uniform row, not NaN.
  const bias = g.op('Where', [allowed, g.float(0), g.float(-1e30)]);
  // Without a position_ids input, positions are the cache indices past..past+s-1: [1,s].
  const positionIds = withPositions ? positionInput : g.op('Unsqueeze', [qRange, i64(0)]);

  // Grouped-query attention without copying K/V: query head h = kvHead*rep + r, so q viewed as
  // [b, kv, rep*s, D] meets K/V [b, kv, T, D] directly; row r*s+i of a group needs bias row i,
  // hence the bias tiled rep times along that axis (once per run, not per layer).
  const groupBias = rep === 1 ? bias : g.op('Tile', [bias, i64(1, 1, rep, 1)]); // [b,1,rep*s,T]

  // RoPE cos/sin for the given positions, [b,s,1,D], applied in [b,s,heads,D] layout.
  // rotate_half(x) = x·R with R a signed permutation: (x·R)[j] = -x[j+D/2] (j < D/2), x[j-D/2] (j >= D/2).
  const rope = ropeTables(c, w.rope);
  g.scope = 'rope';
  const cosTable = g.weight('rope.cos_cached', [c.maxPositions, D], rope.cos);
  const sinTable = g.weight('rope.sin_cached', [c.maxPositions, D], rope.sin);
  const cos = g.op('Unsqueeze', [g.op('Gather', [cosTable, positionIds], { axis: 0 }), i64(2)]);
  const sin = g.op('Unsqueeze', [g.op('Gather', [sinTable, positionIds], { axis: 0 }), i64(2)]);
  const rot = new Float32Array(D * D);
  for (let j = 0; j < D / 2; j++) {
    rot[(j + D / 2) * D + j] = -1;
    rot[j * D + j + D / 2] = 1;
  }
  const rotMatrix = g.weight('rope.rotate_half', [D, D], rot);
  const applyRope = (t: string): string =>
    g.op('Add', [g.op('Mul', [t, cos]), g.op('Mul', [g.op('MatMul', [t, rotMatrix]), sin])]);
  const rmsNorm = (t: string, wName: string): string => {
    // Pow → ReduceMean → Add → Sqrt → Div → Mul: the pattern ORT fuses into SimplifiedLayerNormalization.
    const ms = g.op('ReduceMean', [g.op('Pow', [t, g.float(2)])], { axes: [-1], keepdims: 1 });
    const rms = g.op('Sqrt', [g.op('Add', [ms, g.float(c.rmsNormEps)])]);
    return g.op('Mul', [g.op('Div', [t, rms]), wName]);
  };
  /** Concatenates row-major matrices with equal row counts side by side: [rows, Σcols]. */
  const hcat = (rows: number, parts: Array<[Float32Array, number]>, scale: number[]): Float32Array => {
    const total = parts.reduce((a, [, cols]) => a + cols, 0);
    const out = new Float32Array(rows * total);
    for (let r = 0; r < rows; r++) {
      let off = r * total;
      parts.forEach(([m, cols], i) => {
        for (let j = 0; j < cols; j++) out[off + j] = m[r * cols + j]! * scale[i]!;
        off += cols;
      });
    }
    return out;
  };

  const qkHeads = nH + nKv;
  const presents: Array<[string, string]> = [];
  for (let l = 0; l < c.numLayers; l++) {
    const lw = w.layers[l]!;
    const p = `model.layers.${l}`;
    g.scope = `layers.${l}`;
    const n1 = weight(`${p}.input_layernorm.weight`, [H], lw.inputNorm);
    // q, k, v projections fused into one MatMul; 1/√D folded into the q columns (RoPE is linear).
    const qkv = hcat(H, [[transpose(lw.q, nH * D, H), nH * D], [transpose(lw.k, nKv * D, H), nKv * D], [transpose(lw.v, nKv * D, H), nKv * D]], [1 / Math.sqrt(D), 1, 1]);
    const wqkv = weight(`${p}.self_attn.qkv_proj.weight_t`, [H, (nH + 2 * nKv) * D], qkv);
    const wo = weight(`${p}.self_attn.o_proj.weight_t`, [nH * D, H], transpose(lw.o, H, nH * D));
    const n2 = weight(`${p}.post_attention_layernorm.weight`, [H], lw.postNorm);
    const gu = hcat(H, [[transpose(lw.gate, I, H), I], [transpose(lw.up, I, H), I]], [1, 1]);
    const wgu = weight(`${p}.mlp.gate_up_proj.weight_t`, [H, 2 * I], gu);
    const wd = weight(`${p}.mlp.down_proj.weight_t`, [I, H], transpose(lw.down, H, I));

    const h = rmsNorm(x, n1);
    const [qkFlat, vFlat] = g.opN('Split', [g.op('MatMul', [h, wqkv]), i64(qkHeads * D, nKv * D)], 2, { axis: -1 });
    const qk = applyRope(g.op('Reshape', [qkFlat!, i64(0, 0, qkHeads, D)])); // [b,s,nH+kv,D]
    const [qS, kS] = g.opN('Split', [qk, i64(nH, nKv)], 2, { axis: 2 });
    const q = g.op('Transpose', [qS!], { perm: [0, 2, 1, 3] }); // [b,nH,s,D], pre-scaled
    const k = g.op('Transpose', [kS!], { perm: [0, 2, 1, 3] }); // [b,kv,s,D]
    const v = g.op('Transpose', [g.op('Reshape', [vFlat!, i64(0, 0, nKv, D)])], { perm: [0, 2, 1, 3] });
    const [pastK, pastV] = pasts[l]!;
    const pk = fp16 ? g.op('Cast', [pastK], { to: OnnxDataType.FLOAT }) : pastK;
    const pv = fp16 ? g.op('Cast', [pastV], { to: OnnxDataType.FLOAT }) : pastV;
    const keys = g.op('Concat', [pk, k], { axis: 2 }); // [b,kv,T,D]
    const values = g.op('Concat', [pv, v], { axis: 2 });
    presents.push([keys, values]);

    const qg = rep === 1 ? q : g.op('Reshape', [q, i64(0, nKv, -1, D)]); // [b,kv,rep*s,D]
    const kt = g.op('Transpose', [keys], { perm: [0, 1, 3, 2] }); // [b,kv,D,T]
    const scores = g.op('Add', [g.op('MatMul', [qg, kt]), groupBias]); // [b,kv,rep*s,T]
    const probs = g.op('Softmax', [scores], { axis: -1 });
    let ctx = g.op('MatMul', [probs, values]); // [b,kv,rep*s,D]
    if (rep !== 1) ctx = g.op('Reshape', [ctx, i64(0, nH, -1, D)]); // [b,nH,s,D]
    const merged = g.op('Reshape', [g.op('Transpose', [ctx], { perm: [0, 2, 1, 3] }), i64(0, 0, nH * D)]);
    x = g.op('Add', [x, g.op('MatMul', [merged, wo])]);

    const h2 = rmsNorm(x, n2);
    const [gate, up] = g.opN('Split', [g.op('MatMul', [h2, wgu]), i64(I, I)], 2, { axis: -1 });
    const act = g.op('Mul', [gate!, g.op('Sigmoid', [gate!])]);
    x = g.op('Add', [x, g.op('MatMul', [g.op('Mul', [act, up!]), wd])]);
  }

  g.scope = 'head';
  const fn = weight('model.norm.weight', [H], w.finalNorm);
  const head = c.tieWordEmbeddings
    ? g.op('Transpose', [embed], { perm: [1, 0] })
    : weight('lm_head.weight_t', [H, c.vocabSize], transpose(w.lmHead!, c.vocabSize, H));
  let logits = g.op('MatMul', [rmsNorm(x, fn), head]);
  if (fp16) logits = g.op('Cast', [logits], { to: OnnxDataType.FLOAT16 });
  g.output('logits', logits, ioType, ['batch_size', 'sequence_length', c.vocabSize]);
  for (let l = 0; l < c.numLayers; l++) {
    const shape = ['batch_size', nKv, 'total_sequence_length', D];
    for (const [i, kind] of ['key', 'value'].entries()) {
      let v = presents[l]![i]!;
      if (fp16) v = g.op('Cast', [v], { to: OnnxDataType.FLOAT16 });
      g.output(`present.${l}.${kind}`, v, ioType, shape);
    }
  }
  return g.build('llama');
}

/** Builds and encodes a Llama model to ONNX bytes. */
export function buildLlamaOnnx(c: LlamaConfig, w: LlamaWeights, options: LlamaBuildOptions = {}): EncodedOnnxModel {
  return encodeOnnxModel(buildLlamaGraph(c, w, options), options.encode);
}

/**
 * Seeded random weights for `c`: embedding uniform in ±1, projections uniform
 * in ±1/√fan_in (PyTorch's `Linear` default range), norms 1. The same seed and
 * config always give the same floats, hence byte-identical ONNX files.
 */
export function randomLlamaWeights(c: LlamaConfig, seed: number): LlamaWeights {
  checkLlamaConfig(c);
  const rng = new Rng(seed);
  const uniform = (n: number, scale: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = (rng.nextFloat() * 2 - 1) * scale;
    return a;
  };
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  const H = c.hiddenSize, qd = c.numHeads * c.headDim, kd = c.numKvHeads * c.headDim, I = c.intermediateSize;
  const layers: LlamaLayerWeights[] = [];
  for (let l = 0; l < c.numLayers; l++) {
    layers.push({
      inputNorm: ones(H),
      q: uniform(qd * H, 1 / Math.sqrt(H)),
      k: uniform(kd * H, 1 / Math.sqrt(H)),
      v: uniform(kd * H, 1 / Math.sqrt(H)),
      o: uniform(H * qd, 1 / Math.sqrt(qd)),
      postNorm: ones(H),
      gate: uniform(I * H, 1 / Math.sqrt(H)),
      up: uniform(I * H, 1 / Math.sqrt(H)),
      down: uniform(H * I, 1 / Math.sqrt(I)),
    });
  }
  const embed = uniform(c.vocabSize * H, 1);
  const w: LlamaWeights = { embed, layers, finalNorm: ones(H) };
  if (!c.tieWordEmbeddings) w.lmHead = uniform(c.vocabSize * H, 1 / Math.sqrt(H));
  return w;
}

/** The HF `config.json` object describing a model built from `c`. */
export function llamaConfigJson(
  c: LlamaConfig,
  ids: { bos: number; eos: number | number[]; pad?: number },
  dtype: 'float32' | 'float16' = 'float32',
): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: c.vocabSize,
    hidden_size: c.hiddenSize,
    intermediate_size: c.intermediateSize,
    num_hidden_layers: c.numLayers,
    num_attention_heads: c.numHeads,
    num_key_value_heads: c.numKvHeads,
    head_dim: c.headDim,
    hidden_act: 'silu',
    max_position_embeddings: c.maxPositions,
    rms_norm_eps: c.rmsNormEps,
    rope_theta: c.ropeTheta,
    tie_word_embeddings: c.tieWordEmbeddings,
    bos_token_id: ids.bos,
    eos_token_id: ids.eos,
    ...(ids.pad !== undefined ? { pad_token_id: ids.pad } : {}),
    torch_dtype: dtype,
  };
}
