// A table's header as context (match-context.ts hasContext): an HR export's `ssn` column names its values once, in the
// header row, further before each row's value than any context window reaches. A line table (table-context-blocks.ts:
// a CSV, a TSV, a Markdown table, psql's, mysql's and box-drawn grids, a pg_dump COPY block) has its first line as the
// header; a cell of a later line in column k is read with the header's cell k (headerOfCell), whose words put the
// cell's value in their context. A block of lines with two gaps of two or more spaces (pandas' print, a spreadsheet
// paste, a listing) is a table by position: a cell is read with the header cell over it aligned with it (same start,
// same end; a first column's also its next column's start), so double-spaced prose is no table. An HTML table's cells
// are read with its header row's (table-context-html.ts), a JSON result's with its column list's (table-context-json.ts),
// an SQL INSERT's values with its column list's (table-context-sql.ts).
// Invariants: the blocks and cells are found in one pass each over the text (lazily, for the last text asked about),
// each cell's start, end and header kept, so a lookup is a binary search; a line's lookup is a binary search a
// delimiter, then reads the cell's line up to it and one header line, each at most MAX_LINE units (a line of n
// candidates costs O(n · line)).
import { ALIGNED, type Block, blocksOf, delimiterAt } from './table-context-blocks.ts';
import { type Cells, cellHeader, MAX_HEADER_CELL, sortCells } from './table-context-cells.ts';
import { htmlCells } from './table-context-html.ts';
import { ESCAPED_JSON_TABLE_HINT, escapedJsonCells, JSON_TABLE_HINT, jsonCells } from './table-context-json.ts';
import { sqlCells } from './table-context-sql.ts';

export { MAX_COLUMNS } from './table-context-blocks.ts';
export { MAX_HEADER_CELL, MAX_LINE } from './table-context-cells.ts';

const QUOTE = 0x22;
const NEWLINE = 0x0a;

let lastText: string | undefined;
let lastBlocks: Block[][] = [];
let lastCells: Cells = { starts: [], ends: [], headers: [] };

function blocksFor(text: string): Block[][] {
  if (text !== lastText) {
    lastBlocks = text.includes('\n') ? blocksOf(text) : [];
    const cells: Cells = { starts: [], ends: [], headers: [] };
    if (/<t[dh]\b/i.test(text)) htmlCells(text, cells);
    if (JSON_TABLE_HINT.test(text)) jsonCells(text, cells, undefined, cells);
    if (ESCAPED_JSON_TABLE_HINT.test(text)) escapedJsonCells(text, cells, undefined, cells);
    if (/\b(?:INTO|WITH)\s|\(\s*VALUES\b/i.test(text)) sqlCells(text, cells);
    if (cells.starts.some((s, i) => i > 0 && s < (cells.starts[i - 1] as number))) sortCells(cells);
    lastCells = cells;
    lastText = text;
  }
  return lastBlocks;
}

/** Whether `text` at `i` is a gap's blank: a blank beside another blank (or the line's end), within [start, end). */
function inGap(text: string, start: number, end: number, i: number): boolean {
  return (
    text.charCodeAt(i) <= 0x20 &&
    (i + 1 >= end || text.charCodeAt(i + 1) <= 0x20 || i === start || text.charCodeAt(i - 1) <= 0x20)
  );
}

/** The cell of the aligned line [start, end) holding [from, to): words apart by single blanks, between gaps. */
function cellAround(text: string, start: number, end: number, from: number, to: number): [number, number] {
  let cellStart = from;
  while (cellStart > start && !inGap(text, start, end, cellStart - 1)) cellStart -= 1;
  let cellEnd = to;
  while (cellEnd < end && !inGap(text, start, end, cellEnd)) cellEnd += 1;
  return [cellStart, cellEnd];
}

/** Where the next cell after `at` on the line [at, end) starts (past the gap), or `end`. */
function nextCell(text: string, at: number, end: number): number {
  let i = at;
  while (i < end && text.charCodeAt(i) <= 0x20) i += 1;
  return i;
}

/**
 * The header words of an ALIGNED block over the cell of a row [lineStart, lineEnd) holding [start, end): the header
 * cell over [start, end) starting where the row's cell starts (the first column: and whose next cell starts where the
 * row's next cell does), or ending where it ends (right-aligned).
 */
function alignedHeader(text: string, block: Block, lineStart: number, lineEnd: number, start: number, end: number) {
  const [cellStart, cellEnd] = cellAround(text, lineStart, lineEnd, start, end);
  const [from, to] = [cellStart - lineStart, cellEnd - lineStart];
  const rowNext = nextCell(text, cellEnd, lineEnd) - lineStart;
  const { headerStart, headerEnd } = block;
  for (let i = headerStart; i < headerEnd; ) {
    while (i < headerEnd && text.charCodeAt(i) <= 0x20) i += 1;
    const cell = i;
    // A header cell: words apart by single spaces, up to a gap of two.
    while (i < headerEnd && !(text.charCodeAt(i) <= 0x20 && (i + 1 >= headerEnd || text.charCodeAt(i + 1) <= 0x20))) {
      i += 1;
    }
    const [left, right] = [cell - headerStart, i - headerStart];
    if (left > to) break;
    // Over the value's own columns too: a row's cell may run over a grid's bars (`| 219099999 | 471209384`).
    if (i === cell || i - cell > MAX_HEADER_CELL || left >= end - lineStart || right <= start - lineStart) continue;
    const leftAligned = left === from && (from > 0 || nextCell(text, i, headerEnd) - headerStart === rowNext);
    if (leftAligned || right === to) return text.slice(cell, i);
  }
  return undefined;
}

/** The last of `blocks` (in order, apart) whose rows start at or before `at`, by binary search. */
function blockAt(blocks: readonly Block[], at: number): Block | undefined {
  let low = 0;
  let high = blocks.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((blocks[middle] as Block).rowsStart <= at) low = middle + 1;
    else high = middle;
  }
  return low > 0 ? blocks[low - 1] : undefined;
}

