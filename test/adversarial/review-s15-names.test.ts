// Review s15 (R3, attacker's review of session 15's changes), the PERSON_NAME precision fix (81299d7, match-context.ts
// insideToken: a capital after a letter or a digit, or after `-`/`_` ending a run of 16 letters, digits, `-` and `_`
// holding a digit or a small-then-capital pair, starts no name: random base64url of public JWKs read names). A name
// written right after a ticket or invoice id and a hyphen, which the rule before it found, is now no finding.
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

  // HOLE (open, src/classification/match-context.ts insideToken): a `-` after a 16-character run holding a digit makes
  // the next capital part of the token, so a name glued to a ticket or invoice id by a hyphen (a case file's or an
  // attachment's name) is no PERSON_NAME; with 81299d7^'s match-context.ts the classifier finds both (checked).
  // Fix: take the run for a token only when base64url-like (no `-` between digit groups, or mixed case), ~5 lines.
  it.fails.each([
    ['ticket-2024-0193-John Smith escalated', 'Smith'],
    ['Attached: invoice-INV2024000193-Maria Garcia.pdf', 'Garcia'],
  ])('%s has the name redacted', async (text, probe) => {
    expect(await relayedName(text, probe)).toBe(false);
  });
});
