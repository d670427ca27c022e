// Round 9 of the attacker's review (session 11), encodings at the decoder's edges: a value under three encodings
// (base64 of base64 of base64, percent-encoding of base64 of hex: one shell pipeline each, `| base64 | base64`),
// where two levels are read (decode.ts, session 10), and an e-mail address whose `@` is the HTML5 named entity
// `&commat;` (the decoder reads numeric references and `&amp;`-like names; EMAIL is read only around a literal `@`,
// anchors.ts). Controls: two levels, and `&#64;`, are refused or redacted.
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';
import { isRelayed } from './round9-helpers.ts';

const KEY = 'aws AKIAZ3MQWXR5TLPB6Y7N';
const b64 = (s: string) => Buffer.from(s).toString('base64');
const hex = (s: string) => Buffer.from(s).toString('hex');
const percent = (s: string) => [...Buffer.from(s)].map((c) => `%${c.toString(16).padStart(2, '0')}`).join('');

describe('a key under three encodings', () => {
  // Closed (session 11, decode.ts DECODE_LEVELS): what a decoded run reads as is decoded twice more.
  it.each([
    ['base64 of base64 of base64', b64(b64(b64(KEY)))],
    ['percent-encoding of base64 of hex', percent(b64(hex(KEY)))],
  ])('%s is neither forwarded nor relayed', async (_name, text) => {
    expect({
      forwarded: (await forwarded(CHAT, prompt(text))) !== '',
      relayed: await isRelayed(text, text.slice(-16)),
    }).toEqual({ forwarded: false, relayed: false });
  });
  it('control: two encodings are refused and withheld', async () => {
    for (const text of [b64(b64(KEY)), percent(b64(KEY))]) {
      expect(await forwarded(CHAT, prompt(text))).toBe('');
      expect(await isRelayed(text, text.slice(-16))).toBe(false);
    }
  });
});

describe('an e-mail address with its @ as an HTML named entity', () => {
  // Closed (session 11, named-references.ts): `&commat;` is read as `@` as `&#64;` is.
  it('jane.doe&commat;example-corp.com is redacted before it is forwarded', async () => {
    expect(await forwarded(CHAT, prompt('write to jane.doe&commat;example-corp.com today'))).not.toContain('jane.doe');
  });
  it('control: the same address with @, &#64; or \\u0040 is redacted', async () => {
    for (const at of ['@', '&#64;', '\\u0040']) {
      const sent = await forwarded(CHAT, prompt(`write to jane.doe${at}example-corp.com today`));
      expect(sent).not.toBe('');
      expect(sent).not.toContain('jane.doe');
    }
  });
});
