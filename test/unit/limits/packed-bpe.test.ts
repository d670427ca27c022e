// The packed ranks (src/limits/packed-bpe.ts) hold the package's tokens byte for byte, and every count made from them
// is the package's own encoder's, its byte-order-mark and lone-surrogate quirks and long pieces included.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { countTokens as cl100kCount } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200kCount } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { ranksFromTiktoken } from '../../../src/limits/bpe-ranks.ts';
import type { MergeWork } from '../../../src/limits/linear-bpe.ts';
import { PACKAGE_PIECE_CHARS } from '../../../src/limits/linear-bpe.ts';
import { loadPackedRanks, packedCounter, packRanks, rankOfRange } from '../../../src/limits/packed-bpe.ts';

const AS_TEXT = { disallowedSpecial: new Set<string>() };
const fileOf = (name: string) => join(import.meta.dirname, `../../../node_modules/gpt-tokenizer/data/${name}.tiktoken`);
const o200kRanks = loadPackedRanks('o200k_base');
const o200k = packedCounter('o200k_base', o200kRanks);
const cl100k = packedCounter('cl100k_base');
const workOf = (text: string): MergeWork & { tokens: number } => {
  const work: MergeWork = { heapRankReads: 0, longestPackagePiece: 0 };
  return { tokens: o200k(text, work), ...work };
};

/** Short pieces: what BPE treats apart (a byte-order mark anywhere, lone surrogates, CJK, emoji, special-token strings
 * counted as text); long ones: runs of a small alphabet, merged on the heap. */
const short = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('\uFEFF', '\uFEFFusing', ' \uFEFFthe', '\uFEFF\uFEFF', '\uD800', 'a\uDC00b', ' the', '12345'),
  fc.constantFrom('  \n\n', '東京都', '👩‍💻', '<|endoftext|>', "'s", 'ÿ', 'é'),
);
const run = fc
  .tuple(fc.constantFrom('a', 'ab', '=', ' ', 'é', '東', '😀', '0', 'ÿ', '\uFEFF'), fc.integer({ min: 1, max: 400 }))
  .map(([unit, times]) => unit.repeat(times));
const texts = fc.array(fc.oneof(short, short, run), { maxLength: 20 }).map((parts) => parts.join(''));

describe('packRanks', () => {
  it("holds each rank's bytes, and which tokens the package keeps as strings, as ranksFromTiktoken reads them", () => {
    for (const name of ['o200k_base', 'cl100k_base'] as const) {
      const packed = name === 'o200k_base' ? o200kRanks : loadPackedRanks(name);
      const ranks = ranksFromTiktoken(fileOf(name));
      expect(packed.offsets.length - 1).toBe(ranks.length);
      ranks.forEach((token, rank) => {
        const bytes = packed.bytes.subarray(packed.offsets[rank], packed.offsets[rank + 1]);
        const expected = typeof token === 'string' ? Buffer.from(token, 'utf8') : Uint8Array.from(token);
        if (
          !Buffer.from(bytes).equals(Buffer.from(expected)) ||
          packed.text[rank] !== (typeof token === 'string' ? 1 : 0)
        )
          expect({ rank, bytes: [...bytes], text: packed.text[rank] }).toEqual({ rank, token });
        // A token the package keeps as bytes is found by its bytes, unless they open with a byte-order mark (below).
        const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
        if (!bom && rankOfRange(packed, bytes, 0, bytes.length) !== rank) expect({ rank, found: 'none' }).toBe(null);
      });
    }
  });

  it('refuses a line whose rank is out of order or whose token is not base64', () => {
    const file = (text: string) => new TextEncoder().encode(text);
    expect(packRanks(file('IQ== 0\nIw== 1\n')).offsets.length).toBe(3);
    expect(() => packRanks(file('IQ== 0\nIw== 2\n'))).toThrow(/is not '<base64> 1'/);
    expect(() => packRanks(file('IQ== 0\nI*== 1\n'))).toThrow(/is not '<base64> 1'/);
    expect(() => packRanks(file('IQ==0\n'))).toThrow(/is not '<base64> 0'/);
  });

  it('reads a valid range that opens with a byte-order mark as the package does: without the mark', () => {
    const bytes = Buffer.from('\uFEFFusing', 'utf8');
    expect(rankOfRange(o200kRanks, bytes, 0, bytes.length)).toBe(rankOfRange(o200kRanks, bytes, 3, bytes.length));
    expect(rankOfRange(o200kRanks, bytes, 0, 3)).toBe(2 ** 31 - 1); // the mark alone: an empty string, no token
  });
});

describe('packedCounter', () => {
  it("counts every text as the package's own encoder does (o200k_base and cl100k_base)", () => {
    fc.assert(
      fc.property(texts, (text) => {
        expect(o200k(text)).toBe(o200kCount(text, AS_TEXT));
        expect(cl100k(text)).toBe(cl100kCount(text, AS_TEXT));
      }),
      { numRuns: 400 },
    );
  });

  it("counts the repository's 2,000 fixture support messages as the package does", () => {
    const fixtures = readFileSync(join(import.meta.dirname, '../../fixtures/quality/dev.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { text: string }).text);
    for (const text of fixtures) {
      expect(o200k(text)).toBe(o200kCount(text, AS_TEXT));
      expect(cl100k(text)).toBe(cl100kCount(text, AS_TEXT));
    }
  });

  it('merges pieces of at most PACKAGE_PIECE_CHARS in place and longer ones on the heap, linear in their length', () => {
    const prose = workOf('The quarterly review covers staffing and travel, abcdefghijklmnopqrstuvwxyz. '.repeat(20));
    expect(prose.heapRankReads).toBe(0);
    expect(prose.longestPackagePiece).toBeLessThanOrEqual(PACKAGE_PIECE_CHARS);
    for (const unit of ['a', 'ab', '!', 'é']) {
      const shorter = workOf(unit.repeat(40_000 / unit.length));
      const longer = workOf(unit.repeat(160_000 / unit.length));
      expect(shorter.longestPackagePiece).toBe(0);
      expect(longer.heapRankReads).toBeLessThanOrEqual(3 * Buffer.byteLength(unit.repeat(160_000 / unit.length)));
      expect(longer.heapRankReads).toBeLessThanOrEqual(4.1 * shorter.heapRankReads);
    }
  });
});
