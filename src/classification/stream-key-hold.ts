// What a stream scanner must also hold back for a DER private key written without its armor (decode-der.ts: base64,
// hex however laid out, dump rows, decimal bytes, string literals joined by an operator): the classifier finds such a
// key only once DER_PREFIX_BYTES of it are read, so until then no rule of the recognizers holds it, and a stream cut
// before that released it unread. A key still arriving is held from where it opens while its read runs to the end of
// the text and the bytes read so far may still open a key. Invariant: only holds more; offsets are original offsets.
import RE2 from 're2';
import { DER_PREFIX_BYTES, KEY_START, keyReaderAt, MAX_KEY_GAP, OPENER_BYTES, opens } from './decode-der.ts';
import { ESCAPES } from './decode-der-literals.ts';
import { GAP_CLASS, HEX_GAP_CLASS, MAX_QUOTED_GAP, type Reader } from './decode-der-gaps.ts';
import { hexReader } from './decode-der-notations.ts';
import { pastMarks, ROW_MARKS_PATTERN, rowAt } from './decode-der-rows.ts';
import { keyFileFrom } from './stream-key-file-holds.ts';
import type { ScanText } from './stream-hold.ts';

export interface KeyHolds {
  /** Where a key whose opening is not judged yet may start (held as a partial is). */
  partial: number;
  /** Where a key whose opening passed may start (held as a validated match is, however long). */
  from: number;
}

/**
 * Characters after a read's last byte within which it may still go on: a gap (MAX_KEY_GAP, an operator in it) and
 * the start of the next token (`0x`, `\x`, `-`, a prefix letter and its quote).
 */
const OPEN_TAIL = MAX_KEY_GAP + 8;

/** A dump row's line: after its last byte its character column, then a line break, within this many characters. */
const ROW_TAIL = 256;

/**
 * The text's end as the start of a KEY_START match still arriving (`48, `, `0x30, 0x`, `M`): a key's first characters
 * that do not make a candidate yet, so no read holds them.
 */
const PREFIX = [
  `M${GAP_CLASS}{0,${MAX_KEY_GAP}}`,
  String.raw`0[xX]?|\\x?`,
  String.raw`(?:0[xX]|\\x)?3`,
  String.raw`(?:0[xX]|\\x)?30${HEX_GAP_CLASS}{0,${MAX_KEY_GAP}}(?:0[xX]?|\\x?|(?:0[xX]|\\x)?[2-8])?`,
  `48?${GAP_CLASS}{0,${MAX_KEY_GAP}}-?[1-9]?`,
  // A hex literal with a type suffix (`0x30u8, 0x`), a bytes literal's or a C string's opening (`b'`, `"`, `"\x3`).
  String.raw`0[xX]30_?(?:[uUiI]8?)?(?:${HEX_GAP_CLASS}{1,${MAX_KEY_GAP}}(?:0[xX]?[0-9a-fA-F]?)?)?`,
  String.raw`[bB]['"]?|["'](?:\\(?:0?6?|x3?))?`,
  // A dump row's offset column, then the start of its first cell (`0000000 2e3`, `0000000 06`: words, octal bytes).
  String.raw`(?:^|[\n\r])${ROW_MARKS_PATTERN}[ \t]{0,8}[0-9a-fA-F]{4,12}:?[ \t]{1,4}[0-9a-fA-F]{1,3}`,
]
  .map((p) => `(?:${p})$`)
  .join('|');

/**
 * Where a bytes literal that may hold a key opens (decode-der-literals.ts bytesLiterals): Python's `b'0` / `b"0`, a C
 * string opening with an escape of 0x30 (`"\060`, `"\60`, `"\x30`).
 */
const LITERAL_OPENING = String.raw`[bB]['"]0|["']\\(?:0?60|x30)`;

/** Hex literals with a type suffix (`0x30u8`, `0x30_u8`, `0x30U`: decode-der.ts notationKeys), no KEY_START's. */
const SUFFIXED = String.raw`0[xX]30_?[uUiI]`;

