// Values split across segments ("219-09" | "-9999", two messages or two content parts, two turns of one role, two
// text blocks of an answer, an answer's text and a tool call's arguments): the text around every boundary between
// adjacent segments, and between consecutive segments of one location (role), of one path shape, or of the reading
// orders (labels left out; names kept in a second one; ids kept in two more), JOIN_WINDOW characters each side
// (windows that overlap merged; a JSON text read without the syntax at its edges), and two consecutive values of one
// JSON text, are classified again as one text, and a finding that crosses a boundary is reported once per piece
// (segment span) it touches; a finding inside one piece is kept only when a neighbour lent it its context
// (pieceBeside: "my ssn is" | "219099999"; labelWindows read each boundary apart by a line break for that).
// Invariant: within one order windows are disjoint and each JSON value is in at most two pairs, so the joined text
// scanned is at most seven times the input, and the label windows twice more (linear); every piece is a span of its
// own segment's text.
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

/** One readable span of one segment, as joined: the segment's text [from, to). */
interface Readable {
  segment: number;
  from: number;
  to: number;
}

/** Values per segment object (a classify() call joins over several orders: each text is read once). */
const valuesCache = new WeakMap<TextSegment, readonly (readonly [number, number])[]>();

function valuesOf(segment: TextSegment): readonly (readonly [number, number])[] {
  let spans = valuesCache.get(segment);
  if (spans === undefined) valuesCache.set(segment, (spans = readableSpans(segment.text)));
  return spans;
}

/** Values and property names per segment object (valuePairs: a key is read with the values on either side of it). */
const membersCache = new WeakMap<TextSegment, readonly (readonly [number, number])[]>();

function membersOf(segment: TextSegment): readonly (readonly [number, number])[] {
  let spans = membersCache.get(segment);
  if (spans === undefined) membersCache.set(segment, (spans = readableSpans(segment.text, true)));
  return spans;
}

/**
 * The span of a segment joined to its neighbours: for a JSON text from its first value's text to before its closing
 * syntax (`{"k":"` and `"}` read over), for any other text the whole text without closing quotes and brackets.
 */
export function joinedSpan(text: string, values: readonly (readonly [number, number])[]): [number, number] {
  const json = isJsonText(text);
  const lo = json ? (values[0]?.[0] ?? text.length) : 0;
  return [lo, Math.max(lo, closingStart(text))];
}

/**
 * The windows around every boundary between two consecutive non-empty segments of `order` (segment indices; default
 * all, in order; empty segments are skipped over), each read as its joinedSpan; for the default order also the
 * valuePairs inside JSON texts. Boundaries between segments adjacent in the list are left out when `skipAdjacent` is
 * set (a second join over another order must not repeat the first one's work).
 */
