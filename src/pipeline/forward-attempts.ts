// Stage 7's attempt loop: sends the approved body to the candidates the decision allows, in routing order, with the
// registry's retry budget. Invariants: only `candidates` (already restricted to the decision's allowed set) are ever
// tried; a failure after the upstream's answer began (other than a 429/5xx status) is never retried; the returned
// attempts list every try for the outcome record. Each attempt gets its own target (a fresh assertion for gateways).
import { ForwardError, type UpstreamResponse, type UpstreamStream, type UpstreamTarget } from '../forwarding/index.ts';
import type { Classifier } from '../classification/index.ts';
import {
  servedBy,
  type ServedBy,
  forwardWithFallback,
  type AttemptContext,
  type FailureVerdict,
  type FallbackOptions,
  type FallbackResult,
} from '../upstreams/index.ts';
import type { UpstreamSettings } from '../config/index.ts';
import type { PipelineDeps } from './types.ts';

export interface ForwardPlan {
  candidates: readonly UpstreamSettings[];
  path: string;
  body: Record<string, unknown>;
  context: AttemptContext;
  /** Ends a non-streamed exchange and its remaining attempts (the server's drain deadline). */
  signal?: AbortSignal;
}

/** Non-streaming: each attempt reads and parses the whole answer before the loop decides to keep it or move on. */
export function forwardToCandidates(
  deps: Deps,
  plan: ForwardPlan,
  sleep?: (ms: number) => Promise<void>,
): Promise<FallbackResult<UpstreamSettings, UpstreamResponse>> {
  const signal = plan.signal ? { signal: plan.signal } : {};
  return attemptCandidates(
    deps,
    plan,
    (target) => deps.forwarder.forward(target, plan.path, plan.body, { requestId: plan.context.requestId, ...signal }),
    signal,
    sleep,
  );
}

/**
 * Streaming: each attempt resolves at the response headers, before any byte reaches the client; a 429/5xx attempt is
 * aborted and the next candidate tried. The stream this returns is the caller's to relay: once its first byte has
 * gone to the client there is no further attempt (this function has returned).
 */
export function openStreamToCandidates(
  deps: Deps,
  plan: ForwardPlan,
  signal: AbortSignal,
  sleep?: (ms: number) => Promise<void>,
): Promise<FallbackResult<UpstreamSettings, UpstreamStream>> {
  return attemptCandidates(
    deps,
    plan,
    (target) => deps.forwarder.openStream(target, plan.path, plan.body, { requestId: plan.context.requestId, signal }),
    { discard: (stream) => stream.abort(), signal },
    sleep,
  );
}

type Deps = Pick<PipelineDeps, 'forwarder' | 'upstreams' | 'clock'>;

function attemptCandidates<R extends UpstreamResponse>(
  deps: Deps,
  plan: ForwardPlan,
  send: (target: UpstreamTarget) => Promise<R>,
  extra: Pick<FallbackOptions<R>, 'discard' | 'signal'>,
  sleep?: (ms: number) => Promise<void>,
): Promise<FallbackResult<UpstreamSettings, R>> {
  return forwardWithFallback(
    plan.candidates,
    async (upstream) => send(await deps.upstreams.target(upstream, plan.context)),
    {
      retry: deps.upstreams.retry,
      now: () => deps.clock.now().getTime(),
      classify: classifyForwardFailure,
      retryAfter: (response) => response.retryAfter ?? null,
      ...extra,
      ...(sleep ? { sleep } : {}),
    },
  );
}

/** A forward failure is retryable when the upstream never answered, or answered 429/5xx with an unreadable body. */
export function classifyForwardFailure(error: unknown): FailureVerdict {
  if (!(error instanceof ForwardError)) return { code: 'ERR_INTERNAL', retryable: false, status: null };
  const status = error.upstreamStatus;
  const retryable = !error.responseStarted || (status !== null && (status === 429 || status >= 500));
  return { code: error.code, retryable, status };
}

/**
 * The outcome's `served_by` for an answer from a gateway upstream (what its who-served headers and the screened
 * answer's `model` say; upstreams/attribution.ts); undefined for every other kind, so their records are unchanged.
 */
export function servedByOf(
  upstream: UpstreamSettings,
  response: Pick<UpstreamResponse, 'headers'>,
  answer: unknown,
  classifier: Pick<Classifier, 'classify'>,
): ServedBy | undefined {
  if (upstream.gateway === null) return undefined;
  return servedBy(upstream.gateway.product, upstream.gateway.servedBy, response.headers ?? {}, answer, classifier);
}
