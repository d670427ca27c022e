// The evasion-proof view: other scripts' digits, control characters, and every separator between digit groups are
// read the way numeric recognizers expect, spans still cover exactly the original characters, and what must not
// become a value (IP addresses, versions, dates, decimals) does not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier, normalizeText } from '../../../src/classification/index.ts';
import { openListStart } from '../../../src/classification/digit-lists.ts';
import { isDigitSeparator } from '../../../src/classification/digit-separators.ts';
import { digitIslands, digitView, holdsRewrite, ISLAND_PAD } from '../../../src/classification/digit-view.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(3) });
const find = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end), fingerprint: f.fingerprint }));
const [plain] = find('219-09-9999');
const tags = (s: string) => [...s].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');

describe("SSN evasions are found, spanning exactly the original value, with the plain value's fingerprint", () => {
  it.each([
    ['dots', '219.09.9999'],
    ['slashes', '219/09/9999'],
    ['underscores', '219_09_9999'],
    ['several spaces', '219    09    9999'],
    ['newlines', '219\n09\n9999'],
    ['CRLF and tabs', '219\r\n09\t\t9999'],
    ['en dashes', '219–09–9999'],
    ['em dashes', '219—09—9999'],
    ['U+2010 and U+2015', '219\u201009\u20159999'],
    ['minus signs', '219\u221209\u22129999'],
    ['NBSP and thin spaces', '219\u00a009\u20099999'],
    ['ideographic spaces', '219\u300009\u30009999'],
    ['Arabic-Indic digits', '٢١٩-٠٩-٩٩٩٩'],
    ['Extended Arabic-Indic digits', '۲۱۹-۰۹-۹۹۹۹'],
    ['Devanagari digits', '२१९-०९-९९९९'],
    ['Bengali digits and dots', '২১৯.০৯.৯৯৯৯'],
    ['full-width digits and slashes', '２１９/０９/９９９９'],
    ['mathematical digits (astral)', '𝟐𝟏𝟗-𝟎𝟗-𝟗𝟗𝟗𝟗'],
    ['a NUL inside a group', '219-0\u00009-9999'],
    ['control characters around a separator', '219\u0001-\u001f09-\u00859999'],
    ['DEL and an escape', '21\u007f9-09-99\u001b99'],
    ['mixed separators', '219. 09 /9999'],
    ['a right-to-left override inside', '219-\u202e09-9999'],
    ['keycap digits', '2\ufe0f\u20e31\ufe0f\u20e39\ufe0f\u20e3-0\u20e39\u20e3-9\u20e39\u20e39\u20e39\u20e3'],
    ['combining marks on the digits', '2\u03011\u03019-09-9999'],
    ['tag characters (invisible)', tags('219-09-9999')],
    ['vertical bars', '219|09|9999'],
    ['plus signs', '219+09+9999'],
    ['tildes', '219~09~9999'],
    ['asterisks', '219*09*9999'],
    ['hashes', '219#09#9999'],
    ['markdown bold groups', '219**-**09**-**9999'],
    ['ideographic full stops', '219\u300209\u30029999'],
    ['half-width ideographic full stops', '219\uff6109\uff619999'],
    ['full-width full stops', '219\uff0e09\uff0e9999'],
    ['full-width vertical bars', '219\uff5c09\uff5c9999'],
  ])('%s', (_name, value) => {
    expect(find(`ref ${value} end`)).toEqual([{ type: 'US_SSN', value, fingerprint: plain?.fingerprint }]);
  });

  it('digits spaced one by one, with a label (a bare nine-digit run needs one, spaced or not)', () => {
    expect(find('SSN 2 1 9 0 9 9 9 9 9')).toMatchObject([{ type: 'US_SSN', value: '2 1 9 0 9 9 9 9 9' }]);
    expect(find('SSN 2  1\n9 0 9 9 9 9 9')).toMatchObject([{ type: 'US_SSN', value: '2  1\n9 0 9 9 9 9 9' }]);
    expect(find('ref 2 1 9 0 9 9 9 9 9 end')).toEqual([]);
  });

  it('cards with any separator, and spaced one digit at a time', () => {
    const [card] = find('4111 1111 1111 1111');
    const spaced = '4 1 1 1 1 1 1 1 1 1 1 1 1 1 1 1';
    const marks = ['4111|1111|1111|1111', '4111+1111+1111+1111', '4111 * 1111 * 1111 * 1111', '4111。1111。1111。1111'];
    for (const value of ['4111.1111.1111.1111', '4111  1111  1111  1111', '4111–1111–1111–1111', spaced, ...marks]) {
      expect(find(`pay ${value} now`)).toEqual([{ type: 'CREDIT_CARD', value, fingerprint: card?.fingerprint }]);
    }
  });
});

