// How the bytes of a DER private key are written (decode-der.ts reads them): base64 and hex however laid out (lines
// of any width, indents, quotes, list marks, groups, `0x`/`\x` prefixes, leading zeros dropped), hex dump rows with
// their offset and character columns (`xxd`, `hexdump -C`, `od -A x -t x1z`), and lists of decimal bytes, signed or
// not (Python's `list(key)`, Node's Buffer JSON, Java's `Arrays.toString`). Each reader reads a bounded number of
// bytes from one place and touches each character it passes once: gaps are at most MAX_KEY_GAP characters, a dump
// row's columns at most ROW_REACH.
import { base64Value, isBase64Char, isHexDigit } from './decode-bytes.ts';

/**
 * Most characters between two base64 characters or tokens of one key: a line break and an indent (YAML's `key: |`
 * block, a nested one too), a C array's `,\n    `, a JSON list's `", "`, a quote's `\n> `.
 */
export const MAX_KEY_GAP = 32;

/** What a read found: how many bytes, and where the character that completed the last of them ends. */
export interface Read {
  n: number;
  end: number;
}

/** Reads up to `want` bytes from where it was made, into `out` when given (else counts them). */
export type Reader = (want: number, out?: Uint8Array) => Read;

/** Between two characters or tokens of a key: whitespace, quotes, list and table marks, brackets. */
const GAP_CHARS = ' \t\n\u000b\f\r"\'`(),:;>#*|[]{}';
const table = (chars: string) =>
  Uint8Array.from({ length: 128 }, (_, code) => (chars.includes(String.fromCharCode(code)) ? 1 : 0));
const GAP = table(GAP_CHARS);
/** Between two hex tokens also `-` and `.` (`30-82-…`; in base64url `-` is a character, in decimals a sign). */
const HEX_GAP = table(`${GAP_CHARS}-.`);
/** Inside a dump row: spaces and tabs only (hexdump -C's double space in the middle). */
const ROW_GAP = table(' \t');
/** Concatenation operators, one or two between gap characters: `+` `.` `..` `&` `& _` `<<` `||` `\` (continuation). */
const JOIN = table('+.&_<|\\');
const PREFIX = table('bBfFrRuU');
const QUOTE = table(`"'`);
/** The quotes a piece of a literal may stand between: a string's, a character's, a JavaScript template's. */
const QUOTE_OF_PIECE = table('"\'\x60');

/** The same gaps for the native search of candidates (RE2 classes). */
export const GAP_CLASS = String.raw`[\t-\r "'\x60(),:;>#*|\[\]{}]`;
export const HEX_GAP_CLASS = String.raw`[\t-\r "'\x60(),:;>#*|\[\]{}.-]`;

/**
 * Whether the pieces a key is written in between gaps keep one width: tools and people lay a key out in lines or
 * groups of one width (the first piece may be shorter, glued after a word or a label; the last is where the read
 * ends). Words of prose after a key's public opening (`MIIEvQIBADAN…` quoted in docs, then text) are never read as
 * its bytes. `fits(length)` takes each piece that a gap ends; false ends the key before that gap.
 */
function evenPieces(): (length: number) => boolean {
  let [pieces, width] = [0, -1];
  return (length) => {
    pieces += 1;
    if (pieces === 1) return true;
    if (width < 0) width = length;
    return length === width;
  };
}

/**
 * Most characters between a quoted piece's closing quote and the next piece's opening one (`"…" +  // part 3⏎"…"`,
 * `⏎    key += "…"`): the quotes mark the pieces, so the gap may hold anything (a name, an operator, a comment).
 */
export const MAX_QUOTED_GAP = 64;

/** List marks a line may open with before a piece (`- `, `+ `, `• `…; `* ` is gap already), then a space or tab. */
const LIST_MARKS = new Set([0x2d, 0x2b, 0xb7, 0x2013, 0x2014, 0x2022, 0x2023, 0x2043, 0x25aa, 0x25cf, 0x25e6]);

function isAlnum(code: number): boolean {
  return isDigit(code) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
}

/**
 * The length of a list mark at `at` when a line opens there (only spaces and tabs between the line break and `at`,
 * within the gap from `from`): a bullet (LIST_MARKS), or with `numbered` a number of 1-3 digits or one letter then `.`
 * or `)` (`12. `, `b) `: not between hex tokens, whose digits they are); a space or tab after it. 0 when none.
 */
