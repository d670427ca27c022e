// Prompt counts remembered by the text's digest (src/limits/prompt-tokens.ts) are the package's encoders' counts: the
// first time a text is seen, every time after, for either encoding, and after older texts were evicted.
import fc from 'fast-check';
import { countTokens as cl100kCount } from 'gpt-tokenizer/encoding/cl100k_base';
import { countTokens as o200kCount } from 'gpt-tokenizer/encoding/o200k_base';
import { describe, expect, it } from 'vitest';
import { COUNT_MEMO_ENTRIES, COUNT_MEMO_MIN_CHARS, countPromptTokens } from '../../../src/limits/prompt-tokens.ts';

const AS_TEXT = { disallowedSpecial: new Set<string>() };
const FRAMING = 4 + 3; // one message and the reply's priming

const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.constantFrom(' the', '12345', '  \n\n', '東京都', '👩‍💻', '<|endoftext|>', "'s", 'ÿ'),
);
/** Texts on both sides of the length from which counts are remembered. */
const texts = fc.array(piece, { minLength: 1, maxLength: 40 }).map((parts) => parts.join(''));

const counted = (model: string, text: string) =>
  countPromptTokens({ model, texts: [text], messages: 1, toolCalls: 0, conservativeEstimate: 0 }).tokens;

describe('countPromptTokens, counts remembered by digest', () => {
  it("counts a text as the package's encoder does, the first time and again (o200k_base and cl100k_base)", () => {
    fc.assert(
      fc.property(texts, (text) => {
        for (let round = 0; round < 2; round++) {
          expect(counted('gpt-4o', text)).toBe(o200kCount(text, AS_TEXT) + FRAMING);
          expect(counted('gpt-4-0613', text)).toBe(cl100kCount(text, AS_TEXT) + FRAMING);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the counts of each encoding apart, and counts right past its bound', () => {
    const long = (i: number) => `${'x'.repeat(COUNT_MEMO_MIN_CHARS)} item ${i} ${'東京'.repeat(i % 7)}`;
    const first = long(0);
    expect(counted('gpt-4o', first)).toBe(o200kCount(first, AS_TEXT) + FRAMING);
    expect(counted('gpt-4-0613', first)).toBe(cl100kCount(first, AS_TEXT) + FRAMING);
    for (let i = 1; i <= COUNT_MEMO_ENTRIES + 8; i++) counted('gpt-4o', long(i));
    for (const i of [0, 1, 9, COUNT_MEMO_ENTRIES + 8]) {
      expect(counted('gpt-4o', long(i))).toBe(o200kCount(long(i), AS_TEXT) + FRAMING);
    }
    expect(counted('gpt-4-0613', first)).toBe(cl100kCount(first, AS_TEXT) + FRAMING);
  });
});
