// Lists of character codes as a view to decode: decimal codes (`65,75,73,65,…`: what `String.fromCharCode` takes),
// read as the ASCII they spell, bytes written in binary (`01000001 01001011 …`) or as one hex literal (`0x414b…`),
// read as their bytes, and one-character literals (`['A', 'K', …]`), read as the characters they hold. Invariant, as
// decode-escapes.ts's: every decoded unit records the run-local span of the digits it came from, and each character of
// the text is read a bounded number of times.
import { commentEnd } from './decode-code-operators.ts';
import { hexValue, type MappedText, numberAt } from './decode-escapes.ts';

/** Fewest codes in a list of decimal character codes: shorter lists of small numbers are mostly data. */
export const MIN_DECIMAL_CODES = 8;
/** Most separator characters between two codes (`, `, `,\n  ` between the items of an array). */
export const MAX_CODE_SEPARATOR = 4;

export function isCodeSeparator(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x2c || code === 0x3b;
}

/**
 * Whether text[from, to) separates two codes of one list: exactly one `,` or `;` with any whitespace (an array, also
 * written one item a line), or spaces and tabs only. A line break alone ends the list: the rows of a table of small
 * numbers (`37, 53, 0` then `38, 54, 1`) are read row by row, not as one list.
 */
export function separatesCodes(text: string, from: number, to: number): boolean {
  let marks = 0;
  let lineBreak = false;
  for (let k = from; k < to; k += 1) {
    const code = text.charCodeAt(k);
    if (code === 0x2c || code === 0x3b) marks += 1;
    else if (code !== 0x20 && code !== 0x09) lineBreak = true;
  }
  return marks === 1 || (marks === 0 && !lineBreak);
}

/** A character that glues onto a number and makes it something else than a code (a word, a decimal, a version). */
export function gluesToNumber(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x61 && code <= 0x7a) ||
    code === 0x2e ||
    code === 0x5f ||
    code === 0x2d
  );
}

/** The end of a printable ASCII code (2-3 decimal digits, 32-126) at `at`, standing alone; -1 when there is none. */
function codeAt(text: string, at: number): number {
  if (at > 0 && gluesToNumber(text.charCodeAt(at - 1))) return -1;
  const n = numberAt(text, at, 4, 10);
  if (n.length < 2 || n.length > 3 || n.value < 32 || n.value > 126) return -1;
  return gluesToNumber(text.charCodeAt(at + n.length)) ? -1 : at + n.length;
}

/**
 * Runs of at least MIN_DECIMAL_CODES printable ASCII codes (32-126) split by up to MAX_CODE_SEPARATOR of whitespace,
 * `,` and `;` (separatesCodes: `65,75,73,65,…`, `[65, 75, 73, …]`, `65 75 73 …`), each decoded to its character mapped
 * to its own digits; `next` skips to the next place a run may start. Linear: a run that fails is not read again.
 */
export function decimalCodeRuns(
  text: string,
  add: (from: number, end: number, decoded: MappedText) => void,
  next: (from: number) => number,
): void {
  for (let i = next(0); i < text.length; ) {
    let end = codeAt(text, i);
    if (end < 0) {
      i = next(i + 1);
      continue;
    }
    const tokens = [i, end];
    for (;;) {
      let at = end;
      while (at < text.length && at - end <= MAX_CODE_SEPARATOR && isCodeSeparator(text.charCodeAt(at))) at += 1;
      const apart = at > end && at - end <= MAX_CODE_SEPARATOR && separatesCodes(text, end, at);
      const after = apart ? codeAt(text, at) : -1;
      if (after < 0) break;
      tokens.push(at, after);
      end = after;
    }
    if (tokens.length / 2 >= MIN_DECIMAL_CODES) {
      const count = tokens.length / 2;
      const starts = new Int32Array(count);
      const ends = new Int32Array(count);
      let decoded = '';
      for (let k = 0; k < count; k += 1) {
        const from = tokens[2 * k] as number;
        const to = tokens[2 * k + 1] as number;
        decoded += String.fromCharCode(numberAt(text, from, 3, 10).value);
        starts[k] = from - i;
        ends[k] = to - i;
      }
      add(i, end, { text: decoded, starts, ends });
    }
    i = next(end);
  }
}

/**
 * Fewest bytes in a run of bytes written in binary (`01000001 01001011 …`: eight binary digits a byte, or seven a
 * character as most text-to-binary converters print ASCII: `1000001 1001011 …`).
 */
