// Maps byte offsets in the UTF-8 encoding of a JS string back to UTF-16 offsets in that string.
// Why: RE2 is run on a Buffer (a string subject silently fails to match after a lone surrogate), so match offsets
// are bytes. Invariant: for a buffer made by Buffer.from(text, 'utf8'), each code point's first byte counts one
// UTF-16 unit, a 4-byte sequence two; a lone surrogate became U+FFFD (3 bytes), still one unit.

/** UTF-16 offset for each given byte offset (which MUST be code-point boundaries), in one pass over the bytes. */
export function utf16OffsetsOf(bytes: Uint8Array, byteOffsets: readonly number[]): Map<number, number> {
  const wanted = [...new Set(byteOffsets)].sort((a, b) => a - b);
  const result = new Map<number, number>();
  let units = 0;
  let position = 0;
  for (const target of wanted) {
    if (target < 0 || target > bytes.length) throw new RangeError(`byte offset ${target} is outside the text`);
    for (; position < target; position += 1) {
      const byte = bytes[position] ?? 0;
      if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1;
    }
    result.set(target, units);
  }
  return result;
}

/** Byte length of the UTF-8 sequence starting with this lead byte (1 for a stray continuation byte). */
export function utf8SequenceLength(leadByte: number): number {
  if (leadByte >= 0xf0) return 4;
  if (leadByte >= 0xe0) return 3;
  if (leadByte >= 0xc0) return 2;
  return 1;
}
