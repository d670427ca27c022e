// What stands between two base64 groups of a run (decode-groups.ts): on one line, blanks, a mark (`.`, `:`) or two
// string literals' quotes (escaped or not, a prefix letter before the next: `","`, `\",\"`, `" b"`); across a line
// break, the same wrap on every line (LineWrap: marks after a line's group, marks before the next line's, and a word or
// a line number among them: `REM `, `10 `, `1. `). Read forwards (groupRuns) and backwards (a stream's hold).
// Invariants: every separator is read in a bounded number of characters (MAX_HELD_PREFIX, MAX_QUOTE_GAP, MAX_LABEL).
import { isBase64Char, lineBreakAt } from './decode-bytes.ts';
import { commentEnd, commentStart, isPrefixChar, MAX_HELD_PREFIX, marksEnd } from './decode-line-marks.ts';

/**
 * Most marks in a line prefix (punctuation but `>`): `# `, `// `, ` * `, `- `, `-- `, `;; ` and their like, under any
 * indentation. More is a line of punctuation (a rule, ASCII art), no prefix a run's lines share.
 */
const MAX_PREFIX_MARKS = 8;

/** Most characters of a word or a line number before each line's group (`REM `, `dnl `, `10 `, `0042 `). */
const MAX_LABEL = 8;

/** Most letters of a string literal's prefix (Python's `b"…"`, `rb"…"`, C++'s `u8"…"`, C#'s `@"…"`, SQL's `N'…'`). */
const MAX_LITERAL_PREFIX = 2;

/** A label that is any line number (digits) rather than one word the same on each line. */
const LINE_NUMBER = '#';

