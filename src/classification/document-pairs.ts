// A request's property names read with the places beside them in document order, as the body's JSON text writes them:
// two names with a number or `{` between (`{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}`), a value then the first name nested
// objects down (`{"a":"AKIAZ3MQWX","x":{"x":{"R5TLPB6Y7N":1}}}`). Places: each name and each value but closed labels
// and blank strings; each place is paired with the next two when one of them is a name, and, labels skipped, with the
// next one; a name that is not valueLike is read with its neighbours only (forEachDocumentPair). Also read (requests
// and answers): consecutive texts of one path shape member by member, also in the order of their page numbers
// (jsonTextPairs: two tool calls' appends, two pages of a file; pages within one text too) and a URI's last path
// segment beside the strings around it (uriPairs). Invariant: linear (each name emitted once, each place in at most five
// pairs, each text member in at most seven an order and three orders, each object's one more, each URI in four).
import { isClosedLabel, isKeyList, isLabel, MAX_SHAPE_PATH, pathShape } from './reading-orders.ts';
import { glued, isBlank, valueLike } from './readable-spans.ts';
import { type JoinWindow, PAIR_GAP, type WindowPart } from './join-window.ts';
import { type Member, type Members, PAGE_NAME, textMembers } from './document-members.ts';
import type { TextSegment } from './types.ts';

/** Adds one pair to a window: segment a's [from, to) end read before segment b's [from, to) start. */
type AddPair = (
  a: number,
  aFrom: number,
  aTo: number,
  b: number,
  bFrom: number,
  bTo: number,
  /** A piece read whole between them (segment, from, to). */
  middle?: readonly [number, number, number],
) => void;

interface Place {
  segment: number;
  from: number;
  to: number;
  name: boolean;
  label: boolean;
  weak: boolean;
}

interface List {
  path: string;
  segment: number;
  order: Map<string, number>;
  starts: number[];
  next: number;
}

/** The pairs of places in document order that hold a name, as one window (pairs kept apart by PAIR_GAP). */
export function documentPairs(segments: readonly TextSegment[], reach: number): JoinWindow[] {
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  // A run of pieces read as one: the first's last `reach` characters, the inner ones whole, the last's first `reach`.
  const run = (pieces: readonly (readonly [number, number, number])[]) => {
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    pieces.forEach(([segment, from, to], k) => {
      const [a, b] = [
        k === 0 ? Math.max(from, to - reach) : from,
        k === pieces.length - 1 ? Math.min(to, from + reach) : to,
      ];
      texts.push((segments[segment] as TextSegment).text.slice(a, b));
      parts.push({ segment, at, from: a, length: b - a });
      at += b - a;
    });
  };
  const add: AddPair = (a, aFrom, aTo, b, bFrom, bTo, middle) => {
    if (aTo > aFrom && bTo > bFrom)
      run(
        middle === undefined
          ? [
              [a, aFrom, aTo],
              [b, bFrom, bTo],
            ]
          : [[a, aFrom, aTo], middle, [b, bFrom, bTo]],
      );
  };
  const read = (a: Place, b: Place | undefined) => {
    if (b !== undefined && (a.name || b.name)) add(a.segment, a.from, a.to, b.segment, b.from, b.to);
  };
  const text = (place: Place) => (segments[place.segment] as TextSegment).text;
  forEachDocumentPair(documentPlaces(segments), read, (a, b) => glued(text(a), a.to - 1, b.from, text(b)));
  jsonTextPairs(segments, add);
  uriPairs(segments, add);
  return texts.length === 0 ? [] : [{ text: texts.join(''), parts }];
}

/**
 * The pairs a document-order reading reads (requests here, answers in pipeline/answer-key-joins.ts): each place with
 * the next two, and each place that is no label with the one before it past labels, when that one is further than two
 * places back (so no pair is read twice). A weak place (a name that is not valueLike: `7N`, `xbab`) is read with the
 * place right before and right after it when that one is not weak, and is no place of the walk above: a name of any
 * form can end or start the value beside it (`"k":"AKIAZ3MQWXR5TLPB6Y","7N":1`), yet pushes no other place away
 * (`"a":"AKIAZ3MQWX","b":1,"c":1,"R5TLPB6Y7N":1`); two weak names side by side hold no value's two pieces (each is
 * under 3 characters, over 64, or lower-case without a vendor prefix's form); and only where `glued` (a letter or
 * digit meets one: readable-spans.ts glued). At most five pairs a place: linear.
 */
export function forEachDocumentPair<P extends { label: boolean; weak: boolean }>(
  all: readonly P[],
  read: (a: P, b: P | undefined) => void,
  glued: (a: P, b: P) => boolean,
): void {
  for (let i = 1; i < all.length; i += 1) {
    const [before, place] = [all[i - 1] as P, all[i] as P];
    if (before.weak !== place.weak && glued(before, place)) read(before, place);
  }
  const places = all.filter((place) => !place.weak);
  let last: P | undefined;
  let lastAt = -1;
  places.forEach((place, i) => {
    read(place, places[i + 1]);
    read(place, places[i + 2]);
    if (place.label) return;
    if (last !== undefined && i - lastAt > 2) read(last, place);
    last = place;
    lastAt = i;
  });
}

