// The limits stage's public surface: pricing, the limiter (admit, reserve, then settle, against in-process quota
// leases on PostgreSQL counters), scopes, headers and errors. See docs/limits.md.
export { createLimiter } from './limiter.ts';
export type { Limiter, LimiterOptions, SubjectUsage } from './limiter.ts';
export { LimitExceeded, priceEstimate, requestsOnly } from './reservation.ts';
export type { AppliedLimit, Reservation, RequestsInput, ReserveInput } from './reservation.ts';
export { settlementBill } from './settlement.ts';
export type { ActualUsage, Settlement, SettlementBasis } from './settlement.ts';
export { costMicroUsd, loadPricingFile, maxCostMicroUsd, parsePricing, quote } from './pricing.ts';
export type { BillableTokens, Price, PriceQuote, PricingTable } from './pricing.ts';
export { resolveCounters, subjectKey } from './scopes.ts';
export type {
  CounterScope,
  CounterSpec,
  DecisionLimits,
  LimitPrincipal,
  LimitValues,
  McpScope,
  Metric,
  Period,
  Scope,
  ScopedLimit,
} from './scopes.ts';
export { formatReset, rateLimitHeaders } from './headers.ts';
export { countAnswerTokens, countPromptTokens, encodingFor, MAX_TOKENIZED_BYTES } from './prompt-tokens.ts';
export { promptTokensAtLeast } from './prompt-bound.ts';
export type { PromptShape, TokenCountMethod } from './prompt-tokens.ts';
export { LimitsError } from './errors.ts';
export type { LimitsErrorCode } from './errors.ts';
