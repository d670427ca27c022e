// The scans of a JSON result's table (table-context-json.ts): where a column list's array closes, an array's leading
// short strings (a list of names by its shape), and the cells of a rows array by row and column. A row is an array of
// cells, or an object whose `"f"`, `"c"`, `"Data"`, `"cells"` or `"values"` array holds them (BigQuery's
// `{"f":[{"v":…}]}`, the Google Visualization DataTable's `{"c":[{"v":…}]}`, Athena's `{"Data":[{"VarCharValue":…}]}`).
// Strings are quoted with `"` or `'` (Python's repr of the same data), each closed by its own quote. Invariant: each
// scan reads each character once.
import { MAX_HEADER_CELL, MAX_LINE } from './table-context-cells.ts';

const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;
const BACKSLASH = 0x5c;

/** Most characters of a column list (256 columns with Trino's type signatures). */
export const MAX_NAMES = 16 * MAX_LINE;

/** Characters the JSON scans read: each of the text's at most once by a column list's scan and once by a rows scan. */
export interface JsonWork {
  units: number;
}

/** Where the string opening at `open` (its quote) closes, or `stop` when it does not before it. */
function stringEnd(text: string, open: number, stop: number): number {
  const quote = text.charCodeAt(open);
  let i = open + 1;
  for (; i < stop && text.charCodeAt(i) !== quote; i += 1) if (text.charCodeAt(i) === BACKSLASH) i += 1;
  return Math.min(i, stop);
}

const isQuote = (unit: number) => unit === DOUBLE_QUOTE || unit === SINGLE_QUOTE;

const PYTHON_WORDS = /\b(?:None|True|False)\b/g;
const PYTHON_JSON: Record<string, string> = { None: 'null', True: 'true', False: 'false' };