describe('BSNs beside their word with any separator (NL_BSN is a digits-view recognizer)', () => {
  const [bsn] = find('BSN 123456782');
  it.each([
    '123-456-782',
    '123/456/782',
    '123_456_782',
    '123.456.782',
    '1234/56/782',
    '123   456   782',
    '1 2 3 4 5 6 7 8 2',
  ])("%s is one NL_BSN over exactly its characters, with the plain value's fingerprint", (value) => {
    expect(find(`Mijn BSN is ${value}.`)).toEqual([{ type: 'NL_BSN', value, fingerprint: bsn?.fingerprint }]);
  });

  it("the BSN's checksum and word outrank a bare US SSN on the same digits, in the digits view too", () => {
    expect(find('BSN (social security number): 1 2 3 4 5 6 7 8 2').map((f) => f.type)).toEqual(['NL_BSN']);
    expect(find('SSN 2 1 9 0 9 9 9 9 9').map((f) => f.type)).toEqual(['US_SSN']);
  });

  it('control: no BSN word, or a number failing the 11-proef, is no BSN', () => {
    expect(find('order 123/456/782 shipped')).toEqual([]);
    expect(find('BSN 123/456/783').filter((f) => f.type === 'NL_BSN')).toEqual([]);
  });
});

describe('what the digits view must not turn into values', () => {
  it.each([
    ['IP addresses', 'hosts 10.219.09.99 and 192.0.2.219 and 219.09.99.99'],
    ['version strings', 'upgrade from v2.19.0 to 219.09.999 or 1.2.3.4'],
    ['dates', 'on 2019.09.19 or 19/09/2019 or 2019-09-19'],
    ['decimals and times', 'pi is 3.14159, 12:09:99 and 1.5 2.5 3.5 4.5 5.5 6.5 7.5 8.5'],
    ['thousands separators', 'total 219,099,999 units'],
    ['separator runs too long to be one', 'page 219          09          9999'],
    ['phone numbers with a country code', 'call +1 415 555 2671 or +44 20 7946 0958 or 555+1+2671'],
    ['arithmetic', '12*34 = 408, 3+4+5 = 12, 2019+09 ~ 2028, 100*100*100 #1'],
    ['a markdown table of numbers not in a value layout', '| 2019 | 42 | 1234 |\n|---|---|---|\n| 7 | 12 | 2026 |'],
    ['a markdown table whose cells are padded past a separator run', '| 219      |  09      | 9999     |'],
  ])('%s', (_name, text) => {
    expect(find(text).filter((f) => f.type === 'US_SSN' || f.type === 'CREDIT_CARD')).toEqual([]);
  });

  it('digits glued to letters are a value when the digits view makes one (only a digit next to it rules it out)', () => {
    expect(find('A219.09.9999B').filter((f) => f.type === 'US_SSN')).toHaveLength(1);
  });

  it('a table row whose cells are an SSN or a card in its groups is read as that number (documented cost)', () => {
    expect(find('| 219 | 09 | 9999 |')).toMatchObject([{ type: 'US_SSN', value: '219 | 09 | 9999' }]);
    expect(find('|4111|1111|1111|1111|')).toMatchObject([{ type: 'CREDIT_CARD', value: '4111|1111|1111|1111' }]);
  });

  it('an IP address is still an IP address, not rewritten for the other recognizers', () => {
    expect(find('server 192.168.1.20 down')).toMatchObject([{ type: 'IP_ADDRESS', value: '192.168.1.20' }]);
  });
});