/**
 * Names (of free-form JSON's key lists) and values in document order: a list's names up to a member, then its value.
 */
function documentPlaces(segments: readonly TextSegment[]): Place[] {
  const places: Place[] = [];
  const stack: List[] = [];
  const emit = (list: List, upTo: number) => {
    const names = (segments[list.segment] as TextSegment).text;
    for (; list.next < upTo; list.next += 1) {
      const from = list.starts[list.next] as number;
      const to = list.next + 1 < list.starts.length ? (list.starts[list.next + 1] as number) - 1 : names.length;
      const weak = !valueLike(names, from, to);
      if (!isBlank(names.slice(from, to)))
        places.push({ segment: list.segment, from, to, name: true, label: false, weak });
    }
  };
  segments.forEach((segment, i) => {
    const { path } = segment;
    // Paths past MAX_SHAPE_PATH are not compared (linear in a deep body): the lists open are closed.
    const within = (list: List) =>
      path.length <= MAX_SHAPE_PATH &&
      path.startsWith(list.path) &&
      (path[list.path.length] === '.' || path[list.path.length] === '[');
    while (stack.length > 0 && !within(stack[stack.length - 1] as List)) {
      const list = stack.pop() as List;
      emit(list, list.starts.length);
    }
    const top = stack[stack.length - 1];
    if (top !== undefined && path[top.path.length] === '.') {
      const rest = path.slice(top.path.length + 1);
      const end = rest.search(/[.[]/);
      const member = top.order.get(end < 0 ? rest : rest.slice(0, end));
      if (member !== undefined) emit(top, member + 1);
    }
    if (isKeyList(segments, i) && path.length <= MAX_SHAPE_PATH) {
      const order = new Map<string, number>();
      const starts: number[] = [];
      let from = 0;
      for (const name of segment.text.split('\n')) {
        order.set(name, starts.length);
        starts.push(from);
        from += name.length + 1;
      }
      stack.push({ path, segment: i, order, starts, next: 0 });
      return;
    }
    // A blank string (isBlank) is no place, as a number is not: it holds no piece, and must not push the next one away.
    if (!isClosedLabel(segment) && !isBlank(segment.text)) {
      places.push({ segment: i, from: 0, to: segment.text.length, name: false, label: isLabel(segment), weak: false });
    }
  });
  for (let list = stack.pop(); list !== undefined; list = stack.pop()) emit(list, list.starts.length);
  return places;
}

/** A text of a path shape that has members (textMembers): its string members, first of each name, and numbers. */
interface Paged {
  segment: number;
  members: Member[];
  byName: Map<string, Member>;
  numbers: Map<string, number>;
}

/**
 * Consecutive texts of one path shape (two tool calls' arguments, two tool results, an MCP result's two text contents)
 * read as the shape order reads the members of separate objects (`content[*].input.content`, Anthropic's plain answer
 * of two `write_file` appends): each first string member of a name before the next text's first member of that name,
 * and the last string before the next text's first. An agent writes a file in appends
 * (`{"path":…,"content":"AKIAZ3MQWX","append":true}`) and a tool returns one in pages (`{"offset":10,"data":…}`): the
 * other members and numbers stand between the pieces in the texts. The texts are JSON, Python's repr, YAML lines or
 * `name=value` pairs, or one of those inside a string member (document-members.ts). A model puts pages together by
 * their number, not as they arrive: the texts are read again in the order of a number member they share (pageOrders),
 * and the objects of one text with a page-like number (an array of pages, JSON lines, an MCP result's text items).
 * Each text is read with the one before it and the one after it of its shape in each order, each member in at most
 * two pairs a side and three runs of three an order, 1 + MAX_ORDERS orders: linear.
 */
function jsonTextPairs(segments: readonly TextSegment[], add: AddPair): void {
  const shapes = new Map<string, Paged[]>();
  segments.forEach((segment, i) => {
    const shape = pathShape(segment.path);
    if (shape === undefined) return;
    const { objects, ...members } = textMembers(segment.text);
    if (members.strings.length === 0) return;
    const texts = shapes.get(shape) ?? [];
    texts.push(paged(i, members));
    shapes.set(shape, texts);
    // Pages within the text (an array of them, JSON lines, an MCP result's text items): read in their numbers' order
    // (its document order is the other joins'), up to MAX_PAGES_WITHIN of them (a table of 10,000 rows out of the order
    // of a page-like column read again doubled its joined text: 0.48 M -> 0.98 M characters, 20 -> 500 ms).
    if (objects.length >= 2 && objects.length <= MAX_PAGES_WITHIN) {
      for (const order of pageOrders(objects, true)) {
        readPages(
          order.map((object) => paged(i, object)),
          add,
        );
      }
    }
  });
  for (const texts of shapes.values()) {
    readPages(texts, add);
    for (const order of pageOrders(texts)) readPages(order, add);
  }
}

function paged(segment: number, { strings, numbers }: Members): Paged {
  const byName = new Map<string, Member>();
  for (const m of strings) if (!byName.has(m.name)) byName.set(m.name, m);
  return { segment, members: strings, byName, numbers };
}

/** Each text read with the one before it (and the middle one's short members between the one before that and it). */
function readPages(texts: readonly Paged[], add: AddPair): void {
  texts.forEach((text, k) => {
    const [older, before] = [texts[k - 2], texts[k - 1]];
    if (before === undefined) return;
    for (const [name, m] of before.byName) {
      const next = text.byName.get(name);
      if (next === undefined) continue;
      add(before.segment, m.from, m.to, text.segment, next.from, next.to);
      // Three pages of one value: the middle one's member read whole between the others' (a short one: SHORT_PIECE).
      const first = older?.byName.get(name);
      if (first !== undefined && older !== undefined && m.to - m.from <= SHORT_PIECE)
        add(older.segment, first.from, first.to, text.segment, next.from, next.to, [before.segment, m.from, m.to]);
    }
    const [end, start] = [before.members[before.members.length - 1] as Member, text.members[0] as Member];
    if (end.name !== start.name || text.byName.get(end.name) !== start)
      add(before.segment, end.from, end.to, text.segment, start.from, start.to);
  });
}

/** The longest member read whole between the same member of the texts before and after it (segment-join's SHORT_VALUE). */
const SHORT_PIECE = 64;
/** Orders read besides the texts' own: the number members shared by two texts or more, a page's name first. */
const MAX_ORDERS = 2;
/** The most pages within one text read in their numbers' order (a tool returns a few pages a call). */
const MAX_PAGES_WITHIN = 256;

/**
 * The texts that have a number of one name in that number's order (a stable sort), for up to MAX_ORDERS names that
 * two texts or more share (page-like names first, then as they first appear), each order that differs from arrival.
 * Pages within one text (`within`): one order, by a page-like name only (a table's rows are objects with numbers too:
 * `salary`, `age`; their order is no page order, and reading each table again would be costly).
 */
function pageOrders<T extends Pick<Members, 'numbers'>>(texts: readonly T[], within = false): T[][] {
  const counts = new Map<string, number>();
  for (const text of texts) for (const name of text.numbers.keys()) counts.set(name, (counts.get(name) ?? 0) + 1);
  const shared = [...counts].filter(([, n]) => n >= 2).map(([name]) => name);
  const names = [...shared.filter((n) => PAGE_NAME.test(n)), ...shared.filter((n) => !within && !PAGE_NAME.test(n))];
  const orders: T[][] = [];
  for (const name of names.slice(0, within ? 1 : MAX_ORDERS)) {
    const order = texts
      .filter((t) => t.numbers.has(name))
      .sort((a, b) => (a.numbers.get(name) as number) - (b.numbers.get(name) as number));
    if (order.length !== texts.length || order.some((t, k) => t !== texts[k])) orders.push(order);
  }
  return orders;
}

/** Characters before a URI's `:/` (its scheme: `file`, `https`, `s3`), and the longest URI read. */
const MAX_SCHEME = 32;
const MAX_URI = 2048;

/** Whether a string is a URI or an absolute path: no blank, `/` or a scheme's `:/` first. */
function isUri(text: string): boolean {
  if (text.length > MAX_URI) return false;
  const scheme = text.slice(0, MAX_SCHEME + 2).indexOf(':/');
  if (text[0] !== '/' && scheme <= 0) return false;
  for (let i = 0; i < text.length; i += 1) if (text.charCodeAt(i) <= 0x20) return false;
  return true;
}

/**
 * A URI's last path segment (`file:///tmp/AKIAZ3MQWX`, `/tmp/AKIAZ3MQWX`) read before the two strings after it and
 * after the two before it, closed labels and blank strings skipped: a model reads an embedded resource's uri beside
 * its text (a `mimeType` between), so a value can end one and start the other. Four pairs a URI: linear.
 */
function uriPairs(segments: readonly TextSegment[], add: AddPair): void {
  const strings: number[] = [];
  segments.forEach((segment, i) => {
    if (!isClosedLabel(segment) && !isBlank(segment.text)) strings.push(i);
  });
  strings.forEach((i, k) => {
    const text = (segments[i] as TextSegment).text;
    if (!isUri(text)) return;
    const from = text.lastIndexOf('/') + 1;
    if (from >= text.length) return;
    for (const j of [strings[k + 1], strings[k + 2]]) {
      if (j !== undefined) add(i, from, text.length, j, 0, (segments[j] as TextSegment).text.length);
    }
    for (const j of [strings[k - 2], strings[k - 1]]) {
      if (j !== undefined) add(j, 0, (segments[j] as TextSegment).text.length, i, from, text.length);
    }
  });
}