function listMarkAt(text: string, from: number, at: number, numbered: boolean): number {
  let k = at - 1;
  while (k >= from && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k -= 1;
  if (k < from || text.charCodeAt(k) !== 0x0a) return 0;
  let length = LIST_MARKS.has(text.charCodeAt(at)) ? 1 : 0;
  if (length === 0 && numbered) {
    let digits = 0;
    while (digits < 3 && isDigit(text.charCodeAt(at + digits))) digits += 1;
    const size = digits > 0 ? digits : isAlnum(text.charCodeAt(at)) ? 1 : 0;
    const close = text.charCodeAt(at + size);
    if (size > 0 && (close === 0x2e || close === 0x29)) length = size + 1;
  }
  const after = text.charCodeAt(at + length);
  return length > 0 && (after === 0x20 || after === 0x09) ? length : 0;
}

/**
 * Where a gap of at most MAX_KEY_GAP characters of `gap` from `at` ends, when `next` holds there; else -1. A string
 * concatenation's operator between gap characters is part of the gap (`"MC4C…" +⏎ "BCIE…"`: `+` in Java, JavaScript,
 * C#, Kotlin, `.` in PHP, `..` in Lua, `&` and `& _` in Visual Basic, `<<` in C++, `||` in SQL, a `\` line
 * continuation), though `+` is base64's: inside a run it never stands between two; so is a list mark opening a line
 * (listMarkAt). When the piece before the gap is quoted (`piece`: where it starts, its opening quote before it, the same
 * quote at `at`), the gap runs to the next such quote before a piece within MAX_QUOTED_GAP, whatever it holds but a
 * long run of the alphabet (MIN_LOOSE_PIECE: a piece of its own).
 */
function pastGap(text: string, at: number, gap: Uint8Array, next: (at: number) => boolean, piece = -1): number {
  const quote = text.charCodeAt(at);
  if (piece > 0 && QUOTE_OF_PIECE[quote] === 1 && text.charCodeAt(piece - 1) === quote) {
    // Never past a long run of the alphabet: a piece of its own (a line quoted in the other quote).
    const passed = pastLooseGap(text, at);
    for (let k = text.indexOf(text[at] as string, at + 1); k > at && k - at <= MAX_QUOTED_GAP; ) {
      if (passed >= 0 && passed + MIN_LOOSE_PIECE <= k) break;
      if (next(k + 1)) return k + 1;
      k = text.indexOf(text[at] as string, k + 1);
    }
  }
  let end = at;
  for (; end < text.length && end - at <= MAX_KEY_GAP; end += 1) {
    if (gap[text.charCodeAt(end)] === 1) continue;
    if (end === at || gap[text.charCodeAt(end - 1)] !== 1) break;
    const mark = listMarkAt(text, at, end, gap === GAP);
    if (mark > 0) {
      end += mark - 1;
      continue;
    }
    // A string literal's prefix letter (Python's `b"…"`, `f"…"`, `r"…"`, `u"…"`) after a space and before its quote;
    // never between hex tokens, where `'b'` is a byte (a `toString(16)` list).
    const spaced = text.charCodeAt(end - 1) <= 0x20;
    if (gap === GAP && spaced && PREFIX[text.charCodeAt(end)] === 1 && QUOTE[text.charCodeAt(end + 1)] === 1) continue;
    let run = end;
    while (run - end < 2 && JOIN[text.charCodeAt(run)] === 1) run += 1;
    if (run === end || gap[text.charCodeAt(run)] !== 1) break;
    end = run - 1;
  }
  return end - at <= MAX_KEY_GAP && next(end) ? end : -1;
}

/** Base64 values (either alphabet) by character code; NONE for a character of no value. */
const NONE = 0xff;
const VALUES = Uint8Array.from({ length: 128 }, (_, code) => (isBase64Char(code) ? base64Value(code) : NONE));

/**
 * Fewest characters of a base64 piece after a gap of any text (`| 2 | `, `</li>⏎<li>`, `(2) `, `→ `, `// "x"⏎`): shorter
 * runs of the alphabet (`li`, `2`, `k`, `//`) are the gap's; a run this long starts the next piece.
 */
export const MIN_LOOSE_PIECE = 12;

/** How many characters of the base64 alphabet run from `at`, counting to `limit` at most. */
function runOfValues(text: string, at: number, limit: number): number {
  let k = at;
  while (k - at < limit && (VALUES[text.charCodeAt(k)] ?? NONE) !== NONE) k += 1;
  return k - at;
}

/**
 * Where the next base64 piece starts after a gap of any text from `at` (within MAX_QUOTED_GAP): the first run of
 * MIN_LOOSE_PIECE characters of the alphabet or more; the shorter runs before it are the gap's. With `width` (the
 * piece before's length), -1 when that run is longer than it: a loose gap joins pieces of one width only (the last
 * may be shorter), never a key's opening cut short to a long run of other base64 further on. -1 when none.
 */
function pastLooseGap(text: string, at: number, width = Number.POSITIVE_INFINITY): number {
  for (let k = at; k < text.length && k - at <= MAX_QUOTED_GAP; ) {
    const run = runOfValues(text, k, Math.min(width + 1, MAX_QUOTED_GAP));
    if (run >= MIN_LOOSE_PIECE) return run <= width ? k : -1;
    k += run + 1;
  }
  return -1;
}

/**
 * The next base64 piece after the gap at `at`: where pastGap ends when the piece there is a long one; else where the
 * nearest long run is after a gap of any text (pastLooseGap: a table's cells, HTML list items, `(2)` numbers, arrows,
 * quotes changing from line to line, a comment's quoted word); else where pastGap ends (a short last piece).
 */
function pastBase64Gap(text: string, at: number, piece: number): number {
  const strict = pastGap(text, at, GAP, (k) => (VALUES[text.charCodeAt(k)] ?? NONE) !== NONE, piece);
  if (strict >= 0 && runOfValues(text, strict, MIN_LOOSE_PIECE) >= MIN_LOOSE_PIECE) return strict;
  const loose = pastLooseGap(text, at, at - piece);
  return loose >= 0 ? loose : strict;
}

/**
 * Base64 from `at`, across gaps; a partial quad at the end gives its whole bytes. Stops at padding, a character of
 * neither kind, or a longer gap. `end` takes the padding after the key's last quad (`=`, `==`, a gap before it too).
 */
export function base64Reader(text: string, at: number): Reader {
  return (want, out) => {
    let [n, end, quad, values, piece] = [0, at, 0, 0, at];
    const fits = evenPieces();
    for (let i = at; n < want && i < text.length; ) {
      const value = VALUES[text.charCodeAt(i)] ?? NONE;
      if (value === NONE) {
        if (!fits(i - piece)) break;
        i = pastBase64Gap(text, i, piece);
        if (i < 0) break;
        piece = i;
        continue;
      }
      quad = (quad << 6) | value;
      values += 1;
      i += 1;
      if (values === 1) continue;
      // Each value after a quad's first completes one byte (the 2nd, 3rd and 4th hold its bits' ends).
      const byte = values === 2 ? quad >>> 4 : values === 3 ? quad >>> 2 : quad;
      if (out !== undefined) out[n] = byte & 0xff;
      n += 1;
      end = i;
      if (values === 4) [quad, values] = [0, 0];
      else quad &= values === 2 ? 0x0f : 0x03;
      if (n === want && values > 0) {
        for (let pad = 0; pad < 4 - values; pad += 1) {
          const at = pastGap(text, end, GAP, (k) => text.charCodeAt(k) === 0x3d);
          if (at < 0) break;
          end = at + 1;
        }
      }
    }
    return { n, end };
  };
}

/** Where a hex token's digits start at `at` (after a `0x` or `\x` prefix), or -1 when no token starts there. */
export function hexTokenAt(text: string, at: number): number {
  const [a, b] = [text.charCodeAt(at), text.charCodeAt(at + 1)];
  if ((a === 0x30 && (b === 0x78 || b === 0x58)) || (a === 0x5c && b === 0x78)) {
    return isHexDigit(text.charCodeAt(at + 2)) ? at + 2 : -1;
  }
  return isHexDigit(a) ? at : -1;
}

/**
 * Hex from `at`, token after token across gaps (within a row of a dump only: `row`). `perToken`: a token of one
 * digit is a byte with its leading zero dropped (Python's `hex(4)` is `0x4`) and an odd token of more ends the read;
 * otherwise the digits run on over gaps (hex wrapped at any width). `single` tells whether a one-digit token was read.
 */
function readHex(
  text: string,
  at: number,
  want: number,
  perToken: boolean,
  gap: Uint8Array,
  out?: Uint8Array,
  base = 0,
): Read & { single: boolean } {
  let [n, end, high, single] = [0, at, -1, false];
  const fits = evenPieces();
  const emit = (byte: number, after: number) => {
    if (out !== undefined) out[base + n] = byte;
    n += 1;
    end = after;
  };
  for (let i = at; n < want; ) {
    const digits = hexTokenAt(text, i);
    if (digits < 0) break;
    // The token's digits as far as the bytes wanted only (a megabyte of hex is one token).
    let stop = digits;
    for (; n < want && stop < text.length && isHexDigit(text.charCodeAt(stop)); stop += 1) {
      const value = hexValue(text.charCodeAt(stop));
      if (high < 0) high = value;
      else {
        emit((high << 4) | value, stop + 1);
        high = -1;
      }
    }
    if (n >= want) break;
    const length = stop - digits;
    if (length === 1) single = true;
    if (perToken && high >= 0) {
      if (length !== 1) break; // an odd token of more than one digit
      emit(high, stop);
      high = -1;
    }
    if (stop >= text.length || (!perToken && !fits(length))) break;
    if (digits > i) stop = pastSuffix(text, stop);
    i = hexTokenAt(text, stop) >= 0 ? stop : pastGap(text, stop, gap, (k) => hexTokenAt(text, k) >= 0, digits);
    if (i < 0) break;
  }
  return { n, end, single };
}

/**
 * Past a prefixed hex literal's type suffix at `at` (Rust's `0x30u8`, `0x30_u8`, `0x30i8`; C's `0x30U`) when one ends
 * there (no letter or digit after it); else `at`.
 */
export function pastSuffix(text: string, at: number): number {
  let k = text.charCodeAt(at) === 0x5f ? at + 1 : at;
  const letter = text.charCodeAt(k) | 0x20;
  if (letter !== 0x75 && letter !== 0x69) return at;
  k += text.charCodeAt(k + 1) === 0x38 ? 2 : 1;
  return isAlnum(text.charCodeAt(k)) || (k === at + 1 && letter === 0x69) ? at : k;
}

function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}

