// What stages 7–9 share between a plain answer (answer-complete.ts) and a stream (stream-complete.ts): the completion
// they are handed, the outcome record they build, how a forwarding failure becomes a code and a message, and the 503
// for an outcome the ledger did not take. One place, so the two paths cannot drift apart in what they record or say.
import type { UpstreamSettings } from '../config/index.ts';
import { ForwardError } from '../forwarding/index.ts';
import type { Principal } from '../identity/index.ts';
import type { Decision } from '../policy/index.ts';
import type { NormalizedRequest, ProviderAdapter } from '../providers/index.ts';
import type { Attempt } from '../upstreams/index.ts';
import { errorBody, type FailureCode } from './failures.ts';
import type { OutcomeBody } from './records.ts';
import type { IncomingRequest, PipelineDeps, Reply } from './types.ts';

/** Everything stages 7–9 need about an admitted request; the decision record is committed already. */
export interface Completion {
  incoming: IncomingRequest;
  adapter: ProviderAdapter;
  request: NormalizedRequest;
  decision: Decision;
  /** The upstreams the decision allows, in routing order: attempts go to these and nowhere else. */
  candidates: readonly UpstreamSettings[];
  body: Record<string, unknown>;
  decisionHash: string;
  principal: Principal;
  /** The reply's headers (request id, decision, rate limits); settlement adds the cost header to a plain answer's. */
  headers: Record<string, string>;
  started: Date;
  /** Settles the reservation and appends the outcome record; false when the ledger refused it. */
  appendOutcome(outcome: OutcomeBody): Promise<boolean>;
}

/** The outcome record as attempts go: which upstream served and every attempt, then the fields of how it ended. */
export class OutcomeDraft {
  upstream: string;
  attempts: Attempt[] = [];
  private readonly c: Pick<Completion, 'decisionHash' | 'started' | 'candidates'>;
  private readonly clock: PipelineDeps['clock'];
  constructor(c: Pick<Completion, 'decisionHash' | 'started' | 'candidates'>, clock: PipelineDeps['clock']) {
    this.c = c;
    this.clock = clock;
    this.upstream = c.candidates[0]?.name ?? 'none';
  }

  /** After the attempt loop: the upstream that answered (or the last tried) and every attempt. */
  attempted(result: { upstream: UpstreamSettings; attempts: Attempt[] }): void {
    this.upstream = result.upstream.name;
    this.attempts = result.attempts;
  }

  build(
    fields: Pick<
      OutcomeBody,
      'status' | 'upstream_status' | 'usage' | 'error' | 'response_classification' | 'response_action'
    > & { served_by?: OutcomeBody['served_by'] | undefined },
  ): OutcomeBody {
    const { served_by, usage, ...rest } = fields;
    return {
      decision_hash: this.c.decisionHash,
      upstream: this.upstream,
      attempts: this.attempts,
      latency_ms: Math.max(0, this.clock.now().getTime() - this.c.started.getTime()),
      ...rest,
      usage: plausibleUsage(usage),
      ...(served_by ? { served_by } : {}),
    };
  }
}

/**
 * The most tokens one request can report: far past any context window, and ten digits, fewer than a card number has.
 * Usage counts are numbers the upstream chooses and the record (and the settlement) keeps as reported.
 */
export const MAX_REPORTED_TOKENS = 1_000_000_000;

/**
 * The usage as reported when every count is a token count (a non-negative integer up to MAX_REPORTED_TOKENS); else
 * null, as if none were reported (the request is settled on its estimate), so an upstream cannot write a card number,
 * or a negative count that credits its caller, into the signed record.
 */
export function plausibleUsage(usage: OutcomeBody['usage']): OutcomeBody['usage'] {
  if (usage === null) return null;
  for (const value of Object.values(usage)) {
    if (typeof value !== 'number') continue;
    if (!Number.isSafeInteger(value) || value < 0 || value > MAX_REPORTED_TOKENS) return null;
  }
  return usage;
}

/** A forwarding failure as the client is told it: why the exchange ended, in one code and message for both paths. */
export function forwardFailure(
  error: unknown,
  ended: { clientGone?: boolean; shutdown?: boolean },
): { code: FailureCode; message: string } {
  if (ended.clientGone) return { code: 'ERR_CLIENT_DISCONNECTED', message: 'the client went away' };
  if (ended.shutdown)
    return {
      code: 'ERR_SHUTTING_DOWN',
      message: 'the server is shutting down and its drain deadline passed; retry',
    };
  if (error instanceof ForwardError) return { code: error.code, message: error.message };
  return { code: 'ERR_INTERNAL', message: 'internal error while forwarding' };
}

/** A forwarded request whose outcome is not (yet) committed: never "nothing was forwarded"; the admitted headers
 * (x-proctor-decision: allow) say it was. The ledger keeps retrying the outcome until it is committed. */
export function outcomeNotRecorded(requestId: string, headers: Record<string, string>): Reply {
  return {
    status: 503,
    headers: { ...headers, 'retry-after': '1' },
    body: errorBody(
      'ERR_AUDIT_UNAVAILABLE',
      'the request was forwarded, but its outcome is not yet recorded; the answer is withheld',
      requestId,
    ),
  };
}
