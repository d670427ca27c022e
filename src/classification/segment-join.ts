// Values split across segments ("219-09" | "-9999", two messages or two content parts, two turns of one role, two
// text blocks of an answer, an answer's text and a tool call's arguments): the text around every boundary between
// adjacent segments, and between consecutive segments of one location (role), of one path shape, or of the reading
// orders (labels left out; names kept in a second one; ids kept in two more), JOIN_WINDOW characters each side
// (windows that overlap merged; a JSON text read without the syntax at its edges), and two consecutive values of one
// JSON text, are classified again as one text, and a finding that crosses a boundary is reported once per piece
// (segment span) it touches; a finding inside one piece is kept only when a neighbour lent it its context
// (pieceBeside: "my ssn is" | "219099999"; labelWindows read each boundary apart by a line break for that).
// Invariant: within one order windows are disjoint and each JSON value is in at most two pairs, so each order's joined
// text is at most about six times its segments (the merged windows once, segmentRuns five times at most) and the
// value pairs and label windows twice more: linear in the input times the number of orders (reading-orders.ts);
// every piece is a span of its own segment's text (join-pieces.ts maps findings back).
import { documentPairs } from './document-pairs.ts';
import { nameSetWindows } from './name-pairs.ts';
import { isKeyList, MAX_SHAPE_PATH } from './reading-orders.ts';
import { segmentSpans, valueLike, type SegmentSpans, type Spans } from './readable-spans.ts';
import { bridgePairs, listPairs, type Readable } from './join-bridges.ts';
import { closingReadings, digitCutReadings, type JoinWindow, PAIR_GAP, type WindowPart } from './join-window.ts';
import type { TextSegment } from './types.ts';

// Moved out of this file; stream-scanner.ts still imports them from here.
export { joinedSpan, readableSpans } from './readable-spans.ts';
export { type JoinWindow, PAIR_GAP, type Piece, type WindowPart } from './join-window.ts';

/** Characters taken on each side of a boundary: a split value is found when each side of it is at most this long. */
export const JOIN_WINDOW = 256;

/** Every segment's readable spans, worked out once per classify call and shared by every order's windows. */
export function spansOfSegments(segments: readonly TextSegment[]): SegmentSpans[] {
  return segments.map((segment) => segmentSpans(segment.text));
}

/**
 * The windows around every boundary between two consecutive non-empty segments of `order` (segment indices; default
 * all, in order; empty segments are skipped over), each read as its joinedSpan; for the default order also the
 * valuePairs inside JSON texts. Boundaries between segments adjacent in the list are left out when `skipAdjacent` is
 * set (a second join over another order must not repeat the first one's work). `spans`: spansOfSegments(segments).
 */
