// The request path, in order: identify → parse → classify → decide → route → RECORD → forward → RECORD outcome.
// Invariants: nothing is forwarded unless its decision record has been committed (ledger.append resolved); every
// exit ends in a record, or in 503 ERR_AUDIT_UNAVAILABLE when the ledger cannot take one; no raw prompt text, finding
// value or token ever enters a record; any unexpected error denies (fail closed).
import { randomBytes, randomUUID } from 'node:crypto';
import {
  adapterFor,
  RequestError,
  type Api,
  type NormalizedRequest,
  type ProviderAdapter,
} from '../providers/index.ts';
import { IdentityError, type Principal } from '../identity/index.ts';
import { ClassificationError, countsOf, type Classification } from '../classification/index.ts';
import type { Decision } from '../policy/index.ts';
import { planRedaction, type RedactionPlan } from '../redaction/index.ts';
import { errorBody, failureShape, shapeReply, type FailureCode } from './failures.ts';
import { completeStream } from './stream-complete.ts';
import { completeAnswer } from './answer-complete.ts';
import type { Completion } from './outcome.ts';
import { buildPolicyInput } from './policy-input.ts';
import {
  classificationRecord,
  decidedFields,
  decisionIndex,
  emptyDecisionBody,
  toJsonObject,
  type DecisionBody,
  type OutcomeBody,
} from './records.ts';
import type { IncomingRequest, PipelineDeps, Reply } from './types.ts';
import type { UpstreamSettings } from '../config/index.ts';
import { LimitExceeded, LimitsError, quote, type Reservation } from '../limits/index.ts';
import { reservationRecord, reserveFor, settleFor } from './limits-stage.ts';
import type { IntakeResult } from './intake.ts';
import { bodyDigest } from '../ledger/index.ts';
import { describeError } from '../observability/index.ts';

/** What admission hands to completion: everything the forward and the outcome need. */
interface Admitted {
  principal: Principal;
  adapter: ProviderAdapter;
  /** The parsed request (its stream flag and prompt estimate drive the stream path). */
  request: NormalizedRequest;
  decision: Decision;
  /** The upstreams the decision allows, in routing order: attempts go to these and nowhere else. */
  candidates: UpstreamSettings[];
  body: Record<string, unknown>;
  decisionHash: string;
  /** What the limits stage holds for this request; settled exactly once when the request ends. */
  reservation: Reservation;
}

/** Findings kept per request (in memory and in its record) unless deps.maxFindings says otherwise. */
export const DEFAULT_MAX_FINDINGS = 256;

/** Thrown inside the pipeline to end a request early with a recorded denial. */
/** The stage a refusal happened at, as the decision record names it (`decision.stage`). */
type DenialStage =
  | 'transport'
  | 'identify'
  | 'parse'
  | 'classify'
  | 'decide'
  | 'route'
  | 'redact'
  | 'reserve'
  | 'record'
  | 'internal';

