// What stands between the pieces of a DER private key's notations (decode-der-notations.ts reads them): whitespace,
// quotes, list marks, brackets, a string concatenation's operator, a quoted piece's gap of anything, a base64 piece's
// gap of any text holding no long run of the alphabet. A gap is at most MAX_KEY_GAP characters (MAX_QUOTED_GAP between
// quoted or loose pieces) and is passed once, so each reader (Reader: the contract every notation keeps) stays linear.
import { base64Value, isBase64Char } from './decode-bytes.ts';

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
export const GAP = table(GAP_CHARS);
/** Between two hex tokens also `-` and `.` (`30-82-…`; in base64url `-` is a character, in decimals a sign). */
export const HEX_GAP = table(`${GAP_CHARS}-.`);
/** Inside a dump row: spaces and tabs only (hexdump -C's double space in the middle). */
export const ROW_GAP = table(' \t');
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
export function evenPieces(): (length: number) => boolean {
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

export function isAlnum(code: number): boolean {
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
 * (listMarkAt). When the piece before the gap is quoted (`piece`: where it starts, its opening quote before it, the
 * same quote at `at`), the gap runs to the next such quote before a piece within MAX_QUOTED_GAP, whatever it holds
 * but a long run of the alphabet (MIN_LOOSE_PIECE: a piece of its own).
 */
export function pastGap(text: string, at: number, gap: Uint8Array, next: (at: number) => boolean, piece = -1): number {
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
export const NONE = 0xff;
export const VALUES = Uint8Array.from({ length: 128 }, (_, code) => (isBase64Char(code) ? base64Value(code) : NONE));

/**
 * Fewest characters of a base64 piece after a gap of any text (`| 2 | `, `</li>⏎<li>`, `(2) `, `→ `, `// "x"⏎`):
 * shorter runs of the alphabet (`li`, `2`, `k`, `//`) are the gap's; a run this long starts the next piece.
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
export function pastBase64Gap(text: string, at: number, piece: number): number {
  const strict = pastGap(text, at, GAP, (k) => (VALUES[text.charCodeAt(k)] ?? NONE) !== NONE, piece);
  if (strict >= 0 && runOfValues(text, strict, MIN_LOOSE_PIECE) >= MIN_LOOSE_PIECE) return strict;
  const loose = pastLooseGap(text, at, at - piece);
  return loose >= 0 ? loose : strict;
}

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}
