// A hex dump read back to the bytes it dumps, as one text (decode.ts adds it as a decoded run of the whole dump): rows
// with an offset column (`xxd`, `hexdump -C`, `hexdump`, `od -A x -t x1`, `od -x`, `od -b`, decode-der-rows.ts reads
// their layouts; offsets and the character column dropped), and lines of hex of one width (`xxd -p`, plain hex
// wrapped), joined across their line breaks: a value whose bytes cross a row is read whole. Bytes that are valid UTF-8
// read as their text, others as their stretches of text (decode-stretches.ts); rows out of order of their offsets
// (last to first, shuffled) are read again sorted, rows sharing offsets (a decoy beside each) with one row an offset;
// up to MAX_SKIPPED_LINES lines of marks only (blank, `# --`) between two rows. Dumps in characters (`od -c`):
// decode-dump-chars.ts.
// Invariants: each line is looked at a bounded number of times (a dump's rows are read twice: counted, then copied; a
// run of rows out of order once more, sorted: n log n); no dump's bytes outlive the call (zeroed).
import { isUtf8 } from 'node:buffer';
import { isHexDigit } from './decode-bytes.ts';
import { charDumpAt } from './decode-dump-chars.ts';
import { isDigit, type Reader, ROW_GAP } from './decode-der-gaps.ts';
import { type Cells, cellRowsReader, isSkippedLine, MAX_SKIPPED_LINES, rowAt } from './decode-der-rows.ts';
import { textStretches } from './decode-stretches.ts';

/** Fewest bytes a dump holds before it is read (fewer are a hex run of one line, which decode.ts reads). */
const MIN_DUMP_BYTES = 8;

/** Fewest hex digits of a wrapped line of hex (`xxd -p`: 60; plain hex at 32, 64 or 76 a line). */
const MIN_HEX_LINE = 16;

/** A dump found in a text: the characters it is written in, [start, end), and the text its bytes read as. */
export interface DumpText {
  start: number;
  end: number;
  text: string;
}

/**
 * Where the line after `at` starts (after LF, CRLF or a lone CR), or the text's length; `lf` says the text holds no
 * CR, so a native search finds the next LF (the scan passes every line of every text).
 */
function nextLineStart(text: string, at: number, lf = false): number {
  if (lf) {
    const next = text.indexOf('\n', at);
    return next < 0 ? text.length : next + 1;
  }
  for (let i = at; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) return i + 1;
    if (code === 0x0d) return text.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
  }
  return text.length;
}

function hexRunEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && isHexDigit(text.charCodeAt(i))) i += 1;
  return i;
}

/**
 * Whether the row whose cells start at `hex` writes them in decimal, right-aligned in columns of one width (`od -t u1`:
 * 4, `od -t d1`: 5): 1-3 digits each, a sign before, their ends evenly spaced four columns or more apart (hex bytes
 * are two digits three apart), four cells at least, not all three octal digits (`od -b`'s; a row of decimal bytes
 * 100-177 only reads as octal).
 */
function decimalRow(text: string, hex: number): boolean {
  let [i, cells, step, last, octal] = [hex, 0, 0, -1, true];
  while (i - hex < ROW_REACH) {
    const from = text.charCodeAt(i) === 0x2d ? i + 1 : i;
    let k = from;
    while (k - from < 3 && isDigit(text.charCodeAt(k))) k += 1;
    if (k === from || isHexDigit(text.charCodeAt(k))) break;
    octal &&= from === i && k - from === 3 && /^[0-7]+$/.test(text.slice(from, k));
    if (last >= 0 && (step === 0 ? (step = k - last) : step) !== k - last) return false;
    [cells, last] = [cells + 1, k];
    while (ROW_GAP[text.charCodeAt(k)] === 1) k += 1;
    if (k === last) break;
    i = k;
  }
  return cells >= 4 && step >= 4 && !octal;
}

/** Characters of a row looked at for its cells' layout (decimalRow). */
const ROW_REACH = 128;

/**
 * How a row writes its bytes, from its first cell: two hex digits (`od -t x1`, `hexdump -C`), four (words: `hexdump`,
 * `od -x`, `od -t x2`; bytes in pairs after xxd's colon), eight binary digits (`xxd -b`), eight hex digits (bytes in
 * order, `xxd -g 4`, or 32-bit little-endian words, `xxd -e`, `od -t x4`: both are read; sixteen likewise, `xxd -g 8`
 * or 64-bit words, `od -t x8`), three or six octal digits (`od -b`, od's default), decimal bytes in columns
 * (`od -t u1`, `od -t d1`); any other width is hex bytes in one token (`xxd -g 0`).
 */
