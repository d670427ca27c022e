// GET /v1/models: the models this caller's policy allows. Each model name the configuration knows (explicit upstream
// lists, routing routes, the pricing table; a pattern or "*" is never a name) is decided as a prompt-less request to
// it; the list is those allowed with a permitted upstream that can price it. So upstreams configured with
// models: ["*"] still list what routing and pricing name. One decision record says who asked, how many were listed
// and the one policy version that decided them all; nothing is forwarded. A listing is admitted as the LLM APIs'
// requests are (docs/limits.md): counted on the subject's requests a minute, refused 429 at its limit.
import { bodyDigest } from '../ledger/index.ts';
import { LimitsError, quote, type DecisionLimits, type ScopedLimit } from '../limits/index.ts';
import type { NormalizedRequest } from '../providers/index.ts';
import type { DecisionRecorder } from './decision-record.ts';
import type { Denial } from './denial.ts';
import { buildPolicyInput } from './policy-input.ts';
import { emptyDecisionBody, type DecisionBody } from './records.ts';
import { identify } from './stage-calls.ts';
import type { IncomingRequest, PipelineDeps, Reply } from './types.ts';

/** SHA-256 of the empty body: a listing has none. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface ListingContext {
  deps: Pick<PipelineDeps, 'authenticator' | 'clock' | 'limits' | 'policy' | 'upstreams'>;
  /** Key of the record's body digest (the handler's). */
  bodyKey: Uint8Array;
  recorder: Pick<DecisionRecorder, 'append' | 'deny'>;
  /** Any error as the denial it is recorded with (the handler's: it logs the unexpected). */
  refusal: (error: unknown) => Denial;
}

export async function listModels(
  context: ListingContext,
  incoming: Omit<IncomingRequest, 'body' | 'api'>,
): Promise<Reply> {
  const { deps, recorder } = context;
  const api = 'openai.models';
  const started = deps.clock.now();
  const record = emptyDecisionBody();
  try {
    const principal = await identify(deps.authenticator, incoming.headers);
    record.principal = principal;
    record.request = {
      api,
      model: '*',
      stream: false,
      max_tokens: null,
      message_count: 0,
      body_hmac_sha256: bodyDigest(context.bodyKey, EMPTY_SHA256),
    };
    record.classification = { finding_count: 0, types: {}, categories: {}, truncated: false, findings: [] };
    // Counted whatever becomes of it; a configured subject default refuses it here, before any decision.
    await deps.limits.admit(principal);
    const { pricing } = deps.limits;
    const named = [
      ...deps.upstreams.upstreams.flatMap((u) => u.models),
      ...deps.upstreams.routes.map((r) => r.model),
      ...Object.values(pricing.upstreams).flatMap((models) => Object.keys(models)),
    ];
    const names = [...new Set(named)].filter((m) => !m.includes('*')).sort();
    const allowed: string[] = [];
    // One record, one policy: `policy` names the one that decided every model (decide() is synchronous and the loop
    // never yields, so a bundle swap cannot land inside it; should one ever, the listing is refused, not misrecorded).
    let decidedBy: DecisionBody['policy'] | undefined;
    // Every allowed decision's limits, as the subject's and scoped ones: the strictest of each bucket applies.
    const limits: ScopedLimit[] = [];
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
      const candidates = deps.upstreams.candidates(api, model);
      const input = buildPolicyInput(principal, request, { findings: [] }, candidates, started);
      const { decision, version } = deps.policy.decide(input);
      const policy = version === null ? null : { revision: version.revision, sha256: version.sha256 };
      if (decidedBy !== undefined && !samePolicy(decidedBy, policy))
        throw new Error('the policy changed while the models were listed');
      decidedBy = policy;
      record.policy = policy;
      const routed = decision.allow ? deps.upstreams.route(api, model, decision.obligations.upstreams) : [];
      const granted = decision.allow ? decision.obligations.limits : null;
      if (granted) {
        const { scoped: shared, ...own } = granted;
        limits.push({ ...own, scope: 'subject' }, ...(shared ?? []));
      }
      // A model no permitted upstream can price would be refused at reserve (ERR_MODEL_NOT_PRICED): not listed.
      if (routed.some((u) => quote(pricing, u.name, model) !== null)) allowed.push(model);
    }
    // The request limits the decisions name, checked as reserve checks an LLM request's (the subject's count taken at
    // admission); nothing is forwarded, so the hold is released at once (group, tenant and client buckets count none).
    if (!deps.limits.reserveRequests)
      throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limiter takes no request-only reservations');
    const scoped: DecisionLimits = { scoped: limits };
    const held = await deps.limits.reserveRequests({ principal, limits: scoped, counters: [], admitted: true });
    await deps.limits.settle(held, 'released', null, null);
    record.decision = {
      allow: true,
      stage: 'decide',
      reasons: [{ code: 'MODELS_LISTED', message: `${allowed.length} of ${names.length} configured models listed` }],
      obligations: null,
    };
    await recorder.append(incoming.requestId, record, 'allow');
    const data = allowed.map((id) => ({ id, object: 'model', created: 0, owned_by: 'proctor' }));
    return {
      status: 200,
      headers: { 'x-proctor-request-id': incoming.requestId, 'x-proctor-decision': 'allow' },
      body: { object: 'list', data },
    };
  } catch (error) {
    return recorder.deny(incoming, record, context.refusal(error));
  }
}

function samePolicy(a: DecisionBody['policy'], b: DecisionBody['policy']): boolean {
  return a === null || b === null ? a === b : a.revision === b.revision && a.sha256 === b.sha256;
}
