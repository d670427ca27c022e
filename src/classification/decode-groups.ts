// Base64 in short lines or in groups (`base64 | fold -w 12`, `sed 's/..../& /g'`): runs of the alphabet of one width
// (MIN_GROUP_WIDTH or more), one after another across a separator on one line or a line break wrapped in the same
// marks on each line (decode-group-separators.ts: blanks, a mark, two literals' quotes; a LineWrap's prefix, label and
// suffix), the last one shorter or padded, are one run when together they are MIN_ENCODED_RUN characters or more: a
// model reads them as one. What such a run decodes to is read as any run's is (text whole, else its text stretches),
// when it is readable (few control characters: words in capitals joined decode to valid UTF-8 of controls and letters).
// Lines of MIN_ENCODED_RUN or more whose width is whole quads, which decode.ts's own scan joins, are not read again.
// Invariants: linear (a group is read at most four times: as one run's last group, then as the next run's first, and
// again when its run's first group may open with its lines' prefix or holds `-`/`_` marks; a wrap's marks are read at
// most MAX_HELD_PREFIX a group); a run starts where a group does (after a character of neither alphabet), where its
// candidates are found (decode-candidates.ts).
import { decodeBase64OrHex, isBase64Char, lineBreakAt, type NextCandidate } from './decode-bytes.ts';
import { MIN_ENCODED_RUN, MIN_GROUP_WIDTH } from './decode-candidates.ts';
import { blanksAt, type LineWrap, separatorBefore, wrapAt, wrappedAt } from './decode-group-separators.ts';
import { base64Stretches } from './decode-stretches.ts';

/**
 * How far after a candidate groupTexts looks at every character itself (candidateFinder): only at the run there.
 * Prose holds a candidate every few hundred characters (`predecessor resigned`, `trade rules would be`), and reading
 * the words after each, as the other scans read theirs, cost more than searching again.
 */
export const GROUP_REACH = 1;

function alphabetEnd(text: string, at: number): number {
  let end = at;
  while (end < text.length && isBase64Char(text.charCodeAt(end))) end += 1;
  return end;
}

/** Padding (up to two `=`) at `at`: its length. */
function paddingAt(text: string, at: number): number {
  let end = at;
  while (end < text.length && end - at < 2 && text.charCodeAt(end) === 0x3d) end += 1;
  return end - at;
}

/**
 * What each run of groups in `text` (candidates from `next`) decodes to, given to `add` with the run's span: the run
 * whole when it is text; else, when it ends on a shorter group (a word after the run: `… WTdO and`), the run without it
 * when that is text; else the run's text stretches (decode-stretches.ts), joined by `gap`. One group of MIN_ENCODED_RUN
 * or more and a shorter one (`<run> end`) are read together only as a whole of whole quads that is text: the group
 * alone is decode.ts's own run, and a word after it is no part of it.
 */
export function groupTexts(
  text: string,
  next: NextCandidate,
  gap: string,
  add: (from: number, to: number, decoded: string) => void,
): void {
  groupRuns(text, next, (run) => {
    const whole = readable(decodeBase64OrHex(run.chars));
    if (whole !== undefined) {
      if (run.full > 1 || run.width < MIN_ENCODED_RUN || run.chars.length % 4 === 0) add(run.start, run.end, whole);
      return;
    }
    // Words and numbers alone (`that they were here…`, a card's groups) are read whole only: their stretches are noise,
    // and reading them costs four decodes of a text of prose.
    if ((run.full === 1 && run.width >= MIN_ENCODED_RUN) || !run.encoded) return;
    if (run.fullEnd < run.end && run.full * run.width >= MIN_ENCODED_RUN) {
      const full = readable(decodeBase64OrHex(run.chars.slice(0, run.full * run.width)));
      if (full !== undefined) return add(run.start, run.fullEnd, full);
    }
    for (const part of base64Stretches(run.chars, gap)) if (readable(part) !== undefined) add(run.start, run.end, part);
  });
}

/**
 * Most control characters (C0 but NUL, tab and line breaks; DEL; C1) in a decoded text of groups, per character:
 * words in capitals joined (`THAT THEY WERE HERE`) decode to valid UTF-8 that is a third controls; text, UTF-16 text
 * (its NULs) and a key with an ESC inside hold few or none.
 */
const MAX_CONTROLS_PER_CHAR = 1 / 8;

/** `decoded` when it is readable (MAX_CONTROLS_PER_CHAR), else undefined. */
function readable(decoded: string | undefined): string | undefined {
  if (decoded === undefined) return undefined;
  let controls = 0;
  for (let at = 0; at < decoded.length; at += 1) {
    const code = decoded.charCodeAt(at);
    if ((code < 0x20 && code !== 0 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code < 0xa0))
      controls += 1;
  }
  return controls <= decoded.length * MAX_CONTROLS_PER_CHAR ? decoded : undefined;
}

