// Digit groups split by more than one kind of separator (digit-view.ts): a card wrapped over two lines
// (`5500 0055⏎5555 5559`), `4111-1111 1111-1111`, `219-09 9999`. The digits view writes every separator run as `-`
// but keeps a single space as it is; where one chain of groups holds both, the spaces are written as `-` too, but only
// inside groups that spell a value: an SSN's layout (3-2-4, a space or nothing beside it) or a card's (card layout,
// 13–19 digits, issuer and Luhn). Other number runs (dates, times, phone-like groups, versions, tables) keep their
// spaces. Invariant: a pure function of the text; constant work a digit group (a card's window is at most five groups).
import { isCardLayout, isValidCardNumber } from './cards.ts';
import type { Rewrite } from './digit-lists.ts';
import { cardWordNear } from './listed-windows.ts';
import {
  isDigit,
  isSpaceSeparator,
  MAX_REGROUPED_DIGITS,
  MAX_SHORT_GROUP,
  MIN_REGROUPED_DIGITS,
  separatorWidth,
} from './digit-separators.ts';

/**
 * How a separator run between two groups of a chain is written before unification: one ASCII space (kept), one `-`
 * (kept), any other run (written as `-`).
 */
export const SPACE = 0;
export const DASH = 1;
export const OTHER = 2;
export type SeparatorForm = typeof SPACE | typeof DASH | typeof OTHER;

/** Most groups of a card layout (4-4-4-4-3): the groups a chain keeps to look back over. */
const WINDOW = 5;

/** Whether the separators in `slots` hold a single space and another separator (two families). */
function mixed(forms: ArrayLike<number>, slots: readonly number[]): boolean {
  let space = false;
  let other = false;
  for (const slot of slots) {
    if (forms[slot] === SPACE) space = true;
    else other = true;
  }
  return space && other;
}

/**
 * The chain of digit groups joined by separator runs that separatorRewrites (digit-view.ts) is walking: told where
 * each group starts, each separator after a group, and where a group ends with none after it. It keeps the last
 * WINDOW groups only (a card's window of groups is no longer), marks the single spaces to write as `-` — inside a
 * window of groups in a card layout whose digits are a card (isValidCardNumber: issuer length and Luhn) and whose
 * separators are of two families, or between three groups that are an SSN's 3-2-4 so split with a single space or
 * nothing on each outer side (ssnWindow: two decimals `250.75 1200.50` or coordinates stay apart) — and adds their
 * rewrites to `unified` in order as they leave it. Constant work a group: linear.
 */
export class SeparatorChain {
  /** Rewrites of unified spaces, in order (the walk's own rewrites are merged with them: mergeRewrites). */
  readonly unified: Rewrite[] = [];
  private readonly text: string;
  // Rings over the last WINDOW groups, by group number mod WINDOW: each group's [start, end), and the separator before
  // it ([from, to), form) with whether it is unified.
  private readonly starts = new Int32Array(WINDOW);
  private readonly ends = new Int32Array(WINDOW);
  private readonly sepFrom = new Int32Array(WINDOW);
  private readonly sepTo = new Int32Array(WINDOW);
  private readonly forms = new Int8Array(WINDOW);
  private readonly marks = new Uint8Array(WINDOW);
  private groups = 0;
  private start = 0;
  /** The separator after the last group ended, [from, to) and form; pendingTo -1 when there is none. */
  private pendingFrom = 0;
  private pendingTo = -1;
  private pendingForm: SeparatorForm = SPACE;

  constructor(text: string) {
    this.text = text;
  }

  /** A group starts at `at`: it continues the chain when the chain's last separator ends there. */
  groupAt(at: number): void {
    if (this.pendingTo !== at) this.close(-1);
    this.start = at;
  }

  /** The current group ends at `from`, and the separator run [from, to), written `form`, joins it to the next. */
  separator(from: number, to: number, form: SeparatorForm): void {
    this.endGroup(from);
    this.pendingFrom = from;
    this.pendingTo = to;
    this.pendingForm = form;
  }

