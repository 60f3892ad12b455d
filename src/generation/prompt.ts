/**
 * Prompt and prefill tokenization. The prefill (text the answer must start
 * with) is tokenized as the model would see it after the prompt: the ids that
 * `encode(prompt + prefill)` adds after `encode(prompt)`. When the two do not
 * line up (a merge across the boundary) or the ids do not spell the prefill's
 * bytes exactly (a SentencePiece dummy prefix), the prefill alone is encoded,
 * and as a last resort its bytes are split greedily into the longest tokens,
 * so the forced bytes are always exactly the prefill.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Vocabulary } from '../vocab/vocabulary.js';

const enc = new TextEncoder();

/** Concatenated bytes of `ids`. */
export function idsBytes(vocab: Vocabulary, ids: readonly number[]): Uint8Array {
  let n = 0;
  for (const id of ids) n += vocab.tokenBytes(id).length;
  const out = new Uint8Array(n);
  let off = 0;
  for (const id of ids) {
    const b = vocab.tokenBytes(id);
    out.set(b, off);
    off += b.length;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Ids of a text prompt. With `addSpecialTokens` the tokenizer's post-processor
 * adds BOS (Llama); when it adds nothing and the model has a BOS, BOS is
 * prepended so the model sees a start of sequence. An empty prompt gives
 * `[BOS]`; without BOS it is an `InvalidArgumentError`.
 */
export function encodePrompt(vocab: Vocabulary, text: string, addSpecialTokens: boolean, bos: number | null): number[] {
  const ids = text.length ? vocab.encode(text, { addSpecialTokens }) : [];
  if (addSpecialTokens && bos !== null && ids[0] !== bos) ids.unshift(bos);
  if (ids.length === 0) throw new InvalidArgumentError('empty prompt and the model has no BOS token: give a prompt');
  return ids;
}

/** Greedy longest-match split of `bytes` into non-special tokens; null when some byte has no token. */
function greedyBytes(vocab: Vocabulary, bytes: Uint8Array): number[] | null {
  const byKey = new Map<string, number>();
  let longest = 0;
  for (let id = 0; id < vocab.tokenizerSize; id++) {
    if (vocab.isSpecial(id)) continue;
    const b = vocab.tokenBytes(id);
    if (b.length === 0) continue;
    const key = Buffer.from(b).toString('latin1');
    if (!byKey.has(key)) byKey.set(key, id);
    if (b.length > longest) longest = b.length;
  }
  const out: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let found = -1;
    let len = Math.min(longest, bytes.length - pos);
    for (; len > 0; len--) {
      const id = byKey.get(Buffer.from(bytes.subarray(pos, pos + len)).toString('latin1'));
      if (id !== undefined) {
        found = id;
        break;
      }
    }
    if (found < 0) return null;
    out.push(found);
    pos += len;
  }
  return out;
}

/**
 * Ids of `prefill` following a prompt of text `promptText` encoded as
 * `promptIds` (see the module doc). Their bytes are exactly the prefill's
 * UTF-8; `InvalidArgumentError` when the vocabulary cannot spell it.
 */
export function encodePrefill(vocab: Vocabulary, promptText: string, promptIds: readonly number[], prefill: string, addSpecialTokens: boolean): number[] {
  if (prefill.length === 0) return [];
  const want = enc.encode(prefill);
  const full = vocab.encode(promptText + prefill, { addSpecialTokens });
  // The prompt ids may carry a BOS that encoding the text does not add.
  for (const p of [promptIds, promptIds.slice(1)]) {
    if (full.length > p.length && p.every((id, i) => full[i] === id)) {
      const rest = full.slice(p.length);
      if (sameBytes(idsBytes(vocab, rest), want)) return rest;
    }
  }
  const alone = vocab.encode(prefill, { addSpecialTokens: false });
  if (sameBytes(idsBytes(vocab, alone), want)) return alone;
  const greedy = greedyBytes(vocab, want);
  if (!greedy) throw new InvalidArgumentError(`prefill ${JSON.stringify(prefill)} cannot be spelled with the vocabulary's tokens`);
  return greedy;
}
