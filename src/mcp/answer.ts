// Stages 5-7 of a call: forward, screen the result, record the outcome, and the JSON-RPC answer. Invariants: never
// throws (every end is an answer whose outcome is recorded, or withheld with 503 when the ledger cannot take it); an
// answer that cannot be screened is withheld; upstream error text is never relayed (a code is).
import { answerSegments } from '../providers/index.ts';
import { decisionIndex, documentPlaces, screenResponse, toJsonObject } from '../pipeline/index.ts';
import type { Decision } from '../policy/index.ts';
import { describeError } from '../observability/index.ts';
import { MCP_FAILURES, type McpErrorCode } from './errors.ts';
import type { McpOutcomeBody } from './records.ts';
import { isRpcError } from './upstream.ts';
import { type ProgressTail, SHOWN_TAIL } from './progress.ts';
import type { CallContext, Ended } from './types.ts';

/** Settles the call's reservation; the outcome's cost, pricing version and settlement (null: a listing, which holds
 * none). */
export type Settle = (
  ended: Ended,
) => Promise<Pick<McpOutcomeBody, 'cost_micro_usd' | 'pricing_version' | 'settlement'>>;

export interface Answer {
  status: number;
  body: unknown;
  outcome: McpOutcomeBody;
}

/** Forward, screen, record the outcome. Never throws: every end is an answer with its outcome recorded, or withheld. */
export async function forwardAndScreen(
  context: CallContext,
  decisionHash: string,
  decision: Decision,
  started: Date,
  id: string | number,
  forward: () => Promise<Record<string, unknown>>,
  settle: Settle | null,
  shown?: ProgressTail,
): Promise<Answer> {
  const { deps, upstream, request } = context;
  const outcome: McpOutcomeBody = {
    decision_hash: decisionHash,
    status: 200,
    upstream: upstream.server.name,
    upstream_status: null,
    latency_ms: 0,
    usage: null,
    error: null,
    response_classification: null,
    response_action: 'none',
  };
  let body: unknown;
  const fail = (code: McpErrorCode, text: string, reasons?: { code: string; message: string }[]) => {
    outcome.error = code;
    outcome.status = MCP_FAILURES[code].status;
    return rpcError(id, code, text, request.requestId, reasons);
  };
  try {
    let result: Record<string, unknown> | null = null;
    try {
      result = await forward();
      outcome.upstream_status = 200;
    } catch (error) {
      const code = upstreamFailure(error);
      deps.log('warn', 'upstream MCP call failed', {
        request_id: request.requestId,
        code,
        error: describeError(error),
      });
      body = fail(code, 'the upstream server did not answer the call with a result');
    }
    if (result !== null) {
      const classifier = deps.requestClassifier ?? deps.classifier;
      const screen = await screenResponse(
        { responseSegments: answerSegments },
        classifier,
        result,
        decision.obligations.response,
        deps.maxFindings === undefined ? {} : { maxFindings: deps.maxFindings },
      );
      outcome.response_classification = screen.classification;
      outcome.response_action = screen.action;
      const crossing =
        screen.blocked === null && shown !== undefined && shown.messages.length + shown.numbers.length > 0
          ? await crossingTypes(classifier, shown, screen.body, decision.obligations.response)
          : [];
      if (crossing.length > 0) {
        outcome.response_action = 'blocked';
        const reasons = crossing.map((type) => ({ code: 'RESPONSE_BLOCKED', message: `the result contained ${type}` }));
        body = fail('ERR_RESPONSE_BLOCKED', 'the result was withheld', reasons);
      } else if (screen.blocked) {
        const reasons = screen.blocked.types.map((type) => ({
          code: 'RESPONSE_BLOCKED',
          message: `the result contained ${type}`,
        }));
        body = fail(screen.blocked.error, 'the result was withheld', reasons);
      } else {
        body = { jsonrpc: '2.0', id, result: screen.body };
      }
    }
  } catch (error) {
    deps.log('error', 'unexpected error after forwarding; the result is withheld', {
      request_id: request.requestId,
      error: describeError(error),
    });
    body = fail('ERR_INTERNAL', 'internal error; the result was withheld');
  }
  if (settle !== null) {
    const ended = { upstreamStatus: outcome.upstream_status, error: outcome.error, upstream: upstream.server.name };
    try {
      Object.assign(outcome, await settle(ended));
    } catch (error) {
      // settle() throws only for a reservation settled twice (a bug): the answer stands, the cause is logged.
      deps.log('error', 'the call could not be settled', {
        request_id: request.requestId,
        error: describeError(error),
      });
    }
  }
  outcome.latency_ms = Math.max(0, deps.clock.now().getTime() - started.getTime());
  if (!(await appendOutcome(context, outcome)))
    return {
      status: 503,
      outcome,
      body: rpcError(
        id,
        'ERR_AUDIT_UNAVAILABLE',
        'the call was forwarded, but its outcome is not yet recorded; the result is withheld',
        request.requestId,
      ),
    };
  return { status: outcome.status, body, outcome };
}