class Denial extends Error {
  readonly stage: DenialStage;
  readonly code: FailureCode;
  readonly param: string | null;
  readonly recordMessage: string;
  /** Extra reply headers (a 429's retry-after and rate-limit headers) and the error that caused the denial (kept as
   * `cause`, never recorded). */
  readonly extra: { headers?: Record<string, string>; cause?: unknown };
  constructor(
    stage: DenialStage,
    code: FailureCode,
    clientMessage: string,
    recordMessage: string,
    param: string | null = null,
    extra: Denial['extra'] = {},
  ) {
    super(clientMessage, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.stage = stage;
    this.code = code;
    this.param = param;
    this.recordMessage = recordMessage;
    this.extra = extra;
  }
}

export function createRequestHandler(deps: PipelineDeps) {
  const { ledger, clock } = deps;
  // The record carries a keyed digest of the body, never an unkeyed one (a guessable prompt's digest gives it away).
  const bodyKey = deps.bodyDigestKey ?? randomBytes(32);

  async function handle(incoming: IncomingRequest): Promise<Reply> {
    const started = clock.now();
    const record = emptyDecisionBody();
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
    // Admission counts the request against the subject's request rate, whatever becomes of it, and gives the subject's
    // usage so far (for the policy input), both from this replica's quota leases (docs/limits.md): no statement unless
    // the subject is new here or its lease is short, and then while the request is parsed and classified. Awaited at
    // stage 4, or before a large body goes to a thread; a failure there is handled like any other.
    const usageRead = deps.limits.admit(principal);
    usageRead.catch(() => {}); // not unhandled if parsing or classification ends the request first
    // 2. parse (with 3, on a classification thread, for a large body: intake.ts)
    const adapter = adapterFor(incoming.api);
    const offloaded = await intake(incoming, usageRead);
    const request = offloaded?.request ?? parse(incoming.body, adapter.parse);
    // The model name is text (closed world): it enters the record only once classification has passed it.
    record.request = {
      api: request.api,
      model: null,
      stream: request.stream,
      max_tokens: request.maxTokens,
      message_count: request.messageCount,
      body_hmac_sha256: bodyDigest(bodyKey, request.bodySha256),
    };
    // 3. classify
    const classification = offloaded ? classifiedOnThread(offloaded) : await classify(request);
    record.classification = classificationRecord(classification, request.segments);
    // One that holds a finding is refused and stays out of the record. Adapters put it first among the segments, so
    // the findings cap cannot hide its findings.
    if (classification.findings.some((f) => f.path === 'model')) {
      throw new Denial(
        'classify',
        'ERR_REQUEST_INVALID',
        'the model name holds data classified as sensitive',
        'model name classified',
        'model',
      );
    }
    record.request.model = request.model;
    // 4. decide, with the subject's usage so far read from the limits counters
    const usage = await waitOnDatabase(record, usageRead);
    // The policy sees the upstreams routing offers for this API and model, in routing order.
    const input = buildPolicyInput(
      principal,
      request,
      classification,
      deps.upstreams.candidates(request.api, request.model),
      started,
      usage,
    );
    record.policy_input = input;
    // One call decides with the active policy (and the shadow, if any): the version recorded is the one that decided.
    const decided = deps.policy.decide(input);
    const { decision } = decided;
    Object.assign(record, decidedFields(decided));
    if (!decision.allow) throw new Denial('decide', 'ERR_POLICY_DENIED', denialMessage(decision), 'denied by policy');
    // 5. route: routing's candidates for the model, restricted to the decision's allowed set (never widened by it)
    const candidates = deps.upstreams.route(request.api, request.model, decision.obligations.upstreams);
    const first = candidates[0];
    if (!first)
      throw new Denial(
        'route',
        'ERR_NO_UPSTREAM',
        'no upstream permitted by policy is configured for this model',
        'no permitted upstream configured',
      );
    record.route = { upstream: first.name, candidates: candidates.map((u) => u.name) };
    // 5b. plan the redact obligation: the record MUST say what will be replaced before anything is forwarded
    const redaction = redact(request, classification, decision.obligations.redact);
    record.redaction = decision.obligations.redact.length > 0 ? { types: redaction.types } : null;
    const redacted =
      redaction.edits.length === 0
        ? request
        : { ...request, body: rewrite(adapter.replaceTexts, request.body, redaction) };
    // The upstream body is the adapter's shape walk once more, over the redacted body: a placeholder where the shape
    // does not allow one (a tool name's pattern) refuses the request instead of forwarding something uninspected.
    const body = upstreamBodyOf(adapter, redacted, decision.obligations.max_tokens, redaction.edits.length > 0);
    // 5c. reserve the estimate against every limit that applies, all or nothing, from the leases (429 when one would be
    // passed)
    const upstreams = candidates.map((u) => u.name);
    const reservation = await waitOnDatabase(record, reserveFor(deps.limits, principal, request, decision, upstreams));
    record.reservation = reservationRecord(reservation);
    // 6. record the decision: MUST be committed before a byte goes upstream; an unrecorded request releases its hold
    let committed;
    try {
      committed = await append(incoming.requestId, record, 'allow');
    } catch (error) {
      await deps.limits.settle(reservation, 'released', null, null);
      throw error;
    }
    return { principal, adapter, request, decision, candidates, body, decisionHash: committed.hash, reservation };
  }

  /** Stages 7–9: forward, screen the answer, record the outcome. Never throws; never writes a decision record. */
  async function complete(
    incoming: IncomingRequest,
    record: DecisionBody,
    admitted: Admitted,
    started: Date,
  ): Promise<Reply> {
    const { adapter, decision } = admitted;
    // Rate-limit headers go on every admitted reply, streamed ones included (their headers leave before the end).
    const headers: Record<string, string> = {
      ...admitted.reservation.headers,
      'x-proctor-request-id': incoming.requestId,
      'x-proctor-decision': 'allow',
      'x-proctor-policy-version': record.policy?.revision ?? 'none',
    };
    const completion: Completion = {
      incoming,
      adapter,
      request: admitted.request,
      decision,
      candidates: admitted.candidates,
      body: admitted.body,
      decisionHash: admitted.decisionHash,
      principal: admitted.principal,
      headers,
      started,
      appendOutcome: (outcome) => recordOutcome(incoming, record, admitted, outcome, headers),
    };
    // A stream may fall back only before its first byte and ends with its final event after the outcome committed;
    // a plain answer is delivered only after its outcome committed.
    if (admitted.request.stream) return (await completeStream(deps, completion)).reply;
    return completeAnswer(deps, completion);
  }

  /**
   * Stage 9 for every way a forwarded request ends (answer, upstream error, timeout, cut or aborted stream): settles
   * the reservation with outcome.usage (partial usage of an aborted stream included; see limits-stage.ts for the
   * basis when there is none), adds cost and settlement to the outcome and the cost header to `headers` (a stream's
   * headers are already sent: its cost is in the record only), then appends the outcome.
   * Resolves false when the ledger refused the outcome. The streaming path MUST record its outcome through this too.
   */
  async function recordOutcome(
    incoming: IncomingRequest,
    record: DecisionBody,
    admitted: Admitted,
    outcome: OutcomeBody,
    headers: Record<string, string>,
  ): Promise<boolean> {
    const settled = await settleFor(deps.limits, admitted.reservation, {
      usage: outcome.usage,
      upstreamStatus: outcome.upstream_status,
      error: outcome.error,
      upstream: outcome.upstream,
    });
    Object.assign(outcome, settled.fields);
    Object.assign(headers, settled.headers);
    if (!settled.fields.settlement.recorded) {
      const error = describeError(settled.cause);
      deps.log('error', 'reservation not settled; it expires after its TTL', {
        request_id: incoming.requestId,
        error,
      });
    }
    try {
      const index = {
        subject: admitted.principal.sub,
        decision: 'allow',
        policyVersion: decisionIndex(record).policyVersion,
      };
      try {
        await ledger.append('outcome', incoming.requestId, toJsonObject(outcome), index);
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
        await ledger.append('outcome', incoming.requestId, toJsonObject(minimal), index);
        throw error;
      }
      return true;
    } catch (error) {
      deps.log('error', 'ledger append failed for an outcome; the response is withheld', {
        request_id: incoming.requestId,
        code: (error as { code?: string }).code ?? 'unknown',
        error: describeError(error),
      });
      return false;
    }
  }

  /**
   * GET /v1/models: the models this caller's policy allows. Each model name the configuration knows (explicit upstream
   * lists, routing routes, the pricing table; a pattern or "*" is never a name) is decided as a prompt-less request to
   * it; the list is those allowed with a permitted upstream that can price it (when limits apply). So upstreams
   * configured with models: ["*"] still list what routing and pricing name. One decision record says who asked and
   * how many were listed; nothing is forwarded.
   */
  async function listModels(incoming: Omit<IncomingRequest, 'body' | 'api'>): Promise<Reply> {
    const api = 'openai.models';
    const started = clock.now();
    const record = emptyDecisionBody();
    try {
      const principal = await identify(incoming.headers);
      record.principal = principal;
      record.request = {
        api,
        model: '*',
        stream: false,
        max_tokens: null,
        message_count: 0,
        body_hmac_sha256: bodyDigest(bodyKey, EMPTY_SHA256),
      };
      record.classification = { finding_count: 0, types: {}, categories: {}, truncated: false, findings: [] };
      const { pricing } = deps.limits;
      const named = [
        ...deps.upstreams.upstreams.flatMap((u) => u.models),
        ...deps.upstreams.routes.map((r) => r.model),
        ...Object.values(pricing.upstreams).flatMap((models) => Object.keys(models)),
      ];
      const names = [...new Set(named)].filter((m) => !m.includes('*')).sort();
      const allowed: string[] = [];
      for (const model of names) {
        const request: NormalizedRequest = {
          api,
          model,
          stream: false,
          maxTokens: null,
          messageCount: 0,
          estimatedPromptTokens: 0,
          toolNames: [],
          segments: [],
          body: {},
          bodySha256: EMPTY_SHA256,
        };
        const input = buildPolicyInput(
          principal,
          request,
          { findings: [] },
          deps.upstreams.candidates(api, model),
          started,
        );
        const { decision, version } = deps.policy.decide(input);
        record.policy = version === null ? null : { revision: version.revision, sha256: version.sha256 };
        const routed = decision.allow ? deps.upstreams.route(api, model, decision.obligations.upstreams) : [];
        // A model no permitted upstream can price would be refused at reserve (ERR_MODEL_NOT_PRICED): not listed.
        if (routed.some((u) => quote(pricing, u.name, model) !== null)) allowed.push(model);
      }
      record.decision = {
        allow: true,
        stage: 'decide',
        reasons: [{ code: 'MODELS_LISTED', message: `${allowed.length} of ${names.length} configured models listed` }],
        obligations: null,
      };
      await append(incoming.requestId, record, 'allow');
      const data = allowed.map((id) => ({ id, object: 'model', created: 0, owned_by: 'proctor' }));
      return {
        status: 200,
        headers: { 'x-proctor-request-id': incoming.requestId, 'x-proctor-decision': 'allow' },
        body: { object: 'list', data },
      };
    } catch (error) {
      return deny(incoming, record, toDenial(error));
    }
  }

  /** A request that failed before the pipeline could run (transport: body too large, unreadable) is recorded too. */
  async function reject(
    incoming: Omit<IncomingRequest, 'body'>,
    code: 'ERR_REQUEST_TOO_LARGE' | 'ERR_REQUEST_NOT_JSON',
    message: string,
  ): Promise<Reply> {
    return deny(incoming, emptyDecisionBody(), new Denial('transport', code, message, message));
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
      const recorded =
        (await append(incoming.requestId, { ...bare, principal: record.principal }, 'deny').then(
          () => true,
          () => false,
        )) ||
        (await append(incoming.requestId, bare, 'deny').then(
          () => true,
          () => false,
        ));
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

  // A request's database budget (deps.databaseBudgetMs): what it waited for the usage read and the reservation is
  // taken from its decision record's deadline, so a frozen database answers 503 within the budget, not a multiple.
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
      return await ledger.append(
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
          'the request holds a value its audit record cannot store (a NUL character, a lone surrogate or an over-long value); nothing was forwarded',
          'the request held a value its record cannot store',
        );
      }
      throw new Denial(
        'record',
        'ERR_AUDIT_UNAVAILABLE',
        'the audit ledger is unavailable; nothing was forwarded',
        'audit ledger unavailable',
      );
    }
  }

  async function identify(headers: IncomingRequest['headers']): Promise<Principal> {
    try {
      return await deps.authenticator.authenticate(headers);
    } catch (error) {
      if (error instanceof IdentityError) throw new Denial('identify', error.code, error.message, error.message);
      throw error;
    }
  }

  function parse(body: IncomingRequest['body'], parseBody: (raw: Uint8Array) => NormalizedRequest): NormalizedRequest {
    // A body channel is written only for the intake that takes it: one that reaches here is a wiring fault, refused.
    if (!(body instanceof Uint8Array)) throw new Error('a body channel reached the in-process parse');
    try {
      return parseBody(body);
    } catch (error) {
      // The client sees which field was wrong; the record keeps only the code (field names are client-controlled).
      if (error instanceof RequestError)
        throw new Denial('parse', error.code, error.message, `request rejected: ${error.code}`, error.param);
      throw error;
    }
  }

  /** Large inputs are classified off the event loop (deps.requestClassifier); at most maxFindings are kept. */
  async function classify(request: NormalizedRequest): Promise<Classification> {
    try {
      return await (deps.requestClassifier ?? deps.classifier).classify(request.segments, {
        maxFindings: deps.maxFindings ?? DEFAULT_MAX_FINDINGS,
      });
    } catch (error) {
      throw classifyDenial(error);
    }
  }

  /** Stages 2 and 3 on a classification thread for a large body (deps.intake); null when the body stays here. */
  async function intake(
    incoming: IncomingRequest,
    admission: Promise<unknown> | undefined,
  ): Promise<IntakeResult | null> {
    if (!deps.intake?.takes(incoming.body.byteLength)) return null;
    await admission; // a subject over its rate, or a limits store that cannot answer, costs no thread
    try {
      return await deps.intake.run(incoming.api, incoming.body, {
        maxFindings: deps.maxFindings ?? DEFAULT_MAX_FINDINGS,
      });
    } catch (error) {
      if (error instanceof RequestError)
        throw new Denial('parse', error.code, error.message, `request rejected: ${error.code}`, error.param);
      if (error instanceof ClassificationError) throw classifyDenial(error);
      throw error;
    }
  }

  function classifiedOnThread(result: IntakeResult): Classification {
    if ('classifyError' in result) throw classifyDenial(new Error(result.classifyError));
    return result.classification;
  }

  function classifyDenial(error: unknown): Denial {
    if (error instanceof ClassificationError && error.code === 'ERR_CLASSIFIER_BUSY') {
      return new Denial(
        'classify',
        'ERR_CLASSIFIER_BUSY',
        'every classifier is busy; nothing was forwarded, retry shortly',
        'classifier queue full',
        null,
        { headers: { 'retry-after': '1' }, cause: error },
      );
    }
    return new Denial(
      'classify',
      'ERR_CLASSIFICATION_FAILED',
      'the request could not be classified, so it was not forwarded',
      'classifier failed',
      null,
      { cause: error },
    );
  }

  function redact(request: NormalizedRequest, classification: Classification, types: readonly string[]): RedactionPlan {
    // Past the cap, findings are counted but not located: a type to redact with more findings than were kept is
    // refused, never forwarded half-redacted.
    if (classification.truncated === true && types.length > 0) {
      // The classifier names the types it dropped findings of; one that does not (an older classifier) is trusted
      // for no type: every type to redact with a finding counted is refused.
      const counts = countsOf(classification, request.segments.length);
      const dropped = classification.droppedTypes ?? Object.keys(counts.types);
      const over = types.filter((t) => dropped.includes(t));
      if (over.length > 0) {
        throw new Denial(
          'redact',
          'ERR_TOO_MANY_FINDINGS',
          `the policy requires redacting ${over.join(', ')}, and the request holds more findings than Proctor redacts in one request; nothing was forwarded`,
          'too many findings to redact',
        );
      }
    }
    try {
      return planRedaction(request.segments, classification.findings, types);
    } catch (cause) {
      throw new Denial(
        'redact',
        'ERR_REDACTION_FAILED',
        'the redaction the policy requires could not be applied, so nothing was forwarded',
        'redaction failed',
        null,
        { cause },
      );
    }
  }

  function upstreamBodyOf(
    adapter: ProviderAdapter,
    request: NormalizedRequest,
    cap: number | null,
    redacted: boolean,
  ): Record<string, unknown> {
    try {
      return adapter.upstreamBody(request, cap);
    } catch (error) {
      if (!redacted) throw error;
      throw new Denial(
        'redact',
        'ERR_REDACTION_FAILED',
        'the redaction the policy requires could not be applied, so nothing was forwarded',
        'redaction failed',
      );
    }
  }

  function rewrite(
    replace: (body: Record<string, unknown>, edits: RedactionPlan['edits']) => Record<string, unknown>,
    body: Record<string, unknown>,
    plan: RedactionPlan,
  ): Record<string, unknown> {
    try {
      return replace(body, plan.edits);
    } catch (cause) {
      throw new Denial(
        'redact',
        'ERR_REDACTION_FAILED',
        'the redaction the policy requires could not be applied, so nothing was forwarded',
        'redaction failed',
        null,
        { cause },
      );
    }
  }

  function auditUnavailable(requestId: string): Reply {
    return {
      status: 503,
      headers: { 'x-proctor-request-id': requestId, 'retry-after': '1' },
      body: errorBody('ERR_AUDIT_UNAVAILABLE', 'the audit ledger is unavailable; nothing was forwarded', requestId),
    };
  }

  /** Any error as a denial: ours as thrown; an unexpected one is recorded at stage `internal`, with its cause. */
  function toDenial(error: unknown): Denial {
    if (error instanceof Denial) return error;
    if (error instanceof LimitsError) return limitDenial(error);
    // The request id comes from the request's log scope (src/observability/logger.ts: withRequestId).
    deps.log('error', 'unexpected pipeline error', { error: describeError(error) });
    return new Denial(
      'internal',
      'ERR_INTERNAL',
      'internal error; the request was not forwarded',
      'internal error',
      null,
      {
        cause: error,
      },
    );
  }

  // Every reply leaves in the error shape of the API the client called (failures.ts: shapeReply).
  return {
    handle: async (incoming: IncomingRequest): Promise<Reply> => shapeReply(incoming.api, await handle(incoming)),
    reject: async (
      incoming: Omit<IncomingRequest, 'body'>,
      code: 'ERR_REQUEST_TOO_LARGE' | 'ERR_REQUEST_NOT_JSON',
      message: string,
    ): Promise<Reply> => shapeReply(incoming.api, await reject(incoming, code, message)),
    listModels: (incoming: Omit<IncomingRequest, 'body' | 'api'>): Promise<Reply> => listModels(incoming),
    newRequestId: () => randomUUID(),
  };
}

