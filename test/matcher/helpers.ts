/** Test helpers: tiny vocabularies, mask decoding, a seeded PRNG. */
import { TokenTrie } from '../../src/vocab/trie.js';
import type { MatcherVocabulary } from '../../src/matcher/compiled.js';

/** A vocabulary of the given token byte strings plus one EOS id at the end. */
export function tinyVocab(tokens: readonly Uint8Array[]): MatcherVocabulary {
  const all = [...tokens, new Uint8Array(0)];
  const texts = tokens.map((t) => Buffer.from(t).toString('latin1'));
  return {
    size: all.length,
    eosIds: [tokens.length],
    trie: TokenTrie.build(all),
    tokenBytes: (id) => all[id] ?? new Uint8Array(0),
    encode: (text) => {
      const s = Buffer.from(text, 'utf8').toString('latin1');
      const out: number[] = [];
      let i = 0;
      while (i < s.length) {
        let best = -1;
        for (let t = 0; t < texts.length; t++) if (s.startsWith(texts[t]!, i) && (best < 0 || texts[t]!.length > texts[best]!.length)) best = t;
        if (best < 0) throw new Error(`cannot encode ${JSON.stringify(text)}`);
        out.push(best);
        i += texts[best]!.length;
      }
      return out;
    },
  };
}

/** Ids set in a mask filled by `m`. */
export function maskIds(m: { fillNextTokenBitmask(mask: Uint32Array): boolean }, size: number): number[] {
  const mask = new Uint32Array((size + 31) >>> 5);
  m.fillNextTokenBitmask(mask);
  const out: number[] = [];
  for (let i = 0; i < size; i++) if ((mask[i >>> 5]! >>> (i & 31)) & 1) out.push(i);
  return out;
}

/** Small seeded PRNG (mulberry32). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
}