/**
 * The first cell of a dump row of little-endian words (`2e30`, `8130`: hexdump, od -x) or octal bytes (`060`: od -b)
 * that may open a key, after the row's offset column (decode-der.ts notationKeys reads a row's cells from its first).
 */
const CELL_ROW = String.raw`(?:^|[\n\r])${ROW_MARKS_PATTERN}[ \t]{0,8}[0-9a-fA-F]{4,12}:?[ \t]{1,4}(?:[2-8][0-9a-fA-F]30|060)(?:[ \t]|$)`;

/** A row's quote and list marks and offset column still arriving at the text's end. */
const ROW_ARRIVING = new RegExp(`^${ROW_MARKS_PATTERN}[ \\t]{0,8}[0-9a-fA-F]{0,12}:?[ \\t]*$`);

let search: RE2 | undefined;
let prefix: RE2 | undefined;
let literals: RE2 | undefined;
let suffixed: RE2 | undefined;
let cellRows: RE2 | undefined;
const scratch = new Uint8Array(DER_PREFIX_BYTES);
const held = new WeakMap<ScanText, KeyHolds>();

function isOctalDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x37;
}

/**
 * A read of bytes literals from an opening at `at` (LITERAL_OPENING), across the next ones of its kind whose quote
 * comes within MAX_QUOTED_GAP (decode-der-literals.ts bytesLiterals): `n` bytes into `out` (up to DER_PREFIX_BYTES),
 * `closed` those of closed literals, `on` whether the literals run to the text's end (a literal open there, or the
 * text ending within MAX_QUOTED_GAP after the last closed one), `end` where the read stopped; undefined when the
 * first literal is none (an escape the plain reader refuses).
 */
function readLiterals(
  text: string,
  at: number,
  out: Uint8Array,
): { n: number; closed: number; on: boolean; end: number } | undefined {
  const prefixed = (text.charCodeAt(at) | 0x20) === 0x62;
  const quote = text.charCodeAt(prefixed ? at + 1 : at);
  let [n, closed, q] = [0, 0, prefixed ? at + 1 : at];
  const emit = (byte: number) => {
    if (n < out.length) out[n] = byte;
    n += 1;
  };
  for (;;) {
    let i = q + 1;
    for (; i < text.length && text.charCodeAt(i) !== quote; ) {
      if (text[i] !== '\\') {
        emit(text.charCodeAt(i));
        i += 1;
      } else if (i + 1 >= text.length) {
        i += 1; // an escape still arriving
      } else if (text[i + 1] === 'x') {
        if (i + 4 > text.length) i = text.length;
        else {
          const byte = Number.parseInt(text.slice(i + 2, i + 4), 16);
          if (Number.isNaN(byte)) return n === 0 && closed === 0 ? undefined : { n, closed, on: false, end: i };
          emit(byte);
          i += 4;
        }
      } else if (isOctalDigit(text.charCodeAt(i + 1))) {
        let [value, k] = [0, i + 1];
        for (; k < i + 4 && isOctalDigit(text.charCodeAt(k)); k += 1) value = value * 8 + text.charCodeAt(k) - 0x30;
        if (k >= text.length)
          i = text.length; // more digits may come
        else {
          emit(value & 0xff);
          i = k;
        }
      } else {
        const byte = ESCAPES[text[i + 1] as string];
        if (byte === undefined) return closed === 0 ? undefined : { n: closed, closed, on: false, end: i };
        emit(byte);
        i += 2;
      }
    }
    // Open at the text's end: its last byte may still be an escape's first digits.
    if (i >= text.length) return { n: Math.max(closed, n - 1), closed, on: true, end: text.length };
    closed = n;
    const end = i + 1;
    let next = -1;
    for (let k = end; k < text.length && k - end < MAX_QUOTED_GAP; k += 1) {
      if (text.charCodeAt(k) !== quote || ((text.charCodeAt(k - 1) | 0x20) === 0x62) !== prefixed) continue;
      next = k;
      break;
    }
    if (next < 0) return { n, closed, on: text.length - end < MAX_QUOTED_GAP, end };
    q = next;
  }
}

