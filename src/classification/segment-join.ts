// Values split across adjacent segments ("219-09" | "-9999", two messages or two content parts): the text around
// every boundary between adjacent segments (JOIN_WINDOW characters each side, windows that overlap merged into one)
// is classified again as one text, and a finding that crosses a boundary is reported once per segment it touches.
// Invariant: windows are disjoint and each character of a segment lies in at most one, so the joined text scanned
// is never longer than the input (linear), and every piece maps to a span inside its own segment's original text.
import type { TextSegment } from './types.ts';

/** Characters taken on each side of a boundary: a value split across segments is found if it is at most this long on each side. */
export const JOIN_WINDOW = 256;

/** One segment's slice inside a window: window offset `at`, segment offset `from`, `length` characters. */
export interface WindowPart { segment: number; at: number; from: number; length: number }

export interface JoinWindow {
  text: string;
  /** The slices the window is made of, in order (empty segments left out). */
  parts: readonly WindowPart[];
}

/** The windows around every boundary between two adjacent non-empty segments (empty segments are skipped over). */
export function joinWindows(segments: readonly TextSegment[], reach: number = JOIN_WINDOW): JoinWindow[] {
  // Offsets in the concatenation of all segments: where each starts, and the merged intervals [from, to).
  const startsAt: number[] = [];
  let total = 0;
  for (const s of segments) {
    startsAt.push(total);
    total += s.text.length;
  }
  const intervals: [number, number][] = [];
  let seenText = false;
  for (let i = 0; i < segments.length; i += 1) {
    const length = (segments[i] as TextSegment).text.length;
    if (length === 0) continue;
    const boundary = startsAt[i] as number;
    if (seenText) {
      const from = Math.max(0, boundary - reach);
      const to = Math.min(total, boundary + reach);
      const last = intervals[intervals.length - 1];
      if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
      else intervals.push([from, to]);
    }
    seenText = true;
  }
  const windows: JoinWindow[] = [];
  let i = 0; // first segment that may overlap the current interval (intervals are in order)
  for (const [from, to] of intervals) {
    while (i < segments.length && (startsAt[i] as number) + (segments[i] as TextSegment).text.length <= from) i += 1;
    const parts: WindowPart[] = [];
    const texts: string[] = [];
    let at = 0;
    for (let k = i; k < segments.length && (startsAt[k] as number) < to; k += 1) {
      const text = (segments[k] as TextSegment).text;
      const start = startsAt[k] as number;
      const sliceFrom = Math.max(0, from - start);
      const sliceTo = Math.min(text.length, to - start);
      if (sliceTo <= sliceFrom) continue;
      texts.push(text.slice(sliceFrom, sliceTo));
      parts.push({ segment: k, at, from: sliceFrom, length: sliceTo - sliceFrom });
      at += sliceTo - sliceFrom;
    }
    windows.push({ text: texts.join(''), parts });
  }
  return windows;
}

/**
 * The in-segment spans of window span [start, end) when it crosses at least one boundary (else none: a span inside one
 * segment was already found there). Pieces are in segment order.
 */
export function piecesAcross(window: JoinWindow, start: number, end: number): { segment: number; start: number; end: number }[] {
  const pieces: { segment: number; start: number; end: number }[] = [];
  for (const part of window.parts) {
    const from = Math.max(start, part.at);
    const to = Math.min(end, part.at + part.length);
    if (to > from) pieces.push({ segment: part.segment, start: part.from + from - part.at, end: part.from + to - part.at });
  }
  return pieces.length > 1 ? pieces : [];
}

interface Span { segment: number; type: string; start: number; end: number }

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
