// A JSON result's rows under its column names (table-context.ts): a column list under `"columns"` (pandas'
// to_json(orient='split')), `"rowType"` (Snowflake), `"meta"` (ClickHouse's JSON formats), `"fields"` (node-postgres,
// BigQuery's schema), `"header"` or `"cols"` (the Google Visualization DataTable), of names or of `{"name": …}` (or
// `{"label": …}`) objects, heads the rows of the first `"data"`, `"rows"`, `"values"`, `"data_array"` or `"result"`
// array after it, before the next list; a rows array with no list before it is headed by a list right after it (a key
// order any serializer may write), else by its own first row when that row is all names (Google Sheets' `"values"`).
// Cells are read by index (table-context-json-rows.ts); Python's repr of the same data (single quotes) reads alike.
// Invariant: each character is read by at most one column list's bracket scan (at most MAX_NAMES a list) and one rows
// scan.
import { addCell, type Cells, MAX_HEADER_CELL } from './table-context-cells.ts';
import { arrayEnd, type JsonWork, type RowCells, readRows } from './table-context-json-rows.ts';

export { type JsonWork, MAX_NAMES } from './table-context-json-rows.ts';

/** A column list's key (group 1) or a rows array's key, each with its array's `[`. */
const TABLE_KEY = /["'](?:(columns|rowType|meta|fields|header|cols)|data|rows|values|data_array|result)["']\s*:\s*\[/g;

/** Whether a text may hold a JSON table: table-context.ts reads it only then. */
export const JSON_TABLE_HINT =
  /["'](?:columns|rowType|meta|fields|header|cols)["']\s*:|["'](?:data|rows|values)["']\s*:\s*\[\s*\[/;

/** Most characters between a rows array's end and the column list after it that heads it (`], "columns": [`). */
const LIST_AFTER = 256;

const PYTHON_WORDS = /\b(?:None|True|False)\b/g;
const PYTHON_JSON: Record<string, string> = { None: 'null', True: 'true', False: 'false' };

/** The value of a JSON (or, with no `"` nor `\` in it, Python repr) literal, or undefined when it is neither. */
function parseLiteral(literal: string): unknown {
  try {
    return JSON.parse(literal);
  } catch {
    // Not JSON: Python's repr of the same value (single quotes, None), when nothing in it needs escaping.
  }
  if (!literal.includes("'") || /["\\]/.test(literal)) return undefined;
  try {
    return JSON.parse(literal.replaceAll("'", '"').replace(PYTHON_WORDS, (word) => PYTHON_JSON[word] as string));
  } catch {
    return undefined; // a JavaScript literal, a cut text: no value
  }
}

/** An object's string `"name"` (else its `"label"`), or the item itself. */
function nameOf(item: unknown): unknown {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  if (Object.hasOwn(item, 'name')) return (item as { name: unknown }).name;
  return Object.hasOwn(item, 'label') ? (item as { label: unknown }).label : undefined;
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
    const name = parseLiteral(text.slice(rows.starts[k], rows.ends[k]).trim());
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

/** The cells of the JSON tables of `text` (see the module), in order of start. */
export function jsonCells(text: string, into: Cells, work?: JsonWork): void {
  let names: unknown[] | undefined; // the last column list's, until a rows array takes them
  let waiting: RowCells | undefined; // a rows array read with no list before it
  TABLE_KEY.lastIndex = 0;
  for (let m = TABLE_KEY.exec(text); m !== null; m = TABLE_KEY.exec(text)) {
    const open = m.index + m[0].length - 1;
    if (m[1] !== undefined) {
      const close = arrayEnd(text, open, work);
      TABLE_KEY.lastIndex = close < 0 ? -1 - close : close + 1;
      names = close < 0 ? undefined : namesOf(text.slice(open, close + 1));
      if (names !== undefined && waiting !== undefined && m.index - waiting.end <= LIST_AFTER) {
        addRows(into, waiting, names);
        names = undefined;
      }
      waiting = undefined;
      continue;
    }
    const rows = readRows(text, open);
    if (work !== undefined) work.units += rows.end - open;
    TABLE_KEY.lastIndex = rows.end;
    const header = names === undefined ? firstRowNames(text, rows) : undefined;
    if (names !== undefined) addRows(into, rows, names);
    else if (header !== undefined) addRows(into, rows, header, rows.firstRow);
    waiting = names === undefined && header === undefined ? rows : undefined;
    names = undefined;
  }
}

/** Whether a text may hold a JSON table inside a JSON string (escaped quotes: a tool result's text held as a string). */
export const ESCAPED_JSON_TABLE_HINT = /\\"(?:columns|rowType|meta|fields|header|cols|data|rows|values)\\"\s*:/;

const UNESCAPED: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', n: '\n', r: '\r', t: '\t' };

/**
 * The cells of the JSON tables inside the JSON strings of `text` (one level of escapes: `\"` read as `"`), at their
 * places in `text`: the text is read with its escapes undone once (a `\uXXXX` kept as written), then by jsonCells.
 * Memory: the unescaped text and where each undone escape is in it (a cell's place is its own plus the escapes before).
 */
export function escapedJsonCells(text: string, into: Cells, work?: JsonWork): void {
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
  jsonCells(pieces.join(''), inner, work);
  if (work !== undefined) work.units += text.length;
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
