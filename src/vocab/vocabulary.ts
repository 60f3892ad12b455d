/**
 * The vocabulary of a model: token id -> exact bytes, special and EOS ids,
 * the flat token trie, and encode/decode through `@huggingface/tokenizers`.
 *
 * Byte strings are computed here from the vocabulary, never through decode:
 * byte-level BPE vocabularies go through the GPT-2 byte map, SentencePiece
 * ones map `▁` to a space and `<0xNN>` to one byte (see `spec.ts`). Loading
 * reads tokenizer.json with a structural scan that skips the BPE merges
 * (`jsonscan.ts`); the encoder, which needs them, is built on first use.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InvalidArgumentError, TokenizerLoadError } from '../errors.js';
import { displayBytes, utf8Decode, utf8Encode } from '../util/utf8.js';
import { scanTokenizerJson } from './jsonscan.js';
import { rawKeyText, rawVocabFromStrings, type RawVocab } from './rawvocab.js';
import { isKnownTokenizerName, resolveTokenizerPath } from './resolve.js';
import { detectByteRules, readModel, type ByteRules } from './spec.js';
import { TokenByteWriter } from './tokenbytes.js';
import { TokenTrie } from './trie.js';

/** How token strings map to bytes: GPT-2 byte map, SentencePiece (`▁`, `<0xNN>`), or a test vocabulary of literal bytes. */
export type VocabularyKind = 'byte-level' | 'sentencepiece' | 'synthetic';

/** Options of {@link Vocabulary.fromTokenizerJson}. */
export interface TokenizerJsonOptions {
  /** Short name shown by tools; defaults to `file` or `tokenizer.json`. */
  name?: string;
  /** File the JSON came from, named in errors. */
  file?: string;
  /** Parsed tokenizer_config.json (eos_token, bos_token, encoder options). */
  tokenizerConfig?: unknown;
  /** Parsed config.json (vocab_size, eos_token_id, bos_token_id). */
  config?: unknown;
  /** Parsed generation_config.json (eos_token_id, bos_token_id). */
  generationConfig?: unknown;
}

/** Options of {@link Vocabulary.fromTokens}. */
export interface SyntheticOptions {
  /** EOS token ids. */
  eos?: readonly number[];
  /** Special token ids: never text (empty bytes), excluded from the trie. */
  special?: readonly number[];
  /** Logits size (>= number of tokens); ids past the tokens are padding. */
  size?: number;
}

/** Per-id flags. */
const enum Flag {
  /** Special/control token: never text. */
  Special = 1,
  /** The tokenizer defines this id (not padding, not a gap). */
  Defined = 2,
}

/** Token names conventionally used for end of sequence, tried when no config names one. */
const ConventionalEos = ['</s>', '<|endoftext|>', '<eos>', '<|end_of_text|>', '<|im_end|>', '<｜end▁of▁sentence｜>'];

interface AddedToken {
  id: number;
  content: string;
  special: boolean;
}

interface VocabularyInit {
  name: string;
  kind: VocabularyKind;
  size: number;
  tokenizerSize: number;
  eosIds: number[];
  bosId: number | undefined;
  pool: Uint8Array;
  start: Uint32Array;
  flags: Uint8Array;
  text: (id: number) => string;
  encoderSource: (() => { json: unknown; config: unknown }) | undefined;
  file: string;
}

/**
 * A model's vocabulary. Build with {@link Vocabulary.fromFile},
 * {@link Vocabulary.fromTokenizerJson} or, for tests, {@link Vocabulary.fromTokens}.
 */
