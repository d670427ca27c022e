// Review s14 (R2, attacker's review of session 14's changes), a table's header as its column's context
// (table-context.ts, 4b9236c: psql/mysql grids, pg_dump COPY, pandas split JSON, HTML <th> rows, space-aligned
// columns). Each puts an HR table's nine-digit SSNs further from the `ssn` header than a context window; a model
// reads the column as SSNs. Controls: the forms 4b9236c reads, the same rows, reach the upstream without the SSNs.
import { describe, expect, it } from 'vitest';
import { upstreamHolds } from './round10-helpers.ts';

const PEOPLE = [
  ['John Smith', '219099999'],
  ['Maria Garcia', '536221234'],
  ['Wei Chen', '409524567'],
  ['Aisha Khan', '293018765'],
] as const;
const COLUMNS = ['id', 'name', 'email', 'department', 'start_date', 'salary', 'ssn'];
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
const WIDTHS = COLUMNS.map((c, i) => Math.max(c.length, ...ROWS.map((r) => (r[i] as string).length)));
/** `cells` padded to WIDTHS, joined by `bar` as psql, sqlite and DuckDB draw them. */
const grid = (cells: string[], bar: string) => cells.map((c, i) => ` ${c.padEnd(WIDTHS[i] as number)} `).join(bar);
const rule = (line: string, joint: string) => WIDTHS.map((w) => line.repeat(w + 2)).join(joint);
/** An HTML table, a row a line, its header row's cells written by `cell`. */
const html = (cell: (name: string) => string) =>
  [
    '<table>',
    `<tr>${COLUMNS.map(cell).join('')}</tr>`,
    ...ROWS.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`),
    '</table>',
  ].join('\n');
const aligned = (rows: string[][]) => rows.map((r) => r.map((c, i) => c.padEnd((WIDTHS[i] as number) + 2)).join(''));

describe("an HR table's ssn column in a form one step aside from those table-context.ts reads", () => {
  it.each([
    ['psql output (ASCII)', [grid(COLUMNS, '|'), rule('-', '+'), ...ROWS.map((r) => grid(r, '|'))].join('\n')],
    ['an HTML table with <th> header cells', html((c) => `<th>${c}</th>`)],
    ["pandas' to_json(orient='split')", JSON.stringify({ columns: COLUMNS, index: [0, 1, 2, 3], data: ROWS })],
    ['space-aligned columns', aligned([COLUMNS, ...ROWS]).join('\n')],
  ])('control: the table as %s reaches the upstream without the SSNs', async (_name, text) => {
    expect(await upstreamHolds(text, PROBE)).toBe(false);
  });

  it.each([
    ['psql output with linestyle unicode', [grid(COLUMNS, '│'), rule('─', '┼'), ...ROWS.map((r) => grid(r, '│'))]],
    [
      'a sqlite .mode box / DuckDB box',
      [
        `┌${rule('─', '┬')}┐`,
        `│${grid(COLUMNS, '│')}│`,
        `├${rule('─', '┼')}┤`,
        ...ROWS.map((r) => `│${grid(r, '│')}│`),
        `└${rule('─', '┴')}┘`,
      ],
    ],
  ])('the table as %s reaches the upstream without the SSNs', async (_name, lines) => {
    expect(await upstreamHolds(lines.join('\n'), PROBE)).toBe(false);
  });

  it('the table as HTML with a <td><b>…</b></td> header row reaches the upstream without the SSNs', async () => {
    expect(
      await upstreamHolds(
        html((c) => `<td><b>${c}</b></td>`),
        PROBE,
      ),
    ).toBe(false);
  });

  it.each([
    [
      "Trino's client protocol",
      JSON.stringify({ id: 'q1', columns: COLUMNS.map((name) => ({ name, type: 'varchar' })), data: ROWS }),
    ],
    [
      "the Databricks statement API's result",
      JSON.stringify({
        manifest: { schema: { columns: COLUMNS.map((name) => ({ name })) } },
        result: { data_array: ROWS },
      }),
    ],
  ])('the table as %s reaches the upstream without the SSNs', async (_name, text) => {
    expect(await upstreamHolds(text, PROBE)).toBe(false);
  });

  it('space-aligned columns with a blank line under the header reach the upstream without the SSNs', async () => {
    const [header, ...rows] = aligned([COLUMNS, ...ROWS]);
    expect(await upstreamHolds([header, '', ...rows].join('\n'), PROBE)).toBe(false);
  });
});
