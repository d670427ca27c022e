// The upstream registry: the configured upstreams, model → upstream routing, the headers each attempt carries (the
// credential per kind, configured headers, and for gateways the decision id and a signed identity assertion), and
// retries/fallback across the candidates a decision allows. Invariants: credentials and attribution headers are
// built here and nowhere else; a request only ever goes to a candidate the decision named.
import type { RoutingSettings, UpstreamSettings } from './settings.ts';
import type { AssertionSigner, AssertionSubject } from './assertion.ts';
import { KINDS, apiFamily } from './kinds.ts';
import { candidatesFor, restrict } from './routing.ts';
import { headerNames } from './attribution.ts';
import type { RetrySettings } from './fallback.ts';

export {
  KINDS,
  UPSTREAM_KINDS,
  API_FAMILIES,
  RESERVED_HEADERS,
  DEFAULT_ANTHROPIC_VERSION,
  apiFamily,
  type ApiFamily,
  type UpstreamKind,
} from './kinds.ts';
export { modelPatternMatches, servesModel, candidatesFor, restrict } from './routing.ts';
export {
  forwardWithFallback,
  retryAfterMs,
  type Attempt,
  type FallbackOptions,
  type FallbackResult,
  type FailureVerdict,
  type RetrySettings,
} from './fallback.ts';
export {
  createAssertionSigner,
  AssertionKeyError,
  ASSERTION_TYP,
  MAX_ASSERTION_TTL_SECONDS,
  type AssertionSigner,
  type AssertionContext,
  type AssertionSubject,
} from './assertion.ts';

export type { UpstreamSettings, RouteSettings, RoutingSettings } from './settings.ts';
export {
  servedBy,
  attributionHeaders,
  GATEWAY_PRODUCTS,
  PRODUCT_HEADERS,
  type ServedBy,
  type GatewayProduct,
  type AttributionHeaders,
} from './attribution.ts';

export const DECISION_ID_HEADER = 'x-proctor-decision-id';
export const ASSERTION_HEADER = 'x-proctor-assertion';

/** What one attempt needs to know about the request it carries. */
export interface AttemptContext {
  requestId: string;
  /** The committed decision record's hash: the decision id a gateway can look up in the ledger. */
  decisionId: string;
  principal: AssertionSubject;
}

/** One upstream, ready for the forwarder: where to send and which headers to add (credential included). */
export interface UpstreamTarget {
  name: string;
  baseUrl: string;
  headers: Record<string, string>;
  timeouts: UpstreamSettings['timeouts'];
  /** Response headers the forwarder reads and hands back (a gateway's who-served headers); no other is read. */
  readHeaders: readonly string[];
}

export interface UpstreamRegistry {
  readonly upstreams: readonly UpstreamSettings[];
  /** The routing routes, in order (their literal model names are models GET /v1/models may list). */
  readonly routes: RoutingSettings['routes'];
  readonly retry: RetrySettings;
  /** The public keys gateways verify assertions with; null when no assertion key is configured. */
  readonly jwks: AssertionSigner['jwks'] | null;
  /** The ordered candidates that can serve this API and model, before a decision narrows them. */
  candidates(api: string, model: string): UpstreamSettings[];
  /** `candidates` restricted to the names the decision allows, in routing order. */
  route(api: string, model: string, allowed: readonly string[]): UpstreamSettings[];
  /** The target for one attempt. For a gateway with assertions on, a fresh assertion (new jti) per call. */
  target(upstream: UpstreamSettings, context: AttemptContext): Promise<UpstreamTarget>;
}

export class UpstreamConfigError extends Error {
  readonly code = 'ERR_UPSTREAM_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'UpstreamConfigError';
  }
}

export function createUpstreamRegistry(options: {
  upstreams: readonly UpstreamSettings[];
  routing: RoutingSettings;
  assertions: AssertionSigner | null;
}): UpstreamRegistry {
  const { upstreams, routing, assertions } = options;
  // The config loader already refuses this; the registry refuses it too, so no wiring can forward unattributed.
  const needsKey = upstreams.find((u) => u.gateway?.assertion === true);
  if (needsKey && assertions === null)
    throw new UpstreamConfigError(
      `upstream '${needsKey.name}' sends identity assertions but no assertion key is configured`,
    );

  const candidates = (api: string, model: string) => candidatesFor(upstreams, routing, apiFamily(api), model);
  return {
    upstreams,
    routes: routing.routes,
    retry: routing.retry,
    jwks: assertions?.jwks ?? null,
    candidates,
    route: (api, model, allowed) => restrict(candidates(api, model), allowed),
    async target(upstream, context) {
      return {
        name: upstream.name,
        baseUrl: upstream.baseUrl,
        headers: await headersFor(upstream, context, assertions),
        timeouts: upstream.timeouts,
        readHeaders: upstream.gateway ? headerNames(upstream.gateway.servedBy) : [],
      };
    },
  };
}

async function headersFor(
  upstream: UpstreamSettings,
  context: AttemptContext,
  assertions: AssertionSigner | null,
): Promise<Record<string, string>> {
  const traits = KINDS[upstream.kind];
  const headers: Record<string, string> = {
    ...upstream.headers,
    ...traits.fixedHeaders({ anthropicVersion: upstream.anthropicVersion }),
  };
  if (upstream.credential !== null)
    Object.assign(
      headers,
      traits.credentialHeaders(upstream.credential, { anthropicVersion: upstream.anthropicVersion }),
    );
  if (upstream.gateway?.decisionId) headers[DECISION_ID_HEADER] = context.decisionId;
  if (upstream.gateway?.subjectHeader) headers[upstream.gateway.subjectHeader] = context.principal.sub;
  if (upstream.gateway?.assertion) {
    if (assertions === null)
      throw new UpstreamConfigError(
        `upstream '${upstream.name}' sends identity assertions but no assertion key is configured`,
      );
    headers[ASSERTION_HEADER] = await assertions.sign({
      principal: context.principal,
      decisionId: context.decisionId,
      requestId: context.requestId,
      audience: upstream.name,
    });
  }
  return headers;
}