/**
 * Hex from `at`: a dump's rows when `at` starts the hex of a row with an offset column and the next row's offset
 * says how many bytes a row holds; else digits running on over gaps, or bytes a token when a one-digit token is
 * among the first `probe` bytes (the version's `0x2, 0x1, 0x0` in Python's notation).
 */
export function hexReader(text: string, at: number, probe: number): Reader {
  const rows = dumpRows(text, at);
  if (rows !== undefined) return (want, out) => readRows(text, at, rows, want, out);
  const perToken = readHex(text, at, probe, false, HEX_GAP).single;
  return (want, out) => readHex(text, at, want, perToken, HEX_GAP, out);
}

/** Characters looked at around a dump row: before its hex (the offset column), and to its line's end. */
const ROW_REACH = 256;

/**
 * A dump row's offset column at `from` (`00000000: `, `00000000  `, `000000 `): its digits, its offset in hex and
 * where its hex starts.
 */
function rowAt(text: string, from: number): { digits: string; offset: number; hex: number } | undefined {
  let i = from;
  while (i - from < 8 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  const start = i;
  while (i - start <= 12 && isHexDigit(text.charCodeAt(i))) i += 1;
  if (i - start < 4 || i - start > 12) return undefined;
  const digits = text.slice(start, i);
  if (text.charCodeAt(i) === 0x3a) i += 1;
  const spaces = i;
  while (i - spaces < 4 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  return i > spaces ? { digits, offset: Number.parseInt(digits, 16), hex: i } : undefined;
}

/** Where the line after the one holding `at` starts, within ROW_REACH; -1 when none does. */
function nextLine(text: string, at: number): number {
  for (let i = at; i < text.length && i - at <= ROW_REACH; i += 1) if (text.charCodeAt(i) === 0x0a) return i + 1;
  return -1;
}

/**
 * How a dump row writes its bytes: hex bytes in order (`xxd`, `hexdump -C`, `od -t x1`), 16-bit little-endian words of
 * four hex digits (`hexdump`'s and `od -x`'s default on a little-endian machine), octal bytes of three digits (`od -b`),
 * 16-bit little-endian words of six octal digits (`od`'s default, `od -o`).
 */
export type Cells = 'bytes' | 'words' | 'octal' | 'octalWords';

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
  while (from > 0 && at - from <= 32 && text.charCodeAt(from - 1) !== 0x0a) from -= 1;
  const row = from === 0 || text.charCodeAt(from - 1) === 0x0a ? rowAt(text, from) : undefined;
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
  return from < at && (from === 0 || text.charCodeAt(from - 1) === 0x0a);
}

/** Whether only spaces or tabs stand between `at` and its line's end. */
function endsLine(text: string, at: number): boolean {
  let i = at;
  while (i - at < 8 && ROW_GAP[text.charCodeAt(i)] === 1) i += 1;
  return i >= text.length || text.charCodeAt(i) === 0x0a || text.charCodeAt(i) === 0x0d;
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
  if (cells === 'bytes') {
    // Hex offsets as the next row's says (xxd's character column may follow a row's hex); octal or decimal offsets
    // (od's default, `od -A d`) when the row holds exactly that many bytes.
    const bytes = second.offset - row.offset;
    if (bytes >= 1 && bytes <= 64 && readCells(text, at, bytes, cells).n === bytes) {
      return { offset: row.offset, bytes, radix: 16, cells };
    }
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

function isOctalDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x37;
}

/** A row's words or octal bytes from `at` (ROW_GAP between them), up to `want` bytes. */
function readCells(text: string, at: number, want: number, cells: Cells, out?: Uint8Array, base = 0): Read {
  if (cells === 'bytes') return readHex(text, at, want, false, ROW_GAP, out, base);
  const width = cells === 'words' ? 4 : cells === 'octal' ? 3 : 6;
  const isCell = cells === 'words' ? isHexDigit : isOctalDigit;
  const isWord = cells !== 'octal';
  let [n, end, i] = [0, at, at];
  const emit = (byte: number, after: number) => {
    if (out !== undefined) out[base + n] = byte;
    n += 1;
    end = after;
  };
  while (n < want) {
    let k = i;
    while (k - i < width && isCell(text.charCodeAt(k))) k += 1;
    if (k - i !== width || isAlnum(text.charCodeAt(k))) break;
    const value = Number.parseInt(text.slice(i, k), cells === 'words' ? 16 : 8);
    if (value > (isWord ? 0xffff : 0xff)) break;
    emit(value & 0xff, k);
    if (isWord && n < want) emit(value >>> 8, k);
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

/** A decimal byte at `at`: 1–3 digits, `-` before a signed one (−128…255), not part of a longer number or a word. */
function decimalAt(text: string, at: number): { value: number; end: number } | undefined {
  let i = text.charCodeAt(at) === 0x2d ? at + 1 : at;
  const digits = i;
  let value = 0;
  for (; i - digits <= 3 && isDigit(text.charCodeAt(i)); i += 1) value = value * 10 + text.charCodeAt(i) - 0x30;
  const after = text.charCodeAt(i);
  if (i === digits || i - digits > 3 || after === 0x2e || (after < 128 && isBase64Char(after))) return undefined;
  if (digits > at) value = -value;
  return value < -128 || value > 255 ? undefined : { value: value & 0xff, end: i };
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Decimal bytes from `at`, split by gaps (at least one character each: `48, 130, 4`, `[48,-126,4,…]`). */
export function decimalReader(text: string, at: number): Reader {
  return (want, out) => {
    let [n, end] = [0, at];
    for (let i = at; n < want; ) {
      const byte = decimalAt(text, i);
      if (byte === undefined) break;
      if (out !== undefined) out[n] = byte.value;
      n += 1;
      end = byte.end;
      i = pastGap(text, byte.end, GAP, (k) => k > byte.end && decimalAt(text, k) !== undefined);
      if (i < 0) break;
    }
    return { n, end };
  };
}
