// Review s16 (R4, attacker's review of session 16's changes), a JSON text cut open with notes between its halves
// (a1de2a8, join-bridges.ts bridgePairs: one or two notes of up to 80 characters, digits allowed, no bracket or quote;
// up to 16 characters of words or a fence before the opening and after the closing). A P-256 JWK (a fixed private
// key, review-s15-bridges') is cut in its `d` and sent in chat messages; PROBE is a piece only its d holds.
import { createECDH, createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { prompt } from './fixtures.ts';
import { CHAT, forwarded } from './round7-helpers.ts';

const D = createHash('sha256').update('review-s15 p256').digest();
const ecdh = createECDH('prime256v1');
ecdh.setPrivateKey(D);
const POINT = ecdh.getPublicKey();
const b64 = (bytes: Buffer) => bytes.toString('base64url');
const JWK = JSON.stringify({
  kty: 'EC',
  crv: 'P-256',
  x: b64(POINT.subarray(1, 33)),
  y: b64(POINT.subarray(33)),
  d: b64(D),
});
const PROBE = b64(D).slice(20, 40);
const AT = JWK.indexOf('"d":');
const [HEAD, TAIL] = [JWK.slice(0, AT + 5), JWK.slice(AT + 5)];
/** Whether d reaches the upstream for one user message a text. */
const holds = async (...texts: string[]) => (await forwarded(CHAT, prompt(...texts))).includes(PROBE);

describe("a JWK cut in its d with notes between the pieces, one step aside from a1de2a8's bridgePairs", () => {
  it.each([
    ['a note with brackets', [HEAD, 'the rest (part 2):', TAIL]],
    ['cut 20 characters into d', [JWK.slice(0, AT + 20), 'continued:', JWK.slice(AT + 20)]],
    ['a bare ``` fence around it', [`\`\`\`\n${HEAD}`, 'continued:', `${TAIL}\n\`\`\``]],
    ['a note of digits only (2/2)', [HEAD, '2/2', TAIL]],
    [
      'three pieces, "2/3" and "3/3" between (notes read as pieces too)',
      [JWK.slice(0, AT + 9), '2/3', JWK.slice(AT + 9, AT + 30), '3/3', JWK.slice(AT + 30)],
    ],
  ])('control: %s is refused', async (_name, texts) => {
    expect(await holds(...texts)).toBe(false);
  });

  // HOLE closed in src/classification/join-bridges.ts bridgePairs: a pair of halves was read across one or two notes
  // of up to 80 characters with no quote, 16 characters at most before the opening: a JWK cut in three, a note between
  // each two pieces, a note with a quote, a third note, an 81-character note, or 20 characters before the opening and
  // the halves were no bridge. Now a chain: up to six segments of up to 256 characters (no bracket, none opening or
  // closing JSON) between the first piece and the last, read with all left out and with the pieces among them (no
  // blank, or JSON members) glued; up to 64 characters around the JSON text.
  it.each([
    [
      'three pieces, a note between each two',
      [JWK.slice(0, AT + 10), 'part 2:', JWK.slice(AT + 10, AT + 25), 'part 3:', JWK.slice(AT + 25)],
    ],
    ['a note with a quote', [HEAD, 'the "rest" is:', TAIL]],
    ['three notes', [HEAD, 'continued:', 'here:', 'now:', TAIL]],
    ['an 81-character note', [HEAD, `continued ${'.'.repeat(71)}`, TAIL]],
    ['20 characters before the opening', [`here is my jwk file: ${HEAD}`, 'continued:', TAIL]],
    [
      'four pieces, notes with quotes between',
      [
        JWK.slice(0, AT + 8),
        'the "next" part:',
        JWK.slice(AT + 8, AT + 18),
        'and:',
        JWK.slice(AT + 18, AT + 30),
        '"last":',
        JWK.slice(AT + 30),
      ],
    ],
    [
      'three pieces cut between members, no notes but a blank one',
      [JWK.slice(0, JWK.indexOf('"y":') + 3), ' ', JWK.slice(JWK.indexOf('"y":') + 3, AT + 12), JWK.slice(AT + 12)],
    ],
    ['a 200-character note', [HEAD, `part two of the file follows. ${'x'.repeat(170)}`, TAIL]],
  ])('%s is refused', async (_name, texts) => {
    expect(await holds(...texts)).toBe(false);
  });
});

describe('controls: pieces of a public JWK and notes between are forwarded, a seventh middle is no bridge', () => {
  const PUBLIC = JSON.stringify({ kty: 'EC', crv: 'P-256', x: b64(POINT.subarray(1, 33)), y: b64(POINT.subarray(33)) });
  const Y = b64(POINT.subarray(33)).slice(8, 20);
  const YAT = PUBLIC.indexOf('"y":');
  it('a public JWK in three pieces with notes between is forwarded', async () => {
    const texts = [
      PUBLIC.slice(0, YAT + 10),
      'part 2:',
      PUBLIC.slice(YAT + 10, YAT + 30),
      'part 3:',
      PUBLIC.slice(YAT + 30),
    ];
    expect(await forwarded(CHAT, prompt(...texts))).toContain(Y);
  });
  it('seven notes between the halves are not read across (the bound)', async () => {
    const notes = Array.from({ length: 7 }, (_, i) => `note ${i + 1}:`);
    expect(await holds(HEAD, ...notes, TAIL)).toBe(true);
  });
});