export function joinWindows(
  segments: readonly TextSegment[],
  reach: number = JOIN_WINDOW,
  order?: readonly number[],
  skipAdjacent = false,
): JoinWindow[] {
  const readable: Readable[] = [];
  for (const segment of order ?? segments.map((_, i) => i)) {
    const text = segments[segment] as TextSegment;
    const [from, to] = joinedSpan(text.text, valuesOf(text));
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
  windows.push(...segmentRuns(segments, readable, reach, skipAdjacent));
  if (order === undefined) windows.push(...valuePairs(segments, reach), ...memberPairs(segments, reach));
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
export function labelWindows(segments: readonly TextSegment[], reach: number = LABEL_REACH): JoinWindow[] {
  const readable: Readable[] = [];
  segments.forEach((segment, index) => {
    const [from, to] = joinedSpan(segment.text, valuesOf(segment));
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
 * Between two pairs of one valuePairs window: no recognizer matches across a line break, a `!` and a line break (not
 * a bar: the digits view reads `|` between digit groups as a separator, digit-view.ts).
 */
export const PAIR_GAP = '\n!\n';

/**
 * Inside each JSON text, two consecutive members joined (the end of one, the start of the next, `reach` characters
 * each; property names are members as values are): a value split over two fields of tool-call arguments
 * (`{"a":"AKIAQ3EG","b":"THV5…"}`), over a name and its value (`{"AKIAQ3EG":"THV5…"}`) or a value and the next name
 * (`{"a":"AKIAQ3EG","THV5…":1}`), as the model reads them across `":"` and `","`. Pairs, not all the
 * values glued, so a third value does not glue onto a value's end (`…WU2P` + `2` is no key). The pairs starting at
 * even values make one window and those at odd values another (pairs kept apart by PAIR_GAP), so a text of many
 * values costs two scans, not one a value; together at most twice the text.
 */
function valuePairs(segments: readonly TextSegment[], reach: number): JoinWindow[] {
  const windows: JoinWindow[] = [];
  segments.forEach((segment, index) => {
    for (const values of [valuesOf(segment), membersOf(segment)]) {
      // Members add pairs only when a property name is read (the values' own pairs are above).
      if (values !== valuesOf(segment) && values.length === valuesOf(segment).length) continue;
      valuePairsOf(segment, index, values, reach, windows);
    }
  });
  return windows;
}

/** The windows of valuePairs over one list of spans of one segment's text. */
function valuePairsOf(
  segment: TextSegment,
  index: number,
  values: readonly (readonly [number, number])[],
  reach: number,
  windows: JoinWindow[],
): void {
  for (let parity = 1; parity <= 2 && parity < values.length; parity += 1) {
    const texts: string[] = [];
    const parts: WindowPart[] = [];
    let at = 0;
    for (let k = parity; k < values.length; k += 2) {
      const [a0, a1] = values[k - 1] as readonly [number, number];
      const [b0, b1] = values[k] as readonly [number, number];
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
    windows.push({ text: texts.join(''), parts });
  }
}

/**
 * Each member of a request's free-form JSON object as the document writes it: a property name then its value, the
 * value then the next name (`{"a":"AKIAZ3MQWX","R5TLPB6Y7N":1}`), `reach` characters each side. The object's names are
 * one segment (providers/shape-walk.ts: the names one a line, at the object's path), each value one more at
 * `path.name`, so the list is read apart from its values otherwise. Only names that can be a value's piece
 * (valueLike). One window, pairs kept apart by PAIR_GAP; each value in at most two pairs; paths past MAX_SHAPE_PATH are not compared (linear in a deep body).
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

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

function isNumberChar(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || code === 0x2e || code === 0x2d || code === 0x2b || code === 0x65 || code === 0x45
  );
}

/**
 * The spans of a text a consumer reads as one text when it is joined to its neighbours: for a JSON object or array
 * text (tool-call arguments, `{"a":"AKIAQ3EG","b":"THV5…"}`) the text of each value (strings without their quotes,
 * numbers), keys and syntax left out, so an answer's text and the arguments' first value, or two values, read as one;
 * for any other text the whole text without closing quotes and brackets at its end (`"}`, `]}`: a JSON text whose
 * start was cut off, as in a stream's held text). One pass; a string is a key by its place (after `{` or `,` in an
 * object), so a key still arriving (`{"a":"AKIAQ3EG","b`) is never read as a value; `withKeys` keeps the keys too.
 */
export function readableSpans(text: string, withKeys = false): [number, number][] {
  let lo = 0;
  while (lo < text.length && isJsonSpace(text.charCodeAt(lo))) lo += 1;
  if (!isJsonText(text)) {
    const hi = closingStart(text);
    return hi > 0 ? [[0, hi]] : [];
  }
  const spans: [number, number][] = [];
  const open: number[] = []; // the containers open here ({ or [), innermost last
  let last = 0; // the last syntax character read: a string after `{` or `,` in an object is a key
  for (let i = lo; i < text.length; ) {
    const code = text.charCodeAt(i);
    if (code === 0x7b || code === 0x5b) open.push(code);
    else if (code === 0x7d || code === 0x5d) open.pop();
    if (code === 0x7b || code === 0x5b || code === 0x7d || code === 0x5d || code === 0x3a || code === 0x2c) {
      last = code;
      i += 1;
    } else if (code === 0x22) {
      let end = i + 1;
      while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
      end = Math.min(end, text.length);
      const key = open[open.length - 1] === 0x7b && (last === 0x7b || last === 0x2c);
      if ((!key || (withKeys && valueLike(text, i + 1, end))) && end > i + 1) spans.push([i + 1, end]);
      last = code;
      i = end + 1;
    } else if ((code >= 0x30 && code <= 0x39) || code === 0x2d) {
      let end = i + 1;
      while (end < text.length && isNumberChar(text.charCodeAt(end))) end += 1;
      spans.push([i, end]);
      last = code;
      i = end;
    } else i += 1;
  }
  return spans;
}

/** Characters of the longest property name read as a piece of a value. */
const MAX_VALUE_NAME = 64;

/**
 * Whether the property name text[from, to) can be a piece of a value written across `":"` or `","`: 3-64 characters,
 * no lower-case ASCII letter (a key's or a card's or an SSN's pieces: `R5TLPB6Y7N`, `219-09`), so an ordinary name
 * (`to`, `userName`) is never read into the address or the words of the value beside it.
 */
export function valueLike(text: string, from: number, to: number): boolean {
  if (to - from < 3 || to - from > MAX_VALUE_NAME) return false;
  for (let i = from; i < to; i += 1) {
    const code = text.charCodeAt(i);
    if (code >= 0x61 && code <= 0x7a) return false;
  }
  return true;
}

/** Whether a text is a JSON object or array (its first character after whitespace opens one). */
function isJsonText(text: string): boolean {
  let at = 0;
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
  return text[at] === '{' || text[at] === '[';
}

/** Where a text's trailing closing syntax starts (`"}`, `]`, with whitespace among them); its length when none. */
function closingStart(text: string): number {
  let hi = text.length;
  let closing = false;
  for (let at = text.length; at > 0 && text.length - at < 256; at -= 1) {
    const c = text[at - 1] as string;
    if (c === '"' || c === '}' || c === ']') closing = true;
    else if (!isJsonSpace(c.charCodeAt(0))) break;
    if (closing) hi = at - 1;
  }
  return hi;
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
 * joined too; and the reading orders, every segment but some labels (LABEL_KEYS): (1) no label, (2) names and the
 * model kept (READ_LABELS), (3) every label kept but closed tokens (isClosedToken: `assistant`, `function`,
 * `end_turn`), so an id, which no adapter can close (`chatcmpl-…`, `msg_…`, a client's tool call id), is joined with
 * the text or arguments after it and with a name beside it, (4) the same without names and the model, so an id and
 * the text or arguments past a name or model that is no closed token (`gpt-4o`, `lookup2`) are joined too, and (5) no
 * label and no property-name list (isKeyList), so a text and a tool input's value are joined past the input's keys.
 * The third to fifth leave property-name lists out too (`{"q": …}`: `q` between an id and its value). A segment is
 * in at most one order of each kind: together at most seven times the input (each order its segments once).
 */
export function joinOrders(segments: readonly TextSegment[]): number[][] {
  const reading: number[] = [];
  const named: number[] = [];
  const open: number[] = [];
  const ids: number[] = [];
  const content: number[] = [];
  segments.forEach((segment, i) => {
    const key = lastKey(segment.path);
    const closed = LABEL_KEYS.has(key) && isClosedToken(segment.text);
    // Inside free-form JSON a key named like a label is the model's or the client's word: a label only when its value
    // is a closed token (a schema's `"type": "object"`), which carries no part of a value wherever it is.
    const label = closed || (LABEL_KEYS.has(key) && !insideFreeForm(segment.path));
    const keys = isKeyList(segments, i);
    if (!label) reading.push(i);
    if (!label || READ_LABELS.has(key)) named.push(i);
    if (closed || keys) return;
    open.push(i);
    if (!(label && READ_LABELS.has(key))) ids.push(i);
    if (!label) content.push(i);
  });
  const readingOrders = [reading, named, open, ids, content].filter(
    (order) => order.length > 1 && order.length < segments.length,
  );
  const orders = [
    ...ordersBy(segments, (s) => s.location),
    ...ordersBy(segments, (s) => pathShape(s.path)),
    ...readingOrders,
  ];
  // One order of several kinds (a user's turns are often also the reading order and one path shape) is joined once.
  const seen = new Set<string>();
  return orders.filter((order) => {
    const key = order.join(',');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether segment `i` lists an object's property names (a request's free-form JSON: providers/shape-walk.ts gives the
 * object's keys as one segment at the object's own path): the next segment's path is inside its path. A string or a
 * number has no path inside it. Paths longer than MAX_SHAPE_PATH are not compared (linear in a deep body).
 */
function isKeyList(segments: readonly TextSegment[], i: number): boolean {
  const path = (segments[i] as TextSegment).path;
  const next = segments[i + 1]?.path;
  if (next === undefined || path.length > MAX_SHAPE_PATH || next.length <= path.length) return false;
  if (!next.startsWith(path)) return false;
  const after = next.charCodeAt(path.length);
  return after === 0x2e || after === 0x5b;
}

/** Labels a client shows as text: the second reading order keeps them. */
const READ_LABELS: ReadonlySet<string> = new Set(['name', 'model']);

/**
 * Keys whose strings label what sits around them rather than read as text (ids, names, types, roles, statuses): the
 * reading orders leave them out, so the text before a tool call (`…AKIAQ3EG`) and its arguments (`{"k":"THV5…"}`),
 * with the call's id, type and name between, are joined as the consumer reads them. Those strings are classified on
 * their own and with their neighbours all the same. A key inside free-form JSON is one only for a closed token.
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

/** Longest closed token (a label's value that can carry no part of a value): answer-labels.ts's bound. */
const MAX_CLOSED_TOKEN = 64;

/**
 * Whether a label's text is a closed token: 1-64 lower-case ASCII letters, `_` and `.` (`assistant`, `tool_use`,
 * `chat.completion.chunk`): no digit, no capital, so no part of a number or a key. Only these labels are left out of
 * the third and fourth reading orders.
 */
export function isClosedToken(text: string): boolean {
  if (text.length === 0 || text.length > MAX_CLOSED_TOKEN) return false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (!((code >= 0x61 && code <= 0x7a) || code === 0x5f || code === 0x2e)) return false;
  }
  return true;
}

/**
 * Properties whose values are free-form JSON (a tool's input or arguments, schemas, metadata, MCP structured content):
 * their keys are the model's or the client's words, not an API's labels.
 */
const FREE_FORM: ReadonlySet<string> = new Set([
  'input',
  'arguments',
  'parameters',
  'schema',
  'input_schema',
  'inputSchema',
  'outputSchema',
  'structuredContent',
  'metadata',
]);

/** The last property name of a segment path (`…function.name` → `name`); '' when it ends in an index or quoted key. */
function lastKey(path: string): string {
  if (path.endsWith(']')) return '';
  return path.slice(path.lastIndexOf('.') + 1);
}

/**
 * Whether `path` passes through free-form JSON: a property named in FREE_FORM has a step after it
 * (`content[1].input.status`). One pass; only the paths of segments keyed like a label are read.
 */
function insideFreeForm(path: string): boolean {
  // Free-form JSON starts near the top of a body: the first MAX_SHAPE_PATH characters are read (a deep body's paths
  // read whole would cost the square of its depth).
  const end = Math.min(path.length, MAX_SHAPE_PATH);
  let from = 0;
  for (let i = 0; i <= end; i += 1) {
    const code = i < end ? path.charCodeAt(i) : -1;
    if (code !== 0x2e && code !== 0x5b && code !== 0x5d && code !== -1) continue;
    if (code !== -1 && i > from && FREE_FORM.has(path.slice(from, i)) && code !== 0x5d) return true;
    from = i + 1;
  }
  return false;
}

/**
 * The in-segment spans of window span [start, end) when it crosses at least one boundary (else none: a span inside one
 * segment was already found there). Pieces are in segment order.
 */
export function piecesAcross(window: JoinWindow, start: number, end: number): Piece[] {
  const pieces: Piece[] = [];
  // Parts are in window order: a binary search for the first that ends after `start` (a window may hold many).
  let lo = 0;
  let hi = window.parts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const part = window.parts[mid] as WindowPart;
    if (part.at + part.length <= start) lo = mid + 1;
    else hi = mid;
  }
  for (let k = lo; k < window.parts.length && (window.parts[k] as WindowPart).at < end; k += 1) {
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
 * of it as context: it starts at most `before` characters after the part's start and another part ends right there,
 * or ends at most `after` characters before the part's end and another part starts right there (`my ssn is` |
 * `219099999`); "right there" is within `gap` characters (a labelWindows line break). Undefined otherwise, and when the span reaches an edge of its part where its segment's text goes on
 * in a letter or digit: the window cut a word or a number there (`…2190999991234` clipped after nine digits), and
 * its segment alone would not read that value.
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

/**
 * Whether a piece of a joined finding overlaps a finding of the same type found in its segment alone: then the join
 * only glued a neighbour onto a value already found (`alice@acme.io` + `ssn …` reads `alice@acme.iossn`; two values of
 * one JSON text, `"alice@acme.io"` + `"bob"`), and the joined finding is dropped. Exact: per segment and type, the
 * findings' spans sorted by start with the running maximum of their ends (a binary search a piece).
 */
export function overlapsFound(found: readonly Span[]): (piece: Span) => boolean {
  const byKey = new Map<string, { starts: number[]; maxEnds: number[] }>();
  const sorted = [...found].sort((a, b) => a.start - b.start);
  for (const f of sorted) {
    const key = `${f.segment}\u0000${f.type}`;
    let spans = byKey.get(key);
    if (spans === undefined) byKey.set(key, (spans = { starts: [], maxEnds: [] }));
    spans.maxEnds.push(Math.max(f.end, spans.maxEnds[spans.maxEnds.length - 1] ?? -1));
    spans.starts.push(f.start);
  }
  return (piece) => {
    const spans = byKey.get(`${piece.segment}\u0000${piece.type}`);
    if (spans === undefined) return false;
    let lo = 0;
    let hi = spans.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((spans.starts[mid] as number) < piece.end) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && (spans.maxEnds[lo - 1] as number) > piece.start;
  };
}
