// Decoding's native searches share one map of a text's UTF-16 and UTF-8 offsets (Utf8Offsets) instead of each
// walking the text from its start: the map must answer as that walk does, in any order of questions, and the finders
// sharing it must return the candidates each found with a walk of its own (the reading it replaces, kept below).
import fc from 'fast-check';
import type RE2 from 're2';
import { describe, expect, it } from 'vitest';
import type { NextCandidate } from '../../../src/classification/decode-bytes.ts';
import { candidateFinder, startPatterns, Utf8Offsets } from '../../../src/classification/decode-candidates.ts';

/** ASCII, 2-, 3- and 4-byte characters, lone surrogates, and decoding's candidates, in runs past a checkpoint step. */
const piece = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 3 }),
  fc.constantFrom('\ud800', '\udbff', '\udc00', '\udfff', 'é', '–', '😀', '中文', ' ', '\n'),
  fc.constantFrom('aGVsbG8gd29ybGQgMTIzLTQ1', 'dead beef', '=3D=41', '104, 101, 108, 108', '\\x30\\x82', 'MIIEvQ'),
  fc.constantFrom('The quarterly review covered revenue growth. ', 'abcdefghijklmnopqrstuvwxyz0123456789'),
);
const anyText = fc.array(piece, { maxLength: 60 }).map((parts) => parts.join(''));

/** Every code-point boundary of `text` as [UTF-16 offset, UTF-8 offset]. */
function boundariesOf(text: string): [number, number][] {
  const out: [number, number][] = [[0, 0]];
  let unit = 0;
  for (const char of text) {
    unit += char.length;
    out.push([unit, Buffer.byteLength(text.slice(0, unit), 'utf8')]);
  }
  return out;
}

/** candidateFinder before the shared map: each finder walked the text itself (the reading it replaces). */
function walkingFinder(text: string, pattern: RE2): NextCandidate {
  const bytes = Buffer.from(text, 'utf8');
  const ascii = bytes.length === text.length;
  let unit = 0;
  let byte = 0;
  let near = -1;
  return (from) => {
    if (from >= text.length) return text.length;
    if (from <= near) return from;
    if (!ascii) {
      if (from < unit) [unit, byte] = [0, 0];
      for (; unit < from; unit += 1) {
        const code = text.charCodeAt(unit);
        const pair = code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(unit + 1) & 0xfc00) === 0xdc00;
        byte += code < 0x80 ? 1 : code < 0x800 ? 2 : pair ? 4 : 3;
        if (pair) unit += 1;
      }
    }
    const at = pattern.search(bytes.subarray(ascii ? from : byte));
    if (at < 0) return text.length;
    if (ascii) {
      near = from + at + 64;
      return from + at;
    }
    for (const end = byte + at; byte < end; ) {
      const lead = bytes[byte] as number;
      byte += lead < 0x80 ? 1 : lead < 0xe0 ? 2 : lead < 0xf0 ? 3 : 4;
      unit += lead < 0xf0 ? 1 : 2;
    }
    near = unit + 64;
    return unit;
  };
}

describe('Utf8Offsets, one map of a text shared by its searches', () => {
  it('answers every boundary in any order as a walk from the start does (property)', () => {
    fc.assert(
      fc.property(anyText, fc.array(fc.nat(), { maxLength: 40 }), (text, picks) => {
        const offsets = new Utf8Offsets(text);
        const boundaries = boundariesOf(text);
        const units = new Set(boundaries.map(([u]) => u));
        for (const pick of picks) {
          const unit = pick % (text.length + 1);
          // A unit inside a surrogate pair moves on to the boundary after the pair.
          const boundary = boundaries.find(([u]) => u >= unit) as [number, number];
          if (unit < text.length) expect(offsets.boundaryAt(unit), `unit ${unit}`).toEqual(boundary);
          const [u, b] = boundaries[pick % boundaries.length] as [number, number];
          expect(offsets.unitAt(b), `byte ${b}`).toBe(u);
          expect(units.has(offsets.unitAt(b))).toBe(true);
        }
        expect(offsets.bytes.equals(Buffer.from(text, 'utf8'))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it('lets the five start searches find what each found walking the text itself, asked as the scans ask', () => {
    const starts = startPatterns();
    const patterns = [starts.base64, starts.hexPair, starts.codeList, starts.escape, starts.key];
    fc.assert(
      fc.property(anyText, fc.array(fc.tuple(fc.nat(4), fc.nat(), fc.boolean()), { maxLength: 30 }), (text, asks) => {
        const shared = new Utf8Offsets(text);
        const mine = patterns.map((p) => candidateFinder(text, p, false, shared));
        const theirs = patterns.map((p) => walkingFinder(text, p));
        const at = patterns.map(() => 0);
        for (const [which, step, restart] of asks) {
          // A scan moves on from its last candidate (a step past it), or starts over (a new search from 0).
          const from = restart ? 0 : (at[which] as number) + (step % 97);
          const found = (mine[which] as NextCandidate)(from);
          expect(found, `pattern ${which} from ${from}`).toBe((theirs[which] as NextCandidate)(from));
          at[which] = found;
        }
      }),
      { numRuns: 1500 },
    );
  });
});
