// Round 9 of the attacker's review (session 11), a value with one visible but meaningless character between each of
// its characters: a private-use character (an icon font's glyph or a blank box), an emoji skin-tone modifier alone
// (a colour swatch) or an Arabic number sign (U+0600, a format character that is shown). The main view drops only
// what renders as nothing (unicode-table.ts isInvisible), and round 8's controls keep these in prose on purpose, so
// the key and the SSN read as no value in every view, while a model told "ignore the boxes" reads them back. Controls:
// the same values between characters the views drop (U+2062, U+FE0F) are refused.
import { describe, expect, it } from 'vitest';
import { isForwarded } from './round9-helpers.ts';

const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
/** `value`'s characters with `filler` between each two. */
const between = (value: string, filler: string) => [...value].join(filler);

describe('a value interleaved with one visible filler character', () => {
  // Closed (session 11, filler-runs.ts): a run with one filler between each two of its characters is read without it.
  it.each([
    ['U+E000 (private use)', '\ue000'],
    ['U+F0000 (supplementary private use)', '\u{f0000}'],
    ['U+1F3FB (skin-tone modifier)', '\u{1f3fb}'],
    ['U+0600 (Arabic number sign)', '\u0600'],
  ])('a key and an SSN with %s between their characters are refused', async (_name, filler) => {
    expect([
      await isForwarded(`aws ${between(KEY, filler)}`),
      await isForwarded(`ssn ${between('219-09-9999', filler)}`),
    ]).toEqual([false, false]);
  });
  it('control: the same values between characters the views drop are refused', async () => {
    for (const filler of ['\u2062', '\ufe0f']) {
      expect([
        await isForwarded(`aws ${between(KEY, filler)}`),
        await isForwarded(`ssn ${between('219-09-9999', filler)}`),
      ]).toEqual([false, false]);
    }
  });
});
