// What a stream scanner must also hold back for the classifier's joined readings (segment-join.ts: two values of a
// JSON text glued, `…08:15:31Z` + `info`, segments read across their boundaries): a validated match in such a window
// that reaches the window's end, or whose after-context passes it, while the window may still grow (it reads the last
// segment, which the stream extends: more of its value, or a new pair after PAIR_GAP). Invariant: only holds more.
import { normalizeText } from './normalize.ts';
import { joinOrders } from './reading-orders.ts';
import { JOIN_WINDOW, type JoinWindow, joinWindows, labelWindows, spansOfSegments } from './segment-join.ts';
import type { HoldPlan } from './stream-hold.ts';
import { viewMatchHolds } from './stream-view-hold.ts';
import type { TextSegment } from './types.ts';

/** Every window the classifier joins (classifier.ts scanAll) over `segments`. */
function windowsOf(segments: readonly TextSegment[], spans: ReturnType<typeof spansOfSegments>): JoinWindow[] {
  // One segment joins only its own JSON values (valuePairs): with fewer than two there is no window (prose).
  if (segments.length === 1 && (spans[0]?.members.length ?? 0) < 2) return [];
  return [
    ...joinWindows(segments, JOIN_WINDOW, undefined, false, spans),
    ...joinOrders(segments).flatMap((order) => joinWindows(segments, JOIN_WINDOW, order, true, spans)),
    ...labelWindows(segments, undefined, spans),
  ];
}

/**
 * The earliest text offset a joined reading holds from (`length` when none): for a held match, the earliest character
 * of any piece read from its start to its window's end. `starts`: where each segment starts in the scanned text.
 */
export function joinedHoldFrom(
  plan: HoldPlan,
  segments: readonly TextSegment[],
  starts: readonly number[],
  length: number,
): number {
  let from = length;
  const last = segments.length - 1;
  const spans = spansOfSegments(segments);
  // Where the last segment's joined reading ends (JSON syntax at its edge left out): the end a window may still grow at.
  const lastEnd = spans[last]?.joined[1] ?? 0;
  // Reading orders often build the same text twice (each maps it onto its own parts): searched once.
  const heldIn = new Map<string, number>();
  for (const window of windowsOf(segments, spans)) {
    // A window of earlier segments is complete, and so is one that reads the last segment only up to a reach short of
    // its joined end (a label window's, a boundary's first JOIN_WINDOW characters): more text cannot change it.
    if (!window.parts.some((p) => p.segment === last && p.from + p.length >= lastEnd)) continue;
    let held = heldIn.get(window.text);
    if (held === undefined) {
      const normalized = normalizeText(window.text);
      const scan = { original: window.text, normalized, bytes: Buffer.from(normalized.text, 'utf8') };
      held = viewMatchHolds(plan, scan).from;
      heldIn.set(window.text, held);
    }
    if (held >= window.text.length) continue;
    for (const p of window.parts) {
      if (p.at + p.length > held)
        from = Math.min(from, (starts[p.segment] as number) + p.from + Math.max(0, held - p.at));
    }
  }
  return from;
}