function cellsOf(text: string, hex: number): Cells[] {
  const width = hexRunEnd(text, hex) - hex;
  let colon = hex;
  while (colon > 0 && ROW_GAP[text.charCodeAt(colon - 1)] === 1) colon -= 1;
  const digits = text.slice(hex, hex + width);
  const octal = /^[0-7]+$/.test(digits);
  if (width === 4) return [text.charCodeAt(colon - 1) === 0x3a ? 'bytes' : 'words'];
  if (width === 8) return /^[01]+$/.test(digits) ? ['bits'] : ['bytes', 'dwords'];
  if (width === 16) return ['bytes', 'qwords'];
  if (width === 6 && octal) return ['octalWords'];
  if (width <= 3 && /^[0-9]*$/.test(digits)) {
    if (decimalRow(text, hex)) return ['decimal'];
    if (width === 3 && octal) return ['octal'];
  }
  return ['bytes'];
}

/** The readers of the dump whose first row's line starts at `line` (one a reading of its cells), or none. */
function rowsAt(text: string, line: number): Reader[] {
  const row = rowAt(text, line);
  if (row === undefined) return [];
  const readers: Reader[] = [];
  for (const cells of cellsOf(text, row.hex)) {
    const read = cellRowsReader(text, row.hex, cells);
    if (read !== undefined) readers.push(read);
  }
  return readers;
}

/**
 * Lines of hex of one width from `line` (the last may be shorter), two at least: the hex's bytes and where its last
 * line ends, or undefined.
 */
function hexLinesAt(text: string, line: number): { hex: string; end: number } | undefined {
  const end = hexRunEnd(text, line);
  const width = end - line;
  if (width < MIN_HEX_LINE || width % 2 !== 0 || !endsLine(text, end)) return undefined;
  const pieces = [text.slice(line, end)];
  let last = end;
  for (let length = width; length === width; ) {
    const at = nextLineStart(text, last);
    const stop = hexRunEnd(text, at);
    length = stop - at;
    if (length === 0 || length % 2 !== 0 || length > width || !endsLine(text, stop)) break;
    pieces.push(text.slice(at, stop));
    last = stop;
  }
  return pieces.length < 2 ? undefined : { hex: pieces.join(''), end: last };
}

/** Whether a line ends at `at` (or the text does). */
function endsLine(text: string, at: number): boolean {
  return at >= text.length || text.charCodeAt(at) === 0x0a || text.charCodeAt(at) === 0x0d;
}

/** Where the line holding `at` ends (its break, or the text's end): a dump's last row's character column. */
function lineEnd(text: string, at: number): number {
  let i = at;
  while (!endsLine(text, i)) i += 1;
  return i;
}

/** What `bytes` read as: their text when they are valid UTF-8, else their stretches of text joined by `gap`. */
function textOf(bytes: Buffer, gap: string): string | undefined {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  return textStretches(bytes, bytes.length)?.join(gap);
}

/** Adds the dump at [start, end) whose bytes are `bytes` when they read as text; zeroes them. */
function add(dumps: DumpText[], start: number, end: number, bytes: Buffer, gap: string): void {
  try {
    const decoded = textOf(bytes, gap);
    if (decoded !== undefined && decoded.length > 0) dumps.push({ start, end, text: decoded });
  } finally {
    bytes.fill(0);
  }
}

/** A run of dump rows (up to MAX_SKIPPED_LINES lines of marks only between two), their offset columns of one width. */
interface RowRun {
  /** Where the run's last row's line ends. */
  end: number;
  /** Each row's line [start, end) and its offset column's digits. */
  rows: { start: number; end: number; digits: string }[];
  /** Whether some row's offset is below the one before it: the rows are out of order. */
  descends: boolean;
  /** Whether some row's offset is the one before it: rows of one offset (a decoy row before or after a real one). */
  repeats: boolean;
}

/** Lines a dumpTexts call looked at: each of the text's once, a run's rows once more, a sorted run's once more. */
export interface DumpWork {
  lines: number;
}

/** The run of rows whose first line starts at `line` (rowAt), or undefined when no row opens there. */
function rowRun(text: string, line: number, lf: boolean, work?: DumpWork): RowRun | undefined {
  const first = rowAt(text, line);
  if (first === undefined) return undefined;
  const width = first.digits.length;
  const rows: RowRun['rows'] = [];
  let [at, descends, repeats, last] = [line, false, false, ''];
  for (let row: typeof first | undefined = first; row !== undefined && row.digits.length === width; ) {
    const end = lineEnd(text, row.hex);
    const digits = row.digits.toLowerCase();
    descends ||= digits < last;
    repeats ||= digits === last;
    rows.push({ start: at, end, digits });
    if (work !== undefined) work.lines += 1;
    last = digits;
    at = nextLineStart(text, end, lf);
    for (let skip = 0; skip < MAX_SKIPPED_LINES && at < text.length && isSkippedLine(text, at); skip += 1) {
      at = nextLineStart(text, at, lf);
    }
    row = at < text.length ? rowAt(text, at) : undefined;
  }
  return { end: (rows[rows.length - 1] as RowRun['rows'][number]).end, rows, descends, repeats };
}

