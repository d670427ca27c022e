// IBANs with their groups apart (recognizers-pii.ts IBAN, checksums.ts ibanWindows): spaced, glued, or split by up to
// three of ' ', any dash (\p{Pd}: '-', U+2011, '–'), '.', '/', '_' or any other digit separator (U+2212, '·', '|') in
// any mix, each found whole with the glued IBAN's fingerprint; the country's length and mod 97 gate every form, so
// codes of the same shape that fail either (version strings, part numbers, a changed digit) stay no IBAN.
import { describe, expect, it } from 'vitest';
import { ibanWindows } from '../../../src/classification/checksums.ts';
import { createClassifier } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const ibans = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'IBAN')
    .map((f) => ({ value: text.slice(f.start, f.end), fingerprint: f.fingerprint }));
const GROUPS = ['DE89', '3704', '0044', '0532', '0130', '00'];
const glued = ibans(GROUPS.join(''))[0]?.fingerprint;

describe('an IBAN with its groups apart', () => {
  it.each([
    ['-', GROUPS.join('-')],
    ['.', GROUPS.join('.')],
    ['/', GROUPS.join('/')],
    ['_', GROUPS.join('_')],
    ['two spaces', GROUPS.join('  ')],
    ['a spaced dash', GROUPS.join(' - ')],
    ['a mix', 'DE89-3704.0044/0532_0130 00'],
    ['groups of three', 'DE8 9370-400-440-532-013-000'.replace('DE8 9', 'DE89')],
    ['a British IBAN with letters', 'GB82-WEST-1234-5698-7654-32'],
    ['a tab', GROUPS.join('\t')],
    ['a line break', GROUPS.join('\n')],
    ['a space after the country code (and', 'DE 89 3704 0044 0532 0130 00'],
    ['lower case (spaces', 'de89 3704 0044 0532 0130 00'],
    ['lower case, British (dashes', 'gb82-west-1234-5698-7654-32'],
    ['U+2010 (hyphen)', GROUPS.join('\u2010')],
    ['U+2011 (non-breaking hyphen)', GROUPS.join('\u2011')],
    ['U+2013 (en dash)', GROUPS.join('\u2013')],
    ['a spaced em dash', GROUPS.join(' \u2014 ')],
    ['U+2011 after the country code (and', 'DE\u201189\u20113704\u20110044\u20110532\u20110130\u201100'],
    ['U+2212 (minus sign)', GROUPS.join('\u2212')],
    ['U+00B7 (middle dot)', GROUPS.join('\u00b7')],
    ['"|"', GROUPS.join('|')],
    ['" + "', GROUPS.join(' + ')],
    ['U+2500 (box drawing)', GROUPS.join('\u2500')],
  ])('%s between its groups: found whole, fingerprinted as the glued IBAN', (_name, iban) => {
    const found = ibans(`pay to ${iban}, thanks`);
    expect(found.map((f) => f.value)).toEqual([iban]);
    if (iban.startsWith('DE')) expect(found[0]?.fingerprint).toBe(glued);
  });

  it('two IBANs in a row, and one running on into the next word', () => {
    expect(ibans('DE89-3704-0044-0532-0130-00 GB82-WEST-1234-5698-7654-32').map((f) => f.value)).toEqual([
      'DE89-3704-0044-0532-0130-00',
      'GB82-WEST-1234-5698-7654-32',
    ]);
    expect(ibans('GB82.WEST.1234.5698.7654.32.THANKS').map((f) => f.value)).toEqual(['GB82.WEST.1234.5698.7654.32']);
  });

  it('windows: from each group start with a country code, ending at a group boundary', () => {
    expect(ibanWindows('DE89-3704-0044-0532-0130-00')).toEqual([[0, 27]]);
    expect(ibanWindows('XX12 DE89.3704.0044.0532.0130.00')).toEqual([[5, 32]]);
    expect(ibanWindows('DE89--3704 _0044/0532.0130-00')).toEqual([[0, 29]]);
    expect(ibanWindows('DE89-3704-0044-0532-0130-001')).toEqual([]); // the 22nd character ends no group
  });
});

describe('no IBAN where the checksum or length fails', () => {
  it('prose with two-letter words before numbers and short words holds none', () => {
    const prose =
      'We met at 10 am and then at 12 pm in 2024, de 12 a 14 h, es 25 de mayo; be 18 or over. AT 10 AM AND THE DAY ' +
      'GB 12 34 56 78 90 12 34 56 78 at10 am and the rest of it, de89 ist kein IBAN, NL 91 rows of 4 and 5 of 6 too.';
    expect(ibans(prose)).toEqual([]);
  });

  it.each([
    ['a changed digit', 'DE89-3704-0044-0532-0130-01'],
    ['one character short', 'DE89-3704-0044-0532-0130-0'],
    ['a part number', 'AB12-3456-7890-1234'],
    ['a version path', 'DE12/2024/0001/0002/0003/00'],
    ['four separators between groups', 'DE89-3704-0044-0532-0130----00'],
    ['a changed digit, en dashes', 'DE89\u20133704\u20130044\u20130532\u20130130\u201301'],
    ['a part number, non-breaking hyphens', 'AB12\u20113456\u20117890\u20111234'],
    ['a changed digit, bars', 'DE89|3704|0044|0532|0130|01'],
    ['a sum of groups', 'DE89 + 3704 + 0044 + 0532 + 0130 + 01'],
    ['a lower-case country code apart from its check digits', 'de 89 3704 0044 0532 0130 00'],
  ])('%s', (_name, text) => {
    expect(ibans(`ref ${text} ok`)).toEqual([]);
  });
});
