/** Top-N log-probabilities, for reporting where a constraint overrode the model. */

/** The N most likely ids (log-probability desc, id asc on ties) with their log-probabilities. */
export interface TopLogprobs {
  /** Token ids. */
  ids: Int32Array;
  /** Their log-probabilities (same order). */
  logprobs: Float32Array;
}

/**
 * The `n` largest entries of `logprobs` (any per-id scores; usually
 * {@link logSoftmax} output), skipping `-Infinity`. O(V·n) with a small
 * insertion buffer, which beats sorting for the n ≤ 20 used in practice.
 */
export function topLogprobs(logprobs: Float32Array, n: number): TopLogprobs {
  const k = Math.max(0, Math.min(n, logprobs.length));
  const ids = new Int32Array(k);
  const vals = new Float32Array(k).fill(-Infinity);
  let filled = 0;
  for (let i = 0; i < logprobs.length; i++) {
    const v = logprobs[i]!;
    if (v === -Infinity || v !== v) continue;
    if (filled === k && !(v > vals[k - 1]!)) continue;
    // Insert (v, i) keeping descending order; equal values keep the earlier (lower) id first.
    let j = filled < k ? filled++ : k - 1;
    while (j > 0 && vals[j - 1]! < v) {
      vals[j] = vals[j - 1]!;
      ids[j] = ids[j - 1]!;
      j--;
    }
    vals[j] = v;
    ids[j] = i;
  }
  return { ids: ids.subarray(0, filled), logprobs: vals.subarray(0, filled) };
}
