// Values split across segments ("219-09" | "-9999", two messages or two content parts, two turns of one role, two
// text blocks of an answer, an answer's text and a tool call's arguments): the text around every boundary between
// adjacent segments, and between consecutive segments of one location (role), of one path shape, or of the reading
// order (labels left out), JOIN_WINDOW characters each side (windows that overlap merged; a JSON text read without
// the syntax at its edges), is classified again as one text, and a finding that crosses a boundary is reported once
// per segment it touches. Invariant: within one order windows are disjoint, so the joined text scanned is at most
// four times the input (linear); every piece is a span of its own segment's text.
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
  // Each segment's readable span: a JSON text (tool-call arguments) without the syntax at its edges (jsonEdges).
  const spans = new Map<number, readonly [number, number]>();
  const indices = (order ?? segments.map((_, i) => i)).filter((i) => {
    const span = jsonEdges((segments[i] as TextSegment).text);
    spans.set(i, span);
    return span[1] > span[0];
  });
  // Offsets in the concatenation of the ordered segments: where each starts, and the merged intervals [from, to).
  const startsAt: number[] = [];
  let total = 0;
  for (const i of indices) {
    startsAt.push(total);
    const [lo, hi] = spans.get(i) as readonly [number, number];
    total += hi - lo;
  }
  const spanAt = (k: number) => spans.get(indices[k] as number) as readonly [number, number];
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
    while (first < indices.length && (startsAt[first] as number) + spanAt(first)[1] - spanAt(first)[0] <= from) {
      first += 1;
    }
    const parts: WindowPart[] = [];
    const texts: string[] = [];
    let at = 0;
    for (let k = first; k < indices.length && (startsAt[k] as number) < to; k += 1) {
      const [lo, hi] = spanAt(k);
      const start = startsAt[k] as number;
      const sliceFrom = lo + Math.max(0, from - start);
      const sliceTo = lo + Math.min(hi - lo, to - start);
      texts.push((segments[indices[k] as number] as TextSegment).text.slice(sliceFrom, sliceTo));
      parts.push({ segment: indices[k] as number, at, from: sliceFrom, length: sliceTo - sliceFrom });
      at += sliceTo - sliceFrom;
    }
    windows.push({ text: texts.join(''), parts });
  }
  return windows;
}

/** Most characters of JSON syntax read over at either edge of a JSON text (nested keys, a key name, whitespace). */
export const MAX_JSON_EDGE = 256;

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/**
 * The readable span of a text for joining: without the opening syntax of a JSON object or array text (tool-call
 * arguments: `{"k":"`, `[`, nested keys, up to the first value's text) and without closing quotes and brackets at
 * its end (`"}`, `]}`: any text, since a JSON text's start may have been cut off, as in a stream's held text), so
 * text that a consumer reads as one (an answer's text, then the arguments' first value) is joined as one. Bounded by
 * MAX_JSON_EDGE characters each side.
 */
export function jsonEdges(text: string): readonly [number, number] {
  let lo = 0;
  while (lo < text.length && isJsonSpace(text.charCodeAt(lo))) lo += 1;
  if (text[lo] !== '{' && text[lo] !== '[') lo = 0;
  else {
    const limit = Math.min(text.length, lo + MAX_JSON_EDGE);
    while (lo < limit) {
      const c = text[lo];
      if (c === '{' || c === '[' || isJsonSpace(text.charCodeAt(lo))) {
        lo += 1;
        continue;
      }
      if (c !== '"') break;
      // A string: a key when a `:` follows it (read over), else the first value (its text starts after the quote).
      // One still arriving (no `:` yet) is read as a value: joining a key's text too only finds more.
      let end = lo + 1;
      while (end < limit && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      let after = end + 1;
      while (after < limit && isJsonSpace(text.charCodeAt(after))) after += 1;
      if (after >= limit || text[after] !== ':') {
        lo += 1;
        break;
      }
      lo = after + 1;
    }
  }
  let hi = text.length;
  const floor = Math.max(lo, text.length - MAX_JSON_EDGE);
  let closing = false;
  for (let at = hi; at > floor; at -= 1) {
    const c = text[at - 1] as string;
    if (c === '"' || c === '}' || c === ']') closing = true;
    else if (!isJsonSpace(c.charCodeAt(0))) break;
    if (closing) hi = at - 1;
  }
  return [lo, Math.max(lo, hi)];
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
 * joined too, and the reading order (every segment but labels, LABEL_KEYS). A segment is in at most one order of each
 * kind: together at most three times the input.
 */
export function joinOrders(segments: readonly TextSegment[]): number[][] {
  const reading = segments.map((_, i) => i).filter((i) => !LABEL_KEYS.has(lastKey((segments[i] as TextSegment).path)));
  return [
    ...ordersBy(segments, (s) => s.location),
    ...ordersBy(segments, (s) => pathShape(s.path)),
    ...(reading.length > 1 && reading.length < segments.length ? [reading] : []),
  ];
}

/**
 * Keys whose strings label what sits around them rather than read as text (ids, names, types, roles, statuses): the
 * reading order leaves them out, so the text before a tool call (`…AKIAQ3EG`) and its arguments (`{"k":"THV5…"}`),
 * with the call's id, type and name between, are joined as the consumer reads them. Those strings are classified on
 * their own and with their neighbours all the same.
 */
const LABEL_KEYS: ReadonlySet<string> = new Set([
  'id',
  'type',
  'role',
  'name',
  'object',
  'model',
  'status',
  'call_id',
  'tool_call_id',
  'tool_use_id',
  'item_id',
  'finish_reason',
  'stop_reason',
  'system_fingerprint',
  'service_tier',
]);

/** The last property name of a segment path (`…function.name` → `name`); '' when it ends in an index or quoted key. */
function lastKey(path: string): string {
  if (path.endsWith(']')) return '';
  return path.slice(path.lastIndexOf('.') + 1);
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
