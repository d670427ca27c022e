// The runs of digits the digits view (digit-view.ts) reads as one number: single digits split by whitespace
// (`2 1 9 0 9 9 9 9 9`) or by list item separators (`[4, 1, 1, …]`), read whole or over a window beside a word of a
// value's type (listed-windows.ts), and a number regrouped in short groups (`41 11 11 …`). The separators between
// digits are digit-separators.ts's. Pure functions of the text; each run is read to its end a bounded number of times.
import {
  isDigit,
  isDigitSeparator,
  isSpaceSeparator,
  MAX_REGROUPED_DIGITS,
  MAX_SHORT_GROUP,
  runEnd,
  separatorWidth,
} from './digit-separators.ts';
import { listedWindow, WINDOW_SLACK, windowRules } from './listed-windows.ts';

/** Fewest single digits in a run of spaced single digits (`2 1 9 0 9 9 9 9 9`) for it to be read as one number. */
export const MIN_SPACED_DIGITS = 9;

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
function itemSeparatorEnd(text: string, from: number): number {
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