export const MIN_BINARY_BYTES = 4;
/** Where a run of bytes in binary may start: a byte and a separator (one regular expression a text, linear). */
const BINARY_BYTE_START = /[01]{7,8}[\t-\r ,;]/g;

/** Whether text[from, to) separates two bytes in binary: whitespace (a line break too) with at most one `,` or `;`. */
function separatesBytes(text: string, from: number, to: number): boolean {
  let marks = 0;
  for (let k = from; k < to; k += 1) if (text.charCodeAt(k) === 0x2c || text.charCodeAt(k) === 0x3b) marks += 1;
  return marks <= 1;
}

/** Whether the `width` characters at `at` are binary digits. */
function isBinaryByteAt(text: string, at: number, width: number): boolean {
  for (let k = 0; k < width; k += 1) {
    const code = text.charCodeAt(at + k);
    if (code !== 0x30 && code !== 0x31) return false;
  }
  return true;
}

/**
 * Runs of at least MIN_BINARY_BYTES bytes written in binary (eight digits each, or seven each: `xxd -b`'s cells, a
 * "decode this" puzzle, one a line), apart by up to MAX_CODE_SEPARATOR of whitespace, `,` and `;` (one of those at
 * most), the first not glued after a letter or digit, each decoded to the character of its byte (Latin-1) mapped to
 * its own digits. Linear: a run is read once and the search goes on after it.
 */
export function binaryByteRuns(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  const search = new RegExp(BINARY_BYTE_START.source, 'g');
  for (let m = search.exec(text); m !== null; m = search.exec(text)) {
    const i = m.index;
    if (i > 0 && gluesToNumber(text.charCodeAt(i - 1))) continue;
    const width = m[0].length - 1; // every byte of a run as wide as its first
    const tokens = [i];
    let end = i + width;
    for (;;) {
      let at = end;
      while (at < text.length && at - end <= MAX_CODE_SEPARATOR && isCodeSeparator(text.charCodeAt(at))) at += 1;
      const apart = at > end && at - end <= MAX_CODE_SEPARATOR && separatesBytes(text, end, at);
      if (!apart || !isBinaryByteAt(text, at, width) || gluesToNumber(text.charCodeAt(at + width))) break;
      tokens.push(at);
      end = at + width;
    }
    search.lastIndex = end;
    if (tokens.length < MIN_BINARY_BYTES || gluesToNumber(text.charCodeAt(end))) continue;
    const starts = new Int32Array(tokens.length);
    const ends = new Int32Array(tokens.length);
    let decoded = '';
    tokens.forEach((from, k) => {
      decoded += String.fromCharCode(Number.parseInt(text.slice(from, from + width), 2));
      starts[k] = from - i;
      ends[k] = from + width - i;
    });
    add(i, end, { text: decoded, starts, ends });
  }
}

/** Fewest bytes of printable ASCII in a stretch of hex literals read (hexLiteralRuns). */
const MIN_HEX_LITERAL_BYTES = 8;
/**
 * A hex literal with its prefix, `0x` (C, Rust, Solidity, MySQL's and SQL Server's `SELECT 0x…`, Ethereum calldata) or
 * PostgreSQL's bytea `\x`, and an integer type's suffix if any (C's `U`, `L`, `UL`, `ULL`, `LLU`; Rust's `u64`,
 * `_u8`, `i32`, `usize`), not glued to a name before or after it. Its digits may hold one digit separator between two
 * digits (Rust's, Java's, C#'s and Python's `_`: `0x6177_7320`, `0x_61`; C++14's `'`: `0x6177'7320`).
 */
