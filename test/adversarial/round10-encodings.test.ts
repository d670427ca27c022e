// Round 10 of the attacker's review (session 12), encodings one step beside what decode.ts reads: (1) base64 wrapped
// in lines of one width is read across its line breaks only when the lines are 16 characters or more, and base64 split
// by spaces into groups is not joined at all, so `aws AKIA…` as base64 in lines of 12 or groups of 8 reaches the model;
// (2) character escapes are read as `\uXXXX`, `\xXX`, `&#…;`, `%XX` and a few more, not as JavaScript's `escape()`
// form `%uXXXX` (which `unescape()` reads) nor CSS's `\HH ` (a hex code and a space). A model decodes each at once.
// Controls: the same base64 in lines of 16, and `\uXXXX` escapes, are refused.
import { describe, expect, it } from 'vitest';
import { isForwarded, pieces } from './round9-helpers.ts';

const TEXT = 'aws AKIAZ3MQWXR5TLPB6Y7N';
const BASE64 = Buffer.from(TEXT).toString('base64');
const codes = (text: string, write: (hex: string) => string) =>
  [...text].map((c) => write(c.charCodeAt(0).toString(16).padStart(4, '0'))).join('');

describe('base64 in short lines or spaced groups', () => {
  // Closed (session 13, decode-groups.ts): runs of one width (4 or more) across line breaks and single spaces are read
  // as one run, the last one shorter.
  it.each([
    ['lines of 12', pieces(BASE64, 12).join('\n')],
    ['lines of 8', pieces(BASE64, 8).join('\n')],
    ['groups of 8 split by spaces', pieces(BASE64, 8).join(' ')],
    ['groups of 4 split by spaces', pieces(BASE64, 4).join(' ')],
  ])('an AWS key as base64 in %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
  it('control: the same base64 whole or in lines of 16 is refused', async () => {
    expect([await isForwarded(BASE64), await isForwarded(pieces(BASE64, 16).join('\n'))]).toEqual([false, false]);
  });
});

describe('character escapes in other languages’ forms', () => {
  it.each([
    ['%uXXXX (JavaScript escape())', codes(TEXT, (h) => `%u${h}`)],
    ['CSS \\HH escapes', codes(TEXT, (h) => `\\${h.replace(/^0+/, '')} `)],
  ])('an AWS key as %s is refused', async (_name, text) => {
    expect(await isForwarded(text)).toBe(false);
  });
  it('control: the same key as \\uXXXX escapes is refused', async () => {
    expect(await isForwarded(codes(TEXT, (h) => `\\u${h}`))).toBe(false);
  });
});
