// What separates digit groups for the digits view (digit-view.ts): the separator characters (spaces, dots, slashes,
// dashes of every script, marks such as `|` and `+`, and the backslash escapes naming whitespace that a JSON text or a
// C string writes: `\n`, `\t`, `\r`), and how long a separator run may be. The runs read as one number (single
// digits spaced or listed, a number regrouped in short groups) are in digit-runs.ts. Pure functions of the text; each
// scan reads a character a bounded number of times.

import { escapeAt, hexValue } from './decode-escapes.ts';
import { isDroppedCharacter } from './normalize.ts';

/** A separator run longer than this between two digits is not a separator: the digits stay apart. */
export const MAX_SEPARATOR_RUN = 8;

/** Most digits in a group of a regrouped number (`41 11 11 …`, `378 282 246 …`): card layouts have groups of four. */
export const MAX_SHORT_GROUP = 3;
/** Digits a run of short groups must hold to be read as one number: a card's lengths (13–19). */
export const MIN_REGROUPED_DIGITS = 13;
export const MAX_REGROUPED_DIGITS = 19;

export function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Whitespace between digits: ASCII, NBSP, Ogham, U+2000–U+200A, line/paragraph separators, narrow and ideographic. */
export function isSpaceSeparator(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** The other dashes of the BMP (general category Pd): a model reads `219⸺09⸺9999` as `219-09-9999` too. */
const OTHER_DASHES: ReadonlySet<number> = new Set([
  0x58a, 0x5be, 0x1400, 0x1806, 0x2e17, 0x2e1a, 0x2e3a, 0x2e3b, 0x2e40, 0x2e5d, 0x301c, 0x3030, 0x30a0, 0xfe31, 0xfe32,
]);

/**
 * Code points drawn as a dash, a bar or a line that are letters, modifier symbols or box drawing, not category Pd: a
 * model reads `4111ー1111ー…` as a card at once. The katakana prolonged sound mark U+30FC and its half-width U+FF70,
 * the Arabic tatweel U+0640 (a kashida, a stretch of the line), the modifier letters macron U+02C9, low macron U+02CD,
 * minus sign U+02D7 and colon U+A789, the dental click U+01C0 (a bar), box drawing's horizontals U+2500–U+2501,
 * U+2504–U+2505, U+2508–U+2509, U+254C–U+254D, U+2574, U+2576, U+2578, U+257A, U+257C, U+257E, the horizontal line
 * extension U+23AF and the horizontal scan lines U+23BA–U+23BD. Not letters at large: only these, drawn as a line.
 * Cost: a katakana word or Arabic justified text read by the digits view only where digits stand on both sides.
 */
const DASH_LIKE: ReadonlySet<number> = new Set([
  0x30fc, 0xff70, 0x640, 0x2c9, 0x2cd, 0x2d7, 0xa789, 0x1c0, 0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254c,
  0x254d, 0x2574, 0x2576, 0x2578, 0x257a, 0x257c, 0x257e, 0x23af, 0x23ba, 0x23bb, 0x23bc, 0x23bd,
]);

/**
 * Other marks a model reads through between digit groups (`219|09|9999`, `219+09+9999`, `219~09~9999`, `219*09*9999`,
 * `219#09#9999`, `219。09。9999`): `|` `+` `~` `*` `#`, the ideographic full stop U+3002 and its half-width form U+FF61,
 * the full-width full stop U+FF0E and vertical bar U+FF5C (NFKC maps both to ASCII: listed for a view read without it).
 * Cost: a sum or product spelled in a card's or an SSN's groups, and a table row whose cells are
 * (`| 219 | 09 | 9999 |`: a separator run of at most MAX_SEPARATOR_RUN), read as that number; the recognizers' group
 * rules still apply.
 */
const MARK_SEPARATORS: ReadonlySet<number> = new Set([0x7c, 0x2b, 0x7e, 0x2a, 0x23, 0x3002, 0xff61, 0xff0e, 0xff5c]);

/**
 * Any separator between digit groups: whitespace, `.` `/` `\` `_` `-`, every dash (U+2010–U+2015 and the rest of
 * category Pd), minus signs (U+2212, U+FE63, U+FF0D), small em dash U+FE58, hyphen bullet U+2043, middle dots (U+00B7,
 * U+2022, U+2027), MARK_SEPARATORS and DASH_LIKE. Not `,` or `:` (thousands separators, lists and times would turn into
 * identifiers).
 */
export function isDigitSeparator(code: number): boolean {
  return (
    isSpaceSeparator(code) ||
    code === 0x2e ||
    code === 0x2f ||
    code === 0x5c ||
    code === 0x5f ||
    code === 0x2d ||
    MARK_SEPARATORS.has(code) ||
    (code >= 0x2010 && code <= 0x2015) ||
    code === 0x2212 ||
    code === 0xfe63 ||
    code === 0xff0d ||
    code === 0xfe58 ||
    code === 0x2043 ||
    code === 0xb7 ||
    code === 0x2022 ||
    code === 0x2027 ||
    OTHER_DASHES.has(code) ||
    DASH_LIKE.has(code)
  );
}

/**
 * isDigitSeparator's characters as one RE2 character class (`\x{…}` ranges), built once: the IBAN pattern
 * (recognizers-pii.ts) takes between its groups every separator the digits view reads between a card's, so a
 * separator that splits no card's groups splits no IBAN's either (`DE89−3704·0044|…` with U+2212, U+00B7, `|`).
 */
export const DIGIT_SEPARATOR_CLASS: string = (() => {
  const ranges: string[] = [];
  const hex = (code: number) => `\\x{${code.toString(16)}}`;
  for (let code = 0; code <= 0xffff; code += 1) {
    if (!isDigitSeparator(code)) continue;
    const from = code;
    while (code < 0xffff && isDigitSeparator(code + 1)) code += 1;
    ranges.push(from === code ? hex(from) : `${hex(from)}-${hex(code)}`);
  }
  return `[${ranges.join('')}]`;
})();

/**
 * The whitespace a backslash escape at `at` names (`\n` `\t` `\r` `\f` `\v`: JSON, JavaScript, Python, C), as its
 * character code; -1 when there is none. A JSON text's strings (tool-call arguments) hold line breaks and tabs written
 * so, and the tool and the model read them as the characters: `219\n09\n9999` is an SSN on three lines.
 */
function escapedSpaceAt(text: string, at: number): number {
  if (text.charCodeAt(at) !== 0x5c) return -1;
  switch (text.charCodeAt(at + 1)) {
    case 0x6e:
      return 0x0a;
    case 0x74:
      return 0x09;
    case 0x72:
      return 0x0d;
    case 0x66:
      return 0x0c;
    case 0x76:
      return 0x0b;
    default:
      return -1;
  }
}

/**
 * UTF-8 bytes escaped one by one at `at` (`%E2%80%8B`, `\xe2\x80\x8b`: URLs, C, Python, shell printf), one code point
 * whole: it and the escapes' length, or undefined.
 */
function escapedBytesAt(text: string, at: number): { code: number; length: number } | undefined {
  const percent = text.charCodeAt(at) === 0x25;
  const form = percent ? 3 : text.charCodeAt(at) === 0x5c && text.charCodeAt(at + 1) === 0x78 ? 4 : 0;
  if (form === 0) return undefined;
  const byte = (k: number): number => {
    const p = at + k * form;
    if (text.charCodeAt(p) !== text.charCodeAt(at) || (!percent && text.charCodeAt(p + 1) !== 0x78)) return -1;
    const high = hexValue(text.charCodeAt(p + form - 2));
    const low = hexValue(text.charCodeAt(p + form - 1));
    return high < 0 || low < 0 ? -1 : high * 16 + low;
  };
  const lead = byte(0);
  if (lead < 0) return undefined;
  const count =
    lead < 0x80 ? 1 : lead >= 0xc2 && lead < 0xe0 ? 2 : lead >= 0xe0 && lead < 0xf0 ? 3 : lead < 0xf5 ? 4 : 0;
  if (count === 0 || (count === 1 && !percent)) return undefined;
  let code = count === 1 ? lead : lead & (0xff >> (count + 1));
  for (let k = 1; k < count; k += 1) {
    const next = byte(k);
    if (next < 0 || (next & 0xc0) !== 0x80) return undefined;
    code = code * 64 + (next & 0x3f);
  }
  return { code, length: count * form };
}

/**
 * The character an escape at `at` names and the escape's length: every form decode-escapes.ts escapeAt reads
 * (`\uXXXX`, `\u{X…}`, `\UXXXXXXXX`, `\xXX`, octal, `&#DDD;`, `&#xHH;`) and UTF-8 bytes escaped one by one
 * (escapedBytesAt); undefined when there is none.
 */
function escapedCharAt(text: string, at: number): { code: number; length: number } | undefined {
  const first = text.charCodeAt(at);
  if (first !== 0x5c && first !== 0x26 && first !== 0x25) return undefined;
  return escapedBytesAt(text, at) ?? (first === 0x25 ? undefined : escapeAt(text, at));
}

/**
 * The width of the separator at `at` that `accepts` takes: 2 for an escape naming whitespace it takes, or `\b` (a
 * backspace, which the main view drops: nothing a reader sees, read as a separator by every kind), the escape's length
 * for an escape (escapedCharAt: `\u200b`, `\u{200b}`, `&#8203;`, `%E2%80%8B`, …) of a character it takes or of one
 * the main view drops (a control such as `\u001b`, as JSON writes one: read as a separator by every kind), 1, or 0.
 */
export function separatorWidth(text: string, at: number, accepts: (code: number) => boolean): number {
  const escaped = escapedSpaceAt(text, at);
  if (escaped >= 0 && accepts(escaped)) return 2;
  if (text.charCodeAt(at) === 0x5c && text.charCodeAt(at + 1) === 0x62) return 2;
  const named = escapedCharAt(text, at);
  if (named !== undefined && (accepts(named.code) || isDroppedCharacter(named.code))) return named.length;
  return at < text.length && accepts(text.charCodeAt(at)) ? 1 : 0;
}

/**
 * Most raw characters of the counted separators of a run (escapes written out): keeps a run's cost bounded. Escapes
 * of dropped characters are not counted (separatorCount) and not bounded: nothing a reader sees, however long they are
 * written out (eleven `\u200b` are 66 characters), so a run of them never ends a number by its length alone. Each
 * walk reads such a run once (digit-view.ts skips past a run it read: the digits inside its escapes start nothing).
 */
export const MAX_SEPARATOR_RAW = 64;

/**
 * What the separator of `width` at `at` counts towards MAX_SEPARATOR_RUN: 0 for an escape of a character the main
 * view drops (nothing a reader sees: nine `\u200b` in a row are no wider than one), 1 otherwise (an escape counts as
 * the one character it names, not its length).
 */
export function separatorCount(text: string, at: number, width: number): number {
  if (width === 1) return 1;
  if (text.charCodeAt(at) === 0x5c && text.charCodeAt(at + 1) === 0x62) return 0;
  const named = escapedCharAt(text, at);
  return named !== undefined && named.length === width && isDroppedCharacter(named.code) ? 0 : 1;
}

/**
 * Where the separator run at `from` stops (escapes read as the character they name: separatorWidth): the first
 * offset past it, and whether it is within the limits (at most MAX_SEPARATOR_RUN counted characters, separatorCount,
 * and MAX_SEPARATOR_RAW raw characters of them). A run past the limits stops where it passes them.
 */
export function runStop(text: string, from: number, accepts: (code: number) => boolean): { at: number; ok: boolean } {
  let at = from;
  let count = 0;
  let raw = 0;
  for (let width = separatorWidth(text, at, accepts); width > 0; width = separatorWidth(text, at, accepts)) {
    const counted = separatorCount(text, at, width);
    count += counted;
    raw += counted * width;
    at += width;
    if (count > MAX_SEPARATOR_RUN || raw > MAX_SEPARATOR_RAW) return { at, ok: false };
  }
  return { at, ok: true };
}

/** End (exclusive) of the separator run at `from` (runStop); -1 when it is past the limits or ends the text. */
export function runEnd(text: string, from: number, accepts: (code: number) => boolean): number {
  const stop = runStop(text, from, accepts);
  return stop.ok && stop.at < text.length ? stop.at : -1;
}
