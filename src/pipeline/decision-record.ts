// Stage 6 and every refusal: the decision record appended to the ledger within the request's database budget, and a
// denial recorded and answered. Invariants: a refusal is answered only once its record is committed, else 503
// ERR_AUDIT_UNAVAILABLE; a record the ledger can never store (ERR_RECORD_INVALID) becomes a 400 recorded with our
// own values only, never a 503; what a request waited on the database before (usage read, reservation) is taken
// from its record's deadline, so a frozen database answers 503 within the budget, not a multiple of it.
import { describeError } from '../observability/index.ts';
import { Denial } from './denial.ts';
import { errorBody, failureShape } from './failures.ts';
import { decisionIndex, emptyDecisionBody, toJsonObject, type DecisionBody } from './records.ts';
import type { IncomingRequest, PipelineDeps, Reply } from './types.ts';

export interface DecisionRecorder {
  /** Awaits `pending` and charges the wait to the record's database budget. */
  waitOnDatabase<T>(record: DecisionBody, pending: Promise<T> | T): Promise<T>;
  /** Appends the decision record; throws a Denial at stage `record` (ERR_AUDIT_UNAVAILABLE or ERR_REQUEST_INVALID). */
  append(
    requestId: string,
    record: DecisionBody,
    verdict: 'allow' | 'deny',
  ): ReturnType<PipelineDeps['ledger']['append']>;
  /** Records the refusal (stage and reasons from `refusal` unless the policy's are there) and makes its reply. */
  deny(incoming: Pick<IncomingRequest, 'requestId'>, record: DecisionBody, refusal: Denial): Promise<Reply>;
}

export function createDecisionRecorder(
  deps: Pick<PipelineDeps, 'ledger' | 'databaseBudgetMs' | 'log'>,
): DecisionRecorder {
  const waited = new WeakMap<DecisionBody, number>();

  async function waitOnDatabase<T>(record: DecisionBody, pending: Promise<T> | T): Promise<T> {
    const from = performance.now();
    try {
      return await pending;
    } finally {
      waited.set(record, (waited.get(record) ?? 0) + performance.now() - from);
    }
  }

  async function append(requestId: string, record: DecisionBody, verdict: 'allow' | 'deny') {
    const budget = deps.databaseBudgetMs;
    const options =
      budget === undefined ? {} : { timeoutMs: Math.max(0, Math.floor(budget - (waited.get(record) ?? 0))) };
    try {
      return await deps.ledger.append(
        'decision',
        requestId,
        toJsonObject(record),
        { ...decisionIndex(record), decision: verdict },
        options,
      );
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'unknown';
      deps.log('error', 'ledger append failed', { request_id: requestId, code, error: describeError(error) });
      if (code === 'ERR_RECORD_INVALID') {
        throw new Denial(
          'record',
          'ERR_REQUEST_INVALID',
          'the request holds a value its audit record cannot store ' +
            '(a NUL character, a lone surrogate or an over-long value); nothing was forwarded',
          'the request held a value its record cannot store',
          null,
          { cause: error },
        );
      }
      throw new Denial(
        'record',
        'ERR_AUDIT_UNAVAILABLE',
        'the audit ledger is unavailable; nothing was forwarded',
        'audit ledger unavailable',
        null,
        { cause: error },
      );
    }
  }

  async function deny(
    incoming: Pick<IncomingRequest, 'requestId'>,
    record: DecisionBody,
    refusal: Denial,
  ): Promise<Reply> {
    let denial = refusal;
    if (denial.code === 'ERR_AUDIT_UNAVAILABLE') return auditUnavailable(incoming.requestId);
    let reasons =
      record.decision && !record.decision.allow
        ? record.decision.reasons
        : [{ code: denial.code, message: denial.recordMessage }];
    if (!record.decision || record.decision.allow) {
      record.decision = { allow: false, stage: denial.stage, reasons, obligations: null };
    }
    record.route = null;
    try {
      await append(incoming.requestId, record, 'deny');
    } catch (error) {
      if (!(error instanceof Denial) || error.code !== 'ERR_REQUEST_INVALID')
        return auditUnavailable(incoming.requestId);
      // The record itself holds a value no record can store: the refusal is recorded with our own values only (the
      // principal kept if it is not the culprit), and the client is told why (400), never "the ledger is unavailable".
      denial = error;
      reasons = [{ code: 'ERR_RECORD_INVALID', message: error.recordMessage }];
      const bare: DecisionBody = {
        ...emptyDecisionBody(),
        decision: { allow: false, stage: 'record', reasons, obligations: null },
      };
      const stored = (body: DecisionBody) =>
        append(incoming.requestId, body, 'deny').then(
          () => true,
          () => false,
        );
      const recorded = (await stored({ ...bare, principal: record.principal })) || (await stored(bare));
      if (!recorded) return auditUnavailable(incoming.requestId);
    }
    const { status } = failureShape(denial.code);
    return {
      status,
      headers: {
        ...denial.extra.headers,
        'x-proctor-request-id': incoming.requestId,
        'x-proctor-decision': 'deny',
        ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}),
      },
      body: errorBody(denial.code, denial.message, incoming.requestId, { param: denial.param, reasons }),
    };
  }

  return { waitOnDatabase, append, deny };
}

/** The reply when no record could be committed: nothing was forwarded, and the client may retry. */
function auditUnavailable(requestId: string): Reply {
  return {
    status: 503,
    headers: { 'x-proctor-request-id': requestId, 'retry-after': '1' },
    body: errorBody('ERR_AUDIT_UNAVAILABLE', 'the audit ledger is unavailable; nothing was forwarded', requestId),
  };
}
