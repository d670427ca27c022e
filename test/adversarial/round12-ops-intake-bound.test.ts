// Round 12 ops, an honest caller against the intake token bound: admission refuses a subject whose tokens left this
// minute are fewer than promptTokensAtLeast (src/limits/prompt-bound.ts, from the texts' UTF-8 bytes alone) before the
// body is classified, so a bound above the count reserve makes (countPromptTokens, the real BPE ranks) would refuse a
// request reserve admits. Texts an attacker of the bound would pick: long runs of one letter, spaces, tabs and line
// breaks (the BPE's longest tokens), byte-order marks before and inside words, emoji with joiners and skin tones,
// CJK, Devanagari, combining marks, tool JSON with deep indentation, base64, lone surrogates. Both functions as the
// server runs them (no mocks), for each OpenAI encoding and a model of no OpenAI family. Counted: tokens.
// Controls only (the bound held); a bound found above the count would be an `it.fails` naming prompt-bound.ts.
import { describe, expect, it } from 'vitest';
import { MAX_TOKEN_BYTES, promptTokensAtLeast } from '../../src/limits/prompt-bound.ts';
import { countPromptTokens } from '../../src/limits/prompt-tokens.ts';

const BOM = '\uFEFF';
const TEXTS: Record<string, string> = {
  letters: 'a'.repeat(4096),
  spaces: ' '.repeat(4096),
  tabs: '\t'.repeat(4096),
  newlines: '\n'.repeat(4096),
  crlf: '\r\n'.repeat(2048),
  'spaces then a word': `${' '.repeat(300)}word`,
  'indented tool JSON': JSON.stringify({ a: { b: { c: { d: ['x', { e: 'y' }] } } } }, null, 64),
  'BOM runs': BOM.repeat(2048),
  'BOM before words': `${BOM}hello ${BOM}${BOM}world ${BOM}${' '.repeat(200)}`.repeat(64),
  'emoji with joiners': '👩🏽‍💻👨‍👩‍👧‍👦🏳️‍🌈'.repeat(512),
  cjk: '漢字仮名交じり文'.repeat(512),
  devanagari: 'नमस्ते दुनिया'.repeat(512),
  'combining marks': `e${'\u0301'.repeat(2000)}`,
  base64: Buffer.from('x'.repeat(6000)).toString('base64'),
  'lone surrogates': '\uD800a\uDC00'.repeat(1024),
  'dashes and equals': '-'.repeat(2000) + '='.repeat(2000),
  digits: '9'.repeat(4096),
};

const MODELS = ['gpt-4o', 'gpt-4', 'claude-3-5-sonnet'];

describe('the intake bound against the real count, on texts picked to break it', () => {
  for (const model of MODELS) {
    it(`control (${model}): every text's bound is at most its count, and each text alone`, () => {
      const shape = (texts: string[]) => ({
        model,
        texts,
        messages: texts.length,
        toolCalls: 0,
        conservativeEstimate: 0,
      });
      const rows: string[] = [];
      for (const [name, text] of Object.entries(TEXTS)) {
        const bound = promptTokensAtLeast(shape([text]));
        const count = countPromptTokens(shape([text])).tokens;
        rows.push(`${name} ${bound}/${count}`);
        expect(bound, name).toBeLessThanOrEqual(count);
      }
      const all = Object.values(TEXTS);
      expect(promptTokensAtLeast(shape(all))).toBeLessThanOrEqual(countPromptTokens(shape(all)).tokens);
      console.info(`${model} (bound/count, ${MAX_TOKEN_BYTES} bytes a token at most): ${rows.join(', ')}`);
    });
  }
});
