// What separates digit groups for the digits view (digit-view.ts): the separator characters (spaces, dots, slashes,
// dashes of every script, marks such as `|` and `+`, and the backslash escapes naming whitespace that a JSON text or a
// C string writes: `\n`, `\t`, `\r`), and the runs read as one number (single digits spaced or listed, a number
// regrouped in short groups). Pure functions of the text; each scan reads a character a bounded number of times.

import { escapeAt, hexValue } from './decode-escapes.ts';
import { listedWindow, WINDOW_SLACK, windowRules } from './listed-windows.ts';
import { isDroppedCharacter } from './normalize.ts';

/** A separator run longer than this between two digits is not a separator: the digits stay apart. */
export const MAX_SEPARATOR_RUN = 8;

/** Fewest single digits in a run of spaced single digits (`2 1 9 0 9 9 9 9 9`) for it to be read as one number. */
export const MIN_SPACED_DIGITS = 9;

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

/** Most characters between two items of a list of single digits (`4, 1`, `"4", "1"`, `],\n    [`, indentation). */
const MAX_ITEM_SEPARATOR = 24;

/** Single digits a listed run reads as one number: an SSN's or another national number's (9) to a card's (19). */
export const MIN_LISTED_DIGITS = MIN_SPACED_DIGITS;

function isQuote(code: number): boolean {
  return code === 0x22 || code === 0x27;
}

/**
 * The end of the list item separator at `from` (right after an item's digit): a closing quote, closers, whitespace
 * (escapes naming it included), exactly one `,` or `;`, whitespace, as many openers as closers (`],[`: one level,
 * a matrix's rows read in order), an opening quote, at most MAX_ITEM_SEPARATOR characters in all; -1 when there is
 * none. A quote is `"` or `'`, or `\"` (a JSON text inside a JSON string).
 */
export function itemSeparatorEnd(text: string, from: number): number {
  let at = quoteEnd(text, from);
  let depth = 0;
  while ((text.charCodeAt(at) === 0x5d || text.charCodeAt(at) === 0x29) && at - from <= MAX_ITEM_SEPARATOR) {
    depth += 1;
    at += 1;
  }
  at = spacesEnd(text, at, from);
  const mark = text.charCodeAt(at);
  if (mark !== 0x2c && mark !== 0x3b) return -1;
  at = spacesEnd(text, at + 1, from);
  while ((text.charCodeAt(at) === 0x5b || text.charCodeAt(at) === 0x28) && depth > 0) {
    depth -= 1;
    at += 1;
  }
  at = quoteEnd(text, at);
  return depth === 0 && at - from <= MAX_ITEM_SEPARATOR && at < text.length ? at : -1;
}

/** After the quote at `at` (`"`, `'` or `\"`), or `at` when there is none. */
function quoteEnd(text: string, at: number): number {
  if (isQuote(text.charCodeAt(at))) return at + 1;
  return text.charCodeAt(at) === 0x5c && text.charCodeAt(at + 1) === 0x22 ? at + 2 : at;
}

/** After the whitespace at `at` (escapes naming it included), read up to MAX_ITEM_SEPARATOR past `from`. */
function spacesEnd(text: string, at: number, from: number): number {
  let end = at;
  for (let w = separatorWidth(text, end, isSpaceSeparator); w > 0 && end - from <= MAX_ITEM_SEPARATOR; ) {
    end += w;
    w = separatorWidth(text, end, isSpaceSeparator);
  }
  return end;
}

/** Whether an item separator ends right before `at` (a list item before the digit there): read back a bounded way. */
function itemBefore(text: string, at: number): boolean {
  let k = at;
  const floor = Math.max(0, at - MAX_ITEM_SEPARATOR);
  while (k > floor && !isDigit(text.charCodeAt(k - 1))) {
    const code = text.charCodeAt(k - 1);
    if (code === 0x2c || code === 0x3b) return true;
    // What an item separator holds besides its mark: quotes, brackets, whitespace, a backslash escape's letter.
    if (!(isQuote(code) || isSpaceSeparator(code) || code === 0x5b || code === 0x28 || code === 0x5c)) {
      if (!(code === 0x6e || code === 0x74 || code === 0x72) || text.charCodeAt(k - 2) !== 0x5c) return false;
    }
    k -= 1;
  }
  return false;
}

/** A run of single digits: its end, its digits, the separators between them ([from, to) each) and whether listed. */
export interface DigitRun {
  end: number;
  digits: number;
  separators: [number, number][];
  /** Split by list item separators (`4,1,1`, `["4","1"]`), not by whitespace alone. */
  listed: boolean;
  /** A listed run that is no number whole: the separators inside its window that is a value (listedWindow). */
  windows?: [number, number][];
}

/** Whether the character at `at` ends a list item that is a digit (`4,`, `4]`, `"4"`), unlike `0.5`, `1e3`, `0x1`. */
function endsDigitItem(text: string, at: number): boolean {
  const code = text.charCodeAt(at);
  return !(isDigit(code) || code === 0x2e || code === 0x5f || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a));
}

