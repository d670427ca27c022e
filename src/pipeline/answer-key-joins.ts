// An answer's read-only segments (key lists, integer arrays) read with the values around them: the screen classifies
// values and key lists in separate calls (a value's finding must not be lent to a neighbouring key list), so a value
// split between a text and a property name is read here, as one text of pairs (value then key list, key list then
// value) kept apart by PAIR_GAP. Invariants: only a finding that crosses a pair's junction counts, and only when
// neither side holds a finding of its type there alone (a value found whole is never extended into a key list); its
// piece in the read-only segment is reported with that segment's own offsets. Every place (a name that can be a
// value's piece, a string but closed labels) is also read before the next two places in document order
// (answer-document-order.ts: a member's value after its own name and before the next,
// `"AKIAZ3MQWX":15,"R5TLPB6Y7N":16`, a text then a tool call's first argument name). Linear: each value is copied at
// most KEY_JOIN_USES + 9 times and each read-only segment at most KEY_JOIN_VALUES + 1 times whole, each name eight
// times more, KEY_JOIN_CHARS a copy.
import { type Finding, forEachDocumentPair, glued } from '../classification/index.ts';
import type { AnswerSegment } from '../providers/index.ts';
import { type ClosedLabel, documentPlaces, type Place } from './answer-document-order.ts';

/** Most values before a read-only segment read with it (fewer when the nearest ones hold KEY_JOIN_CHARS characters). */
export const KEY_JOIN_VALUES = 3;
/**
 * Characters of a value or a read-only segment read next to the other: the classifier's join window (segment-join.ts).
 */
export const KEY_JOIN_CHARS = 256;
/** Read-only segments a value is read before (its copies bound the text to a few times the answer). */
export const KEY_JOIN_USES = 2;
/** Between two pairs: no recognizer matches across a line break, a bar and a line break. */
export const PAIR_GAP = '\n | \n';

/** One side of a pair: a value (index among the answer's values) or a read-only segment, and where its copy starts. */
export interface PairSide {
  keys: boolean;
  index: number;
  offset: number;
}

/** One pair in the joined text: [from, junction) is the first side's copy, [junction, to) the second's. */
export interface KeyPair {
  from: number;
  junction: number;
  to: number;
  first: PairSide;
  second: PairSide;
}

export interface KeyJoins {
  text: string;
  pairs: KeyPair[];
  /** How many values the answer has (a piece's segment is an index among the values, then the read-only segments). */
  values: number;
}

/**
 * The pairs: each read-only segment after each of the nearest values before it in document order (KEY_JOIN_VALUES at
 * most, KEY_JOIN_CHARS characters; read-only segments between skipped: an input schema's `type`/`properties` between
 * a tool's description and its property names; labels are values of their own: `stop` between an answer's text and an
 * unknown field's keys), and before the value right after it (a property name then its value). A value is read before
 * at most KEY_JOIN_USES read-only segments (the nearer a value, the fewer uses it has had: the values read are always
 * the nearest ones).
 */
export function keyJoins(all: readonly AnswerSegment[]): KeyJoins {
  const texts: string[] = [];
  const pairs: KeyPair[] = [];
  let length = 0;
  const pair = (value: Entry, keyFirst: boolean, key: AnswerSegment, index: number) => {
    const keyOffset = keyFirst ? Math.max(0, key.text.length - KEY_JOIN_CHARS) : 0;
    const keyText = key.text.slice(keyOffset, keyOffset + KEY_JOIN_CHARS);
    const valueOffset = keyFirst ? 0 : Math.max(0, value.segment.text.length - KEY_JOIN_CHARS);
    const valueText = value.segment.text.slice(valueOffset, valueOffset + KEY_JOIN_CHARS);
    const keySide = { keys: true, index, offset: keyOffset };
    const valueSide = { keys: false, index: value.index, offset: valueOffset };
    if (keyFirst) push(keyText, keySide, valueText, valueSide);
    else push(valueText, valueSide, keyText, keySide);
  };
  const push = (first: string, firstSide: PairSide, second: string, secondSide: PairSide) => {
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      length += PAIR_GAP.length;
    }
    texts.push(first, second);
    pairs.push({
      from: length,
      junction: length + first.length,
      to: length + first.length + second.length,
      first: firstSide,
      second: secondSide,
    });
    length += first.length + second.length;
  };
  type Entry = { segment: AnswerSegment; index: number; uses: number };
  const reach = (entry: Entry) => Math.min(entry.segment.text.length, KEY_JOIN_CHARS);
  const before: Entry[] = [];
  let chars = 0;
  let keys = 0;
  let values = 0;
  for (let i = 0; i < all.length; i += 1) {
    const segment = all[i] as AnswerSegment;
    if (!segment.keys) {
      const entry = { segment, index: values, uses: 0 };
      values += 1;
      before.push(entry);
      chars += reach(entry);
      // The nearest values holding KEY_JOIN_CHARS characters are enough: one before them is out of the join's reach.
      while (before.length > KEY_JOIN_VALUES || chars - reach(before[0] as Entry) >= KEY_JOIN_CHARS) {
        chars -= reach(before.shift() as Entry);
      }
      continue;
    }
    for (const entry of before) {
      if (entry.uses >= KEY_JOIN_USES) continue;
      entry.uses += 1;
      pair(entry, false, segment, keys);
    }
    const after = all[i + 1];
    if (after !== undefined && !after.keys) pair({ segment: after, index: values, uses: 0 }, true, segment, keys);
    keys += 1;
  }
  // Document order: each place read before the next two (a name or a JSON text on one side), and, labels skipped
  // (an id, a call id between a text and a tool call's arguments), before the next one.
  const closed: ClosedLabel[] = [];
  const places = documentPlaces(all, closed);
  const read = (a: Side, b: Side | undefined, any = false) => {
    if (b === undefined || (!any && !a.keys && !b.keys && !isJson(a) && !isJson(b))) return;
    const from = Math.max(a.start, a.end - KEY_JOIN_CHARS);
    const to = Math.min(b.end, b.start + KEY_JOIN_CHARS);
    push(a.text.slice(from, a.end), { keys: a.keys, index: a.index, offset: from }, b.text.slice(b.start, to), {
      keys: b.keys,
      index: b.index,
      offset: b.start,
    });
  };
  forEachDocumentPair(places, read, (a, b) => glued(a.text, a.end - 1, b.start, b.text));
  readClosedLabels(places, closed, read);
  return { text: texts.join(''), pairs, values };
}

