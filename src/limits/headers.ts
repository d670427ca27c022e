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
  pending: { tokens: number; requests: number } = NOTHING_PENDING,
): Record<string, string> {
  const headers: Record<string, string> = {};
  // Requests first, then tokens (the order clients have always seen). Runs on every reservation: no arrays or
  // objects are built for the search.
  tightest(headers, states, 'requests', pending.requests);
  tightest(headers, states, 'tokens', pending.tokens);
  return headers;
}

const NOTHING_PENDING = { tokens: 0, requests: 0 } as const;
const NAMES = {
  requests: ['x-ratelimit-limit-requests', 'x-ratelimit-remaining-requests', 'x-ratelimit-reset-requests'],
  tokens: ['x-ratelimit-limit-tokens', 'x-ratelimit-remaining-tokens', 'x-ratelimit-reset-tokens'],
} as const;

/** Names the minute counter with the least room left for `metric`, if any limits it. */
function tightest(
  headers: Record<string, string>,
  states: readonly CounterState[],
  metric: 'requests' | 'tokens',
  pending: number,
): void {
  let best = -1;
  let remaining = 0;
  for (let i = 0; i < states.length; i++) {
    const s = states[i] as CounterState;
    const limit = s.limits[metric];
    if (s.period !== 'minute' || limit === null) continue;
    const used = Number(metric === 'tokens' ? s.used_tokens : s.used_requests) - pending;
    const room = Math.max(0, limit - used);
    if (best === -1 || room < remaining) {
      best = i;
      remaining = room;
    }
  }
  if (best === -1) return;
  const s = states[best] as CounterState;
  const [limit, left, reset] = NAMES[metric];
  headers[limit] = String(s.limits[metric]);
  headers[left] = String(remaining);
  headers[reset] = formatReset(Number(s.reset_ms));
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
