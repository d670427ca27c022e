// What separates digit groups for the digits view (digit-view.ts): the separator characters (spaces, dots, slashes,
// dashes of every script, marks such as `|` and `+`), and the runs read as one number (spaced single digits, a number
// regrouped in short groups). Pure functions of the text; each scan reads a character a bounded number of times.

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
 * U+2022, U+2027), and MARK_SEPARATORS. Not `,` or `:` (thousands separators, lists and times would turn into
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
    OTHER_DASHES.has(code)
  );
}

/** End (exclusive) of the separator run at `from`; -1 when it is longer than MAX_SEPARATOR_RUN or ends the text. */
export function runEnd(text: string, from: number, accepts: (code: number) => boolean): number {
  let at = from;
  while (at < text.length && accepts(text.charCodeAt(at))) {
    at += 1;
    if (at - from > MAX_SEPARATOR_RUN) return -1;
  }
  return at < text.length ? at : -1;
}

/** The end of a run of spaced single digits starting at `from` (a digit), and how many digits it holds. */
export function spacedRun(text: string, from: number): { end: number; digits: number } {
  let digits = 1;
  let end = from + 1;
  for (;;) {
    const next = runEnd(text, end, isSpaceSeparator);
    if (next < 0 || next === end || !isDigit(text.charCodeAt(next)) || isDigit(text.charCodeAt(next + 1))) break;
    digits += 1;
    end = next + 1;
  }
  return { end, digits };
}

/**
 * A run of short digit groups (1–MAX_SHORT_GROUP digits each) starting at `from` (a digit after a non-digit), split by
 * single separators of one kind (any whitespace, or one and the same other separator): its end, its digits and where
 * its separators are. A group of more digits ends the run before it.
 */
export function shortGroupRun(text: string, from: number): { end: number; digits: number; separators: number[] } {
  const separators: number[] = [];
  let digits = 0;
  let end = from;
  let kind = -1;
  for (let at = from; ; ) {
    let groupEnd = at;
    while (isDigit(text.charCodeAt(groupEnd))) groupEnd += 1;
    if (groupEnd - at > MAX_SHORT_GROUP) break;
    if (at > from) separators.push(at - 1);
    digits += groupEnd - at;
    end = groupEnd;
    const separator = text.charCodeAt(groupEnd);
    if (!isDigitSeparator(separator) || !isDigit(text.charCodeAt(groupEnd + 1))) break;
    const separatorKind = isSpaceSeparator(separator) ? 0x20 : separator;
    if (kind >= 0 && separatorKind !== kind) break;
    kind = separatorKind;
    at = groupEnd + 1;
  }
  return { end, digits, separators };
}
