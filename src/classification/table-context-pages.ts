// A table paged over texts (table-context.ts reads a header within its own text): a query's result in two tool
// results, a CSV pasted in two messages. A text whose last table (CSV, TSV, `;`, `|`, `&` rows: table-context-blocks.ts)
// runs to its end leaves its header line open; a later text whose first line has that line's delimiters, as many, is
// its next page. Each page is read again after the header line and a line break (join-readings.ts), so its cells are
// read under the header; a page keeps the header open for the page after it. Invariant: each text is read at most
// once for its blocks and once as a page (linear in the request); a text's blocks are read only when a later text's
// first line could be a page at all.
import { blocksOf, delimiterAt } from './table-context-blocks.ts';
import { MAX_LINE } from './table-context-cells.ts';
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

/** Where `text`'s first non-blank line starts, or -1 when it has none. */
function firstLine(text: string): number {
  const match = /\S/.exec(text);
  return match === null ? -1 : text.lastIndexOf('\n', match.index) + 1;
}

/** The header line [start, end) of the table whose rows run to the end of `text`, or undefined. */
function openHeader(text: string): [number, number] | undefined {
  const end = text.trimEnd().length;
  const lastLine = text.lastIndexOf('\n', end - 1) + 1;
  // A table runs to the end only when the text's last line is a row (delimiters); only then are its blocks read.
  if (lastLine === 0 || (delimitersOf(text, lastLine)?.size ?? 0) === 0) return undefined;
  let open: [number, number] | undefined;
  for (const blocks of blocksOf(text)) {
    const last = blocks[blocks.length - 1];
    if (last !== undefined && last.rowsEnd >= end && last.headerEnd - last.headerStart <= MAX_LINE) {
      open = [last.headerStart, last.headerEnd];
    }
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

/** Whether the line with `delimiters` has the header's delimiters, as many (one of them at least). */
function continues(header: Header, delimiters: Map<number, number> | undefined): boolean {
  if (delimiters === undefined) return false;
  for (const [delimiter, count] of header.delimiters) if (delimiters.get(delimiter) === count) return true;
  return false;
}

/** Each later page of a table opened in an earlier segment, after its header line (see the module). */
export function tablePageWindows(segments: readonly TextSegment[]): JoinWindow[] {
  if (segments.length < 2) return []; // one text: no page (a stream's event is classified so ~35,000 times a test)
  const firsts = segments.map(({ text }) => {
    const start = firstLine(text);
    return start < 0 ? undefined : delimitersOf(text, start);
  });
  let last = -1; // the last segment whose first line could be a page
  firsts.forEach((delimiters, k) => {
    if (k > 0 && delimiters !== undefined && delimiters.size > 0) last = k;
  });
  const windows: JoinWindow[] = [];
  let header: Header | undefined;
  for (let k = 0; k <= last; k += 1) {
    const text = (segments[k] as TextSegment).text;
    if (header !== undefined && continues(header, firsts[k])) {
      const line = (segments[header.segment] as TextSegment).text.slice(header.start, header.end);
      const at = line.length + LABEL_BREAK.length;
      windows.push({
        text: `${line}${LABEL_BREAK}${text}`,
        parts: [
          { segment: header.segment, at: 0, from: header.start, length: line.length },
          { segment: k, at, from: 0, length: text.length },
        ],
      });
      continue; // a page keeps its header open (its own first line is a row)
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
