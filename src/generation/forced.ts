/**
 * Jump-forward tokens: the text the constraint forces next, as token ids
 * that spell exactly those bytes. The tokenizer's own encoding of the text is
 * used when it spells them (canonical tokenization); when it does not (a
 * SentencePiece tokenizer adds its dummy-prefix space `▁` to a text encoded
 * on its own), the bytes are split greedily into the longest tokens. The last
 * token is left out when more text may follow (it could merge with it), and
 * every id returned is accepted in sequence from the matcher's state.
 */
import { completeUtf8Length } from '../util/utf8.js';
import type { Matcher } from '../matcher/matcher.js';
import type { Vocabulary } from '../vocab/vocabulary.js';
import { idsBytes } from './prompt.js';

/** Token bytes (latin1 string) → lowest id, and the longest token length, per vocabulary. */
const tables = new WeakMap<Vocabulary, { byKey: Map<string, number>; longest: number }>();

function tableOf(vocab: Vocabulary): { byKey: Map<string, number>; longest: number } {
  let t = tables.get(vocab);
  if (t) return t;
  const byKey = new Map<string, number>();
  let longest = 0;
  for (let id = 0; id < vocab.tokenizerSize; id++) {
    if (vocab.isSpecial(id)) continue;
    const b = vocab.tokenBytes(id);
    if (b.length === 0) continue;
    const key = Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
    if (!byKey.has(key)) byKey.set(key, id);
    if (b.length > longest) longest = b.length;
  }
  t = { byKey, longest };
  tables.set(vocab, t);
  return t;
}

/** Forced texts recur (keys, punctuation): their spellings are cached per vocabulary. */
const spellings = new WeakMap<Vocabulary, Map<string, number[]>>();
const MAX_SPELLINGS = 4096;

/** Token ids spelling `bytes` exactly: the tokenizer's encoding when it does, else greedy. */
function spell(vocab: Vocabulary, bytes: Uint8Array): number[] {
  let cache = spellings.get(vocab);
  if (!cache) spellings.set(vocab, (cache = new Map()));
  const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  const hit = cache.get(key);
  if (hit) return hit.slice();
  let ids = vocab.encode(Buffer.from(bytes).toString('utf8'), { addSpecialTokens: false });
  if (!sameBytes(idsBytes(vocab, ids), bytes)) ids = greedyTokens(vocab, bytes) ?? [];
  if (cache.size >= MAX_SPELLINGS) cache.clear();
  cache.set(key, ids.slice());
  return ids;
}

/** Greedy longest-match split of `bytes` into tokens; null when some byte has no token. */
export function greedyTokens(vocab: Vocabulary, bytes: Uint8Array): number[] | null {
  const { byKey, longest } = tableOf(vocab);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: number[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    let len = Math.min(longest, bytes.length - pos);
    let found = -1;
    for (; len > 0; len--) {
      const id = byKey.get(buf.toString('latin1', pos, pos + len));
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

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Takes the forced continuation of `m` (see the module doc): accepts at most
 * `max` forced tokens into `m` and returns their ids ([] when nothing is
 * forced). No fork: tokens accepted and then left out are rolled back.
 */
export function takeForced(m: Matcher, vocab: Vocabulary, max: number): number[] {
  if (max <= 0) return [];
  const all = m.forcedBytes();
  if (all.length === 0) return [];
  const end = completeUtf8Length(all);
  if (end === 0) return [];
  const bytes = all.subarray(0, end);
  let ids = spell(vocab, bytes);
  // Cut at the budget: generation ends there, so no later text can merge with the last token.
  const cut = ids.length > max;
  if (cut) ids = ids.slice(0, max);
  let n = 0;
  while (n < ids.length && m.acceptToken(ids[n]!)) n++;
  // The last token could merge with what follows: keep it only when nothing can follow.
  let keep: number;
  if (cut && n === ids.length) keep = n;
  else if (n < ids.length) keep = Math.max(0, n - 1);
  else keep = end === all.length && !canContinue(m) ? n : n - 1;
  if (n > keep) m.rollback(n - keep);
  return ids.slice(0, keep);
}

/** The forced continuation of `m` as token ids, leaving `m` unchanged (a fork takes them). */
export function forcedIds(m: Matcher, vocab: Vocabulary): number[] {
  return takeForced(m.fork(), vocab, Infinity);
}

/**
 * Whether some byte can follow. A state that is not accepting can always
 * continue (a matcher never gets stuck through accepted tokens), so only an
 * accepting state is probed, byte by byte.
 */
function canContinue(m: Matcher): boolean {
  if (!m.isAccepting()) return true;
  for (let b = 0; b < 256; b++) {
    if (m.acceptString(Uint8Array.of(b))) {
      m.rollback(1);
      return true;
    }
  }
  return false;
}
