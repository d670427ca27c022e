// Admit, reserve, then settle, against this replica's quota leases (leases.ts, migrations/013_limit_leases.sql):
// reserve() takes the estimate from every counter the request touches, all or nothing, in memory; settle() puts the
// actual usage in place of the estimate, written to PostgreSQL with the next sync. Invariants: no statement runs per
// request (only when a counter is new here or a lease is short); a store that cannot grant what is needed is
// ERR_LIMITS_UNAVAILABLE (the caller fails closed); a reservation is settled at most once.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { acquire, release, usedOf, type Demand, type Held, type JoinedState, type Shortfall } from './acquire.ts';
import type { Amounts } from './lease-state.ts';
import { createLeaseTable } from './leases.ts';
import { LimitsError } from './errors.ts';
import {
  clampCacheTokens,
  costMicroUsd,
  maxCostMicroUsd,
  quote,
  type BillableTokens,
  type PriceQuote,
  type PricingTable,
} from './pricing.ts';
import {
  resolveCounters,
  subjectKey,
  type CounterScope,
  type CounterSpec,
  type DecisionLimits,
  type LimitPrincipal,
  type McpScope,
  type Metric,
  type Period,
  type ScopedLimit,
} from './scopes.ts';
import { rateLimitHeaders } from './headers.ts';

export interface LimiterOptions {
  sql: Sql;
  pricing: PricingTable;
  /** Limits applied beside the decision's (configuration `limits.defaults`). */
  defaults: readonly ScopedLimit[];
  /** How long this replica's leases count after its last sync (a crashed replica's, until then); MUST exceed the
   * longest upstream request. */
  reservationTtlSeconds: number;
  /** Output tokens reserved when neither the request nor the decision caps max_tokens. */
  defaultMaxTokens: number;
  /** Lease tuning (docs/limits.md); the defaults suit production. */
  leases?: Partial<{ flushIntervalMs: number; leaseSeconds: number; idleMs: number; refreshMs: number }>;
  /** The local clock in ms (default Date.now). */
  now?: () => number;
  /** A background sync or housekeeping that failed (kept and retried; logged). */
  onError?: (error: unknown) => void;
}

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
    super(
      'ERR_LIMIT_EXCEEDED',
      limit.requested > limit.limit
        ? // Waiting cannot help a request larger than the whole limit (as OpenAI's "Request too large").
          `this request alone needs ${limit.requested} against a ${limitName(limit.metric, limit.period)} limit of ${limit.limit} for ${limit.scope}; lower max_tokens or the prompt`
        : `${limitName(limit.metric, limit.period)} limit of ${limit.limit} for ${limit.scope} reached; retry after ${retryAfterSeconds}s`,
    );
    this.name = 'LimitExceeded';
    this.limit = limit;
    this.retryAfterSeconds = retryAfterSeconds;
    this.headers = { ...headers, 'retry-after': String(retryAfterSeconds) };
  }
}

/** What was billed: `usage` from the answer or stream, `estimate` when the tokens may have been used but no usage came
 * back (timeouts, cut streams without usage), `none` when the upstream did no billable work, `released` when nothing
 * was forwarded. */
export type SettlementBasis = 'usage' | 'usage_estimated' | 'estimate' | 'none' | 'released';

export interface ActualUsage {
  prompt_tokens: number;
  completion_tokens: number;
  /** Parts of prompt_tokens: served from the provider's prompt cache, written to it, of those to a 1-hour cache. */
  cached_input_tokens?: number;
  cache_write_tokens?: number;
  cache_write_1h_tokens?: number;
}

export interface Settlement {
  reservation_id: string;
  basis: SettlementBasis;
  prompt_tokens: number;
  completion_tokens: number;
  cached_input_tokens: number;
  /** Present when the provider reported prompt-cache writes (billed at the cache-write rate). */
  cache_write_tokens?: number;
  cache_write_1h_tokens?: number;
  tokens: number;
  requests: number;
  cost_micro_usd: number;
  pricing_version: string;
  price_entry: string;
  /** The upstream whose price was billed (the reservation's dearest when none served). */
  upstream: string | null;
  /** false when the limiter could no longer take it (it was closed); true: counted here at once, written to the
   * counters with the next sync (docs/limits.md). The cost stands either way. */
  recorded: boolean;
  /** Why it was not taken (for the log; never part of the record). */
  cause?: unknown;
}

