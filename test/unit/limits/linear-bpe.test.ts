// The heap merge of long pieces (src/limits/linear-bpe.ts) counts as gpt-tokenizer's own encoder does, and its work is
// linear in a piece's length: pair reads counted, not timed.
import fc from 'fast-check';
import { countTokens as cl100kCount } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200kCount } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { loadEncoding } from '../../../src/limits/bpe-ranks.ts';
import { linearCounter, type MergeWork, PACKAGE_PIECE_CHARS } from '../../../src/limits/linear-bpe.ts';

const AS_TEXT = { disallowedSpecial: new Set<string>() };
const o200k = linearCounter(loadEncoding('o200k_base', 8));
const cl100k = linearCounter(loadEncoding('cl100k_base', 8));
const workOf = (count: typeof o200k, text: string): MergeWork & { tokens: number } => {
  const work: MergeWork = { heapRankReads: 0, longestPackagePiece: 0 };
  return { tokens: count(text, work), ...work };
};

/** Long pieces: a run of one letter (or a few) repeated, or letters, punctuation, spaces or non-ASCII drawn from a
 * small alphabet (few distinct pairs: the merge's memo of pairs is read and evicted), beside ordinary text. */
const run = fc
  .tuple(
    fc.constantFrom('a', 'ab', 'xyz', 'Aa', '=', '!?', ' ', 'é', '東', '😀', 'aGVsbG8', '0', 'ÿ'),
    fc.integer({ min: 1, max: 700 }),
  )
  .map(([unit, times]) => unit.repeat(times));
const drawn = fc
  .tuple(fc.constantFrom('abc', 'abcdefghij', 'ABab', '-=_', 'éèê', 'qQ'), fc.array(fc.nat(), { maxLength: 600 }))
  .map(([alphabet, picks]) => picks.map((k) => alphabet[k % alphabet.length]).join(''));
const texts = fc
  .array(fc.oneof(run, drawn, fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constant('<|endoftext|>')), {
    maxLength: 6,
  })
  .map((parts) => parts.join(''));

describe('linearCounter', () => {
  it("counts every text as the package's encoder does, long pieces included (o200k_base and cl100k_base)", () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(o200k(text)).toBe(o200kCount(text, AS_TEXT));
        expect(cl100k(text)).toBe(cl100kCount(text, AS_TEXT));
      }),
      { numRuns: 300 },
    );
  });

  it('merges a piece past PACKAGE_PIECE_CHARS on the heap: at most 3 pair reads a byte, linear in its length', () => {
    for (const count of [o200k, cl100k]) {
      for (const unit of ['a', 'ab', '!', 'é']) {
        const short = workOf(count, unit.repeat(40_000 / unit.length));
        const long = workOf(count, unit.repeat(160_000 / unit.length));
        const bytes = Buffer.byteLength(unit.repeat(160_000 / unit.length));
        expect(short.longestPackagePiece).toBe(0);
        expect(long.heapRankReads).toBeLessThanOrEqual(3 * bytes);
        expect(long.heapRankReads).toBeLessThanOrEqual(4.1 * short.heapRankReads);
        expect(long.tokens).toBeGreaterThan(0);
      }
    }
  });

  it('hands the package pieces of at most PACKAGE_PIECE_CHARS, and none of a run', () => {
    const prose = workOf(
      o200k,
      'The quarterly review covers staffing and travel, abcdefghijklmnopqrstuvwxyz. '.repeat(20),
    );
    expect(prose.heapRankReads).toBe(0);
    expect(prose.longestPackagePiece).toBeLessThanOrEqual(PACKAGE_PIECE_CHARS);
    const mixed = workOf(o200k, `${'q'.repeat(PACKAGE_PIECE_CHARS)} ${'w'.repeat(PACKAGE_PIECE_CHARS + 1)}`);
    expect(mixed.longestPackagePiece).toBe(PACKAGE_PIECE_CHARS);
    expect(mixed.heapRankReads).toBeGreaterThan(0);
  });
});
