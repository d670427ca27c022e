// Findings of a joined window mapped back onto the segments it was built from (segment-join.ts): the pieces of a value
// that crosses a boundary, the one piece a neighbour lent its context to, and whether a joined finding only glued a
// neighbour onto a value its segment already holds. Every piece is a span of its own segment's text.
import { firstEndingAfter, type JoinWindow, type Piece, type WindowPart } from './join-window.ts';
import type { TextSegment } from './types.ts';

/**
 * The in-segment spans of window span [start, end) when it crosses at least one boundary (else none: a span inside one
 * segment was already found there). Pieces are in segment order.
 */
export function piecesAcross(window: JoinWindow, start: number, end: number): Piece[] {
  const pieces: Piece[] = [];
  // Parts are in window order: from the first that ends after `start`, while they start before `end`.
  const first = firstEndingAfter(window.parts, start);
  for (let k = first; k < window.parts.length && (window.parts[k] as WindowPart).at < end; k += 1) {
    const part = window.parts[k] as WindowPart;
    const from = Math.max(start, part.at);
    const to = Math.min(end, part.at + part.length);
    const offset = part.from - part.at; // window offset to segment offset
    if (to > from) pieces.push({ segment: part.segment, start: from + offset, end: to + offset });
  }
  return pieces.length > 1 ? pieces : [];
}

/** Whether a UTF-16 unit is an ASCII letter or digit, or any non-ASCII one (a letter of another script). */
function isWordUnit(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) || code > 0x7f;
}

/**
 * The one piece of window span [start, end) that lies inside one part, when a neighbour glued to that part is in reach
 * of it as context: it starts at most `before` characters after the part's start and another part ends right there, or
 * ends at most `after` characters before the part's end and another part starts right there (`my ssn is` |
 * `219099999`); "right there" is within `gap` characters (a labelWindows line break). Undefined otherwise, and when the
 * span reaches an edge of its part where its segment's text goes on in a letter or digit: the window cut a word or a
 * number there (`…2190999991234` clipped after nine digits), and its segment alone would not read that value.
 */
export function pieceBeside(
  window: JoinWindow,
  segments: readonly TextSegment[],
  span: { start: number; end: number },
  reach: { before: number; after: number },
  gap = 0,
): Piece | undefined {
  let lo = 0;
  let hi = window.parts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const part = window.parts[mid] as WindowPart;
    if (part.at + part.length <= span.start) lo = mid + 1;
    else hi = mid;
  }
  const part = window.parts[lo];
  if (part === undefined || span.start < part.at || span.end > part.at + part.length) return undefined;
  const previous = window.parts[lo - 1];
  const next = window.parts[lo + 1];
  const lentBefore = previous !== undefined && part.at - (previous.at + previous.length) <= gap;
  const lentAfter = next !== undefined && next.at - (part.at + part.length) <= gap;
  const nearStart = lentBefore && span.start - part.at <= reach.before;
  const nearEnd = lentAfter && part.at + part.length - span.end <= reach.after;
  if (!nearStart && !nearEnd) return undefined;
  const text = (segments[part.segment] as TextSegment).text;
  const start = span.start + part.from - part.at;
  const end = span.end + part.from - part.at;
  if (span.start === part.at && start > 0 && isWordUnit(text.charCodeAt(start - 1))) return undefined;
  if (span.end === part.at + part.length && end < text.length && isWordUnit(text.charCodeAt(end))) return undefined;
  return { segment: part.segment, start, end };
}

interface Span {
  segment: number;
  type: string;
  start: number;
  end: number;
}

/** Per segment and type, the findings' starts in order with the running maximum of their ends. */
type FoundSpans = Map<string, { starts: number[]; maxEnds: number[] }>;

function foundSpans(found: readonly Span[]): FoundSpans {
  const byKey: FoundSpans = new Map();
  const sorted = [...found].sort((a, b) => a.start - b.start);
  for (const f of sorted) {
    const key = `${f.segment}\u0000${f.type}`;
    let spans = byKey.get(key);
    if (spans === undefined) byKey.set(key, (spans = { starts: [], maxEnds: [] }));
    spans.maxEnds.push(Math.max(f.end, spans.maxEnds[spans.maxEnds.length - 1] ?? -1));
    spans.starts.push(f.start);
  }
  return byKey;
}

/** The greatest end of the findings of `piece`'s segment and type that start before `at` (or at it: `inclusive`). */
function maxEndBefore(byKey: FoundSpans, piece: Span, at: number, inclusive: boolean): number {
  const spans = byKey.get(`${piece.segment}\u0000${piece.type}`);
  if (spans === undefined) return -1;
  let lo = 0;
  let hi = spans.starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const start = spans.starts[mid] as number;
    if (start < at || (inclusive && start === at)) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? (spans.maxEnds[lo - 1] as number) : -1;
}

/**
 * Whether a piece of a joined finding overlaps a finding of the same type found in its segment alone: then the join
 * only glued a neighbour onto a value already found (`alice@acme.io` + `ssn …` reads `alice@acme.iossn`; two values of
 * one JSON text, `"alice@acme.io"` + `"bob"`), and the joined finding is dropped. Exact: per segment and type, the
 * findings' spans sorted by start with the running maximum of their ends (a binary search a piece).
 */
export function overlapsFound(found: readonly Span[]): (piece: Span) => boolean {
  const byKey = foundSpans(found);
  return (piece) => maxEndBefore(byKey, piece, piece.end, false) > piece.start;
}

/**
 * Whether a piece lies wholly inside one finding of the same type found in its segment alone. A value decoded across a
 * boundary keeps its pieces not covered (join-decode.ts), so the half of a run beside a second value of its type, which
 * its segment reported over that run, is still reported.
 */
export function coveredByFound(found: readonly Span[]): (piece: Span) => boolean {
  // Built at the first question (a call whose boundaries decode nothing asks none), from the findings of now.
  const alone = found.slice();
  let byKey: FoundSpans | undefined;
  return (piece) => maxEndBefore((byKey ??= foundSpans(alone)), piece, piece.start, true) >= piece.end;
}
