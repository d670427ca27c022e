// A Limiter kept in memory, for tests of the stages around the limits stage: the contract of createLimiter (admit
// counts one request, reserve and reserveRequests hold all or nothing, settle bills once) with its counter resolution
// and pricing (src/limits), counted per counter and UTC window in a Map instead of on PostgreSQL leases. It admits and
// refuses by counting; `close()` makes it answer as a store that cannot (ERR_LIMITS_UNAVAILABLE, settlements not
// recorded).
import {
  LimitExceeded,
  LimitsError,
  priceEstimate,
  rateLimitHeaders,
  requestsOnly,
  resolveCounters,
  settlementBill,
  subjectKey,
  type CounterSpec,
  type Limiter,
  type LimitPrincipal,
  type Metric,
  type Period,
  type PriceQuote,
  type PricingTable,
  type Reservation,
  type ScopedLimit,
  type SubjectUsage,
} from '../../src/limits/index.ts';

/** Prices every model on every upstream at zero: for tests that look at other stages than pricing. */
export const FREE_PRICING: PricingTable = {
  version: 'test-free',
  unknown_model: { price_as: 'free' },
  defaults: { free: { input: 0, output: 0, cached_input: 0 } },
  upstreams: {},
};

export interface MemoryLimiterOptions {
  /** Default FREE_PRICING. */
  pricing?: PricingTable;
  /** Limits beside the decision's, as configuration `limits.defaults`. */
  defaults?: readonly ScopedLimit[];
  /** Output tokens reserved when neither the request nor the decision caps max_tokens (default 1000). */
  defaultMaxTokens?: number;
  /** The clock in ms that places a request in its minute, day and month (default Date.now). */
  now?: () => number;
}

type Amounts = Record<Metric, number>;
interface Hold {
  /** Window key of each counter held, and the amounts held there. */
  held: { window: string; amounts: Amounts; admitted: boolean }[];
}

const TTL_SECONDS = 60;

