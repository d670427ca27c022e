// Progress notifications relayed during a streamed MCP call. Invariants: every piece a notification relays (its
// progress, its total, its message) is classified after the last pieces relayed before it (numbers and messages, in
// the order they were written, SHOWN_PIECES of them), beside the notification's other pieces, and paired with each of
// them past the pieces between; a finding that touches a number withholds the notification, one that only a message
// completes withholds the message; what is kept is bounded (SHOWN_PIECES pieces, SHOWN_TAIL characters in all).
import { describeError } from '../observability/index.ts';
import { SHOWN_TAIL } from './answer.ts';
import type { McpDeps } from './types.ts';

type Piece = { path: string; text: string };
type Deps = Pick<McpDeps, 'classifier' | 'log'>;
export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

/** Pieces relayed before that a notification's pieces are read after and paired with (a reader skips some between). */
const SHOWN_PIECES = 4;

/**
 * A progress notification for the client, or null when it is not relayed. `shown` holds the last pieces relayed
 * before (at most SHOWN_PIECES, SHOWN_TAIL characters in all); what this notification relays is appended to it.
 */
export function progressNote(
  deps: Deps,
  token: string | number,
  p: Progress,
  shown: string[],
): Record<string, unknown> | null {
  const params: Record<string, unknown> = { progressToken: token, progress: finite(p.progress) };
  if (p.total !== undefined) params['total'] = finite(p.total);
  const before: Piece[] = shown.map((text, i) => ({ path: `shown${i}`, text }));
  const numbers: Piece[] = [params['progress'], params['total']]
    .filter((n) => n !== undefined)
    .map((n, i) => ({ path: `number${i}`, text: JSON.stringify(n) }));
  // A value over the tail and the numbers: a card's digits as one notification's progress and the next one's.
  if (!readsClean(deps, [...before, ...numbers])) return null;
  const relayed = numbers.map((n) => n.text);
  if (typeof p.message === 'string') {
    const message = { path: 'message', text: p.message };
    // Read after the tail and after the numbers: a value over the last number or message and this message.
    if (readsClean(deps, [...before, ...numbers, message])) {
      params['message'] = p.message;
      relayed.push(p.message);
    }
  }
  // Only the last pieces are ever read again, so a flood of notifications costs linear time and no memory.
  shown.splice(0, shown.length, ...lastPieces([...shown, ...relayed]));
  return { jsonrpc: '2.0', method: 'notifications/progress', params };
}

/** The last SHOWN_PIECES non-empty pieces, the earliest cut to its end so that all of them hold SHOWN_TAIL
 * characters. */
function lastPieces(pieces: readonly string[]): string[] {
  const kept: string[] = [];
  let room = SHOWN_TAIL;
  for (let i = pieces.length - 1; i >= 0 && kept.length < SHOWN_PIECES && room > 0; i -= 1) {
    const piece = pieces[i] as string;
    if (piece === '') continue;
    const cut = piece.slice(-room);
    kept.unshift(cut);
    room -= cut.length;
  }
  return kept;
}

/**
 * True when `pieces` read in order, and each pair of them not next to each other read as a pair (a reader skips the
 * pieces between: a number, then a message and another notification, then a number), have no finding. The classifier
 * joins only adjacent pieces and runs of them; at most SHOWN_PIECES + 3 pieces: at most 15 pairs.
 */
function readsClean(deps: Deps, pieces: readonly Piece[]): boolean {
  if (!classifiesClean(deps, pieces)) return false;
  for (let i = 0; i < pieces.length; i += 1)
    for (let j = i + 2; j < pieces.length; j += 1)
      if (!classifiesClean(deps, [pieces[i] as Piece, pieces[j] as Piece])) return false;
  return true;
}

/** True only when the classifier ran and found nothing (a classifier failure withholds the text). */
function classifiesClean(deps: Deps, segments: readonly Piece[]): boolean {
  try {
    return deps.classifier.classify(segments).findings.length === 0;
  } catch (error) {
    deps.log('warn', 'a progress notification could not be classified; it is not relayed', {
      error: describeError(error),
    });
    return false;
  }
}

function finite(n: unknown): number {
  return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}
