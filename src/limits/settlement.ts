// What a settlement bills in place of a reservation's estimate: the basis (usage, an estimate, nothing), the tokens it
// bills, and their cost at the price of the upstream that served. Pure; the limiter (limiter.ts) counts the bill on the
// reservation's counters.
import { LimitsError } from './errors.ts';
import { clampCacheTokens, costMicroUsd, type BillableTokens } from './pricing.ts';
import type { Reservation } from './reservation.ts';

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