/** Usage of the subject in the current UTC windows (settled as last read, plus this replica's own since): the policy
 * input's usage block. */
export interface SubjectUsage {
  tokens_this_minute: number;
  requests_this_minute: number;
  spend_micro_usd_today: number;
  spend_micro_usd_this_month: number;
}

export interface Limiter {
  /** The pricing table reservations and settlements price with (read-only; GET /v1/models lists its model names). */
  readonly pricing: Readonly<PricingTable>;
  /** The subject's usage. Throws ERR_LIMITS_UNAVAILABLE when it was never read and the store cannot answer. */
  usage(principal: Pick<LimitPrincipal, 'iss' | 'sub'>): Promise<SubjectUsage>;
  /**
   * Counts one request against the subject's request rate, whatever becomes of it (migrations/011), and reads the
   * subject's usage before it. Throws LimitExceeded (nothing counted) when the configured defaults' requests-per-minute
   * for the subject is reached, or ERR_LIMITS_UNAVAILABLE. A request counted here MUST be reserved with `admitted`.
   */
  admit(principal: LimitPrincipal): Promise<SubjectUsage>;
  /** Holds the estimate on every applicable counter, all or nothing. Throws LimitExceeded, ERR_MODEL_NOT_PRICED,
   * ERR_LIMIT_SCOPE_UNRESOLVED or ERR_LIMITS_UNAVAILABLE; MUST NOT hold anything when it throws. */
  reserve(input: ReserveInput): Promise<Reservation>;
  /** Holds one request (no tokens, no spend) on the subject's counters and `counters`, checked against their request
   * limits only, all or nothing; settled like any reservation (it bills one request, cost 0). Throws as reserve().
   * Optional for wrappers that do not serve MCP calls; createLimiter's has it (the MCP proxy fails closed without). */
  reserveRequests?(input: RequestsInput): Promise<Reservation>;
  /** Bills the actual usage in place of the estimate. At most once per reservation (a second call throws). */
  settle(
    reservation: Reservation,
    basis: SettlementBasis,
    usage: ActualUsage | null,
    upstream: string | null,
  ): Promise<Settlement>;
  /** Writes every settlement so far and syncs every lease now (tests, benchmarks; the tick does it otherwise). */
  flush(): Promise<void>;
  /** Writes everything, returns every unused lease and stops: for shutdown, after the last request has ended. */
  close(): Promise<void>;
}

/** Defaults: settlements written within 200 ms, leases of about one second of traffic. */
const LEASE_DEFAULTS = { flushIntervalMs: 200, leaseSeconds: 1, idleMs: 2000, refreshMs: 1000 };

