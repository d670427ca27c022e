// Stages 7–9 for a plain (non-streamed) answer: forward across the allowed candidates (retries and fallback happen
// only before an answer is handed on), screen the answer, record the outcome, and only then reply. Invariants: the
// answer reaches the client only after its outcome committed (else 503, the request was forwarded); an upstream's
// error body is never copied blind (upstream-error.ts); an unexpected error after forwarding withholds the answer.
import { errorBody, failureShape } from './failures.ts';
import { forwardToCandidates, servedByOf } from './forward-attempts.ts';
import { forwardFailure, outcomeNotRecorded, OutcomeDraft, type Completion } from './outcome.ts';
import type { OutcomeBody } from './records.ts';
import { screenResponse, type ResponseScreen } from './response-screen.ts';
import type { PipelineDeps, Reply } from './types.ts';
import { upstreamErrorReply } from './upstream-error.ts';
import { describeError } from '../observability/index.ts';
import type { UpstreamSettings } from '../config/index.ts';

export async function completeAnswer(deps: PipelineDeps, c: Completion): Promise<Reply> {
  const { incoming, adapter, decision } = c;
  const draft = new OutcomeDraft(c, deps.clock);
  let status: number;
  let replyBody: unknown;
  let outcomeError: string | null = null;
  let upstreamStatus: number | null = null;
  let usage: OutcomeBody['usage'] = null;
  let screen: ResponseScreen | null = null;
  /** The upstream's answer (who served, by a gateway's headers), once one arrived. */
  let answered: { upstream: UpstreamSettings; headers?: Record<string, string> } | null = null;
  try {
    try {
      // 7. attempts across the allowed candidates
      const forwarded = await forwardToCandidates(deps, {
        candidates: c.candidates,
        path: adapter.upstreamPath,
        body: c.body,
        context: { requestId: incoming.requestId, decisionId: c.decisionHash, principal: c.principal },
        ...(incoming.sink?.shutdown ? { signal: incoming.sink.shutdown } : {}),
      });
      draft.attempted(forwarded);
      if (!forwarded.ok) throw forwarded.error;
      const response = forwarded.response;
      answered = { upstream: forwarded.upstream, ...(response.headers ? { headers: response.headers } : {}) };
      upstreamStatus = response.status;
      status = response.status;
      replyBody = response.body;
      if (response.status >= 400) {
        outcomeError = 'ERR_UPSTREAM_ERROR';
        ({ status, body: replyBody } = upstreamErrorReply(
          response.status,
          response.body,
          incoming.requestId,
          deps.classifier,
        ));
      }
    } catch (error) {
      // Past the server's drain deadline the exchange was ended on purpose (src/http/drain.ts).
      const failed = forwardFailure(error, { shutdown: incoming.sink?.shutdown?.aborted === true });
      status = failureShape(failed.code).status;
      replyBody = errorBody(failed.code, failed.message, incoming.requestId);
      outcomeError = failed.code;
    }
    if (upstreamStatus !== null && upstreamStatus < 400) {
      usage = adapter.readUsage(replyBody);
      // 8. screen the answer: classify it, then block or redact as the decision's response obligations say
      screen = await screenResponse(
        adapter,
        deps.requestClassifier ?? deps.classifier,
        replyBody,
        decision.obligations.response,
        deps.maxFindings === undefined ? {} : { maxFindings: deps.maxFindings },
      );
      if (screen.blocked) {
        const code = screen.blocked.error;
        status = failureShape(code).status;
        const why =
          code === 'ERR_UPSTREAM_BAD_RESPONSE'
            ? "the upstream's answer could not be read, so it was withheld"
            : "the model's answer was withheld by policy";
        replyBody = errorBody(code, why, incoming.requestId, {
          reasons: screen.blocked.types.map((type) => ({
            code: 'RESPONSE_BLOCKED',
            message: `the answer contained ${type}`,
          })),
        });
        outcomeError = code;
      } else {
        replyBody = screen.body;
      }
    }
  } catch (error) {
    // Fail closed: an unexpected error after forwarding withholds the answer; the outcome says so.
    deps.log('error', 'unexpected error after forwarding; the answer is withheld', {
      request_id: incoming.requestId,
      error: describeError(error),
    });
    status = failureShape('ERR_INTERNAL').status;
    replyBody = errorBody('ERR_INTERNAL', 'internal error; the answer was withheld', incoming.requestId);
    outcomeError = 'ERR_INTERNAL';
  }
  // 9. settle and record the outcome; a response whose outcome cannot be recorded is not delivered
  const outcome = draft.build({
    status,
    upstream_status: upstreamStatus,
    usage,
    error: outcomeError,
    response_classification: screen?.classification ?? null,
    response_action: screen?.action ?? 'none',
    served_by:
      answered &&
      servedByOf(answered.upstream, answered, screen && !screen.blocked ? screen.body : null, deps.classifier),
  });
  if (!(await c.appendOutcome(outcome))) return outcomeNotRecorded(incoming.requestId, c.headers);
  return { status, headers: c.headers, body: replyBody };
}
