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
const badgePage1 = page1.replace('ssn', 'badge_no');
const ORDERS = ['order_id', 'item', 'email', 'warehouse', 'ship_date', 'qty', 'tracking_no'];
/** mysql's grid: a border, the header (if any), a border, the rows, a border, the footer. */
const grid = (header: string[], rows: string[][], footer: string) => {
  const border = `+${COLUMNS.map(() => '----').join('+')}+`;
  const line = (r: string[]) => `| ${r.join(' | ')} |`;
  const head = header.length > 0 ? [border, line(header)] : [];
  return [...head, border, ...rows.map(line), border, footer].join('\n');
};
/** psql's aligned output: the header (if any), its rule, the rows, the footer. */
const psql = (header: string[], rows: string[][], footer: string) => {
  const head = header.length > 0 ? [` ${header.join(' | ')}`, COLUMNS.map(() => '----').join('+')] : [];
  return [...head, ...rows.map((r) => ` ${r.join(' | ')}`), footer].join('\n');
};

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

  // HOLE closed in src/classification/table-context-pages.ts: the header stayed open only when the table ran to its
  // text's end, and page 2 was read only when its first line was a row: psql's `(10 rows)` footer, a pager's "call
  // again with page=1" line after page 1, or a "page 2 of 2:" line before page 2 closed it. Now a footer of at most two
  // short lines (80 characters) and rules may follow the last row, and as many may precede page 2's first row.
  it.each([
    ["psql's (10 rows) footer after page 1", [`${page1}\n(10 rows)`, page2]],
    ["a pager's footer after page 1", [`${page1}\n-- 4 more rows: call again with page=1 --`, page2]],
    ['a "page 2 of 2:" line before page 2', [page1, `page 2 of 2:\n${page2}`]],
    ["psql's (1 row) footer after page 1", [`${page1}\n(1 row)\n`, page2]],
    ['a "Rows: 10" footer and a blank line', [`${page1}\n\nRows: 10`, page2]],
    ["mysql's grid, its border and footer", [grid(COLUMNS, staff, '10 rows in set (0.01 sec)'), grid([], ROWS, '')]],
    ["psql's grid and (10 rows)", [psql(COLUMNS, staff, '(10 rows)'), psql([], ROWS, '')]],
    [
      'a DataTables footer, a lead with a comma',
      [`${page1}\nShowing 1 to 10 of 14 entries`, `Page 2, rows 11-14:\n${page2}`],
    ],
    ['page 2 with the header repeated', [`${page1}\n(10 rows)`, `${COLUMNS.join(',')}\n${page2}`]],
  ])('%s: page 2 reaches the upstream without the SSNs', async (_name, pages) => {
    expect(await toolResultsHold(pages)).toBe(false);
  });

  it.each([
    ['a footer', [`${badgePage1}\n(10 rows)`, page2]],
    ['a lead', [badgePage1, `page 2 of 2:\n${page2}`]],
  ])('control: page 1 under badge_no, then %s: page 2 reaches the upstream', async (_name, pages) => {
    expect(await toolResultsHold(pages)).toBe(true);
  });

  // HOLE closed in src/classification/table-context-pages.ts (a false positive): a later text was read as a page
  // whenever its first line had page 1's delimiters, as many, even when that line was its own header: an orders table
  // (a tracking_no column of nine-digit numbers) had its tracking numbers redacted as SSNs. Now a first line of
  // distinct names (not page 1's header repeated) over a row unlike it (a digit under a name, no cell the same as the
  // one under it) heads its own table.
  it('a later table under its own header (tracking_no) reaches the upstream unredacted', async () => {
    const orders = ['order_id,item,email,warehouse,ship_date,qty,tracking_no', page2].join('\n');
    expect(await toolResultsHold([page1, orders])).toBe(true);
  });

  it.each([
    ['tab-separated', [tsv([COLUMNS, ...staff]), tsv([ORDERS, ...ROWS])]],
    ['after a lead line', [page1, `orders:\n${[ORDERS.join(','), page2].join('\n')}`]],
    ["psql's grids", [psql(COLUMNS, staff, '(10 rows)'), psql(ORDERS, ROWS, '(4 rows)')]],
  ])('a later table under its own header, %s, reaches the upstream unredacted', async (_name, pages) => {
    expect(await toolResultsHold(pages)).toBe(true);
  });

  it('control: a first row of words over a row of the same department is a row of page 1’s table', async () => {
    const words = ['x', 'Pending Hire', 'tbd', 'Engineering', 'pending', 'pending', 'pending'];
    expect(await toolResultsHold([page1, csvLines([words, ...ROWS]).join('\n')])).toBe(false);
  });

  it('control: the orders table alone reaches the upstream unredacted', async () => {
    expect(await toolResultsHold([['order_id,item,email,warehouse,ship_date,qty,tracking_no', page2].join('\n')])).toBe(
      true,
    );
  });
});
