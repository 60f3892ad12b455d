/**
 * Reads a tokenizer.json's model and decoder sections and decides how a
 * token string maps to the bytes it contributes to text: byte-level BPE
 * (GPT-2 byte map) or SentencePiece style (`▁` is a space, `<0xNN>` one byte).
 * Anything else is a {@link TokenizerLoadError}: a wrong byte map would make
 * every mask silently wrong.
 */
import { TokenizerLoadError } from '../errors.js';
import { utf8Encode } from '../util/utf8.js';

/** How token strings become bytes. */
export interface ByteRules {
  /** `byte-level`: every code point is one byte via the GPT-2 map; `sentencepiece`: UTF-8 text with replacements. */
  readonly kind: 'byte-level' | 'sentencepiece';
  /** String replacements the decoder applies to each token, in order (SentencePiece: `▁` -> space). */
  readonly replacements: readonly ByteReplacement[];
  /** Whether a token spelled `<0xNN>` is the single byte 0xNN. */
  readonly byteFallback: boolean;
}

/** Replace every occurrence of `from` by `to`, left to right. */
export interface ByteReplacement {
  readonly from: Uint8Array;
  readonly to: Uint8Array;
}

/** Model types whose vocabulary we can read. */
export type ModelType = 'BPE' | 'Unigram';

/** Decoders that only act on whole sequences or join tokens, not on each token's bytes. */
const NeutralDecoders = new Set(['Fuse', 'Strip']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The model section and its type; throws for a missing section or an unknown type. */
export function readModel(head: Record<string, unknown>, file: string): { model: Record<string, unknown>; type: ModelType } {
  const model = head.model;
  if (!isObject(model)) throw new TokenizerLoadError(file, 'no "model" object');
  const type = model.type ?? 'BPE';
  if (type !== 'BPE' && type !== 'Unigram') {
    throw new TokenizerLoadError(file, `unknown model type ${JSON.stringify(type)} (supported: BPE, Unigram)`);
  }
  return { model, type };
}

/** Flattens `Sequence` decoders / pre-tokenizers into their parts. */
function flatten(node: unknown, listKey: string, out: Record<string, unknown>[]): Record<string, unknown>[] {
  if (!isObject(node)) return out;
  if (node.type === 'Sequence') {
    const parts = node[listKey];
    if (Array.isArray(parts)) for (const p of parts) flatten(p, listKey, out);
  } else out.push(node);
  return out;
}

/** Decides the byte rules of a tokenizer.json (its parsed head; merges are not needed). */
export function detectByteRules(head: Record<string, unknown>, file: string): ByteRules {
  const { model } = readModel(head, file);
  let byteLevel = false;
  let byteFallback = model.byte_fallback === true;
  let sawSentencePiece = false;
  const replacements: ByteReplacement[] = [];
  for (const d of flatten(head.decoder, 'decoders', [])) {
    const type = d.type;
    if (type === 'ByteLevel') byteLevel = true;
    else if (type === 'ByteFallback') {
      byteFallback = true;
      sawSentencePiece = true;
    } else if (type === 'Replace') {
      const pattern = d.pattern;
      if (!isObject(pattern) || typeof pattern.String !== 'string' || typeof d.content !== 'string') {
        throw new TokenizerLoadError(file, `unsupported Replace decoder ${JSON.stringify(pattern)} (only string patterns are supported)`);
      }
      if (pattern.String.length === 0) throw new TokenizerLoadError(file, 'Replace decoder with an empty pattern');
      replacements.push({ from: utf8Encode(pattern.String), to: utf8Encode(d.content) });
      sawSentencePiece = true;
    } else if (type === 'Metaspace') {
      const rep = typeof d.replacement === 'string' ? d.replacement : '▁';
      replacements.push({ from: utf8Encode(rep), to: utf8Encode(' ') });
      sawSentencePiece = true;
    } else if (typeof type === 'string' && NeutralDecoders.has(type)) {
      // Joins tokens or trims the whole text: no effect on a token's bytes.
    } else {
      throw new TokenizerLoadError(file, `unsupported decoder type ${JSON.stringify(type)} (supported: ByteLevel, Replace, ByteFallback, Metaspace, Fuse, Strip)`);
    }
  }
  if (byteLevel && sawSentencePiece) {
    throw new TokenizerLoadError(file, 'decoder mixes ByteLevel with SentencePiece decoders (Replace/ByteFallback/Metaspace)');
  }
  if (!byteLevel && !sawSentencePiece && head.decoder == null) {
    // No decoder: a ByteLevel pre-tokenizer still fixes the byte map.
    byteLevel = flatten(head.pre_tokenizer, 'pretokenizers', []).some((p) => p.type === 'ByteLevel');
  }
  if (byteLevel) return { kind: 'byte-level', replacements: [], byteFallback: false };
  if (sawSentencePiece || byteFallback) return { kind: 'sentencepiece', replacements, byteFallback };
  throw new TokenizerLoadError(file, `cannot tell how tokens map to bytes: decoder ${JSON.stringify(head.decoder ?? null)} has no ByteLevel, Replace, Metaspace or ByteFallback part`);
}
