// The shape of a join window, shared by every reading that builds one (segment-join, document-pairs, window batches,
// the stream's join holds) and by the piece mapping (join-pieces): a window is text glued from slices of segments,
// each slice's place kept, so a finding in the window maps back to the segments it touches.
import { isDigitSeparator } from './digit-separators.ts';
import type { TextSegment } from './types.ts';

/** One segment's slice inside a window: window offset `at`, segment offset `from`, `length` characters. */
export interface WindowPart {
  segment: number;
  at: number;
  from: number;
  length: number;
}

/** A span of one segment's original text. */
export interface Piece {
  segment: number;
  start: number;
  end: number;
}

export interface JoinWindow {
  text: string;
  /** The slices the window is made of, in order (empty segments left out). */
  parts: readonly WindowPart[];
}

/**
 * The index of the first of `spans` (in order, apart) that ends after `start`, or their count: a binary search (a
 * window or a batch may hold many).
 */
export function firstEndingAfter(spans: readonly { at: number; length: number }[], start: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const span = spans[mid] as { at: number; length: number };
    if (span.at + span.length <= start) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Between two pairs of one valuePairs window: no recognizer matches across a line break, a `!` and a line break (not
 * a bar: the digits view reads `|` between digit groups as a separator, digit-view.ts).
 */
export const PAIR_GAP = '\n!\n';

/** Whether a UTF-16 unit is a decimal digit (ASCII, or one of the BMP's other decimal digits the digits view reads). */
function isDigitUnit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code > 0x7f && /\p{Nd}/u.test(String.fromCharCode(code)));
}

/** Digits of a group looked through for the value's separator (cutSeparator): a card's groups have at most six. */
const CUT_GROUP = 8;

/**
 * The separator to read at a cut between two digits at `at`: the one between the digit group the cut ends and the group
 * before it (`219-09` | `9999`), else between the group it starts and the next (`219` | `09-9999`), else a space: a
 * value's groups are read with one separator throughout (`219-09 9999` is no SSN's layout). Not a dot, read as a
 * decimal point there: two numbers (`-74.006` | `51.5072`, `1.2` | `3.4`) would read as an SSN's or an address's
 * groups; a space keeps them two numbers. A group of more than CUT_GROUP digits is read with a space (each cut costs
 * a bounded look).
 */
function cutSeparator(text: string, at: number): string {
  let before = at - 1;
  while (before >= at - CUT_GROUP && before >= 0 && isDigitUnit(text.charCodeAt(before))) before -= 1;
  let after = at;
  while (after < at + CUT_GROUP && after < text.length && isDigitUnit(text.charCodeAt(after))) after += 1;
  const found =
    before > 0 && isDigitSeparator(text.charCodeAt(before)) && isDigitUnit(text.charCodeAt(before - 1))
      ? text.charAt(before)
      : isDigitSeparator(text.charCodeAt(after)) && isDigitUnit(text.charCodeAt(after + 1))
        ? text.charAt(after)
        : ' ';
  return found === '.' ? ' ' : found;
}

/** Characters read each side of a cut between two digits (digitCutReadings): a card or an SSN with its label. */
export const CUT_REACH = 64;

/** Whether a UTF-16 unit is an ASCII letter or digit, or any non-ASCII one. */
function isWordUnit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) || code > 0x7f;
}

/** The window offsets where two glued parts meet with a digit on both sides. */
function digitCuts({ text, parts }: JoinWindow): number[] {
  const cuts: number[] = [];
  for (let k = 1; k < parts.length; k += 1) {
    const at = (parts[k] as WindowPart).at;
    const before = parts[k - 1] as WindowPart;
    const glued = before.at + before.length === at && at > 0;
    if (glued && isDigitUnit(text.charCodeAt(at - 1)) && isDigitUnit(text.charCodeAt(at))) cuts.push(at);
  }
  return cuts;
}

/**
 * For each window with a junction that has a digit right before and right after it (two parts glued, nothing between),
 * the text around each such junction (CUT_REACH characters each side, widened to the end of a word or number it cuts,
 * by at most CUT_REACH more; overlapping stretches merged) read again with a separator at the junction (cutSeparator:
 * the value's own, else a space), stretches kept apart by PAIR_GAP: a value cut at a group separator
 * (`5500 0055` | `5555 5559`, `219-09` | `9999`) lost the separator at the cut, and its groups glued read as no
 * grouping (4-8-4, 3-6). The separator belongs to no part, so a finding over it maps to pieces of both segments
 * (join-pieces.ts). Windows without such a junction get no reading; the rest at most 3·CUT_REACH characters a cut.
 */
