/**
 * A slow, independent Llama forward pass (plain loops, float64), used as the
 * oracle for the ONNX graph the builder writes. Full recompute, no KV cache.
 */
import type { LlamaConfig, LlamaWeights } from '../../src/decode/llama-builder.js';

/** y[out] = W[out,in] · x[in] */
function matvec(w: Float32Array, x: Float64Array, out: number, inp: number): Float64Array {
  const y = new Float64Array(out);
  for (let o = 0; o < out; o++) {
    let s = 0;
    for (let i = 0; i < inp; i++) s += w[o * inp + i]! * x[i]!;
    y[o] = s;
  }
  return y;
}

function rmsNorm(x: Float64Array, w: Float32Array, eps: number): Float64Array {
  let ss = 0;
  for (const v of x) ss += v * v;
  const inv = 1 / Math.sqrt(ss / x.length + eps);
  return x.map((v, i) => v * inv * w[i]!);
}

/** Logits [ids.length][vocab] of the model on `ids` (positions 0..n-1). */
export function referenceLogits(c: LlamaConfig, w: LlamaWeights, ids: number[]): Float64Array[] {
  const H = c.hiddenSize, D = c.headDim, nH = c.numHeads, nKv = c.numKvHeads, I = c.intermediateSize, half = D / 2;
  const n = ids.length;
  let xs = ids.map((id) => Float64Array.from(w.embed.subarray(id * H, (id + 1) * H)));
  const rope = (v: Float64Array, heads: number, pos: number): Float64Array => {
    const out = new Float64Array(v.length);
    for (let h = 0; h < heads; h++) {
      for (let j = 0; j < half; j++) {
        const ang = pos * Math.pow(c.ropeTheta, (-2 * j) / D);
        const a = v[h * D + j]!, b = v[h * D + j + half]!;
        out[h * D + j] = a * Math.cos(ang) - b * Math.sin(ang);
        out[h * D + j + half] = b * Math.cos(ang) + a * Math.sin(ang);
      }
    }
    return out;
  };
  for (const l of w.layers) {
    const hs = xs.map((x) => rmsNorm(x, l.inputNorm, c.rmsNormEps));
    const q = hs.map((h, p) => rope(matvec(l.q, h, nH * D, H), nH, p));
    const k = hs.map((h, p) => rope(matvec(l.k, h, nKv * D, H), nKv, p));
    const v = hs.map((h) => matvec(l.v, h, nKv * D, H));
    xs = xs.map((x, p) => {
      const ctx = new Float64Array(nH * D);
      for (let h = 0; h < nH; h++) {
        const kvh = Math.floor(h / (nH / nKv));
        const scores: number[] = [];
        for (let j = 0; j <= p; j++) {
          let s = 0;
          for (let d = 0; d < D; d++) s += q[p]![h * D + d]! * k[j]![kvh * D + d]!;
          scores.push(s / Math.sqrt(D));
        }
        const m = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= p; j++) for (let d = 0; d < D; d++) ctx[h * D + d] += (e[j]! / z) * v[j]![kvh * D + d]!;
      }
      const attn = matvec(l.o, ctx, H, nH * D);
      const x2 = x.map((val, i) => val + attn[i]!);
      const h2 = rmsNorm(x2, l.postNorm, c.rmsNormEps);
      const g = matvec(l.gate, h2, I, H);
      const u = matvec(l.up, h2, I, H);
      const act = g.map((gv, i) => (gv / (1 + Math.exp(-gv))) * u[i]!);
      const ff = matvec(l.down, act, H, I);
      return x2.map((val, i) => val + ff[i]!);
    });
  }
  const head = c.tieWordEmbeddings ? w.embed : w.lmHead!;
  return xs.map((x) => matvec(head, rmsNorm(x, w.finalNorm, c.rmsNormEps), c.vocabSize, H));
}