/**
 * The finding types to block or redact that the result forms with the progress the client already received: a value
 * split between them. The result's first texts are read after the messages' tail and, apart, after the numbers' tail
 * (progress.ts), in order and right after each piece of it (a client skips the pieces between), twice: its values
 * alone, and its places in document order (names that can be a value's piece included: structuredContent's first
 * property name), as screenResponse reads an answer's (answer-document-order.ts). None: the result may be relayed.
 */
async function crossingTypes(
  classifier: NonNullable<CallContext['deps']['requestClassifier']>,
  shown: ProgressTail,
  result: unknown,
  rules: { redact: readonly string[]; block: readonly string[] },
): Promise<string[]> {
  const segments = answerSegments(result);
  const values = firstTexts(segments.filter((s) => !s.keys).map((s) => s.text));
  const strong = documentPlaces(segments).filter((p) => !p.weak); // names not valueLike: read beside neighbours only
  const places = firstTexts(strong.map((p) => p.text.slice(p.start, p.end)));
  const watched = new Set([...rules.redact, ...rules.block]);
  const found = new Set<string>();
  for (const tail of [shown.messages, shown.numbers]) {
    const before = tail.map((text, i) => ({ path: `shown${i}`, text }));
    const readings = before.length === 0 ? [] : [before, ...before.slice(0, -1).map((piece) => [piece])];
    for (const texts of [values, places])
      for (const reading of readings) {
        const { findings } = await classifier.classify([...reading, ...texts]);
        for (const f of findings) if (f.segment < reading.length && watched.has(f.type)) found.add(f.type);
      }
  }
  return [...found].sort();
}

/** The first texts, SHOWN_TAIL characters in all (the last one cut): what a join from the tail reaches. */
function firstTexts(texts: readonly string[]): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  let room = SHOWN_TAIL;
  for (const text of texts) {
    if (room <= 0) break;
    if (text === '') continue;
    out.push({ path: `result${out.length}`, text: text.slice(0, room) });
    room -= Math.min(text.length, room);
  }
  return out;
}

async function appendOutcome(context: CallContext, outcome: McpOutcomeBody): Promise<boolean> {
  const { deps, record, request } = context;
  const index = {
    subject: context.principal.sub,
    decision: 'allow',
    policyVersion: decisionIndex(record).policyVersion,
  };
  try {
    await deps.ledger.append('outcome', request.requestId, toJsonObject(outcome), index);
    return true;
  } catch (error) {
    deps.log('error', 'ledger append failed for an outcome; the result is withheld', {
      request_id: request.requestId,
      error: describeError(error),
    });
    return false;
  }
}

function upstreamFailure(error: unknown): McpErrorCode {
  if (!isRpcError(error)) return 'ERR_UPSTREAM_UNREACHABLE';
  return (error as { code: number }).code === -32001 ? 'ERR_UPSTREAM_TIMEOUT' : 'ERR_UPSTREAM_ERROR';
}

export function rpcError(
  id: string | number,
  code: McpErrorCode,
  message: string,
  requestId: string,
  reasons?: { code: string; message: string }[],
): Record<string, unknown> {
  return {
    jsonrpc: '2.0',
    id,
    error: {
      code: MCP_FAILURES[code].rpc,
      message,
      data: { code, request_id: requestId, ...(reasons ? { reasons } : {}) },
    },
  };
}
