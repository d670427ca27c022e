// The request path, in order: identify → parse → classify → decide → route → RECORD → forward → RECORD outcome.
// Invariants: nothing is forwarded unless its decision record has been committed (ledger.append resolved); every
// exit ends in a record, or in 503 ERR_AUDIT_UNAVAILABLE when the ledger cannot take one; no raw prompt text, finding
// value or token ever enters a record; any unexpected error denies (fail closed).
import { randomUUID } from 'node:crypto';
import { adapterFor, RequestError, type Api, type NormalizedRequest, type ProviderAdapter } from '../providers/index.ts';
import { ForwardError } from '../forwarding/index.ts';
import { IdentityError, type Principal } from '../identity/index.ts';
import type { Classification } from '../classification/index.ts';
import type { Decision } from '../policy/index.ts';
import { planRedaction, type RedactionPlan } from '../redaction/index.ts';
import { errorBody, failureShape, type FailureCode } from './failures.ts';
import { buildPolicyInput } from './policy-input.ts';
import { screenResponse, type ResponseScreen } from './response-screen.ts';
import { decisionIndex, recordFindings, toJsonObject, type DecisionBody, type OutcomeBody } from './records.ts';
import type { IncomingRequest, PipelineDeps, Reply } from './types.ts';

/** What admission hands to completion: everything the forward and the outcome need. */
interface Admitted {
  principal: Principal;
  adapter: ProviderAdapter;
  decision: Decision;
  upstream: PipelineDeps['upstreams'][number];
  body: Record<string, unknown>;
  decisionHash: string;
}

/** Thrown inside the pipeline to end a request early with a recorded denial. */
class Denial extends Error {
  readonly code: FailureCode;
  readonly param: string | null;
  readonly recordMessage: string;
  constructor(code: FailureCode, clientMessage: string, recordMessage: string, param: string | null = null) {
    super(clientMessage);
    this.code = code;
    this.param = param;
    this.recordMessage = recordMessage;
  }
}

