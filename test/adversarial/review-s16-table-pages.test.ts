// Review s16 (R4, attacker's review of session 16's changes), a table paged over texts (0a0fbcb,
// table-context-pages.ts: a text whose last table runs to its end leaves its header open; a later text whose first
// line has its delimiters, as many, is read under it). Page 1 is the HR table's header and ten rows of other staff (past
// the 256 characters a join window reads back); page 2 the HR rows, PROBE's SSN in its own cell. PROBE reaching the
// upstream means page 1's header did not reach page 2.
import { describe, expect, it } from 'vitest';
import { COLUMNS, csvLines, ROWS, toolResultsHold } from './round13-helpers.ts';

const [FIRST] = ROWS as [string[], ...string[][]];
const cell = (row: string[], index: number, value: string) => row.map((c, i) => (i === index ? value : c));
const staff = Array.from({ length: 10 }, (_, i) => cell(cell(FIRST, 0, String(i + 10)), 6, String(601000000 + i)));
const page1 = [COLUMNS.join(','), ...csvLines(staff)].join('\n');
const page2 = csvLines(ROWS).join('\n');
const tsv = (rows: string[][]) => rows.map((r) => r.join('\t')).join('\n');

describe('a query result paged over two tool results, one step aside from 0a0fbcb', () => {
  it.each([
    ['page 1 ending in a line break', [`${page1}\n`, page2]],
    ['page 2 opening with an empty line', [page1, `\n${page2}`]],
    [
      'a quoted comma in page 2’s first row',
      [page1, csvLines([cell(FIRST, 1, '"Smith, John"'), ...ROWS.slice(1)]).join('\n')],
    ],
    ['tab-separated pages', [tsv([COLUMNS, ...staff]), tsv(ROWS)]],
    ['CRLF line ends', [page1.replaceAll('\n', '\r\n'), page2.replaceAll('\n', '\r\n')]],
  ])('control: %s, page 2 reaches the upstream without the SSNs', async (_name, pages) => {
    expect(await toolResultsHold(pages)).toBe(false);
  });

  // HOLE (open, src/classification/table-context-pages.ts): the header stays open only when the table runs to its
  // text's end, and page 2 is read only when its first line is a row: psql's `(10 rows)` footer, a pager's "call again
  // with page=1" line after page 1, or a "page 2 of 2:" line before page 2 (as paging tools write them) close it, and
  // the SSNs stay bare. Fix (~10 lines): let one short line of no delimiter (a footer, 80 characters at most) follow
  // the last row, and one precede page 2's first row.
  it.fails.each([
    ["psql's (10 rows) footer after page 1", [`${page1}\n(10 rows)`, page2]],
    ["a pager's footer after page 1", [`${page1}\n-- 4 more rows: call again with page=1 --`, page2]],
    ['a "page 2 of 2:" line before page 2', [page1, `page 2 of 2:\n${page2}`]],
  ])('%s: page 2 reaches the upstream without the SSNs', async (_name, pages) => {
    expect(await toolResultsHold(pages)).toBe(false);
  });

  // HOLE (open, src/classification/table-context-pages.ts, a false positive): a later text is read as a page whenever
  // its first line has page 1's delimiters, as many, even when that line is its own header: an orders table (a
  // tracking_no column of nine-digit numbers) returned after the HR page has its tracking numbers redacted as SSNs
  // (0a0fbcb's message names this cost). Fix (~6 lines): do not read a text as a page when its first line is all
  // names (firstRowNames' test, as table-context-json.ts heads a rows array) and differs from page 1's header.
  it.fails('a later table under its own header (tracking_no) reaches the upstream unredacted', async () => {
    const orders = ['order_id,item,email,warehouse,ship_date,qty,tracking_no', page2].join('\n');
    expect(await toolResultsHold([page1, orders])).toBe(true);
  });

  it('control: the orders table alone reaches the upstream unredacted', async () => {
    expect(await toolResultsHold([['order_id,item,email,warehouse,ship_date,qty,tracking_no', page2].join('\n')])).toBe(
      true,
    );
  });
});
