// Round 10 of the attacker's review (session 12), person names in Latin letters outside person-names.ts's UPPER:
// PERSON_NAME's words opened with A-Z, Latin-1's capitals or 26 listed capitals of Latin Extended-A (the JS finder,
// person-name-finder.ts, mirrored the same list), so names that opened with the other Latin capitals were no names
// (closed: every capital of Latin Extended-A and -B and Latin Extended Additional opens a word):
// Turkish İ (İbrahim, İlker), Romanian Ș and Ț with the comma below (U+0218/U+021A, the official letters; the listed
// Ş is the cedilla form), Latvian Ē, Ū, Ķ, Ļ, and romanised Japanese Ō (Ōtani). An answer's "Dear Ștefan Ionescu"
// reaches a client whose rules redact names. Control: the same names without the diacritic are redacted.
import { describe, expect, it } from 'vitest';
import { anthropicAnswer } from './fixtures.ts';
import { screened } from './round7-helpers.ts';

const NAMES = { redact: ['PERSON_NAME'], block: [] };
/** Whether `name` reaches the client of an Anthropic answer `text` whose rules redact person names. */
const relayedName = async (text: string, name: string) =>
  (await screened('anthropic.messages', anthropicAnswer([{ type: 'text', text }]), NAMES)).includes(name);

describe('a person name opening with a Latin capital past Latin-1', () => {
  it.each([
    ['My name is İlker Yılmaz.', 'Yılmaz'],
    ['Dear Ștefan Ionescu,', 'Ionescu'],
    ['My name is Ēriks Ūdris.', 'Ūdris'],
    ['Patient: Ōtani Shōhei', 'Shōhei'],
  ])('%s is redacted', async (text, probe) => {
    expect(await relayedName(text, probe)).toBe(false);
  });
  it('control: the same names without the diacritic are redacted', async () => {
    const plain: [string, string][] = [
      ['My name is Ilker Yilmaz.', 'Yilmaz'],
      ['Dear Stefan Ionescu,', 'Ionescu'],
      ['My name is Eriks Udris.', 'Udris'],
      ['Patient: Otani Shohei', 'Shohei'],
    ];
    for (const [text, probe] of plain) expect(await relayedName(text, probe)).toBe(false);
  });
});