export class Vocabulary {
  /** Short name (e.g. `llama3.1`) or the tokenizer file path. */
  readonly name: string;
  /** How token strings map to bytes. */
  readonly kind: VocabularyKind;
  /** Logits size = max(tokenizer's size, config.json `vocab_size` or `text_config.vocab_size`); the bitmask length in tokens. */
  readonly size: number;
  /** Number of ids the tokenizer defines; ids >= this are padding and never allowed. */
  readonly tokenizerSize: number;
  /**
   * All EOS ids, ascending: the union of config.json and generation_config.json
   * `eos_token_id` (a number or a list) and tokenizer_config.json `eos_token`.
   * When none of these names one, the first conventional EOS token present
   * (`</s>`, `<|endoftext|>`, `<eos>`, `<|end_of_text|>`, `<|im_end|>`, `<｜end▁of▁sentence｜>`).
   */
  readonly eosIds: readonly number[];
  /** BOS id, when the tokenizer has one. */
  readonly bosId: number | undefined;
  /** Trie of all non-special, non-empty token byte strings. */
  readonly trie: TokenTrie;
  /**
   * Concatenated token bytes: token `id` is `tokenPool[tokenStart[id] .. tokenStart[id + 1])`.
   * For hot loops that cannot afford a `subarray` per token. Do not mutate.
   * @internal
   */
  readonly tokenPool: Uint8Array;
  /** @internal Offsets into {@link tokenPool}, length size + 1. */
  readonly tokenStart: Uint32Array;
  private readonly flags: Uint8Array;
  private readonly textOf: (id: number) => string;
  private readonly encoderSource: (() => { json: unknown; config: unknown }) | undefined;
  /** The tokenizer.json path the vocabulary was loaded from (`synthetic` for {@link Vocabulary.fromTokens}). */
  readonly file: string;
  private encoder: Tokenizer | undefined;

  private constructor(init: VocabularyInit) {
    this.name = init.name;
    this.kind = init.kind;
    this.size = init.size;
    this.tokenizerSize = init.tokenizerSize;
    this.eosIds = Object.freeze([...init.eosIds].sort((a, b) => a - b));
    this.bosId = init.bosId;
    this.tokenPool = init.pool;
    this.tokenStart = init.start;
    this.flags = init.flags;
    this.textOf = init.text;
    this.encoderSource = init.encoderSource;
    this.file = init.file;
    this.trie = TokenTrie.fromPool(init.pool, init.start);
  }

  /**
   * Loads a tokenizer.json (a file, a directory holding one, or a short name
   * such as `llama3.1`, see {@link resolveTokenizerPath}), with
   * tokenizer_config.json, config.json and generation_config.json from the
   * same directory when present.
   * @throws TokenizerLoadError naming the file: missing, invalid JSON, unsupported model or decoder
   */
  static async fromFile(path: string): Promise<Vocabulary> {
    const file = resolveTokenizerPath(path);
    const dir = dirname(file);
    const [buf, tokenizerConfig, config, generationConfig] = await Promise.all([
      readFile(file).catch((e: Error) => {
        throw new TokenizerLoadError(file, `cannot read: ${e.message}`);
      }),
      readSidecar(join(dir, 'tokenizer_config.json')),
      readSidecar(join(dir, 'config.json')),
      readSidecar(join(dir, 'generation_config.json')),
    ]);
    const name = isKnownTokenizerName(path) ? path : file;
    const sidecars = { tokenizerConfig, config, generationConfig };
    const scanned = scanTokenizerJson(buf);
    if (scanned === undefined) {
      // Unusual layout or invalid JSON: parse it all (gives the syntax error).
      const json = parseJson(utf8Decode(buf).replace(/^\ufeff/, ''), file);
      if (!isObject(json)) throw new TokenizerLoadError(file, 'not a JSON object');
      return fromParsed(json, undefined, { ...sidecars, name, file }, () => json);
    }
    const fullJson = (): unknown => parseJson(readFileSync(file, 'utf8'), file);
    return fromParsed(scanned.head, scanned.vocab, { ...sidecars, name, file }, fullJson);
  }