const HEX_LITERAL =
  /(?<![0-9A-Za-z_$])(?:0[xX]_?|\\x)([0-9A-Fa-f]+(?:[_'][0-9A-Fa-f]+)*)([uU][lL]{0,2}|[lL]{1,2}[uU]?|_?[uUiI](?:8|16|32|64|128|size))?(?![0-9A-Za-z_$])/g;
/** Most characters between two literals of a list besides its comments: `, ` and a line break with its indentation. */
const MAX_HEX_LITERAL_GAP = 24;
/** Most comments between two literals of a list (a line comment after the `,`, a block comment either side of it). */
const MAX_GAP_COMMENTS = 2;
/** Widths in bytes of the words a memory dump may hold last byte first (16-, 32- and 64-bit words on x86). */
const WORD_BYTES = new Set([2, 4, 8]);

/** A hex literal of a list: the offset of each of its digits (separators left out), whether it has a type's suffix. */
interface HexLiteral {
  digits: number[];
  bytes: number;
  suffixed: boolean;
  /** Whether a comment lies between it and the literal before it. */
  commented: boolean;
}

/** A byte of text: printable ASCII, a tab or a line break. */
function isTextByte(byte: number): boolean {
  return (byte >= 0x20 && byte < 0x7f) || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

/**
 * The bytes of a list of hex literals, each with the text offset of its two digits: in the order written, or with
 * each literal's bytes last to first (a little-endian word).
 */
function literalBytes(text: string, list: readonly HexLiteral[], littleEndian: boolean) {
  const count = list.reduce((sum, literal) => sum + literal.bytes, 0);
  const values = new Uint8Array(count);
  const at = new Int32Array(count);
  const to = new Int32Array(count);
  let n = 0;
  for (const literal of list) {
    for (let b = 0; b < literal.bytes; b += 1, n += 1) {
      const pair = 2 * (littleEndian ? literal.bytes - 1 - b : b);
      const [high, low] = [literal.digits[pair] as number, literal.digits[pair + 1] as number];
      values[n] = (hexValue(text.charCodeAt(high)) << 4) | hexValue(text.charCodeAt(low));
      at[n] = high;
      to[n] = low + 1;
    }
  }
  return { values, at, to };
}

/** Each stretch of MIN_HEX_LITERAL_BYTES or more bytes of text, decoded to its characters mapped to their digits. */
function addTextStretches(
  { values, at, to }: { values: Uint8Array; at: Int32Array; to: Int32Array },
  add: (from: number, end: number, decoded: MappedText) => void,
): void {
  for (let k = 0; k < values.length; ) {
    let end = k;
    while (end < values.length && isTextByte(values[end] as number)) end += 1;
    if (end - k >= MIN_HEX_LITERAL_BYTES) {
      // Little-endian words write a stretch's bytes out of order: it spans its first to its last digit in the text.
      let [from, last, decoded] = [Number.POSITIVE_INFINITY, 0, ''];
      for (let b = k; b < end; b += 1) {
        from = Math.min(from, at[b] as number);
        last = Math.max(last, to[b] as number);
        decoded += String.fromCharCode(values[b] as number);
      }
      add(from, last, {
        text: decoded,
        starts: at.slice(k, end).map((d) => d - from),
        ends: to.slice(k, end).map((d) => d - from),
      });
    }
    k = end + 1;
  }
}

/**
 * A list of hex literals (hexLiteralRuns) read: in the order written when a literal holds more than 4 bytes, has a
 * type's suffix or a comment between it and the next (shorter plain ones apart by separators only are
 * separatedHexRuns' tokens), and as little-endian words when two or more of
 * 2, 4 or 8 bytes make it (a memory dump pasted as a C array: `{0x20737761, …}`).
 */
function readLiterals(
  text: string,
  list: readonly HexLiteral[],
  add: (from: number, end: number, decoded: MappedText) => void,
): void {
  const width = (list[0] as HexLiteral).bytes;
  if (width > 4 || list.some((l) => l.suffixed || l.commented)) addTextStretches(literalBytes(text, list, false), add);
  if (list.length >= 2 && WORD_BYTES.has(width)) addTextStretches(literalBytes(text, list, true), add);
}

/**
 * Hex literals with their prefix (`0x414b…`, `\x414b…`, `0x414b4941ULL`) alone or in lists of one width apart by one
 * `,` or `;` with whitespace or by blanks (the last literal may be shorter), each stretch of MIN_HEX_LITERAL_BYTES or
 * more bytes of text in a list (the whole literal when it is text; the strings ABI-encoded calldata holds between its
 * words of zeros) decoded to its characters, each mapped to its own two digits. Linear: one regular expression search,
 * each literal read once in order and once more as a little-endian word.
 */
export function hexLiteralRuns(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  const search = new RegExp(HEX_LITERAL.source, 'g');
  let list: HexLiteral[] = [];
  let end = -1;
  for (let m = search.exec(text); m !== null; m = search.exec(text)) {
    const written = m[1] as string;
    const digits = digitOffsets(written, m.index + m[0].length - written.length - (m[2]?.length ?? 0));
    const literal = { digits, bytes: digits.length / 2 };
    if (digits.length % 2 !== 0) {
      if (list.length > 0) readLiterals(text, list, add);
      [list, end] = [[], -1];
      continue;
    }
    const width = list[0]?.bytes ?? 0;
    const gap =
      list.length > 0 && (list[list.length - 1] as HexLiteral).bytes === width && literal.bytes <= width
        ? gapKind(text, end, m.index)
        : 'none';
    const joins = gap !== 'none';
    if (!joins && list.length > 0) readLiterals(text, list, add);
    if (!joins) list = [];
    end = m.index + m[0].length;
    list.push({ ...literal, suffixed: m[2] !== undefined, commented: gap === 'commented' });
  }
  if (list.length > 0) readLiterals(text, list, add);
}

/** The offsets of a literal's hex digits written from `at` (`written`: digits and separators), separators left out. */
function digitOffsets(written: string, at: number): number[] {
  const offsets: number[] = [];
  for (let k = 0; k < written.length; k += 1) if (written[k] !== '_' && written[k] !== "'") offsets.push(at + k);
  return offsets;
}

/**
 * What text[from, to) is: the gap between two literals of a list (`commented` when it holds a comment), or `none`: separator characters (MAX_HEX_LITERAL_GAP at most, one
 * `,` or `;` with any whitespace, or blanks: separatesCodes' way) and up to MAX_GAP_COMMENTS comments (commentEnd: a
 * line comment up to its line break; a block comment). Bounded: a walk of at most MAX_HEX_LITERAL_GAP +
 * MAX_GAP_COMMENTS * MAX_COMMENT characters.
 */
function gapKind(text: string, from: number, to: number): 'none' | 'plain' | 'commented' {
  if (to <= from) return 'none';
  let [marks, lineBreak, comments, separators] = [0, false, 0, 0];
  for (let k = from; k < to; ) {
    const comment = comments < MAX_GAP_COMMENTS ? commentEnd(text, k) : k;
    if (comment > k) {
      [k, comments] = [comment, comments + 1];
      continue;
    }
    const code = text.charCodeAt(k);
    if (!isCodeSeparator(code) || ++separators > MAX_HEX_LITERAL_GAP) return 'none';
    if (code === 0x2c || code === 0x3b) marks += 1;
    else if (code !== 0x20 && code !== 0x09) lineBreak = true;
    k += 1;
  }
  if (marks > 1 || (marks === 0 && lineBreak)) return 'none';
  return comments > 0 ? 'commented' : 'plain';
}

/** Fewest one-character literals in a list read as the text they spell (charLiteralRuns). */
const MIN_CHAR_LITERALS = 8;
/** Where a list of one-character literals may start: a quoted character (no quote, backslash or line break). */
const CHAR_LITERAL = /(['"])[^'"\\\r\n]\1/g;
/** Most characters between two literals: `, ` and a line break with its indentation. */
const MAX_LITERAL_SEPARATOR = 24;

/**
 * Lists of MIN_CHAR_LITERALS or more one-character literals quoted alike and apart by one `,` with any whitespace
 * (Python's `list(value)` prints `['A', 'K', 'I', …]`, a C or Java `char[]` is written `{'A', 'K', …}`, a JSON array
 * `["A", "K", …]`), each read as its character mapped to itself. Linear: a list is read once, the search goes on
 * after it.
 */
export function charLiteralRuns(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  const search = new RegExp(CHAR_LITERAL.source, 'g');
  for (let m = search.exec(text); m !== null; m = search.exec(text)) {
    const quote = text.charCodeAt(m.index);
    const tokens = [m.index + 1];
    let end = m.index + 3;
    for (;;) {
      let at = end;
      while (at - end <= MAX_LITERAL_SEPARATOR && isCodeSeparator(text.charCodeAt(at))) at += 1;
      const apart =
        at - end <= MAX_LITERAL_SEPARATOR && text.slice(end, at).includes(',') && separatesCodes(text, end, at);
      if (!apart || text.charCodeAt(at) !== quote || text.charCodeAt(at + 2) !== quote) break;
      const code = text.charCodeAt(at + 1);
      if (code === quote || code === 0x5c || code === 0x0a || code === 0x0d) break;
      tokens.push(at + 1);
      end = at + 3;
    }
    search.lastIndex = end;
    if (tokens.length < MIN_CHAR_LITERALS) continue;
    const from = tokens[0] as number;
    const starts = new Int32Array(tokens.length);
    const ends = new Int32Array(tokens.length);
    let decoded = '';
    tokens.forEach((at, k) => {
      decoded += text[at];
      starts[k] = at - from;
      ends[k] = at + 1 - from;
    });
    add(from, (tokens[tokens.length - 1] as number) + 1, { text: decoded, starts, ends });
  }
}