/** What a pair reads of a place or a closed label. */
type Side = Pick<Place, 'keys' | 'index' | 'start' | 'end' | 'text'>;

/**
 * Each closed label (`"type":"high"`, which the list order reads only with the field right beside it) read after the
 * place before it and before the next two, past names read with their neighbours only and other closed labels, as a
 * place is: its letters and a string two fields on can be a key's pieces (`high` + `p_16C7…`, a citation's text past
 * its url or file id). It is no place, so it pushes none apart. Three pairs a label: linear.
 */
function readClosedLabels<P extends Side & { weak?: boolean }>(
  places: readonly P[],
  closed: readonly ClosedLabel[],
  read: (a: Side, b: Side | undefined, any: boolean) => void,
): void {
  if (closed.length === 0) return;
  const walk: P[] = [];
  const before: number[] = []; // per place, the places of the walk before it
  for (const place of places) {
    before.push(walk.length);
    if (place.weak !== true) walk.push(place);
  }
  before.push(walk.length);
  for (const label of closed) {
    const k = before[label.next] as number;
    const last = walk[k - 1];
    if (last !== undefined) read(last, label, true);
    read(label, walk[k], true);
    read(label, walk[k + 1], true);
  }
}

/** A value read past its JSON syntax (answer-document-order.ts): a tool call's arguments. */
const isJson = (place: Side) => !place.keys && (place.start > 0 || place.end < place.text.length);

/**
 * The pieces of the findings of `joins.text` that cross a pair's junction, when neither side holds a finding of that
 * type there alone (`ofValues`: by index among the values; `ofKeys`: among the read-only segments): the piece in each
 * read-only side, and in each value side of a pair of two values. A piece's `segment` is its index among the values,
 * then the read-only segments (joins.values + index), its offsets the segment's own. Each piece once.
 */
export function spanningPieces(
  joins: KeyJoins,
  found: readonly Finding[],
  ofValues: readonly Finding[],
  ofKeys: readonly Finding[],
): Finding[] {
  const byPlace = (list: readonly Finding[]) => {
    const map = new Map<string, Finding[]>();
    for (const f of list)
      map.set(`${f.segment}\u0000${f.type}`, [...(map.get(`${f.segment}\u0000${f.type}`) ?? []), f]);
    return (segment: number, type: string, start: number, end: number) =>
      (map.get(`${segment}\u0000${type}`) ?? []).some((o) => o.start < end && start < o.end);
  };
  const inValue = byPlace(ofValues);
  const inKey = byPlace(ofKeys);
  const pieces = new Map<string, Finding>();
  for (const f of found) {
    let lo = 0;
    let hi = joins.pairs.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((joins.pairs[mid] as KeyPair).from <= f.start) lo = mid + 1;
      else hi = mid;
    }
    const p = joins.pairs[lo - 1];
    if (p === undefined || f.end > p.to || f.start >= p.junction || f.end <= p.junction) continue;
    const sides = [
      { side: p.first, start: p.first.offset + f.start - p.from, end: p.first.offset + p.junction - p.from },
      { side: p.second, start: p.second.offset, end: p.second.offset + f.end - p.junction },
    ];
    if (sides.some(({ side, start, end }) => (side.keys ? inKey : inValue)(side.index, f.type, start, end))) continue;
    const bothValues = !p.first.keys && !p.second.keys;
    for (const { side, start, end } of sides) {
      if (!side.keys && !bothValues) continue;
      const segment = side.keys ? joins.values + side.index : side.index;
      pieces.set(`${segment}\u0000${f.type}\u0000${start}\u0000${end}`, { ...f, segment, start, end });
    }
  }
  return [...pieces.values()];
}
