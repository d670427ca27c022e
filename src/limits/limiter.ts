// Reserve, then settle, against Postgres counters (migrations/006_limits.sql). reserve() is ONE statement that locks
// every counter the request touches in a stable order and either holds the estimate on all of them or on none;
// settle() replaces the holds by the actual usage. Invariants: a database failure is ERR_LIMITS_UNAVAILABLE (the
// caller fails closed); a reservation is settled at most once; holds that are never settled expire after the TTL.
import { randomUUID } from 'node:crypto';
import type { Sql } from '../db/index.ts';
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
  type CounterSpec,
  type DecisionLimits,
  type LimitPrincipal,
  type Metric,
  type Period,
  type Scope,
  type ScopedLimit,
} from './scopes.ts';
import { rateLimitHeaders, type CounterState } from './headers.ts';

export interface LimiterOptions {
  sql: Sql;
  /** Settlements go here (default `sql`): a lane of their own, so requests that are finishing never queue behind a
   * burst of new requests' usage reads and reservations. */
  settleSql?: Sql;
  pricing: PricingTable;
  /** Limits applied beside the decision's (configuration `limits.defaults`). */
  defaults: readonly ScopedLimit[];
  /** How long an unsettled reservation counts; MUST exceed the longest upstream request. */
  reservationTtlSeconds: number;
  /** Output tokens reserved when neither the request nor the decision caps max_tokens. */
  defaultMaxTokens: number;
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

/** One applied limit, as the decision record and the 429 name it. */
export interface AppliedLimit {
  scope: Scope;
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
  /** The windows the holds sit in; settlement bills into the same windows (`requests: 0`: counted at admission). */
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
  /** false when the counters could not be updated (the holds then expire after the TTL); the cost still stands. */
  recorded: boolean;
  /** Why the counters could not be updated (for the log; never part of the record). */
  cause?: unknown;
}

/** Usage of the subject in the current UTC windows (settled plus live holds): the policy input's usage block. */
export interface SubjectUsage {
  tokens_this_minute: number;
  requests_this_minute: number;
  spend_micro_usd_today: number;
  spend_micro_usd_this_month: number;
}

export interface Limiter {
  /** The pricing table reservations and settlements price with (read-only; GET /v1/models lists its model names). */
  readonly pricing: Readonly<PricingTable>;
  /** Reads the subject's usage. Throws ERR_LIMITS_UNAVAILABLE when the store cannot answer. */
  usage(principal: Pick<LimitPrincipal, 'iss' | 'sub'>): Promise<SubjectUsage>;
  /**
   * Counts one request against the subject's request rate, whatever becomes of it (migrations/011), and reads the
   * subject's usage before it. Throws LimitExceeded (nothing counted) when the configured defaults' requests-per-minute
   * for the subject is reached, or ERR_LIMITS_UNAVAILABLE. A request counted here MUST be reserved with `admitted`.
   */
  admit(principal: LimitPrincipal): Promise<SubjectUsage>;
  /** Holds the estimate on every applicable counter, atomically. Throws LimitExceeded, ERR_MODEL_NOT_PRICED,
   * ERR_LIMIT_SCOPE_UNRESOLVED or ERR_LIMITS_UNAVAILABLE; MUST NOT hold anything when it throws. */
  reserve(input: ReserveInput): Promise<Reservation>;
  /** Bills the actual usage and drops the holds. At most once per reservation (a second call throws). Never throws
   * on a database failure: the settlement comes back with recorded=false. */
  settle(
    reservation: Reservation,
    basis: SettlementBasis,
    usage: ActualUsage | null,
    upstream: string | null,
  ): Promise<Settlement>;
}

interface ReserveRow {
  ok: boolean;
  now_ms: number;
  exceeded?: { key: string; period: Period; metric: Metric };
  counters: (CounterState & { window_start_ms: number })[];
}

export function createLimiter(options: LimiterOptions): Limiter {
  const { sql, pricing } = options;
  if (!Number.isSafeInteger(options.reservationTtlSeconds) || options.reservationTtlSeconds <= 0)
    throw new LimitsError('ERR_LIMITS_INVALID', 'reservationTtlSeconds must be a positive integer');
  if (!Number.isSafeInteger(options.defaultMaxTokens) || options.defaultMaxTokens < 0)
    throw new LimitsError('ERR_LIMITS_INVALID', 'defaultMaxTokens must be a non-negative integer');
  const settled = new WeakSet<Reservation>();

  async function call<R>(text: string, params: unknown[]): Promise<R> {
    try {
      const { rows } = await sql.query<{ v: R }>(text, params);
      return rows[0]?.v as R;
    } catch (error) {
      throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store is unavailable', { cause: error });
    }
  }

  type UsageRow = Record<Period, { tokens: number; requests: number; spend: number }>;
  const subjectUsage = (v: UsageRow): SubjectUsage => ({
    tokens_this_minute: Number(v.minute.tokens),
    requests_this_minute: Number(v.minute.requests),
    spend_micro_usd_today: Number(v.day.spend),
    spend_micro_usd_this_month: Number(v.month.spend),
  });
  /** Whether a counter is the one admit() counted this request on. */
  const admittedOn = (input: ReserveInput, s: { scope: string; period: Period }) =>
    input.admitted === true && s.scope === 'subject' && s.period === 'minute';

  return {
    pricing,
    async usage(principal) {
      return subjectUsage(await call<UsageRow>('SELECT proctor_limit_usage($1) AS v', [subjectKey(principal)]));
    },

    async admit(principal) {
      // Only the configured defaults are known before the policy decides; the policy's own limit is checked at reserve.
      const spec = resolveCounters(principal, null, options.defaults).find(
        (s) => s.scope === 'subject' && s.period === 'minute',
      );
      const limit = spec?.limits.requests ?? null;
      const v = await call<{ admitted: boolean; usage?: UsageRow; used?: number; reset_ms?: number }>(
        'SELECT proctor_limit_admit($1, $2) AS v',
        [subjectKey(principal), limit],
      );
      // The usage before this request, as usage() would have read it (the policy input's meaning is unchanged).
      if (v.admitted && v.usage)
        return { ...subjectUsage(v.usage), requests_this_minute: Number(v.usage.minute.requests) - 1 };
      if (v.admitted || limit === null || spec === undefined)
        throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store gave an inconsistent answer');
      const resetMs = Number(v.reset_ms ?? 60_000);
      const used = Number(v.used);
      const headers = rateLimitHeaders([
        {
          key: spec.key,
          period: 'minute',
          reset_ms: resetMs,
          used_tokens: 0,
          used_requests: used,
          used_spend: 0,
          limits: spec.limits,
        },
      ]);
      throw new LimitExceeded(
        { scope: 'subject', name: spec.name, period: 'minute', metric: 'requests', limit, used, requested: 1 },
        Math.max(1, Math.ceil(resetMs / 1000)),
        headers,
      );
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
      const amounts: Record<Metric, number> = { tokens, requests: 1, spend };
      const id = randomUUID();
      // A request counted at admission holds no second request there; the limit check still counts it (it is settled).
      const row = await call<ReserveRow>('SELECT proctor_limit_reserve($1, $2, $3::jsonb) AS v', [
        id,
        options.reservationTtlSeconds,
        JSON.stringify(
          specs.map((s) => ({
            key: s.key,
            period: s.period,
            tokens,
            requests: admittedOn(input, s) ? 0 : 1,
            spend,
            tokens_limit: s.limits.tokens,
            requests_limit: s.limits.requests,
            spend_limit: s.limits.spend,
          })),
        ),
      ]);
      const states = join(specs, row.counters);
      if (!row.ok) {
        const headers = rateLimitHeaders(states, { tokens, requests: 1 });
        const ex = row.exceeded;
        const state = states.find((s) => s.spec.key === ex?.key && s.spec.period === ex?.period);
        if (!ex || !state)
          throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store gave an inconsistent answer');
        const limit = state.spec.limits[ex.metric] as number;
        const used = usedOf(state, ex.metric) - amounts[ex.metric]; // the store reports usage as if admitted
        throw new LimitExceeded(
          {
            scope: state.spec.scope,
            name: state.spec.name,
            period: ex.period,
            metric: ex.metric,
            limit,
            used,
            requested: amounts[ex.metric],
          },
          Math.max(1, Math.ceil(Number(state.reset_ms) / 1000)),
          headers,
        );
      }
      const headers = rateLimitHeaders(states);
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
      return {
        id,
        quote: priced,
        quotes,
        estimate: {
          prompt_tokens: input.promptTokens,
          prompt_token_method: input.promptTokenMethod,
          completion_tokens: completion,
          tokens,
          spend_micro_usd: spend,
        },
        expiresInSeconds: options.reservationTtlSeconds,
        limits,
        headers,
        windows: states.map((s) => ({
          key: s.spec.key,
          period: s.spec.period,
          window_start_ms: Number(s.window_start_ms),
          ...(admittedOn(input, s.spec) ? { requests: 0 as const } : {}),
        })),
      };
    },

    async settle(reservation, basis, usage, upstream) {
      if (settled.has(reservation))
        throw new LimitsError('ERR_LIMITS_INVALID', `reservation ${reservation.id} is already settled`);
      settled.add(reservation);
      const billed = billable(reservation, basis, usage);
      const servedQuote =
        upstream !== null && Object.hasOwn(reservation.quotes, upstream) ? reservation.quotes[upstream] : undefined;
      const priced = servedQuote ?? reservation.quote;
      const cost = costMicroUsd(priced.price, billed);
      const tokens = billed.prompt_tokens + billed.completion_tokens;
      const requests = basis === 'released' ? 0 : 1;
      let recorded = true;
      let cause: unknown;
      try {
        await (options.settleSql ?? sql).query('SELECT proctor_limit_settle($1, $2::jsonb, $3, $4, $5)', [
          reservation.id,
          JSON.stringify(reservation.windows),
          tokens,
          requests,
          cost,
        ]);
      } catch (error) {
        recorded = false;
        cause = error;
      }
      return {
        reservation_id: reservation.id,
        basis,
        ...billed,
        tokens,
        requests,
        cost_micro_usd: cost,
        pricing_version: priced.version,
        price_entry: priced.entry,
        upstream: servedQuote ? upstream : null,
        recorded,
        ...(recorded ? {} : { cause }),
      };
    },
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

interface JoinedState extends CounterState {
  spec: CounterSpec;
  window_start_ms: number;
}

function join(specs: readonly CounterSpec[], rows: ReserveRow['counters']): JoinedState[] {
  return specs.map((spec) => {
    const row = rows.find((r) => r.key === spec.key && r.period === spec.period);
    if (!row) throw new LimitsError('ERR_LIMITS_UNAVAILABLE', 'the limits store gave an inconsistent answer');
    return { ...row, spec, limits: spec.limits };
  });
}

function usedOf(state: CounterState, metric: Metric): number {
  return Number(
    metric === 'tokens' ? state.used_tokens : metric === 'requests' ? state.used_requests : state.used_spend,
  );
}

function limitName(metric: Metric, period: Period): string {
  return metric === 'spend' ? `spend per ${period}` : `${metric} per ${period}`;
}
