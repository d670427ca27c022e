// Round 10 of the attacker's review (session 12), separators between a value's groups that the views do not read as
// one: (1) an IBAN is found in upper case with its groups split by one space or glued only, so the same IBAN with
// '-', '.', '/', '_', two spaces, a tab or a line break between its groups (as a card's or an SSN's are read), a space
// after its country code, or in lower case reaches the model whole; (2) the digits view reads whitespace, ASCII
// punctuation, every dash (\p{Pd}) and a few marks between digit groups, but not the characters that look like a dash
// or a bar and are letters or modifier symbols: the katakana prolonged sound mark U+30FC (and its half-width U+FF70),
// the Arabic tatweel U+0640 (a kashida: a stretch of the line, meaningless by definition), the modifier letters
// U+02C9 ˉ, U+02CD ˍ, U+02D7 ˗, U+A789 ꞉ and the dental click U+01C0 ǀ (a bar). A model reads `4111ー1111ー…` as the
// card at once. Controls: a figure dash U+2012 and a spaced IBAN are refused / redacted.
import { describe, expect, it } from 'vitest';
import { fates, isForwarded } from './round9-helpers.ts';
import { upstreamHolds } from './round10-helpers.ts';

const IBAN_GROUPS = ['DE89', '3704', '0044', '0532', '0130', '00'];

describe('an IBAN with punctuation between its groups', () => {
  // Closed (recognizers-pii.ts IBAN, checksums.ts ibanWindows): groups apart by up to three of whitespace, '-', '.',
  // '/', '_', a space after the country code, any case; the country's length and mod-97 gate each form.
  it.each([
    ["'-' between its groups", 'DE89-3704-0044-0532-0130-00'],
    ["'.' between its groups", 'DE89.3704.0044.0532.0130.00'],
    ["'/' between its groups", 'DE89/3704/0044/0532/0130/00'],
    ["'_' between its groups", 'DE89_3704_0044_0532_0130_00'],
    ['two spaces between its groups', 'DE89  3704  0044  0532  0130  00'],
    ['a tab between its groups', 'DE89\t3704\t0044\t0532\t0130\t00'],
    ['a line break between its groups', 'DE89\n3704\n0044\n0532\n0130\n00'],
    ['a space after its country code', 'DE 89 3704 0044 0532 0130 00'],
    ['its letters in lower case', 'de89 3704 0044 0532 0130 00'],
  ])('an IBAN with %s never reaches the upstream', async (_sep, iban) => {
    expect(await upstreamHolds(`my iban: ${iban}`, '0532')).toBe(false);
  });
  it('control: the IBAN spaced, glued or with ideographic spaces is redacted', async () => {
    for (const sep of [' ', '', '\u3000'])
      expect(await upstreamHolds(`iban ${IBAN_GROUPS.join(sep)}`, '0532')).toBe(false);
  });
});

describe('a letter or modifier symbol that looks like a dash or a bar between digit groups', () => {
  const LOOKALIKES = [
    ['U+30FC (katakana prolonged sound mark)', '\u30fc'],
    ['U+FF70 (half-width prolonged sound mark)', '\uff70'],
    ['U+0640 (Arabic tatweel)', '\u0640'],
    ['U+02C9 (modifier letter macron)', '\u02c9'],
    ['U+02CD (modifier letter low macron)', '\u02cd'],
    ['U+02D7 (modifier letter minus sign)', '\u02d7'],
    ['U+A789 (modifier letter colon)', '\ua789'],
    ['U+01C0 (dental click, a bar)', '\u01c0'],
  ] as const;
  it.each(LOOKALIKES)('a card and an SSN split by %s are refused', async (_name, sep) => {
    expect([
      await isForwarded(`card 4111${sep}1111${sep}1111${sep}1111`),
      await isForwarded(`219${sep}09${sep}9999`),
    ]).toEqual([false, false]);
  });
  it('a card split by U+30FC in an answer reaches neither the client of a plain answer nor of a stream', async () => {
    const text = 'your card: 4111\u30fc1111\u30fc1111\u30fc1111, thanks';
    expect(await fates(text, '1111\u30fc1111')).toEqual({ forwarded: false, relayed: false, streamed: false });
  });
  it('control: a card and an SSN split by a figure dash U+2012 or a three-em dash U+2E3B are refused', async () => {
    for (const sep of ['\u2012', '\u2e3b']) {
      expect([
        await isForwarded(`card 4111${sep}1111${sep}1111${sep}1111`),
        await isForwarded(`219${sep}09${sep}9999`),
      ]).toEqual([false, false]);
    }
  });
});
