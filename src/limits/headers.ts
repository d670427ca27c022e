// OpenAI-style rate-limit headers from the minute counters a reservation touched: for requests and for tokens, the
// counter with the least room left names the limit, what remains (this request included) and when its window resets.
// A metric no counter limits gets no headers (there is nothing to report, and a made-up number would mislead).
import type { Metric, Period } from './scopes.ts';

export interface CounterState {
  key: string;
  period: Period;
  reset_ms: number;
  used_tokens: number;
  used_requests: number;
  used_spend: number;
  limits: Record<Metric, number | null>;
}

/** `pending` is this request's share when the store reported usage as if it were admitted but it was refused. */
export function rateLimitHeaders(
  states: readonly CounterState[],
  pending: { tokens: number; requests: number } = { tokens: 0, requests: 0 },
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [metric, suffix] of [
    ['requests', 'requests'],
    ['tokens', 'tokens'],
  ] as const) {
    let best: { limit: number; remaining: number; reset: number } | null = null;
    for (const s of states) {
      const limit = s.limits[metric];
      if (s.period !== 'minute' || limit === null) continue;
      const used = Number(metric === 'tokens' ? s.used_tokens : s.used_requests) - pending[metric];
      const remaining = Math.max(0, limit - used);
      if (best === null || remaining < best.remaining) best = { limit, remaining, reset: Number(s.reset_ms) };
    }
    if (best) {
      headers[`x-ratelimit-limit-${suffix}`] = String(best.limit);
      headers[`x-ratelimit-remaining-${suffix}`] = String(best.remaining);
      headers[`x-ratelimit-reset-${suffix}`] = formatReset(best.reset);
    }
  }
  return headers;
}

/** OpenAI's duration style: 20ms, 17s, 6m0s, 1h2m3s. */
export function formatReset(ms: number): string {
  const safe = Math.max(0, Math.ceil(ms));
  if (safe < 1000) return `${safe}ms`;
  const total = Math.ceil(safe / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
