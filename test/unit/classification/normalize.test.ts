// Normalisation before matching: NFKC (full-width digits), zero-width characters ignored, offsets mapped back to
// the original UTF-16 string, fingerprints over the normalised value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier, normalizeText } from '../../../src/classification/index.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(2) });
const find = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.map((f) => ({ type: f.type, value: text.slice(f.start, f.end), fingerprint: f.fingerprint }));

describe('normalizeText', () => {
  it('is the identity (same string) on ASCII', () => {
    const n = normalizeText('plain text 123');
    expect(n.text).toBe('plain text 123');
    expect(n.startOf(3)).toBe(3);
  });

  it('maps full-width digits and drops zero-width characters', () => {
    const n = normalizeText('a\u200b１２b');
    expect(n.text).toBe('a12b');
    expect([n.startOf(1), n.endOf(3)]).toEqual([2, 4]);
  });

  it('reads every Unicode decimal digit as its ASCII digit, one unit for one code point', () => {
    const n = normalizeText('a٠١٢٣٤٥٦٧٨٩ ۰۹ ०९ ০৯ ๐๙ 𑁦𑁯 𝟎𝟗');
    expect(n.text).toBe('a0123456789 09 09 09 09 09 09');
    // the astral digits (two UTF-16 units each) map back to both units
    expect([n.startOf(n.text.length - 1), n.endOf(n.text.length)]).toEqual([n.text.length + 2, n.text.length + 4]);
  });

  it('drops C0 and C1 control characters (NUL included) but keeps tab, newline and carriage return', () => {
    const n = normalizeText('2\u00001\u00079\u007f\u0085\u009f-\t\n\r');
    expect(n.text).toBe('219-\t\n\r');
    expect([n.startOf(1), n.endOf(3)]).toEqual([2, 8]);
    expect(normalizeText('ascii\u0000only').text).toBe('asciionly');
  });

  it('drops every default-ignorable character: bidi controls, variation selectors, fillers, invisible operators', () => {
    const invisible = [
      '\u200e',
      '\u202e',
      '\u2066',
      '\u061c',
      '\u034f',
      '\ufe0f',
      '\u3164',
      '\u115f',
      '\u180b',
      '\u2064',
      '\u{e0100}',
      '\u{e0001}',
    ];
    for (const c of invisible) expect(normalizeText(`2${c}1${c}9`).text).toBe('219');
  });

  it('reads tag characters as the ASCII they spell (invisible text models still read)', () => {
    const tags = (s: string) => [...s].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
    const n = normalizeText(`x${tags('219-09-9999')}y`);
    expect(n.text).toBe('x219-09-9999y');
    expect([n.startOf(1), n.endOf(12)]).toEqual([1, 23]);
  });

  it('drops combining marks on an ASCII digit or letter (keycaps, underlines, a dotted Q), keeps them elsewhere', () => {
    // A mark on an ASCII letter is dropped too: `AKIAQ\u0307…` reads as the key (code points are normalised one at a
    // time, so a decomposed accent never composed here; matching sees the bare letter).
    expect(normalizeText('2\ufe0f\u20e31\u20e39\u0332 e\u0301 Q\u0307').text).toBe('219 e Q');
    expect(normalizeText('क्षि').text).toBe('क्षि');
  });

  it('leaves other numerals alone: superscripts, fractions and circled numbers are not decimal digits', () => {
    expect(normalizeText('x² ½ ① Ⅻ').text).toBe('x2 1⁄2 1 XII');
  });

  it('maps every normalised span back to a span of the original that normalises to it (property)', () => {
    const unit = fc.constantFrom(
      'a',
      '1',
      '１',
      'Ａ',
      '\u200b',
      '\u200d',
      '\ufeff',
      'é',
      'e\u0301',
      '😀',
      '\ud800',
      '½',
      '㎏',
      ' ',
      'ﬁ',
      '٣',
      '९',
      '𝟕',
      '\u0000',
      '\u001b',
      '\u0085',
      '\n',
      '\t',
      '\u202e',
      '\ufe0f',
      '\u20e3',
      '\u0301',
      '\u{e0032}',
      '\u{e0041}',
      '\u{e0100}',
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 30 }), fc.nat(), fc.nat(), (text, a, b) => {
        const n = normalizeText(text);
        const s = a % (n.text.length + 1);
        const e = s + (b % (n.text.length - s + 1));
        const os = n.startOf(s);
        const oe = n.endOf(e);
        expect(os).toBeGreaterThanOrEqual(0);
        expect(oe).toBeLessThanOrEqual(text.length);
        if (e > s) {
          expect(oe).toBeGreaterThan(os);
          // the original span, normalised, contains the normalised span (expansions may add whole characters around it)
          expect(normalizeText(text.slice(os, oe)).text).toContain(n.text.slice(s, e));
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('classification of normalised text', () => {
  it('finds a card typed in full-width digits, spanning the original characters, same fingerprint as ASCII', () => {
    const [wide] = find('card ４１１１ １１１１ １１１１ １１１１ ok');
    const [ascii] = find('card 4111 1111 1111 1111 ok');
    expect(wide?.value).toBe('４１１１ １１１１ １１１１ １１１１');
    expect(wide?.fingerprint).toBe(ascii?.fingerprint);
  });

  it('finds values with zero-width characters inside, and the span covers them', () => {
    expect(find('SSN 219-\u200b09-9999.')).toMatchObject([{ type: 'US_SSN', value: '219-\u200b09-9999' }]);
    expect(find('key AKIA2E0A8F3B\u200c244C9986')).toMatchObject([
      { type: 'AWS_ACCESS_KEY', value: 'AKIA2E0A8F3B\u200c244C9986' },
    ]);
  });

  it('keeps offsets right after astral characters and a full-width prefix', () => {
    const text = '😀 ＳＳＮ： 219-09-9999';
    expect(find(text)).toMatchObject([{ type: 'US_SSN', value: '219-09-9999' }]);
  });
});