/** A row's offset column at `i` (`0000010 `, `00000010: `, `> 0000010 `): where its first cell starts, or -1. */
function cellsOfRow(text: string, i: number): number {
  const marked = pastMarks(text, i);
  let k = marked;
  while (k - marked < 8 && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k += 1;
  const digits = k;
  while (k - digits <= 12 && /[0-9a-fA-F]/.test(text[k] ?? '')) k += 1;
  if (k - digits < 4 || k - digits > 12) return -1;
  if (text.charCodeAt(k) === 0x3a) k += 1;
  const spaces = k;
  while (k - spaces < 4 && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k += 1;
  return k > spaces ? k : -1;
}

/**
 * A read of a dump's rows of little-endian words or octal bytes from a row's first cell at `at` (decode-der.ts
 * notationKeys): its cells, row after row (any next row's offset: holding more is safe), `n` bytes into `out` up to
 * DER_PREFIX_BYTES, and whether the rows run to the text's end (a cell, a row's offset column or a line break still
 * arriving there).
 */
function readCellRows(text: string, at: number, out: Uint8Array): { n: number; on: boolean } {
  const words = text.charCodeAt(at + 3) !== 0x20 && text.charCodeAt(at + 3) !== 0x09 && at + 3 < text.length;
  const width = words ? 4 : 3;
  const isCell = words ? (c: number) => /[0-9a-fA-F]/.test(String.fromCharCode(c)) : isOctalDigit;
  let [n, i] = [0, at];
  while (n < out.length) {
    let k = i;
    while (k - i < width && isCell(text.charCodeAt(k))) k += 1;
    if (k >= text.length) return { n, on: true }; // a cell still arriving
    if (k - i !== width) return { n, on: false };
    const value = Number.parseInt(text.slice(i, k), words ? 16 : 8);
    out[n] = value & 0xff;
    n += 1;
    if (words && n < out.length) {
      out[n] = value >>> 8;
      n += 1;
    }
    let gap = k;
    while (gap - k < 8 && (text.charCodeAt(gap) === 0x20 || text.charCodeAt(gap) === 0x09)) gap += 1;
    if (gap >= text.length) return { n, on: true };
    const lineEnd = text.charCodeAt(gap) === 0x0a || text.charCodeAt(gap) === 0x0d;
    if (gap > k && !lineEnd) {
      i = gap;
      continue;
    }
    if (!lineEnd) return { n, on: false };
    // A row's line ends in LF, CRLF or a lone CR; the CR's LF may still be arriving.
    const crlf = text.charCodeAt(gap) === 0x0d && text.charCodeAt(gap + 1) === 0x0a;
    if (text.charCodeAt(gap) === 0x0d && gap + 1 >= text.length) return { n, on: true };
    const line = crlf ? gap + 2 : gap + 1;
    // The next row: its marks and offset column may still be arriving.
    const row = cellsOfRow(text, line);
    if (row < 0) return { n, on: ROW_ARRIVING.test(text.slice(line, line + 40)) };
    if (row >= text.length) return { n, on: true };
    i = row;
  }
  return { n, on: false };
}

/** Whether the `n` bytes read so far may open a private key (decode-der.ts `opens`, on what has arrived). */
function mayOpen(bytes: Uint8Array, n: number): boolean {
  if (n >= 1 && bytes[0] !== 0x30) return false;
  const size = bytes[1] as number;
  if (n >= 2 && (size < 0x2e || size === 0x80 || size > 0x83)) return false;
  if (n >= 3 && !opens(bytes, 3)) return false;
  return n < OPENER_BYTES || opens(bytes, OPENER_BYTES);
}

/** Whether a read ending at `end` may go on in more text: the text ends within its tail. */
function readsOn(text: string, at: number, end: number): boolean {
  const rest = text.length - end;
  if (rest <= OPEN_TAIL) return true;
  // Hex may be a dump's row, whose character column comes before the next row.
  const code = text.charCodeAt(at);
  return code !== 0x4d && code !== 0x34 && rest <= ROW_TAIL && !text.includes('\n', end);
}

/** How a key's read from `at` holds: from there (its opening passed), as a partial, or not (no key, or read whole). */
function readHold(text: string, at: number, read: Reader): 'from' | 'partial' | undefined {
  try {
    const { n, end } = read(DER_PREFIX_BYTES, scratch);
    if (n >= DER_PREFIX_BYTES || !readsOn(text, at, end)) return undefined;
    // A last token at the text's end may still grow (`48, 12` becomes `48, 129`): only the bytes before it count.
    const judged = end === text.length ? n - 1 : n;
    if (!mayOpen(scratch, judged)) return undefined;
    return judged >= OPENER_BYTES ? 'from' : 'partial';
  } finally {
    scratch.fill(0);
  }
}

/**
 * Where the hex dump the text ends in starts (decode-dumps.ts reads a dump's rows as one text): its rows, or lines of
 * hex, back from the last line (a row, or a row's marks, offset or hex still arriving) within DUMP_REACH characters;
 * held as a partial, so a value whose bytes the next rows complete is read whole before any of its rows is released.
 * A row may open inside a line (after a run of another field glued before it: `Here:00000000  23 20 …`). The text's
 * length when it ends in no dump.
 */
export function trailingDumpStart(text: string): number {
  let line = lineStartBefore(text, text.length);
  // A text ending in a line break: the dump's next row has not started.
  if (line === text.length && line > 0) line = lineStartBefore(text, line - breakBefore(text, line));
  line = pastBlank(text, line);
  let start = dumpLineIn(text, line, true);
  if (start < 0) return text.length;
  for (let before = line; start === before && before > 0 && text.length - before < DUMP_REACH; ) {
    before = pastBlank(text, lineStartBefore(text, before - breakBefore(text, before)));
    const at = dumpLineIn(text, before, false);
    if (at < 0) break;
    start = at;
  }
  return start;
}

/** Characters back from a text's end a dump's rows are held within (the stream scanner holds a partial ~1,024). */
const DUMP_REACH = 2048;

/** Characters into a line a dump's row may open (a row glued after another run's text). */
const ROW_INSIDE = 64;

/** Where the line holding the character before `at` starts (after LF or CR). */
function lineStartBefore(text: string, at: number): number {
  let i = at;
  while (i > 0 && text.charCodeAt(i - 1) !== 0x0a && text.charCodeAt(i - 1) !== 0x0d) i -= 1;
  return i;
}

/**
 * The line before a blank one at `line` (spaces or tabs only: rows double-spaced, decode-der-rows.ts nextLine), else
 * `line`.
 */
function pastBlank(text: string, line: number): number {
  let i = line;
  while (i - line < 8 && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09)) i += 1;
  const blank = i >= text.length || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d;
  return blank && line > 0 ? lineStartBefore(text, line - breakBefore(text, line)) : line;
}

/** The length of the line break before a line's start `line` (CRLF: 2). */
function breakBefore(text: string, line: number): number {
  return text.charCodeAt(line - 1) === 0x0a && text.charCodeAt(line - 2) === 0x0d ? 2 : 1;
}

function isHex(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x66);
}

