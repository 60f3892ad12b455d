import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError, TokenizerLoadError } from '../../src/errors.js';
import { scanTokenizerJson } from '../../src/vocab/jsonscan.js';
import { allocateBitmask } from '../../src/vocab/trie.js';
import { knownTokenizers, resolveTokenizerPath } from '../../src/vocab/resolve.js';
import { Vocabulary } from '../../src/vocab/vocabulary.js';

const tmp = mkdtempSync(join(tmpdir(), 'constrain-vocab-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let dirCount = 0;
function tempDir(files: Record<string, string>, links: Record<string, string> = {}): string {
  const dir = join(tmp, `d${dirCount++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  for (const [name, target] of Object.entries(links)) symlinkSync(target, join(dir, name));
  return dir;
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const utf8 = (s: string): string => hex(new TextEncoder().encode(s));

/** GPT-2's bytes_to_unicode, written as in the original Python, as an independent oracle. */
function gpt2ByteToUnicode(): Map<number, string> {
  const bs: number[] = [];
  for (let b = '!'.charCodeAt(0); b <= '~'.charCodeAt(0); b++) bs.push(b);
  for (let b = '¡'.charCodeAt(0); b <= '¬'.charCodeAt(0); b++) bs.push(b);
  for (let b = '®'.charCodeAt(0); b <= 'ÿ'.charCodeAt(0); b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return new Map(bs.map((b, k) => [b, String.fromCharCode(cs[k])]));
}

function byteLevelJson(vocab: Record<string, number>, added: unknown[] = []): Record<string, unknown> {
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: added, normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: { type: 'BPE', dropout: null, unk_token: null, fuse_unk: false, byte_fallback: false, vocab, merges: [] },
  };
}

function sentencePieceJson(vocab: Record<string, number>, added: unknown[] = []): Record<string, unknown> {
  return {
    version: '1.0', truncation: null, padding: null, added_tokens: added,
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
    pre_tokenizer: null, post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: { type: 'BPE', dropout: null, unk_token: '<unk>', fuse_unk: true, byte_fallback: true, vocab, merges: [['▁', 'h'], ['▁h', 'i']] },
  };
}

/** Everything observable about a vocabulary, for comparisons. */
function snapshot(v: Vocabulary): unknown {
  const ids = Array.from({ length: v.size }, (_, id) => id);
  return {
    kind: v.kind, size: v.size, tokenizerSize: v.tokenizerSize, eos: v.eosIds, bos: v.bosId,
    bytes: ids.map((id) => hex(v.tokenBytes(id))), special: v.specialIds(), text: ids.map((id) => v.tokenText(id)),
    trie: [v.trie.nodeCount, hex(v.trie.byte), [...v.trie.tokIds]],
  };
}

describe('byte-level vocabularies', () => {
  it('map every byte through the GPT-2 byte map', () => {
    const map = gpt2ByteToUnicode();
    const vocab: Record<string, number> = {};
    for (let b = 0; b < 256; b++) vocab[map.get(b)!] = b;
    const v = Vocabulary.fromTokenizerJson(byteLevelJson(vocab));
    expect(v.kind).toBe('byte-level');
    for (let b = 0; b < 256; b++) expect([...v.tokenBytes(b)]).toEqual([b]);
  });

  it('map multi-character tokens, keep non-special added tokens as text, flag special ones', () => {
    const v = Vocabulary.fromTokenizerJson(
      byteLevelJson({ 'Ġhello': 0, 'Ċ': 1, 'Ã©': 2, '"': 3, 'ĉĠ': 4, 'ðŁĺĢ': 5, '\\': 6 }, [
        { id: 7, content: '<|end|>', special: true },
        { id: 8, content: '<tool_call>', special: false },
        { id: 9, content: '<｜fim▁hole｜>', special: false },
      ]),
      { tokenizerConfig: { eos_token: '<|end|>' } },
    );
    expect(hex(v.tokenBytes(0))).toBe(utf8(' hello'));
    expect(hex(v.tokenBytes(1))).toBe(utf8('\n'));
    expect(hex(v.tokenBytes(2))).toBe(utf8('é'));
    expect(hex(v.tokenBytes(3))).toBe(utf8('"'));
    expect(hex(v.tokenBytes(4))).toBe(utf8('\t '));
    expect(hex(v.tokenBytes(5))).toBe(utf8('😀'));
    expect(hex(v.tokenBytes(6))).toBe(utf8('\\'));
    expect(v.isSpecial(7)).toBe(true);
    expect(v.tokenBytes(7).length).toBe(0);
    expect(v.tokenText(7)).toBe('<|end|>');
    expect(v.isSpecial(8)).toBe(false);
    expect(hex(v.tokenBytes(8))).toBe(utf8('<tool_call>'));
    expect(hex(v.tokenBytes(9))).toBe(utf8('<｜fim▁hole｜>')); // decoded verbatim, not through the byte map
    expect(v.tokenText(0)).toBe('Ġhello');
    expect(v.eosIds).toEqual([7]);
    expect(v.size).toBe(10);
  });
});

describe('SentencePiece vocabularies', () => {
  it('map ▁ to a space and <0xNN> to one byte', () => {
    const v = Vocabulary.fromTokenizerJson(
      sentencePieceJson({ '<unk>': 0, '<s>': 1, '</s>': 2, '▁': 3, 'h': 4, 'i': 5, '▁h': 6, '▁hi': 7, '<0x0A>': 8, '<0xff>': 9, 'a▁▁b': 10, '\n': 11, '<0xZZ>': 12, 'A': 13, '<0x41>': 14 }, [
        { id: 0, content: '<unk>', special: true }, { id: 1, content: '<s>', special: true }, { id: 2, content: '</s>', special: true },
      ]),
      { tokenizerConfig: { eos_token: '</s>', bos_token: '<s>' } },
    );
    expect(v.kind).toBe('sentencepiece');
    expect(hex(v.tokenBytes(3))).toBe(utf8(' '));
    expect(hex(v.tokenBytes(7))).toBe(utf8(' hi'));
    expect([...v.tokenBytes(8)]).toEqual([0x0a]);
    expect([...v.tokenBytes(9)]).toEqual([0xff]);
    expect(hex(v.tokenBytes(10))).toBe(utf8('a  b'));
    expect(hex(v.tokenBytes(11))).toBe(utf8('\n'));
    expect(hex(v.tokenBytes(12))).toBe(utf8('<0xZZ>'));
    expect(v.eosIds).toEqual([2]);
    expect(v.bosId).toBe(1);
    // "A" and "<0x41>" share one trie node, and so do "\n" and "<0x0A>".
    const t = v.trie;
    const shared: number[][] = [];
    for (let i = 1; i < t.nodeCount; i++) if (t.tokStart[i + 1] - t.tokStart[i] > 1) shared.push([...t.tokIds.subarray(t.tokStart[i], t.tokStart[i + 1])]);
    expect(shared).toEqual([[8, 11], [13, 14]]);
    // The HF encoder agrees (Prepend ▁ normalizer, merges ▁h, ▁hi).
    expect(v.encode('hi')).toEqual([7]);
    expect(v.decode([7, 8])).toBe('hi\n');
  });

  it('read Unigram vocabularies with a Metaspace decoder', () => {
    const v = Vocabulary.fromTokenizerJson({
      added_tokens: [], // the unknown token (unk_id) is special all the same
      normalizer: null, pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
      decoder: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
      model: { type: 'Unigram', unk_id: 0, vocab: [['<unk>', 0], ['▁x', -1], ['y▁', -2]], byte_fallback: false },
    });
    expect(v.kind).toBe('sentencepiece');
    expect(hex(v.tokenBytes(1))).toBe(utf8(' x'));
    expect(hex(v.tokenBytes(2))).toBe(utf8('y '));
    expect(v.isSpecial(0)).toBe(true);
    expect(v.tokenBytes(0).length).toBe(0);
    expect(v.tokenText(0)).toBe('<unk>');
  });
});

describe('fast file scan', () => {
  const json = byteLevelJson({ 'Ġa': 0, 'b': 1, '"q': 2, 'é': 3, 'Ċ': 4, 'x': 5 }, [{ id: 6, content: '<eos>', special: true }]);
  const reference = snapshot(Vocabulary.fromTokenizerJson(json, { tokenizerConfig: { eos_token: '<eos>' } }));
  const config = JSON.stringify({ eos_token: '<eos>' });

  it.each([
    ['pretty-printed', JSON.stringify(json, null, 2)],
    ['compact', JSON.stringify(json)],
    ['with \\u escapes in keys', JSON.stringify(json).replace('"é"', '"\\u00e9"').replace('"Ġa"', '"\\u0120a"')],
    ['merges before vocab', JSON.stringify({ ...json, model: { merges: [['Ġ', 'a']], ...(json.model as object) } })],
    ['model before the other members', JSON.stringify({ model: json.model, ...json })],
    ['a member after merges', JSON.stringify(json).replace(/\}\}$/, ',"extra":[1]}}')],
    ['BOM and CRLF', '\ufeff' + JSON.stringify(json, null, 1).replace(/\n/g, '\r\n')],
    ['BOM and an id with an exponent (JSON.parse fallback)', '\ufeff' + JSON.stringify(json).replace('"x":5', '"x":5e0')],
  ])('reads a %s file like JSON.parse does', async (_label, text) => {
    const dir = tempDir({ 'tokenizer.json': text, 'tokenizer_config.json': config });
    expect(snapshot(await Vocabulary.fromFile(dir))).toEqual(reference);
  });

  it.each(Object.keys(knownTokenizers))('reads the %s file in place, without the fallback to JSON.parse', (name) => {
    const scanned = scanTokenizerJson(readFileSync(resolveTokenizerPath(name)));
    expect(scanned).toBeDefined();
    expect(scanned!.vocab!.count).toBeGreaterThan(30000);
    expect(scanned!.head.model).not.toHaveProperty('merges');
    expect(scanned!.head.model).not.toHaveProperty('vocab');
    expect(Array.isArray(scanned!.head.added_tokens)).toBe(true);
  });

  it.each(['llama2'])('reads the %s file like JSON.parse does', async (name) => {
    const file = resolveTokenizerPath(name);
    const tokenizerConfig = JSON.parse(readFileSync(file.replace('tokenizer.json', 'tokenizer_config.json'), 'utf8'));
    const parsed = Vocabulary.fromTokenizerJson(JSON.parse(readFileSync(file, 'utf8')), { tokenizerConfig });
    const scanned = await Vocabulary.fromFile(file);
    expect(hex(scanned.tokenPool)).toBe(hex(parsed.tokenPool));
    expect([...scanned.tokenStart]).toEqual([...parsed.tokenStart]);
    expect(scanned.specialIds()).toEqual(parsed.specialIds());
    expect(scanned.eosIds).toEqual(parsed.eosIds);
    expect(scanned.bosId).toBe(parsed.bosId);
    for (let id = 0; id < scanned.size; id += 97) expect(scanned.tokenText(id)).toBe(parsed.tokenText(id));
  });
});

describe('configs beside tokenizer.json', () => {
  it('pads the logits size to config.json vocab_size (Qwen3: 151936 > 151669)', async () => {
    const file = resolveTokenizerPath('qwen3');
    const dir = tempDir(
      {
        'config.json': JSON.stringify({ vocab_size: 151936, eos_token_id: 151645, bos_token_id: 151643 }),
        'generation_config.json': JSON.stringify({ eos_token_id: [151645, 151643] }),
      },
      { 'tokenizer.json': file, 'tokenizer_config.json': file.replace('tokenizer.json', 'tokenizer_config.json') },
    );
    const v = await Vocabulary.fromFile(dir);
    expect(v.tokenizerSize).toBe(151669);
    expect(v.size).toBe(151936);
    expect(allocateBitmask(v.size).length).toBe(4748);
    expect(v.eosIds).toEqual([151643, 151645]);
    expect(v.bosId).toBe(151643); // tokenizer_config bos_token is null: config.json's id
    for (const id of [151669, 151800, 151935]) {
      expect(v.tokenBytes(id).length).toBe(0);
      expect(v.isSpecial(id)).toBe(false);
      expect(v.tokenText(id)).toBe('');
    }
    let maxTrieId = 0;
    for (const id of v.trie.tokIds) maxTrieId = Math.max(maxTrieId, id);
    expect(maxTrieId).toBeLessThan(v.tokenizerSize);
    expect(() => v.tokenBytes(151936)).toThrow(InvalidArgumentError);
  });

  it('reads vocab_size and eos_token_id from a multimodal text_config (Gemma-3 layout)', () => {
    const json = sentencePieceJson({ '<pad>': 0, '<eos>': 1, '<bos>': 2, 'a': 3 }, [
      { id: 0, content: '<pad>', special: true }, { id: 1, content: '<eos>', special: true },
      { id: 2, content: '<bos>', special: true }, { id: 4, content: '<end_of_turn>', special: true },
    ]);
    const v = Vocabulary.fromTokenizerJson(json, {
      config: { architectures: ['Gemma3ForConditionalGeneration'], eos_token_id: [1, 4], text_config: { vocab_size: 64 } },
      tokenizerConfig: { eos_token: '<end_of_turn>', bos_token: '<bos>' },
    });
    expect(v.size).toBe(64);
    expect(v.tokenizerSize).toBe(5);
    expect(v.eosIds).toEqual([1, 4]);
    expect(v.bosId).toBe(2);
  });

  it('collects every EOS id (Llama-3.1 generation_config lists three)', async () => {
    const file = resolveTokenizerPath('llama3.1');
    const dir = tempDir(
      { 'generation_config.json': JSON.stringify({ bos_token_id: 128000, eos_token_id: [128001, 128008, 128009] }) },
      { 'tokenizer.json': file, 'tokenizer_config.json': file.replace('tokenizer.json', 'tokenizer_config.json') },
    );
    const v = await Vocabulary.fromFile(join(dir, 'tokenizer.json'));
    expect(v.eosIds).toEqual([128001, 128008, 128009]);
    expect(v.eosIds.every((id) => v.isSpecial(id))).toBe(true);
  });
});

describe('load errors', () => {
  async function loadError(path: string): Promise<TokenizerLoadError> {
    try {
      await Vocabulary.fromFile(path);
    } catch (e) {
      expect(e).toBeInstanceOf(TokenizerLoadError);
      return e as TokenizerLoadError;
    }
    throw new Error('expected a TokenizerLoadError');
  }

  it('names a missing file', async () => {
    const e = await loadError(join(tmp, 'nope', 'tokenizer.json'));
    expect(e.file).toBe(join(tmp, 'nope', 'tokenizer.json'));
    expect(e.message).toMatch(/file not found/);
    expect(e.code).toBe('TOKENIZER_LOAD');
  });

  it('names a directory without tokenizer.json', async () => {
    const dir = tempDir({});
    expect((await loadError(dir)).message).toBe(`${join(dir, 'tokenizer.json')}: file not found (directory has no tokenizer.json)`);
  });

  it('reports invalid JSON with the file', async () => {
    const dir = tempDir({ 'tokenizer.json': '{"model": {"type": "BPE", "vocab": {"a": 0,}}' });
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, 'tokenizer.json'));
    expect(e.message).toMatch(/^.*tokenizer\.json: invalid JSON: /);
  });

  it('reports a truncated file as invalid JSON', async () => {
    const text = JSON.stringify(byteLevelJson({ a: 0, b: 1 }));
    const dir = tempDir({ 'tokenizer.json': text.slice(0, text.length - 10) });
    expect((await loadError(dir)).message).toMatch(/invalid JSON/);
  });

  it('reports an unknown model type', async () => {
    const json = { ...byteLevelJson({ a: 0 }), model: { type: 'WordPiece', vocab: { a: 0 } } };
    const dir = tempDir({ 'tokenizer.json': JSON.stringify(json) });
    const e = await loadError(dir);
    expect(e.message).toBe(`${join(dir, 'tokenizer.json')}: unknown model type "WordPiece" (supported: BPE, Unigram)`);
  });

  it('reports an unsupported decoder', async () => {
    const json = { ...byteLevelJson({ a: 0 }), decoder: { type: 'CTC' } };
    const dir = tempDir({ 'tokenizer.json': JSON.stringify(json) });
    expect((await loadError(dir)).message).toMatch(/tokenizer\.json: unsupported decoder type "CTC"/);
  });

  it('reports a tokenizer whose byte mapping cannot be told', async () => {
    const json = { ...byteLevelJson({ a: 0 }), decoder: null, pre_tokenizer: null };
    expect(() => Vocabulary.fromTokenizerJson(json, { file: 'x/tokenizer.json' })).toThrow(/^x\/tokenizer\.json: cannot tell how tokens map to bytes/);
  });

  it('names an invalid config.json', async () => {
    const dir = tempDir({ 'tokenizer.json': JSON.stringify(byteLevelJson({ a: 0 })), 'config.json': '{oops' });
    const e = await loadError(dir);
    expect(e.file).toBe(join(dir, 'config.json'));
  });

  it('lists the known names for an unknown short name', async () => {
    const e = await loadError('llama9');
    expect(e.message).toBe('llama9: unknown tokenizer name and no such file (known names: llama3.1, llama3, qwen3, gemma3, llama2, gpt-oss, deepseek-v3)');
  });
});

describe('synthetic vocabularies', () => {
  const v = Vocabulary.fromTokens(['a', 'b', 'ab', '<eos>', new Uint8Array([0xff]), 'é'], { eos: [3], special: [3], size: 40 });

  it('have sizes, special and EOS ids', () => {
    expect(v.kind).toBe('synthetic');
    expect(v.size).toBe(40);
    expect(v.tokenizerSize).toBe(6);
    expect(v.eosIds).toEqual([3]);
    expect(v.isSpecial(3)).toBe(true);
    expect(v.tokenBytes(3).length).toBe(0);
    expect(v.tokenText(3)).toBe('<eos>');
    expect(v.tokenText(4)).toBe('<0xFF>');
    expect([...v.tokenBytes(4)]).toEqual([0xff]);
    expect(v.tokenBytes(39).length).toBe(0);
    expect(v.trie.tokIds.length).toBe(5);
  });

  it('encode by greedy longest match and decode', () => {
    expect(v.encode('abab')).toEqual([2, 2]);
    expect(v.encode('baé')).toEqual([1, 0, 5]);
    expect(() => v.encode('c')).toThrow(InvalidArgumentError);
    expect(v.decode([2, 3, 5])).toBe('ab<eos>é');
    expect(v.decode([])).toBe('');
    expect(v.decode([2, 39, 0])).toBe('aba'); // padding ids are skipped
    expect(() => v.decode([40])).toThrow(InvalidArgumentError);
  });

  it('reject bad ids', () => {
    expect(() => Vocabulary.fromTokens(['a'], { eos: [1] })).toThrow(InvalidArgumentError);
    expect(() => v.isSpecial(-1)).toThrow(InvalidArgumentError);
    expect(() => v.tokenText(1.5)).toThrow(InvalidArgumentError);
  });
});