  /** Builds the vocabulary of a parsed tokenizer.json. */
  static fromTokenizerJson(json: unknown, opts: TokenizerJsonOptions = {}): Vocabulary {
    const file = opts.file ?? opts.name ?? 'tokenizer.json';
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw new TokenizerLoadError(file, 'not a JSON object');
    }
    return fromParsed(json as Record<string, unknown>, undefined, { ...opts, file }, () => json);
  }

  /**
   * A small synthetic vocabulary for tests: token `i` is `tokens[i]`, its
   * UTF-8 text or its raw bytes (no `▁` or byte-map conventions). Encoding is
   * greedy longest match.
   */
  static fromTokens(tokens: readonly (string | Uint8Array)[], opts: SyntheticOptions = {}): Vocabulary {
    const n = tokens.length;
    const size = Math.max(n, opts.size ?? 0);
    const flags = new Uint8Array(size);
    for (let id = 0; id < n; id++) flags[id] = Flag.Defined;
    for (const id of opts.special ?? []) {
      checkId(id, n, 'special id');
      flags[id] |= Flag.Special;
    }
    const bytes = tokens.map((t, id) => (flags[id] & Flag.Special ? new Uint8Array(0) : typeof t === 'string' ? utf8Encode(t) : t));
    let total = 0;
    for (const b of bytes) total += b.length;
    const pool = new Uint8Array(total);
    const start = new Uint32Array(size + 1);
    let off = 0;
    for (let id = 0; id < size; id++) {
      start[id] = off;
      if (id < n) {
        pool.set(bytes[id], off);
        off += bytes[id].length;
      }
    }
    start[size] = off;
    const eosIds = [...new Set(opts.eos ?? [])];
    for (const id of eosIds) checkId(id, size, 'eos id');
    const texts = tokens.map((t) => (typeof t === 'string' ? t : displayBytes(t)));
    return new Vocabulary({
      name: 'synthetic', kind: 'synthetic', size, tokenizerSize: n, eosIds, bosId: undefined,
      pool, start, flags, text: (id) => texts[id] ?? '', encoderSource: undefined, file: 'synthetic',
    });
  }

  /** The exact bytes the token contributes to text; empty for special tokens and padding. A view: do not mutate. */
  tokenBytes(id: number): Uint8Array {
    this.checkId(id);
    return this.tokenPool.subarray(this.tokenStart[id], this.tokenStart[id + 1]);
  }

  /** Whether the id is a special/control token (never text): added tokens marked special, `<s>`, `<|eot_id|>`... */
  isSpecial(id: number): boolean {
    this.checkId(id);
    return (this.flags[id] & Flag.Special) !== 0;
  }

  /** The token's string as in the vocabulary, for display (`Ġhello`, `<0x0A>`); empty for padding. */
  tokenText(id: number): string {
    this.checkId(id);
    return this.flags[id] & Flag.Defined ? this.textOf(id) : '';
  }

  /** Ids of all special tokens, ascending. */
  specialIds(): number[] {
    const ids: number[] = [];
    for (let id = 0; id < this.size; id++) if (this.flags[id] & Flag.Special) ids.push(id);
    return ids;
  }

  /**
   * Token ids of `text`. Without `addSpecialTokens` (the default) no BOS or
   * template tokens are added. Uses `@huggingface/tokenizers` (built on the
   * first call, which takes as long as parsing the full tokenizer.json);
   * synthetic vocabularies use greedy longest match. As in Hugging Face's
   * tokenizers, the text of an added token inside `text` (`<|eot_id|>`)
   * becomes that token, even a special one (whose bytes are empty).
   * @throws InvalidArgumentError when a synthetic vocabulary cannot spell the text
   */
  encode(text: string, opts: { addSpecialTokens?: boolean } = {}): number[] {
    if (this.kind === 'synthetic') return this.encodeGreedy(utf8Encode(text));
    return this.getEncoder().encode(text, { add_special_tokens: opts.addSpecialTokens ?? false }).ids;
  }

  /**
   * Text of token ids, as `@huggingface/tokenizers` decodes it (special
   * tokens shown as their text, no clean-up of spaces). Padding ids are
   * skipped.
   */
  decode(ids: readonly number[]): string {
    for (const id of ids) this.checkId(id);
    const kept = ids.filter((id) => (this.flags[id] & Flag.Defined) !== 0);
    if (kept.length === 0) return '';
    if (this.kind === 'synthetic') {
      const parts = kept.map((id) => (this.flags[id] & Flag.Special ? utf8Encode(this.textOf(id)) : this.tokenBytes(id)));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let off = 0;
      for (const p of parts) {
        all.set(p, off);
        off += p.length;
      }
      return utf8Decode(all);
    }
    return this.getEncoder().decode(kept, { skip_special_tokens: false, clean_up_tokenization_spaces: false });
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.size) {
      throw new InvalidArgumentError(`token id ${id} out of range 0..${this.size - 1} of vocabulary ${this.name}`);
    }
  }

  private getEncoder(): Tokenizer {
    if (this.encoder) return this.encoder;
    const src = this.encoderSource!();
    try {
      this.encoder = new Tokenizer(src.json as object, (src.config ?? {}) as object);
    } catch (e) {
      throw new TokenizerLoadError(this.file, `@huggingface/tokenizers cannot build the encoder: ${(e as Error).message}`);
    }
    return this.encoder;
  }

  /** Greedy longest match over the trie (synthetic vocabularies). */
  private encodeGreedy(bytes: Uint8Array): number[] {
    const t = this.trie;
    const ids: number[] = [];
    let pos = 0;
    while (pos < bytes.length) {
      let node = 0;
      let bestId = -1;
      let bestLen = 0;
      for (let k = pos; k < bytes.length; k++) {
        // Find the child of `node` with byte bytes[k].
        const end = node + t.subtreeSize[node];
        let c = node + 1;
        while (c < end && t.byte[c] !== bytes[k]) c += t.subtreeSize[c];
        if (c >= end) break;
        node = c;
        if (t.tokStart[node + 1] > t.tokStart[node]) {
          bestId = t.tokIds[t.tokStart[node]];
          bestLen = k - pos + 1;
        }
      }
      if (bestId < 0) throw new InvalidArgumentError(`no token of vocabulary ${this.name} starts with byte 0x${bytes[pos].toString(16)} at offset ${pos}`);
      ids.push(bestId);
      pos += bestLen;
    }
    return ids;
  }
}

