// Round 10 of the attacker's review (session 12), fillers that are letters: filler-runs.ts reads a value without its
// fillers when they are filler-class code points (fillerFreeView: private use, lone emoji modifiers, variation
// selectors, U+0600 marks, tags) or symbols strictly alternating with its characters (fillerRuns), and counts every
// letter (\p{L}) as text, never a filler. The Arabic tatweel U+0640 is a letter (Lm) whose only job is to stretch a
// line (kashida): between each two characters of a key it is a line a model reads past; so are the modifier letters
// drawn as a bar or a dash (U+30FC ー, U+02C9 ˉ). A key, a GitHub token and an SSN so written reach the model and the
// client. Control: the same values with a private-use filler between their characters are refused and withheld.
import { describe, expect, it } from 'vitest';
import { fates, isForwarded } from './round9-helpers.ts';
import { between } from './round10-helpers.ts';

const KEY = 'AKIAZ3MQWXR5TLPB6Y7N';
const GH = 'ghp_16C7e42F292c6912E7710c838347Ae17xbab';

describe('a value with a letter-class filler between each two of its characters', () => {
  it.each([
    ['U+0640 (Arabic tatweel)', '\u0640'],
    ['U+30FC (katakana prolonged sound mark)', '\u30fc'],
    ['U+02C9 (modifier letter macron)', '\u02c9'],
  ])('an AWS key, a GitHub token and an SSN with %s between their characters are refused', async (_name, filler) => {
    expect([
      await isForwarded(`aws ${between(KEY, filler)}`),
      await isForwarded(between(GH, filler)),
      await isForwarded(`ssn ${between('219099999', filler)}`),
    ]).toEqual([false, false, false]);
  });
  it('an AWS key with U+0640 between its characters reaches neither client', async () => {
    const text = `the key is ${between(KEY, '\u0640')} now`;
    expect(await fates(text, between('Z3MQWX', '\u0640'))).toEqual({
      forwarded: false,
      relayed: false,
      streamed: false,
    });
  });
  it('control: the same values with a private-use filler U+E000 between their characters are refused and withheld', async () => {
    expect([
      await isForwarded(`aws ${between(KEY, '\ue000')}`),
      await isForwarded(between(GH, '\ue000')),
      await isForwarded(`ssn ${between('219099999', '\ue000')}`),
    ]).toEqual([false, false, false]);
    const text = `the key is ${between(KEY, '\ue000')} now`;
    expect(await fates(text, between('Z3MQWX', '\ue000'))).toEqual({
      forwarded: false,
      relayed: false,
      streamed: false,
    });
  });
});
