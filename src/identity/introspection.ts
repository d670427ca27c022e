// RFC 7662 token introspection for issuers whose access tokens are opaque (reference) tokens, via openid-client.
// Invariants: the token goes only to the introspection_endpoint of the one issuer that claims it (config.ts makes
// that unambiguous), over the issuer's transport rules; any IdP failure is ERR_IDP_UNAVAILABLE (503, fail closed);
// `active: false` is ERR_TOKEN_INACTIVE and never cached; an active answer is reused at most cacheSeconds and
// never past its exp; lookups in flight per issuer are capped, so a flood of made-up tokens cannot flood the IdP.

import {
  allowInsecureRequests,
  ClientSecretBasic,
  Configuration,
  customFetch,
  tokenIntrospection,
} from 'openid-client';
import { boundedFetch } from './bounded-fetch.ts';
import type { FetchLike } from './bounded-fetch.ts';
import { isAllowedTransport } from './config.ts';
import type { ResolvedIssuer } from './config.ts';
import { IdentityError } from './errors.ts';
import type { IssuerKeys } from './issuer-keys.ts';

const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_IN_FLIGHT = 64;
const MAX_CACHED = 10_000;
/** token_type values (RFC 7662 §2.2) an access token may have; a refresh token is not an access token. */
const ACCESS_TOKEN_TYPES: ReadonlySet<string> = new Set([
  'bearer',
  'dpop',
  'access_token',
  'urn:ietf:params:oauth:token-type:access_token',
]);

export interface Introspector {
  /** The active token's claims, `iss` filled in. MUST throw ERR_TOKEN_INACTIVE or ERR_IDP_UNAVAILABLE otherwise. */
  introspect(token: string, fingerprint: string, now: Date): Promise<Record<string, unknown>>;
}

interface Cached {
  claims: Record<string, unknown>;
  untilMs: number;
}

function unavailable(config: ResolvedIssuer, what: string, cause?: unknown): IdentityError {
  return new IdentityError('ERR_IDP_UNAVAILABLE', `identity provider ${config.issuer}: ${what}`, { cause });
}

export function createIntrospector(config: ResolvedIssuer, keys: IssuerKeys, fetchImpl: FetchLike): Introspector {
  const configured = config.introspection;
  if (configured === null) throw new TypeError('createIntrospector needs an introspection config');
  const settings: NonNullable<ResolvedIssuer['introspection']> = configured;
  const cache = new Map<string, Cached>();
  const inFlight = new Map<string, Promise<Record<string, unknown>>>();
  let client: Configuration | undefined;

  async function clientConfiguration(): Promise<Configuration> {
    if (client !== undefined) return client;
    const metadata = (await keys.configuration()).serverMetadata();
    const endpoint = metadata.introspection_endpoint;
    if (
      typeof endpoint !== 'string' ||
      !URL.canParse(endpoint) ||
      !isAllowedTransport(new URL(endpoint), config.allowInsecureHttp)
    ) {
      throw unavailable(config, 'discovery document has no acceptable introspection_endpoint');
    }
    const made = new Configuration(metadata, settings.clientId, undefined, ClientSecretBasic(settings.clientSecret));
    made.timeout = Math.max(1, Math.ceil(config.jwks.timeoutMs / 1000));
    made[customFetch] = boundedFetch(fetchImpl, MAX_RESPONSE_BYTES);
    if (config.allowInsecureHttp) allowInsecureRequests(made);
    client = made;
    return made;
  }

  async function ask(token: string): Promise<Record<string, unknown>> {
    const configuration = await clientConfiguration();
    let answer: Record<string, unknown>;
    try {
      answer = { ...(await tokenIntrospection(configuration, token, { token_type_hint: 'access_token' })) };
    } catch (error) {
      throw unavailable(config, 'introspection failed', error);
    }
    if (answer['active'] !== true) throw new IdentityError('ERR_TOKEN_INACTIVE', 'token is not active');
    const type = answer['token_type'];
    if (type !== undefined && (typeof type !== 'string' || !ACCESS_TOKEN_TYPES.has(type.toLowerCase()))) {
      throw new IdentityError('ERR_TOKEN_INACTIVE', 'token is not an access token');
    }
    if (answer['iss'] === undefined) answer['iss'] = config.issuer;
    else if (answer['iss'] !== config.issuer)
      throw new IdentityError('ERR_TOKEN_ISSUER_UNTRUSTED', 'token issuer differs');
    return answer;
  }

  return {
    async introspect(token, fingerprint, now) {
      const nowMs = now.getTime();
      const hit = cache.get(fingerprint);
      if (hit !== undefined && nowMs < hit.untilMs) return structuredClone(hit.claims);
      cache.delete(fingerprint);
      let pending = inFlight.get(fingerprint);
      if (pending === undefined) {
        if (inFlight.size >= MAX_IN_FLIGHT) throw unavailable(config, 'too many introspection requests in flight');
        pending = ask(token).finally(() => inFlight.delete(fingerprint));
        inFlight.set(fingerprint, pending);
      }
      const claims = await pending;
      const exp = claims['exp'];
      const untilMs = Math.min(nowMs + settings.cacheSeconds * 1000, typeof exp === 'number' ? exp * 1000 : nowMs);
      if (untilMs > nowMs) {
        if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
        cache.set(fingerprint, { claims: structuredClone(claims), untilMs });
      }
      return structuredClone(claims);
    },
  };
}
