// Round 11 of the attacker's review (session 13), an IBAN's groups apart by separators the digits view reads between
// a card's or an SSN's groups (digit-separators.ts: the middle dot, the bullet, the minus sign U+2212, '|', '+', '~',
// and DASH_LIKE's line letters) but IBAN's pattern (recognizers-pii.ts, e897a85/3888fe6: whitespace, '-', '.', '/',
// '_' and \p{Pd}) did not (closed: IBAN_GAP). A model reads each as the IBAN. Control: '-' and the en dash are redacted.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';

const GROUPS = ['DE89', '3704', '0044', '0532', '0130', '00'];

describe("an IBAN's groups apart by a digit separator IBAN does not take", () => {
  it.each([
    ['-', '-'],
    ['U+2013 (en dash)', '\u2013'],
    ['" - "', ' - '],
  ])('control: the IBAN with %s between its groups is redacted', async (_name, separator) => {
    expect(await upstreamHolds(`my iban: ${GROUPS.join(separator)}`, '0532')).toBe(false);
  });

  // Closed (recognizers-pii.ts IBAN_GAP): IBAN's separators were whitespace, '-', '.', '/', '_' and \p{Pd}; the minus
  // sign U+2212 (a word processor's or a PDF's "dash" in numbers, not \p{Pd} but Sm), the middle dot and the bullet,
  // '|', '+' and the box-drawing line U+2500 separated a card's groups in the digits view and left an IBAN whole to the
  // upstream. IBAN now takes every separator the digits view reads (digit-separators.ts DIGIT_SEPARATOR_CLASS).
  it.each([
    ['U+2212 (minus sign)', '\u2212'],
    ['U+00B7 (middle dot)', '\u00b7'],
    ['U+2022 (bullet)', '\u2022'],
    ['"|"', '|'],
    ['"+"', '+'],
    ['U+2500 (box drawing)', '\u2500'],
  ])('the IBAN with %s between its groups is redacted', async (_name, separator) => {
    expect(await upstreamHolds(`my iban: ${GROUPS.join(separator)}`, '0532')).toBe(false);
  });
});