/**
 * The run of single digits starting at `from` (a digit with no digit beside it), each split from the next by
 * whitespace (`2 1 9 0 9 9 9 9 9`) or, all of them, by list item separators (itemSeparatorEnd: `2,1,9,…`,
 * `[4, 1, 1, …]`, `["4","1",…]`, `[[4,1,1,1],[1,1,1,1],…]`; an item is a digit alone: `0.5`, `1e3` are other items).
 * A listed run is read as one number when it is the whole list (no item before or after it: `[4, 1, 10, 1]` is four
 * numbers) and holds MIN_LISTED_DIGITS–MAX_REGROUPED_DIGITS digits (`digits` is 0 otherwise: longer lists, rows of a
 * table of small numbers, are data; the recognizers' validators and context words decide the rest); a listed run of
 * MIN_LISTED_DIGITS digits or more that is no number whole (another item beside it, `null`, `0.5`, a leading `0`, a
 * tenth digit) is read over one window (listed-windows.ts: beside a word of the value's type, the run less at most a
 * digit at each end, a validator's) when it has one. A run is read to its end once (at most MAX_REGROUPED_DIGITS
 * separators kept; a run with a window is read once more): the caller skips past it, so a long list costs two reads
 * of each character at most. `lists` false:
 * whitespace only (the text holds no listed run: digit-view.ts LISTED_DIGITS).
 */
export function spacedRun(text: string, from: number, lists = true): DigitRun {
  const separators: [number, number][] = [];
  let digits = 1;
  let end = from + 1;
  let listed: boolean | undefined;
  for (;;) {
    let next = listed === true ? -1 : runEnd(text, end, isSpaceSeparator);
    let listItem = false;
    if ((next < 0 || next === end || !isDigit(text.charCodeAt(next))) && listed !== false && lists) {
      next = itemSeparatorEnd(text, end);
      listItem = next >= 0;
    }
    if (next < 0 || next === end || !isDigit(text.charCodeAt(next)) || isDigit(text.charCodeAt(next + 1))) break;
    if (listItem && !endsDigitItem(text, next + 1)) break;
    listed ??= listItem;
    if (listed !== listItem) break;
    // Past a card's digits a listed run is no number: read to its end (the caller skips it) without keeping more.
    if (!listed || digits <= MAX_REGROUPED_DIGITS) separators.push([end, next]);
    digits += 1;
    end = next + 1;
  }
  if (listed !== true) {
    // Spaced digits with one more beside a value (`ssn 2 1 9 0 9 9 9 9 9 0`): its window, as a list's; else whole.
    const next = (k: number) => (separators[k - 1] as [number, number])[1];
    const windows = digits >= MIN_SPACED_DIGITS ? runWindow(text, from, end, digits, next) : undefined;
    if (windows !== undefined) return { end, digits: 0, separators, listed: false, windows };
    return { end, digits, separators, listed: false };
  }
  const whole = !itemBefore(text, from) && itemSeparatorEnd(text, end) < 0;
  const windows =
    digits >= MIN_LISTED_DIGITS
      ? runWindow(text, from, end, digits, (_k, before) => itemSeparatorEnd(text, before + 1))
      : undefined;
  if (windows !== undefined) return { end, digits: 0, separators, listed: true, windows };
  if (!whole || digits > MAX_REGROUPED_DIGITS || digits < MIN_LISTED_DIGITS) digits = 0;
  return { end, digits, separators, listed: true };
}

/**
 * The separators inside the window of the run of `count` single digits at [`from`, `to`) (listedWindow), in order;
 * undefined when it has none. `next(k, before)` is where the run's k-th digit is (0-based), `before` where the one
 * before it is: a listed run is read again (itemSeparatorEnd after each digit), a spaced one from its separators.
 */
function runWindow(
  text: string,
  from: number,
  to: number,
  count: number,
  next: (k: number, before: number) => number,
): [number, number][] | undefined {
  if (count > MAX_REGROUPED_DIGITS + 2 * WINDOW_SLACK) return undefined; // most lists
  const rules = windowRules(text, from, count, to);
  if (rules.length === 0) return undefined;
  const at: number[] = [from];
  for (let k = 1; k < count; k += 1) at.push(next(k, at[k - 1] as number));
  let digits = '';
  for (const p of at) digits += text[p];
  const window = listedWindow(rules, digits);
  if (window === undefined) return undefined;
  const separators: [number, number][] = [];
  for (let k = window[0]; k + 1 < window[1]; k += 1) separators.push([(at[k] as number) + 1, at[k + 1] as number]);
  return separators;
}

/**
 * A run of short digit groups (1–MAX_SHORT_GROUP digits each) starting at `from` (a digit after a non-digit), split by
 * single separators of one kind (any whitespace, an escape naming it included, or one and the same other separator):
 * its end, its digits and where its separators are ([from, to) each). A group of more digits ends the run before it.
 */
export function shortGroupRun(
  text: string,
  from: number,
): { end: number; digits: number; separators: [number, number][] } {
  const separators: [number, number][] = [];
  let digits = 0;
  let end = from;
  let kind = -1;
  let before: [number, number] | undefined; // the separator before the group at `at`
  for (let at = from; ; ) {
    let groupEnd = at;
    while (isDigit(text.charCodeAt(groupEnd))) groupEnd += 1;
    if (groupEnd - at > MAX_SHORT_GROUP) break;
    if (before !== undefined) separators.push(before);
    digits += groupEnd - at;
    end = groupEnd;
    const width = separatorWidth(text, groupEnd, isDigitSeparator);
    if (width === 0 || !isDigit(text.charCodeAt(groupEnd + width))) break;
    const separator = text.charCodeAt(groupEnd);
    const separatorKind = width === 2 || isSpaceSeparator(separator) ? 0x20 : separator;
    if (kind >= 0 && separatorKind !== kind) break;
    kind = separatorKind;
    before = [groupEnd, groupEnd + width];
    at = groupEnd + width;
  }
  return { end, digits, separators };
}