describe('a bracketed list of numbers that is exactly a card in its groups', () => {
  const [amex] = find('3782 822463 10005');
  const [visa] = find('4111 1111 1111 1111');
  it.each([
    ['a JSON array', '{"n":[3782,822463,10005]}', '3782,822463,10005', amex],
    ['spaced', 'n = [3782, 822463, 10005]', '3782, 822463, 10005', amex],
    ['pretty-printed', '[\n  3782,\n  822463,\n  10005\n]', '3782,\n  822463,\n  10005', amex],
    ['4-4-4-4', '[4111,1111,1111,1111]', '4111,1111,1111,1111', visa],
    ['nested', '[[4111],[1111],[1111],[1111]]', '4111],[1111],[1111],[1111', visa],
    ['quoted', '["4111", "1111", "1111", "1111"]', '4111", "1111", "1111", "1111', visa],
    ['inside a longer list', '[7, [3782,822463,10005], 8]', '3782,822463,10005', amex],
    ['a thousand levels deep', `${'['.repeat(1000)}3782,822463,10005${']'.repeat(1000)}`, '3782,822463,10005', amex],
    ['a tuple', 'row (4111, 1111, 1111, 1111) ok', '4111, 1111, 1111, 1111', visa],
    ['a set', 's = {3782, 822463, 10005}', '3782, 822463, 10005', amex],
    ['split by ;', '[4111; 1111; 1111; 1111]', '4111; 1111; 1111; 1111', visa],
    ['a tuple of quoted numbers', "('3782', 822463, 10005)".replaceAll("'", '"'), '3782", 822463, 10005', amex],
    ['a call', 'charge(3782, 822463, 10005)', '3782, 822463, 10005', amex],
    ['tuples in a set', '{(4111, 1111), (1111, 1111)}', '4111, 1111), (1111, 1111', visa],
  ])('%s', (_name, text, value, card) => {
    expect(find(text)).toEqual([{ type: 'CREDIT_CARD', value, fingerprint: card?.fingerprint }]);
  });

  it('reads in the digits view as the dashed card, the brackets kept', () => {
    expect(digitView(normalizeText('x [3782, 822463, 10005] y'))?.text).toBe('x [3782-822463-10005] y');
    expect(digitView(normalizeText('[[4111], ["1111"], 1111, 1111]'))?.text).toBe('[[4111-1111-1111-1111]');
  });

  it.each([
    ['SSN-shaped triples', '[219, 9, 9999] [123, 45, 6789] ["219","09","9999"]'],
    ['times and versions', '["12:30", "13:45"] [1, 2, 3] [10, 4, 2, 1]'],
    ['coordinates', '[[40.7128, -74.006], [51.5072, -0.1276]]'],
    ['a date and time', '[2026, 12, 6, 14, 45, 37]'],
    ['Luhn-invalid groups', '[4111, 1111, 1111, 1112]'],
    // (not a JSON text: one starting with `[` has its consecutive values joined in pairs, segment-join.ts)
    ['not a card layout', 'n = [378282, 246310005] [37, 82, 82, 24, 63, 10, 5] [4111, 11111, 1111, 111]'],
    ['more numbers than the groups', '[4111, 1111, 1111, 1111, 12, 28]'],
    ['a list with anything else in it', '["a", 3782, 822463, 10005] [3782, 822463, 10005.5] [3782, -822463, 10005]'],
    ['no brackets', '3782,822463,10005 3782; 822463; 10005'],
    ['numbers without commas', '[3782 822463,10005] (3782 822463; 10005)'],
    ['calls and coordinate tuples', 'f(1, 2, 3) max(2048, 4096) at (37.7749, -122.4194) (40, -74) (3, 224, 224)'],
    ['a phone in parentheses', 'call (555) 123-4567 or (555)123-4567'],
    ['sets of numbers', '{1, 2, 3} {10, 20; 30} {2026, 12, 6, 14, 45, 37}'],
    ['JSON objects', '{"a":1} {"4111":1111,"1111":1111} {"n": 4111, "m": 1111}'],
    ['quoted numbers directly under {', '{"4111", "1111", "1111", "1111"} {"3782","822463","10005"}'],
    ['unclosed or mismatched', '(4111, 1111, 1111, 1111 {4111; 1111; 1111'],
  ])('not: %s', (_name, text) => {
    expect(find(text).filter((f) => f.type === 'CREDIT_CARD' || f.type === 'US_SSN')).toEqual([]);
  });

  it('maps a found list back to exactly its digits and separators (property)', () => {
    // layouts with no shorter card inside (a 4-4-4-4-3 list may hold a Luhn-valid 4-4-4-4 by chance)
    const layouts = fc.constantFrom([4, 4, 4, 4], [4, 6, 5], [4, 6, 4], [4, 4, 4, 1]);
    const gap = fc.constantFrom(',', ', ', ' , ', ',\n  ', '],[', '], [', '",  "', ';', '; ', ' ;\n ');
    fc.assert(
      fc.property(
        layouts,
        fc.array(gap, { minLength: 4, maxLength: 4 }),
        fc.bigInt({ min: 0n, max: 10n ** 17n }),
        (layout, gaps, n) => {
          // a Visa- or Amex-prefixed number of the layout's length, made Luhn-valid by its last digit
          const length = layout.reduce((n, g) => n + g, 0);
          const body = `${length === 15 ? '37' : length === 14 ? '36' : '4'}${String(n).padStart(18, '0')}`.slice(
            0,
            length - 1,
          );
          const check = (10 - luhnSum(`${body}0`)) % 10;
          const digits = `${body}${check}`;
          let at = 0;
          const groups = layout.map((g) => digits.slice(at, (at += g)));
          const joined = groups.map((g, i) => (i === 0 ? g : `${gaps[i - 1]}${g}`)).join('');
          const text = `pay [${joined}] now`;
          const cards = find(text).filter((f) => f.type === 'CREDIT_CARD');
          if (!joined.includes('"') && !joined.includes(']')) expect(cards.map((f) => f.value)).toEqual([joined]);
          // brackets and quotes between groups balance only when the gaps do: a list either way, or no finding
          for (const f of cards) expect(f.value.replace(/[^0-9]/g, '')).toBe(digits);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('openListStart (what a stream holds: a list whose next groups may still come)', () => {
  it('is the first `[` still open in the trailing run of the characters lists are made of', () => {
    expect(openListStart('x {"n":["3782", "822463", ', 0)).toBe(7);
    expect(openListStart('[[3782],[822463],\u200b\n ', 0)).toBe(0);
    expect(openListStart('a [1] [2, ', 0)).toBe(6);
    expect(openListStart('[٣٧٨٢, ', 0)).toBe(0);
    expect(openListStart('x [3782, 822463, ', 5)).toBe(17); // not read back past the floor
    expect(openListStart('row (4111, 1111; ', 0)).toBe(4);
    expect(openListStart('s = {3782, ', 0)).toBe(4);
    expect(openListStart('f() [1] {(2, ', 0)).toBe(8);
  });
  it("is the text's length when no list is open at its end", () => {
    for (const text of ['[3782, 822463, 10005] ok', 'note [1, x', 'plain 3782, 822463, ', '[1] ', '(1; 2) {3} ']) {
      expect(openListStart(text, 0)).toBe(text.length);
    }
  });
});

/** The Luhn sum of a digit string (a multiple of ten when it is valid). */
function luhnSum(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10;
}

describe('digitIslands', () => {
  it('copies only the text around rewrites, and marks where they are', () => {
    const prose = 'plain words. '.repeat(100);
    const text = `${prose}ref 219.09.9999 end ${prose}`;
    const islands = digitIslands(normalizeText(text));
    expect(islands).toHaveLength(1);
    const [island] = islands;
    expect(island!.view.text.length).toBeLessThan(2 * ISLAND_PAD + 20);
    expect(island!.view.text).toContain('ref 219-09-9999 end');
    const dash = island!.view.text.indexOf('219-09') + 3;
    expect(island!.rewritten).toEqual([dash, dash + 3]);
    expect(text.slice(island!.view.startOf(dash - 3), island!.view.endOf(dash + 8))).toBe('219.09.9999');
    expect(holdsRewrite(island!.rewritten, dash - 3, dash)).toBe(false);
    expect(holdsRewrite(island!.rewritten, dash - 3, dash + 1)).toBe(true);
  });

  it('a value holding a rewrite is found with its context however far the text around it goes', () => {
    const prose = '1111 2222 3333 '.repeat(60);
    expect(find(`${prose} my ssn is 219.09.9999 ${prose}`).filter((f) => f.type === 'US_SSN')).toEqual([
      { type: 'US_SSN', value: '219.09.9999', fingerprint: plain?.fingerprint },
    ]);
    expect(
      classifier
        .classify([{ path: 'p', text: `${prose} my ssn is 219.09.9999 ${prose}` }])
        .findings.find((f) => f.type === 'US_SSN')?.confidence,
    ).toBe(95);
  });
});

describe('digitView', () => {
  it('is undefined when nothing needs rewriting (no second scan)', () => {
    expect(digitView(normalizeText('plain 219-09-9999 and 4111 1111 text'))).toBeUndefined();
  });

  it('rewrites separator runs between digits to one dash and joins spaced single digits', () => {
    expect(digitView(normalizeText('a 219 . 09\n\n9999 b'))?.text).toBe('a 219-09-9999 b');
    expect(digitView(normalizeText('1 2 3 4 5 6 7 8 9 0'))?.text).toBe('1234567890');
  });

  it('maps every span back to original characters that contain its digits, in order (property)', () => {
    const unit = fc.constantFrom(
      '1',
      '2',
      '٣',
      '५',
      '４',
      ' ',
      '  ',
      '.',
      '/',
      '_',
      '-',
      '–',
      '\u2212',
      '\n',
      '\u00a0',
      'a',
      '\u0000',
      '\u200b',
      'x',
      // bracketed lists (listRewrites): brackets, commas, quotes and card groups
      '[',
      ']',
      ',',
      ', ',
      '"',
      '4111',
      '3782',
      '822463',
      '10005',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 40 }), fc.nat(), fc.nat(), (text, a, b) => {
        const main = normalizeText(text);
        const view = digitView(main) ?? main;
        const s = a % (view.text.length + 1);
        const e = s + (b % (view.text.length - s + 1));
        const os = view.startOf(s);
        const oe = view.endOf(e);
        expect(os).toBeGreaterThanOrEqual(0);
        expect(oe).toBeLessThanOrEqual(text.length);
        if (e > s) {
          expect(oe).toBeGreaterThan(os);
          const digitsOf = (t: string) => normalizeText(t).text.replace(/[^0-9]/g, '');
          // the original span holds the view span's digits: redacting it removes every digit the match saw
          expect(digitsOf(text.slice(os, oe))).toContain(view.text.slice(s, e).replace(/[^0-9]/g, ''));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('AWS access keys glued to words', () => {
  it.each([
    ['after lower-case letters', 'keyAKIA2E0A8F3B244C9986'],
    ['after one letter', 'xAKIA2E0A8F3B244C9986'],
    ['after an underscore', 'aws_key_AKIA2E0A8F3B244C9986'],
    ['before lower-case letters', 'AKIA2E0A8F3B244C9986secret'],
    ['temporary keys too', 'tokASIAY34FZKBOKMUTVV7Ax'],
  ])('%s', (_name, text) => {
    expect(find(text).map((f) => f.type)).toEqual(['AWS_ACCESS_KEY']);
    expect(find(text)[0]?.value).toMatch(/^A[KS]IA[A-Z0-9]{16}$/);
  });

  it('not followed by more of a longer upper-case id, and never the documented example', () => {
    expect(find('AKIA2E0A8F3B244C99867 keyAKIAIOSFODNN7EXAMPLE')).toEqual([]);
  });
});

describe('digit view: the native pre-check', () => {
  it('rewrites a doubled separator between two digits exactly for the units isDigitSeparator accepts', () => {
    // separatorRewrites first asks one native search for a digit followed by a separator; a unit it missed would
    // leave `9\u2015\u20159` unread. Doubled: a single space or dash is already the canonical form.
    const view = (text: string) => digitView({ text, startOf: (i) => i, endOf: (i) => i, simple: false });
    const missed: number[] = [];
    for (let code = 0; code <= 0xffff; code += 1) {
      const separator = String.fromCharCode(code);
      if ((view(`9${separator}${separator}9`) !== undefined) !== isDigitSeparator(code)) missed.push(code);
    }
    expect(missed).toEqual([]);
    expect(view('9\u2015\u20159')?.text).toBe('9-9');
  });
});
