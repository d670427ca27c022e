// A JSON result's rows under its column names (table-context.ts): a column list under `"columns"` (pandas'
// to_json(orient='split')), `"rowType"` (Snowflake), `"meta"` (ClickHouse's JSON formats), `"fields"` (node-postgres,
// BigQuery's schema), `"header"` or `"cols"` (the Google Visualization DataTable), `"headers"`, `"column_names"`,
// `"columnNames"`, `"fieldNames"`, `"colnames"` (REST wrappers of SQL and spreadsheet tools) or `"ColumnInfo"` (AWS
// Athena), of names or of `{"name": …}` (or `{"label": …}`) objects, heads the rows of the first `"data"`, `"rows"`,
// `"values"`, `"data_array"`, `"result"` or `"records"` array after it, before the next list; a rows array with no list
// before it is headed by a list right after it (a key order any serializer may write), else by its own first row when
// that row is all names (Google Sheets' `"values"`, Athena's `"Rows"`). Any other key's list of short names (two or
// more, distinct) heads the array of rows right after it (LIST_AFTER) when its first row is as wide; any other key's
// array of rows whose first row is all names is headed by it; any other key's list of scalars, or object of index keys
// to scalars (pandas' orient='columns'), is a column under that key (`{"ssn": [...]}`: table-context.ts asks for these,
// the stream's header keeping does not). Keys are matched in
// any case and spelling (`Column Names`), quoted or not (a JavaScript object literal); cells are read by index
// (table-context-json-rows.ts); Python's repr of the same data (single quotes) reads alike; a result held as a JSON
// string is read with its escapes undone, up to MAX_ESCAPES levels. Invariant: each character is read by at most one
// column list's bracket scan (at most MAX_NAMES a list) and one rows scan; a list of other key is read only while its
// items are scalars; each level of escapes is undone in one pass over a shorter text.
import { addCell, type Cells, MAX_HEADER_CELL, sortCells } from './table-context-cells.ts';
import {
  arrayEnd,
  type JsonWork,
  parseLiteral,
  type RowCells,
  readRows,
  scalarList,
} from './table-context-json-rows.ts';

export { type JsonWork, MAX_NAMES } from './table-context-json-rows.ts';

