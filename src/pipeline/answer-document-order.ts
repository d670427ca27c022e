// An answer's strings and property names in document order, as the client's JSON text writes them: the places a value
// split in two can sit side by side (two names with a number or `{` between, a text then the next name of an ancestor,
// a text then a tool call's first argument name). Closed labels (`tool_use`) and blank strings are skipped, as numbers,
// null and brackets are; other labels (ids, models) and names that are not valueLike (read beside their neighbours
// only) are marked. Invariants: linear (each segment visited once, each object's names emitted once; finding a
// segment's object walks its steps, at most ANSWER_MAX_DEPTH).
import { isBlank, isClosedLabel, isLabel, valueLike } from '../classification/index.ts';
import type { AnswerAt, AnswerSegment } from '../providers/index.ts';

/**
 * One place: a value (index among the answer's values) or a name in a key list (index among the read-only segments).
 */
export interface Place {
  keys: boolean;
  index: number;
  /** The place's characters in its segment's text (a JSON text's opening and closing syntax left out). */
  start: number;
  end: number;
  /** The segment's text. */
  text: string;
  /** A label that is no closed token (an id, a model): the reading that skips labels leaves it out. */
  label: boolean;
  /** A name that is not valueLike: read with its neighbours only (forEachDocumentPair). */
  weak: boolean;
}

interface Frame {
  at: AnswerAt | null;
  index: number;
  text: string;
  /** Where each name starts, in order; and the first name not yet emitted. */
  starts: number[];
  order: Map<string, number>;
  next: number;
}

/**
 * A closed label (`"type":"high"`): no place of the reading (it pushes no place apart), yet read after the place
 * before it and before the next two (answer-key-joins.ts readClosedLabels): an enumerated value's letters can end or
 * start a key whose other piece is a string two fields on (`gh` + `p_16C7…`).
 */
export interface ClosedLabel {
  keys: false;
  index: number;
  start: number;
  end: number;
  text: string;
  /** How many places come before it. */
  next: number;
}

/** Characters of a JSON text's opening or closing syntax read over (`{"`, `"}]`, whitespace). */
const SYNTAX_REACH = 64;

/** The places of `all` (answerSegments' order: an object's key list, then its members' segments) in document order. */
/** `closed` receives the answer's closed labels, each with its position among the places. */
export function documentPlaces(all: readonly AnswerSegment[], closed: ClosedLabel[] = []): Place[] {
  const places: Place[] = [];
  const stack: Frame[] = [];
  const open = new Map<AnswerAt | null, Frame>();
  let values = 0;
  let keys = 0;
  const emit = (frame: Frame, upTo: number) => {
    for (; frame.next < upTo; frame.next += 1) {
      const start = frame.starts[frame.next] as number;
      const end =
        frame.next + 1 < frame.starts.length ? (frame.starts[frame.next + 1] as number) - 1 : frame.text.length;
      if (isBlank(frame.text.slice(start, end))) continue;
      const weak = !valueLike(frame.text, start, end);
      places.push({ keys: true, index: frame.index, start, end, text: frame.text, label: false, weak });
    }
  };
  const close = (depth: number) => {
    while (stack.length > depth) {
      const frame = stack.pop() as Frame;
      emit(frame, frame.starts.length);
      open.delete(frame.at);
    }
  };
  // The innermost open object holding `at`, and its names up to the member `at` sits in emitted.
  const enter = (at: AnswerAt | null) => {
    for (let node = at; node !== null; node = node.parent) {
      const frame = open.get(node.parent);
      if (frame === undefined) continue;
      close(stack.indexOf(frame) + 1);
      const member = typeof node.step === 'string' ? frame.order.get(node.step) : undefined;
      if (member !== undefined) emit(frame, member + 1);
      return;
    }
    close(0);
  };
  for (const segment of all) {
    if (!segment.keys) {
      enter(segment.at);
      if (isClosedLabel(segment)) {
        closed.push({ keys: false, index: values, ...inner(segment.text), text: segment.text, next: places.length });
      }
      if (!isClosedLabel(segment) && !isBlank(segment.text)) {
        // A blank string is no place, as a number is not: it must not push the next one away.
        const label = isLabel(segment);
        places.push({ keys: false, index: values, ...inner(segment.text), text: segment.text, label, weak: false });
      }
      values += 1;
      continue;
    }
    if (segment.path.endsWith('{keys}')) {
      enter(segment.at);
      const starts: number[] = [];
      const order = new Map<string, number>();
      let at = 0;
      for (const name of segment.text.split('\n')) {
        order.set(name, starts.length);
        starts.push(at);
        at += name.length + 1;
      }
      const frame: Frame = { at: segment.at, index: keys, text: segment.text, starts, order, next: 0 };
      stack.push(frame);
      open.set(segment.at, frame);
    }
    keys += 1;
  }
  close(0);
  return places;
}

/** A value's characters past a JSON text's opening syntax and before its closing syntax (`{"k":1}` → `k":1`). */
function inner(text: string): { start: number; end: number } {
  const first = text.charCodeAt(0);
  if (first !== 0x7b && first !== 0x5b) return { start: 0, end: text.length };
  let start = 0;
  while (start < Math.min(text.length, SYNTAX_REACH) && isSyntax(text.charCodeAt(start))) start += 1;
  let end = text.length;
  while (end > Math.max(start, text.length - SYNTAX_REACH) && isSyntax(text.charCodeAt(end - 1))) end -= 1;
  return { start, end };
}

/** `{`, `}`, `[`, `]`, `"` and JSON whitespace. */
function isSyntax(code: number): boolean {
  return code === 0x7b || code === 0x7d || code === 0x5b || code === 0x5d || code === 0x22 || code <= 0x20;
}
