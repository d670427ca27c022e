// Stage 9 for every way a forwarded request ends (answer, upstream error, timeout, cut or aborted stream): settle the
// reservation, then append the outcome record. Invariants: the reservation is settled exactly once, with the usage
// the outcome reports; an outcome the ledger can never store is replaced by one of our own values only, so every
// committed decision has an outcome; a failure resolves false (the caller withholds the answer), never throws.
import type { Principal } from '../identity/index.ts';
import type { Reservation } from '../limits/index.ts';
import { describeError } from '../observability/index.ts';
import { settleFor } from './limits-stage.ts';
import { decisionIndex, toJsonObject, type DecisionBody, type OutcomeBody } from './records.ts';
import type { PipelineDeps } from './types.ts';

/** What stage 9 needs of an admitted request: its id, its committed decision record, who asked, what it holds. */
export interface Decided {
  requestId: string;
  record: DecisionBody;
  principal: Principal;
  reservation: Reservation;
}

/**
 * Settles the reservation with outcome.usage (partial usage of an aborted stream included; see limits-stage.ts for
 * the basis when there is none), adds cost and settlement to the outcome and the cost header to `headers` (a stream's
 * headers are already sent: its cost is in the record only), then appends the outcome.
 * Resolves false when the ledger refused the outcome. The streaming path MUST record its outcome through this too.
 */
export async function recordOutcome(
  deps: Pick<PipelineDeps, 'ledger' | 'limits' | 'log'>,
  decided: Decided,
  outcome: OutcomeBody,
  headers: Record<string, string>,
): Promise<boolean> {
  const { requestId } = decided;
  const settled = await settleFor(deps.limits, decided.reservation, {
    usage: outcome.usage,
    upstreamStatus: outcome.upstream_status,
    error: outcome.error,
    upstream: outcome.upstream,
  });
  Object.assign(outcome, settled.fields);
  Object.assign(headers, settled.headers);
  if (!settled.fields.settlement.recorded) {
    const error = describeError(settled.cause);
    deps.log('error', 'reservation not settled; it expires after its TTL', { request_id: requestId, error });
  }
  try {
    const index = {
      subject: decided.principal.sub,
      decision: 'allow',
      policyVersion: decisionIndex(decided.record).policyVersion,
    };
    try {
      await deps.ledger.append('outcome', requestId, toJsonObject(outcome), index);
    } catch (error) {
      // An outcome the ledger can never store (ERR_RECORD_INVALID) is replaced by one that holds only our own values,
      // so the decision still has its outcome; any other failure: the ledger holds it and retries until committed.
      if ((error as { code?: string }).code !== 'ERR_RECORD_INVALID') throw error;
      const minimal: OutcomeBody = {
        decision_hash: outcome.decision_hash,
        status: outcome.status,
        upstream: 'none',
        upstream_status: null,
        latency_ms: outcome.latency_ms,
        usage: null,
        error: 'ERR_RECORD_INVALID',
        response_classification: null,
        response_action: outcome.response_action,
      };
      await deps.ledger.append('outcome', requestId, toJsonObject(minimal), index);
      throw error;
    }
    return true;
  } catch (error) {
    deps.log('error', 'ledger append failed for an outcome; the response is withheld', {
      request_id: requestId,
      code: (error as { code?: string }).code ?? 'unknown',
      error: describeError(error),
    });
    return false;
  }
}
