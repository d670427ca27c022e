// The observer seam on the pipeline: its dependencies, wrapped so that each call is timed as its stage in the current
// request's scope (observability/request-scope.ts) and each record the ledger commits is folded into the request's
// summary. The pipeline's stages import no metrics or tracing library and their order is untouched. Invariants: a
// wrapper returns and throws exactly what the wrapped call does (synchronous stays synchronous); outside a request
// nothing is timed.
import type { PipelineEvents, RequestScope, Scopes, StageName } from '../observability/index.ts';
import type { PipelineDeps } from './types.ts';

export function instrumentPipeline(deps: PipelineDeps, scopes: Scopes, events: PipelineEvents): PipelineDeps {
  const timed = <T>(stage: StageName, run: () => T): T => {
    const scope = scopes.current();
    return scope ? scope.time(stage, run) : run();
  };
  const { authenticator, policy, ledger, forwarder, limits, intake } = deps;
  const requestClassifier = deps.requestClassifier ?? deps.classifier;
  return {
    ...deps,
    authenticator: { authenticate: (headers) => timed('identify', () => authenticator.authenticate(headers)) },
    // The same classifier screens the answer after the decision is recorded: timed as `screen` then.
    requestClassifier: {
      classify: (segments, options) =>
        timed(scopes.current()?.decided ? 'screen' : 'classify', () => requestClassifier.classify(segments, options)),
    },
    ...(intake
      ? {
          intake: {
            takes: (bytes: number) => intake.takes(bytes),
            run: (...args: Parameters<typeof intake.run>) => timed('classify', () => intake.run(...args)),
          },
        }
      : {}),
    policy: { decide: (input) => timed('decide', () => policy.decide(input)) },
    ledger: {
      ...ledger,
      chain: ledger.chain,
      append: (type, requestId, body, index, options) => {
        const scope = scopes.current();
        const started = performance.now();
        const pending = timed(type === 'outcome' ? 'outcome' : 'record', () =>
          ledger.append(type, requestId, body, index, options),
        );
        pending.then(
          () => {
            events.appended(type, performance.now() - started, true);
            scope?.recorded(type, body);
          },
          () => events.appended(type, performance.now() - started, false),
        );
        return pending;
      },
    },
    forwarder: {
      ...forwarder,
      forward: (...args) => timed('forward', () => forwarder.forward(...args)),
      openStream: (...args) => timed('forward', () => forwarder.openStream(...args)),
      close: () => forwarder.close(),
    },
    limits: reservingLimits(limits, timed, events),
  };
}

function reservingLimits(
  limits: PipelineDeps['limits'],
  timed: <T>(stage: StageName, run: () => T) => T,
  events: PipelineEvents,
): PipelineDeps['limits'] {
  return {
    pricing: limits.pricing,
    usage: (principal) => limits.usage(principal),
    admit: (principal) => limits.admit(principal),
    usedUp: (principal, atLeast) => limits.usedUp?.(principal, atLeast) ?? null,
    tokensLeft: (principal) => limits.tokensLeft?.(principal) ?? null,
    ...(limits.reserveRequests ? { reserveRequests: limits.reserveRequests.bind(limits) } : {}),
    settle: (...args) => limits.settle(...args),
    flush: () => limits.flush(),
    close: () => limits.close(),
    reserve: (input) => {
      const pending = timed('reserve', () => limits.reserve(input));
      pending.then(
        () => events.reserved('held'),
        (error: unknown) =>
          events.reserved((error as { code?: unknown } | null)?.code === 'ERR_LIMIT_EXCEEDED' ? 'exceeded' : 'failed'),
      );
      return pending;
    },
  };
}

export type { RequestScope };
