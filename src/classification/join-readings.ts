// What the readings across segments add to a classify call's drafts, after each segment was read alone: the join
// windows (segment-join.ts, every reading order, number lists) and the parsed lists of short items (item-lists.ts), a
// finding kept on the pieces it crosses or beside a neighbour that lent its context; encoded runs cut between
// segments (join-decode.ts); a label in one segment and its value in the next (label windows). Invariant: a joined
// draft whose piece overlaps a value of its type its segment found alone is that value glued to a neighbour: dropped.
import type { DecodeBudget } from './decode.ts';
import type { Draft } from './drafts.ts';
import { itemListWindows } from './item-lists.ts';
import { decodedAcross, type TextReader } from './join-decode.ts';
import { coveredByFound, overlapsFound, pieceBeside, piecesAcross } from './join-pieces.ts';
import { gluedOntoReservedDomain } from './join-reserved-domains.ts';
import { numberListWindows } from './number-lists.ts';
import { joinOrders } from './reading-orders.ts';
import { JOIN_WINDOW, joinWindows, LABEL_BREAK, labelWindows, spansOfSegments } from './segment-join.ts';
import { PAGE_REACH, tablePageWindows } from './table-context-pages.ts';
import type { TextSegment } from './types.ts';

/** How the classifier reads the texts the joins build. */
export interface JoinReader {
  /** A text's drafts as scan() finds them (segment -1), its encoded runs decoded from `budget` when given. */
  scan: (text: string, budget?: DecodeBudget) => Draft[];
  /** A text's drafts by the recognizers that require context only (label windows). */
  scanContextual: (text: string) => Draft[];
  /** The drafts of each distinct window text, as each reads alone (window-batches.ts draftsOfWindows). */
  windows: (texts: readonly string[]) => Map<string, Draft[]>;
  /** How join-decode.ts reads a text. */
  decode: TextReader;
}

/** The drafts the joins add to `alone` (every segment's own drafts), at the segments' offsets. */
export function joinedDrafts(
  segments: readonly TextSegment[],
  alone: readonly Draft[],
  budget: DecodeBudget,
  reader: JoinReader,
): Draft[] {
  const found: Draft[] = [];
  const alreadyFound = overlapsFound(alone);
  const foundAlone = { overlaps: alreadyFound, covers: coveredByFound(alone) };
  const spans = spansOfSegments(segments);
  const others = joinOrders(segments).map((order) => joinWindows(segments, JOIN_WINDOW, order, true, spans));
  // The parsed JSON's number lists as its text's lists (number-lists.ts): a card's groups over two of them.
  const windows = [joinWindows(segments, JOIN_WINDOW, undefined, false, spans), ...others, numberListWindows(segments)];
  // A window's drafts depend on its text alone: the reading orders of a short list often build the same text twice
  // (each still maps them onto its own parts). The distinct texts are scanned in batches (window-batches.ts).
  const draftsOf = reader.windows(windows.flat().map((window) => window.text));
  // The parsed lists of short items read whole (item-lists.ts: codes, hex bytes, quads, digits), decoded as a
  // segment's text is.
  const lists = itemListWindows(segments);
  for (const list of lists) draftsOf.set(list.text, reader.scan(list.text, budget));
  for (const window of [...windows.flat(), ...lists]) {
    for (const d of draftsOf.get(window.text) ?? []) {
      let across = piecesAcross(window, d.start, d.end);
      const groupOfSecret = d.recognizer.group > 0 && d.recognizer.category === 'SECRET';
      if (across.length === 0 && (d.recognizer.requireContext || groupOfSecret)) {
        // Inside one segment, but its context may be the neighbour's (`my ssn is` | `219099999`), or the match a
        // secret is a group of may start there (a JWK INI section's `crv = P-256` | `d = …`): kept when it is in
        // reach of a neighbour and the segment alone found no value of that type there. Only for recognizers that
        // require context or read a secret's match around it: any other would report what the window's clipping
        // invents, and a name's (`hi` | `Paris`: a greeting in one message, a city alone in the next) is no name.
        const reach = { before: d.recognizer.contextBefore, after: d.recognizer.contextAfter };
        const piece = pieceBeside(window, segments, d, reach);
        across = piece === undefined ? [] : [piece];
      }
      const pieces = across.map((p) => ({ ...p, type: d.type }));
      if (pieces.some(alreadyFound) || gluedOntoReservedDomain(window, d.type, d.start, d.end)) continue;
      pieces.forEach((piece, k) => {
        found.push({
          ...d,
          segment: piece.segment,
          path: (segments[piece.segment] as TextSegment).path,
          start: piece.start,
          end: piece.end,
          continuation: k > 0,
        });
      });
    }
  }
  // Encoded runs cut between segments, decoded across the windows' boundaries (join-decode.ts).
  for (const d of decodedAcross(segments, windows.flat(), budget, foundAlone, reader.decode)) found.push(d);
  // A label that ends in a letter, then the value in the next segment (`my passport is` | `A12345678`): read apart
  // by a line break, by the recognizers that require context only.
  // A table's later page after its header line (table-context-pages.ts): lent the header however far it reads.
  const pages = new Set(tablePageWindows(segments));
  for (const window of [...labelWindows(segments, undefined, spans), ...pages]) {
    for (const d of reader.scanContextual(window.text)) {
      const near = { before: d.recognizer.contextBefore, after: d.recognizer.contextAfter };
      const piece = pieceBeside(window, segments, d, pages.has(window) ? PAGE_REACH : near, LABEL_BREAK.length);
      if (piece === undefined || alreadyFound({ ...piece, type: d.type })) continue;
      found.push({ ...d, ...piece, path: (segments[piece.segment] as TextSegment).path });
    }
  }
  return found;
}
