/**
 * Applying a token bitmask to logits. Layout (XGrammar / llguidance): bit
 * `id & 31` of word `id >>> 5` is 1 when token `id` is allowed. Ids the mask
 * does not cover (`id >= mask.length * 32`) and padding ids (`id >= limit`,
 * when the logits are wider than the tokenizer) are forbidden.
 */

/**
 * Sets every forbidden logit to `-Infinity`, in place, and returns the number
 * of allowed ids. `limit` (default: the logits' length) is the number of real
 * token ids; logits at or beyond it are always forbidden.
 */
export function applyBitmask(logits: Float32Array, mask: Uint32Array, limit: number = logits.length): number {
  const n = logits.length;
  const end = Math.min(n, limit, mask.length * 32);
  let allowed = 0;
  let id = 0;
  for (let w = 0; id < end; w++) {
    const word = mask[w]!;
    const stop = Math.min(end, id + 32);
    if (word === 0xffffffff && stop - id === 32) {
      allowed += 32;
      id += 32;
      continue;
    }
    for (let b = 0; id < stop; b++, id++) {
      if ((word >>> b) & 1) allowed++;
      else logits[id] = -Infinity;
    }
  }
  for (; id < n; id++) logits[id] = -Infinity;
  return allowed;
}

/** Whether `id` is allowed by `mask` (false beyond the mask's coverage). */
export function isAllowed(mask: Uint32Array, id: number): boolean {
  const w = id >>> 5;
  return w < mask.length && ((mask[w]! >>> (id & 31)) & 1) === 1;
}
