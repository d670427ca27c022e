// Hex dump rows of a DER private key (decode-der-notations.ts hexReader reads their bytes): `xxd`, `hexdump -C`,
// `od -t x1` with their offset and character columns, little-endian 16-bit words (`hexdump`, `od -x`, `od`'s
// default) and octal bytes (`od -b`), offsets in hex, octal or decimal or none (`od -An`), each row quoted (`> `, an
// e-mail reply's or Markdown's, several levels; a backtick, inline code's; a string literal's `"` or `'`, a list of
// lines') or listed (`- `, `* `, `1. `) or not (ROW_MARKS), behind a line number or not (`1: `, ` 12 | `, `12│`,
// `001:`, an editor's gutter or `nl`'s). A row's columns are looked at within
// ROW_REACH characters; rows follow in order of their offsets, up to MAX_SKIPPED_LINES lines of marks only between two
// (isSkippedLine).
import { isHexDigit } from './decode-bytes.ts';
import { isAlnum, isDigit, type Read, type Reader, ROW_GAP } from './decode-der-gaps.ts';
import { readHex } from './decode-der-hex.ts';

/** Characters looked at around a dump row: before its hex (the offset column), and to its line's end. */
const ROW_REACH = 256;

/** Most characters of quote and list marks before a row's offset column (`> > - `): each row's, so bounded. */
export const ROW_MARKS = 16;

/** Most characters of a line number before a row's offset column (pastLineNumber: `  1: `, `nl`'s `     1\t`). */
const LINE_NUMBER = 8 + 6 + 2 + 1 + 4;

/** The marks pastMarks and pastLineNumber pass as an RE2 pattern (a superset: a stream holds more, never less). */
export const ROW_MARKS_PATTERN =
  String.raw`(?:[ \t]{0,8}(?:#{1,3}|/{2,3}))?` +
  String.raw`[ \t>\x60"']{0,16}(?:(?:[-*+]|[0-9]{1,3}[.)])[ \t]{1,8})?` +
  String.raw`(?:[ \t]{0,8}[0-9]{1,6}[ \t]{0,2}[:|\x{2502}]?[ \t]{0,4}[ \t>\x60"']{0,16})?`;

/**
 * Where a row's offset column may start after the comment, quote and list marks at a line's start `from`: a line
 * comment's mark (`#`, `//`, up to three: a dump pasted into a source file or a config), `>` (any levels, spaces
 * between), a backtick (a row as inline code) or a quote (`"`, `'`: a row as a string literal), then one list mark (`-`, `*`, `+`, `1.`, `1)`) and a space; within
 * ROW_MARKS characters.
 */
export function pastMarks(text: string, from: number): number {
  const stop = from + ROW_MARKS;
  const gap = (k: number) => {
    while (k < stop && ROW_GAP[text.charCodeAt(k)] === 1) k += 1;
    return k;
  };
  let i = gap(from);
  const comment = text.charCodeAt(i);
  if (comment === 0x23 || (comment === 0x2f && text.charCodeAt(i + 1) === 0x2f)) {
    let k = i;
    while (k - i < 3 && text.charCodeAt(k) === comment) k += 1;
    if (comment !== 0x2f || k - i >= 2) i = gap(k);
  }
  while (i < stop && isRowQuote(text.charCodeAt(i))) i = gap(i + 1);
  let k = i;
  const code = text.charCodeAt(i);
  if (code === 0x2d || code === 0x2a || code === 0x2b) k = i + 1;
  else {
    while (k - i < 3 && isDigit(text.charCodeAt(k))) k += 1;
    k = k > i && (text.charCodeAt(k) === 0x2e || text.charCodeAt(k) === 0x29) ? k + 1 : i;
  }
  return k > i && k < stop && ROW_GAP[text.charCodeAt(k)] === 1 ? gap(k) : i;
}

/**
 * A dump row's offset column at `from` (`00000000: `, `00000000  `, `000000 `), past its marks and a line number
 * (`1: 00000000: `, when the row does not read without it, or reads as a number before an offset column): its digits,
 * its offset in hex and where its hex starts.
 */
export function rowAt(text: string, from: number): { digits: string; offset: number; hex: number } | undefined {
  const marked = pastMarks(text, from);
  const plain = offsetColumnAt(text, marked);
  // A line number read as an offset column is followed by a gutter's mark or by the row's own offset column.
  if (plain !== undefined && !opensXxdOffset(text, plain.hex) && !isGutterMark(text.charCodeAt(plain.hex))) {
    return plain;
  }
  const numbered = pastLineNumber(text, marked);
  return (numbered > marked ? offsetColumnAt(text, pastMarks(text, numbered)) : undefined) ?? plain;
}

