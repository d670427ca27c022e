// Progress notifications relayed during a streamed MCP call. Invariants: every piece a notification relays (its
// progress, its total, its message) is classified after the last messages relayed before it and, apart, after the last
// numbers (each tail SHOWN_PIECES pieces, read in the order they were written), beside the notification's other
// pieces, and paired with each of them past the pieces between; a finding that touches a number withholds the
// notification, one that only a message completes withholds the message. Messages and numbers are kept apart so that
// notifications reporting a number only cannot push a message out of the tail (a client shows the messages one after
// another, the progress bar apart), nor can blank messages (no letter or digit: not kept); what is kept is bounded
// (SHOWN_PIECES pieces a tail, each its last SHOWN_TAIL characters).
import { describeError } from '../observability/index.ts';
import type { McpDeps } from './types.ts';

type Piece = { path: string; text: string };
type Deps = Pick<McpDeps, 'classifier' | 'log'>;
export interface Progress {
  progress: number;
  total?: number;
  message?: string;
}

/** What a call relayed of its progress so far, newest last: what the next notification and the result are read
 * after. */
export interface ProgressTail {
  messages: string[];
  numbers: string[];
}

export const emptyTail = (): ProgressTail => ({ messages: [], numbers: [] });

/** Pieces of a kind relayed before that a notification's pieces are read after and paired with (a reader skips some
 * between). */
const SHOWN_PIECES = 4;
/** How much of a progress piece already relayed a new piece, or the result, is read after (a join's reach). */
export const SHOWN_TAIL = 256;

/**
 * A progress notification for the client, or null when it is not relayed. `shown` holds the last pieces of each kind
 * relayed before; what this notification relays is appended to it.
 */
export function progressNote(
  deps: Deps,
  token: string | number,
  p: Progress,
  shown: ProgressTail,
): Record<string, unknown> | null {
  const params: Record<string, unknown> = { progressToken: token, progress: finite(p.progress) };
  if (p.total !== undefined) params['total'] = finite(p.total);
  const tails = [shown.messages, shown.numbers].map((tail, k) =>
    tail.map((text, i) => ({ path: `shown${k}.${i}`, text })),
  );
  const numbers: Piece[] = [params['progress'], params['total']]
    .filter((n) => n !== undefined)
    .map((n, i) => ({ path: `number${i}`, text: JSON.stringify(n) }));
  // A value over a tail and the numbers: a card's digits as one notification's progress and the next one's.
  if (!tails.every((before) => readsClean(deps, before, numbers))) return null;
  const relayed = numbers.map((n) => n.text);
  shown.numbers.splice(0, shown.numbers.length, ...lastPieces([...shown.numbers, ...relayed]));
  if (typeof p.message === 'string') {
    const message = { path: 'message', text: p.message };
    // Read after each tail and after the numbers: a value over the last number or message and this message.
    if (tails.every((before) => readsClean(deps, before, [...numbers, message]))) {
      params['message'] = p.message;
      shown.messages.splice(0, shown.messages.length, ...lastPieces([...shown.messages, p.message]));
    }
  }
  return { jsonrpc: '2.0', method: 'notifications/progress', params };
}

/** White space and format characters only: such a piece (empty, spaces, line breaks, a zero-width space) shows nothing
 * a value could be read in, so it takes no place in a tail (four blank messages cannot push a message out). A piece of
 * punctuation does take one: `@` and `_` are parts of values (`jane.doe` | `@` | `acmecorp.com`). */
const BLANK = /^[\s\p{Cf}]*$/u;

/** The last SHOWN_PIECES pieces that are not BLANK, each cut to its last SHOWN_TAIL characters (a join's reach). Only
 * the last pieces are ever read again, so a flood of notifications costs linear time and no memory. */
function lastPieces(pieces: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = pieces.length - 1; i >= 0 && kept.length < SHOWN_PIECES; i -= 1) {
    const piece = pieces[i] as string;
    if (!BLANK.test(piece)) kept.unshift(piece.slice(-SHOWN_TAIL));
  }
  return kept;
}

/**
 * True when `before` then `pieces` read in order, and each pair of them not next to each other with one of `pieces` in
 * it read as a pair (a reader skips the pieces between: a number, then a message and another notification, then a
 * number), have no finding; pairs within `before` were read when its later piece was relayed. The classifier joins
 * only adjacent pieces and runs of them; at most SHOWN_PIECES + 3 pieces: at most 15 pairs.
 */
function readsClean(deps: Deps, before: readonly Piece[], pieces: readonly Piece[]): boolean {
  const all = [...before, ...pieces];
  if (!classifiesClean(deps, all)) return false;
  for (let j = before.length; j < all.length; j += 1)
    for (let i = 0; i + 2 <= j; i += 1) if (!classifiesClean(deps, [all[i] as Piece, all[j] as Piece])) return false;
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
