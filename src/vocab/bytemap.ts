/**
 * The GPT-2 byte-to-unicode map used by byte-level BPE vocabularies
 * (GPT-2, Llama-3, Qwen, gpt-oss, DeepSeek-V3): every byte is written as one
 * printable code point, so token strings in `tokenizer.json` are text.
 * Printable Latin-1 bytes map to themselves; the other 68 bytes map to
 * U+0100.. in byte order (space 0x20 -> U+0120 "Ġ", newline 0x0A -> U+010A "Ċ").
 */

/** Code point that byte-level BPE uses for each byte 0..255. */
export const byteToUnicode: Uint16Array = buildByteToUnicode();

/** Byte for each code point below {@link unicodeToByte}.length, or -1 when the code point is not in the map. */
export const unicodeToByte: Int16Array = buildUnicodeToByte(byteToUnicode);

function buildByteToUnicode(): Uint16Array {
  const map = new Uint16Array(256);
  const printable = (b: number): boolean =>
    (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
  let next = 0x100;
  for (let b = 0; b < 256; b++) map[b] = printable(b) ? b : next++;
  return map;
}

function buildUnicodeToByte(b2u: Uint16Array): Int16Array {
  let max = 0;
  for (const u of b2u) if (u > max) max = u;
  const map = new Int16Array(max + 1).fill(-1);
  for (let b = 0; b < 256; b++) map[b2u[b]] = b;
  return map;
}
