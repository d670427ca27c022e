// Review s16 (R4, attacker's review of session 16's changes), JSON query results as tables (a2a40cf,
// table-context-json.ts: meta, fields, header, cols lists; result rows; f/v and c/v row objects; rows before their
// list; a header first row; Python's repr; a result held as a JSON string). Each text is round 13's HR table (an `ssn`
// column of bare nine-digit SSNs, named once) as another client or API writes it; PROBE reaching the upstream means
// the header did not reach the cell (the default policy redacts SSNs for a retained model).
import { describe, expect, it } from 'vitest';
import { headerOfCell } from '../../src/classification/table-context.ts';
import { COLUMNS, messagesHold, PROBE, ROWS } from './round13-helpers.ts';

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

  // HOLE closed in src/classification/table-context-json.ts and table-context-json-rows.ts: the keys that named a column
  // list were a closed set (columns, rowType, meta, fields, header, cols), so `"headers"`, `"column_names"` and
  // `"fieldNames"` headed nothing; AWS Athena's GetQueryResults rows (`{"Data":[{"VarCharValue":…}]}`, its first row the
  // header) were not read. Now those keys and Athena's ColumnInfo are column lists, Data is a row object's cells key and
  // a one-key cell object's value is its name; any other key's list of two or more distinct short names heads the array
  // of rows right after it when its first row is as wide, and any other key's rows whose first row is all names.
  it.each([
    ['headers and rows', JSON.stringify({ headers: COLUMNS, rows: ROWS })],
    ['column_names and rows', JSON.stringify({ column_names: COLUMNS, rows: ROWS })],
    ['fieldNames and records', JSON.stringify({ fieldNames: COLUMNS, records: ROWS })],
    ['columnNames and Rows', JSON.stringify({ columnNames: COLUMNS, Rows: ROWS })],
    ['colnames and data', JSON.stringify({ colnames: COLUMNS, data: ROWS })],
    ['"Column Names" and "Rows" (a key spelled with a blank)', JSON.stringify({ 'Column Names': COLUMNS, Rows: ROWS })],
    [
      'labels and entries of cells objects',
      JSON.stringify({ labels: COLUMNS, entries: ROWS.map((cells) => ({ cells })) }),
    ],
    ['labels and matrix (other keys, as wide)', JSON.stringify({ labels: COLUMNS, matrix: ROWS })],
    ['a schema list and tuples (other keys)', JSON.stringify({ schema: COLUMNS, count: 4, tuples: ROWS })],
    ['a table of other key, its first row the header', JSON.stringify({ table: [COLUMNS, ...ROWS] })],
    [
      "AWS Athena's ColumnInfo before its Rows",
      JSON.stringify({
        ResultSetMetadata: { ColumnInfo: COLUMNS.map((Name) => ({ Name, Label: Name, Type: 'varchar' })) },
        Rows: ROWS.map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })),
      }),
    ],
    [
      "AWS Athena's ResultSet.Rows of Data/VarCharValue",
      JSON.stringify({
        ResultSet: { Rows: [COLUMNS, ...ROWS].map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) })) },
      }),
    ],
  ])('the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  // HOLE closed in src/classification/table-context-json.ts (TABLE_KEY): Python's repr was read, a JavaScript object
  // literal (unquoted keys, as console.log and a REPL print it) was not. Now a key is also an identifier after `{` or
  // `,`, whatever its case, and its list read as JSON or, in single quotes, as Python's repr.
  it.each([
    ['a JavaScript object literal', `{ columns: ${JSON.stringify(COLUMNS)}, data: ${JSON.stringify(ROWS)} }`],
    [
      'a JavaScript literal in single quotes',
      `{ headers: ${JSON.stringify(COLUMNS)},\n  rows: ${JSON.stringify(ROWS)} }`.replaceAll('"', "'"),
    ],
    [
      'a JavaScript literal of other keys',
      `{\n  Labels: ${JSON.stringify(COLUMNS)},\n  Matrix: ${JSON.stringify(ROWS)}\n}`,
    ],
  ])('the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  // HOLE closed in src/classification/table-context-json.ts escapedJsonCells: a JSON string's escapes were undone once
  // only, so a result stringified twice (a tool that returns a JSON string inside its JSON text) was not read. Now the
  // escapes are undone again while the text still holds an escaped table, up to three levels (each pass linear).
  it.each([
    ['JSON stringified twice', JSON.stringify(JSON.stringify(JSON.stringify({ columns: COLUMNS, data: ROWS })))],
    [
      'headers and rows stringified twice',
      JSON.stringify(JSON.stringify(JSON.stringify({ headers: COLUMNS, rows: ROWS }))),
    ],
    [
      'a tool result inside a JSON string',
      JSON.stringify({ content: JSON.stringify(JSON.stringify({ fields: COLUMNS, rows: ROWS })) }),
    ],
  ])('the table as %s has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  it.each([
    ['headers and rows', JSON.stringify({ headers: OTHER, rows: ROWS })],
    ['a JavaScript object literal', `{ columns: ${JSON.stringify(OTHER)}, data: ${JSON.stringify(ROWS)} }`],
    ['labels and matrix', JSON.stringify({ labels: OTHER, matrix: ROWS })],
    ['JSON stringified twice', JSON.stringify(JSON.stringify(JSON.stringify({ columns: OTHER, data: ROWS })))],
    ['a table of other key, its first row the header', JSON.stringify({ table: [OTHER, ...ROWS] })],
  ])('control: the table as %s under a badge_no column reaches the upstream', async (_name, text) => {
    expect(await messagesHold([text])).toBe(true);
  });

  // Controls: another key's list heads no rows of another width, nor rows after another array, nor a list of numbers
  // (a list of scalars is a column under its own key).
  it.each([
    ['rows of another width', JSON.stringify({ labels: [...COLUMNS, 'notes'], matrix: ROWS }), undefined],
    ['rows after another array', JSON.stringify({ labels: COLUMNS, sizes: [1, 2], matrix: ROWS }), undefined],
    ['a list of numbers', JSON.stringify({ labels: ['ssn', 'payroll'], ids: ROWS.map((r) => r[6]) }), 'ids'],
  ])('control: a list of names of other key before %s heads nothing', (_name, text, header) => {
    const at = text.indexOf(PROBE);
    expect(headerOfCell(text, at, at + PROBE.length)).toBe(header);
  });

  // A column-oriented result (pandas' to_dict('list'), a columnar API): each key's list is its column, the key its
  // header; PROBE is the list's second item, past any context window when the list is long.
  const far = (values: string[]) => [...Array.from({ length: 30 }, (_, i) => String(601000000 + i)), ...values];
  it.each([
    ['quoted', JSON.stringify({ id: COLUMNS.map((_, i) => i), ssn: far(ROWS.map((r) => r[6] as string)) })],
    ['a JavaScript literal', `{ id: [1, 2], ssn: ${JSON.stringify(far(ROWS.map((r) => r[6] as string)))} }`],
    [
      "pandas' to_json(orient='columns')",
      JSON.stringify({ ssn: Object.fromEntries(far(ROWS.map((r) => r[6] as string)).map((v, i) => [i, v])) }),
    ],
  ])('a column list under "ssn" (%s) has its SSNs redacted', async (_name, text) => {
    expect(await messagesHold([text])).toBe(false);
  });

  it('control: a column list under "badge_no" reaches the upstream', async () => {
    expect(await messagesHold([JSON.stringify({ badge_no: far(ROWS.map((r) => r[6] as string)) })])).toBe(true);
  });
});
