// Review s16 (R4, attacker's review of session 16's changes), JSON query results as tables (a2a40cf,
// table-context-json.ts: meta, fields, header, cols lists; result rows; f/v and c/v row objects; rows before their
// list; a header first row; Python's repr; a result held as a JSON string). Each text is round 13's HR table (an `ssn`
// column of bare nine-digit SSNs, named once) as another client or API writes it; PROBE reaching the upstream means
// the header did not reach the cell (the default policy redacts SSNs for a retained model).
import { describe, expect, it } from 'vitest';
import { COLUMNS, messagesHold, ROWS } from './round13-helpers.ts';

const named = (columns = COLUMNS) => columns.map((name) => ({ name, type: 'varchar' }));
/** The HR table's columns with `ssn` named `badge_no` (a control: no SSN context). */
const OTHER = COLUMNS.map((c) => (c === 'ssn' ? 'badge_no' : c));

describe('an HR table as a JSON query result one step aside from the shapes a2a40cf reads', () => {
  it.each([
    ["Trino's columns of {name} and data", JSON.stringify({ id: 'q1', columns: named(), data: ROWS })],
    [
      "Databricks' manifest.schema.columns and result.data_array",
      JSON.stringify({ manifest: { schema: { columns: named() } }, result: { data_array: ROWS } }),
    ],
    [
      "node-postgres' fields with all their keys",
      JSON.stringify({
        command: 'SELECT',
        rowCount: 4,
        fields: COLUMNS.map((name, i) => ({ name, tableID: 16384, columnID: i + 1, dataTypeID: 25, format: 'text' })),
        rows: ROWS,
      }),
    ],
    [
      "Google Sheets' values by column (majorDimension COLUMNS)",
      JSON.stringify({ majorDimension: 'COLUMNS', values: COLUMNS.map((c, i) => [c, ...ROWS.map((r) => r[i])]) }),
    ],
    [
      "Python's repr with True and None",
      `{'columns': ${JSON.stringify(COLUMNS)}, 'data': ${JSON.stringify(ROWS)}, 'ok': True, 'n': None}`.replaceAll(
        '"',
        "'",
      ),
    ],
  ])('control: the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  // HOLE (open, src/classification/table-context-json.ts TABLE_KEY): the keys that name a column list are a closed
  // set (columns, rowType, meta, fields, header, cols): `"headers"`, `"column_names"` and `"fieldNames"` (common in
  // REST wrappers of SQL and spreadsheet tools) are not, and their rows' first row is data, so the SSNs stay bare.
  // Fix (~3 lines): add the plural and snake/camel forms (headers, column_names, columnNames, fieldNames, colnames).
  // HOLE (open, src/classification/table-context-json-rows.ts readRows): AWS Athena's GetQueryResults writes each row
  // as `{"Data":[{"VarCharValue":…}]}`, its first row the header: the `f`/`c` row objects are read, `Data` is not.
  // Fix (~3 lines): read `Data`'s array of one-key cell objects as f/v's.
  it.fails.each([
    ['headers and rows', JSON.stringify({ headers: COLUMNS, rows: ROWS })],
    ['column_names and rows', JSON.stringify({ column_names: COLUMNS, rows: ROWS })],
    ['fieldNames and records', JSON.stringify({ fieldNames: COLUMNS, records: ROWS })],
    [
      "AWS Athena's ResultSet.Rows of Data/VarCharValue",
      JSON.stringify({
        ResultSet: { Rows: [COLUMNS, ...ROWS].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })) },
      }),
    ],
  ])('the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  // HOLE (open, src/classification/table-context-json.ts parseLiteral/escapedJsonCells): Python's repr is read, a
  // JavaScript object literal (unquoted keys, as console.log and a REPL print it) is not; and a JSON string's escapes
  // are undone once only, so a result stringified twice (a tool that returns a JSON string inside its JSON text) is
  // not read. Fix (~10 lines): accept an identifier before `:` as a key; undo escapes while the text still opens
  // with `\"` (bounded by the text's length, each pass linear).
  it.fails.each([
    ['a JavaScript object literal', `{ columns: ${JSON.stringify(COLUMNS)}, data: ${JSON.stringify(ROWS)} }`],
    ['JSON stringified twice', JSON.stringify(JSON.stringify(JSON.stringify({ columns: COLUMNS, data: ROWS })))],
  ])('the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  it.each([
    ['headers and rows', JSON.stringify({ headers: OTHER, rows: ROWS })],
    ['a JavaScript object literal', `{ columns: ${JSON.stringify(OTHER)}, data: ${JSON.stringify(ROWS)} }`],
  ])('control: the table as %s under a badge_no column reaches the upstream', async (_name, text) => {
    expect(await messagesHold([text])).toBe(true);
  });
});