function checkId(id: number, limit: number, what: string): void {
  if (!Number.isInteger(id) || id < 0 || id >= limit) throw new InvalidArgumentError(`${what} ${id} out of range 0..${limit - 1}`);
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new TokenizerLoadError(file, `invalid JSON: ${(e as Error).message}`);
  }
}

async function readSidecar(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new TokenizerLoadError(file, `cannot read: ${(e as Error).message}`);
  }
  return parseJson(text, file);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Model vocabulary of a parsed model section as raw key bytes. */
function rawFromModel(model: Record<string, unknown>, type: 'BPE' | 'Unigram', file: string): RawVocab {
  const vocab = model.vocab;
  if (type === 'BPE') {
    if (!isObject(vocab)) throw new TokenizerLoadError(file, 'model.vocab of a BPE model must be an object');
    const keys = Object.keys(vocab);
    const ids = keys.map((k) => vocab[k]);
    for (let k = 0; k < keys.length; k++) {
      if (!Number.isInteger(ids[k]) || (ids[k] as number) < 0) {
        throw new TokenizerLoadError(file, `model.vocab[${JSON.stringify(keys[k])}] is not a token id: ${JSON.stringify(ids[k])}`);
      }
    }
    return rawVocabFromStrings(keys, ids as number[]);
  }
  if (!Array.isArray(vocab)) throw new TokenizerLoadError(file, 'model.vocab of a Unigram model must be an array of [piece, score]');
  const pieces = vocab.map((e, k) => {
    if (!Array.isArray(e) || typeof e[0] !== 'string') throw new TokenizerLoadError(file, `model.vocab[${k}] is not [piece, score]`);
    return e[0] as string;
  });
  return rawVocabFromStrings(pieces, pieces.map((_, k) => k));
}