/** A limits-stage failure as a recorded denial: a passed limit is a 429 naming the limit, with retry-after. */
function limitDenial(error: LimitsError): Denial {
  if (error instanceof LimitExceeded) {
    const l = error.limit;
    return new Denial(
      'reserve',
      'ERR_LIMIT_EXCEEDED',
      error.message,
      `${l.scope} ${l.metric} per ${l.period} limit ${l.limit} reached (used ${l.used}, requested ${l.requested})`,
      null,
      { headers: { ...error.headers }, cause: error },
    );
  }
  switch (error.code) {
    case 'ERR_MODEL_NOT_PRICED':
    case 'ERR_LIMIT_SCOPE_UNRESOLVED':
      return new Denial('reserve', error.code, error.message, error.message, null, { cause: error });
    default:
      // The store could not answer (or answered nonsense): fail closed, nothing is forwarded.
      return new Denial(
        'reserve',
        'ERR_LIMITS_UNAVAILABLE',
        'the limits store is unavailable; nothing was forwarded',
        'limits store unavailable',
        null,
        { headers: { 'retry-after': '1' }, cause: error },
      );
  }
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function denialMessage(decision: Decision): string {
  const codes = decision.reasons.map((r) => r.code).join(', ');
  return `request denied by policy${codes ? `: ${codes}` : ''}`;
}

export type RequestHandler = ReturnType<typeof createRequestHandler>;
export type { Api };