/** A blank (space, tab) or a mail reply's quote mark `>`: any number of them may be a line's prefix. */
function isBlankOrQuote(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x3e;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** An ASCII letter or digit. */
function isAlphanumeric(code: number): boolean {
  return isDigit(code) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
}

/** Whether `line` (prefix characters) is a prefix a run's lines may share: at most MAX_PREFIX_MARKS marks. */
export function isLinePrefix(line: string): boolean {
  let marks = 0;
  for (let at = 0; at < line.length; at += 1) if (!isBlankOrQuote(line.charCodeAt(at))) marks += 1;
  return marks <= MAX_PREFIX_MARKS;
}

/**
 * How a run's lines are wrapped, read at its first line break: what follows each line's group before the break (a
 * string literal's closing quote and operator `" +`, `' .`, a table cell's ` |`, a shell line's `\\`, a space) and what
 * precedes the next line's group (indentation, `> `, `# `, `// `, ` * `, `- `, `| `, an opening quote), and in it a
 * label: a word the same on each line (a batch file's `REM `) or a line number (`10 `, `1. `), then `tail`, blanks and
 * marks. Each part is blanks and at most MAX_PREFIX_MARKS marks (isLinePrefix), up to MAX_HELD_PREFIX characters.
 */
export interface LineWrap {
  suffix: string;
  prefix: string;
  /** '' (none), LINE_NUMBER (any digits) or the word. */
  label: string;
  tail: string;
  /** The label's reading forwards (labelledWrap): its digits any digits, a log level any level, the rest as written. */
  pattern?: RegExp;
  /** The suffix's reading forwards when it holds digits (`  # part 1`): its digits any digits (familyPattern). */
  suffixPattern?: RegExp;
  /** Empty lines after the line break (MAX_BLANK_LINES at most): lines double-spaced, the same between each two. */
  blank: number;
  /**
   * Marks in the alphabet (`//`, `--`, `+`) both before the next line's group and opening the first line's: how many
   * of the first group's characters are the prefix's (`//QUJD…` under `//SktM…`), when read so (groupRuns reads both).
   */
  shift: number;
}

function alphabetEnd(text: string, at: number): number {
  let end = at;
  while (end < text.length && isBase64Char(text.charCodeAt(end))) end += 1;
  return end;
}

/**
 * The LineWrap of a line break after a group of `width` that starts at `start` and ends at `at` (its suffix, the
 * break, the next line's prefix), or undefined. `shifted`: read the alphabet's marks ending the next line's prefix
 * as the prefix's when the first group opens with them too (else they are the group's, as alphabetEnd reads it).
 */
export function wrapAt(text: string, start: number, at: number, shifted: boolean): LineWrap | undefined {
  if (text.charCodeAt(at) === 0x3d) return undefined; // padding: the group is a run's last
  const width = at - start;
  const marks = marksEnd(text, at);
  if (marks < 0 || !isLinePrefix(text.slice(at, marks))) return undefined;
  const brk = lineBreakAt(text, marks) > 0 ? marks : commentEnd(text, at, marks);
  const breakLength = brk < 0 ? 0 : lineBreakAt(text, brk);
  if (breakLength === 0) return undefined;
  let lineStart = brk + breakLength;
  let blank = 0;
  for (; blank < MAX_BLANK_LINES && blankLineAt(text, lineStart) > 0; blank += 1)
    lineStart += blankLineAt(text, lineStart);
  const end = marksEnd(text, lineStart);
  if (end < 0) return undefined;
  const suffix = text.slice(at, brk);
  // A group may open with `+`, `/`, `-` or `_`: those right before it are the group's, not the prefix's, unless the
  // first group opens with them too (`//` with no space, as C, Go and JavaScript comments are written).
  let groupStart = end;
  while (groupStart > lineStart && isBase64Char(text.charCodeAt(groupStart - 1))) groupStart -= 1;
  const opening = text.slice(groupStart, end);
  if (shifted) {
    if (opening.length === 0 || opening.length >= width || !text.startsWith(opening, start)) return undefined;
    groupStart = end;
  }
  const prefix = text.slice(lineStart, groupStart);
  if (!isLinePrefix(prefix)) return undefined;
  const suffixPattern = /[0-9]/.test(suffix) ? new RegExp(familyPattern(suffix), 'y') : undefined;
  const wrap = { suffix, prefix, label: '', tail: '', shift: shifted ? opening.length : 0, blank, suffixPattern };
  const groupEnd = alphabetEnd(text, groupStart);
  // A group shorter than the line's (`REM`, `10`) or longer with a `-` in it (a timestamp's `2026-12-07T19`: `-` is in
  // the alphabet), and not padded, may be a label: words and numbers, blanks and marks.
  const first = groupEnd - groupStart;
  if (first === width - wrap.shift || text.charCodeAt(groupEnd) === 0x3d) return wrap;
  if (first > width - wrap.shift && !text.slice(groupStart, groupEnd).includes('-')) return wrap;
  return labelledWrap(text, groupStart, width - wrap.shift, wrap) ?? wrap;
}

/** Most empty lines between two lines of a run (`REM …`, an empty line, `REM …`). */
const MAX_BLANK_LINES = 2;

/** Most blanks on an empty line (an editor's indentation left on it). */
const MAX_BLANK_WIDTH = 16;

/** The length of an empty line at `at` (up to MAX_BLANK_WIDTH blanks, a line break), or 0. */
function blankLineAt(text: string, at: number): number {
  let end = at;
  while (end - at < MAX_BLANK_WIDTH && (text.charCodeAt(end) === 0x20 || text.charCodeAt(end) === 0x09)) end += 1;
  const brk = lineBreakAt(text, end);
  return brk === 0 ? 0 : end + brk - at;
}

/** A log line's levels: a label's level may be any of them on the next lines (`INFO`, then `WARN`). */
const LEVELS = 'TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRIT|CRITICAL';
const LEVEL = new RegExp(`\\b(?:${LEVELS}|${LEVELS.toLowerCase()})\\b`, 'g');

/**
 * A pattern of `text` as a family of its lines (a label, a comment): its digits any digits (line numbers, a part's
 * number, a timestamp, a counter), its log level any level, the rest as written. Bounded quantifiers and literal
 * alternatives only: linear in the text read.
 */
function familyPattern(text: string): string {
  return text
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/[0-9]+/g, `[0-9]{1,${MAX_LABEL}}`)
    .replace(LEVEL, (word) => `(?:${word === word.toLowerCase() ? LEVELS.toLowerCase() : LEVELS})`);
}

