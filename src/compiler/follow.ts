/**
 * FIRST and FOLLOW sets at the byte level: for each lexeme, the bytes that
 * can start whatever comes right after it ends, in any derivation. The chart
 * uses them to skip ending a lexeme when the next byte could not follow it
 * (an identifier can end after every letter, but only an operator can come
 * next), which saves the parser work without changing the language.
 */
import type { RegexStore } from '../automaton/regex.js';
import type { Cfg } from './cfg.js';

/** Per lexeme, 8 words (256 bits): bytes that can follow the lexeme's end. */
export function lexemeFollowBytes(cfg: Cfg, store: RegexStore): Uint32Array {
  const nLex = cfg.lexemes.length;
  const nNt = cfg.names.length;
  const firstLex = new Uint32Array(nLex * 8);
  for (let l = 0; l < nLex; l++) {
    for (const h of store.headSets(cfg.lexemes[l]!)) {
      const bits = store.byteSetBits(h);
      for (let w = 0; w < 8; w++) firstLex[l * 8 + w]! |= bits[w]!;
    }
  }
  const firstNt = new Uint32Array(nNt * 8);
  const nullable = cfg.nullable;
  const orInto = (dst: Uint32Array, di: number, src: Uint32Array, si: number): boolean => {
    let changed = false;
    for (let w = 0; w < 8; w++) {
      const v = (dst[di + w]! | src[si + w]!) >>> 0;
      if (v !== dst[di + w]) {
        dst[di + w] = v;
        changed = true;
      }
    }
    return changed;
  };
  const firstOf = (s: number): [Uint32Array, number] => (s < 0 ? [firstLex, (-s - 1) * 8] : [firstNt, s * 8]);
  const isNullable = (s: number): boolean => s >= 0 && nullable[s] === 1;
  let changed = true;
  while (changed) {
    changed = false;
    for (const p of cfg.productions) {
      for (const s of p.syms) {
        const [arr, off] = firstOf(s);
        if (orInto(firstNt, p.lhs * 8, arr, off)) changed = true;
        if (!p.repeat && !isNullable(s)) break;
        if (p.repeat) break;
      }
    }
  }
  const followNt = new Uint32Array(nNt * 8);
  const followLex = new Uint32Array(nLex * 8);
  const followOf = (s: number): [Uint32Array, number] => (s < 0 ? [followLex, (-s - 1) * 8] : [followNt, s * 8]);
  const trailer = new Uint32Array(8);
  changed = true;
  while (changed) {
    changed = false;
    for (const p of cfg.productions) {
      if (p.repeat) {
        const x = p.syms[0]!;
        const [fa, fo] = followOf(x);
        if (orInto(fa, fo, followNt, p.lhs * 8)) changed = true;
        if (p.repeat.max !== 1) {
          const [ia, io] = firstOf(x);
          if (orInto(fa, fo, ia, io)) changed = true;
        }
        continue;
      }
      trailer.set(followNt.subarray(p.lhs * 8, p.lhs * 8 + 8));
      for (let i = p.syms.length - 1; i >= 0; i--) {
        const s = p.syms[i]!;
        const [fa, fo] = followOf(s);
        if (orInto(fa, fo, trailer, 0)) changed = true;
        const [ia, io] = firstOf(s);
        if (isNullable(s)) {
          for (let w = 0; w < 8; w++) trailer[w]! |= ia[io + w]!;
        } else {
          for (let w = 0; w < 8; w++) trailer[w] = ia[io + w]!;
        }
      }
    }
  }
  return followLex;
}
