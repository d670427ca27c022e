// Values split across segments ("219-09" | "-9999", two messages or two content parts, two turns of one role, two
// text blocks of an answer): the text around every boundary between adjacent segments, and between consecutive
// segments of one location (role) or one path shape, JOIN_WINDOW characters each side (windows that overlap merged),
// is classified again as one text, and a finding that crosses a boundary is reported once per segment it touches.
// Invariant: within one order windows are disjoint, so the joined text scanned is at most three times the input
// (linear); every piece is a span of its own segment's text.
import type { TextSegment } from './types.ts';

/** Characters taken on each side of a boundary: a split value is found when each side of it is at most this long. */
export const JOIN_WINDOW = 256;

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
 * The windows around every boundary between two consecutive non-empty segments of `order` (segment indices; default
 * all, in order; empty segments are skipped over). Boundaries between segments adjacent in the list are left out when
 * `skipAdjacent` is set (a second join over another order must not repeat the first one's work).
 */
export function joinWindows(
  segments: readonly TextSegment[],
  reach: number = JOIN_WINDOW,
  order?: readonly number[],
  skipAdjacent = false,
): JoinWindow[] {
  const indices = (order ?? segments.map((_, i) => i)).filter((i) => (segments[i] as TextSegment).text.length > 0);
  // Offsets in the concatenation of the ordered segments: where each starts, and the merged intervals [from, to).
  const startsAt: number[] = [];
  let total = 0;
  for (const i of indices) {
    startsAt.push(total);
    total += (segments[i] as TextSegment).text.length;
  }
  const intervals: [number, number][] = [];
  for (let k = 1; k < indices.length; k += 1) {
    if (skipAdjacent && indices[k] === (indices[k - 1] as number) + 1) continue;
    const boundary = startsAt[k] as number;
    const from = Math.max(0, boundary - reach);
    const to = Math.min(total, boundary + reach);
    const last = intervals[intervals.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else intervals.push([from, to]);
  }
  const windows: JoinWindow[] = [];
  let first = 0; // first ordered segment that may overlap the current interval (intervals are in order)
  for (const [from, to] of intervals) {
    while (first < indices.length && (startsAt[first] as number) + textAt(segments, indices, first).length <= from) {
      first += 1;
    }
    const parts: WindowPart[] = [];
    const texts: string[] = [];
    let at = 0;
    for (let k = first; k < indices.length && (startsAt[k] as number) < to; k += 1) {
      const text = textAt(segments, indices, k);
      const start = startsAt[k] as number;
      const sliceFrom = Math.max(0, from - start);
      const sliceTo = Math.min(text.length, to - start);
      texts.push(text.slice(sliceFrom, sliceTo));
      parts.push({ segment: indices[k] as number, at, from: sliceFrom, length: sliceTo - sliceFrom });
      at += sliceTo - sliceFrom;
    }
    windows.push({ text: texts.join(''), parts });
  }
  return windows;
}

function textAt(segments: readonly TextSegment[], indices: readonly number[], k: number): string {
  return (segments[indices[k] as number] as TextSegment).text;
}

/** The segments of each group (of two or more), in order; segments without a group are left out. */
function ordersBy(segments: readonly TextSegment[], groupOf: (segment: TextSegment) => string | undefined): number[][] {
  const groups = new Map<string, number[]>();
  segments.forEach((segment, i) => {
    const group = groupOf(segment);
    if (group === undefined) return;
    let order = groups.get(group);
    if (order === undefined) groups.set(group, (order = []));
    order.push(i);
  });
  return [...groups.values()].filter((order) => order.length > 1);
}

/**
 * Paths longer than this have no shape (not joined by shape): reading every path of a deeply nested body whole would
 * cost the square of its depth (10,000 levels: 10^8 characters), and siblings worth joining sit near the top.
 */
export const MAX_SHAPE_PATH = 256;

/**
 * A path with every array index written `[*]`: `content[1].text` → `content[*].text` (no RegExp on request data);
 * undefined for a path longer than MAX_SHAPE_PATH.
 */
export function pathShape(path: string): string | undefined {
  if (path.length > MAX_SHAPE_PATH) return undefined;
  let shape = '';
  for (let i = 0; i < path.length; i += 1) {
    const char = path[i] as string;
    shape += char;
    if (char !== '[') continue;
    let end = i + 1;
    while (end < path.length && path.charCodeAt(end) >= 0x30 && path.charCodeAt(end) <= 0x39) end += 1;
    if (end > i + 1 && path[end] === ']') {
      shape += '*';
      i = end - 1;
    }
  }
  return shape;
}

/**
 * The orders to join besides the list itself: the segments of each location (role), and the segments of each path
 * shape (`messages[*].content`, `content[*].text`), in order, so a value split over two user turns with an assistant
 * turn between (`219-09-` | `go on` | `9999`), or over two text blocks of an answer with their `type` between, is
 * joined too. A segment is in at most one order of each kind: together at most twice the input.
 */
export function joinOrders(segments: readonly TextSegment[]): number[][] {
  return [...ordersBy(segments, (s) => s.location), ...ordersBy(segments, (s) => pathShape(s.path))];
}

/**
 * The in-segment spans of window span [start, end) when it crosses at least one boundary (else none: a span inside one
 * segment was already found there). Pieces are in segment order.
 */
export function piecesAcross(window: JoinWindow, start: number, end: number): Piece[] {
  const pieces: Piece[] = [];
  for (const part of window.parts) {
    const from = Math.max(start, part.at);
    const to = Math.min(end, part.at + part.length);
    const offset = part.from - part.at; // window offset to segment offset
    if (to > from) pieces.push({ segment: part.segment, start: from + offset, end: to + offset });
  }
  return pieces.length > 1 ? pieces : [];
}

interface Span {
  segment: number;
  type: string;
  start: number;
  end: number;
}

/**
 * Whether a piece of a joined finding overlaps a finding of the same type found in its segment alone: then the join
 * only glued a neighbour onto a value already found (`alice@acme.io` + `ssn …` reads `alice@acme.iossn`), and the
 * joined finding is dropped. Exact for pieces, which always touch their segment's start or end: per segment and type,
 * the least start and the greatest end of its findings say it.
 */
export function overlapsFound(found: readonly Span[]): (piece: Span) => boolean {
  const least = new Map<string, number>();
  const greatest = new Map<string, number>();
  for (const f of found) {
    const key = `${f.segment}\u0000${f.type}`;
    least.set(key, Math.min(least.get(key) ?? f.start, f.start));
    greatest.set(key, Math.max(greatest.get(key) ?? f.end, f.end));
  }
  return (piece) => {
    const key = `${piece.segment}\u0000${piece.type}`;
    const start = least.get(key);
    const end = greatest.get(key);
    return start !== undefined && end !== undefined && start < piece.end && end > piece.start;
  };
}