export function digitCutReadings(windows: readonly JoinWindow[]): JoinWindow[] {
  const readings: JoinWindow[] = [];
  for (const window of windows) {
    const cuts = digitCuts(window);
    if (cuts.length === 0) continue;
    const { text } = window;
    const stretches: [number, number][] = [];
    for (const cut of cuts) {
      let from = Math.max(0, cut - CUT_REACH);
      let to = Math.min(text.length, cut + CUT_REACH);
      for (let n = 0; n < CUT_REACH && from > 0 && isWordUnit(text.charCodeAt(from - 1)); n += 1) from -= 1;
      for (let n = 0; n < CUT_REACH && to < text.length && isWordUnit(text.charCodeAt(to)); n += 1) to += 1;
      const last = stretches[stretches.length - 1];
      if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
      else stretches.push([from, to]);
    }
    readings.push(spacedStretches(window, stretches, cuts));
  }
  return readings;
}

/**
 * The window's text over `stretches` [from, to) kept apart by PAIR_GAP (what lies between its parts kept too), a
 * separator at each of `cuts` (in order, each inside a stretch), and its parts clipped to the stretches.
 */
function spacedStretches(window: JoinWindow, stretches: readonly [number, number][], cuts: readonly number[]) {
  const { text, parts } = window;
  const texts: string[] = [];
  const clipped: WindowPart[] = [];
  let at = 0;
  let k = 0; // first part that may overlap the current stretch (stretches are in order)
  let c = 0; // first cut not yet written
  for (const [from, to] of stretches) {
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    // Window offset `o` inside this stretch is at `o - from + shift` in the reading.
    const base = at - from;
    let shift = 0;
    let written = from;
    while (k < parts.length && (parts[k] as WindowPart).at + (parts[k] as WindowPart).length <= from) k += 1;
    for (let j = k; j < parts.length && (parts[j] as WindowPart).at < to; j += 1) {
      const part = parts[j] as WindowPart;
      const start = Math.max(from, part.at);
      const end = Math.min(to, part.at + part.length);
      if (end <= start) continue;
      if (c < cuts.length && cuts[c] === start && start > from) {
        texts.push(text.slice(written, start), cutSeparator(text, start));
        written = start;
        shift += 1;
        c += 1;
      }
      clipped.push({
        segment: part.segment,
        at: base + start + shift,
        from: part.from + start - part.at,
        length: end - start,
      });
    }
    texts.push(text.slice(written, to));
    at = base + to + shift;
  }
  return { text: texts.join(''), parts: clipped };
}

/** Most characters of a segment's closing quotes and whitespace a reading puts back (closingReadings). */
export const MAX_TAIL = 8;

/**
 * What the segment of a window's part left out after it, when the part ends glued to the next and that is at most
 * MAX_TAIL characters of quotes and whitespace holding a quote (no `}` or `]`: a JSON text's close): the joined span
 * (readable-spans.ts) reads a text's trailing `"` as closing syntax, which a paste cut after `"d": "` or `"d"` holds
 * as the member's own; else ''.
 */
export function quoteTail(parts: readonly WindowPart[], k: number, segments: readonly TextSegment[]): string {
  const [left, right] = [parts[k - 1] as WindowPart, parts[k] as WindowPart];
  if (left.at + left.length !== right.at || left.segment === right.segment) return '';
  const source = segments[left.segment]?.text;
  const from = left.from + left.length;
  if (source === undefined || source.length - from > MAX_TAIL) return '';
  const tail = source.slice(from);
  return /^[\s"']*["'][\s"']*$/.test(tail) ? tail : '';
}

/**
 * For each window with a part whose segment's closing quote its joined span left out (quoteTail), the window read
 * with those quotes put back where they stand (they belong to no part, so a finding over one maps to pieces of both
 * segments): a JWK cut between its member's name and value (`"d": "` | `AbC…"`, `"d"` | `: "AbC…"`) reads as the
 * member. Other windows get no reading.
 */
export function closingReadings(windows: readonly JoinWindow[], segments: readonly TextSegment[]): JoinWindow[] {
  const readings: JoinWindow[] = [];
  for (const window of windows) {
    const { text, parts } = window;
    const tails = parts.map((_, k) => (k === 0 ? '' : quoteTail(parts, k, segments)));
    if (tails.every((tail) => tail === '')) continue;
    const texts: string[] = [];
    const clipped: WindowPart[] = [];
    let shift = 0;
    let written = 0;
    parts.forEach((part, k) => {
      const tail = tails[k] as string;
      if (tail !== '') {
        texts.push(text.slice(written, part.at), tail);
        written = part.at;
        shift += tail.length;
      }
      clipped.push({ ...part, at: part.at + shift });
    });
    texts.push(text.slice(written));
    readings.push({ text: texts.join(''), parts: clipped });
  }
  return readings;
}
