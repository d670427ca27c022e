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
  ])('control: %s is refused', async (_name, texts) => {
    expect(await holds(...texts)).toBe(false);
  });

  // HOLE (open, src/classification/join-bridges.ts bridgePairs): a pair of halves is read across its notes; a JWK cut
  // in three, a note between each two pieces, is never read whole (each pair is one piece and a note short). Fix
  // (~15 lines): chain bridges while each next piece neither opens nor closes, reading first to last glued (bounded:
  // each segment in at most four pairs already).
  // HOLE (open, join-bridges.ts): the bounds are a step for an attacker: a note with a quote (`the "rest" is:`), a
  // third note, an 81-character note, or 20 characters before the opening (`here is my jwk file: {`) and the halves
  // are no bridge. Fix (~10 lines): let the opening be the last `{` of the first text after any prose on its line, and
  // read any notes that neither open nor close JSON (no `{`/`}` at either end), within the join window's reach.
  it.fails.each([
    [
      'three pieces, a note between each two',
      [JWK.slice(0, AT + 10), 'part 2:', JWK.slice(AT + 10, AT + 25), 'part 3:', JWK.slice(AT + 25)],
    ],
    ['a note with a quote', [HEAD, 'the "rest" is:', TAIL]],
    ['three notes', [HEAD, 'continued:', 'here:', 'now:', TAIL]],
    ['an 81-character note', [HEAD, `continued ${'.'.repeat(71)}`, TAIL]],
    ['20 characters before the opening', [`here is my jwk file: ${HEAD}`, 'continued:', TAIL]],
  ])('%s is refused', async (_name, texts) => {
    expect(await holds(...texts)).toBe(false);
  });
});
