// Round 8 of the attacker's review (session 10), two encodings chained. docs/classification.md states the limit
// ("One level of decoding: base64 of base64 is not decoded twice"); the closed-world guarantee does not hold past it,
// and every chain below is one shell pipeline for the sender and one for the reader (`xxd -p | base64`, `base64 |
// xxd -p`, a URL-encoder over base64). Recorded so the limit is measured, not assumed: each is forwarded and relayed.
// Control: each encoding alone is refused and withheld.
import { describe, expect, it } from 'vitest';
import { anthropicAnswer, prompt } from './fixtures.ts';
import { AWS, CHAT, forwarded, RULES, screened } from './round7-helpers.ts';

const KEY = `aws ${AWS.value}`;
const base64 = (s: string) => Buffer.from(s).toString('base64');
const hex = (s: string) => Buffer.from(s).toString('hex');
/** Every byte percent-encoded (`%61%77…`), as a URL-encoder in strict mode writes it. */
const percent = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('');
const codes = (s: string) => [...Buffer.from(s)].join(',');

async function outcome(text: string) {
  const sent = await forwarded(CHAT, prompt(text));
  const relayed = await screened('anthropic.messages', anthropicAnswer([{ type: 'text', text }]), RULES);
  return { forwarded: sent !== '', relayed: relayed !== 'null' };
}

describe('a key under two encodings', () => {
  // closed: decode.ts reads what a run decodes to once more (two levels; a third is not read).
  it.each([
    ['base64 of hex', base64(hex(KEY))],
    ['hex of base64', hex(base64(KEY))],
    ['base64 of base64', base64(base64(KEY))],
    ['percent-encoded base64', percent(base64(KEY))],
    ['character codes of base64', codes(base64(KEY))],
  ])('%s is refused and withheld', async (_name, text) => {
    expect(await outcome(text)).toEqual({ forwarded: false, relayed: false });
  });
  it('control: each encoding alone, and base64 URL-encoded where it holds + / =, is refused and withheld', async () => {
    for (const text of [base64(KEY), hex(KEY), percent(KEY), codes(KEY), encodeURIComponent(base64(`${KEY}?>`))]) {
      expect(await outcome(text)).toEqual({ forwarded: false, relayed: false });
    }
  });
});