function readAddedTokens(head: Record<string, unknown>, file: string): AddedToken[] {
  const list = head.added_tokens ?? [];
  if (!Array.isArray(list)) throw new TokenizerLoadError(file, 'added_tokens is not an array');
  return list.map((t, k) => {
    if (!isObject(t) || !Number.isInteger(t.id) || (t.id as number) < 0 || typeof t.content !== 'string') {
      throw new TokenizerLoadError(file, `added_tokens[${k}] lacks an integer id or a string content`);
    }
    return { id: t.id as number, content: t.content, special: t.special === true };
  });
}

/** Token content named by a tokenizer_config entry: a string or an `{content}` AddedToken object. */
function tokenName(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (isObject(v) && typeof v.content === 'string') return v.content;
  return undefined;
}

/** Ids of an `eos_token_id`-style field: a number or a list of numbers. */
function idList(v: unknown): number[] {
  if (Number.isInteger(v)) return [v as number];
  if (Array.isArray(v)) return v.filter((x): x is number => Number.isInteger(x));
  return [];
}

function fromParsed(
  head: Record<string, unknown>, scannedVocab: RawVocab | undefined,
  opts: TokenizerJsonOptions & { file: string }, fullJson: () => unknown,
): Vocabulary {
  const file = opts.file;
  const { model, type } = readModel(head, file);
  const rules = detectByteRules(head, file);
  const raw = scannedVocab ?? rawFromModel(model, type, file);
  const added = readAddedTokens(head, file);
  return buildVocabulary(raw, added, rules, unknownTokenName(model, type, raw), opts, fullJson);
}

/** The model's unknown token (`unk_token`, Unigram `unk_id`), which is a control token, not text. */
function unknownTokenName(model: Record<string, unknown>, type: 'BPE' | 'Unigram', raw: RawVocab): string | undefined {
  if (typeof model.unk_token === 'string') return model.unk_token;
  if (type === 'Unigram' && Number.isInteger(model.unk_id)) {
    const id = model.unk_id as number;
    for (let k = 0; k < raw.count; k++) if (raw.ids[k] === id) return rawKeyText(raw, k);
  }
  return undefined;
}