export function joinWindows(
  segments: readonly TextSegment[],
  reach: number = JOIN_WINDOW,
  order?: readonly number[],
  skipAdjacent = false,
  spans: readonly SegmentSpans[] = spansOfSegments(segments),
): JoinWindow[] {
  const readable: Readable[] = [];
  for (const segment of order ?? segments.map((_, i) => i)) {
    const [from, to] = (spans[segment] as SegmentSpans).joined;
    if (to > from) readable.push({ segment, from, to });
  }
  // Offsets in the concatenation of the readable spans: where each starts, and the merged intervals [from, to).
  const startsAt: number[] = [];
  let total = 0;
  for (const r of readable) {
    startsAt.push(total);
    total += r.to - r.from;
  }
  const intervals: [number, number][] = [];
  for (let k = 1; k < readable.length; k += 1) {
    const [before, after] = [(readable[k - 1] as Readable).segment, (readable[k] as Readable).segment];
    if (skipAdjacent && after === before + 1) continue;
    const boundary = startsAt[k] as number;
    const from = Math.max(0, boundary - reach);
    const to = Math.min(total, boundary + reach);
    const last = intervals[intervals.length - 1];
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else intervals.push([from, to]);
  }
  const windows: JoinWindow[] = [];
  let first = 0; // first readable span that may overlap the current interval (intervals are in order)
  for (const [from, to] of intervals) {
    while (first < readable.length && (startsAt[first] as number) + lengthOf(readable[first] as Readable) <= from) {
      first += 1;
    }
    const parts: WindowPart[] = [];
    const texts: string[] = [];
    let at = 0;
    for (let k = first; k < readable.length && (startsAt[k] as number) < to; k += 1) {
      const r = readable[k] as Readable;
      const start = startsAt[k] as number;
      const sliceFrom = r.from + Math.max(0, from - start);
      const sliceTo = r.from + Math.min(lengthOf(r), to - start);
      texts.push((segments[r.segment] as TextSegment).text.slice(sliceFrom, sliceTo));
      parts.push({ segment: r.segment, at, from: sliceFrom, length: sliceTo - sliceFrom });
      at += sliceTo - sliceFrom;
    }
    windows.push({ text: texts.join(''), parts });
  }
  const runs = segmentRuns(segments, readable, reach, skipAdjacent);
  const pairs =
    order === undefined
      ? [
          ...valuePairs(segments, spans, reach),
          ...memberPairs(segments, reach),
          ...listPairs(segments, SHORT_VALUE),
          ...documentPairs(segments, reach),
          ...nameSetWindows(segments),
          ...bridgePairs(segments, readable, reach),
        ]
      : [];
  // A value cut at a group separator lost it at the cut: the merged windows and the pairs read again with a separator
  // there (join-window.ts). Not the runs: a neighbour glued before the value meets it digit to digit too (`echo-1` |
  // `5500 0055`), so the merged window's reading already puts a separator there, and the runs would read it again.
  const cut = digitCutReadings([...windows, ...pairs]);
  // A member cut after its name's or value's opening quote, which the joined span leaves out (join-window.ts).
  const quoted = closingReadings(windows, segments);
  windows.push(...runs, ...pairs, ...cut, ...quoted);
  return windows;
}

/**
 * A value is found in pieces of up to this many consecutive segments (of one order) whatever text surrounds them: the
 * runs of two and three segments are also read apart from their neighbours.
 */
export const JOIN_PIECES = 3;

/**
 * The longest value a run of three or more segments is read for: its inner segments are whole pieces of it, so none is
 * longer, and its outer ones are read this far. Keys, SSNs, cards, IBANs and phone numbers are shorter.
 */
export const SHORT_VALUE = 64;

/**
 * The runs of `k` consecutive readable spans (k = 2..JOIN_PIECES), each read with nothing before or after it. A merged
 * window glues the text before a value's first piece onto it, and the text after its last one: a neighbour ending or
 * starting in a letter or digit takes the value's boundary away (`echo-1` + `219-09-` + `9999` reads
 * `echo-1219-09-9999`, no SSN, and every request body starts with its model name). The runs starting at indices
 * k·i + c make one window for each k and c (runs kept apart by PAIR_GAP), so runs of one window are disjoint and each
 * window is at most the text: at most five times it together. A pair's spans are read `reach` characters from its
 * boundary; a longer run is read for values of up to SHORT_VALUE characters (inner spans no longer, outer ones read
 * that far). Left out: a run that is the whole order (its merged window is the same text) and, in a second order
 * (`skipAdjacent`), a run of segments adjacent in the list (the list's own run is the same text).
 */
function segmentRuns(
  segments: readonly TextSegment[],
  readable: readonly Readable[],
  reach: number,
  skipAdjacent: boolean,
): JoinWindow[] {
  const windows: JoinWindow[] = [];
  for (let k = 2; k <= JOIN_PIECES; k += 1) {
    const outer = k === 2 ? reach : Math.min(reach, SHORT_VALUE);
    for (let c = 0; c < k; c += 1) {
      const texts: string[] = [];
      const parts: WindowPart[] = [];
      let at = 0;
      for (let a = c; a + k <= readable.length; a += k) {
        const run = readable.slice(a, a + k);
        if (!skipAdjacent && run.length === readable.length) continue;
        if (skipAdjacent && run.every((r, i) => i === 0 || r.segment === (run[i - 1] as Readable).segment + 1))
          continue;
        if (run.some((r, i) => i > 0 && i < k - 1 && lengthOf(r) > SHORT_VALUE)) continue;
        if (texts.length > 0) {
          texts.push(PAIR_GAP);
          at += PAIR_GAP.length;
        }
        run.forEach((r, i) => {
          const from = i === 0 ? Math.max(r.from, r.to - outer) : r.from;
          const to = i === k - 1 ? Math.min(r.to, r.from + outer) : r.to;
          texts.push((segments[r.segment] as TextSegment).text.slice(from, to));
          parts.push({ segment: r.segment, at, from, length: to - from });
          at += to - from;
        });
      }
      if (parts.length > 0) windows.push({ text: texts.join(''), parts });
    }
  }
  return windows;
}

