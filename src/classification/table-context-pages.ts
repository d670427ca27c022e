// A table paged over texts (table-context.ts reads a header within its own text): a query's result in two tool
// results, a CSV pasted in two messages. A text whose last table (CSV, TSV, `;`, `|`, `&` rows: table-context-blocks.ts)
// runs to its end, or to a footer of at most MAX_NOTES short lines and rules (psql's `(10 rows)`, mysql's `10 rows in
// set`, a pager's `call again with page=1`), leaves its header line open; a later text whose first row (after at most
// MAX_NOTES short lines and rules: `page 2 of 2:`) has that line's delimiters, as many, is its next page, unless that
// row is a header of its own (names unlike the row under it, not the open header repeated): then it heads its own
// table. Each page is read again after the header line and a line break (join-readings.ts), so its cells are read
// under the header; a page keeps the header open for the page after it. Invariant: each text is read at most once for
// its blocks and once as a page (linear in the request); a text's blocks are read only when a later text's first lines
// could be a page at all.
import { blocksOf, delimiterAt } from './table-context-blocks.ts';
import { MAX_HEADER_CELL, MAX_LINE } from './table-context-cells.ts';
import type { JoinWindow } from './join-window.ts';
import { LABEL_BREAK } from './segment-join.ts';
import type { TextSegment } from './types.ts';

/** A page's cells are lent their header however far into the page they are (join-readings.ts pieceBeside). */
export const PAGE_REACH = { before: Number.POSITIVE_INFINITY, after: -1 };

/** The delimiters of a line (by delimiterAt, outside quotes), as counts by delimiter; undefined past MAX_LINE. */
function delimitersOf(text: string, start: number): Map<number, number> | undefined {
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (end - start > MAX_LINE) return undefined;
  const counts = new Map<number, number>();
  let quoted = false;
  for (let i = start; i < end; i += 1) {
    if (text.charCodeAt(i) === 0x22) quoted = !quoted;
    const delimiter = quoted ? -1 : delimiterAt(text, i);
    if (delimiter >= 0) counts.set(delimiter, (counts.get(delimiter) ?? 0) + 1);
  }
  return counts;
}

/** Most characters of a footer's or a lead's line (`(10 rows)`, `10 rows in set (0.01 sec)`, `page 2 of 2:`). */
const MAX_NOTE = 80;

/** Most short lines (and, apart, most rule lines) of a footer after a table's last row or a lead before a page's. */
const MAX_NOTES = 2;

/** A grid's rule line (`+----+`, `├───┤`, `---+---`): rules, joints and blanks only, three rules at least. */
function isRule(line: string): boolean {
  return /^[-=+|: \t\r\u2500-\u257f]+$/.test(line) && (line.match(/[-=\u2500\u2501\u2550]/g)?.length ?? 0) >= 3;
}

/** The line of `text` from `start`: its end (before its line break) and its text trimmed. */
function lineAt(text: string, start: number): { end: number; line: string } {
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  return {
    end,
    line: end - start > MAX_LINE ? text.slice(start, start + MAX_LINE + 1) : text.slice(start, end).trim(),
  };
}

/** Whether [from, end) of `text` is a table's footer: blank lines, at most MAX_NOTES short lines and as many rules. */
function isFooter(text: string, from: number, end: number): boolean {
  if (end - from > 2 * MAX_NOTES * (MAX_LINE + 1)) return false;
  let [notes, rules] = [0, 0];
  for (let start = from; start < end; ) {
    const { end: lineEnd, line } = lineAt(text, start);
    if (line !== '' && isRule(line)) rules += 1;
    else if (line !== '' && (line.length > MAX_NOTE || ++notes > MAX_NOTES)) return false;
    if (rules > MAX_NOTES) return false;
    start = lineEnd + 1;
  }
  return true;
}

/** Whether one of the last lines of `text` before `end` (a row, then at most a footer's) has delimiters. */
function endsInRow(text: string, end: number): boolean {
  let lineEnd = end;
  for (let seen = 0; seen <= 2 * MAX_NOTES && lineEnd > 0; ) {
    const start = text.lastIndexOf('\n', lineEnd - 1) + 1;
    if (start === 0) return false; // the text's first line: a header, no row under it
    if (text.slice(start, lineEnd).trim() !== '') {
      if ((delimitersOf(text, start)?.size ?? 0) > 0) return true;
      seen += 1;
    }
    lineEnd = start - 1;
  }
  return false;
}

/** The header line [start, end) of the table whose rows run to the end of `text` (or to a footer), or undefined. */
function openHeader(text: string): [number, number] | undefined {
  const end = text.trimEnd().length;
  // A table runs to the end only when one of the text's last lines is a row; only then are its blocks read.
  if (!endsInRow(text, end)) return undefined;
  let open: [number, number] | undefined;
  let rowsEnd = -1;
  for (const blocks of blocksOf(text)) {
    const last = blocks[blocks.length - 1];
    if (last === undefined || last.rowsEnd < rowsEnd || last.headerEnd - last.headerStart > MAX_LINE) continue;
    if (isFooter(text, last.rowsEnd, end)) [open, rowsEnd] = [[last.headerStart, last.headerEnd], last.rowsEnd];
  }
  return open;
}

/** An open header: its segment, its line, the delimiters it has. */
interface Header {
  segment: number;
  start: number;
  end: number;
  delimiters: Map<number, number>;
}

/** The delimiter the line with `delimiters` has as many of as the header (undefined when none). */
function continues(header: Header, delimiters: Map<number, number> | undefined): number | undefined {
  if (delimiters === undefined) return undefined;
  for (const [delimiter, count] of header.delimiters) if (delimiters.get(delimiter) === count) return delimiter;
  return undefined;
}

