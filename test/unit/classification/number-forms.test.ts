// Numbers in forms NFKC does not read as ASCII digits (unicode-table.ts NUMBER_FORMS: dingbat, double and negative
// circled, parenthesized, with a full stop, other scripts' Numeric_Type=Digit): the table checked
// against an independent source of Unicode numeric values (unicode-properties), and the main view
// reading them as digits, offsets exact.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createClassifier, normalizeText } from '../../../src/classification/index.ts';
import { numberForm } from '../../../src/classification/unicode-table.ts';

/** unicode-properties ships no types: the two functions read here. */
const ucd = createRequire(import.meta.url)('unicode-properties') as {
  getNumericValue(code: number): number | null;
  getCategory(code: number): string;
};
const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(4) });

/** The enclosed-number blocks the table covers whole (numbers 0-20). */
const ENCLOSED: readonly [number, number][] = [
  [0x2460, 0x24ff],
  [0x2776, 0x2793],
  [0x1f100, 0x1f10c],
];

describe('NUMBER_FORMS against the Unicode data', () => {
  it('gives every code point it maps the numeric value the UCD gives it (an other number, No)', () => {
    const mapped: number[] = [];
    for (let code = 0x80; code < 0x20000; code += 1) if (numberForm(code) >= 0) mapped.push(code);
    expect(mapped.length).toBeGreaterThan(120);
    const wrong = mapped.filter((c) => ucd.getNumericValue(c) !== numberForm(c) || ucd.getCategory(c) !== 'No');
    expect(wrong.map((c) => c.toString(16))).toEqual([]);
  });
  it('reads every enclosed number 0-20 as its digits, by NFKC or by the table', () => {
    const unread: string[] = [];
    for (const [first, last] of ENCLOSED) {
      for (let code = first; code <= last; code += 1) {
        const value = ucd.getNumericValue(code);
        if (ucd.getCategory(code) !== 'No' || value === null || !Number.isInteger(value) || value > 20) continue;
        const char = String.fromCodePoint(code);
        if (char.normalize('NFKC') !== String(value) && normalizeText(char).text !== String(value)) {
          unread.push(code.toString(16));
        }
      }
    }
    expect(unread).toEqual([]);
  });
  it('maps no letter, decimal digit or punctuation (only numbers)', () => {
    expect([0x41, 0x30, 0x660, 0x2460, 0x24ea, 0x2794, 0x1f10d, 0x136a - 2].map(numberForm)).toEqual([
      -1, -1, -1, -1, -1, -1, -1, -1,
    ]);
  });
});

describe('the main view reads number forms as digits', () => {
  const ssn = (one: number, zero: string) =>
    [...'219-09-9999']
      .map((d) => (d === '0' ? zero : d === '-' ? d : String.fromCodePoint(one + Number(d) - 1)))
      .join('');
  it.each([
    ['dingbat negative circled', ssn(0x2776, '\u24ff')],
    ['dingbat circled sans-serif', ssn(0x2780, '\u{1f10b}')],
    ['dingbat negative circled sans-serif', ssn(0x278a, '\u{1f10c}')],
    ['double circled', ssn(0x24f5, '\u24ea')],
    ['parenthesized', ssn(0x2474, '0')],
    ['with a full stop', ssn(0x2488, '\u{1f100}')],
  ])('an SSN in %s digits is found, its span the whole original', (_name, value) => {
    const text = `my ssn is ${value} thanks`;
    const findings = classifier.classify([{ path: 'p', text }]).findings.filter((f) => f.type === 'US_SSN');
    expect(findings.map((f) => text.slice(f.start, f.end))).toEqual([value]);
  });
  it('maps each digit of a two-digit form to the whole code point', () => {
    const view = normalizeText('a❿b');
    expect(view.text).toBe('a10b');
    expect([view.startOf(1), view.endOf(2), view.startOf(3)]).toEqual([1, 2, 2]);
  });
  it('control: a numbered list in these forms reads as numbers, not as a value', () => {
    const text = '❶ open the lid ❷ add water ❸ wait ⑴ first ⑵ second';
    expect(normalizeText(text).text).toBe('1 open the lid 2 add water 3 wait 1 first 2 second');
    expect(classifier.classify([{ path: 'p', text }]).findings).toEqual([]);
  });
});
