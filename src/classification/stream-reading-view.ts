// The reading view of a stream scanner's held text made of runs (an answer's text, a tool call's arguments, fields):
// each run's readable spans joined as a consumer reads them (segment-join.ts: a JSON run's values without keys and
// syntax), with its partial start and match holds mapped back to offsets of the held text. Invariant: every offset
// returned is an original UTF-16 offset into the held text, and a view offset at a piece's boundary maps to the end of
// the piece before it (a hold there also holds the syntax read over).
import { normalizeText } from './normalize.ts';
import { joinedSpan, readableSpans } from './segment-join.ts';
import type { HoldPlan, MatchHolds, ScanText } from './stream-hold.ts';
import { viewMatchHolds, viewPartialStart } from './stream-view-hold.ts';

/** A slice of the scanned text inside the reading view: view offset `at`, text offset `from`, `length` units. */
interface ReadingPiece {
  at: number;
  from: number;
  length: number;
}

interface ReadingView {
  text: string;
  pieces: ReadingPiece[];
}

/** A text's partial start and, searched only when asked, its match holds (offsets into the text). */
export interface ReadingHolds {
  partial: number;
  holds(): MatchHolds;
}

/**
 * The reading view of a text made of runs (`seams`: where each later run starts): each run's readable spans joined,
 * so a value split between an answer's text and a tool call's arguments (`…AKIAQ3EG` | `{"k":"THV5…`), or between two
 * values of the arguments, reads whole, and closing syntax at the end (`…AKIAQ3EG"}`) does not stop a partial from
 * holding the value's start. Runs `skip` names are left out. Undefined when it is the text itself.
 */
function readingView(
  text: string,
  seams: readonly number[],
  skip: (run: number) => boolean = () => false,
): ReadingView | undefined {
  const bounds = [0, ...seams, text.length];
  const pieces: ReadingPiece[] = [];
  let at = 0;
  const add = (from: number, to: number) => {
    if (to <= from) return;
    pieces.push({ at, from, length: to - from });
    at += to - from;
  };
  for (let k = 0; k + 1 < bounds.length; k += 1) {
    if (skip(k)) continue;
    const from = bounds[k] as number;
    const run = text.slice(from, bounds[k + 1]);
    const values = readableSpans(run);
    const [lo, hi] = joinedSpan(run, values);
    // The first run keeps its start: it is released context, and what it joins to is behind it.
    const start = from + (k === 0 ? 0 : lo);
    const last = values[values.length - 1];
    const before = values[values.length - 2];
    if (k + 2 === bounds.length && last !== undefined && before !== undefined) {
      // The value being written joins the one before it (a key split over two values of the arguments).
      add(start, from + before[1]);
      add(from + last[0], from + last[1]);
    } else if (k + 2 === bounds.length && last !== undefined) {
      // Up to the end of the last value: a key after it (`,"b":"`) is syntax until the next value starts.
      add(start, from + last[1]);
    } else add(start, from + hi);
  }
  // Pieces that follow each other from the start to the end are the text itself (runs of plain text, no JSON syntax
  // read over): the view would repeat the text's own partials and holds, so there is none.
  if (at === text.length && pieces.every((p) => p.from === p.at)) return undefined;
  return { text: pieces.map((p) => text.slice(p.from, p.from + p.length)).join(''), pieces };
}

/**
 * A reading-view offset as a text offset: inside a piece, or at the end of the piece before it (so a hold starting
 * at a boundary also holds the syntax read over there); the view's end is the text's end.
 */
function textOffset(view: ReadingView, x: number, textLength: number): number {
  if (x >= view.text.length) return textLength;
  let lo = 0;
  let hi = view.pieces.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((view.pieces[mid] as ReadingPiece).at < x) lo = mid;
    else hi = mid - 1;
  }
  const piece = view.pieces[lo] as ReadingPiece;
  return piece.from + Math.max(0, x - piece.at);
}

/** Two hold sets as one: the earlier holds, every span. */
export function mergeHolds(a: MatchHolds, b: MatchHolds): MatchHolds {
  return {
    from: Math.min(a.from, b.from),
    rawFrom: Math.min(a.rawFrom, b.rawFrom),
    spans: [...a.spans, ...b.spans],
  };
}

/**
 * The partial start and match holds of `text`'s reading view (runs `skip` names left out), as offsets into `text`;
 * undefined when the view is the text itself.
 */
export function readingViewHolds(
  plan: HoldPlan,
  text: string,
  seams: readonly number[],
  skip?: (run: number) => boolean,
): ReadingHolds | undefined {
  const view = readingView(text, seams, skip);
  if (view === undefined) return undefined;
  const normalized = normalizeText(view.text);
  const scan: ScanText = { original: view.text, normalized, bytes: Buffer.from(normalized.text, 'utf8') };
  const map = (x: number) => textOffset(view, x, text.length);
  return {
    partial: map(viewPartialStart(plan, scan)),
    holds: () => {
      const holds = viewMatchHolds(plan, scan);
      return {
        from: map(holds.from),
        rawFrom: map(holds.rawFrom),
        spans: holds.spans.map(([a, z]) => [map(a), Math.max(map(a), textOffset(view, z, text.length))]),
      };
    },
  };
}