/**
 * Where a dump's row (an offset column, then cells) or a line of 16 hex digits or more opens on the line at `line`:
 * at its start or at a hex digit within ROW_INSIDE characters glued after a character that is neither hex nor a space
 * or tab (a card's groups after `card ` are no row); on the text's `last` line also a row's marks, offset or hex
 * still arriving. -1 when none does.
 */
function dumpLineIn(text: string, line: number, last: boolean): number {
  for (let p = line; p < text.length && p - line < ROW_INSIDE; p += 1) {
    const code = text.charCodeAt(p);
    if (code === 0x0a || code === 0x0d) break;
    // Inside a line, only glued to what stands before it (`Here:00000000`): a number after a space is prose's.
    const before = text.charCodeAt(p - 1);
    if (p > line && (!isHex(code) || isHex(before) || before === 0x20 || before === 0x09)) continue;
    if (rowAt(text, p) !== undefined) return p;
    let i = p;
    while (i < text.length && isHex(text.charCodeAt(i))) i += 1;
    const lineEnds = i >= text.length || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d;
    if (lineEnds && (i - p >= 16 || (last && i >= text.length))) return p;
    if (last && ROW_ARRIVING.test(text.slice(p, p + 80))) return p;
  }
  return -1;
}

/** The key holds of a scanned text (its main view), computed once per text. */
export function keyHolds(t: ScanText): KeyHolds {
  let found = held.get(t);
  if (found !== undefined) return found;
  const text = t.normalized.text;
  let partial = text.length;
  let from = text.length;
  const hold = (at: number, kind: 'from' | 'partial' | undefined) => {
    if (kind === 'from') from = Math.min(from, at);
    else if (kind === 'partial') partial = Math.min(partial, at);
  };
  search ??= new RE2(KEY_START, 'g');
  search.lastIndex = 0;
  for (let m = search.exec(text); m !== null; m = search.exec(text)) {
    const at = m.index;
    search.lastIndex = at + 1; // a key may open inside another candidate (`30 30 2e…`)
    if (at >= from) break; // a later start holds no more than the key already held
    const read = keyReaderAt(text, at);
    if (read !== undefined) hold(at, readHold(text, at, read));
  }
  // Hex literals with a type suffix, read as notationKeys reads them.
  suffixed ??= new RE2(SUFFIXED, 'g');
  suffixed.lastIndex = 0;
  for (let m = suffixed.exec(text); m !== null && m.index < from; m = suffixed.exec(text)) {
    hold(m.index, readHold(text, m.index, hexReader(text, m.index, OPENER_BYTES)));
  }
  // Dump rows of little-endian words or octal bytes: held from a row's first cell while the rows run to the end.
  cellRows ??= new RE2(CELL_ROW, 'g');
  cellRows.lastIndex = 0;
  for (let m = cellRows.exec(text); m !== null && m.index < from; m = cellRows.exec(text)) {
    const cell = m.index + m[0].trimEnd().length - (/[2-8][0-9a-fA-F]30$/.test(m[0].trimEnd()) ? 4 : 3);
    cellRows.lastIndex = cell + 1;
    try {
      const { n, on } = readCellRows(text, cell, scratch);
      if (n >= DER_PREFIX_BYTES || !on) continue;
      const judged = Math.max(0, n - 2); // a last cell at the text's end may still grow
      if (!mayOpen(scratch, judged)) continue;
      if (judged >= OPENER_BYTES) from = Math.min(from, cell);
      else partial = Math.min(partial, cell);
    } finally {
      scratch.fill(0);
    }
  }
  // Bytes literals (Python's, C strings of escapes, adjacent ones of a kind) whose literals run to the text's end:
  // an opening that passed holds however long they grow (an RSA key's repr is ~3k), as a validated match.
  literals ??= new RE2(LITERAL_OPENING, 'g');
  literals.lastIndex = 0;
  for (let m = literals.exec(text); m !== null && m.index < from; m = literals.exec(text)) {
    const at = m.index;
    try {
      const read = readLiterals(text, at, scratch);
      literals.lastIndex = Math.max(at + 1, read?.end ?? 0);
      // The plain reader reads closed literals only, and a key's only once its last literal closes: held while on.
      if (read === undefined || !read.on) continue;
      const judged = Math.min(read.n, OPENER_BYTES);
      if (!mayOpen(scratch, judged)) continue;
      if (judged >= OPENER_BYTES) from = Math.min(from, at);
      else partial = Math.min(partial, at);
    } finally {
      scratch.fill(0);
    }
  }
  // Key files read from a line or a member before the key: a JWK's INI section, an RSA member pair.
  from = Math.min(from, keyFileFrom(text));
  // A key's first characters: held as partials (no bytes of theirs are judged here).
  prefix ??= new RE2(PREFIX);
  const started = prefix.search(text);
  if (started >= 0) partial = Math.min(partial, started);
  partial = Math.min(partial, trailingDumpStart(text));
  const map = (x: number) => (x >= text.length ? t.original.length : t.normalized.startOf(x));
  found = { partial: map(partial), from: map(from) };
  held.set(t, found);
  return found;
}
