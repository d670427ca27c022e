// Cells whose header is known apart from their line (an HTML table's, a JSON result's: table-context-html.ts,
// table-context-json.ts): each cell's start, end and header name, kept in order of start so a lookup is a binary search.
// Also the bounds every table reading shares.

/** A line longer than this is no table row (nor header): a lookup reads at most this much each side. */
export const MAX_LINE = 4096;

/** A header cell longer than this names no column (a line of prose that happens to have the rows' shape). */
export const MAX_HEADER_CELL = 48;

/** Cells whose header is known apart from their line (HTML, JSON): starts, ends and headers, in order of start. */
export interface Cells {
  starts: number[];
  ends: number[];
  headers: string[];
}

/** Adds the cell [start, end) under `name` when `name` can name a column (not empty, at most MAX_HEADER_CELL). */
export function addCell(into: Cells, start: number, end: number, name: unknown): void {
  if (typeof name !== 'string' || name === '' || name.length > MAX_HEADER_CELL) return;
  into.starts.push(start);
  into.ends.push(end);
  into.headers.push(name);
}

/** `cells` in order of start (an HTML table inside a JSON string, or the other way round). */
export function sortCells(cells: Cells): void {
  const order = cells.starts.map((_, i) => i).sort((a, b) => (cells.starts[a] as number) - (cells.starts[b] as number));
  const { starts, ends, headers } = cells;
  cells.starts = order.map((i) => starts[i] as number);
  cells.ends = order.map((i) => ends[i] as number);
  cells.headers = order.map((i) => headers[i] as string);
}

/** The header of the cell of `cells` holding [start, end): the last cell starting at or before `start`. */
export function cellHeader(cells: Cells, start: number, end: number): string | undefined {
  const { starts, ends, headers } = cells;
  let low = 0;
  let high = starts.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((starts[middle] as number) <= start) low = middle + 1;
    else high = middle;
  }
  return low > 0 && (ends[low - 1] as number) >= end ? headers[low - 1] : undefined;
}
