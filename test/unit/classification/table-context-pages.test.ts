// A table paged over texts (table-context-pages.ts): the header line of a table that runs to its text's end heads a
// later text whose first line has its delimiters, as many, so that page's cells are read under it. Controls: a later
// text of another shape, a table closed before its text's end; each text is read as a page at most once.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import { tablePageWindows } from '../../../src/classification/table-context-pages.ts';

const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(3) });
const segmentsOf = (texts: readonly string[]) => texts.map((text, i) => ({ path: `messages[${i}].content`, text }));
const ssns = (texts: readonly string[]) =>
  classifier
    .classify(segmentsOf(texts))
    .findings.filter((f) => f.type === 'US_SSN')
    .map((f) => `${f.segment}:${(texts[f.segment] as string).slice(f.start, f.end)}`);

const PAD = 'x'.repeat(300); // the header further from the next page's cells than any join window reads
const page1 = ['name,ssn,employee_no', `Ann ${PAD},219099999,471209384`].join('\n');
const page2 = [`Maria Garcia ${PAD},536221234,562830192`, 'Wei Chen,409524567,293018765'].join('\n');

describe('tablePageWindows', () => {
  it('reads a later page under the header line, past a text of another shape between them', () => {
    expect(ssns([page1, page2]).sort()).toEqual(['0:219099999', '1:409524567', '1:536221234']);
    expect(ssns([page1, '{"page":2,"size":50}', page2]).sort()).toEqual(['0:219099999', '2:409524567', '2:536221234']);
    const [window] = tablePageWindows(segmentsOf([page1, page2]));
    expect(window?.text).toBe(`name,ssn,employee_no\n${page2}`);
  });

  it.each([
    ['(10 rows)', '10 rows in set (0.01 sec)'],
    ['Rows: 2', 'Showing 1 to 2 of 4 entries'],
    ['-- 2 more rows: call again with page=1 --', '+------+'],
  ])('reads a page past a footer of %s and a lead of %s', (footer, lead) => {
    const texts = [`${page1}\n${footer}\n`, `${lead}\n${page2}`];
    expect(ssns(texts).sort()).toEqual(['0:219099999', '1:409524567', '1:536221234']);
    const [window] = tablePageWindows(segmentsOf(texts));
    expect(window?.text).toBe(`name,ssn,employee_no\n${page2}`);
    expect(window?.parts[1]).toEqual({ segment: 1, at: 21, from: lead.length + 1, length: page2.length });
  });

  it('reads a page under its header repeated, not a table under a header of its own', () => {
    const second = (texts: readonly string[]) => ssns(texts).filter((found) => found.startsWith('1:'));
    expect(second([page1, `Name,SSN,Employee_No\n${page2}`]).sort()).toEqual(['1:409524567', '1:536221234']);
    expect(ssns([page1, `order_id,item,tracking_no\nA1,desk,536221234`])).toEqual(['0:219099999']);
    // A first line of words over a row is a row when a cell is the one under it, or no cell over a digit.
    expect(ssns([page1, `Maria Garcia,pending,hired\nWei Chen,409524567,hired`]).sort()).toEqual([
      '0:219099999',
      '1:409524567',
    ]);
  });

  it('control: other names, a page of another shape, a table closed before its end head nothing', () => {
    expect(ssns([page1.replace('ssn', 'badge'), page2])).toEqual([]);
    expect(ssns([page1, page2.replaceAll(',', ';')])).toEqual(['0:219099999']);
    const prose = 'That is the first page; the second follows in the next result, as the tool pages its answers.';
    expect(ssns([`${page1}\n\n${prose}`, page2])).toEqual(['0:219099999']);
    expect(ssns([`${page1}\n(1 row)\nnote one\nnote two`, page2])).toEqual(['0:219099999']);
    expect(ssns([page1, `${prose}\n${page2}`])).toEqual(['0:219099999']);
  });

  it('work: each text is read as a page at most once', () => {
    const texts = Array.from({ length: 2_000 }, (_, i) => (i % 2 === 0 ? 'a,b\n1,2\n3,4' : '5,6'));
    const windows = tablePageWindows(segmentsOf(texts));
    const length = texts.reduce((sum, text) => sum + text.length, 0);
    expect(windows.length).toBe(texts.length - 1); // a page with its own header is read under both
    expect(windows.reduce((sum, w) => sum + w.text.length, 0)).toBeLessThanOrEqual(2 * length);
    expect(new Set(windows.map((w) => w.parts[1]?.segment)).size).toBe(windows.length);
  });
});
