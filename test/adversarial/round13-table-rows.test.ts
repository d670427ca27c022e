// Round 13 of the attacker's review (session 15), a table's header as its column's context (table-context.ts) in the
// tables people actually paste and tools actually return: CSV exports with one row unlike the others (RFC 4180 allows a
// line break inside a quoted cell; hand-edited and Excel-saved files have a short row, an unquoted comma or an inch
// mark), a query's result paged over two tool results, SQL dumps written as INSERT statements with their column list,
// and HTML header cells that span columns. Each puts an HR table's bare nine-digit SSNs further from the `ssn` header
// than a context window; a model reads the column as SSNs whatever its layout. Controls: the plain forms are redacted.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';
import { COLUMNS, csvLines, messagesHold, PROBE, ROWS, toolResultsHold } from './round13-helpers.ts';
import { isStreamed } from './round9-helpers.ts';

const [FIRST, ...LATER] = ROWS as [string[], ...string[][]];
/** The CSV with the first person's row (above the probe's) written as `first`. */
const withFirst = (first: string) => [COLUMNS.join(','), first, ...csvLines(LATER)].join('\n');
const CSV = withFirst(FIRST.join(','));
const cell = (row: string[], index: number, value: string) => row.map((c, i) => (i === index ? value : c));

describe('a CSV export whose first row differs from the others', () => {
  it('control: the plain CSV in a message, as a tool result, and streamed as an answer is redacted', async () => {
    expect(await upstreamHolds(CSV, PROBE)).toBe(false);
    expect(await toolResultsHold([CSV])).toBe(false);
    expect(await isStreamed(CSV, PROBE)).toBe(false);
  });

  it.each([
    ['a quoted cell holding a line break', cell(FIRST, 3, '"Engineering\nPlatform team"').join(',')],
    ['a row without its trailing cell', FIRST.slice(0, -1).join(',')],
    ['an unquoted comma in a name', cell(FIRST, 1, 'John Smith, Jr.').join(',')],
    ['an inch mark in an unquoted cell', cell(FIRST, 3, '27" monitor').join(',')],
  ])('with %s, the later rows reach the upstream without the SSNs', async (_name, first) => {
    expect(await upstreamHolds(withFirst(first), PROBE)).toBe(false);
  });

  it('with a blank line under the header, the rows reach the upstream without the SSNs', async () => {
    expect(await upstreamHolds(CSV.replace('\n', '\n\n'), PROBE)).toBe(false);
  });

  it('a Markdown table with an escaped \\| in the first row reaches the upstream without the SSNs', async () => {
    const md = (r: string[]) => `| ${r.join(' | ')} |`;
    const text = [md(COLUMNS), md(COLUMNS.map(() => '---')), md(cell(FIRST, 3, 'R\\|D')), ...LATER.map(md)].join('\n');
    expect(await upstreamHolds(text, PROBE)).toBe(false);
  });

  it('streamed as an answer with a quoted line break in the first row, the later SSNs are withheld', async () => {
    expect(await isStreamed(withFirst(cell(FIRST, 3, '"Engineering\nPlatform team"').join(',')), PROBE)).toBe(false);
  });
});

describe("a query's result paged over two tool results (or pasted in two messages)", () => {
  /** The first page: the header and ten rows of other staff (past the 256 characters a join window reads back). */
  const staff = Array.from({ length: 10 }, (_, i) => cell(cell(FIRST, 0, String(i + 10)), 6, String(601000000 + i)));
  const page1 = [COLUMNS.join(','), ...csvLines(staff)].join('\n');
  const page2 = csvLines(ROWS).join('\n');

  it('control: both pages in one tool result are redacted', async () => {
    expect(await toolResultsHold([`${page1}\n${page2}`])).toBe(false);
  });

  // HOLE closed in src/classification/table-context-pages.ts (read by join-readings.ts): a text whose table runs to its
  // end leaves its header line open, and a later text whose first line has its delimiters, as many, is read again after
  // it. Was: a header was read only within its own text; the join window across the boundary read 256 characters each
  // side (page 1's last rows, not its header).
  it.each([
    ['two tool results', (a: string, b: string) => toolResultsHold([a, b])],
    ['two user messages', (a: string, b: string) => messagesHold([a, b])],
  ])('the second page as %s reaches the upstream without the SSNs', async (_name, hold) => {
    expect(await hold(page1, page2)).toBe(false);
  });

  it('the second and third pages of a Markdown table, one tool result each, reach the upstream without the SSNs', async () => {
    const md = (r: readonly string[]) => `| ${r.join(' | ')} |`;
    const first = [md(COLUMNS), md(COLUMNS.map(() => '---')), ...staff.map(md)].join('\n');
    const [one, ...rest] = ROWS as [string[], ...string[][]];
    expect(await toolResultsHold([first, md(one), rest.map(md).join('\n')])).toBe(false);
  });

  it.each([
    ['two tool results', (a: string, b: string) => toolResultsHold([a, b])],
    ['two user messages', (a: string, b: string) => messagesHold([a, b])],
  ])('control: the second page as %s under a badge_no column reaches the upstream', async (_name, hold) => {
    expect(await hold(page1.replace('ssn', 'badge_no'), page2)).toBe(true);
  });
});

