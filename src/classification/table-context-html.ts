// An HTML table's cells under its header row's (table-context.ts): a table's first row is its header, and a later row
// holding a `<th>` takes its place (a caption or grouping row before the `<th>` row; a header written as
// `<td><b>…</b></td>`, as many pages and spreadsheets' HTML exports write it, is a first row too). A cell with a
// `colspan` takes that many columns (up to MAX_SPAN), in a header row and in the rows under it. Invariant: one pass over the text's table
// tags, each cell's text read once (at most MAX_LINE characters).
import { addCell, type Cells, MAX_LINE } from './table-context-cells.ts';

const HTML_TAG = /<(\/?)(table|tr|th|td)\b[^<>]{0,256}>/gi;
const COLSPAN = /\scolspan\s*=\s*["']?(\d{1,3})/i;

/** Most columns one cell spans (a header row holds at most this many names a cell). */
const MAX_SPAN = 64;

/** The text of an HTML cell's inside: its tags dropped, trimmed. */
function cellText(text: string, start: number, end: number): string {
  return end - start > MAX_LINE
    ? ''
    : text
        .slice(start, end)
        .replace(/<[^<>]*>/g, '')
        .trim();
}

/**
 * The cells of the HTML tables of `text` (one pass over its table tags): every cell of a row after a table's header
 * row, by its index in the row, is under the header's cell of that index.
 */
export function htmlCells(text: string, into: Cells): void {
  let header: string[] | undefined;
  let row: string[] = []; // the texts of the row being read's cells: it may be the next header
  let column = 0; // the index of the cell being read (a cell spanning n columns takes n)
  let span = 1;
  let cellStart = -1;
  let headed = false; // the row being read has a <th>
  const endCell = (at: number) => {
    if (cellStart < 0) return;
    const name = cellText(text, cellStart, at);
    for (let k = 0; k < span; k += 1) row.push(name);
    if (header !== undefined) addCell(into, cellStart, at, header[column]);
    column += span;
    cellStart = -1;
  };
  const endRow = (at: number) => {
    endCell(at);
    if (row.length > 0 && (header === undefined || headed)) header = row;
    row = [];
  };
  HTML_TAG.lastIndex = 0;
  for (let m = HTML_TAG.exec(text); m !== null; m = HTML_TAG.exec(text)) {
    const closing = m[1] === '/';
    const name = (m[2] as string).toLowerCase();
    if (name === 'table') {
      endRow(m.index);
      header = undefined;
    } else if (name === 'tr') {
      endRow(m.index);
      column = 0;
      headed = false;
    } else if (closing) endCell(m.index);
    else {
      endCell(m.index);
      const colspan = COLSPAN.exec(m[0]);
      span = colspan === null ? 1 : Math.min(MAX_SPAN, Math.max(1, Number(colspan[1])));
      headed ||= name === 'th';
      cellStart = m.index + m[0].length;
    }
  }
  endRow(text.length);
}
