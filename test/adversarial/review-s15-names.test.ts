// Review s15 (R3, attacker's review of session 15's changes), the PERSON_NAME precision fix (81299d7, match-context.ts
// insideToken: a capital after a letter or a digit, or after `-`/`_` ending a run of 16 letters, digits, `-` and `_`
// holding a digit or a small-then-capital pair, starts no name: random base64url of public JWKs read names). A name
// written right after a ticket or invoice id and a hyphen, which the rule before it found, was no finding (closed).
import { describe, expect, it } from 'vitest';
import { anthropicAnswer } from './fixtures.ts';
import { screened } from './round7-helpers.ts';

const NAMES = { redact: ['PERSON_NAME'], block: [] };
/** Whether `name` reaches the client of an Anthropic answer `text` whose rules redact person names. */
const relayedName = async (text: string, name: string) =>
  (await screened('anthropic.messages', anthropicAnswer([{ type: 'text', text }]), NAMES)).includes(name);

describe('a person name right after an id and a hyphen', () => {
  it.each([
    ['Signed by John Smith on 2024-03-01.', 'Smith'],
    ['Attached: invoice INV2024000193 for Maria Garcia.pdf', 'Garcia'],
    ['room 12B Maria Garcia', 'Garcia'],
  ])('control: %s has the name redacted', async (text, probe) => {
    expect(await relayedName(text, probe)).toBe(false);
  });

  // HOLE closed in src/classification/match-context.ts insideToken: a `-` after a 16-character run holding a digit
  // made the next capital part of the token, so a name glued to a ticket or invoice id by a hyphen (a case file's or an
  // attachment's name) was no PERSON_NAME. The run is now a token's only when a piece of it between `-`/`_` mixes
  // cases as no word or id does (isRandomPiece: `DC4Zvdety`); an id's pieces are of one case and digits.
  it.each([
    ['ticket-2024-0193-John Smith escalated', 'Smith'],
    ['Attached: invoice-INV2024000193-Maria Garcia.pdf', 'Garcia'],
    ['build ref 5f3a9c1e2b7d4a6f-John Smith escalated', 'Smith'],
  ])('%s has the name redacted', async (text, probe) => {
    expect(await relayedName(text, probe)).toBe(false);
  });

  // Controls: in random base64url (a public JWK's x, a token), a capital after `-` or `_` is still a piece of it.
  it.each([
    ['x: q3Rm7Vb9xZcT4wLk2NpY-Maria Garcia', 'Garcia'],
    ['{"x":"ALfeoOUsqduVzpFLXf8stt1REAZywZ-Maria Garcia"}', 'Garcia'],
    ['{"y":"AdkyYKLATyC3lZ2uqx2C1G0Fxeouqi_Maria Garcia"}', 'Garcia'],
  ])('control: random base64url before the hyphen, %s, reads no name', async (text, probe) => {
    expect(await relayedName(text, probe)).toBe(true);
  });
});
