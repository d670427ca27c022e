// Digit groups split by two kinds of separator (mixed-separators.ts, the digits view): a card wrapped over two lines,
// `4111-1111 1111-1111`, `219-09 9999` are found over exactly their characters with the plain value's fingerprint;
// number runs whose groups are no SSN and no valid card (dates, phone-like groups, versions, decimals, coordinates,
// tables of numbers) stay no value.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import {
  DASH,
  mixedShortGroupCards,
  OTHER,
  SeparatorChain,
  SPACE,
} from '../../../src/classification/mixed-separators.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(5) });
const find = (text: string) =>
  classifier
    .classify([{ path: 'p', text }])
    .findings.filter((f) => f.type === 'US_SSN' || f.type === 'CREDIT_CARD')
    .map((f) => ({ type: f.type, value: text.slice(f.start, f.end), fingerprint: f.fingerprint }));
const fingerprint = (value: string) => find(value)[0]?.fingerprint;

/**
 * What people and tools put between digit groups: spaces, tab, line breaks, `-`, `.`, `/`, NBSP, thin space, en dash.
 */
const SEPARATORS = [' ', '\t', '\n', '\r\n', '-', '.', '/', '\u00a0', '\u2009', '\u2013', ' \n', '- '];

describe('a value whose groups are split by two kinds of separator', () => {
  it.each([
    ['a card wrapped over two lines', 'CREDIT_CARD', '5500 0055\n5555 5559'],
    ['a card wrapped with CRLF', 'CREDIT_CARD', '4111 1111\r\n1111 1111'],
    ['a card with dashes and spaces', 'CREDIT_CARD', '4111-1111 1111-1111'],
    ['a card with dots and spaces', 'CREDIT_CARD', '4111.1111 1111.1111'],
    ['a card with an NBSP and spaces', 'CREDIT_CARD', '4111 1111\u00a01111 1111'],
    ['a card with thin spaces and an en dash', 'CREDIT_CARD', '4111\u20091111\u20131111\u20091111'],
    ['an Amex card wrapped (4-6-5)', 'CREDIT_CARD', '3782 822463\n10005'],
    ['an SSN wrapped over two lines', 'US_SSN', '219 09\n9999'],
    ['an SSN with a dash and a space', 'US_SSN', '219-09 9999'],
    ['an SSN with a dot and a space', 'US_SSN', '219.09 9999'],
    ['an SSN with a space and an en dash', 'US_SSN', '219 09\u20139999'],
  ])('%s is found, spanning exactly the value', (_name, type, value) => {
    const plain = type === 'US_SSN' ? '219-09-9999' : value.replace(/\D/g, '');
    expect(find(`ref ${value} end`)).toEqual([{ type, value, fingerprint: fingerprint(plain) }]);
  });

  it('an SSN so written beside one more group split by a space (a year, a count) is found, as one family is', () => {
    const ssn = fingerprint('219-09-9999');
    for (const [text, value] of [
      ['ref 219-09 9999 2024 end', '219-09 9999'],
      ['ref 7 219 09\n9999 end', '219 09\n9999'],
    ]) {
      expect(find(text as string)).toEqual([{ type: 'US_SSN', value, fingerprint: ssn }]);
    }
  });

  it('a card in any mix of separators is one card over exactly its characters (property)', () => {
    const card = fingerprint('4111111111111111');
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SEPARATORS), { minLength: 3, maxLength: 3 }), (gaps) => {
        const value = `4111${gaps[0]}1111${gaps[1]}1111${gaps[2]}1111`;
        expect(find(`card ${value} end`)).toEqual([{ type: 'CREDIT_CARD', value, fingerprint: card }]);
      }),
      { numRuns: 60 },
    );
  });

  it('an SSN in any mix of separators is one SSN over exactly its characters (property)', () => {
    const ssn = fingerprint('219-09-9999');
    fc.assert(
      fc.property(fc.constantFrom(...SEPARATORS), fc.constantFrom(...SEPARATORS), (a, b) => {
        const value = `219${a}09${b}9999`;
        expect(find(`ssn ${value} end`)).toEqual([{ type: 'US_SSN', value, fingerprint: ssn }]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('number runs with two kinds of separator that are no value (controls)', () => {
  it.each([
    ['dates and times', 'on 2024-03 14 at 12 05\n2024, or 14.03 2024-09-19'],
    ['phone-like groups', 'call 415 555-2671 or 555 123\n4567 or +1 415.555 2671'],
    ['version strings', 'upgrade 1.2 3.4.5 to 219.09 99 or 10.2-3 4'],
    ['prices and decimals', 'prices 250.75 1200.50 and 123.45 6789.00 and 12.345 67.8901'],
    ['coordinates', 'at -74.006 51.5072 and 40.7128 -74.0060'],
    ['a table of numbers', '2019 2020\n2021 2022\n4521 4522\n1843 9021\n'],
    ['a card layout failing Luhn', 'card 4111 1111\n1111 1112 and 5500-0055 5555 5558'],
    ['SSN-shaped groups beside a dotted or dashed group', 'row 1.219-09 9999 and 219-09 9999.7 and 219 09-9999-12'],
  ])('%s', (_name, text) => {
    expect(find(text)).toEqual([]);
  });
});

describe('SeparatorChain', () => {
  /** The unified spaces of `text` walked as one chain (its groups, and the separators between them). */
  const unified = (text: string) => {
    const chain = new SeparatorChain(text);
    for (const m of text.matchAll(/(\d+)(\D*)/g)) {
      chain.groupAt(m.index);
      const [, group = '', gap = ''] = m;
      const from = m.index + group.length;
      if (gap === '') chain.close(from);
      else chain.separator(from, from + gap.length, gap === ' ' ? SPACE : gap === '-' ? DASH : OTHER);
    }
    chain.close(-1);
    return chain.unified.map((r) => r.from);
  };
  it('unifies nothing in one family (all spaces, or no space)', () => {
    expect(unified('4111 1111 1111 1111')).toEqual([]);
    expect(unified('4111-1111\n1111.1111')).toEqual([]);
  });
  it("unifies an SSN chain's spaces, and a valid card window's only, in order", () => {
    expect(unified('219-09 9999')).toEqual([6]);
    expect(unified('12 34\n4111 1111\n1111 1111 12\n25')).toEqual([10, 20]);
    expect(unified('4111 1111\n1111 1112')).toEqual([]);
  });
  it('keeps five groups: a card after many groups of one chain is still read', () => {
    const head = '1 2\n3 4\n5 6\n7 8\n';
    expect(unified(`${head}4111 1111\n1111 1111`)).toEqual([head.length + 4, head.length + 14]);
  });
});

describe('a card in groups of 1-3 digits split by whitespace and dashes mixed (mixedShortGroupCards)', () => {
  it.each([
    ['pairs', '41 11-11 11 11-11 11 11'],
    ['threes and a one', '411 111-111 111-111 1'],
    ['ones, twos and threes, a line break and an en dash', '4 11\n111\u20131 11 1-111 1 11'],
    ['an Amex in threes', '378 282-246 310 005'],
  ])('%s: found over exactly its characters with the plain card fingerprint', (_name, value) => {
    expect(find(`ref ${value} end`)).toEqual([
      { type: 'CREDIT_CARD', value, fingerprint: fingerprint(value.replace(/\D/g, '')) },
    ]);
  });

  // `.` `/` `_` beside a space or a dash: a card word before or after the window, which cuts no number so written.
  it.each([
    ['pairs, a space and a dot', 'card', '41 11.11 11 11.11 11 11', ''],
    ['pairs, a dot and a dash', 'card', '41.11-11.11-11.11-11.11', ''],
    ['threes, a space and a dot', 'my visa', '411 111.111 111.111 1', ''],
    ['pairs, a space and a slash, the word after', 'ref', '41 11/11 11 11/11 11 11', ' is my card'],
    ['pairs, a dash and an underscore', 'cc', '41_11-11_11-11_11-11_11', ''],
  ])('%s: found over exactly its characters', (_name, before, value, after) => {
    expect(find(`${before} ${value}${after}`)).toEqual([
      { type: 'CREDIT_CARD', value, fingerprint: fingerprint(value.replace(/\D/g, '')) },
    ]);
  });

  it('a card window inside a longer run (groups before or after it) is found', () => {
    expect(find('ref 12-34 41 11-11 11 11-11 11 11 9 end').map((f) => f.value)).toEqual(['41 11-11 11 11-11 11 11']);
  });

  it('reads a run once and finds its windows left to right, disjoint', () => {
    const text = '41 11-11 11 11-11 11 11 55-00 00 55-55 55 55 59';
    const run = mixedShortGroupCards(text, 0);
    expect(run.end).toBe(text.length);
    expect(run.cards.map((c) => text.slice(c.start, c.end))).toEqual([
      '41 11-11 11 11-11 11 11',
      '55-00 00 55-55 55 55 59',
    ]);
    expect(mixedShortGroupCards('2024-03-15 10 30', 0)).toEqual({ end: 4, cards: [] });
  });

  it.each([
    ['Luhn fails', 'card 41 11-11 11 11-11 11 12'],
    ['one kind only is not this rule', 'nums 12-34-56-78-90-12-34'],
    ['phone numbers', 'call 06 12-34 56 78 or 0 800-123 45 or +33 6 12-34-56-78 and 1 800-555 12 12'],
    ['dates and times', 'at 2026-12-06 14 45 37 or 06-12 14 45 or 1-2 3-4 5 6'],
    ['a table of small numbers', '12 34-56 78 90-12 34 56\n1 2-3 4 5-6 7 8 9'],
    ['IP addresses and versions (dots are no dash)', 'hosts 4.4.4.4 8.8.8.8 1.1.1.1 9.9.9.9 v1.2-3 4'],
    ['IP addresses whose digits pass Luhn', 'hosts 4.1.1.1 1.1.1.1 1.1.1.1 1.1.1.1 and 4.11.11.11-11.11.11.11'],
    ['decimals', 'prices 4.11 1.11 11.1 1.11 11.1 and 41.1 11.1 11.1 11.1'],
    ['dates and versions', 'on 1.2.24 3/4/25 or 1/2-3/4 5/6 and v4.1.1 1.1.1 1.1.1 1.1.1 1'],
    ['two kinds without a space or dash', 'ratio 41.11/11.11/11.11/11.11'],
    ['Luhn fails, a space and a dot', 'card 41 11.11 11 11.11 11 12'],
    ['a space and a dot, no card word', 'ref 41 11.11 11 11.11 11 11 end'],
    ['a card word, the window cutting a decimal', 'card 8.56 9.63 0.70 1.77 2.84'],
    ['a long list of decimals', Array.from({ length: 7200 }, (_, i) => `${i % 10}.${(i * 7) % 100}`).join(' ')],
  ])('control: %s', (_name, text) => {
    expect(find(text)).toEqual([]);
  });
});