/** Most characters of a label before a line's group (`REM `, `10 REM `, `part 1: `, a log line's time and level). */
const MAX_LABEL_CHARS = 32;

/**
 * `wrap` with the label at `at` (up to MAX_LABEL_CHARS characters on the line, ending in a blank or a mark) when a group
 * of `width` follows it, else undefined. The label's digits are any
 * digits on the next lines (line numbers, a part's number, a timestamp), the rest the same on each.
 */
function labelledWrap(text: string, at: number, width: number, wrap: LineWrap): LineWrap | undefined {
  let letters = 0; // the label's current run of letters and digits
  for (let g = at + 1; g - at <= MAX_LABEL_CHARS; g += 1) {
    const code = text.charCodeAt(g);
    if (Number.isNaN(code) || code === 0x0a || code === 0x0d) return undefined;
    const before = text.charCodeAt(g - 1);
    letters = isAlphanumeric(before) ? letters + 1 : 0;
    // A word as long as a group and longer than a label's (`echo QUJD… # part1` under `notes:`) is a line's own group:
    // a label over it would read the groups after it (`part1`) and step past it.
    if (letters > MAX_LABEL && letters >= width) return undefined;
    // A label is printable ASCII (`10 REM `, `part 1: `, `print("`), as the candidate search's tokens are
    // (decode-candidates.ts GROUP_SEPARATOR): `é ` before a line's group is no label of it.
    if (before < 0x20 || before > 0x7e) return undefined;
    if (!isBase64Char(code) || isBase64Char(before) || !isPrefixChar(before)) continue;
    // A full group only: a shorter one after a label may be the run's last group and a word (`IG9r) y`).
    if (alphabetEnd(text, g) - g !== width) continue;
    const source = familyPattern(text.slice(at, g));
    return { ...wrap, label: source, tail: '', pattern: new RegExp(source, 'y') };
  }
  return undefined;
}

/** The length of `wrap`'s suffix, a line break, its prefix, label and tail at `at`, or 0. */
export function wrappedAt(text: string, at: number, wrap: LineWrap): number {
  const suffix = familyAt(text, at, wrap.suffix, wrap.suffixPattern);
  if (suffix < 0) return 0;
  let from = at + suffix;
  const brk = lineBreakAt(text, from);
  if (brk === 0) return 0;
  from += brk;
  for (let line = 0; line < wrap.blank; line += 1) {
    const empty = blankLineAt(text, from);
    if (empty === 0) return 0;
    from += empty;
  }
  if (!text.startsWith(wrap.prefix, from)) return 0;
  from += wrap.prefix.length;
  const label = wrap.pattern === undefined ? 0 : familyAt(text, from, '', wrap.pattern);
  if (label < 0) return 0;
  from += label;
  return text.startsWith(wrap.tail, from) ? from + wrap.tail.length - at : 0;
}

/** Most characters between two quoted literals on one line (blanksAt): `", "`, `" + "`, `' || '`. */
const MAX_QUOTE_GAP = 4;

/** `"`, `'` or a backtick. */
function isQuote(code: number): boolean {
  return code === 0x22 || code === 0x27 || code === 0x60;
}

/** What may stand between two literals on one line: a space, `,`, `+`, `.`, `|`, `<`, `&` (blanksAt). */
function isQuoteGap(code: number): boolean {
  return (
    code === 0x20 || code === 0x2c || code === 0x2b || code === 0x2e || code === 0x7c || code === 0x3c || code === 0x26
  );
}

/** A literal's prefix letter (`b`, `u8`, `@`, `$`, `N`): letters, digits, `@`, `$`. */
function isLiteralPrefix(code: number): boolean {
  return isAlphanumeric(code) || code === 0x40 || code === 0x24;
}

/** Whether the text from `at` to its end is a literal's prefix letters. */
function isLiteralPrefixText(text: string, at: number): boolean {
  for (let k = at; k < text.length; k += 1) if (!isLiteralPrefix(text.charCodeAt(k))) return false;
  return true;
}