/** The cell of column `column` of the line [start, end) in `delimiter` (outside quotes), trimmed of blanks and quotes. */
function cellOf(text: string, start: number, end: number, delimiter: number, column: number): string {
  let k = 0;
  let from = start;
  let quoted = false;
  for (let i = start; i <= end; i += 1) {
    if (i < end && text.charCodeAt(i) === QUOTE) quoted = !quoted;
    else if (i === end || (delimiterAt(text, i) === delimiter && !quoted)) {
      if (k === column) return text.slice(from, i).replace(/^[\s"]+|[\s"]+$/g, '');
      k += 1;
      from = i + 1;
    }
  }
  return '';
}

/**
 * The header cell above the cell holding [start, end) of `text` (a table's row: see the module), or undefined when
 * [start, end) is in no table row's one cell.
 */
export function headerOfCell(text: string, start: number, end: number): string | undefined {
  const all = blocksFor(text);
  let answer = cellHeader(lastCells, start, end);
  for (const blocks of all) {
    const block = blockAt(blocks, start);
    if (block === undefined || block.rowsEnd < end) continue;
    const lineStart = text.lastIndexOf('\n', start - 1) + 1;
    if (block.delimiter === ALIGNED) {
      if (text.lastIndexOf('\n', end - 1) >= start) continue;
      let lineEnd = text.indexOf('\n', end);
      if (lineEnd < 0) lineEnd = text.length;
      const header = alignedHeader(text, block, lineStart, lineEnd, start, end);
      if (header !== undefined) answer = answer === undefined ? header : `${answer}\n${header}`;
      continue;
    }
    let column = 0;
    let quoted = false;
    for (let i = lineStart; i < start; i += 1) {
      const unit = text.charCodeAt(i);
      if (unit === QUOTE) quoted = !quoted;
      else if (!quoted && delimiterAt(text, i) === block.delimiter) column += 1;
    }
    let crosses = false;
    for (let i = start; i < end && !crosses; i += 1) {
      const unit = text.charCodeAt(i);
      crosses = unit === NEWLINE || (!quoted && delimiterAt(text, i) === block.delimiter);
    }
    if (crosses) continue;
    const header = cellOf(text, block.headerStart, block.headerEnd, block.headerDelimiter, column);
    if (header !== '' && header.length <= MAX_HEADER_CELL)
      answer = answer === undefined ? header : `${answer}\n${header}`;
  }
  return answer;
}
