// Review s15 (R3, attacker's review of session 15's changes), JSON query results as tables (5ded028,
// table-context-json.ts): a `"columns"` or `"rowType"` list of names (or `{"name"}` objects) heads the arrays of the
// `"data"`/`"rows"`/`"values"`/`"data_array"` array after it. Each text is round 13's HR table (an `ssn` column of bare
// nine-digit SSNs, named once, in the header) as a database client or API writes it one step aside; the second
// person's SSN (PROBE) is in its own cell only, far from the header. Under the default policy a retained model's
// request has its SSNs redacted: PROBE reaching the upstream means the header did not reach the cell.
import { describe, expect, it } from 'vitest';
import { COLUMNS, messagesHold, ROWS } from './round13-helpers.ts';

const named = (columns = COLUMNS) => columns.map((name) => ({ name, type: 'String' }));
/** The HR table's columns with `ssn` named `badge_no` (a control: no SSN context). */
const OTHER = COLUMNS.map((c) => (c === 'ssn' ? 'badge_no' : c));

/** The shapes each table is written in, given its columns. */
const SHAPES: [string, (columns: string[]) => string][] = [
  ["ClickHouse's JSONCompact (meta, data)", (c) => JSON.stringify({ meta: named(c), data: ROWS, rows: ROWS.length })],
  [
    "node-postgres' fields and rows (rowMode 'array')",
    (c) => JSON.stringify({ command: 'SELECT', fields: named(c), rows: ROWS }),
  ],
  ['a header and rows', (c) => JSON.stringify({ header: c, rows: ROWS })],
  ['columns then result', (c) => JSON.stringify({ columns: c, result: ROWS })],
  ["Google Sheets' values (header row first)", (c) => JSON.stringify({ range: 'People!A1:G5', values: [c, ...ROWS] })],
  [
    "BigQuery's jobs.query (schema.fields, rows of f/v)",
    (c) => JSON.stringify({ schema: { fields: named(c) }, rows: ROWS.map((r) => ({ f: r.map((v) => ({ v })) })) }),
  ],
  [
    'a Google Visualization DataTable (cols, rows of c/v)',
    (c) =>
      JSON.stringify({ cols: c.map((label) => ({ label })), rows: ROWS.map((r) => ({ c: r.map((v) => ({ v })) })) }),
  ],
  ['data before columns', (c) => JSON.stringify({ data: ROWS, columns: c })],
  [
    "Python's repr of the split dict",
    (c) => `{'columns': ${JSON.stringify(c)}, 'data': ${JSON.stringify(ROWS)}}`.replaceAll('"', "'"),
  ],
  ['the split JSON as a JSON string', (c) => JSON.stringify(JSON.stringify({ columns: c, data: ROWS }))],
];

describe('an HR table as a JSON query result, one step aside from the shapes table-context-json.ts reads', () => {
  it.each([
    ["pandas' split orient, pretty-printed", JSON.stringify({ columns: COLUMNS, data: ROWS }, null, 2)],
    ["Snowflake's rowType of {name} objects", JSON.stringify({ resultSetMetaData: { rowType: named() }, data: ROWS })],
  ])('control: %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  // HOLE closed in src/classification/table-context-json.ts (TABLE_KEY, firstRowNames): `"meta"`, `"fields"`,
  // `"header"` and `"cols"` name a column list, `"result"` holds rows, and a rows array with no list before it is headed
  // by its first row when that row is all names. Was: only `"columns"`/`"rowType"` named a list and only
  // data/rows/values/data_array held rows; ClickHouse's JSONCompact, node-postgres' fields and Google Sheets' values
  // were not headed.
  // HOLE closed in src/classification/table-context-json-rows.ts (readRows): a row object's `"f"`/`"c"` array holds its
  // cells (BigQuery's `{"f":[{"v":…}]}` rows under `"schema":{"fields":[…]}`, the Google Visualization DataTable's
  // `{"c":[{"v":…}]}` rows under `"cols"`). Was: a row had to be an array of cells.
  // HOLE closed in src/classification/table-context-json.ts (jsonCells' waiting rows, parseLiteral,
  // escapedJsonCells): rows before the names (`{"data":…,"columns":…}`) are headed by a list within 256 characters after
  // them; Python's repr of the dict (single quotes) reads as JSON; a JSON result held as a JSON string is read with its
  // escapes undone once. Was: the list had to come first and be JSON.
  // Controls: each shape with the `ssn` column named `badge_no` keeps the bare numbers (no SSN context).
  it.each(SHAPES)('the table as %s has its SSNs redacted', async (_name, shape) => {
    expect(await messagesHold([shape(COLUMNS)])).toBe(false);
  });

  it.each(SHAPES)('control: the table as %s under a badge_no column reaches the upstream', async (_name, shape) => {
    expect(await messagesHold([shape(OTHER)])).toBe(true);
  });
});
