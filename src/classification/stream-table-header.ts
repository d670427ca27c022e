// A table's header kept with a stream scanner's context (stream-context.ts): an HR export's `ssn` column names its
// values once, in the header (table-context.ts), and a stream's context is a bounded look-behind, so after a few rows
// the header has been released and dropped and a bare nine-digit cell under it is no SSN. While a table's rows go on
// past the look-behind's start, the scanner keeps its header (the header line, an INSERT's or a JSON result's column
// list with what leads to its rows, at most MAX_KEPT_HEADER) before a context that starts where a row starts, so the
// header is read over the rows as in the whole text; once the table ends (a line that is no row, its array or
// statement closed) the header goes. The tables are found by table-context's own readers (blocksOf, jsonCells,
// sqlCells), never here, in the released text the scanner remembers (TableMemory) and the held text. Invariants: one
// pass of each reader over at most MAX_KEPT_HEADER + RECENT_CHARS + the held text a release; a header's lead found
// once a table; a header that names no column a recognizer needs context from is not kept.
import { contextWordTest, foldDottedCapitals } from './context-words.ts';
import { normalizeText } from './normalize.ts';
import { blocksOf } from './table-context-blocks.ts';
import type { Cells } from './table-context-cells.ts';
import { jsonCells } from './table-context-json.ts';
import { sqlCells } from './table-context-sql.ts';
import type { RecognizerDefinition } from './types.ts';

/** Most characters of a kept header (its line, or its column list with what leads to its rows). */
export const MAX_KEPT_HEADER = 1024;

/** Most characters the kept context may reach further back than the look-behind, to start where a row starts. */
export const MAX_ROW_REACH = 1024;

/** A header to keep: its text (ending where a row may start) and where the kept context must start. */
export interface KeptHeader {
  header: string;
  /** An offset into the text released: a row's start, at or before the look-behind's start. */
  from: number;
}

/**
 * Released text a scanner remembers (as it came, not normalised) to find a table in: the kept header (`lead`, '' when
 * none) and the released text after it (from a row's start while a header is kept, else the last RECENT_CHARS), so a
 * header cut off by the look-behind while it was still arriving is found once its first row has come.
 */
export interface TableMemory {
  lead: string;
  recent: string;
  /** The kept header as it starts the context (normalised). */
  header: string;
}

/** Released text remembered when no header is kept: a header and the start of its first row. */
export const RECENT_CHARS = MAX_KEPT_HEADER + MAX_ROW_REACH;

/** The context a release keeps: the context's header and start (`table`), or its text as one run (`text`). */
export interface TableContext {
  memory: TableMemory;
  table?: KeptHeader;
  text?: string;
}

/**
 * Whether a header may name a column whose cells are findings: it holds a context word of a recognizer that requires
 * context (a header is read for nothing else: match-context.ts). A header that cannot is not kept (a list of prose
 * lines of one comma each is a table too).
 */
export type HeaderTest = (header: string) => boolean;

const headerTests = new WeakMap<readonly RecognizerDefinition[], HeaderTest>();

/** The HeaderTest of `recognizers`' context words (those requiring context: none, no header is kept), built once. */
export function headerTestOf(recognizers: readonly RecognizerDefinition[]): HeaderTest {
  let found = headerTests.get(recognizers);
  if (found === undefined) {
    const words = recognizers.flatMap((r) => (r.requireContext === true ? (r.contextWords ?? []) : []));
    const test = words.length === 0 ? undefined : contextWordTest(words);
    // Read as a header (`label`): an everyday word (`tin`) names a column in any case, as match-context.ts reads it.
    found = (header) => test?.(header, foldDottedCapitals(header).toLowerCase(), true) === true;
    headerTests.set(recognizers, found);
  }
  return found;
}

/** The readers of the tables whose cells are known apart from their lines (a JSON result's, an INSERT's). */
const CELL_READERS = [jsonCells, sqlCells] as const;

/** The last unit before `at` that is not blank, or -1. */
function previousUnit(text: string, at: number): number {
  let i = at - 1;
  while (i >= 0 && text.charCodeAt(i) <= 0x20) i -= 1;
  return i;
}

/** Where the row holding the cell at `start` opens: its `[` or `(` when the cell is a row's first, else -1. */
function rowOpening(text: string, start: number): number {
  const at = previousUnit(text, start);
  const unit = text.charCodeAt(at);
  return unit === 0x5b || unit === 0x28 ? at : -1;
}

/**
 * The shortest text before `open` (the first row's opening), at most MAX_KEPT_HEADER, that gives the first row's first
 * cell its header when read before that row: the column list and what leads from it to the rows. Sizes doubling, then
 * halved between the last that failed and the first that did not (a dozen reads of a short text, once a table).
 */
function leadOf(text: string, cells: Cells, read: (text: string, into: Cells) => void, open: number) {
  const row = text.slice(open, (cells.ends[0] as number) + 1);
  const offset = (cells.starts[0] as number) - open;
  const reads = (size: number) => {
    const lead = text.slice(open - size, open);
    const probe: Cells = { starts: [], ends: [], headers: [] };
    read(lead + row, probe);
    return probe.starts[0] === lead.length + offset && probe.headers[0] === cells.headers[0];
  };
  const most = Math.min(open, MAX_KEPT_HEADER);
  let fails = 0;
  let size = Math.min(32, most);
  while (!reads(size)) {
    if (size === most) return undefined;
    fails = size;
    size = Math.min(size * 2, most);
  }
  while (size - fails > 1) {
    const middle = (fails + size) >>> 1;
    if (reads(middle)) size = middle;
    else fails = middle;
  }
  return text.slice(open - size, open);
}