  /** The current group ends at `end` (-1: the chain ends before it), and the chain with it. */
  close(end: number): void {
    if (this.groups === 0) return; // a lone group: most numbers
    if (end >= 0) this.endGroup(end);
    const n = this.groups;
    this.ssnWindow(n - 1, -1);
    for (let g = Math.max(1, n - WINDOW); g < n; g += 1) this.leave(g);
    this.groups = 0;
    this.pendingTo = -1;
  }

  /**
   * Marks the groups `last - 2`..`last` when they are an SSN's 3-2-4 split by two families, with a single space or
   * nothing on each outer side (`after`: the separator after `last`, -1 for none): what the one-family forms read
   * there (`219-09-9999 2024`), while `250.75 1200.50` or `12.345 67.8901` (a `.` beside the groups) stay apart.
   */
  private ssnWindow(last: number, after: number): void {
    if (last < 2 || (after >= 0 && after !== SPACE)) return;
    if (last > 2 && this.forms[(last - 2) % WINDOW] !== SPACE) return;
    if (this.length(last - 2) !== 3 || this.length(last - 1) !== 2 || this.length(last) !== 4) return;
    const inner = [(last - 1) % WINDOW, last % WINDOW];
    if (!mixed(this.forms, inner)) return;
    for (const slot of inner) this.marks[slot] = 1;
  }

  private length(g: number): number {
    const slot = g % WINDOW;
    return (this.ends[slot] as number) - (this.starts[slot] as number);
  }

  /** Group `g` leaves the rings: its separator's rewrite when it is a unified space. */
  private leave(g: number): void {
    const slot = g % WINDOW;
    if (g > 0 && this.marks[slot] === 1 && this.forms[slot] === SPACE) {
      this.unified.push({ from: this.sepFrom[slot] as number, to: this.sepTo[slot] as number, dash: true });
    }
  }

  private endGroup(end: number): void {
    const g = this.groups;
    if (g >= WINDOW) this.leave(g - WINDOW); // it held this slot
    const slot = g % WINDOW;
    this.starts[slot] = this.start;
    this.ends[slot] = end;
    this.sepFrom[slot] = this.pendingFrom;
    this.sepTo[slot] = this.pendingTo;
    this.forms[slot] = g > 0 ? this.pendingForm : SPACE;
    this.marks[slot] = 0;
    this.groups = g + 1;
    if (g >= 3) this.ssnWindow(g - 1, this.forms[slot] as number);
    // Every window of whole groups ending here, longest last: a card's layout, two families, a card's digits.
    const lengths: number[] = [];
    const slots: number[] = [];
    let digits = 0;
    for (let first = g; first >= 0 && first > g - WINDOW; first -= 1) {
      lengths.unshift(this.length(first));
      digits += this.length(first);
      if (first < g) slots.push((first + 1) % WINDOW);
      if (digits > MAX_REGROUPED_DIGITS) break;
      if (digits < MIN_REGROUPED_DIGITS || !isCardLayout(lengths) || !mixed(this.forms, slots)) continue;
      if (!isValidCardNumber(this.text.slice(this.starts[first % WINDOW], end))) continue;
      for (const s of slots) this.marks[s] = 1;
    }
  }
}

/** `rewrites` and `unified` (each in order, disjoint) merged in order: linear. */
export function mergeRewrites(rewrites: readonly Rewrite[], unified: readonly Rewrite[]): Rewrite[] {
  const merged: Rewrite[] = [];
  let k = 0;
  for (const r of rewrites) {
    while (k < unified.length && (unified[k] as Rewrite).from < r.from) merged.push(unified[k++] as Rewrite);
    merged.push(r);
  }
  while (k < unified.length) merged.push(unified[k++] as Rewrite);
  return merged;
}

