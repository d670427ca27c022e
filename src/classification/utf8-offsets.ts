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

/** Bytes between two stored UTF-16 offsets in `utf16Index`: a lookup scans at most this many. */
const INDEX_STEP = 64;

/**
 * UTF-16 offset of any byte offset (a code-point boundary) of `bytes`, in any order: one pass stores the offset at
 * every INDEX_STEP-th byte (4 bytes a step: 256 KiB for 4 MiB of text), then a lookup scans under INDEX_STEP bytes.
 * Why: callers that map offsets in several batches (one per recognizer) would otherwise rescan the text per batch.
 */
export function utf16Index(bytes: Uint8Array): (byteOffset: number) => number {
  const stored = new Uint32Array(Math.floor(bytes.length / INDEX_STEP) + 1);
  let units = 0;
  for (let position = 0; position < bytes.length; position += 1) {
    if (position % INDEX_STEP === 0) stored[position / INDEX_STEP] = units;
    const byte = bytes[position] as number;
    if ((byte & 0xc0) !== 0x80) units += byte >= 0xf0 ? 2 : 1;
  }
  if (bytes.length % INDEX_STEP === 0) stored[bytes.length / INDEX_STEP] = units;
  return (target) => {
    if (target < 0 || target > bytes.length) throw new RangeError(`byte offset ${target} is outside the text`);
    const step = Math.floor(target / INDEX_STEP);
    let at = stored[step] as number;
    for (let position = step * INDEX_STEP; position < target; position += 1) {
      const byte = bytes[position] as number;
      if ((byte & 0xc0) !== 0x80) at += byte >= 0xf0 ? 2 : 1;
    }
    return at;
  };
}

/** Byte length of the UTF-8 sequence starting with this lead byte (1 for a stray continuation byte). */
export function utf8SequenceLength(leadByte: number): number {
  if (leadByte >= 0xf0) return 4;
  if (leadByte >= 0xe0) return 3;
  if (leadByte >= 0xc0) return 2;
  return 1;
}