export function createLimiter(options: LimiterOptions): Limiter {
  const { pricing } = options;
  if (!Number.isSafeInteger(options.reservationTtlSeconds) || options.reservationTtlSeconds <= 0)
    throw new LimitsError('ERR_LIMITS_INVALID', 'reservationTtlSeconds must be a positive integer');
  if (!Number.isSafeInteger(options.defaultMaxTokens) || options.defaultMaxTokens < 0)
    throw new LimitsError('ERR_LIMITS_INVALID', 'defaultMaxTokens must be a non-negative integer');
  const table = createLeaseTable({
    sql: options.sql,
    ttlSeconds: options.reservationTtlSeconds,
    now: options.now ?? Date.now,
    onError: options.onError ?? (() => {}),
    ...LEASE_DEFAULTS,
    ...options.leases,
  });
  const settled = new WeakSet<Reservation>();
  const holds = new WeakMap<Reservation, { held: Held[]; admittedOn: boolean[] }>();

  /** Whether a counter is the one admit() counted this request on. */
  const admittedOn = (input: Pick<ReserveInput, 'admitted'>, s: { scope: string; period: Period }) =>
    input.admitted === true && s.scope === 'subject' && s.period === 'minute';
  /** The subject's three counters, unlimited and taking nothing: what its usage is read from. */
  const subjectDemands = (principal: Pick<LimitPrincipal, 'iss' | 'sub'>): Demand[] =>
    (['minute', 'day', 'month'] as const).map((period) => {
      const open = { tokens: null, requests: null, spend: null };
      return {
        spec: { key: subjectKey(principal), scope: 'subject', name: principal.sub, period, limits: open },
        amounts: { tokens: 0, requests: 0, spend: 0 },
        limits: open,
      };
    });
  const subjectUsage = (states: readonly JoinedState[]): SubjectUsage => {
    const of = (period: Period) => states.find((s) => s.spec.scope === 'subject' && s.period === period);
    return {
      tokens_this_minute: of('minute')?.used_tokens ?? 0,
      requests_this_minute: of('minute')?.used_requests ?? 0,
      spend_micro_usd_today: of('day')?.used_spend ?? 0,
      spend_micro_usd_this_month: of('month')?.used_spend ?? 0,
    };
  };
  const exceeded = (short: Shortfall, states: JoinedState[]): never => {
    const { state, metric } = short;
    // The states report usage without this request; the headers say what remains for it.
    throw new LimitExceeded(
      {
        scope: state.spec.scope,
        name: state.spec.name,
        period: state.period,
        metric,
        limit: short.limit,
        used: short.used,
        requested: short.requested,
      },
      Math.max(1, Math.ceil(state.reset_ms / 1000)),
      rateLimitHeaders(states),
    );
  };

  /** Takes one request and `amounts` on every counter of `specs`, all or nothing, and makes the reservation. */
  const hold = async (
    input: Pick<ReserveInput, 'admitted'>,
    specs: readonly CounterSpec[],
    amounts: { tokens: number; spend: number },
    priced: PriceQuote,
    quotes: Record<string, PriceQuote>,
    estimate: { prompt_tokens: number; prompt_token_method: string; completion_tokens: number },
  ): Promise<Reservation> => {
    // A request counted at admission takes no second request there; the limit check still counts it (it is settled).
    const demands: Demand[] = specs.map((s) => ({
      spec: s,
      amounts: { ...amounts, requests: admittedOn(input, s) ? 0 : 1 },
      limits: s.limits,
    }));
    const { held, states } = await acquire(table, demands, exceeded);
    const reservation: Reservation = {
      id: randomUUID(),
      quote: priced,
      quotes,
      estimate: { ...estimate, tokens: amounts.tokens, spend_micro_usd: amounts.spend },
      expiresInSeconds: options.reservationTtlSeconds,
      limits: appliedLimits(states),
      headers: rateLimitHeaders(states),
      windows: states.map((s) => ({
        key: s.spec.key,
        period: s.spec.period,
        window_start_ms: s.window_start_ms,
        ...(admittedOn(input, s.spec) ? { requests: 0 as const } : {}),
      })),
    };
    holds.set(reservation, { held, admittedOn: specs.map((s) => admittedOn(input, s)) });
    return reservation;
  };

  return {
    pricing,
    async usage(principal) {
      return subjectUsage((await acquire(table, subjectDemands(principal), exceeded)).states);
    },

    async admit(principal) {
      // Only the configured defaults are known before the policy decides; the policy's own limit is checked at reserve.
      const spec = resolveCounters(principal, null, options.defaults).find(
        (s) => s.scope === 'subject' && s.period === 'minute',
      );
      const [minute, ...rest] = subjectDemands(principal);
      const demands: Demand[] = [
        {
          ...(minute as Demand),
          spec: spec ?? (minute as Demand).spec,
          amounts: { tokens: 0, requests: 1, spend: 0 },
          limits: { tokens: null, requests: spec?.limits.requests ?? null, spend: null },
        },
        ...rest,
      ];
      const { held, states } = await acquire(table, demands, exceeded);
      // Counted at once, whatever becomes of the request (migrations/011): settled as taken.
      release(table, held, (h) => h.amounts);
      // The usage before this request (the policy input's meaning is unchanged).
      const usage = subjectUsage(states);
      return { ...usage, requests_this_minute: usage.requests_this_minute - 1 };
    },

    async reserve(input) {
      if (input.upstreams.length === 0)
        throw new LimitsError('ERR_LIMITS_INVALID', 'a reservation needs at least one upstream');
      const completion = input.maxTokens ?? options.defaultMaxTokens;
      const tokens = input.promptTokens + completion;
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
      const specs = resolveCounters(input.principal, input.limits, options.defaults);
      return hold(input, specs, { tokens, spend }, priced, quotes, {
        prompt_tokens: input.promptTokens,
        prompt_token_method: input.promptTokenMethod,
        completion_tokens: completion,
      });
    },

    async reserveRequests(input) {
      const { specs, quote: free } = requestsOnly(input, options.defaults, pricing.version);
      return hold(
        input,
        specs,
        { tokens: 0, spend: 0 },
        free,
        {},
        {
          prompt_tokens: 0,
          prompt_token_method: 'none',
          completion_tokens: 0,
        },
      );
    },

    async settle(reservation, basis, usage, upstream) {
      if (settled.has(reservation))
        throw new LimitsError('ERR_LIMITS_INVALID', `reservation ${reservation.id} is already settled`);
      settled.add(reservation);
      const bill = settlementBill(reservation, basis, usage, upstream);
      const hold = holds.get(reservation);
      holds.delete(reservation);
      const recorded = hold !== undefined && !table.closed;
      if (hold) {
        const actual = (h: Held): Amounts => ({
          tokens: bill.tokens,
          requests: hold.admittedOn[hold.held.indexOf(h)] ? 0 : bill.requests,
          spend: bill.cost_micro_usd,
        });
        release(table, hold.held, actual);
      }
      return {
        ...bill,
        recorded,
        ...(recorded
          ? {}
          : { cause: new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limiter was closed before the settlement') }),
      };
    },

    async flush() {
      await table.sync();
    },

    close: () => table.close(),
  };
}

/** Every limit that applied, with its usage including this request's estimate (the decision record's). */
function appliedLimits(states: readonly JoinedState[]): AppliedLimit[] {
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

/** What a settlement bills, before it is counted (pure): the tokens its basis bills, priced at the upstream that served
 * when the reservation quoted it (else at the reserved price); `released` bills no request. */
export function settlementBill(
  reservation: Reservation,
  basis: SettlementBasis,
  usage: ActualUsage | null,
  upstream: string | null,
): Omit<Settlement, 'recorded' | 'cause'> {
  const billed = billable(reservation, basis, usage);
  const served =
    upstream !== null && Object.hasOwn(reservation.quotes, upstream) ? reservation.quotes[upstream] : undefined;
  const priced = served ?? reservation.quote;
  return {
    reservation_id: reservation.id,
    basis,
    ...billed,
    tokens: billed.prompt_tokens + billed.completion_tokens,
    requests: basis === 'released' ? 0 : 1,
    cost_micro_usd: costMicroUsd(priced.price, billed),
    pricing_version: priced.version,
    price_entry: priced.entry,
    upstream: served ? upstream : null,
  };
}

function billable(reservation: Reservation, basis: SettlementBasis, usage: ActualUsage | null): BillableTokens {
  switch (basis) {
    case 'usage':
    case 'usage_estimated': {
      if (!usage) throw new LimitsError('ERR_LIMITS_INVALID', 'settlement on usage needs the usage');
      // Recorded as billed: each cache count within what it is part of (write counts only when reported).
      return clampCacheTokens({ ...usage, cached_input_tokens: usage.cached_input_tokens ?? 0 });
    }
    case 'estimate':
      return {
        prompt_tokens: reservation.estimate.prompt_tokens,
        completion_tokens: reservation.estimate.completion_tokens,
        cached_input_tokens: 0,
      };
    case 'none':
    case 'released':
      return { prompt_tokens: 0, completion_tokens: 0, cached_input_tokens: 0 };
    default:
      throw new LimitsError('ERR_LIMITS_INVALID', `unknown settlement basis ${String(basis)}`);
  }
}

function limitName(metric: Metric, period: Period): string {
  return metric === 'spend' ? `spend per ${period}` : `${metric} per ${period}`;
}
