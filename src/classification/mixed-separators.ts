// Digit groups split by more than one kind of separator (digit-view.ts): a card wrapped over two lines
// (`5500 0055⏎5555 5559`), `4111-1111 1111-1111`, `219-09 9999`. The digits view writes every separator run as `-`
// but keeps a single space as it is; where one chain of groups holds both, the spaces are written as `-` too, but only
// inside groups that spell a value: an SSN's layout (3-2-4, a space or nothing beside it) or a card's (card layout, 13–19 digits,
// issuer and Luhn). Other number runs (dates, times, phone-like groups, versions, tables) keep their spaces.
// Invariant: a pure function of the text; constant work a digit group (a card's window is at most five groups).
import { isCardLayout, isValidCardNumber } from './cards.ts';
import type { Rewrite } from './digit-lists.ts';
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
 * nothing on each outer side (ssnWindow: two decimals `250.75 1200.50` or coordinates stay apart) — and adds their rewrites
 * to `unified` in order as they leave it. Constant work a group: linear.
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

/** Whitespace (an escape naming it included) or a dash: the separators a mixed run of short groups takes. */
function isSpaceOrDash(code: number): boolean {
  return isSpaceSeparator(code) || isDash(code);
}

/** A card's window of a mixed run of short groups: where it starts and ends, and its separators ([from, to) each). */
export interface ShortGroupCard {
  start: number;
  end: number;
  separators: [number, number][];
}

/**
 * The run of short digit groups (1–MAX_SHORT_GROUP digits) starting at `from` (a digit after a non-digit), split by
 * single separators that are whitespace or dashes, mixed (`41 11-11 11 11-11 11 11`, `411 111-111 111-111 1`): its end,
 * and the windows of its whole groups that a model reads as a card: 13–19 digits, whitespace and a dash both between
 * them (one kind alone is digit-separators.ts shortGroupRun's), an issuer range and Luhn (isValidCardNumber), the
 * first from the left, then the next past it (disjoint: the digits view rewrites each once). Linear: a group starts
 * windows of at most MAX_REGROUPED_DIGITS digits.
 */
export function mixedShortGroupCards(text: string, from: number): { end: number; cards: ShortGroupCard[] } {
  // One read without keeping anything: most runs (a year, a date, a time, one kind of separator) hold no such card.
  const first = readShortGroups(text, from);
  if (!first.space || !first.dash || first.digits < MIN_REGROUPED_DIGITS) return { end: first.end, cards: NONE };
  const starts: number[] = [];
  const ends: number[] = [];
  const before: [number, number][] = []; // the separator after each group but the last
  const spaced: boolean[] = []; // whether it is whitespace (or an escape: of whitespace or a dropped character)
  readShortGroups(text, from, (start, end, separator, width) => {
    starts.push(start);
    ends.push(end);
    if (width === 0) return;
    before.push([end, end + width]);
    spaced.push(width > 1 || isSpaceSeparator(separator));
  });
  const cards: ShortGroupCard[] = [];
  const n = starts.length;
  for (let head = 0; head < n; ) {
    let found = -1;
    let digits = '';
    let space = false;
    let dash = false;
    for (let last = head; last < n; last += 1) {
      digits += text.slice(starts[last], ends[last]);
      if (digits.length > MAX_REGROUPED_DIGITS) break;
      if (last > head) {
        if (spaced[last - 1]) space = true;
        else dash = true;
      }
      if (digits.length >= MIN_REGROUPED_DIGITS && space && dash && isValidCardNumber(digits)) found = last;
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
 * Reads the run of mixedShortGroupCards from `from`: each group to `group` (its [start, end), the separator after it
 * and its width, 0 for the last), and the run's end, digits, and whether whitespace and a dash are between its groups.
 */
function readShortGroups(
  text: string,
  from: number,
  group?: (start: number, end: number, separator: number, width: number) => void,
): { end: number; digits: number; space: boolean; dash: boolean } {
  let digits = 0;
  let space = false;
  let dash = false;
  let end = from;
  for (let at = from; ; ) {
    let groupEnd = at;
    while (isDigit(text.charCodeAt(groupEnd))) groupEnd += 1;
    if (groupEnd - at > MAX_SHORT_GROUP) return { end: digits === 0 ? groupEnd : end, digits, space, dash };
    digits += groupEnd - at;
    end = groupEnd;
    let width = separatorWidth(text, groupEnd, isSpaceOrDash);
    if (width > 0 && !isDigit(text.charCodeAt(groupEnd + width))) width = 0;
    if (width > 0) {
      // The group after it must be short too, or the separator is not the run's.
      let next = groupEnd + width;
      while (next - groupEnd - width <= MAX_SHORT_GROUP && isDigit(text.charCodeAt(next))) next += 1;
      if (next - groupEnd - width > MAX_SHORT_GROUP) width = 0;
    }
    group?.(at, groupEnd, text.charCodeAt(groupEnd), width);
    if (width === 0) return { end, digits, space, dash };
    if (width > 1 || isSpaceSeparator(text.charCodeAt(groupEnd))) space = true;
    else dash = true;
    at = groupEnd + width;
  }
}
