// Round 12 of the attacker's review (session 14), a table's header as its column's context (table-context.ts,
// 1e7b550/5b9edeb) in the forms databases, data tools and web pages write a table: psql's and mysql's result grids
// (a border line between the header and the rows), pg_dump's COPY block (the header is the COPY line's column list),
// pandas' to_json(orient='split') (columns, then data), an HTML table and a space-aligned listing (pandas' print, a
// spreadsheet paste). Each puts an HR table's nine-digit SSNs further from the `ssn` header than a context window, as
// round 11's CSV did; a model reads the column as SSNs. Controls: the CSV and the Markdown table are redacted.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';

const PEOPLE = [
  ['John Smith', '219099999'],
  ['Maria Garcia', '536221234'],
  ['Wei Chen', '409524567'],
  ['Aisha Khan', '293018765'],
] as const;
const COLUMNS = ['id', 'name', 'email', 'department', 'start_date', 'salary', 'ssn'];
/** Each person's row: id, name, e-mail, department, start date, salary, the bare SSN. */
const ROWS = PEOPLE.map(([name, ssn], i) => [
  String(i + 1),
  name,
  `${name.split(' ')[0]?.toLowerCase()}@acme.example`,
  'Engineering',
  `2021-0${i + 1}-15`,
  '98000',
  ssn,
]);
/** The second person's SSN: only its own cell holds it. */
const PROBE = '536221234';

/** `cells` padded to `widths`, `|`-separated as psql and mysql draw them. */
const grid = (cells: string[], widths: number[]) => cells.map((c, i) => ` ${c.padEnd(widths[i] as number)} `).join('|');
const WIDTHS = COLUMNS.map((c, i) => Math.max(c.length, ...ROWS.map((r) => (r[i] as string).length)));

/** `psql`'s aligned output: the header, a `---+---` border, the rows, the row count. */
const PSQL = [
  grid(COLUMNS, WIDTHS),
  WIDTHS.map((w) => '-'.repeat(w + 2)).join('+'),
  ...ROWS.map((r) => grid(r, WIDTHS)),
  `(${ROWS.length} rows)`,
].join('\n');
/** The `mysql` client's table: `+---+` borders above and below the header and after the rows. */
const BORDER = `+${WIDTHS.map((w) => '-'.repeat(w + 2)).join('+')}+`;
const MYSQL = [BORDER, `|${grid(COLUMNS, WIDTHS)}|`, BORDER, ...ROWS.map((r) => `|${grid(r, WIDTHS)}|`), BORDER].join(
  '\n',
);
/** A pg_dump's data block: `COPY table (columns) FROM stdin;`, tab-separated rows, `\.`. */
const COPY = [
  `COPY public.employees (${COLUMNS.join(', ')}) FROM stdin;`,
  ...ROWS.map((r) => r.join('\t')),
  '\\.',
].join('\n');
/** pandas' DataFrame.to_json(orient='split'). */
const SPLIT = JSON.stringify({ columns: COLUMNS, index: ROWS.map((_, i) => i), data: ROWS });
/** An HTML table, a row a line. */
const HTML = [
  '<table>',
  `<tr>${COLUMNS.map((c) => `<th>${c}</th>`).join('')}</tr>`,
  ...ROWS.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`),
  '</table>',
].join('\n');
/** Space-aligned columns, as pandas prints a DataFrame or a spreadsheet's cells are pasted. */
const ALIGNED = [COLUMNS, ...ROWS].map((r) => r.map((c, i) => c.padEnd((WIDTHS[i] as number) + 2)).join('')).join('\n');

describe("an HR table's ssn column, written as databases and data tools write tables", () => {
  it('control: the table as CSV and as a Markdown table reaches the upstream without the SSNs', async () => {
    expect(await upstreamHolds([COLUMNS, ...ROWS].map((r) => r.join(',')).join('\n'), PROBE)).toBe(false);
    const markdown = [COLUMNS, COLUMNS.map(() => '---'), ...ROWS].map((r) => `| ${r.join(' | ')} |`).join('\n');
    expect(await upstreamHolds(markdown, PROBE)).toBe(false);
  });

  // HOLE (closed, src/classification/table-context.ts blocksOf): a table is consecutive lines with the same count of one
  // delimiter; psql's `---+---` line and mysql's `+---+` borders held no `|`, so the header was cut off from its rows.
  // A border line (only `-` `=` `+` `|` `:` and blanks, with a `+` or `|`) now neither ends nor starts a block.
  it.each([
    ['psql output (a ---+--- line under the header)', PSQL],
    ['mysql output (+---+ borders)', MYSQL],
  ])('the table as %s reaches the upstream without the SSNs', async (_name, text) => {
    expect(await upstreamHolds(text, PROBE)).toBe(false);
  });

  // HOLE (closed, src/classification/table-context.ts): only a delimiter-separated header line was read; a pg_dump's
  // header is the COPY line's parenthesised column list (its rows are tab-separated, its header comma-separated), and
  // pandas' split JSON names the columns once in an array before the data arrays. Both are read now.
  it.each([
    ['a pg_dump COPY block', COPY],
    ["pandas' to_json(orient='split')", SPLIT],
  ])('the table as %s reaches the upstream without the SSNs', async (_name, text) => {
    expect(await upstreamHolds(text, PROBE)).toBe(false);
  });

  // HOLE (closed, src/classification/table-context.ts): an HTML table's <th> cells and a space-aligned listing's
  // columns were no delimiter a table is built on; <th> cells head their column, an aligned block is read by position.
  it.each([
    ['an HTML table (a <tr> a line)', HTML],
    ['space-aligned columns (pandas print, a spreadsheet paste)', ALIGNED],
  ])('the table as %s reaches the upstream without the SSNs', async (_name, text) => {
    expect(await upstreamHolds(text, PROBE)).toBe(false);
  });
});

describe("an HR CSV's SSN column under an abbreviated or translated header", () => {
  const csv = (header: string) => [[...COLUMNS.slice(0, -1), header], ...ROWS].map((r) => r.join(',')).join('\n');

  it.each(['ssn', 'ss_no', 'soc_sec_no', 'SocialSecurityNumber'])(
    'control: under %s the SSNs are redacted',
    async (h) => {
      expect(await upstreamHolds(csv(h), PROBE)).toBe(false);
    },
  );

  // HOLE (closed, src/classification/recognizers-pii.ts SSN_ABBREVIATIONS): 'ss no' and 'ss number' were SSN words,
  // 'ss num' was not; nor was the Spanish 'número de seguro social' (a US payroll export's header for Spanish-speaking
  // staff, word for word "social security number"). 'ss num' and 'seguro social' are SSN words now.
  it.each(['ss_num', 'numero_seguro_social', 'número de seguro social'])(
    'under %s the SSNs are redacted',
    async (h) => {
      expect(await upstreamHolds(csv(h), PROBE)).toBe(false);
    },
  );
});
