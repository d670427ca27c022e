// Progress notifications relayed during a streamed MCP call. Invariants: every piece a notification relays (its
// progress, its total, its message) is classified after the tail of what was relayed before it (numbers and messages,
// in the order they were written) and beside the notification's other pieces; a finding that touches a number withholds
// the notification, one that only a message completes withholds the message; the tail is bounded (SHOWN_TAIL).
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

/**
 * A progress notification for the client, or null when it is not relayed. `shown` holds the tail of what was relayed
 * before (one string, at most SHOWN_TAIL characters); what this notification relays is appended to it.
 */
export function progressNote(
  deps: Deps,
  token: string | number,
  p: Progress,
  shown: string[],
): Record<string, unknown> | null {
  const params: Record<string, unknown> = { progressToken: token, progress: finite(p.progress) };
  if (p.total !== undefined) params['total'] = finite(p.total);
  const tail = shown.join('\n').slice(-SHOWN_TAIL);
  const before: Piece[] = tail === '' ? [] : [{ path: 'shown', text: tail }];
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
  // Only the tail is ever read again: kept as one string, so a flood of notifications costs linear time and no memory.
  const kept = [tail, ...relayed]
    .filter((t) => t !== '')
    .join('\n')
    .slice(-SHOWN_TAIL);
  shown.splice(0, shown.length, kept);
  return { jsonrpc: '2.0', method: 'notifications/progress', params };
}

/**
 * True when `pieces` read in order, and each pair of them not next to each other read as a pair (a reader skips the
 * piece between: the tail, then a total, then this message), have no finding. The classifier joins only adjacent
 * pieces and runs of them; a notification has at most four (the tail, two numbers, a message): at most three pairs.
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
