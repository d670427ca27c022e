// The request path, in order:
// identify → parse → classify → decide → route → RECORD → forward → RECORD outcome.
// Invariants: nothing is forwarded unless its decision record has been committed (ledger.append resolved); every
// exit ends in a record, or in 503 ERR_AUDIT_UNAVAILABLE when the ledger cannot take one; no raw prompt text, finding
// value or token ever enters a record; any unexpected error denies (fail closed). Each stage's own errors become
// denials in stage-calls.ts and denial.ts; records are appended by decision-record.ts and outcome-record.ts.
import { randomBytes, randomUUID } from 'node:crypto';
import type { UpstreamSettings } from '../config/index.ts';
import type { Principal } from '../identity/index.ts';
import { bodyDigest } from '../ledger/index.ts';
import type { Reservation } from '../limits/index.ts';
import { describeError } from '../observability/index.ts';
import type { Decision, PolicyInput, RuntimeDecision } from '../policy/index.ts';
import { adapterFor, type Api, type NormalizedRequest, type ProviderAdapter } from '../providers/index.ts';
import { completeAnswer } from './answer-complete.ts';
import { createDecisionRecorder } from './decision-record.ts';
import { requestTokensAtLeast } from './intake-bound.ts';
import { Denial, policyDenial, toDenial } from './denial.ts';
import { shapeReply } from './failures.ts';
import { reservationRecord, reserveFor } from './limits-stage.ts';
import { listModels } from './list-models.ts';
import { modelNamed, WITHHELD_MODEL, withModelWithheld } from './model-record.ts';
import type { Completion } from './outcome.ts';
import { recordOutcome } from './outcome-record.ts';
import { buildPolicyInput } from './policy-input.ts';
import { classificationRecord, decidedFields, emptyDecisionBody, type DecisionBody } from './records.ts';
import {
  classifiedOnThread,
  classify,
  identify,
  intake,
  parse,
  recheckIdentity,
  planRedact,
  rewrite,
  upstreamBodyOf,
} from './stage-calls.ts';
import { completeStream } from './stream-complete.ts';
import type { IncomingRequest, PipelineDeps, Reply } from './types.ts';

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