/** A dash between short groups: `-`, U+2010–U+2015, the minus signs (U+2212, U+FE63, U+FF0D), U+FE58. */
function isDash(code: number): boolean {
  return (
    code === 0x2d ||
    (code >= 0x2010 && code <= 0x2015) ||
    code === 0x2212 ||
    code === 0xfe63 ||
    code === 0xff0d ||
    code === 0xfe58
  );
}

/**
 * The separators a mixed run of short groups takes: whitespace (an escape naming it included), a dash, and the digits
 * view's `.` `/` `_` (`41 11.11 11 11.11 11 11`, `41.11-11.11-…`). Not `\` (an escape's start) nor the marks.
 */
function isShortGroupSeparator(code: number): boolean {
  return isSpaceSeparator(code) || isDash(code) || code === 0x2e || code === 0x2f || code === 0x5f;
}

// A separator's kind between short groups, one bit each: a card's window holds two kinds, one of them a space or dash.
const KIND_SPACE = 1;
const KIND_DASH = 2;
const KIND_DOT = 4;
const KIND_SLASH = 8;
const KIND_UNDERSCORE = 16;

/** The kind of the separator `code` of `width` characters (an escape, width > 1: of whitespace or a dropped one). */
function separatorKind(code: number, width: number): number {
  if (width > 1 || isSpaceSeparator(code)) return KIND_SPACE;
  if (code === 0x2e) return KIND_DOT;
  if (code === 0x2f) return KIND_SLASH;
  if (code === 0x5f) return KIND_UNDERSCORE;
  return KIND_DASH;
}

/** The kinds a list of decimals, dates or paths is written with too. */
const DOTTED = KIND_DOT | KIND_SLASH | KIND_UNDERSCORE;

/**
 * Whether the window of groups `head`..`last` with a `.` `/` or `_` between them may be a card: it cuts no number
 * written with one (a space, a dash or nothing on each side: not `56 9.63 0.70` from `8.56 9.63 0.70`) and a card word
 * is near (listed-windows.ts cardWordNear): lists of decimals (`9.63 0.70 1.77 2.84 3.91`) pass Luhn one time in ten.
 */
function wholeDotted(text: string, starts: number[], ends: number[], kinds: number[], head: number, last: number) {
  const outer = KIND_SPACE | KIND_DASH;
  if (head > 0 && ((kinds[head - 1] as number) & outer) === 0) return false;
  if (last < kinds.length && ((kinds[last] as number) & outer) === 0) return false;
  return cardWordNear(text, starts[head] as number, ends[last] as number);
}

/** Whether `kinds` (bits) are two kinds or more, a space or a dash among them: `4.4.4.4/8` is one address, no card. */
function isMixed(kinds: number): boolean {
  return (kinds & (kinds - 1)) !== 0 && (kinds & (KIND_SPACE | KIND_DASH)) !== 0;
}

/** A card's window of a mixed run of short groups: where it starts and ends, and its separators ([from, to) each). */
export interface ShortGroupCard {
  start: number;
  end: number;
  separators: [number, number][];
}

/**
 * The run of short digit groups (1–MAX_SHORT_GROUP digits) starting at `from` (a digit after a non-digit), split by
 * single separators that are whitespace, dashes, `.` `/` or `_`, mixed (`41 11-11 11 11-11 11 11`,
 * `411 111.111 111.111 1`): its end, and the windows of its whole groups that a model reads as a card: 13–19 digits,
 * two kinds of separator between them, a space or a dash one of them (one kind alone is digit-separators.ts
 * shortGroupRun's), no group of an IPv4 address (dottedQuads), an issuer range and Luhn (isValidCardNumber), the first
 * from the left, then the next past it (disjoint: the digits view rewrites each once). Linear: a group starts windows
 * of at most MAX_REGROUPED_DIGITS digits.
 */