export function createMemoryLimiter(options: MemoryLimiterOptions = {}): Limiter {
  const pricing = options.pricing ?? FREE_PRICING;
  const defaults = options.defaults ?? [];
  const now = options.now ?? Date.now;
  const counters = new Map<string, Amounts>();
  const holds = new WeakMap<Reservation, Hold>();
  const settled = new WeakSet<Reservation>();
  let closed = false;
  // Reservation ids count up per limiter (UUID-shaped), so two runs of one request record the same id.
  let reservations = 0;

  const windowOf = (period: Period, at: number): { start: number; end: number } => {
    const d = new Date(at);
    if (period === 'minute') return { start: at - (at % 60_000), end: at - (at % 60_000) + 60_000 };
    if (period === 'day') {
      const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
      return { start, end: start + 86_400_000 };
    }
    return {
      start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
      end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
    };
  };
  const windowKey = (spec: Pick<CounterSpec, 'key' | 'period'>, at: number) =>
    JSON.stringify([spec.key, spec.period, windowOf(spec.period, at).start]);
  const used = (window: string): Amounts => counters.get(window) ?? { tokens: 0, requests: 0, spend: 0 };
  const add = (window: string, amounts: Amounts, sign: 1 | -1) => {
    const u = used(window);
    counters.set(window, {
      tokens: u.tokens + sign * amounts.tokens,
      requests: u.requests + sign * amounts.requests,
      spend: u.spend + sign * amounts.spend,
    });
  };
  const open = () => {
    if (closed) throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limiter is closed');
  };
  const subjectSpecs = (principal: Pick<LimitPrincipal, 'iss' | 'sub'>): CounterSpec[] =>
    (['minute', 'day', 'month'] as const).map((period) => ({
      key: subjectKey(principal),
      scope: 'subject',
      name: principal.sub,
      period,
      limits: { tokens: null, requests: null, spend: null },
    }));
  const subjectUsage = (principal: Pick<LimitPrincipal, 'iss' | 'sub'>, at: number): SubjectUsage => {
    const [minute, day, month] = subjectSpecs(principal).map((s) => used(windowKey(s, at)));
    return {
      tokens_this_minute: minute?.tokens ?? 0,
      requests_this_minute: minute?.requests ?? 0,
      spend_micro_usd_today: day?.spend ?? 0,
      spend_micro_usd_this_month: month?.spend ?? 0,
    };
  };
  const stateOf = (spec: CounterSpec, amounts: Amounts, at: number) => {
    const u = used(windowKey(spec, at));
    return {
      key: spec.key,
      period: spec.period,
      reset_ms: windowOf(spec.period, at).end - at,
      used_tokens: u.tokens + amounts.tokens,
      used_requests: u.requests + amounts.requests,
      used_spend: u.spend + amounts.spend,
      limits: spec.limits,
    };
  };
  /** Takes `amounts` on every counter of `specs` or none: a limit that would be passed throws LimitExceeded. */
  const take = (specs: readonly { spec: CounterSpec; amounts: Amounts }[], at: number) => {
    for (const { spec, amounts } of specs) {
      const u = used(windowKey(spec, at));
      for (const metric of ['tokens', 'requests', 'spend'] as const) {
        const limit = spec.limits[metric];
        if (limit === null || u[metric] + amounts[metric] <= limit) continue;
        const { scope, name, period } = spec;
        const applied = { scope, name, period, metric, limit, used: u[metric], requested: amounts[metric] };
        const retryAfter = Math.max(1, Math.ceil((windowOf(period, at).end - at) / 1000));
        const before = specs.map((d) => stateOf(d.spec, { tokens: 0, requests: 0, spend: 0 }, at));
        throw new LimitExceeded(applied, retryAfter, rateLimitHeaders(before));
      }
    }
    const states = specs.map(({ spec, amounts }) => stateOf(spec, amounts, at));
    for (const { spec, amounts } of specs) add(windowKey(spec, at), amounts, 1);
    return states;
  };
  const admittedOn = (admitted: boolean | undefined, spec: CounterSpec) =>
    admitted === true && spec.scope === 'subject' && spec.period === 'minute';

  /** Takes one request and `amounts` on every counter of `specs`, all or nothing, and makes the reservation. */
  const hold = (
    admitted: boolean | undefined,
    specs: readonly CounterSpec[],
    amounts: { tokens: number; spend: number },
    priced: PriceQuote,
    quotes: Record<string, PriceQuote>,
    estimate: Pick<Reservation['estimate'], 'prompt_tokens' | 'prompt_token_method' | 'completion_tokens'>,
  ): Reservation => {
    const at = now();
    const demands = specs.map((spec) => ({
      spec,
      amounts: { ...amounts, requests: admittedOn(admitted, spec) ? 0 : 1 },
    }));
    const states = take(demands, at);
    const reservation: Reservation = {
      id: `00000000-0000-4000-8000-${String(++reservations).padStart(12, '0')}`,
      quote: priced,
      quotes,
      estimate: { ...estimate, tokens: amounts.tokens, spend_micro_usd: amounts.spend },
      expiresInSeconds: TTL_SECONDS,
      limits: demands.flatMap(({ spec }, i) =>
        (['tokens', 'requests', 'spend'] as const).flatMap((metric) => {
          const limit = spec.limits[metric];
          const s = states[i];
          if (limit === null || !s) return [];
          const usedNow = { tokens: s.used_tokens, requests: s.used_requests, spend: s.used_spend }[metric];
          return [{ scope: spec.scope, name: spec.name, period: spec.period, metric, limit, used: usedNow }];
        }),
      ),
      headers: rateLimitHeaders(states),
      windows: demands.map(({ spec }) => ({
        key: spec.key,
        period: spec.period,
        window_start_ms: windowOf(spec.period, at).start,
        ...(admittedOn(admitted, spec) ? { requests: 0 as const } : {}),
      })),
    };
    holds.set(reservation, {
      held: demands.map(({ spec, amounts: a }) => ({
        window: windowKey(spec, at),
        amounts: a,
        admitted: admittedOn(admitted, spec),
      })),
    });
    return reservation;
  };

  return {
    pricing,
    async usage(principal) {
      open();
      return subjectUsage(principal, now());
    },

    async admit(principal) {
      open();
      const at = now();
      const before = subjectUsage(principal, at);
      const limited = resolveCounters(principal, null, defaults).find(
        (s) => s.scope === 'subject' && s.period === 'minute',
      );
      const [minute] = subjectSpecs(principal) as [CounterSpec];
      const spec = { ...minute, limits: { tokens: null, requests: limited?.limits.requests ?? null, spend: null } };
      take([{ spec, amounts: { tokens: 0, requests: 1, spend: 0 } }], at);
      return before;
    },

    async reserve(input) {
      open();
      const completion = input.maxTokens ?? options.defaultMaxTokens ?? 1000;
      const tokens = input.promptTokens + completion;
      const { priced, spend, quotes } = priceEstimate(pricing, input, completion);
      const specs = resolveCounters(input.principal, input.limits, defaults);
      return hold(input.admitted, specs, { tokens, spend }, priced, quotes, {
        prompt_tokens: input.promptTokens,
        prompt_token_method: input.promptTokenMethod,
        completion_tokens: completion,
      });
    },

    async reserveRequests(input) {
      open();
      const { specs, quote: free } = requestsOnly(input, defaults, pricing.version);
      const estimate = { prompt_tokens: 0, prompt_token_method: 'none', completion_tokens: 0 };
      return hold(input.admitted, specs, { tokens: 0, spend: 0 }, free, {}, estimate);
    },

    async settle(reservation, basis, usage, upstream) {
      if (settled.has(reservation))
        throw new LimitsError('ERR_LIMITS_INVALID', `reservation ${reservation.id} is already settled`);
      settled.add(reservation);
      const bill = settlementBill(reservation, basis, usage, upstream);
      const hold = holds.get(reservation);
      holds.delete(reservation);
      const recorded = hold !== undefined && !closed;
      if (recorded) {
        for (const h of hold.held) {
          add(h.window, h.amounts, -1);
          const requests = h.admitted ? 0 : bill.requests;
          add(h.window, { tokens: bill.tokens, requests, spend: bill.cost_micro_usd }, 1);
        }
      }
      return {
        ...bill,
        recorded,
        ...(recorded ? {} : { cause: new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limiter was closed') }),
      };
    },

    async flush() {},
    async close() {
      closed = true;
    },
  };
}
