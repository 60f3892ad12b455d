/**
 * UTF-8 helpers shared by the vocabulary, front-ends and CLI.
 */

const encoder = new TextEncoder();
const lenientDecoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true });
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 bytes of `text` (lone surrogates become U+FFFD, as TextEncoder does). */
export function utf8Encode(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decodes UTF-8, replacing invalid sequences by U+FFFD; a leading BOM is kept. */
export function utf8Decode(bytes: Uint8Array): string {
  return lenientDecoder.decode(bytes);
}

/** Decodes UTF-8, or returns `undefined` when `bytes` is not valid UTF-8. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Writes the UTF-8 bytes of `text` into `out` at `offset`; returns the byte count written (out must be large enough: 3 bytes per UTF-16 unit suffice). */
export function utf8EncodeInto(text: string, out: Uint8Array, offset: number): number {
  return encoder.encodeInto(text, out.subarray(offset)).written;
}

/** Number of bytes of the UTF-8 sequence that starts with byte `b` (1 for continuation or invalid bytes). */
export function utf8SequenceLength(b: number): number {
  if (b < 0xc0) return 1;
  if (b < 0xe0) return 2;
  if (b < 0xf0) return 3;
  if (b < 0xf8) return 4;
  return 1;
}

/**
 * Length of `bytes` without an incomplete UTF-8 sequence at its end (at most
 * 3 trailing continuation bytes are looked at); 0 when no lead byte precedes them.
 */
export function completeUtf8Length(bytes: Uint8Array): number {
  let i = bytes.length - 1;
  let cont = 0;
  while (i >= 0 && (bytes[i]! & 0xc0) === 0x80 && cont < 3) {
    i--;
    cont++;
  }
  if (i < 0) return 0;
  const lead = bytes[i]!;
  const need = lead < 0x80 ? 0 : lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : 1;
  return need === cont ? bytes.length : i;
}

/** Renders bytes for display: valid UTF-8 as text, otherwise each byte as `<0xNN>`. */
export function displayBytes(bytes: Uint8Array): string {
  const s = utf8DecodeStrict(bytes);
  if (s !== undefined) return s;
  let out = '';
  for (const b of bytes) out += `<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`;
  return out;
}
