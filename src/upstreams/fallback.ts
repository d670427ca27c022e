// Retries and fallback across the candidates a decision allows. Invariants: every attempt goes to one of the given
// candidates (the caller passes only the allowed set); at most `maxAttempts` attempts; only failures that happened
// before an answer was handed on are retried (connect errors, timeouts before the response, 429, 5xx); a response
// this function returns is never retried afterwards, so a streamed answer whose first byte reached the client
// cannot be replayed elsewhere. Every attempt, failed or not, is in `attempts`.

export interface Attempt {
  upstream: string;
  /** The upstream's HTTP status, or null when no response arrived. */
  status: number | null;
  /** A stable error code (ERR_UPSTREAM_TIMEOUT, ...) or null. */
  error: string | null;
  latency_ms: number;
}

export interface RetrySettings {
  maxAttempts: number;
  backoffMs: number;
  maxRetryAfterMs: number;
}

/** How the caller's transport failed: its stable code, whether a retry is safe, and the status if one arrived. */
export interface FailureVerdict {
  code: string;
  retryable: boolean;
  status: number | null;
}

export interface FallbackOptions<R> {
  retry: RetrySettings;
  now(): number;
  sleep?(ms: number): Promise<void>;
  /** Classifies an error thrown by `send`; anything it does not call retryable ends the loop. */
  classify(error: unknown): FailureVerdict;
  /** The retry-after a response asked for, as its raw header value (seconds or an HTTP date), or null. */
  retryAfter(response: R): string | null;
  /** Releases a response that is being retried (a streamed body MUST be consumed or destroyed). */
  discard?(response: R): Promise<void> | void;
  /** Stops further attempts (a client that went away). */
  signal?: AbortSignal;
}

export type FallbackResult<U, R> =
  | { ok: true; upstream: U; response: R; attempts: Attempt[] }
  | { ok: false; upstream: U; error: unknown; attempts: Attempt[] };

const RETRYABLE_STATUS = (status: number): boolean => status === 429 || status >= 500;

export async function forwardWithFallback<U extends { name: string }, R extends { status: number }>(
  candidates: readonly U[],
  send: (upstream: U) => Promise<R>,
  options: FallbackOptions<R>,
): Promise<FallbackResult<U, R>> {
  if (candidates.length === 0) throw new Error('forwardWithFallback needs at least one candidate');
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts: Attempt[] = [];
  const exhausted = new Set<string>(); // upstreams that asked to be left alone longer than the cap
  let waitMs = 0;
  let last: FallbackResult<U, R> | null = null;

  for (let i = 0; i < options.retry.maxAttempts; i += 1) {
    const upstream = next(candidates, i, exhausted);
    if (upstream === null) break;
    if (i > 0) {
      if (options.signal?.aborted) break;
      await sleep(Math.max(options.retry.backoffMs, waitMs));
      if (options.signal?.aborted) break;
    }
    waitMs = 0;
    const started = options.now();
    try {
      const response = await send(upstream);
      attempts.push({
        upstream: upstream.name,
        status: response.status,
        error: null,
        latency_ms: Math.max(0, options.now() - started),
      });
      last = { ok: true, upstream, response, attempts };
      if (!RETRYABLE_STATUS(response.status) || i + 1 >= options.retry.maxAttempts) break;
      const after = retryAfterMs(options.retryAfter(response), options.now());
      if (after !== null && after > options.retry.maxRetryAfterMs) exhausted.add(upstream.name);
      // The wait applies only when the same upstream is tried again; another candidate is tried after the backoff.
      if (after !== null && next(candidates, i + 1, exhausted) === upstream) waitMs = after;
      if (next(candidates, i + 1, exhausted) === null) break;
      await release(options, response);
    } catch (error) {
      const verdict = options.classify(error);
      attempts.push({
        upstream: upstream.name,
        status: verdict.status,
        error: verdict.code,
        latency_ms: Math.max(0, options.now() - started),
      });
      last = { ok: false, upstream, error, attempts };
      if (!verdict.retryable) break;
    }
  }
  // Unreachable: the first attempt always runs.
  if (last === null) throw new Error('forwardWithFallback made no attempt');
  return last;
}

/** Frees an answer that is being retried; best effort (aborting a stream is idempotent), never a second attempt. */
async function release<R>(options: FallbackOptions<R>, response: R): Promise<void> {
  try {
    await options.discard?.(response);
  } catch {
    // The connection is dropped by the pool either way; the attempt is already recorded.
  }
}

/** Round-robin over the candidates from the first, skipping exhausted ones; null when none is left. */
function next<U extends { name: string }>(
  candidates: readonly U[],
  attempt: number,
  exhausted: ReadonlySet<string>,
): U | null {
  for (let k = 0; k < candidates.length; k += 1) {
    const candidate = candidates[(attempt + k) % candidates.length];
    if (candidate !== undefined && !exhausted.has(candidate.name)) return candidate;
  }
  return null;
}

/** Parses retry-after (delta seconds or an HTTP date) into milliseconds from now; null when absent or unreadable. */
export function retryAfterMs(value: string | null, nowMs: number): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d{1,9}$/.test(text)) return Number(text) * 1000;
  // Only the IMF-fixdate form (RFC 9110): Date.parse alone accepts almost anything ('-1' is a year).
  if (!/^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return null;
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs);
}