describe('SQL dumps as INSERT statements with their column list', () => {
  const literal = (r: string[]) => r.map((c, i) => (i === 0 || i === 5 ? c : `'${c}'`));
  it('control: the same rows as a pg_dump COPY block are redacted', async () => {
    const copy = [`COPY public.employees (${COLUMNS.join(', ')}) FROM stdin;`, ...ROWS.map((r) => r.join('\t')), '\\.'];
    expect(await upstreamHolds(copy.join('\n'), PROBE)).toBe(false);
  });

  it.each([
    [
      'pg_dump --column-inserts',
      ROWS.map((r) => `INSERT INTO public.employees (${COLUMNS.join(', ')}) VALUES (${literal(r).join(', ')});`),
    ],
    [
      'mysqldump --complete-insert',
      [
        `INSERT INTO \`employees\` (${COLUMNS.map((c) => `\`${c}\``).join(', ')}) VALUES`,
        ...ROWS.map((r) => `(${literal(r).join(',')}),`),
      ],
    ],
  ])('the rows as %s reach the upstream without the SSNs', async (_name, lines) => {
    expect(await upstreamHolds(lines.join('\n'), PROBE)).toBe(false);
  });
});

describe('HTML tables whose header cells span columns or rows', () => {
  const tr = (cells: string[]) => `<tr>${cells.join('')}</tr>`;
  const body = ROWS.map((r) => tr(r.map((c) => `<td>${c}</td>`)));
  const header = tr(COLUMNS.map((c) => `<th>${c}</th>`));

  it('control: a <th> header row, and body rows that open with a row header <th>, are redacted', async () => {
    expect(await upstreamHolds(['<table>', header, ...body, '</table>'].join('\n'), PROBE)).toBe(false);
    const rowHeaded = ROWS.map((r) => tr(r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`))));
    expect(await upstreamHolds(['<table>', header, ...rowHeaded, '</table>'].join('\n'), PROBE)).toBe(false);
  });

  it.each([
    [
      'a header cell spanning two columns',
      [
        '<table>',
        tr(
          ['id', 'name', 'department', 'start_date', 'salary', 'ssn'].map(
            (c) => `<th${c === 'name' ? ' colspan="2"' : ''}>${c}</th>`,
          ),
        ),
        ...body,
        '</table>',
      ],
    ],
    [
      'a grouping header row above the header',
      ['<table>', tr(['<th colspan="4">Person</th>', '<th colspan="3">Employment</th>']), header, ...body, '</table>'],
    ],
  ])('the table with %s reaches the upstream without the SSNs', async (_name, lines) => {
    expect(await upstreamHolds(lines.join('\n'), PROBE)).toBe(false);
  });
});

describe('tables in document markup', () => {
  it('control: an AsciiDoc |=== table (a blank line under its header) is redacted', async () => {
    const lines = ['|===', `|${COLUMNS.join(' |')}`, '', ...ROWS.map((r) => `|${r.join(' |')}`), '|==='];
    expect(await upstreamHolds(lines.join('\n'), PROBE)).toBe(false);
  });

  it('the table as a LaTeX tabular reaches the upstream without the SSNs', async () => {
    const lines = ['\\begin{tabular}{lllllll}', `${COLUMNS.join(' & ')} \\\\`, '\\hline'];
    lines.push(...ROWS.map((r) => `${r.join(' & ')} \\\\`), '\\end{tabular}');
    expect(await upstreamHolds(lines.join('\n'), PROBE)).toBe(false);
  });
});
