// The tokenizer's ranks read from gpt-tokenizer's tiktoken files (src/limits/bpe-ranks.ts) are the package's own
// modules' ranks, element for element, and so every count is the package's encoder's.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import cl100kRanks from 'gpt-tokenizer/bpeRanks/cl100k_base';
import o200kRanks from 'gpt-tokenizer/bpeRanks/o200k_base';
import { countTokens as cl100kCount } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200kCount } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { loadCounter, ranksFromTiktoken } from '../../../src/limits/bpe-ranks.ts';

const AS_TEXT = { disallowedSpecial: new Set<string>() };
const fileOf = (name: string) => join(import.meta.dirname, `../../../node_modules/gpt-tokenizer/data/${name}.tiktoken`);

/** Text with what BPE treats apart: a byte-order mark, words, digits, spaces and line breaks, CJK, emoji, and
 * special-token strings that must be counted as text. */
const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('\uFEFF', '\uFEFFusing', ' the', '12345', '  \n\n', '東京都', '👩‍💻', '<|endoftext|>', "'s", 'ÿ'),
);
const texts = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));

describe('ranksFromTiktoken', () => {
  it("gives the package modules' ranks, element for element (text tokens as strings, others and BOMs as bytes)", () => {
    expect(ranksFromTiktoken(fileOf('o200k_base'))).toEqual(o200kRanks);
    expect(ranksFromTiktoken(fileOf('cl100k_base'))).toEqual(cl100kRanks);
  });

  it('refuses a file whose ranks are not 0, 1, 2, ... in order', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'proctor-ranks-')), 'gap.tiktoken');
    writeFileSync(path, 'IQ== 0\nIw== 2\n');
    expect(() => ranksFromTiktoken(path)).toThrow(/is not '<base64> 1'/);
  });
});

describe('loadCounter', () => {
  it("counts every text as the package's own encoder does (o200k_base and cl100k_base)", () => {
    const o200k = loadCounter('o200k_base');
    const cl100k = loadCounter('cl100k_base');
    fc.assert(
      fc.property(texts, (text) => {
        expect(o200k(text, AS_TEXT)).toBe(o200kCount(text, AS_TEXT));
        expect(cl100k(text, AS_TEXT)).toBe(cl100kCount(text, AS_TEXT));
      }),
      { numRuns: 500 },
    );
  });
});

describe('loadCounter with a bounded merge cache', () => {
  // The repository's fixture texts: 2,000 support messages with names, numbers and punctuation.
  const fixtures = readFileSync(join(import.meta.dirname, '../../fixtures/quality/dev.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { text: string }).text);

  it("counts as the package's encoder does while its cache evicts on nearly every piece (8 pieces kept)", () => {
    const o200k = loadCounter('o200k_base', 8);
    const cl100k = loadCounter('cl100k_base', 8);
    for (const text of fixtures) {
      expect(o200k(text, AS_TEXT)).toBe(o200kCount(text, AS_TEXT));
      expect(cl100k(text, AS_TEXT)).toBe(cl100kCount(text, AS_TEXT));
    }
    fc.assert(
      fc.property(texts, (text) => {
        expect(o200k(text, AS_TEXT)).toBe(o200kCount(text, AS_TEXT));
        expect(o200k(text, AS_TEXT)).toBe(o200kCount(text, AS_TEXT)); // a second time: from the cache if kept
        expect(cl100k(text, AS_TEXT)).toBe(cl100kCount(text, AS_TEXT));
      }),
      { numRuns: 500 },
    );
  });
});
