// What a reservation is: the inputs reserve() and reserveRequests() take, what they hold (the estimate at the dearest
// candidate upstream's price, the windows it is held in, every limit that applied) and the refusal when a limit would
// be passed. Pure: the limiter (limiter.ts) takes the amounts from the leases; nothing here does I/O.
import { usedOf, type JoinedState } from './acquire.ts';
import { LimitsError } from './errors.ts';
import { maxCostMicroUsd, quote, type PriceQuote, type PricingTable } from './pricing.ts';
import {
  resolveCounters,
  type CounterScope,
  type CounterSpec,
  type DecisionLimits,
  type LimitPrincipal,
  type McpScope,
  type Metric,
  type Period,
  type ScopedLimit,
} from './scopes.ts';

export interface ReserveInput {
  principal: LimitPrincipal;
  /** Every upstream the request may be sent to (fallback included): each MUST be priced; the dearest is reserved. */
  upstreams: readonly string[];
  model: string;
  /** The prompt's tokens as counted before forwarding (prompt-tokens.ts), and how they were counted. */
  promptTokens: number;
  promptTokenMethod: string;
  /** The effective output cap: the smaller of the request's and the decision's max_tokens; null when neither caps. */
  maxTokens: number | null;
  /** How many outputs the upstream generates and bills, each up to the cap (chat `n`, completions `best_of`); 1 if
   * absent. The completion estimate is the cap (or the default) times this. */
  outputs?: number;
  limits: DecisionLimits | null;
  /** The request was counted by admit(): the subject's minute counter holds and settles no second request for it. */
  admitted?: boolean;
}

/** A request-only reservation (an MCP call: no tokens, no price; docs/mcp.md#limits). */
export interface RequestsInput {
  principal: LimitPrincipal;
  /** The decision's limits: only their request limits apply (the subject's, and scoped ones). */
  limits: DecisionLimits | null;
  /** Further per-minute request counters, each with its own key (distinct keys; e.g. an MCP server or tool). */
  counters: readonly { key: string; scope: McpScope; name: string; requests_per_minute: number }[];
  /** As ReserveInput.admitted. */
  admitted?: boolean;
}

/** One applied limit, as the decision record and the 429 name it. */
export interface AppliedLimit {
  scope: CounterScope;
  name: string;
  period: Period;
  metric: Metric;
  limit: number;
  /** Usage in the window including this request's estimate. */
  used: number;
}

export interface Reservation {
  readonly id: string;
  /** The price the estimate was reserved at: the dearest of the candidate upstreams'. */
  readonly quote: PriceQuote;
  /** Each candidate upstream's price; settlement bills at the one that served. */
  readonly quotes: Readonly<Record<string, PriceQuote>>;
  readonly estimate: {
    prompt_tokens: number;
    prompt_token_method: string;
    completion_tokens: number;
    tokens: number;
    spend_micro_usd: number;
  };
  readonly expiresInSeconds: number;
  readonly limits: readonly AppliedLimit[];
  /** x-ratelimit-* headers for the reply. */
  readonly headers: Readonly<Record<string, string>>;
  /** The windows the estimate is held in; settlement bills into the same windows (`requests: 0`: counted at
   * admission). */
  readonly windows: readonly { key: string; period: Period; window_start_ms: number; requests?: 0 }[];
}

/** Thrown by reserve() when a limit would be passed; carries what the 429 and its record need. */
export class LimitExceeded extends LimitsError {
  readonly limit: AppliedLimit & { requested: number };
  readonly retryAfterSeconds: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(limit: AppliedLimit & { requested: number }, retryAfterSeconds: number, headers: Record<string, string>) {
    super('ERR_LIMIT_EXCEEDED', exceededMessage(limit, retryAfterSeconds));
    this.name = 'LimitExceeded';
    this.limit = limit;
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = { ...headers, 'retry-after': String(retryAfterSeconds) };
  }
}

function exceededMessage(limit: AppliedLimit & { requested: number }, retryAfterSeconds: number): string {
  const what = `${limitName(limit.metric, limit.period)} limit of ${limit.limit} for ${limit.scope}`;
  // Waiting cannot help a request larger than the whole limit (as OpenAI's "Request too large").
  if (limit.requested > limit.limit)
    return `this request alone needs ${limit.requested} against a ${what}; lower max_tokens or the prompt`;
  return `${what} reached; retry after ${retryAfterSeconds}s`;
}

/** The estimate's price: every candidate upstream's quote (each MUST price the model: ERR_MODEL_NOT_PRICED), and the
 * dearest for `promptTokens` + `completion`, which the estimate is reserved at. */
export function priceEstimate(
  pricing: PricingTable,
  input: Pick<ReserveInput, 'upstreams' | 'model' | 'promptTokens'>,
  completion: number,
): { priced: PriceQuote; spend: number; quotes: Record<string, PriceQuote> } {
  if (input.upstreams.length === 0)
    throw new LimitsError('ERR_LIMITS_INVALID', 'a reservation needs at least one upstream');
  const quotes: Record<string, PriceQuote> = {};
  let priced: PriceQuote | null = null;
  let spend = -1;
  for (const upstream of input.upstreams) {
    const q = quote(pricing, upstream, input.model);
    if (!q)
      throw new LimitsError(
        'ERR_MODEL_NOT_PRICED',
        `model '${input.model}' on upstream '${upstream}' has no price in pricing table ${pricing.version}`,
      );
    quotes[upstream] = q;
    const cost = maxCostMicroUsd(q.price, input.promptTokens, completion);
    if (cost > spend) {
      spend = cost;
      priced = q;
    }
  }
  if (!priced) throw new LimitsError('ERR_LIMITS_INVALID', 'no price was found');
  return { priced, spend, quotes };
}

/** Every limit that applied, with its usage including this request's estimate (the decision record's). */
export function appliedLimits(states: readonly JoinedState[]): AppliedLimit[] {
  const limits: AppliedLimit[] = [];
  for (const s of states) {
    for (const metric of ['tokens', 'requests', 'spend'] as const) {
      const limit = s.spec.limits[metric];
      if (limit !== null)
        limits.push({
          scope: s.spec.scope,
          name: s.spec.name,
          period: s.spec.period,
          metric,
          limit,
          used: usedOf(s, metric),
        });
    }
  }
  return limits;
}

/** A request-only reservation's counters, checked on their request limits only (the call takes no tokens and no spend,
 * and a budget of those is not its to pass), and its price: zero, entry `requests-only`. Pure. */
export function requestsOnly(
  input: Pick<RequestsInput, 'principal' | 'limits' | 'counters'>,
  defaults: readonly ScopedLimit[],
  pricingVersion: string,
): { specs: CounterSpec[]; quote: PriceQuote } {
  const only = (requests: number | null) => ({ tokens: null, requests, spend: null });
  const specs: CounterSpec[] = [
    ...resolveCounters(input.principal, input.limits, defaults).map((s) => ({ ...s, limits: only(s.limits.requests) })),
    ...input.counters.map((c) => ({
      key: c.key,
      scope: c.scope,
      name: c.name,
      period: 'minute' as const,
      limits: only(c.requests_per_minute),
    })),
  ];
  return {
    specs,
    quote: { version: pricingVersion, entry: 'requests-only', price: { input: 0, output: 0, cached_input: 0 } },
  };
}

function limitName(metric: Metric, period: Period): string {
  return metric === 'spend' ? `spend per ${period}` : `${metric} per ${period}`;
}