/** A key (quoted: group 1, any spelling; unquoted after `{` or `,`: group 2) and its array's `[` or its object's `{`. */
const TABLE_KEY = /(?:["']([^"'\\\r\n]{1,64})["']|[{,]\s*([A-Za-z_$][\w$]{0,63}))\s*:\s*[[{]/g;

/** A key as LIST_KEYS and ROWS_KEYS hold it: lower-cased, letters and digits only (`Column-Names` is `columnnames`). */
const keyOf = (key: string) => key.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The keys of a column list (see keyOf). */
const LIST_KEYS = new Set(
  ['columns', 'rowtype', 'meta', 'fields', 'header', 'headers', 'cols', 'colnames', 'columnnames', 'fieldnames'].concat(
    ['columninfo'],
  ),
);

/** The keys of a rows array (see keyOf). */
const ROWS_KEYS = new Set(['data', 'rows', 'values', 'dataarray', 'result', 'records']);

/** Whether a text may hold a JSON table (a key's array: rows, a column list, a column): table-context.ts reads it only then. */
export const JSON_TABLE_HINT = /:\s*[[{]/;

/** Most characters between a rows array's end and the column list after it that heads it (`], "columns": [`). */
const LIST_AFTER = 256;

/** An object's string name (its `name`, `Name`, `label` or `Label`), or the item itself. */
function nameOf(item: unknown): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  const key = ['name', 'Name', 'label', 'Label'].find((k) => Object.hasOwn(item, k));
  return key === undefined ? undefined : (item as Record<string, unknown>)[key];
}

/** A cell's value: a one-key object's (Athena's `{"VarCharValue": …}`, BigQuery's `{"v": …}`), or the cell's. */
function cellValue(literal: string): unknown {
  const value = parseLiteral(literal);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  return keys.length === 1 ? (value as Record<string, unknown>)[keys[0] as string] : undefined;
}

/** A column list's names (each item a string or an object's name; else undefined at its index), or undefined. */
function namesOf(list: string): unknown[] | undefined {
  const parsed = parseLiteral(list);
  return Array.isArray(parsed) ? parsed.map(nameOf) : undefined;
}

/** The first row's cells as names when each is a quoted string of a letter or more (a header row), else undefined. */
function firstRowNames(text: string, rows: RowCells): string[] | undefined {
  if (rows.firstRow < 2) return undefined;
  const names: string[] = [];
  for (let k = 0; k < rows.firstRow; k += 1) {
    const name = cellValue(text.slice(rows.starts[k], rows.ends[k]).trim());
    if (typeof name !== 'string' || name.length > MAX_HEADER_CELL || !/\p{L}/u.test(name)) return undefined;
    names.push(name);
  }
  return names;
}

/** Adds the cells of `rows` from the `from`-th under `names` by column. */
function addRows(into: Cells, rows: RowCells, names: readonly unknown[], from = 0): void {
  for (let k = from; k < rows.starts.length; k += 1) {
    addCell(into, rows.starts[k] as number, rows.ends[k] as number, names[rows.columns[k] as number]);
  }
}

/** A column list not yet taken by rows: its names, where it ends, whether its key is another key (LIST_KEYS' not). */
interface Names {
  names: readonly unknown[];
  end: number;
  other: boolean;
}

/** Whether `rows`, read at `at` under another key or after another key's list, are as wide as `names` (or cut). */
function asWide(list: Names, rows: RowCells, at: number, text: string): boolean {
  const width = rows.firstRow < 0 && rows.end === text.length ? list.names.length : rows.firstRow;
  return at - list.end <= LIST_AFTER && width === list.names.length;
}

/**
 * The cells of the JSON tables of `text` (see the module), in order of start; into `columns` too (when given), the
 * items of each other key's list of scalars under that key (a column: `{"ssn": [...]}`).
 */
export function jsonCells(text: string, into: Cells, work?: JsonWork, columns?: Cells): void {
  let list: Names | undefined; // the last column list's, until a rows array takes them
  let waiting: RowCells | undefined; // a rows array read with no list before it
  TABLE_KEY.lastIndex = 0;
  for (let m = TABLE_KEY.exec(text); m !== null; m = TABLE_KEY.exec(text)) {
    const open = m.index + m[0].length - 1;
    const key = keyOf(m[1] ?? m[2] ?? '');
    if (text.charCodeAt(open) === 0x7b) {
      // An object: another key's object of index keys is a column under that key (pandas' orient='columns').
      const items = LIST_KEYS.has(key) || ROWS_KEYS.has(key) ? undefined : scalarList(text, open, work);
      if (items?.closed === true && columns !== undefined) {
        for (const [k, start] of items.starts.entries()) addCell(columns, start, items.ends[k] as number, m[1] ?? m[2]);
      }
      TABLE_KEY.lastIndex = items?.closed === true ? items.end : open + 1;
      continue;
    }
    if (LIST_KEYS.has(key)) {
      const close = arrayEnd(text, open, work);
      TABLE_KEY.lastIndex = close < 0 ? -1 - close : close + 1;
      const names = close < 0 ? undefined : namesOf(text.slice(open, close + 1));
      list = names === undefined ? undefined : { names, end: close + 1, other: false };
      if (names !== undefined && waiting !== undefined && m.index - waiting.end <= LIST_AFTER) {
        addRows(into, waiting, names);
        list = undefined;
      }
      waiting = undefined;
      continue;
    }
    const rowsKey = ROWS_KEYS.has(key);
    if (!rowsKey) {
      // Another key: its list of scalars is a column under it, and a column list when they are names; its array of rows
      // is read after a column list, or with a header row.
      const items = scalarList(text, open, work);
      if (items.closed) {
        if (columns !== undefined) {
          for (const [k, start] of items.starts.entries())
            addCell(columns, start, items.ends[k] as number, m[1] ?? m[2]);
        }
        if (items.names !== undefined && (list === undefined || list.other)) {
          list = { names: items.names, end: items.end, other: true };
        } else if (list?.other === true) list = undefined;
        TABLE_KEY.lastIndex = items.end;
        continue;
      }
      const first = items.first;
      const headed = list !== undefined || (first >= 0 && scalarList(text, first, work).names !== undefined);
      if (first < 0 || !headed) {
        if (list?.other === true) list = undefined;
        TABLE_KEY.lastIndex = open + 1;
        continue;
      }
    }
    const rows = readRows(text, open);
    if (work !== undefined) work.units += rows.end - open;
    TABLE_KEY.lastIndex = rows.end;
    const names =
      list !== undefined && ((rowsKey && !list.other) || asWide(list, rows, m.index, text)) ? list : undefined;
    const header = names === undefined ? firstRowNames(text, rows) : undefined;
    if (names !== undefined) addRows(into, rows, names.names);
    else if (header !== undefined) addRows(into, rows, header, rows.firstRow);
    waiting = rowsKey && names === undefined && header === undefined ? rows : undefined;
    list = undefined;
  }
}

/**
 * Whether a text may hold a JSON table inside a JSON string (escaped quotes: a tool result's text held as a string, or
 * as a string inside a string: `\\\"`).
 */
export const ESCAPED_JSON_TABLE_HINT = /\\+"[^"\\\r\n]{1,64}\\+"\s*:\s*[[{]/;

/** Most levels of escapes undone (a result stringified three times). */
const MAX_ESCAPES = 3;

const UNESCAPED: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', r: '\r', t: '\t' };

/**
 * The cells of the JSON tables inside the JSON strings of `text` (a level of escapes: `\"` read as `"`), at their
 * places in `text`: the text is read with its escapes undone once (a `\uXXXX` kept as written), then by jsonCells,
 * and again while it still holds escaped tables, up to MAX_ESCAPES levels (each pass linear in a shorter text).
 * Memory: the unescaped text and where each undone escape is in it (a cell's place is its own plus the escapes before).
 */
export function escapedJsonCells(text: string, into: Cells, work?: JsonWork, columns?: Cells, level = 1): void {
  const pieces: string[] = [];
  const escapes: number[] = []; // where each undone escape's character is in the unescaped text, in order
  let from = 0;
  let length = 0;
  for (let i = text.indexOf('\\'); i >= 0 && i + 1 < text.length; i = text.indexOf('\\', i)) {
    const unescaped = UNESCAPED[text[i + 1] as string];
    if (unescaped === undefined) {
      i += 2; // kept as written (`\uXXXX`, `\b`): the unescaped text holds both characters
      continue;
    }
    pieces.push(text.slice(from, i), unescaped);
    length += i - from;
    escapes.push(length);
    length += 1;
    from = i + 2;
    i = from;
  }
  pieces.push(text.slice(from));
  const inner: Cells = { starts: [], ends: [], headers: [] };
  const unescaped = pieces.join('');
  jsonCells(unescaped, inner, work, columns === undefined ? undefined : inner);
  if (work !== undefined) work.units += text.length;
  if (level < MAX_ESCAPES && ESCAPED_JSON_TABLE_HINT.test(unescaped)) {
    escapedJsonCells(unescaped, inner, work, columns === undefined ? undefined : inner, level + 1);
    sortCells(inner);
  }
  // A unit's place in `text`: its own plus one for each undone escape before it (each read from two characters).
  const placeOf = (at: number) => {
    let low = 0;
    let high = escapes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((escapes[middle] as number) < at) low = middle + 1;
      else high = middle;
    }
    return at + low;
  };
  for (let c = 0; c < inner.starts.length; c += 1) {
    addCell(into, placeOf(inner.starts[c] as number), placeOf(inner.ends[c] as number), inner.headers[c]);
  }
}
