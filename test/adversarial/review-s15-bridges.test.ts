// Review s15 (R3, attacker's review of session 15's changes), a JSON text cut open with a note between its halves
// (e03bff9, join-bridges.ts bridgePairs: a first message opening with `{` or `[` and not closing, a middle of at most
// 24 characters with no digit, a last one closing with `}` or `]` and not opening, read glued). A P-256 JWK (a fixed
// private key) is cut after `"d":"` and sent in chat messages; PROBE is a piece only its d holds.
import { createECDH, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const D = createHash('sha256').update('review-s15 p256').digest();
const ecdh = createECDH('prime256v1');
ecdh.setPrivateKey(D);
const POINT = ecdh.getPublicKey();
const b64 = (bytes: Buffer) => bytes.toString('base64url');
const KEY = { kty: 'EC', crv: 'P-256', x: b64(POINT.subarray(1, 33)), y: b64(POINT.subarray(33)), d: b64(D) };
const PROBE = KEY.d.slice(20, 40);
/** `text` cut `offset` characters after the start of its `"d":` member. */
const cut = (text: string, offset: number) => {
  const at = text.indexOf('"d":') + offset;
  return [text.slice(0, at), text.slice(at)] as const;
};
const [HEAD, TAIL] = cut(JSON.stringify(KEY), 5);
const [PRETTY_HEAD, PRETTY_TAIL] = cut(JSON.stringify(KEY, null, 2), 6);
/** Whether d reaches the upstream for one user message a text. */
const holds = async (...texts: string[]) => (await forwarded(CHAT, prompt(...texts))).includes(PROBE);

describe("a JWK's d cut after its name, a note between the halves, one step aside from bridgePairs", () => {
  it('control: whole, and with "continued:" between the halves, is refused', async () => {
    expect(await holds(JSON.stringify(KEY))).toBe(false);
    expect(await holds(HEAD, 'continued:', TAIL)).toBe(false);
  });

  // HOLE (open, src/classification/join-bridges.ts bridgePairs): the note is one message of at most 24 characters and
  // no digit: "part 2 of 2:" (a digit), a 30-character note, and two notes are not read across.
  it.fails.each([
    ['"part 2 of 2:" between', [HEAD, 'part 2 of 2:', TAIL]],
    ['"continued in the next message:" between', [HEAD, 'continued in the next message:', TAIL]],
    ['two notes between', [HEAD, 'continued:', 'here:', TAIL]],
  ])('%s is refused', async (_name, texts) => {
    expect(await holds(...texts)).toBe(false);
  });

  // HOLE (open, src/classification/join-bridges.ts opensUnclosed / isListCloserCode): the first half must open with `{`
  // or `[` and the last end with `}` or `]`: a word before the JSON ("my key: {…"), a Markdown fence around it, or a
  // word after it ("…}\nthanks") and the halves are not read across.
  it.fails.each([
    ['"my key: " before the first half', [`my key: ${HEAD}`, 'continued:', TAIL]],
    ['the pretty JSON in a ```json fence', [`\`\`\`json\n${PRETTY_HEAD}`, 'continued:', `${PRETTY_TAIL}\n\`\`\``]],
    ['"thanks" after the last half', [HEAD, 'continued:', `${TAIL}\nthanks`]],
  ])('%s, "continued:" between, is refused', async (_name, texts) => {
    expect(await holds(...texts)).toBe(false);
  });
});