/** A quote at `at`, escaped by up to 3 backslashes before it (`\"` in a JSON string, `\\\"` in one inside another). */
function quoteTokenAt(text: string, at: number): number {
  let end = at;
  while (end - at < 3 && text.charCodeAt(end) === 0x5c) end += 1;
  return isQuote(text.charCodeAt(end)) ? end + 1 - at : 0;
}

/** One mark between two groups on one line (`QUJD.REVG`, `QUJD:REVG`): a grouped serial's or a key's separator. */
function isGroupMark(code: number): boolean {
  return code === 0x2e || code === 0x3a;
}

/**
 * The length of a separator on one line at `at`: one to three spaces or a tab; one `.` or `:` before a group; or a
 * closing quote (escaped or not: `\"`), up to MAX_QUOTE_GAP of ` `, `,`, `+`, `.`, `|`, `<`, `&`, a literal's prefix
 * letters (`b`, `u8`) and the same quote opening the next literal (a JSON array's `","`, one inside a JSON string's
 * `\",\"`, `' + '`, Python's `" "` and `b" b"`, SQL's `' || '`, Ruby's `" << "`, Visual Basic's `" & "`); else 0.
 */
export function blanksAt(text: string, at: number): number {
  const code = text.charCodeAt(at);
  if (code === 0x09) return 1;
  if (isGroupMark(code)) return isBase64Char(text.charCodeAt(at + 1)) ? 1 : 0;
  const quote = quoteTokenAt(text, at);
  if (quote > 0) {
    let end = at + quote;
    while (end - at - quote < MAX_QUOTE_GAP && isQuoteGap(text.charCodeAt(end))) end += 1;
    const letters = end;
    while (end - letters < MAX_LITERAL_PREFIX && isLiteralPrefix(text.charCodeAt(end))) end += 1;
    return text.startsWith(text.slice(at, at + quote), end) ? end + quote - at : 0;
  }
  let spaces = 0;
  while (spaces < 3 && text.charCodeAt(at + spaces) === 0x20) spaces += 1;
  return spaces;
}

/**
 * The separator between two groups that ends at `at` (a group's start; wrappedAt's or blanksAt's), as [its length, its
 * LineWrap], or [0]. A line break's wrap must be `wrap` when that is known. At the end of the text a separator may be
 * arriving still: a line break's prefix (`\n  "`), a CRLF's CR, or a suffix before its line break (`" +`); any is taken
 * there, and no wrap given. `labelled`: a line break's prefix holds a label (`REM `, `10 `) before the group.
 */
export function separatorBefore(
  text: string,
  at: number,
  wrap: LineWrap | undefined,
  labelled = false,
): [number, LineWrap?] {
  let from = at;
  while (from > 0 && at - from < MAX_HELD_PREFIX && isPrefixChar(text.charCodeAt(from - 1))) from -= 1;
  let label = '';
  let tail = '';
  let prefixEnd = at;
  if (labelled) {
    tail = text.slice(from, at);
    if (!/[\t ]/.test(tail)) return [0];
    prefixEnd = from;
    while (from > 0 && prefixEnd - from < MAX_LABEL && isAlphanumeric(text.charCodeAt(from - 1))) from -= 1;
    if (from === prefixEnd) return [0];
    const word = text.slice(from, prefixEnd);
    label = /^[0-9]+$/.test(word) ? LINE_NUMBER : word;
    prefixEnd = from;
    while (from > 0 && prefixEnd - from < MAX_HELD_PREFIX && isPrefixChar(text.charCodeAt(from - 1))) from -= 1;
  }
  const code = text.charCodeAt(from - 1);
  // A last group of a literal's prefix letters (`" b`, `" u8`) may be the next literal's opening still arriving.
  const arriving = at === text.length || (text.length - at <= MAX_LITERAL_PREFIX && isLiteralPrefixText(text, at));
  if (code !== 0x0a && !(code === 0x0d && from === text.length)) {
    if (labelled) return [0];
    // No line break: two literals' quotes, one to three spaces, a tab or a mark after the group's last character, or
    // a suffix still arriving.
    const quote = quoteSeparatorBefore(text, at);
    if (quote > 0) return [quote];
    if (arriving) {
      const comment = at === text.length ? commentStart(text, at, true) : -1;
      if (comment >= 0) return [at - comment];
      const start = suffixStart(text, at);
      return isLinePrefix(text.slice(start, at)) ? [at - start] : [0];
    }
    if (isGroupMark(text.charCodeAt(at - 1))) return [1];
    let blanks = at;
    while (blanks > from && at - blanks < 3 && text.charCodeAt(blanks - 1) === 0x20) blanks -= 1;
    if (blanks === at && text.charCodeAt(at - 1) === 0x09) blanks -= 1;
    return [at - blanks];
  }
  const prefix = code === 0x0a ? text.slice(from, prefixEnd) : '';
  let lineEnd = from - (code === 0x0d ? 1 : text.charCodeAt(from - 2) === 0x0d ? 2 : 1);
  let blank = 0;
  for (; blank < MAX_BLANK_LINES; blank += 1) {
    let empty = lineEnd;
    while (empty > 0 && lineEnd - empty < MAX_BLANK_WIDTH && /[\t ]/.test(text.charAt(empty - 1))) empty -= 1;
    if (empty === 0 || text.charCodeAt(empty - 1) !== 0x0a) break;
    lineEnd = empty - (text.charCodeAt(empty - 2) === 0x0d ? 2 : 1);
  }
  const comment = commentStart(text, lineEnd, false);
  const start = comment >= 0 ? comment : suffixStart(text, lineEnd);
  const suffix = text.slice(start, lineEnd);
  if ((comment < 0 && !isLinePrefix(suffix)) || !isLinePrefix(prefix)) return [0];
  if (arriving) return [at - start];
  const found = { suffix, prefix, label, tail, shift: 0, blank };
  if (wrap !== undefined && !sameWrap(wrap, found)) return [0];
  return [at - start, found];
}