/** Characters of a label read before the next segment's start in labelWindows (more than any context reach). */
export const LABEL_REACH = 64;

/** Between a label and the next segment in labelWindows: a line break, so a label's last letter does not glue on. */
export const LABEL_BREAK = '\n';

/**
 * The end of every non-empty segment (`reach` characters) and the start of the next one in the list (`reach` plus
 * SHORT_VALUE), kept apart by a line break, all pairs in one window (kept apart by PAIR_GAP): read by the recognizers
 * that require context, so a label that ends in a letter still names a value in the next segment that must not start
 * after one (`my passport is` | `A12345678` glued reads `isA12345678`, no word boundary). At most twice the text.
 */
export function labelWindows(
  segments: readonly TextSegment[],
  reach: number = LABEL_REACH,
  spans: readonly SegmentSpans[] = spansOfSegments(segments),
): JoinWindow[] {
  const readable: Readable[] = [];
  spans.forEach(({ joined: [from, to] }, index) => {
    if (to > from) readable.push({ segment: index, from, to });
  });
  if (readable.length < 2) return [];
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  for (let k = 1; k < readable.length; k += 1) {
    const [before, after] = [readable[k - 1] as Readable, readable[k] as Readable];
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    const from = Math.max(before.from, before.to - reach);
    const to = Math.min(after.to, after.from + reach + SHORT_VALUE);
    texts.push((segments[before.segment] as TextSegment).text.slice(from, before.to), LABEL_BREAK);
    parts.push({ segment: before.segment, at, from, length: before.to - from });
    at += before.to - from + LABEL_BREAK.length;
    texts.push((segments[after.segment] as TextSegment).text.slice(after.from, to));
    parts.push({ segment: after.segment, at, from: after.from, length: to - after.from });
    at += to - after.from;
  }
  return [{ text: texts.join(''), parts }];
}

/**
 * Inside each JSON text, two consecutive members joined (the end of one, the start of the next, `reach` characters
 * each; property names are members as values are): a value split over two fields of tool-call arguments
 * (`{"a":"AKIAQ3EG","b":"THV5…"}`), over a name and its value (`{"AKIAQ3EG":"THV5…"}`) or a value and the next name
 * (`{"a":"AKIAQ3EG","THV5…":1}`), as the model reads them across `":"` and `","`. Pairs, not all the
 * values glued, so a third value does not glue onto a value's end (`…WU2P` + `2` is no key). The pairs starting at
 * even values make one window and those at odd values another (pairs kept apart by PAIR_GAP), so a text of many
 * values costs two scans, not one a value; together at most twice the text.
 */
function valuePairs(segments: readonly TextSegment[], spans: readonly SegmentSpans[], reach: number): JoinWindow[] {
  const windows: JoinWindow[] = [];
  segments.forEach((segment, index) => {
    const { values, members, strings, namePairs } = spans[index] as SegmentSpans;
    valuePairsOf(segment, index, values, reach, windows);
    // Members add pairs only when a property name is read (the values' own pairs are above), and the strings alone
    // when a number stands between two of them (`{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}`: read past it, as the document
    // order reads past numbers); the names that are no member, with the strings beside them (namePairs).
    if (members !== values) valuePairsOf(segment, index, members, reach, windows);
    if (strings !== members) valuePairsOf(segment, index, strings, reach, windows);
    if (namePairs.length > 0) windows.push(pairsWindow(segment, index, namePairs, reach));
  });
  return windows;
}

