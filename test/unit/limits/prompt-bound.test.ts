// The least prompt count from bytes alone (src/limits/prompt-bound.ts), which admission refuses a subject on before
// classifying: never above countPromptTokens for the same shape (a refusal there would refuse a request reserve admits),
// the count itself past MAX_TOKENIZED_BYTES, and the token length it divides by no shorter than either encoding's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadPackedRanks } from '../../../src/limits/packed-bpe.ts';
import { MAX_TOKEN_BYTES, MAX_TOKENIZED_BYTES, promptTokensAtLeast } from '../../../src/limits/prompt-bound.ts';
import { countPromptTokens, type PromptShape } from '../../../src/limits/prompt-tokens.ts';

const piece = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  fc.string({ unit: 'binary', maxLength: 8 }), // lone surrogates included
  fc.constantFrom(' the', '12345', '  \n\n', '東京都', '👩‍💻', '<|endoftext|>', '\uFEFF', '\uFEFFhello', 'ÿ'),
  fc.constantFrom('-'.repeat(200), ' '.repeat(300), '='.repeat(128), 'a'.repeat(500), '\uFEFF'.repeat(50)),
);
const texts = fc.array(
  fc.array(piece, { maxLength: 30 }).map((parts) => parts.join('')),
  { minLength: 1, maxLength: 4 },
);
const models = fc.constantFrom('gpt-4o', 'gpt-4-0613', 'echo-1', 'claude-sonnet-4');

const shape = (model: string, t: readonly string[], conservativeEstimate = 0): PromptShape => ({
  model,
  texts: t,
  messages: t.length,
  toolCalls: 1,
  conservativeEstimate,
});

describe('promptTokensAtLeast', () => {
  it('is never above the count, for any model and texts (BPE tokens, byte-order marks, lone surrogates)', () => {
    fc.assert(
      fc.property(models, texts, fc.nat(400), (model, t, estimate) => {
        const bound = promptTokensAtLeast(shape(model, t, estimate));
        expect(bound).toBeLessThanOrEqual(countPromptTokens(shape(model, t, estimate)).tokens);
      }),
      { numRuns: 400 },
    );
  });

  it('divides by no fewer bytes than the longest token of either encoding, plus a byte-order mark', () => {
    for (const encoding of ['o200k_base', 'cl100k_base'] as const)
      expect(loadPackedRanks(encoding).longest + 3).toBeLessThanOrEqual(MAX_TOKEN_BYTES);
  });

  it('is the count past MAX_TOKENIZED_BYTES, the estimate for a model of no OpenAI family, a token a text otherwise', () => {
    const big = 'x'.repeat(MAX_TOKENIZED_BYTES + 1);
    const s = shape('gpt-4o', [big]);
    expect(promptTokensAtLeast(s)).toBe(countPromptTokens(s).tokens);
    expect(promptTokensAtLeast(s)).toBe(MAX_TOKENIZED_BYTES + 1 + 4 + 4 + 3);
    expect(promptTokensAtLeast(shape('echo-1', ['hello'], 40))).toBe(40);
    expect(promptTokensAtLeast(shape('echo-1', ['hello'], 0))).toBe(1 + 11);
    // one token per 131 bytes: 262 bytes are 2 at least, 263 are 3
    expect(promptTokensAtLeast(shape('gpt-4o', ['a'.repeat(2 * MAX_TOKEN_BYTES)]))).toBe(2 + 11);
    expect(promptTokensAtLeast(shape('gpt-4o', ['a'.repeat(2 * MAX_TOKEN_BYTES + 1)]))).toBe(3 + 11);
  });
});
