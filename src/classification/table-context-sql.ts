// An SQL INSERT's values under its column list (table-context.ts): `INSERT INTO t (a, b, …) VALUES (…), (…);` as
// pg_dump --column-inserts writes a row a statement and mysqldump --complete-insert all rows in one (and REPLACE INTO,
// INSERT OR REPLACE, INSERT LOW_PRIORITY, Oracle's INSERT ALL INTO … INTO …: any `INTO name (…) VALUES`), each tuple's
// items under the names by index (names unquoted of `"`, backticks and brackets). Invariant: one pass over the text's
// statements, each character of a column list (at most MAX_LINE) and of a VALUES list read once. A VALUES list in
// parentheses followed by its alias's column list (`(VALUES …) AS t(a, b, …)`, PostgreSQL's and SQL Server's derived
// table) is read twice: once to find its end, once under the names after it.
import { addCell, type Cells, MAX_LINE } from './table-context-cells.ts';

/**
 * A statement's `INTO name (`: INSERT's with any modifiers (IGNORE, LOW_PRIORITY, OR REPLACE), REPLACE's, each of
 * Oracle's INSERT ALL, and a CTE's head (`WITH t(a, b) AS (VALUES …)`); the name bare or quoted (`"hr employees"`,
 * backticks, brackets). `) VALUES` (a CTE's `) AS (VALUES`) must follow the list.
 */
const INSERT =
  /\b(?:INTO|WITH(?:\s+RECURSIVE)?)\s+(?:"[^"\n]{1,128}"|`[^`\n]{1,128}`|\[[^\]\n]{1,128}\]|[^\s(;]{1,128})\s*\(/gi;
const VALUES = /^\s*\)\s*(?:AS\s*\(\s*)?VALUES\s*/i;

/** A parenthesized VALUES list's opening (its tuples follow). */
const ALIASED_VALUES = /\(\s*VALUES\s*/gi;
/** A derived table's alias and the `(` of its column list, after the VALUES list's `)`. */
const ALIAS = /^\)\s*(?:AS\s+)?(?:"[^"\n]{1,128}"|`[^`\n]{1,128}`|\[[^\]\n]{1,128}\]|[A-Za-z_][\w$]{0,127})\s*\(/i;

/** A column list's names: split by commas, each trimmed of blanks and quoting (`"a"`, `` `a` ``, `[a]`). */
function namesOf(list: string): string[] {
  return list.split(',').map((name) => name.trim().replace(/^["`[]|["`\]]$/g, ''));
}

/** Reads the tuples of a VALUES list from `at`; returns where it ends (the statement's end or the first other text). */
function readTuples(text: string, at: number, names: readonly string[], into: Cells): number {
  let depth = 0;
  let column = 0;
  let cellStart = -1;
  const endCell = (end: number) => {
    if (cellStart >= 0) addCell(into, cellStart, end, names[column]);
    cellStart = -1;
  };
  for (let i = at; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit === 0x27 || unit === 0x22) {
      // A quoted value: '' (or a backslash) escapes its quote.
      if (depth === 1 && cellStart < 0) cellStart = i;
      for (i += 1; i < text.length; i += 1) {
        const inner = text.charCodeAt(i);
        if (inner === 0x5c) i += 1;
        else if (inner === unit) {
          if (text.charCodeAt(i + 1) !== unit) break;
          i += 1;
        }
      }
    } else if (unit === 0x28) {
      depth += 1;
      if (depth === 1) column = 0;
      else if (depth === 2 && cellStart < 0) cellStart = i; // a call's value: ROW(…), '…'::type
    } else if (unit === 0x29) {
      if (depth === 1) endCell(i);
      depth -= 1;
      if (depth < 0) return i;
    } else if (depth === 1 && unit === 0x2c) {
      endCell(i);
      column += 1;
    } else if (depth === 1 && cellStart < 0 && unit > 0x20) cellStart = i;
    else if (depth === 0 && unit !== 0x2c && unit > 0x20) return i; // `;` or the next statement
  }
  return text.length;
}

/** Characters sqlCells read past its statements' openings: column lists and VALUES lists, each at most once. */
export interface SqlWork {
  units: number;
}

/**
 * The first `)` at or after a column list's opening, or -1: openings come in order, and each search reads on from the
 * last answer (kept while ahead), so all of them read the text once.
 */
function closings(text: string, work?: SqlWork): (open: number) => number {
  let close = -1;
  return (open) => {
    if (close < open) {
      const from = Math.max(open, close + 1);
      close = text.indexOf(')', from);
      if (work !== undefined) work.units += (close < 0 ? text.length : close) - from;
    }
    return close;
  };
}

/** The cells of the INSERT statements of `text` with a column list, under its names, and of aliased VALUES lists. */
export function sqlCells(text: string, into: Cells, work?: SqlWork): void {
  insertCells(text, into, work);
  if (/\(\s*VALUES\b/i.test(text)) aliasedCells(text, into, work);
}

/** The cells of each `(VALUES …) AS t(a, b, …)` under the alias's names (see the module). */
function aliasedCells(text: string, into: Cells, work?: SqlWork): void {
  const none: Cells = { starts: [], ends: [], headers: [] };
  const closeAfter = closings(text, work);
  ALIASED_VALUES.lastIndex = 0;
  for (let m = ALIASED_VALUES.exec(text); m !== null; m = ALIASED_VALUES.exec(text)) {
    const from = m.index + m[0].length;
    const end = readTuples(text, from, [], none);
    if (work !== undefined) work.units += end - from;
    ALIASED_VALUES.lastIndex = end;
    const alias = ALIAS.exec(text.slice(end, end + 300));
    if (alias === null) continue;
    const open = end + alias[0].length;
    const close = closeAfter(open);
    if (close < 0) return;
    if (close - open > MAX_LINE) continue;
    readTuples(text, from, namesOf(text.slice(open, close)), into);
    if (work !== undefined) work.units += end - from;
  }
}

/** The cells of the INSERT statements of `text` with a column list, under its names. */
function insertCells(text: string, into: Cells, work?: SqlWork): void {
  const closeAfter = closings(text, work);
  INSERT.lastIndex = 0;
  for (let m = INSERT.exec(text); m !== null; m = INSERT.exec(text)) {
    const open = m.index + m[0].length;
    const close = closeAfter(open);
    if (close < 0) return;
    if (close - open > MAX_LINE) continue;
    const values = VALUES.exec(text.slice(close, close + 64));
    if (values === null) continue;
    const from = close + values[0].length;
    const end = readTuples(text, from, namesOf(text.slice(open, close)), into);
    if (work !== undefined) work.units += end - from + (close - open);
    INSERT.lastIndex = end;
  }
}
