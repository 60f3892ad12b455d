/**
 * The tokenizer of the built-in model, generated in code so it exists in
 * every install (a fresh clone has no `../shared`, a consumer of the npm
 * package has no devDependencies).
 *
 * It is a Llama-2 style SentencePiece BPE in Hugging Face `tokenizer.json`
 * form, the same shape as the stories260K and Llama-2 tokenizers:
 * ids 0 `<unk>`, 1 `<s>`, 2 `</s>`; 3..258 the byte-fallback tokens
 * `<0x00>`..`<0xFF>`; then `▁` (U+2581, space) and the 94 printable ASCII
 * characters; then multi-character pieces built by merges from a fixed list
 * of common English and JSON fragments. Every string is encodable (bytes
 * fall back to `<0xNN>`), there are multi-byte tokens sharing prefixes (so a
 * token trie is exercised), and special tokens are excluded from text.
 */

/** Fragments that become single tokens (spaces written as `▁`). Order fixes merge ranks and ids. */
const PIECES: readonly string[] = [
  // English: frequent words (with leading space) and suffixes.
  '▁the', '▁a', '▁and', '▁to', '▁of', '▁is', '▁in', '▁it', '▁was', '▁that', '▁for', '▁on', '▁with', '▁as',
  '▁he', '▁she', '▁they', '▁you', '▁we', '▁I', '▁his', '▁her', '▁be', '▁at', '▁by', '▁not', '▁this', '▁but',
  '▁from', '▁or', '▁have', '▁an', '▁are', '▁one', '▁all', '▁said', '▁there', '▁when', '▁what', '▁so', '▁up',
  '▁out', '▁if', '▁about', '▁who', '▁get', '▁which', '▁go', '▁me', '▁time', '▁day', '▁play', '▁little',
  '▁Once', '▁upon', '▁The', '▁A', '▁It', '▁He', '▁She', '▁They', '▁In',
  'ing', 'ed', 'er', 'es', 'ly', 'ion', 'tion', 'al', 'en', 'an', 'on', 'or', 'ar', 'at', 're', 'st', 'th', 'ou',
  // JSON and code.
  '{"', '"}', '":', '",', '":▁', '",▁"', '▁"', '▁{', '▁}', '▁[', '▁]', '[]', '{}', '},', '],', '▁true', '▁false',
  '▁null', 'true', 'false', 'null', '▁name', '▁age', '▁id', 'name', 'id', 'type', 'value', 'string', 'number',
  'items', 'properties', '00', '10', '20', '▁0', '▁1', '▁2', '▁3', '▁=', '▁==', '▁(', '()', ');', '▁//', '▁▁',
  '▁▁▁▁', '\\n', '...', '▁-', '▁+', '▁*', '▁<', '▁>', '</', '/>',
];

/** Character pieces present before merges: `▁` and printable ASCII except space. */
function basePieces(): string[] {
  const out = ['▁'];
  for (let c = 0x21; c <= 0x7e; c++) out.push(String.fromCharCode(c));
  return out;
}

/** The built-in tokenizer as a `tokenizer.json` object. Deterministic. */
export function builtinTokenizerJson(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  let next = 3;
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = next++;
  for (const p of basePieces()) vocab[p] = next++;
  const merges: Array<[string, string]> = [];
  // Each fragment is built left to right: (prefix, next char) merges, adding missing prefixes as pieces.
  for (const piece of PIECES) {
    const chars = Array.from(piece);
    let prefix = chars[0]!;
    for (let i = 1; i < chars.length; i++) {
      const grown = prefix + chars[i]!;
      if (!(grown in vocab)) {
        vocab[grown] = next++;
        merges.push([prefix, chars[i]!]);
      }
      prefix = grown;
    }
  }
  const special = (id: number, content: string): Record<string, unknown> => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '<s>', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '<s>', type_id: 1 } },
        { Sequence: { id: 'B', type_id: 1 } },
      ],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
}

/** `tokenizer_config.json` of the built-in tokenizer. */
export function builtinTokenizerConfig(maxLength: number): Record<string, unknown> {
  return {
    add_bos_token: true,
    add_eos_token: false,
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    pad_token: null,
    clean_up_tokenization_spaces: false,
    legacy: true,
    model_max_length: maxLength,
    tokenizer_class: 'LlamaTokenizer',
  };
}

/**
 * Number of ids a `tokenizer.json` object defines: 1 + the largest id among
 * the model vocabulary and the added tokens.
 */
export function tokenizerSize(json: Record<string, unknown>): number {
  let max = -1;
  const model = json.model as { vocab?: unknown } | undefined;
  const vocab = model?.vocab;
  if (Array.isArray(vocab)) max = vocab.length - 1; // Unigram: [[piece, score], ...]
  else if (vocab && typeof vocab === 'object') for (const id of Object.values(vocab as Record<string, number>)) if (id > max) max = id;
  for (const t of (json.added_tokens as Array<{ id: number }> | undefined) ?? []) if (t.id > max) max = t.id;
  return max + 1;
}
