// Admit, reserve, then settle, against this replica's quota leases (leases.ts, migrations/013_limit_leases.sql):
// reserve() takes the estimate (reservation.ts) from every counter the request touches, all or nothing, in memory;
// settle() puts the bill (settlement.ts) in place of the estimate, written to PostgreSQL with the next sync.
// Invariants: no statement runs per request (only when a counter is new here or a lease is short); a store that cannot
// grant what is needed is ERR_LIMITS_UNAVAILABLE (the caller fails closed); a reservation is settled at most once.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
import { acquire, release, statesOf, type Demand, type Held, type JoinedState, type Shortfall } from './acquire.ts';
import type { Amounts, Counter } from './lease-state.ts';
import { createLeaseTable } from './leases.ts';
import { LimitsError } from './errors.ts';
import type { PriceQuote, PricingTable } from './pricing.ts';
import {
  appliedLimits,
  LimitExceeded,
  priceEstimate,
  requestsOnly,
  type RequestsInput,
  type Reservation,
  type ReserveInput,
} from './reservation.ts';
import {
  resolveCounters,
  subjectDefaultRequestsPerMinute,
  subjectKey,
  type CounterSpec,
  type LimitPrincipal,
  type Period,
  type ScopedLimit,
} from './scopes.ts';
import { settlementBill, type ActualUsage, type Settlement, type SettlementBasis } from './settlement.ts';
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
  /** The refusal (LimitExceeded, to throw once admit() has counted the request) of a subject whose tokens this minute
   * settled so far, plus `atLeast` (default 1: a request's least), pass the laxest limit reserve() checked them against
   * here in this minute: reserve() would refuse a request of at least that many tokens under that limit. Null
   * otherwise. In memory, no statement; the LLM APIs ask before parsing with 1, and once parsed, before classifying,
   * with a lower bound of the prompt's tokens (prompt-bound.ts); a tool call takes no tokens or spend. Optional for
   * wrappers. */
  usedUp?(principal: LimitPrincipal, atLeast?: number): LimitExceeded | null;
  /** The tokens usedUp() would let a request take this minute (the laxest limit checked less the settled usage), or
   * null when no token limit was checked on the subject's minute here (none refuses). Optional for wrappers. */
  tokensLeft?(principal: LimitPrincipal): number | null;
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
  // The subject's configured requests per minute, resolved once (defaults do not change; the policy's limits do).
  const admitLimit = subjectDefaultRequestsPerMinute(options.defaults);
  const settled = new WeakSet<Reservation>();
  // Per subject and the token's groups, tenant and client (the policy's limits follow them: a subject's token with a
  // group of a laxer limit is not refused under the one seen without it), the laxest tokens-a-minute limit reserve()
  // checked the subject's minute counter against here in that window (Infinity: unlimited), read by admission's
  // used-up check (spentOn). Kept by the window's start, apart from the counter: the lease table forgets an idle
  // counter (2 s without use, a large body still arriving) and reads it again within the window. Entries of ended
  // windows go when a later window is first checked.
  const checked = new Map<string, { windowStart: number; limit: number }>();
  let checkedWindow = Number.NEGATIVE_INFINITY;
  const checkedKey = (c: Counter, p: LimitPrincipal) =>
    JSON.stringify([c.key, [...p.groups].sort(), p.tenant, p.client_id]);
  const checkedOn = (c: Counter, p: LimitPrincipal): number | undefined => {
    const entry = checked.get(checkedKey(c, p));
    return entry?.windowStart === c.windowStart ? entry.limit : undefined;
  };
  const check = (c: Counter, p: LimitPrincipal, limit: number | null) => {
    if (c.windowStart > checkedWindow) {
      for (const [key, entry] of checked) if (entry.windowStart < c.windowStart) checked.delete(key);
      checkedWindow = c.windowStart;
    }
    const laxest = Math.max(checkedOn(c, p) ?? 0, limit ?? Number.POSITIVE_INFINITY);
    checked.set(checkedKey(c, p), { windowStart: c.windowStart, limit: laxest });
  };
  const holds = new WeakMap<Reservation, { held: Held[]; admittedOn: boolean[] }>();

  /** Whether a counter is the one admit() counted this request on. */
  const admittedOn = (input: Pick<ReserveInput, 'admitted'>, s: { scope: string; period: Period }) =>
    input.admitted === true && s.scope === 'subject' && s.period === 'minute';
  /** The subject's three counters, unlimited and taking nothing: what its usage is read from. */
  const subjectDemands = (principal: Pick<LimitPrincipal, 'iss' | 'sub'>): Demand[] => {
    const key = subjectKey(principal);
    return (['minute', 'day', 'month'] as const).map((period) => {
      const open = { tokens: null, requests: null, spend: null };
      return {
        spec: { key, scope: 'subject', name: principal.sub, period, limits: open },
        amounts: { tokens: 0, requests: 0, spend: 0 },
        limits: open,
      };
    });
  };
  /** The subject's minute counter's tokens settled so far (which only grow within its window) and the laxest limit
   * checked on it in that window: null when none was (or it was unlimited). The minute only: the laxest limit seen is
   * not the policy's for every request (a limit per model, per group), so a wrong refusal must end with its window; a
   * day's or a month's spend is left to reserve. */
  const minuteTokens = (principal: LimitPrincipal) => {
    const c = table.counter(subjectKey(principal), 'minute');
    const limit = checkedOn(c, principal);
    if (limit === undefined || limit === Number.POSITIVE_INFINITY) return null;
    return { limit, used: (c.settled?.tokens ?? 0) + c.pending.tokens + c.sending.tokens };
  };
  /** The subject's counter (index 0 of subjectDemands: the minute) whose tokens settled so far plus `atLeast` pass the
   * laxest limit checked on it in its window: null when none does. */
  const spentOn = (principal: LimitPrincipal, atLeast: number) => {
    const minute = minuteTokens(principal);
    if (minute === null || minute.used + atLeast <= minute.limit) return null;
    return { i: 0, metric: 'tokens' as const, ...minute };
  };
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
    throw refusal(short, states);
  };
  const refusal = (short: Shortfall, states: JoinedState[]): LimitExceeded => {
    const { state, metric } = short;
    // The states report usage without this request; the headers say what remains for it.
    return new LimitExceeded(
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
    usedUp(principal, atLeast = 1) {
      const spent = spentOn(principal, atLeast);
      if (!spent) return null;
      const demands = subjectDemands(principal);
      const dbAt = table.dbNow();
      const counters = demands.map((d) => table.counter(d.spec.key, d.spec.period, dbAt));
      const states = statesOf(table, demands, counters);
      const state = states[spent.i] as JoinedState;
      const limited = { ...state, limits: { ...state.limits, [spent.metric]: spent.limit } };
      const { limit, used, metric } = spent;
      // At least what any request takes (3 tokens, 1 micro-USD) when the request is not parsed yet.
      return refusal({ state: limited, metric, limit, used, requested: atLeast }, states.with(spent.i, limited));
    },

    tokensLeft(principal) {
      const minute = minuteTokens(principal);
      return minute === null ? null : minute.limit - minute.used;
    },

    async usage(principal) {
      return subjectUsage((await acquire(table, subjectDemands(principal), exceeded)).states);
    },

    async admit(principal) {
      // Only the configured defaults are known before the policy decides; the policy's own limit is checked at reserve.
      const [minute, ...rest] = subjectDemands(principal);
      const demands: Demand[] = [
        {
          ...(minute as Demand),
          amounts: { tokens: 0, requests: 1, spend: 0 },
          limits: { tokens: null, requests: admitLimit, spend: null },
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
      const outputs = input.outputs ?? 1;
      if (!Number.isSafeInteger(outputs) || outputs < 1)
        throw new LimitsError('ERR_LIMITS_INVALID', 'outputs must be a positive integer');
      const completion = (input.maxTokens ?? options.defaultMaxTokens) * outputs;
      const { priced, spend, quotes } = priceEstimate(pricing, input, completion);
      const specs = resolveCounters(input.principal, input.limits, options.defaults);
      for (const s of specs)
        if (s.scope === 'subject' && s.period === 'minute')
          check(table.counter(s.key, 'minute'), input.principal, s.limits.tokens);
      return hold(input, specs, { tokens: input.promptTokens + completion, spend }, priced, quotes, {
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