/**
 * The dumps of a run of rows out of order, read with its rows sorted by their offsets (a stable sort: rows of one
 * offset keep their order), each over the whole run: a dump pasted last row first, or rows shuffled, reads as a reader
 * (or a model) sorting them would read it. Where rows share an offset (a decoy row of blanks beside each real one), it
 * is read twice: with the first row of each offset, and with the last.
 */
function sortedRunDumps(text: string, run: RowRun, gap: string, work?: DumpWork): DumpText[] {
  type Row = RowRun['rows'][number];
  const sorted = run.rows.slice().sort((a, b) => (a.digits < b.digits ? -1 : a.digits > b.digits ? 1 : 0));
  const same = (row: Row, other: Row | undefined) => other !== undefined && other.digits === row.digits;
  const readings = sorted.some((row, i) => same(row, sorted[i - 1]))
    ? [sorted.filter((row, i) => !same(row, sorted[i - 1])), sorted.filter((row, i) => !same(row, sorted[i + 1]))]
    : [sorted];
  const start = (run.rows[0] as Row).start;
  return readings.flatMap((rows) =>
    dumpsOf(rows.map((row) => text.slice(row.start, row.end)).join('\n'), gap, false, work).map((dump) => ({
      start,
      end: run.end,
      text: dump.text,
    })),
  );
}

/**
 * The hex dumps of a text, each read back to its bytes' text (`gap` between stretches of text of bytes that are not
 * UTF-8 whole). A dump is its rows from the first whose next row's offset agrees (decode-der-rows.ts), or two lines of
 * hex of one width or more; the scan goes on after it. A run of rows out of order is read again with its rows sorted
 * by their offsets (sortedRunDumps), and so is a run with rows of one offset (read with the first row of each
 * offset, and with the last), whose lines are read only so.
 */
export function dumpTexts(text: string, gap: string, work?: DumpWork): DumpText[] {
  return dumpsOf(text, gap, true, work);
}

/**
 * A CR anywhere in a text, by a RegExp test: `text.includes('\r')` in dumpsOf's optimised code cost ~300 ms on a
 * 1 MiB two-byte text once TurboFan had compiled it (after ~20 calls; 3 ms before), a whole 1 MiB classify call 2x.
 */
const CARRIAGE_RETURN = /\r/;

function dumpsOf(text: string, gap: string, sortRuns: boolean, work?: DumpWork): DumpText[] {
  const dumps: DumpText[] = [];
  const lf = !CARRIAGE_RETURN.test(text);
  // Where the last run of rows looked at ends: each row is in one run, looked at once.
  let runEnd = -1;
  for (let line = 0; line < text.length; ) {
    let end = line;
    if (work !== undefined) work.lines += 1;
    const first = text.charCodeAt(line);
    // Most lines open with no hex digit, mark, comment or indent: no dump starts there.
    if (
      isHexDigit(first) ||
      first === 0x3e ||
      first === 0x20 ||
      first === 0x09 ||
      first === 0x2d ||
      first === 0x23 ||
      first === 0x2f ||
      first === 0x2a ||
      first === 0x2b ||
      first === 0x60 ||
      first === 0x22 ||
      first === 0x27
    ) {
      if (sortRuns && line > runEnd) {
        const run = rowRun(text, line, lf, work);
        if (run !== undefined) {
          runEnd = run.end;
          if (run.descends || run.repeats) dumps.push(...sortedRunDumps(text, run, gap, work));
          if (run.repeats) {
            line = nextLineStart(text, run.end, lf);
            continue;
          }
        }
      }
      const readers = rowsAt(text, line);
      for (const rows of readers) {
        const count = rows(text.length);
        if (count.n < MIN_DUMP_BYTES) continue;
        const bytes = Buffer.alloc(count.n);
        const stop = lineEnd(text, rows(count.n, bytes).end);
        end = Math.max(end, stop);
        add(dumps, line, stop, bytes, gap);
      }
      const chars = end === line ? charDumpAt(text, line) : undefined;
      if (chars !== undefined) {
        end = chars.end;
        add(dumps, line, end, Buffer.from(chars.bytes), gap);
        chars.bytes.fill(0);
      }
      if (readers.length === 0 && chars === undefined && isHexDigit(first)) {
        const lines = hexLinesAt(text, line);
        if (lines !== undefined) {
          end = lines.end;
          add(dumps, line, end, Buffer.from(lines.hex, 'hex'), gap);
        }
      }
    }
    line = nextLineStart(text, Math.max(line, end), lf);
  }
  return dumps;
}
