// A request's property names read with the places beside them in document order, as the body's JSON text writes them:
// two names with a number or `{` between (`{"AKIAZ3MQWX":1,"R5TLPB6Y7N":2}`), a value then the first name nested
// objects down (`{"a":"AKIAZ3MQWX","x":{"x":{"R5TLPB6Y7N":1}}}`). Places: each name and each value but closed labels
// and blank strings; each place is paired with the next two when one of them is a name, and, labels skipped, with the
// next one; a name that is not valueLike is read with its neighbours only (forEachDocumentPair). Invariant: linear
// (each name emitted once, each place in at most five pairs).
import { isClosedLabel, isKeyList, isLabel, MAX_SHAPE_PATH } from './reading-orders.ts';
import { glued, isBlank, valueLike } from './readable-spans.ts';
import { type JoinWindow, PAIR_GAP, type WindowPart } from './join-window.ts';
import type { TextSegment } from './types.ts';

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
  const places = documentPlaces(segments);
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  const read = (a: Place, b: Place | undefined) => {
    if (b === undefined || (!a.name && !b.name)) return;
    const a0 = Math.max(a.from, a.to - reach);
    const b1 = Math.min(b.to, b.from + reach);
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    texts.push((segments[a.segment] as TextSegment).text.slice(a0, a.to));
    texts.push((segments[b.segment] as TextSegment).text.slice(b.from, b1));
    parts.push({ segment: a.segment, at, from: a0, length: a.to - a0 });
    parts.push({ segment: b.segment, at: at + a.to - a0, from: b.from, length: b1 - b.from });
    at += a.to - a0 + b1 - b.from;
  };
  const text = (place: Place) => (segments[place.segment] as TextSegment).text;
  forEachDocumentPair(places, read, (a, b) => glued(text(a), a.to - 1, b.from, text(b)));
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
