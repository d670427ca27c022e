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

  // HOLE closed in src/classification/join-bridges.ts bridgePairs: the note was one message of at most 24 characters
  // and no digit: "part 2 of 2:" (a digit), a 30-character note, and two notes were not read across. Now one or two
  // notes of up to 80 characters each, digits allowed, no bracket or quote.
  it.each([
    ['"part 2 of 2:" between', [HEAD, 'part 2 of 2:', TAIL]],
    ['"continued in the next message:" between', [HEAD, 'continued in the next message:', TAIL]],
    ['two notes between', [HEAD, 'continued:', 'here:', TAIL]],
  ])('%s is refused', async (_name, texts) => {
    expect(await holds(...texts)).toBe(false);
  });

  // HOLE closed in src/classification/join-bridges.ts opensUnclosed / closesAround: the first half had to open with `{`
  // or `[` and the last end with `}` or `]`: a word before the JSON ("my key: {…"), a Markdown fence around it, or a
  // word after it ("…}\nthanks") and the halves were not read across. Now up to 16 characters of words, marks or a
  // fence (no bracket or quote) may stand before the opening and after the closing.
  it.each([
    ['"my key: " before the first half', [`my key: ${HEAD}`, 'continued:', TAIL]],
    ['the pretty JSON in a ```json fence', [`\`\`\`json\n${PRETTY_HEAD}`, 'continued:', `${PRETTY_TAIL}\n\`\`\``]],
    ['"thanks" after the last half', [HEAD, 'continued:', `${TAIL}\nthanks`]],
  ])('%s, "continued:" between, is refused', async (_name, texts) => {
    expect(await holds(...texts)).toBe(false);
  });

  // Controls: the same shapes around a public JWK (no d) forward it.
  const PUBLIC = JSON.stringify({ kty: KEY.kty, crv: KEY.crv, x: KEY.x, y: KEY.y });
  const [PUB_HEAD, PUB_TAIL] = [PUBLIC.slice(0, PUBLIC.indexOf('"y":') + 5), PUBLIC.slice(PUBLIC.indexOf('"y":') + 5)];
  it.each([
    ['"part 2 of 2:" between', [PUB_HEAD, 'part 2 of 2:', PUB_TAIL]],
    [
      'two notes between, a word before and after',
      [`my key: ${PUB_HEAD}`, 'continued:', 'here:', `${PUB_TAIL}\nthanks`],
    ],
  ])('control: a public JWK with %s is forwarded', async (_name, texts) => {
    expect(await forwarded(CHAT, prompt(...texts))).toContain(KEY.y.slice(0, 20));
  });
});
