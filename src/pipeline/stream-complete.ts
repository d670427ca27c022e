// Stages 7–9 for a streamed answer: open the stream (with the registry's retries and fallback, which are possible
// only until the client has been sent a byte), relay it (stream-relay.ts), record the outcome, and only then write
// the final event. Invariants: the client's stream ends with the API's own final event ONLY when the upstream sent
// its final event and the outcome record committed; every other end is an error event in the client's API shape
// (the bytes already sent cannot be recalled: docs/apis.md); the outcome always carries usage, estimated when the
// upstream's report is missing; a client that goes away aborts the upstream request.
import type { UpstreamSettings } from '../config/index.ts';
import type { UpstreamStream } from '../forwarding/index.ts';
import { errorBody, failureShape, type FailureCode } from './failures.ts';
import { openStreamToCandidates, servedByOf } from './forward-attempts.ts';
import { forwardFailure, outcomeNotRecorded, OutcomeDraft, type Completion } from './outcome.ts';
import type { OutcomeBody } from './records.ts';
import { relayStream, type RelayResult } from './stream-relay.ts';
import { encodeSse as encodeEvent } from './stream-sse.ts';
import type { PipelineDeps, Reply } from './types.ts';
import { upstreamErrorReply } from './upstream-error.ts';

export async function completeStream(
  deps: PipelineDeps,
  c: Completion,
): Promise<{ reply: Reply; outcome: OutcomeBody | null }> {
  const { incoming, adapter } = c;
  const sink = incoming.sink;
  const draft = new OutcomeDraft(c, deps.clock);
  /** A plain (non-stream) answer: nothing was streamed, so a failed outcome append still withholds it. */
  const plain = async (status: number, body: unknown, code: string, upstreamStatus: number | null) => {
    const outcome = draft.build({
      status,
      upstream_status: upstreamStatus,
      usage: null,
      error: code,
      response_classification: null,
      response_action: 'none',
    });
    if (!(await c.appendOutcome(outcome)))
      return { reply: outcomeNotRecorded(incoming.requestId, c.headers), outcome: null };
    return { reply: { status, headers: c.headers, body }, outcome };
  };
  if (!sink || !adapter.openStream) {
    return plain(
      500,
      errorBody('ERR_INTERNAL', 'this transport cannot stream', incoming.requestId),
      'ERR_INTERNAL',
      null,
    );
  }

  // 7. open the stream: fallback is possible here because nothing has reached the client yet
  const context = { requestId: incoming.requestId, decisionId: c.decisionHash, principal: c.principal };
  let response: UpstreamStream;
  let upstream: UpstreamSettings;
  try {
    // The upstream request ends when the client goes away or when the server's drain deadline passes.
    const upstreamSignal = sink.shutdown ? AbortSignal.any([sink.signal, sink.shutdown]) : sink.signal;
    const forwarded = await openStreamToCandidates(
      deps,
      { candidates: c.candidates, path: adapter.upstreamPath, body: c.body, context },
      upstreamSignal,
    );
    draft.attempted(forwarded);
    upstream = forwarded.upstream;
    if (!forwarded.ok) throw forwarded.error;
    response = forwarded.response;
  } catch (error) {
    const { code, message } = forwardFailure(error, {
      clientGone: sink.signal.aborted,
      shutdown: sink.shutdown?.aborted === true,
    });
    return plain(failureShape(code).status, errorBody(code, message, incoming.requestId), code, null);
  }
  if (response.events === null) {
    if (response.status >= 400) {
      const mapped = upstreamErrorReply(response.status, response.body, incoming.requestId, deps.classifier);
      return plain(mapped.status, mapped.body, 'ERR_UPSTREAM_ERROR', response.status);
    }
    return plain(
      502,
      errorBody(
        'ERR_UPSTREAM_BAD_RESPONSE',
        `upstream '${draft.upstream}' did not answer with an event stream`,
        incoming.requestId,
      ),
      'ERR_UPSTREAM_BAD_RESPONSE',
      response.status,
    );
  }

  // 8. relay, screening as it goes. From the first byte on, no other upstream may be tried.
  sink.open(200, {
    ...c.headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  let relay: RelayResult;
  try {
    relay = await relayStream({
      events: response.events,
      session: adapter.openStream(c.request),
      sink,
      classifier: deps.classifier,
      // A large batch of an event's fields is classified on the pool's threads (stream-relay.ts).
      fieldClassifier: deps.requestClassifier ?? deps.classifier,
      rules: c.decision.obligations.response,
      estimatedPromptTokens: c.request.estimatedPromptTokens,
      model: c.request.model,
    });
  } finally {
    // A stream that ended early (cut, blocked, client gone) MUST NOT keep the upstream generating.
    response.abort();
  }

  // 9. record the outcome, then end the stream: the final event only after the record committed
  const outcome = draft.build({
    status: 200,
    upstream_status: response.status,
    usage: relay.usage,
    error: relay.error,
    response_classification: relay.classification,
    response_action: relay.action,
    served_by: servedByOf(upstream, response, null, deps.classifier),
  });
  const recorded = await c.appendOutcome(outcome);
  if (!sink.signal.aborted) {
    if (recorded && relay.error === null) {
      if (relay.finalEvent !== null) await sink.write(encodeFinal(relay));
    } else {
      const code = recorded ? (relay.error as FailureCode) : 'ERR_AUDIT_UNAVAILABLE';
      const reasons = relay.blockedTypes.map((type) => ({
        code: 'RESPONSE_BLOCKED',
        message: `the answer contained ${type}`,
      }));
      await sink.write(
        encodeEvent(
          adapter.errorEvent({
            code,
            type: failureShape(code).type,
            message: streamEndMessage(code),
            requestId: incoming.requestId,
            ...(reasons.length > 0 ? { reasons } : {}),
          }),
        ),
      );
    }
  }
  sink.end();
  return { reply: { status: 200, headers: c.headers, body: null, streamed: true }, outcome: recorded ? outcome : null };
}

function encodeFinal(relay: RelayResult): string {
  return encodeEvent(relay.finalEvent as NonNullable<RelayResult['finalEvent']>);
}

const STREAM_END_MESSAGES: Record<string, string> = {
  ERR_UPSTREAM_STREAM_TRUNCATED: 'the upstream stream ended before its final event; the answer is incomplete',
  ERR_UPSTREAM_TIMEOUT: 'the upstream stream stalled; the answer is incomplete',
  ERR_UPSTREAM_BAD_RESPONSE: 'the upstream stream could not be read; the answer is incomplete',
  ERR_UPSTREAM_ERROR: 'the upstream reported an error inside the stream',
  ERR_RESPONSE_BLOCKED: "the rest of the model's answer was withheld by policy",
  ERR_CLASSIFICATION_FAILED: 'the answer could not be classified; the rest is withheld',
  ERR_SHUTTING_DOWN: 'the server is shutting down and its drain deadline passed; the answer is incomplete, retry',
  ERR_AUDIT_UNAVAILABLE: 'the audit ledger could not record this answer; the stream is ended without its final event',
};

function streamEndMessage(code: string): string {
  return STREAM_END_MESSAGES[code] ?? 'the stream ended with an error';
}