/** The offset column at `at` (up to 8 blanks before it): its digits, its offset in hex and where its hex starts. */
function offsetColumnAt(text: string, at: number): { digits: string; offset: number; hex: number } | undefined {
  let i = at;
  while (i - at < 8 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  const start = i;
  while (i - start <= 16 && isHexDigit(text.charCodeAt(i))) i += 1;
  if (i - start < 4 || i - start > 16) return undefined;
  const digits = text.slice(start, i);
  if (text.charCodeAt(i) === 0x3a) i += 1;
  const spaces = i;
  while (i - spaces < 4 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  return i > spaces ? { digits, offset: Number.parseInt(digits, 16), hex: i } : undefined;
}

/** Whether an xxd offset column (8 hex digits and a colon) starts at `at`: a line number's row read as one. */
function opensXxdOffset(text: string, at: number): boolean {
  let i = at;
  while (i - at < 8 && isHexDigit(text.charCodeAt(i))) i += 1;
  return i - at === 8 && text.charCodeAt(i) === 0x3a;
}

/** `>` (a quote's), a backtick (inline code's), `"` or `'` (a string literal's) before a row. */
function isRowQuote(code: number): boolean {
  return code === 0x3e || code === 0x60 || code === 0x22 || code === 0x27;
}

/** A gutter's mark after a line number: `:`, `|`, box drawing's `│`. */
function isGutterMark(code: number): boolean {
  return code === 0x3a || code === 0x7c || code === 0x2502;
}

/**
 * Where a line number at `at` ends, else `at`: up to 8 blanks, 1-6 digits, then 1-4 blanks (`nl`'s, vim's `  12 `),
 * or up to 2 blanks, a gutter's mark and up to 4 blanks (`12: `, ` 12 | `, `12│`, `12:` glued to the offset). Leading
 * zeros (`nl -n rz`'s `001`) only before a mark: rowAt reads a row without its line number first, so an offset column
 * (`00000000: `) is read as one.
 */
function pastLineNumber(text: string, at: number): number {
  let i = at;
  while (i - at < 8 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  const zero = text.charCodeAt(i) === 0x30;
  const digits = i;
  while (i - digits < 6 && isDigit(text.charCodeAt(i))) i += 1;
  if (i === digits) return at;
  const blanks = i;
  while (i - blanks < 2 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  const marked = isGutterMark(text.charCodeAt(i));
  if (marked) i += 1;
  else if (zero) return at;
  else i = blanks;
  const spaces = i;
  while (i - spaces < 4 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  return i > spaces || marked ? i : at;
}

/** Whether a line ends at `code`: LF, or CR (CRLF's, or a lone one: rows written with either). */
function isLineEnd(code: number): boolean {
  return code === 0x0a || code === 0x0d;
}

/** Where the line after the one holding `at` starts (after LF, CRLF or CR), within ROW_REACH; -1 when none does. */
function lineAfter(text: string, at: number): number {
  for (let i = at; i < text.length && i - at <= ROW_REACH; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x0a) return i + 1;
    if (code === 0x0d) return text.charCodeAt(i + 1) === 0x0a ? i + 2 : i + 1;
  }
  return -1;
}

/** Blank lines (only spaces or tabs) between two rows of one dump: rows double- or triple-spaced, as pasted. */
export const MAX_BLANK_LINES = 2;

/**
 * Lines of no letter or digit between two rows of one dump (isSkippedLine): blank lines, a pager's or an editor's fold
 * mark (`# --`), as pasted.
 */
export const MAX_SKIPPED_LINES = 4;

/** Most characters of a line skipped between two rows. */
const MAX_SKIPPED_LINE = 80;

/**
 * Whether the line at `at` may stand between two rows of one dump: MAX_SKIPPED_LINE characters at most, no letter or
 * digit (so no row, no cell, no prose).
 */
export function isSkippedLine(text: string, at: number): boolean {
  for (let i = at; i - at <= MAX_SKIPPED_LINE; i += 1) {
    if (i >= text.length || isLineEnd(text.charCodeAt(i))) return true;
    if (isAlnum(text.charCodeAt(i))) return false;
  }
  return false;
}

/**
 * Where the next row's line after the one holding `at` may start: the next line, or past up to MAX_SKIPPED_LINES lines
 * of no letter or digit (isSkippedLine: blank, `# --`); -1 when none does.
 */
function nextLine(text: string, at: number): number {
  let next = lineAfter(text, at);
  for (
    let skip = 0;
    skip < MAX_SKIPPED_LINES && next >= 0 && next < text.length && isSkippedLine(text, next);
    skip += 1
  )
    next = lineAfter(text, next);
  return next;
}

/**
 * How a dump row writes its bytes: hex bytes in order (`xxd`, `hexdump -C`, `od -t x1`), 16-bit little-endian words of
 * four hex digits (`hexdump`'s and `od -x`'s default on a little-endian machine), octal bytes of three digits
 * (`od -b`), 16-bit little-endian words of six octal digits (`od`'s default, `od -o`).
 */
export type Cells = 'bytes' | 'words' | 'dwords' | 'qwords' | 'bits' | 'decimal' | 'octal' | 'octalWords';

/**
 * A cell's digits (a decimal cell: 1 to `width`, a sign before), their radix and the bytes its value holds, lowest
 * first: `words` 16-bit, `dwords` 32-bit and `qwords` 64-bit little-endian words in hex (`hexdump`, `od -x`,
 * `od -t x2`; `xxd -e`, `od -t x4`; `od -t x8`), `bits` a byte in binary (`xxd -b`), `decimal` a byte in decimal
 * (`od -t u1`, `od -t d1`), `octal` a byte and `octalWords` a 16-bit word in octal (`od -b`, `od`).
 */
const CELLS = {
  words: { width: 4, radix: 16, size: 2 },
  dwords: { width: 8, radix: 16, size: 4 },
  qwords: { width: 16, radix: 16, size: 8 },
  bits: { width: 8, radix: 2, size: 1 },
  decimal: { width: 3, radix: 10, size: 1 },
  octal: { width: 3, radix: 8, size: 1 },
  octalWords: { width: 6, radix: 8, size: 2 },
} as const;

/** The radixes a dump writes its offsets in (`od -A x|o|d`; `-A n` writes none: radix 0). */
type Radix = 16 | 8 | 10 | 0;
const RADIXES = [16, 8, 10] as const;

/** A dump's layout from a row: its first offset, the bytes a row holds, its offsets' radix and its cells. */
interface Rows {
  offset: number;
  bytes: number;
  radix: Radix;
  cells: Cells;
}

/** The row at `at` (the start of its hex) and its offset in `radix`, or undefined when `at` starts no row's hex. */
function rowOfHex(text: string, at: number): { digits: string; offset: number; hex: number } | undefined {
  let from = at;
  while (from > 0 && at - from <= 32 + ROW_MARKS + LINE_NUMBER && !isLineEnd(text.charCodeAt(from - 1))) from -= 1;
  const row = from === 0 || isLineEnd(text.charCodeAt(from - 1)) ? rowAt(text, from) : undefined;
  return row?.hex === at ? row : undefined;
}

/** A row's offset in `radix`; NaN when its digits are not of that radix. */
function offsetIn(digits: string, radix: 16 | 8 | 10): number {
  const valid = radix === 16 || (radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/).test(digits);
  return valid ? Number.parseInt(digits, radix) : Number.NaN;
}

/** Where the cells of a row without an offset (`od -An`) start at `at`: only spaces or tabs (1-8) before it. */
function opensBareRow(text: string, at: number): boolean {
  let from = at;
  while (from > 0 && at - from < 8 && ROW_GAP[text.charCodeAt(from - 1)] === 1) from -= 1;
  return from < at && (from === 0 || isLineEnd(text.charCodeAt(from - 1)));
}

/** Whether only spaces or tabs stand between `at` and its line's end. */
function endsLine(text: string, at: number): boolean {
  let i = at;
  while (i - at < 8 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  return i >= text.length || isLineEnd(text.charCodeAt(i));
}

/** The start of the next bare row's cells after the row ending at `at`, or -1. */
function nextBareRow(text: string, at: number): number {
  const next = nextLine(text, at);
  if (next < 0) return -1;
  let i = next;
  while (i - next < 8 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  return i > next ? i : -1;
}

/**
 * The layout of the dump whose row's hex starts at `at`: hex bytes a row as the next row's offset says (1-64, hex
 * offsets); words and octal bytes as many as the row holds, the next row's offset (hex, or octal as `od` writes it)
 * agreeing.
 */
function dumpRows(text: string, at: number, cells: Cells = 'bytes'): Rows | undefined {
  const row = rowOfHex(text, at);
  if (row === undefined) return cells === 'bytes' ? undefined : bareRows(text, at, cells);
  const next = nextLine(text, at);
  const second = next < 0 ? undefined : rowAt(text, next);
  if (second === undefined) return undefined;
  // Hex offsets as the next row's says (xxd's character column may follow a row's cells); octal or decimal offsets
  // (od's default, `od -A d`) when the row holds exactly that many bytes.
  const bytes = second.offset - row.offset;
  if (bytes >= 1 && bytes <= 64 && readCells(text, at, bytes, cells).n === bytes) {
    return { offset: row.offset, bytes, radix: 16, cells };
  }
  const read = readCells(text, at, 64, cells);
  if (cells === 'bytes' && !endsLine(text, read.end)) return undefined;
  for (const radix of cells === 'bytes' ? ([8, 10] as const) : RADIXES) {
    const offset = offsetIn(row.digits, radix);
    if (read.n >= 2 && offsetIn(second.digits, radix) - offset === read.n) {
      return { offset, bytes: read.n, radix, cells };
    }
  }
  return undefined;
}

/**
 * Rows without offsets (`od -An -x`, `od -An -b`) from `at`: only spaces before it on its line, the row's cells running
 * to its end, and the next line a row of cells too; a row holds what the first holds.
 */
function bareRows(text: string, at: number, cells: Cells): Rows | undefined {
  if (!opensBareRow(text, at)) return undefined;
  const read = readCells(text, at, 64, cells);
  if (read.n < 2 || !endsLine(text, read.end)) return undefined;
  const next = nextBareRow(text, read.end);
  if (next < 0 || readCells(text, next, 1, cells).n === 0) return undefined;
  return { offset: 0, bytes: read.n, radix: 0, cells };
}

/** Whether `code` is a digit of `radix` (2, 8, 10 or 16). */
function isDigitOf(code: number, radix: number): boolean {
  if (radix === 16) return isHexDigit(code);
  return code >= 0x30 && code < 0x30 + radix;
}

/** A row's cells from `at` (ROW_GAP between them), up to `want` bytes. */
function readCells(text: string, at: number, want: number, cells: Cells, out?: Uint8Array, base = 0): Read {
  if (cells === 'bytes') return readHex(text, at, want, false, ROW_GAP, out, base);
  const { width, radix, size } = CELLS[cells];
  let [n, end, i] = [0, at, at];
  while (n < want) {
    const signed = cells === 'decimal' && text.charCodeAt(i) === 0x2d;
    const from = signed ? i + 1 : i;
    let k = from;
    while (k - from < width && isDigitOf(text.charCodeAt(k), radix)) k += 1;
    const short = cells === 'decimal' ? k === from : k - from !== width;
    if (short || isAlnum(text.charCodeAt(k))) break;
    const value = Number.parseInt(text.slice(from, k), radix) * (signed ? -1 : 1);
    if (value > 2 ** (8 * size) - 1 || value < (signed ? -128 : 0)) break;
    for (let b = 0; b < size && n < want; b += 1) {
      // A hex cell's bytes from its digits, two a byte from the right: a 64-bit word is past a Number's precision.
      const byte =
        radix === 16 ? Number.parseInt(text.slice(k - 2 * b - 2, k - 2 * b), 16) : (value >>> (8 * b)) & 0xff;
      if (out !== undefined) out[base + n] = byte;
      n += 1;
      end = k;
    }
    let gap = k;
    while (gap - k < 8 && ROW_GAP[text.charCodeAt(gap)] === 1) gap += 1;
    if (gap === k) break;
    i = gap;
  }
  return { n, end };
}

/**
 * A dump's bytes in words or octal from `at` (the start of a row's hex: `hexdump`, `od -x`, `od -b`), or undefined
 * when no such dump's rows start there.
 */
export function cellRowsReader(text: string, at: number, cells: Cells): Reader | undefined {
  const rows = dumpRows(text, at, cells);
  return rows === undefined ? undefined : (want, out) => readRows(text, at, rows, want, out);
}

/** A dump's bytes from `at`: each row's `rows.bytes` (the last may hold fewer), rows in order of their offsets. */
function readRows(text: string, at: number, rows: Rows, want: number, out?: Uint8Array) {
  let [n, end, hex, offset] = [0, at, at, rows.offset];
  while (n < want) {
    const row = readCells(text, hex, Math.min(rows.bytes, want - n), rows.cells, out, n);
    n += row.n;
    if (row.n > 0) end = row.end;
    if (n >= want || row.n < rows.bytes) break;
    if (rows.radix === 0) {
      hex = nextBareRow(text, row.end);
      if (hex < 0) break;
      continue;
    }
    const next = nextLine(text, row.end);
    const following = next < 0 ? undefined : rowAt(text, next);
    if (following === undefined || offsetIn(following.digits, rows.radix) !== offset + rows.bytes) break;
    [hex, offset] = [following.hex, offset + rows.bytes];
  }
  return { n, end };
}
