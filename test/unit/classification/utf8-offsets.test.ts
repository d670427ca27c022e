import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf16OffsetsOf } from '../../../src/classification/utf8-offsets.ts';

/** Strings with ASCII, BMP, astral characters and lone surrogates. */
const anyText = fc.string({
  unit: fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff'),
  ),
  maxLength: 60,
});

/** The byte offsets of a text's code-point boundaries and their UTF-16 offsets. */
function boundariesOf(text: string): { byteOffsets: number[]; boundaries: number[] } {
  const boundaries: number[] = [0];
  for (const char of text) boundaries.push((boundaries[boundaries.length - 1] ?? 0) + char.length);
  return { byteOffsets: boundaries.map((k) => Buffer.byteLength(text.slice(0, k), 'utf8')), boundaries };
}

describe('utf16OffsetsOf', () => {
  it('maps the byte offset of every code-point boundary to its UTF-16 offset (property)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const bytes = Buffer.from(text, 'utf8');
        const { byteOffsets, boundaries } = boundariesOf(text);
        const mapped = utf16OffsetsOf(bytes, [...byteOffsets].reverse());
        expect(byteOffsets.map((b) => mapped.get(b))).toEqual(boundaries);
      }),
      { numRuns: 500 },
    );
  });

  it('counts an astral character as two units and a lone surrogate as one', () => {
    const text = 'a😀\ud800b';
    const bytes = Buffer.from(text, 'utf8');
    expect([...utf16OffsetsOf(bytes, [0, 1, 5, 8, 9])]).toEqual([
      [0, 0],
      [1, 1],
      [5, 3],
      [8, 4],
      [9, 5],
    ]);
  });

  it('refuses offsets outside the text', () => {
    expect(() => utf16OffsetsOf(Buffer.from('abc'), [4])).toThrow(RangeError);
  });
});