export function createRequestHandler(deps: PipelineDeps) {
  const { ledger, clock } = deps;

  async function handle(incoming: IncomingRequest): Promise<Reply> {
    const started = clock.now();
    const record: DecisionBody = { principal: null, request: null, classification: null, policy: null, policy_input: null, decision: null, route: null };
    let admitted: Admitted;
    try {
      admitted = await admit(incoming, record, started);
    } catch (error) {
      return deny(incoming, record, toDenial(error));
    }
    // From here on the decision is committed: every path ends in an outcome record, never in a second decision.
    return complete(incoming, record, admitted, started);
  }

  /** Stages 1–6: ends with the decision record committed, or throws a Denial (recorded by the caller). */
  async function admit(incoming: IncomingRequest, record: DecisionBody, started: Date): Promise<Admitted> {
    // 1. identify
    const principal = await identify(incoming.headers);
    record.principal = principal;
    // 2. parse
    const adapter = adapterFor(incoming.api);
    const request = parse(incoming.body, adapter.parse);
    record.request = { api: request.api, model: request.model, stream: request.stream, max_tokens: request.maxTokens, message_count: request.messageCount, body_sha256: request.bodySha256 };
    // 3. classify
    const classification = classify(request);
    record.classification = { finding_count: classification.findings.length, findings: recordFindings(classification) };
    // 4. decide
    const input = buildPolicyInput(principal, request, classification, deps.upstreams, started);
    record.policy_input = input;
    // One call decides with the active policy (and the shadow, if any): the version recorded is the one that decided.
    const { decision, version, shadow } = deps.policy.decide(input);
    record.policy = version === null ? null : { revision: version.revision, sha256: version.sha256 };
    record.shadow = shadow === null ? null : { revision: shadow.version.revision, sha256: shadow.version.sha256, decision: { allow: shadow.decision.allow, reasons: shadow.decision.reasons, obligations: shadow.decision.obligations } };
    record.decision = { allow: decision.allow, stage: 'decide', reasons: decision.reasons, obligations: decision.obligations };
    if (!decision.allow) throw new Denial('ERR_POLICY_DENIED', denialMessage(decision), 'denied by policy');
    // 5. route: the first upstream the decision allows that this deployment has
    const upstream = decision.obligations.upstreams.map((name) => deps.upstreams.find((u) => u.name === name)).find((u) => u !== undefined);
    if (!upstream) throw new Denial('ERR_NO_UPSTREAM', 'no upstream permitted by policy is configured for this model', 'no permitted upstream configured');
    record.route = { upstream: upstream.name };
    // 5b. plan the redact obligation: the record MUST say what will be replaced before anything is forwarded
    const redaction = redact(request, classification, decision.obligations.redact);
    record.redaction = decision.obligations.redact.length > 0 ? { types: redaction.types } : null;
    const redacted = redaction.edits.length === 0 ? request : { ...request, body: rewrite(adapter.replaceTexts, request.body, redaction) };
    const body = adapter.upstreamBody(redacted, decision.obligations.max_tokens);
    // 6. record the decision: MUST be committed before a byte goes upstream
    const committed = await append(incoming.requestId, record, 'allow');
    return { principal, adapter, decision, upstream, body, decisionHash: committed.hash };
  }

  /** Stages 7–9: forward, screen the answer, record the outcome. Never throws; never writes a decision record. */
  async function complete(incoming: IncomingRequest, record: DecisionBody, admitted: Admitted, started: Date): Promise<Reply> {
    const { adapter, decision, upstream } = admitted;
    const headers = { 'x-proctor-request-id': incoming.requestId, 'x-proctor-decision': 'allow', 'x-proctor-policy-version': record.policy?.revision ?? 'none' };
    let status: number;
    let replyBody: unknown;
    let outcomeError: string | null = null;
    let upstreamStatus: number | null = null;
    let usage: OutcomeBody['usage'] = null;
    let screen: ResponseScreen | null = null;
    try {
      // 7–8. forward the approved (redacted, capped) body
      try {
        const response = await deps.forwarder.forward(upstream, adapter.upstreamPath, admitted.body, { requestId: incoming.requestId });
        upstreamStatus = response.status;
        status = response.status;
        replyBody = response.body;
        if (response.status >= 400) outcomeError = 'ERR_UPSTREAM_ERROR';
      } catch (error) {
        const code: FailureCode = error instanceof ForwardError ? error.code : 'ERR_INTERNAL';
        status = failureShape(code).status;
        replyBody = errorBody(code, error instanceof ForwardError ? error.message : 'internal error while forwarding', incoming.requestId);
        outcomeError = code;
      }
      if (upstreamStatus !== null && upstreamStatus < 400) {
        usage = adapter.readUsage(replyBody);
        // 8b. screen the answer: classify it, then block or redact as the decision's response obligations say
        screen = screenResponse(adapter, deps.classifier, replyBody, decision.obligations.response);
        if (screen.blocked) {
          const code = screen.blocked.error;
          status = failureShape(code).status;
          replyBody = errorBody(code, 'the model\'s answer was withheld by policy', incoming.requestId,
            { reasons: screen.blocked.types.map((type) => ({ code: 'RESPONSE_BLOCKED', message: `the answer contained ${type}` })) });
          outcomeError = code;
        } else {
          replyBody = screen.body;
        }
      }
    } catch (error) {
      // Fail closed: an unexpected error after forwarding withholds the answer; the outcome says so.
      deps.log?.('error', 'unexpected error after forwarding; the answer is withheld', { request_id: incoming.requestId, error: error instanceof Error ? error.name : typeof error });
      status = failureShape('ERR_INTERNAL').status;
      replyBody = errorBody('ERR_INTERNAL', 'internal error; the answer was withheld', incoming.requestId);
      outcomeError = 'ERR_INTERNAL';
    }
    // 9. record the outcome; a response whose outcome cannot be recorded is not delivered
    const outcome: OutcomeBody = {
      decision_hash: admitted.decisionHash,
      status,
      upstream: upstream.name,
      upstream_status: upstreamStatus,
      latency_ms: Math.max(0, clock.now().getTime() - started.getTime()),
      usage,
      error: outcomeError,
      response_classification: screen?.classification ?? null,
      response_action: screen?.action ?? 'none',
    };
    try {
      await ledger.append('outcome', incoming.requestId, toJsonObject(outcome), { subject: admitted.principal.sub, decision: 'allow', policyVersion: decisionIndex(record).policyVersion });
    } catch (error) {
      deps.log?.('error', 'ledger append failed for an outcome; the response is withheld', { request_id: incoming.requestId, code: (error as { code?: string }).code ?? 'unknown' });
      return auditUnavailable(incoming.requestId);
    }
    return { status, headers, body: replyBody };
  }

  /** A request that failed before the pipeline could run (transport: body too large, unreadable) is recorded too. */
  async function reject(incoming: Omit<IncomingRequest, 'body'>, code: 'ERR_REQUEST_TOO_LARGE' | 'ERR_REQUEST_NOT_JSON', message: string): Promise<Reply> {
    const record: DecisionBody = { principal: null, request: null, classification: null, policy: null, policy_input: null, route: null,
      decision: { allow: false, stage: 'transport', reasons: [{ code, message }], obligations: null } };
    return deny(incoming, record, new Denial(code, message, message));
  }

  async function deny(incoming: Pick<IncomingRequest, 'requestId'>, record: DecisionBody, denial: Denial): Promise<Reply> {
    if (denial.code === 'ERR_AUDIT_UNAVAILABLE') return auditUnavailable(incoming.requestId);
    const reasons = record.decision && !record.decision.allow ? record.decision.reasons : [{ code: denial.code, message: denial.recordMessage }];
    if (!record.decision || record.decision.allow) {
      record.decision = { allow: false, stage: stageOf(record), reasons, obligations: null };
    }
    record.route = null;
    try {
      await append(incoming.requestId, record, 'deny');
    } catch {
      return auditUnavailable(incoming.requestId);
    }
    const { status } = failureShape(denial.code);
    return {
      status,
      headers: { 'x-proctor-request-id': incoming.requestId, 'x-proctor-decision': 'deny', ...(status === 401 ? { 'www-authenticate': 'Bearer' } : {}) },
      body: errorBody(denial.code, denial.message, incoming.requestId, { param: denial.param, reasons }),
    };
  }

  async function append(requestId: string, record: DecisionBody, verdict: 'allow' | 'deny') {
    try {
      return await ledger.append('decision', requestId, toJsonObject(record), { ...decisionIndex(record), decision: verdict });
    } catch (error) {
      deps.log?.('error', 'ledger append failed', { request_id: requestId, code: (error as { code?: string }).code ?? 'unknown' });
      throw new Denial('ERR_AUDIT_UNAVAILABLE', 'the audit ledger is unavailable; nothing was forwarded', 'audit ledger unavailable');
    }
  }

  async function identify(headers: IncomingRequest['headers']): Promise<Principal> {
    try {
      return await deps.authenticator.authenticate(headers);
    } catch (error) {
      if (error instanceof IdentityError) throw new Denial(error.code, error.message, error.message);
      throw error;
    }
  }

  function parse(body: Uint8Array, parseBody: (raw: Uint8Array) => NormalizedRequest): NormalizedRequest {
    try {
      return parseBody(body);
    } catch (error) {
      // The client sees which field was wrong; the record keeps only the code (field names are client-controlled).
      if (error instanceof RequestError) throw new Denial(error.code, error.message, `request rejected: ${error.code}`, error.param);
      throw error;
    }
  }

  function classify(request: NormalizedRequest): Classification {
    try {
      return deps.classifier.classify(request.segments);
    } catch {
      throw new Denial('ERR_CLASSIFICATION_FAILED', 'the request could not be classified, so it was not forwarded', 'classifier failed');
    }
  }

  function redact(request: NormalizedRequest, classification: Classification, types: readonly string[]): RedactionPlan {
    try {
      return planRedaction(request.segments, classification.findings, types);
    } catch {
      throw new Denial('ERR_REDACTION_FAILED', 'the redaction the policy requires could not be applied, so nothing was forwarded', 'redaction failed');
    }
  }

  function rewrite(replace: (body: Record<string, unknown>, edits: RedactionPlan['edits']) => Record<string, unknown>,
    body: Record<string, unknown>, plan: RedactionPlan): Record<string, unknown> {
    try {
      return replace(body, plan.edits);
    } catch {
      throw new Denial('ERR_REDACTION_FAILED', 'the redaction the policy requires could not be applied, so nothing was forwarded', 'redaction failed');
    }
  }

  function auditUnavailable(requestId: string): Reply {
    return {
      status: 503,
      headers: { 'x-proctor-request-id': requestId, 'retry-after': '1' },
      body: errorBody('ERR_AUDIT_UNAVAILABLE', 'the audit ledger is unavailable; nothing was forwarded', requestId),
    };
  }

  function toDenial(error: unknown): Denial {
    if (error instanceof Denial) return error;
    deps.log?.('error', 'unexpected pipeline error', { error: error instanceof Error ? error.name : typeof error });
    return new Denial('ERR_INTERNAL', 'internal error; the request was not forwarded', 'internal error');
  }

  return { handle, reject, newRequestId: () => randomUUID() };
}

function stageOf(record: DecisionBody): string {
  if (!record.principal) return 'identify';
  if (!record.request) return 'parse';
  if (!record.classification) return 'classify';
  if (!record.decision) return 'decide';
  return 'route';
}

function denialMessage(decision: Decision): string {
  const codes = decision.reasons.map((r) => r.code).join(', ');
  return `request denied by policy${codes ? `: ${codes}` : ''}`;
}

export type RequestHandler = ReturnType<typeof createRequestHandler>;
export type { Api };