/** A run of base64 groups: its span, its characters without separators, its groups' width and full groups. */
interface GroupRun {
  start: number;
  end: number;
  chars: string;
  width: number;
  /** Groups of `width` characters (all but a shorter or padded last one), and where the last of them ends. */
  full: number;
  fullEnd: number;
  /** Whether a group is no word nor number (looksEncoded): words joined are read whole only, never in stretches. */
  encoded: boolean;
}

/**
 * Each run of groups of one width in `text` (candidates from `next`), of two groups or more and MIN_ENCODED_RUN
 * characters or more, not lines decode.ts's own scan joins. Groups of one width, then at most one shorter or padded; a
 * wider group ends the run and starts the next, and so may a shorter last one (`token QVdT IEFL…`: `token QVdT` is no
 * run, `QVdT…` is). A first group that opens with the marks ending the next line's prefix (`//QUJD…` under
 * `//SktM…`) is read both ways, and groups split by `-` or `_` inside one alphabet run (splitRun) without them too.
 */
function groupRuns(text: string, next: NextCandidate, read: (run: GroupRun) => void): void {
  for (let i = next(0); i < text.length; ) {
    if (!isBase64Char(text.charCodeAt(i))) {
      i = next(i + 1);
      continue;
    }
    const found = runAt(text, i, false);
    if (found.run !== undefined) read(found.run);
    if (found.shiftable) {
      const shifted = runAt(text, i, true).run;
      if (shifted !== undefined) read(shifted);
    }
    const split = splitRun(text, i);
    if (split !== undefined) read(split);
    i = next(found.after > i ? found.after : found.end);
  }
}

/**
 * The run of groups from `i`, a group's start: the run when it is one (else undefined), where it ends, where the next
 * may start (after: -1 when at its end), and whether its first group may open with its lines' prefix (shiftable).
 * `shifted`: read it so (wrapAt), the run starting past those marks; no run when its first line break is not
 * right after its first group or the marks differ.
 */
function runAt(
  text: string,
  i: number,
  shifted: boolean,
): { run?: GroupRun; end: number; after: number; shiftable: boolean } {
  let start = i;
  let end = alphabetEnd(text, i);
  let width = end - i;
  let full = 1;
  let fullEnd = end;
  let lines = true; // every separator a line break alone: decode.ts's own scan joins such lines when wide
  let after = -1; // where the next run starts when this one ends on a shorter or a wider group
  let encoded = looksEncoded(text, i, end);
  let wrap: LineWrap | undefined; // read at the run's first line break, the same at each after it
  let shiftable = false;
  // The groups after the first, without their separators (a prefix's `-` or `/` is in the alphabet: no replace).
  let rest = '';
  let last = i; // where the run's last full group starts
  for (;;) {
    if (width < MIN_GROUP_WIDTH) break;
    let gap = 0;
    if (wrap !== undefined) gap = wrappedAt(text, end, wrap);
    else {
      wrap = wrapAt(text, end - width, end, shifted && full === 1);
      if (shifted && (full > 1 || wrap === undefined)) return { end, after, shiftable };
      if (wrap !== undefined) {
        shiftable = !shifted && full === 1 && wrapAt(text, end - width, end, true) !== undefined;
        start += wrap.shift;
        width -= wrap.shift;
        encoded = looksEncoded(text, start, end);
        gap = wrappedAt(text, end, wrap);
      }
    }
    if (gap === 0) gap = blanksAt(text, end);
    if (gap === 0) break;
    const from = end + gap;
    const to = alphabetEnd(text, from);
    const pad = paddingAt(text, to);
    if (to === from || to - from + pad > width) {
      if (to > from) after = from;
      break;
    }
    lines &&= gap === lineBreakAt(text, end);
    encoded ||= looksEncoded(text, from, to);
    end = to + pad;
    rest += text.slice(from, end);
    if (to - from < width || pad > 0) {
      after = from;
      break;
    }
    full += 1;
    fullEnd = end;
    last = from;
  }
  if (shifted && wrap === undefined) return { end, after, shiftable };
  // A run that ends at a line break not wrapped as its first one was (`attachment:` then lines of 10: the label's
  // `:` read as the first line's suffix) is read again from its last group, under that group's own wrap.
  if (after < 0 && wrap !== undefined) after = last;
  const wrapped = lines && width >= MIN_ENCODED_RUN && width % 4 === 0;
  if (end > fullEnd || full > 1) {
    const chars = text.slice(start, start + width) + rest;
    if (chars.length >= MIN_ENCODED_RUN && !wrapped) {
      return { run: { start, end, chars, width, full, fullEnd, encoded }, end, after, shiftable };
    }
  }
  return { end, after, shiftable };
}

/** Widest group splitRun reads (a key's or a serial's groups are 4 to 8; MIME lines 76). */
const MAX_SPLIT_WIDTH = 76;

/**
 * The run of groups of one width split by one `-` or `_` inside the alphabet run at `start` (`QUJD-REVG-R0hJ-…`, as a
 * licence key or a grouped serial is written), read without the marks, the last group shorter or padded: the marks are
 * base64url's too, so decode.ts reads the run as written and this reads it without them. Undefined when there is none.
 */