export function createRequestHandler(deps: PipelineDeps) {
  const { clock } = deps;
  // The record carries a keyed digest of the body, never an unkeyed one (a guessable prompt's digest gives it away).
  const bodyKey = deps.bodyDigestKey ?? randomBytes(32);
  const recorder = createDecisionRecorder(deps);

  async function handle(incoming: IncomingRequest): Promise<Reply> {
    const started = clock.now();
    const record = emptyDecisionBody();
    let admitted: Admitted;
    try {
      admitted = await admit(incoming, record, started);
    } catch (error) {
      return recorder.deny(incoming, record, refusal(error));
    }
    // From here on the decision is committed: every path ends in an outcome record, never in a second decision.
    return complete(incoming, record, admitted, started);
  }

  /** Stages 1–6: ends with the decision record committed, or throws a Denial (recorded by the caller). */
  async function admit(incoming: IncomingRequest, record: DecisionBody, started: Date): Promise<Admitted> {
    // 1. identify (over HTTP: from the headers before the body was read, handler.identify, http/identify-first.ts)
    const principal = incoming.principal ?? (await identify(deps.authenticator, incoming.headers));
    record.principal = principal;
    // Admission counts the request against the subject's request rate, whatever becomes of it, and gives the subject's
    // usage so far (for the policy input), both from this replica's quota leases (docs/limits.md): no statement unless
    // the subject is new here or its lease is short, and then while the request is parsed and classified. Awaited at
    // stage 4, or before a large body goes to a thread; a failure there is handled like any other.
    const usageRead = deps.limits.admit(principal);
    usageRead.catch(() => {}); // not unhandled if parsing or classification ends the request first
    // A subject whose tokens this minute are used up (docs/limits.md) is refused, once counted, before parsing and
    // classification.
    const usedUp = deps.limits.usedUp?.(principal);
    if (usedUp) {
      await usageRead;
      throw usedUp;
    }
    // 2. parse (with 3, on a classification thread, for a large body: intake.ts)
    const adapter = adapterFor(incoming.api);
    const offloaded = await intake(deps, incoming, usageRead, principal);
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
    // A subject with fewer tokens left this minute than the prompt takes at least (intake-bound.ts: its texts' bytes)
    // is refused before classification, as a used-up one is before parsing.
    const short = deps.limits.usedUp?.(principal, offloaded?.promptTokensAtLeast ?? requestTokensAtLeast(request));
    if (short) {
      await usageRead;
      throw short;
    }
    // 3. classify
    const classification = (offloaded && classifiedOnThread(offloaded)) ?? (await classify(deps, request));
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
    // The policy sees the upstreams routing offers for this API and model, in routing order.
    const offered = deps.upstreams.candidates(request.api, request.model);
    // Until the policy allows it, the record holds the model as sent only when configuration names it (model-record.ts).
    const named = modelNamed(request.model, offered, deps.upstreams.routes);
    record.request.model = named ? request.model : WITHHELD_MODEL;
    // 4. decide, with the subject's usage so far read from the limits counters
    const usage = await recorder.waitOnDatabase(record, usageRead);
    const input = buildPolicyInput(principal, request, classification, offered, started, usage);
    record.policy_input = named ? input : withModelWithheld(input);
    // One call decides with the active policy (and the shadow, if any): the version recorded is the one that decided.
    const decided = deps.policy.decide(input);
    const { decision } = decided;
    Object.assign(record, decidedFields(decided));
    if (!decision.allow) {
      if (!named) recordWithheldRefusal(record, input, decided);
      throw policyDenial(decision);
    }
    record.request.model = request.model;
    record.policy_input = input;
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
    const redaction = planRedact(request, classification, decision.obligations.redact);
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
    const reservation = await recorder.waitOnDatabase(
      record,
      reserveFor(deps.limits, principal, request, decision, upstreams),
    );
    record.reservation = reservationRecord(reservation);
    // 6. record the decision: MUST be committed before a byte goes upstream; an unrecorded request releases its hold
    let committed;
    try {
      committed = await recorder.append(incoming.requestId, record, 'allow');
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
      appendOutcome: (outcome) =>
        recordOutcome(deps, { ...admitted, requestId: incoming.requestId, record }, outcome, headers),
    };
    // A stream may fall back only before its first byte and ends with its final event after the outcome committed;
    // a plain answer is delivered only after its outcome committed.
    if (admitted.request.stream) return (await completeStream(deps, completion)).reply;
    return completeAnswer(deps, completion);
  }

  /**
   * A refusal of a model configuration does not name: the record keeps the model withheld when the policy decides the
   * same on the withheld input (so replay reproduces the recorded decision, shadow included, and the client's refusal
   * is unchanged); a policy whose refusal depends on the name itself (it lists the model) has it recorded as sent.
   */
  function recordWithheldRefusal(record: DecisionBody, input: PolicyInput, decided: RuntimeDecision): void {
    const withheld = withModelWithheld(input);
    const again = deps.policy.decide(withheld);
    if (JSON.stringify(again.decision) === JSON.stringify(decided.decision)) {
      Object.assign(record, decidedFields(again));
      record.policy_input = withheld;
    } else {
      if (record.request !== null) record.request.model = input.request.model;
      record.policy_input = input;
    }
  }

  /** A request that failed before the pipeline could run (transport: body too large, unreadable) is recorded too. */
  async function reject(
    incoming: Omit<IncomingRequest, 'body'>,
    code: 'ERR_REQUEST_TOO_LARGE' | 'ERR_REQUEST_NOT_JSON',
    message: string,
  ): Promise<Reply> {
    return recorder.deny(incoming, emptyDecisionBody(), new Denial('transport', code, message, message));
  }

  /** Any error as the denial it is recorded with; an unexpected one is logged (with its cause) before it is. */
  function refusal(error: unknown): Denial {
    const denial = toDenial(error);
    // The request id comes from the request's log scope (src/observability/logger.ts: withRequestId).
    if (denial.stage === 'internal') deps.log('error', 'unexpected pipeline error', { error: describeError(error) });
    return denial;
  }

  /** A request stage 1 refused before its body was read: recorded as `handle` records it (no body digest, nothing
   * parsed), the same denial from the same error. */
  async function refuseIdentity(incoming: Omit<IncomingRequest, 'body'>, error: unknown): Promise<Reply> {
    return recorder.deny(incoming, emptyDecisionBody(), refusal(error));
  }

  const listing = { deps, bodyKey, recorder, refusal };
  // Every reply leaves in the error shape of the API the client called (failures.ts: shapeReply).
  return {
    handle: async (incoming: IncomingRequest): Promise<Reply> => shapeReply(incoming.api, await handle(incoming)),
    reject: async (
      incoming: Omit<IncomingRequest, 'body'>,
      code: 'ERR_REQUEST_TOO_LARGE' | 'ERR_REQUEST_NOT_JSON',
      message: string,
    ): Promise<Reply> => shapeReply(incoming.api, await reject(incoming, code, message)),
    listModels: (incoming: Omit<IncomingRequest, 'body' | 'api'>): Promise<Reply> => listModels(listing, incoming),
    /** Stage 1 alone, from the headers: the transport calls it before a byte of the body is read; throws what stage 1
     * throws (a Denial at `identify`), for refuseIdentity. */
    identify: (headers: IncomingRequest['headers']): Promise<Principal> => identify(deps.authenticator, headers),
    /** Stage 1's principal again once the body has arrived: throws a Denial at `identify` when its token expired
     * meanwhile, for refuseIdentity. */
    recheckIdentity: (principal: Principal): void => recheckIdentity(deps.authenticator, principal),
    refuseIdentity: async (incoming: Omit<IncomingRequest, 'body'>, error: unknown): Promise<Reply> =>
      shapeReply(incoming.api, await refuseIdentity(incoming, error)),
    newRequestId: () => randomUUID(),
  };
}

export type RequestHandler = ReturnType<typeof createRequestHandler>;
export type { Api };
