// A dump in characters (`od -c`, `hexdump -c`) read back to its bytes (decode-dumps.ts adds it as a decoded run): rows
// of an offset column (4-16 digits, octal, hex or decimal) then one cell of four columns a byte, right-aligned: a
// printable character (`   A`), a space (four blanks), an escape (`  \n`: \0 \a \b \f \n \r \t \v) or three octal
// digits (` 302`). Rows follow in order of their offsets, each holding what the next row's offset says (up to
// MAX_BLANK_LINES blank lines between two); a row's trailing space cells may be trimmed off. Invariant: each line of a
// dump is read once, a cell at a time; a line that is no such row is left at its first cell.
import { isHexDigit } from './decode-bytes.ts';
import { MAX_BLANK_LINES, pastMarks } from './decode-der-rows.ts';

/** The escapes od and hexdump write in a cell (`\0`, `\n`, …), the byte each names. */
const ESCAPES: Readonly<Record<string, number>> = { '0': 0, a: 7, b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/** Most bytes a row holds (od -w64), fewest the first row holds. */
const MAX_ROW = 64;
const MIN_FIRST_ROW = 8;

/** A row of character cells: its offset's digits, where its cells start and where its line ends. */
interface CharRow {
  digits: string;
  cells: number;
  end: number;
}

/** Where the line holding `at` ends (LF, CR or the text's end). */
function lineEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && text.charCodeAt(i) !== 0x0a && text.charCodeAt(i) !== 0x0d) i += 1;
  return i;
}

/** Where the line after the one ending at `end` starts, past up to MAX_BLANK_LINES blank lines; -1 at the end. */
function nextRowLine(text: string, end: number): number {
  let at = end;
  for (let blank = 0; blank <= MAX_BLANK_LINES; blank += 1) {
    if (at >= text.length) return -1;
    at += text.charCodeAt(at) === 0x0d && text.charCodeAt(at + 1) === 0x0a ? 2 : 1;
    let i = at;
    while (i - at < 8 && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i += 1;
    if (i >= text.length) return -1;
    const code = text.charCodeAt(i);
    if (code !== 0x0a && code !== 0x0d) return at;
    at = i;
  }
  return -1;
}

/** The row of character cells whose line starts at `line`, or undefined. */
function charRowAt(text: string, line: number): CharRow | undefined {
  const start = pastMarks(text, line);
  let i = start;
  while (i - start <= 16 && isHexDigit(text.charCodeAt(i))) i += 1;
  if (i - start < 4 || i - start > 16 || text.charCodeAt(i) !== 0x20) return undefined;
  return { digits: text.slice(start, i), cells: i, end: lineEnd(text, i) };
}

/** The byte of the four-column cell at `at` (within a line ending at `end`: blanks past it), or -1. */
function cellByte(text: string, at: number, end: number): number {
  const unit = (k: number) => (at + k < end ? text.charCodeAt(at + k) : 0x20);
  if (unit(0) !== 0x20) return -1;
  const [b, c, d] = [unit(1), unit(2), unit(3)];
  if (b === 0x20 && c === 0x20) return d === 0x20 || (d > 0x20 && d < 0x7f) ? d : -1;
  if (b === 0x20 && c === 0x5c) return ESCAPES[String.fromCharCode(d)] ?? -1;
  const octal = (u: number) => u >= 0x30 && u <= 0x37;
  if (octal(b) && octal(c) && octal(d) && b <= 0x33) return (b - 0x30) * 64 + (c - 0x30) * 8 + (d - 0x30);
  return -1;
}

/** Reads up to `want` bytes of `row`'s cells, up to its line's end, into `out`; the bytes read. */
function readRow(text: string, row: CharRow, want: number, out: number[]): number {
  let n = 0;
  for (; n < want && row.cells + 4 * n < row.end; n += 1) {
    const byte = cellByte(text, row.cells + 4 * n, row.end);
    if (byte < 0) break;
    out.push(byte);
  }
  return n;
}

/** A row's offset in `radix`, or NaN when its digits are not of it. */
function offsetIn(digits: string, radix: 8 | 10 | 16): number {
  const valid = radix === 16 || (radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/).test(digits);
  return valid ? Number.parseInt(digits, radix) : Number.NaN;
}

/** Bytes a row's cells hold whole: cells read to its line's end (not past it). */
function cellsOn(text: string, row: CharRow): number {
  let n = 0;
  for (let at = row.cells; at < row.end && n < MAX_ROW; at += 4) {
    if (cellByte(text, at, row.end) < 0) return n;
    n += 1;
  }
  return n;
}

/**
 * The dump in characters whose first row's line starts at `line`: its bytes and where its last row's line ends, or
 * undefined when no such dump of two rows or more starts there.
 */
export function charDumpAt(text: string, line: number): { bytes: number[]; end: number } | undefined {
  const first = charRowAt(text, line);
  if (first === undefined) return undefined;
  const held = cellsOn(text, first);
  if (held < MIN_FIRST_ROW) return undefined;
  const second = nextRowLine(text, first.end);
  const next = second < 0 ? undefined : charRowAt(text, second);
  if (next === undefined || next.digits.length !== first.digits.length) return undefined;
  const step = (r: 8 | 10 | 16) => offsetIn(next.digits, r) - offsetIn(first.digits, r);
  const radix = ([8, 16, 10] as const).find((r) => step(r) >= held && step(r) <= MAX_ROW);
  if (radix === undefined) return undefined;
  const size = step(radix);
  const bytes: number[] = [];
  let [row, offset, end]: [CharRow | undefined, number, number] = [first, offsetIn(first.digits, radix), first.end];
  while (row !== undefined) {
    const n = readRow(text, row, size, bytes);
    if (n === 0) break;
    // A row short of its bytes at its line's end: the last row, or one whose trailing space cells were trimmed off.
    const cut = n < size && row.cells + 4 * n >= row.end;
    if (n < size && !cut) break;
    end = row.end;
    offset += size;
    const at = nextRowLine(text, row.end);
    const following = at < 0 ? undefined : charRowAt(text, at);
    row = following !== undefined && offsetIn(following.digits, radix) === offset ? following : undefined;
    for (let k = n; k < size && row !== undefined; k += 1) bytes.push(0x20);
  }
  return bytes.length > held ? { bytes, end } : undefined;
}