/** A page's first lines: at most MAX_NOTES + 1 non-blank lines that are no rule, each with its delimiters. */
interface Lead {
  start: number;
  end: number;
  delimiters: Map<number, number> | undefined;
}

/** The lines a page of `text` may start at (see Lead): up to the first longer than a note. */
function leadsOf(text: string): Lead[] {
  const leads: Lead[] = [];
  let rules = 0;
  for (let start = 0; start < text.length && leads.length <= MAX_NOTES && rules <= MAX_NOTES; ) {
    const { end, line } = lineAt(text, start);
    if (line !== '' && isRule(line)) rules += 1;
    else if (line !== '') {
      leads.push({ start, end, delimiters: delimitersOf(text, start) });
      if (line.length > MAX_NOTE) break;
    }
    start = end + 1;
  }
  return leads;
}

/** The first line after `end` past at most MAX_NOTES rules (a grid's under its header), trimmed; '' at none. */
function rowBelow(text: string, end: number): string {
  for (let start = end + 1, rules = 0; start < text.length && rules <= MAX_NOTES; rules += 1) {
    const { end: lineEnd, line } = lineAt(text, start);
    if (!isRule(line)) return line;
    start = lineEnd + 1;
  }
  return '';
}

/** The cells of `line` in `delimiter` (outside double quotes), trimmed of blanks and quotes; a grid's edges dropped. */
function cellsOf(line: string, delimiter: number): string[] {
  const cells: string[] = [];
  let [from, quoted] = [0, false];
  for (let i = 0; i <= line.length; i += 1) {
    if (i < line.length && line.charCodeAt(i) === 0x22) quoted = !quoted;
    else if (i === line.length || (!quoted && delimiterAt(line, i) === delimiter)) {
      cells.push(line.slice(from, i).replace(/^[\s"']+|[\s"']+$/g, ''));
      from = i + 1;
    }
  }
  if (delimiter === 0x7c && cells[0] === '') cells.shift();
  if (delimiter === 0x7c && cells[cells.length - 1] === '') cells.pop();
  return cells;
}

/** A column's name: a letter or `_` first, then letters, digits, blanks and a name's punctuation (`E-mail`, `no.`). */
const NAME = /^[\p{L}_][\p{L}\p{N}\p{M}_ .#()/-]*$/u;

const lower = (cells: readonly string[]) => cells.map((cell) => cell.toLowerCase());

/**
 * Whether a page's first line of `cells` is a header of its own (not a row under the open header `opened`): not the
 * open header repeated, all distinct names, over a row (`below`) it is unlike: a cell of a digit or more under a name
 * (a tracking_no over its numbers), no cell the same as the one under it. A line with no row under it is a row.
 */
function headsOwnTable(cells: readonly string[], below: readonly string[] | undefined, opened: readonly string[]) {
  const names = lower(cells);
  if (below === undefined || names.join('\n') === lower(opened).join('\n')) return false;
  if (new Set(names).size !== names.length || !cells.every((c) => c.length <= MAX_HEADER_CELL && NAME.test(c))) {
    return false;
  }
  const under = lower(below);
  return names.some((_, k) => /\d/.test(under[k] ?? '')) && names.every((name, k) => name !== under[k]);
}

/**
 * Where the page of the open `header` starts in `text` (its first row, or the header repeated), or -1: the first of
 * `leads` with the header's delimiters, as many, after short lines only, when it is no header of its own.
 */
function pageStart(header: Header, headerLine: string, text: string, leads: readonly Lead[]): number {
  for (const lead of leads) {
    const delimiter = continues(header, lead.delimiters);
    if (delimiter === undefined) {
      if (lead.end - lead.start > MAX_NOTE) return -1;
      continue;
    }
    const below = rowBelow(text, lead.end);
    const ownHeader = headsOwnTable(
      cellsOf(text.slice(lead.start, lead.end), delimiter),
      below === '' ? undefined : cellsOf(below, delimiter),
      cellsOf(headerLine, delimiter),
    );
    return ownHeader ? -1 : lead.start;
  }
  return -1;
}

/** Each later page of a table opened in an earlier segment, after its header line (see the module). */
export function tablePageWindows(segments: readonly TextSegment[]): JoinWindow[] {
  if (segments.length < 2) return []; // one text: no page (a stream's event is classified so ~35,000 times a test)
  const leads = segments.map(({ text }, k) => (k === 0 ? [] : leadsOf(text)));
  let last = -1; // the last segment whose first lines could be a page
  leads.forEach((lines, k) => {
    if (lines.some(({ delimiters }) => (delimiters?.size ?? 0) > 0)) last = k;
  });
  const windows: JoinWindow[] = [];
  let header: Header | undefined;
  for (let k = 0; k <= last; k += 1) {
    const text = (segments[k] as TextSegment).text;
    if (header !== undefined) {
      const line = (segments[header.segment] as TextSegment).text.slice(header.start, header.end);
      const from = pageStart(header, line, text, leads[k] as Lead[]);
      if (from >= 0) {
        const at = line.length + LABEL_BREAK.length;
        windows.push({
          text: `${line}${LABEL_BREAK}${text.slice(from)}`,
          parts: [
            { segment: header.segment, at: 0, from: header.start, length: line.length },
            { segment: k, at, from, length: text.length - from },
          ],
        });
        continue; // a page keeps its header open (its own first line is a row)
      }
    }
    if (k === last) break;
    const open = openHeader(text);
    const delimiters = open === undefined ? undefined : delimitersOf(text, open[0]);
    if (open !== undefined && delimiters !== undefined && delimiters.size > 0) {
      header = { segment: k, start: open[0], end: open[1], delimiters };
    }
  }
  return windows;
}