function buildVocabulary(
  raw: RawVocab, added: AddedToken[], rules: ByteRules, unkName: string | undefined,
  opts: TokenizerJsonOptions & { file: string }, fullJson: () => unknown,
): Vocabulary {
  const file = opts.file;
  let tokenizerSize = 0;
  for (let k = 0; k < raw.count; k++) if (raw.ids[k] >= tokenizerSize) tokenizerSize = raw.ids[k] + 1;
  for (const a of added) if (a.id >= tokenizerSize) tokenizerSize = a.id + 1;
  const config = isObject(opts.config) ? opts.config : {};
  const generationConfig = isObject(opts.generationConfig) ? opts.generationConfig : {};
  const tokenizerConfig = isObject(opts.tokenizerConfig) ? opts.tokenizerConfig : {};
  // Multimodal configs (Gemma-3) keep the language model's fields under text_config.
  const textConfig = isObject(config.text_config) ? config.text_config : {};
  const configSize = Number.isInteger(config.vocab_size)
    ? (config.vocab_size as number)
    : Number.isInteger(textConfig.vocab_size) ? (textConfig.vocab_size as number) : 0;
  const size = Math.max(tokenizerSize, configSize);

  // Which source defines each id: an added token (wins) or a vocab entry.
  const entryOf = new Int32Array(tokenizerSize).fill(-1);
  for (let k = 0; k < raw.count; k++) entryOf[raw.ids[k]] = k;
  const addedOf = new Map<number, AddedToken>();
  for (const a of added) addedOf.set(a.id, a);
  const flags = new Uint8Array(size);

  // Id of a token string: added tokens first, then a scan of the vocab.
  const idOf = (content: string): number | undefined => {
    for (const a of added) if (a.content === content) return a.id;
    const want = utf8Encode(content);
    outer: for (let k = 0; k < raw.count; k++) {
      if (raw.escaped[k] !== 0) {
        if (rawKeyText(raw, k) === content) return raw.ids[k];
        continue;
      }
      const s = raw.keyStart[k];
      if (raw.keyEnd[k] - s !== want.length) continue;
      for (let m = 0; m < want.length; m++) if (raw.text[s + m] !== want[m]) continue outer;
      return raw.ids[k];
    }
    return undefined;
  };

  // The model's unknown token is a control token even when added_tokens does not say so.
  const unkId = unkName !== undefined ? idOf(unkName) : undefined;

  const writer = new TokenByteWriter(rules, raw.text.length + 16);
  const start = new Uint32Array(size + 1);
  for (let id = 0; id < tokenizerSize; id++) {
    start[id] = writer.length;
    const a = addedOf.get(id);
    if (a !== undefined) {
      flags[id] = Flag.Defined | (a.special ? Flag.Special : 0);
      if (a.special) continue;
      // Non-special added tokens are text. The byte-level decoder of
      // @huggingface/tokenizers passes their content through unmapped; the
      // SentencePiece decoders apply to them like to any token.
      const content = utf8Encode(a.content);
      if (rules.kind === 'byte-level') writer.writeRaw(content);
      else writer.writeToken(content, 0, content.length);
      continue;
    }
    const k = entryOf[id];
    if (k < 0) continue; // a gap: never produced
    flags[id] = Flag.Defined;
    if (id === unkId) {
      flags[id] |= Flag.Special;
      continue;
    }
    if (raw.escaped[k] === 0) writer.writeToken(raw.text, raw.keyStart[k], raw.keyEnd[k]);
    else {
      const bytes = utf8Encode(rawKeyText(raw, k));
      writer.writeToken(bytes, 0, bytes.length);
    }
  }
  for (let id = tokenizerSize; id <= size; id++) start[id] = writer.length;
  const pool = writer.out.slice(0, writer.length);

  const text = (id: number): string => {
    const a = addedOf.get(id);
    if (a !== undefined) return a.content;
    const k = id < tokenizerSize ? entryOf[id] : -1;
    return k >= 0 ? rawKeyText(raw, k) : '';
  };
  const eos = new Set<number>([
    ...idList(config.eos_token_id), ...idList(textConfig.eos_token_id), ...idList(generationConfig.eos_token_id),
  ]);
  const eosName = tokenName(tokenizerConfig.eos_token);
  if (eosName !== undefined) {
    const id = idOf(eosName);
    if (id === undefined) throw new TokenizerLoadError(file, `tokenizer_config eos_token ${JSON.stringify(eosName)} is not in the vocabulary`);
    eos.add(id);
  }
  if (eos.size === 0) {
    for (const nameCandidate of ConventionalEos) {
      const id = idOf(nameCandidate);
      if (id !== undefined) {
        eos.add(id);
        break;
      }
    }
  }
  for (const id of eos) {
    if (id >= size) throw new TokenizerLoadError(file, `eos_token_id ${id} is outside the vocabulary (size ${size})`);
  }
  let bosId: number | undefined;
  const bosName = tokenName(tokenizerConfig.bos_token);
  if (bosName !== undefined) bosId = idOf(bosName);
  if (bosId === undefined && Number.isInteger(config.bos_token_id)) bosId = config.bos_token_id as number;
  if (bosId === undefined && Number.isInteger(generationConfig.bos_token_id)) bosId = generationConfig.bos_token_id as number;
  if (bosId !== undefined && bosId >= size) throw new TokenizerLoadError(file, `bos_token_id ${bosId} is outside the vocabulary (size ${size})`);

  return new (Vocabulary as unknown as new (init: VocabularyInit) => Vocabulary)({
    name: opts.name ?? file, kind: rules.kind, size, tokenizerSize, eosIds: [...eos], bosId,
    pool, start, flags, text,
    encoderSource: () => ({ json: fullJson(), config: tokenizerConfig }), file,
  });
}