/** The value of a JSON (or, with no `"` nor `\\` in it, Python repr) literal, or undefined when it is neither. */
export function parseLiteral(literal: string): unknown {
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

/** An array's leading scalars (strings, numbers, literals): each one's start and end, its names, where it ends. */
export interface ScalarList {
  starts: number[];
  ends: number[];
  /** The items as names when they are two or more distinct strings, each of a letter and at most MAX_HEADER_CELL. */
  names: string[] | undefined;
  /** Whether the array holds only scalars (its `]` read). */
  closed: boolean;
  /** Past the array's `]` (closed), else where the scan stopped. */
  end: number;
  /** Where the array's first item opens when it is an array or an object (a row), else -1. */
  first: number;
}

const isBlank = (unit: number) => unit === 0x20 || unit === 0x0a || unit === 0x0d || unit === 0x09;

/** A number's or a literal's unit (`-1.5e3`, `null`, `true`, Python's `None`). */
const isBare = (unit: number) =>
  (unit >= 0x30 && unit <= 0x39) ||
  ((unit | 0x20) >= 0x61 && (unit | 0x20) <= 0x7a) ||
  unit === 0x2d ||
  unit === 0x2b ||
  unit === 0x2e;

/** Past the `:` after an index key (`"12":`, pandas' `to_json(orient='columns')`) at `at`, or -1 when none is there. */
function indexKeyEnd(text: string, at: number): number {
  const quote = text.charCodeAt(at);
  if (!isQuote(quote)) return -1;
  let i = at + 1;
  while (i < text.length && i - at <= 16 && text.charCodeAt(i) >= 0x30 && text.charCodeAt(i) <= 0x39) i += 1;
  if (i === at + 1 || text.charCodeAt(i) !== quote) return -1;
  i += 1;
  while (i < text.length && isBlank(text.charCodeAt(i))) i += 1;
  return text.charCodeAt(i) === 0x3a ? i + 1 : -1;
}

/**
 * The array (or, opening with `{`, the object of index keys) opening at `open` as a list of scalars (see ScalarList): the scan stops at the first item that is none (an
 * array, an object, a string past MAX_LINE), so a list of other items is read up to its first only.
 */
export function scalarList(text: string, open: number, work?: JsonWork): ScalarList {
  const keyed = text.charCodeAt(open) === 0x7b; // an object of index keys (`{"0": …, "1": …}`), its values the items
  const list: ScalarList = { starts: [], ends: [], names: [], closed: false, end: open + 1, first: -1 };
  let i = open + 1;
  for (;;) {
    while (i < text.length && isBlank(text.charCodeAt(i))) i += 1;
    if (keyed) {
      const key = indexKeyEnd(text, i);
      if (key < 0) {
        list.closed = text.charCodeAt(i) === 0x7d && list.starts.length > 0;
        break;
      }
      i = key;
    }
    const unit = text.charCodeAt(i);
    const start = i;
    if (isQuote(unit)) {
      i = stringEnd(text, i, Math.min(text.length, i + MAX_LINE));
      if (text.charCodeAt(i) !== unit) break;
      i += 1;
    } else if (isBare(unit)) {
      while (i < text.length && isBare(text.charCodeAt(i))) i += 1;
    } else {
      if (!keyed && list.starts.length === 0 && (unit === 0x5b || unit === 0x7b)) list.first = i;
      list.closed = !keyed && unit === 0x5d && list.starts.length > 0;
      break;
    }
    list.starts.push(start);
    list.ends.push(i);
    const name =
      list.names !== undefined && isQuote(unit) && i - start <= 2 * MAX_HEADER_CELL + 2
        ? parseLiteral(text.slice(start, i))
        : undefined;
    if (typeof name !== 'string' || name.length > MAX_HEADER_CELL || !/\p{L}/u.test(name)) list.names = undefined;
    else list.names?.push(name);
    while (i < text.length && isBlank(text.charCodeAt(i))) i += 1;
    if (text.charCodeAt(i) !== 0x2c) {
      list.closed = text.charCodeAt(i) === (keyed ? 0x7d : 0x5d);
      break;
    }
    i += 1;
  }
  if (work !== undefined) work.units += i - open;
  list.end = list.closed ? i + 1 : i;
  const names = list.names;
  if (keyed || !list.closed || names === undefined || names.length < 2 || new Set(names).size !== names.length)
    list.names = undefined;
  return list;
}

/**
 * Where the JSON array opening at `open` closes (its `]`, strings skipped), or -1 - where its scan stopped: at a `}`
 * closing it (not JSON), or at `open + MAX_NAMES` (or the text's end) when it has not closed by then.
 */
export function arrayEnd(text: string, open: number, work?: JsonWork): number {
  const stop = Math.min(text.length, open + MAX_NAMES);
  let depth = 0;
  let i = open;
  for (; i < stop; i += 1) {
    const unit = text.charCodeAt(i);
    if (isQuote(unit)) i = stringEnd(text, i, stop);
    else if (unit === 0x5b || unit === 0x7b) depth += 1;
    else if ((unit === 0x5d || unit === 0x7d) && --depth === 0) break;
  }
  if (work !== undefined) work.units += Math.min(i, stop) - open;
  return i < stop && text.charCodeAt(i) === 0x5d ? i : -1 - Math.min(i, stop);
}

/** The cells of a rows array: each one's start, end and column, in order; the first row's are the first `firstRow`. */
export interface RowCells {
  starts: number[];
  ends: number[];
  columns: number[];
  /** How many cells the first row has (an array row), or -1 (an object row). */
  firstRow: number;
  /** Where the rows array ends (past its `]`, or the text's end). */
  end: number;
}

/** A row object's key of its cells' array (see the module). */
const CELLS_KEY = /^(?:f|c|Data|data|cells|values)$/;

/** Whether the string from `at` (its quote) to `close` is a row object's cells key. */
function isCellsKey(text: string, at: number, close: number): boolean {
  return close - at <= 7 && CELLS_KEY.test(text.slice(at + 1, close));
}

/** Reads the cells of the rows array opening at `open` (see the module). */
export function readRows(text: string, open: number): RowCells {
  const cells: RowCells = { starts: [], ends: [], columns: [], firstRow: -1, end: text.length };
  let depth = 0;
  let cellDepth = 0; // the depth at which the current row's cells sit (2: an array row, 3: an f/c array), or 0
  let cellsKey = false; // an object row's `"f"`/`"c"` key was read: its array holds the cells
  let rows = 0;
  let column = 0;
  let cellStart = -1;
  const endCell = (at: number) => {
    if (cellStart >= 0) {
      cells.starts.push(cellStart);
      cells.ends.push(at);
      cells.columns.push(column);
    }
    cellStart = -1;
  };
  for (let i = open; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (isQuote(unit)) {
      const close = stringEnd(text, i, text.length);
      if (depth === cellDepth && cellStart < 0) cellStart = i;
      else if (depth === 2 && cellDepth === 0) cellsKey = isCellsKey(text, i, close);
      i = close;
    } else if (unit === 0x5b || unit === 0x7b) {
      depth += 1;
      if (depth === 2) {
        column = 0;
        cellsKey = false;
        cellDepth = unit === 0x5b ? 2 : 0;
      } else if (depth === 3 && cellsKey && unit === 0x5b) {
        column = 0;
        cellDepth = 3;
      } else if (cellDepth > 0 && depth === cellDepth + 1 && cellStart < 0) cellStart = i;
    } else if (unit === 0x5d || unit === 0x7d) {
      if (depth === cellDepth) {
        endCell(i);
        cellDepth = 0;
        if (rows === 0 && cells.firstRow < 0) cells.firstRow = cells.starts.length;
      }
      if (depth === 2) rows += 1;
      depth -= 1;
      if (depth === 0) {
        cells.end = i + 1;
        return cells;
      }
    } else if (unit === 0x2c && depth === cellDepth) {
      endCell(i);
      column += 1;
    } else if (unit === 0x2c && depth === 2) cellsKey = false;
    else if (depth === cellDepth && cellStart < 0 && unit > 0x20) cellStart = i;
  }
  return cells;
}