function splitRun(text: string, start: number): GroupRun | undefined {
  const end = alphabetEnd(text, start);
  let mark = 0;
  for (let k = start; k < end && k - start <= MAX_SPLIT_WIDTH && mark === 0; k += 1) {
    const code = text.charCodeAt(k);
    if (code === 0x2d || code === 0x5f) mark = k;
  }
  const width = mark - start;
  if (mark === 0 || width < MIN_GROUP_WIDTH) return undefined;
  const separator = text.charCodeAt(mark);
  let chars = '';
  let full = 0;
  let fullEnd = start;
  let encoded = false;
  for (let at = start; ; ) {
    let to = at;
    while (to < end && to - at <= width && text.charCodeAt(to) !== separator) to += 1;
    if (to === at || to - at > width || (to < end && to - at !== width)) return undefined;
    encoded ||= looksEncoded(text, at, to);
    chars += text.slice(at, to);
    if (to === end) {
      const pad = paddingAt(text, end);
      if (to - at === width && pad === 0) {
        full += 1;
        fullEnd = end;
      }
      chars += text.slice(end, end + pad);
      const run = { start, end: end + pad, chars, width, full, fullEnd, encoded };
      return chars.length >= MIN_ENCODED_RUN ? run : undefined;
    }
    full += 1;
    fullEnd = to;
    at = to + 1;
  }
}

/**
 * Whether the group [start, end) is no word nor number: one of digits and letters mixed, capitals after a small letter,
 * `+`, `/`, `-` or `_` (a word in small letters, one capitalised, or digits alone are prose and numbers).
 */
function looksEncoded(text: string, start: number, end: number): boolean {
  let small = 0;
  let capitals = 0;
  let digits = 0;
  for (let at = start; at < end; at += 1) {
    const code = text.charCodeAt(at);
    if (code >= 0x61 && code <= 0x7a) small += 1;
    else if (code >= 0x41 && code <= 0x5a) {
      if (small > 0) return true;
      capitals += 1;
    } else if (code >= 0x30 && code <= 0x39) digits += 1;
    else return true;
  }
  const width = end - start;
  return !(small === width || digits === width || (capitals === 1 && small === width - 1));
}

/**
 * Where a run of groups that the text may end inside starts (a stream's held text: more groups may follow, and what
 * the run decodes to changes with them), not before `floor`: the groups of one width before the last group (still
 * arriving, as long as theirs at most) or before a separator at the end, when one of them is no word nor number
 * (looksEncoded: a sentence of 4-letter words is released as it arrives). The text's length when there is none.
 */
export function trailingGroupsStart(text: string, floor: number): number {
  let at = text.length;
  while (at > floor && (isBase64Char(text.charCodeAt(at - 1)) || text.charCodeAt(at - 1) === 0x3d)) at -= 1;
  // A `-` or `/` after a line break may be a group's first character or a prefix's (`- `, `// `) still arriving.
  return at < text.length
    ? Math.min(groupsBefore(text, floor, at), groupsBefore(text, floor, text.length))
    : groupsBefore(text, floor, at);
}

/** trailingGroupsStart for a last group (still arriving) from `at` to the text's end. */
function groupsBefore(text: string, floor: number, at: number): number {
  const last = text.length - at; // the last group, still arriving, is at most as wide as the one before
  let held = text.length;
  let width = -1;
  let encoded = false;
  let wrap: LineWrap | undefined;
  for (;;) {
    // A line's label (`REM `, `10 `) is read only when the group before the blank is none (`REM` is no group of 12).
    const widths = { width, last };
    const group = groupBefore(text, floor, at, wrap, widths, false) ?? groupBefore(text, floor, at, wrap, widths, true);
    if (group === undefined) break;
    // The last line's wrap is not known while its group arrives: `R` may be a group or `REM `'s first letter.
    if (width >= 0) wrap ??= group.wrap;
    encoded ||= looksEncoded(text, group.start, at - group.gap);
    width = at - group.gap - group.start;
    held = group.start;
    at = group.start;
  }
  return encoded ? held : text.length;
}

/**
 * The group before the separator that ends at `at` (separatorBefore's), of `width` (-1: of `last` or more), as its
 * start, the separator's length and its LineWrap; undefined when there is none.
 */
function groupBefore(
  text: string,
  floor: number,
  at: number,
  wrap: LineWrap | undefined,
  { width, last }: { width: number; last: number },
  labelled: boolean,
): { start: number; gap: number; wrap?: LineWrap } | undefined {
  const [gap, lineWrap] = separatorBefore(text, at, wrap, labelled);
  if (gap === 0 || at - gap <= floor) return undefined;
  const end = at - gap;
  let start = end;
  while (start > floor && isBase64Char(text.charCodeAt(start - 1))) start -= 1;
  const groupWidth = end - start;
  if (groupWidth < MIN_GROUP_WIDTH || (width < 0 ? last > groupWidth : groupWidth !== width)) return undefined;
  return { start, gap, wrap: lineWrap };
}