/** A JSON result's or an INSERT's header to keep, when its rows reach the look-behind's start `target`. */
function cellHeader(text: string, kept: string, cut: number, reach: number, matters: HeaderTest) {
  const target = cut - reach;
  for (const read of CELL_READERS) {
    const cells: Cells = { starts: [], ends: [], headers: [] };
    read(text, cells);
    const count = cells.starts.length;
    let last = -1;
    for (const end of cells.ends) last = Math.max(last, end);
    if (count === 0 || last < target) continue;
    const first = rowOpening(text, cells.starts[0] as number);
    if (first < 0) continue;
    // The last row opening at or before the target whose text up to the cut is the look-behind once normalised (a
    // zero-width character shortens it), no further back than MAX_ROW_REACH.
    let from = -1;
    for (let k = count - 1; k >= 0 && (cells.starts[k] as number) > target - MAX_ROW_REACH; k -= 1) {
      if ((cells.starts[k] as number) > target) continue;
      from = rowOpening(text, cells.starts[k] as number);
      if (from >= 0 && normalizeText(text.slice(from, cut)).text.length >= reach) break;
      from = -1;
    }
    if (from < 0 && first <= target) continue;
    // The header kept before is the text's start when the first row follows it: it is kept as it is.
    const lead = kept !== '' && first === kept.length ? kept : leadOf(text, cells, read, first);
    if (lead === undefined || (lead !== kept && !matters(lead))) continue;
    if (from >= 0) return { header: lead, from };
    // The look-behind starts inside the column list: the context starts where it does, so it is kept whole.
    if (first - lead.length < target) return { header: '', from: first - lead.length };
  }
  return undefined;
}

/** A line table's header line to keep (table-context-blocks.ts), when its rows reach the look-behind's start. */
function lineHeader(text: string, target: number, reach: number, cut: number, matters: HeaderTest) {
  if (!text.includes('\n')) return undefined;
  let best: { headerStart: number; headerEnd: number; rowsStart: number } | undefined;
  for (const block of blocksOf(text).flat()) {
    if (
      block.headerStart <= target &&
      target <= block.rowsEnd &&
      (best === undefined || block.rowsStart > best.rowsStart)
    )
      best = block;
  }
  if (best === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', best.headerStart - 1) + 1;
  const lineEnd = text.indexOf('\n', best.headerEnd);
  if (lineEnd < 0 || lineEnd + 1 - lineStart > MAX_KEPT_HEADER) return undefined;
  if (!matters(text.slice(lineStart, lineEnd + 1))) return undefined;
  // The look-behind starts inside the header or right under it: the context starts at the header's line.
  if (target < best.rowsStart) return { header: '', from: lineStart };
  // The last line start at or before the target whose text up to the cut is the look-behind once normalised.
  let from = text.lastIndexOf('\n', target - 1) + 1;
  while (from > best.rowsStart && normalizeText(text.slice(from, cut)).text.length < reach) {
    from = text.lastIndexOf('\n', from - 2) + 1;
  }
  if (from < best.rowsStart || target - from > MAX_ROW_REACH) return undefined;
  return { header: text.slice(lineStart, lineEnd + 1), from };
}

/**
 * The header to keep once `text` (the kept header `kept` at its start, the context, the held text) is released up to
 * `cut` with a look-behind of `reach` characters: a table's whose rows go on past the look-behind's start, or
 * undefined (no table there, or its header or row longer than the bounds: the plain look-behind is kept).
 */
export function tableHeaderToKeep(
  text: string,
  kept: string,
  cut: number,
  reach: number,
  matters: HeaderTest = () => true,
): KeptHeader | undefined {
  const target = cut - reach;
  if (target <= kept.length) return undefined;
  return cellHeader(text, kept, cut, reach, matters) ?? lineHeader(text, target, reach, cut, matters);
}

/**
 * What to keep once `text` (the context, `contextLength` long, then the held text) is released up to `cut`: the
 * table found in the remembered text and the held text, its header before a context starting at a row's start (an
 * offset into `text` when the context holds that start as it came, else the context's text itself), or no table.
 */
export function tableContextAt(
  memory: TableMemory,
  text: string,
  contextLength: number,
  cut: number,
  reach: number,
  matters?: HeaderTest,
): TableContext {
  const base = memory.lead.length + memory.recent.length;
  const read = memory.lead + memory.recent + text.slice(contextLength);
  const at = base + cut - contextLength;
  const found = tableHeaderToKeep(read, memory.lead, at, reach, matters);
  if (found === undefined) {
    return { memory: { lead: '', recent: read.slice(Math.max(0, at - RECENT_CHARS), at), header: '' } };
  }
  const header = found.header === memory.lead ? memory.header : normalizeText(found.header).text;
  const next: TableMemory = { lead: found.header, recent: read.slice(found.from, at), header };
  if (found.from >= base) return { memory: next, table: { header, from: contextLength + found.from - base } };
  // Released before the held text: the context holds it as it came (plain text), or it is kept from what came.
  const back = base - found.from;
  const held = back <= contextLength - memory.header.length ? text.slice(contextLength - back, contextLength) : '';
  if (held === read.slice(found.from, base)) return { memory: next, table: { header, from: contextLength - back } };
  return { memory: next, text: header + normalizeText(read.slice(found.from, at)).text };
}
