// The pipeline's side of the limits stage: what to reserve for an admitted request, what the decision and outcome
// records say about it, and which basis a settlement takes from the way the request ended. Invariants: the estimate
// is the prompt counted with a real tokenizer (src/limits/prompt-tokens.ts) plus the full output cap times the
// outputs the upstream generates (the adapter's `outputs`: chat `n`, completions `best_of` per prompt); a request that
// may have used tokens upstream without reporting them is billed the estimate, never zero.
import type { Principal } from '../identity/index.ts';
import type { Decision } from '../policy/index.ts';
import type { NormalizedRequest, Usage } from '../providers/index.ts';
import {
  countPromptTokens,
  type AppliedLimit,
  type Limiter,
  type Reservation,
  type Settlement,
  type SettlementBasis,
} from '../limits/index.ts';
import { promptShapeOf } from './intake-bound.ts';

/** The decision record's `reservation`: what was held, at which price, against which limits. */
export interface ReservationRecord {
  id: string;
  prompt_tokens: number;
  /** How prompt_tokens was counted: a model family's BPE encoding, or a bound (see src/limits/prompt-tokens.ts). */
  prompt_token_method: string;
  completion_tokens: number;
  tokens: number;
  requests: number;
  spend_micro_usd: number;
  pricing_version: string;
  price_entry: string;
  expires_in_seconds: number;
  limits: AppliedLimit[];
}

/** The outcome record's `settlement`. */
export type SettlementRecord = Omit<Settlement, 'cost_micro_usd' | 'pricing_version' | 'cause'>;

/** Whether an API's answer is generated tokens (billed as output); embeddings return vectors, not tokens. */
const GENERATES_OUTPUT = {
  'openai.chat_completions': true,
  'openai.completions': true,
  'openai.responses': true,
  'anthropic.messages': true,
  'openai.embeddings': false,
  'openai.models': false,
} as const satisfies Record<NormalizedRequest['api'], boolean>;

export function reserveFor(
  limiter: Limiter,
  principal: Principal,
  request: NormalizedRequest,
  decision: Decision,
  upstreams: readonly string[],
): Promise<Reservation> {
  const caps = GENERATES_OUTPUT[request.api]
    ? [request.maxTokens, decision.obligations.max_tokens].filter((v): v is number => v !== null)
    : [0];
  const prompt = countPromptTokens(promptShapeOf(request));
  return limiter.reserve({
    principal,
    upstreams,
    model: request.model,
    promptTokens: prompt.tokens,
    promptTokenMethod: prompt.method,
    maxTokens: caps.length === 0 ? null : Math.min(...caps),
    // Each output the upstream generates (chat `n`, completions `best_of` per prompt) may reach the cap, and is billed.
    outputs: GENERATES_OUTPUT[request.api] ? (request.outputs ?? 1) : 1,
    limits: decision.obligations.limits,
    admitted: true, // the pipeline counted the request at admission (Limiter.admit)
  });
}

export function reservationRecord(r: Reservation): ReservationRecord {
  return {
    id: r.id,
    prompt_tokens: r.estimate.prompt_tokens,
    prompt_token_method: r.estimate.prompt_token_method,
    completion_tokens: r.estimate.completion_tokens,
    tokens: r.estimate.tokens,
    requests: 1,
    spend_micro_usd: r.estimate.spend_micro_usd,
    pricing_version: r.quote.version,
    price_entry: r.quote.entry,
    expires_in_seconds: r.expiresInSeconds,
    limits: r.limits.map((l) => ({ ...l })),
  };
}

/**
 * How a finished request is billed: the reported usage when there is one (a cut stream's partial usage is marked
 * estimated by the streaming path); nothing when the upstream was never reached or refused the request (4xx/5xx);
 * otherwise (an answer without usage, a timeout, a broken answer, an internal error after forwarding) the estimate.
 */
export function settlementBasis(
  usage: Usage | null,
  upstreamStatus: number | null,
  error: string | null,
): SettlementBasis {
  if (usage) return usage.estimated ? 'usage_estimated' : 'usage';
  if (error === 'ERR_UPSTREAM_UNREACHABLE') return 'none';
  if (upstreamStatus !== null && upstreamStatus >= 400) return 'none';
  return 'estimate';
}

/** Settles with the way the request ended; returns the outcome's fields and the reply's cost header. */
export async function settleFor(
  limiter: Limiter,
  reservation: Reservation,
  ended: { usage: Usage | null; upstreamStatus: number | null; error: string | null; upstream: string | null },
): Promise<{
  fields: { cost_micro_usd: number; pricing_version: string; settlement: SettlementRecord };
  headers: Record<string, string>;
  /** Why the settlement was not recorded, when it was not (logged, never recorded). */
  cause?: unknown;
}> {
  const basis = settlementBasis(ended.usage, ended.upstreamStatus, ended.error);
  // The usage as reported; the limiter bills each cache count within what it is part of.
  const s = await limiter.settle(reservation, basis, ended.usage, ended.upstream);
  const { cost_micro_usd, pricing_version, cause, ...settlement } = s;
  const headers = { 'x-proctor-cost-micro-usd': String(cost_micro_usd) };
  return { fields: { cost_micro_usd, pricing_version, settlement }, headers, ...(s.recorded ? {} : { cause }) };
}
