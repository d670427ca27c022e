// A hex dump read back to the bytes it dumps, as one text (decode.ts adds it as a decoded run of the whole dump): rows
// with an offset column (`xxd`, `hexdump -C`, `hexdump`, `od -A x -t x1`, `od -x`, `od -b`, decode-der-rows.ts reads
// their layouts; offsets and the character column dropped), and lines of hex of one width (`xxd -p`, plain hex
// wrapped), joined across their line breaks: a value whose bytes cross a row is read whole. Bytes that are valid UTF-8
// read as their text, others as their stretches of text (decode-stretches.ts). Invariants: linear (each line is
// looked at once, a dump's rows are read twice: counted, then copied); no dump's bytes outlive the call (zeroed).
import { isUtf8 } from 'node:buffer';
import { isHexDigit } from './decode-bytes.ts';
import { type Reader, ROW_GAP } from './decode-der-gaps.ts';
import { type Cells, cellRowsReader, rowAt } from './decode-der-rows.ts';
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
 * How a row writes its bytes, from its first cell: two hex digits (`od -t x1`, `hexdump -C`), four (words: `hexdump`,
 * `od -x`; bytes in pairs after xxd's colon), three or six octal digits (`od -b`, od's default); any other width is hex
 * bytes in one token (`xxd -g 0`).
 */
function cellsOf(text: string, hex: number): Cells {
  const width = hexRunEnd(text, hex) - hex;
  let colon = hex;
  while (colon > 0 && ROW_GAP[text.charCodeAt(colon - 1)] === 1) colon -= 1;
  const octal = /^[0-7]+$/.test(text.slice(hex, hex + width));
  if (width === 4) return text.charCodeAt(colon - 1) === 0x3a ? 'bytes' : 'words';
  if (width === 3 && octal) return 'octal';
  if (width === 6 && octal) return 'octalWords';
  return 'bytes';
}

/** The reader of the dump whose first row's line starts at `line`, or undefined. */
function rowsAt(text: string, line: number): Reader | undefined {
  const row = rowAt(text, line);
  if (row === undefined) return undefined;
  const read = cellRowsReader(text, row.hex, cellsOf(text, row.hex));
  return read;
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

/**
 * The hex dumps of a text, each read back to its bytes' text (`gap` between stretches of text of bytes that are not
 * UTF-8 whole). A dump is its rows from the first whose next row's offset agrees (decode-der-rows.ts), or two lines of
 * hex of one width or more; the scan goes on after it.
 */
export function dumpTexts(text: string, gap: string): DumpText[] {
  const dumps: DumpText[] = [];
  const lf = !text.includes('\r');
  for (let line = 0; line < text.length; ) {
    let end = line;
    let bytes: Buffer | undefined;
    const first = text.charCodeAt(line);
    // Most lines open with no hex digit, mark or indent: no dump starts there.
    if (
      isHexDigit(first) ||
      first === 0x3e ||
      first === 0x20 ||
      first === 0x09 ||
      first === 0x2d ||
      first === 0x2a ||
      first === 0x2b
    ) {
      const rows = rowsAt(text, line);
      if (rows !== undefined) {
        const count = rows(text.length);
        if (count.n >= MIN_DUMP_BYTES) {
          bytes = Buffer.alloc(count.n);
          end = lineEnd(text, rows(count.n, bytes).end);
        }
      } else if (isHexDigit(first)) {
        const lines = hexLinesAt(text, line);
        if (lines !== undefined) {
          bytes = Buffer.from(lines.hex, 'hex');
          end = lines.end;
        }
      }
    }
    if (bytes !== undefined) {
      try {
        const decoded = textOf(bytes, gap);
        if (decoded !== undefined && decoded.length > 0) dumps.push({ start: line, end, text: decoded });
      } finally {
        bytes.fill(0);
      }
    }
    line = nextLineStart(text, Math.max(line, end), lf);
  }
  return dumps;
}