/**
 * One window of the pairs of spans `pairs` holds in turn (first, second), `reach` characters each side of a junction.
 */
function pairsWindow(segment: TextSegment, index: number, pairs: Spans, reach: number): JoinWindow {
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  for (let k = 1; k < pairs.length; k += 2) {
    const [a0, a1] = pairs[k - 1] as readonly [number, number];
    const [b0, b1] = pairs[k] as readonly [number, number];
    const from = Math.max(a0, a1 - reach);
    const to = Math.min(b1, b0 + reach);
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    texts.push(segment.text.slice(from, a1), segment.text.slice(b0, to));
    parts.push({ segment: index, at, from, length: a1 - from });
    parts.push({ segment: index, at: at + a1 - from, from: b0, length: to - b0 });
    at += a1 - from + to - b0;
  }
  return { text: texts.join(''), parts };
}

/** The windows of valuePairs over one list of spans of one segment's text: the pairs at odd, then even, values. */
function valuePairsOf(segment: TextSegment, index: number, values: Spans, reach: number, windows: JoinWindow[]): void {
  for (let parity = 1; parity <= 2 && parity < values.length; parity += 1) {
    const pairs: (readonly [number, number])[] = [];
    for (let k = parity; k < values.length; k += 2)
      pairs.push(values[k - 1] as Spans[number], values[k] as Spans[number]);
    windows.push(pairsWindow(segment, index, pairs, reach));
  }
}

/**
 * Each member of a request's free-form JSON object as the document writes it: a property name then its value, the
 * value then the next name (`{"a":"AKIAZ3MQWX","R5TLPB6Y7N":1}`), `reach` characters each side. The object's names are
 * one segment (providers/shape-walk.ts: the names one a line, at the object's path), each value one more at
 * `path.name`, so the list is read apart from its values otherwise. Only names that can be a value's piece
 * (valueLike). One window, pairs kept apart by PAIR_GAP; each value in at most two pairs; paths past MAX_SHAPE_PATH are
 * not compared (linear in a deep body).
 */
function memberPairs(segments: readonly TextSegment[], reach: number): JoinWindow[] {
  const lists = new Map<string, { segment: number; starts: Map<string, number> }>();
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  const pair = (first: number, firstFrom: number, firstTo: number, second: number, secondFrom: number, to: number) => {
    const a0 = Math.max(firstFrom, firstTo - reach);
    const b1 = Math.min(to, secondFrom + reach);
    if (firstTo <= a0 || b1 <= secondFrom) return;
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    texts.push((segments[first] as TextSegment).text.slice(a0, firstTo));
    texts.push((segments[second] as TextSegment).text.slice(secondFrom, b1));
    parts.push({ segment: first, at, from: a0, length: firstTo - a0 });
    parts.push({ segment: second, at: at + firstTo - a0, from: secondFrom, length: b1 - secondFrom });
    at += firstTo - a0 + b1 - secondFrom;
  };
  segments.forEach((segment, i) => {
    const { path, text } = segment;
    if (path.length > MAX_SHAPE_PATH) return;
    const dot = path.lastIndexOf('.');
    const list = dot < 0 ? undefined : lists.get(path.slice(0, dot));
    const name = path.slice(dot + 1);
    const start = list?.starts.get(name);
    if (list !== undefined && start !== undefined) {
      const own = start + name.length;
      const names = (segments[list.segment] as TextSegment).text;
      if (valueLike(names, start, own)) pair(list.segment, start, own, i, 0, text.length);
      const next = names.indexOf('\n', own + 1);
      const end = next < 0 ? names.length : next;
      if (own < names.length && valueLike(names, own + 1, end)) pair(i, 0, text.length, list.segment, own + 1, end);
    }
    if (isKeyList(segments, i)) {
      const starts = new Map<string, number>();
      let from = 0;
      for (const key of text.split('\n')) {
        starts.set(key, from);
        from += key.length + 1;
      }
      lists.set(path, { segment: i, starts });
    }
  });
  return texts.length === 0 ? [] : [{ text: texts.join(''), parts }];
}

function lengthOf(r: Readable): number {
  return r.to - r.from;
}
