// A JSON result's rows under its column names (table-context.ts): `"columns": [names]` (pandas' to_json(orient='split'))
// or `[{"name": …}, …]` (Trino's client protocol, the Databricks statement API's schema; Snowflake's `"rowType"`), and
// the arrays of the `"data"`, `"rows"`, `"values"` or `"data_array"` array after it, before the next column list, their
// items under the names by index. Invariant: each character is read by at most one column list's bracket scan (at most
// MAX_NAMES a list) and one rows scan.
import { addCell, type Cells, MAX_LINE } from './table-context-cells.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The column lists' keys, the rows' keys after them. */
const JSON_COLUMNS = /"(?:columns|rowType)"\s*:\s*\[/g;
const NEXT_COLUMNS = /"(?:columns|rowType)"\s*:/g;
const JSON_ROWS = /"(?:data|rows|values|data_array)"\s*:\s*\[/g;

/** Most characters of a column list (256 columns with Trino's type signatures). */
export const MAX_NAMES = 16 * MAX_LINE;

/** Characters jsonCells read: each of the text's at most once by a column list's scan and once by a rows scan. */
export interface JsonWork {
  units: number;
}

/**
 * Where the JSON array opening at `open` closes (its `]`, strings skipped), or -1 - where its scan stopped: at a `}`
 * closing it (not JSON), or at `open + MAX_NAMES` (or the text's end) when it has not closed by then.
 */
function arrayEnd(text: string, open: number, work?: JsonWork): number {
  const stop = Math.min(text.length, open + MAX_NAMES);
  let depth = 0;
  let i = open;
  for (; i < stop; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit === QUOTE) {
      for (i += 1; i < stop && text.charCodeAt(i) !== QUOTE; i += 1) if (text.charCodeAt(i) === BACKSLASH) i += 1;
    } else if (unit === 0x5b || unit === 0x7b) depth += 1;
    else if ((unit === 0x5d || unit === 0x7d) && --depth === 0) break;
  }
  if (work !== undefined) work.units += Math.min(i, stop) - open;
  return i < stop && text.charCodeAt(i) === 0x5d ? i : -1 - Math.min(i, stop);
}

/** A column list's names: each item a string, or an object's string `"name"` (else undefined at its index). */
function namesOf(list: string): unknown[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(list);
  } catch {
    return undefined; // not JSON (a JavaScript literal, a cut text): no names
  }
  if (!Array.isArray(parsed)) return undefined;
  return parsed.map((item: unknown) =>
    typeof item === 'object' && item !== null && !Array.isArray(item) && Object.hasOwn(item, 'name')
      ? (item as { name: unknown }).name
      : item,
  );
}

/**
 * The cells of the column-list tables of `text`: each array in the rows array after a list, before the next list, its
 * items under the names by index. Each array is read once.
 */
export function jsonCells(text: string, into: Cells, work?: JsonWork): void {
  let scanned = 0;
  let rows: RegExpExecArray | null = null;
  let next: RegExpExecArray | null = null; // the first column list after the names (kept while ahead)
  JSON_COLUMNS.lastIndex = 0;
  for (let m = JSON_COLUMNS.exec(text); m !== null; m = JSON_COLUMNS.exec(text)) {
    const open = m.index + m[0].length - 1;
    if (open < scanned) continue;
    const close = arrayEnd(text, open, work);
    scanned = close < 0 ? -1 - close : close + 1;
    JSON_COLUMNS.lastIndex = scanned;
    const names = close < 0 ? undefined : namesOf(text.slice(open, close + 1));
    if (names === undefined) continue;
    if (rows === null || rows.index < close) {
      JSON_ROWS.lastIndex = close;
      rows = JSON_ROWS.exec(text);
    }
    if (rows === null) return;
    if (next === null || next.index < close) {
      NEXT_COLUMNS.lastIndex = close;
      next = NEXT_COLUMNS.exec(text);
    }
    if (next !== null && next.index < rows.index) continue;
    const from = rows.index + rows[0].length - 1;
    scanned = readRows(text, from, names, into);
    if (work !== undefined) work.units += scanned - from;
    JSON_COLUMNS.lastIndex = scanned;
  }
}

/** Reads the arrays of the JSON array opening at `open` (see jsonCells); returns where it ends. */
function readRows(text: string, open: number, names: unknown[], into: Cells): number {
  let depth = 0;
  let column = 0;
  let array = false; // the item being read is an array (a row), not an object
  let cellStart = -1;
  const endCell = (at: number) => {
    if (cellStart >= 0 && array) addCell(into, cellStart, at, names[column]);
    cellStart = -1;
  };
  for (let i = open; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit === QUOTE) {
      if (depth === 2 && cellStart < 0) cellStart = i;
      for (i += 1; i < text.length && text.charCodeAt(i) !== QUOTE; i += 1)
        if (text.charCodeAt(i) === BACKSLASH) i += 1;
    } else if (unit === 0x5b || unit === 0x7b) {
      depth += 1;
      if (depth === 2) {
        column = 0;
        array = unit === 0x5b;
      } else if (depth === 3 && cellStart < 0) cellStart = i;
    } else if (unit === 0x5d || unit === 0x7d) {
      if (depth === 2) endCell(i);
      depth -= 1;
      if (depth === 0) return i + 1;
    } else if (depth === 2 && unit === 0x2c) {
      endCell(i);
      column += 1;
    } else if (depth === 2 && cellStart < 0 && unit > 0x20) cellStart = i;
  }
  return text.length;
}