export function mixedShortGroupCards(text: string, from: number): { end: number; cards: ShortGroupCard[] } {
  // One read without keeping anything: most runs (a year, a date, a time, one kind of separator) hold no such card.
  const first = readShortGroups(text, from);
  if (!isMixed(first.kinds) || first.digits < MIN_REGROUPED_DIGITS) return { end: first.end, cards: NONE };
  const starts: number[] = [];
  const ends: number[] = [];
  const before: [number, number][] = []; // the separator after each group but the last
  const kinds: number[] = []; // its kind (separatorKind)
  readShortGroups(text, from, (start, end, separator, width) => {
    starts.push(start);
    ends.push(end);
    if (width === 0) return;
    before.push([end, end + width]);
    kinds.push(separatorKind(separator, width));
  });
  const inAddress = dottedQuads(text, starts, ends, kinds);
  const cards: ShortGroupCard[] = [];
  const n = starts.length;
  for (let head = 0; head < n; ) {
    let found = -1;
    let count = 0;
    let seen = 0;
    for (let last = head; last < n; last += 1) {
      if (inAddress[last] === 1) break;
      count += (ends[last] as number) - (starts[last] as number);
      if (count > MAX_REGROUPED_DIGITS) break;
      if (last > head) seen |= kinds[last - 1] as number;
      if (count < MIN_REGROUPED_DIGITS || !isMixed(seen)) continue;
      if ((seen & DOTTED) !== 0 && !wholeDotted(text, starts, ends, kinds, head, last)) continue;
      // The window's text, separators and all: isValidCardNumber reads its digits only.
      if (isValidCardNumber(text.slice(starts[head], ends[last]))) found = last;
    }
    if (found < 0) {
      head += 1;
      continue;
    }
    cards.push({ start: starts[head] as number, end: ends[found] as number, separators: before.slice(head, found) });
    head = found + 1;
  }
  return { end: first.end, cards };
}

const NONE: ShortGroupCard[] = [];

/**
 * Which groups are in an IPv4 address (four groups of at most 255 joined by `.`, no `.` group before or after it:
 * `4.4.4.4 8.8.8.8`), 1 each: no card window takes them, whatever Luhn says. Linear.
 */
function dottedQuads(text: string, starts: number[], ends: number[], kinds: number[]): Uint8Array {
  const marks = new Uint8Array(starts.length);
  for (let g = 0; g < starts.length; ) {
    let last = g;
    while (last < kinds.length && kinds[last] === KIND_DOT) last += 1;
    if (last - g === 3) {
      let octets = true;
      for (let k = g; k <= last; k += 1) if (Number(text.slice(starts[k], ends[k])) > 255) octets = false;
      if (octets) marks.fill(1, g, last + 1);
    }
    g = last + 1;
  }
  return marks;
}

/**
 * Reads the run of mixedShortGroupCards from `from`: each group to `group` (its [start, end), the separator after it
 * and its width, 0 for the last), and the run's end, digits, and the kinds of separator between its groups (bits).
 */
function readShortGroups(
  text: string,
  from: number,
  group?: (start: number, end: number, separator: number, width: number) => void,
): { end: number; digits: number; kinds: number } {
  let digits = 0;
  let kinds = 0;
  let end = from;
  for (let at = from; ; ) {
    let groupEnd = at;
    while (isDigit(text.charCodeAt(groupEnd))) groupEnd += 1;
    if (groupEnd - at > MAX_SHORT_GROUP) return { end: digits === 0 ? groupEnd : end, digits, kinds };
    digits += groupEnd - at;
    end = groupEnd;
    let width = separatorWidth(text, groupEnd, isShortGroupSeparator);
    if (width > 0 && !isDigit(text.charCodeAt(groupEnd + width))) width = 0;
    if (width > 0) {
      // The group after it must be short too, or the separator is not the run's.
      let next = groupEnd + width;
      while (next - groupEnd - width <= MAX_SHORT_GROUP && isDigit(text.charCodeAt(next))) next += 1;
      if (next - groupEnd - width > MAX_SHORT_GROUP) width = 0;
    }
    group?.(at, groupEnd, text.charCodeAt(groupEnd), width);
    if (width === 0) return { end, digits, kinds };
    kinds |= separatorKind(text.charCodeAt(groupEnd), width);
    at = groupEnd + width;
  }
}