/** The length of `literal` at `at`, or of `pattern`'s match there when given; -1 when neither is there. */
function familyAt(text: string, at: number, literal: string, pattern: RegExp | undefined): number {
  if (pattern === undefined) return text.startsWith(literal, at) ? literal.length : -1;
  pattern.lastIndex = at;
  const found = pattern.exec(text);
  return found === null ? -1 : found[0].length;
}

/** Whether two wraps read at two line breaks are one (a line number's and a suffix's digits aside). */
function sameWrap(a: LineWrap, b: LineWrap): boolean {
  return (
    a.suffix.replace(/[0-9]+/g, '0') === b.suffix.replace(/[0-9]+/g, '0') &&
    a.prefix === b.prefix &&
    a.label === b.label &&
    a.tail === b.tail &&
    a.blank === b.blank
  );
}

/**
 * The length of a separator between two literals that ends at `at` (blanksAt's, read backwards): the opening quote
 * (escaped or not) and a prefix's letters before `at`, the gap, and the same closing quote; 0 when there is none.
 */
function quoteSeparatorBefore(text: string, at: number): number {
  if (!isQuote(text.charCodeAt(at - 1))) return 0;
  let open = at - 1;
  while (open > 0 && at - 1 - open < 3 && text.charCodeAt(open - 1) === 0x5c) open -= 1;
  const token = text.slice(open, at);
  for (let letters = 0; letters <= MAX_LITERAL_PREFIX; letters += 1) {
    let gap = open - letters;
    if (letters > 0 && !isLiteralPrefix(text.charCodeAt(gap))) break;
    while (gap > 0 && open - letters - gap < MAX_QUOTE_GAP && isQuoteGap(text.charCodeAt(gap - 1))) gap -= 1;
    if (gap >= token.length && text.startsWith(token, gap - token.length)) return at - gap + token.length;
  }
  return 0;
}

/**
 * Where the suffix that ends at `at` starts (wrapAt's, read backwards): past the prefix characters before `at`, then
 * forward past the alphabet's (a group's last `+`, `/`, `-` or `_` is the group's, as alphabetEnd reads it).
 */
function suffixStart(text: string, at: number): number {
  let start = at;
  while (start > 0 && at - start < MAX_HELD_PREFIX && isPrefixChar(text.charCodeAt(start - 1))) start -= 1;
  while (start < at && isBase64Char(text.charCodeAt(start))) start += 1;
  return start;
}
