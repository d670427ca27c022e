// Review s15 (R3, attacker's review of session 15's changes), JSON query results as tables (5ded028,
// table-context-json.ts): a `"columns"` or `"rowType"` list of names (or `{"name"}` objects) heads the arrays of the
// `"data"`/`"rows"`/`"values"`/`"data_array"` array after it. Each text is round 13's HR table (an `ssn` column of bare
// nine-digit SSNs, named once, in the header) as a database client or API writes it one step aside; the second
// person's SSN (PROBE) is in its own cell only, far from the header. Under the default policy a retained model's
// request has its SSNs redacted: PROBE reaching the upstream means the header did not reach the cell.
import { describe, expect, it } from 'vitest';
import { COLUMNS, messagesHold, ROWS } from './round13-helpers.ts';

const named = (extra: Record<string, string> = {}) => COLUMNS.map((name) => ({ name, type: 'String', ...extra }));

describe('an HR table as a JSON query result, one step aside from the shapes table-context-json.ts reads', () => {
  it.each([
    ["pandas' split orient, pretty-printed", JSON.stringify({ columns: COLUMNS, data: ROWS }, null, 2)],
    ["Snowflake's rowType of {name} objects", JSON.stringify({ resultSetMetaData: { rowType: named() }, data: ROWS })],
  ])('control: %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  // HOLE (open, src/classification/table-context-json.ts JSON_COLUMNS / JSON_ROWS): only `"columns"`/`"rowType"` name a
  // column list and only data/rows/values/data_array hold rows; ClickHouse's JSONCompact (`"meta"`), node-postgres'
  // `"fields"` and a `"header"` key, rows under `"result"`, and a list of rows whose first row is the header (Google
  // Sheets' `"values"`, a CSV read into arrays) are not headed.
  it.fails.each([
    ["ClickHouse's JSONCompact (meta, data)", JSON.stringify({ meta: named(), data: ROWS, rows: ROWS.length })],
    [
      "node-postgres' fields and rows (rowMode 'array')",
      JSON.stringify({ command: 'SELECT', fields: named(), rows: ROWS }),
    ],
    ['a header and rows', JSON.stringify({ header: COLUMNS, rows: ROWS })],
    ['columns then result', JSON.stringify({ columns: COLUMNS, result: ROWS })],
    ["Google Sheets' values (header row first)", JSON.stringify({ range: 'People!A1:G5', values: [COLUMNS, ...ROWS] })],
  ])('the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  // HOLE (open, src/classification/table-context-json.ts jsonCells): a row must be an array of cells: BigQuery's
  // `{"f":[{"v":…}]}` rows under `"schema":{"fields":[…]}` and the Google Visualization DataTable's `{"c":[{"v":…}]}`
  // rows under `"cols"` are not read under their names.
  it.fails.each([
    [
      "BigQuery's jobs.query (schema.fields, rows of f/v)",
      JSON.stringify({ schema: { fields: named() }, rows: ROWS.map((r) => ({ f: r.map((v) => ({ v })) })) }),
    ],
    [
      'a Google Visualization DataTable (cols, rows of c/v)',
      JSON.stringify({
        cols: COLUMNS.map((label) => ({ label })),
        rows: ROWS.map((r) => ({ c: r.map((v) => ({ v })) })),
      }),
    ],
  ])('the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  // HOLE (open, src/classification/table-context-json.ts): the column list must come first and be JSON: the rows before
  // the names (`{"data":…,"columns":…}`, a key order any serializer may write), Python's repr of the same dict (single
  // quotes: a tool printing a dict), and a JSON result held as a JSON string (a tool result's text, escaped quotes).
  it.fails.each([
    ['data before columns', JSON.stringify({ data: ROWS, columns: COLUMNS })],
    [
      "Python's repr of the split dict",
      `{'columns': ${JSON.stringify(COLUMNS)}, 'data': ${JSON.stringify(ROWS)}}`.replaceAll('"', "'"),
    ],
    ['the split JSON as a JSON string', JSON.stringify(JSON.stringify({ columns: COLUMNS, data: ROWS }))],
  ])('the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });
});
