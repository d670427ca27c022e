// The identify stage: token from the headers → trusted issuer → verification → RFC 8725 checks → Principal.
// A compact JWS is verified with jose against the issuer selected by its exact `iss` (the unverified `iss` only
// selects whose rules apply); any other token is introspected (RFC 7662) by the one issuer that claims it, or refused.
// Invariants: every failure is an IdentityError with a stable code (401, or 503 when the IdP cannot be reached);
// the token never appears in an error; a DPoP-bound token is proven on every request, remembered or not; a principal
// is current only while its token is (recheck: once a request's body has arrived, before anything is forwarded).

import { errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { validateIssuerConfigs } from './config.ts';
import type { IssuerConfig, ResolvedIssuer } from './config.ts';
import { boundThumbprint, createDpopVerifier } from './dpop.ts';
import { IdentityError, identityCodeForJose } from './errors.ts';
import type { FetchLike } from './bounded-fetch.ts';
import { createIntrospector } from './introspection.ts';
import type { Introspector } from './introspection.ts';
import { createIssuerKeys } from './issuer-keys.ts';
import type { IssuerKeys } from './issuer-keys.ts';
import { checkAudience, checkHeader, checkTimes, decodeCompact } from './jwt-checks.ts';
import { clientOf, principalFromClaims, tokenFingerprint } from './principal.ts';
import type { Principal } from './principal.ts';
import { carriedToken } from './token-carrier.ts';
import type { CarriedToken, RequestHeaders } from './token-carrier.ts';
import { createVerifiedCache } from './verified-cache.ts';

export interface Authenticator {
  /**
   * Resolves the Principal of the end user's token from `Authorization: Bearer|DPoP` or `x-api-key`.
   * MUST reject with IdentityError on anything else.
   */
  authenticate(headers: RequestHeaders): Promise<Principal>;
  /**
   * Whether the token a Principal `authenticate` resolved is still current by the clock: MUST throw IdentityError
   * ERR_TOKEN_EXPIRED once its `exp` (or `iat` plus max_token_age_seconds) has passed beyond the clock skew, and for a
   * principal it did not resolve; MUST NOT call out (no IdP, no key set).
   */
  recheck(principal: Principal): void;
  /** Each issuer's discovery (its key source), run now if not yet done: error null when loaded or loadable (readiness
   * probes; MUST NOT reject). */
  checkIssuers?(): Promise<{ issuer: string; error: IdentityError | null }[]>;
}

export interface AuthenticatorOptions {
  issuers: readonly IssuerConfig[];
  clock?: { now(): Date };
  /** Outbound HTTP for discovery, JWKS and introspection (default: global fetch). Tests pass an in-memory IdP. */
  fetch?: FetchLike;
  /** Overrides every issuer's jwks.timeoutMs (tests). */
  timeoutMs?: number;
  /** Overrides every issuer's jwks.cacheMaxAgeSeconds, in ms (tests). */
  jwksCacheMaxAgeMs?: number;
  /** How long a verified token is remembered (default 60 s, never above its issuer's key-set age; 0 = off). */
  verifiedTokenCacheMs?: number;
}

interface TrustedIssuer {
  config: ResolvedIssuer;
  keys: IssuerKeys;
  introspector: Introspector | undefined;
}

function toIdentityError(error: unknown): IdentityError {
  if (error instanceof IdentityError) return error;
  if (error instanceof joseErrors.JOSEError) {
    const claim = error instanceof joseErrors.JWTClaimValidationFailed ? error.claim : undefined;
    const code = identityCodeForJose(error.code, claim);
    return new IdentityError(code, `token rejected (${error.code}${claim === undefined ? '' : ` ${claim}`})`);
  }
  return new IdentityError('ERR_TOKEN_MALFORMED', 'token could not be verified', { cause: error });
}

/** jwtVerify, trying each candidate key when the JWKS holds several keys matching a kid-less token. */
async function verify(token: string, resolver: JWTVerifyGetKey, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, resolver, options)).payload;
  } catch (error) {
    if (!(error instanceof joseErrors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (inner) {
        if (!(inner instanceof joseErrors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new joseErrors.JWSSignatureVerificationFailed();
  }
}

/** A token's times as checkTimes reads them: expired once `exp <= now - skew` or `now - skew > oldest`. */
interface TokenTimes {
  exp: number;
  /** `iat` plus max_token_age_seconds. */
  oldest: number;
  skew: number;
}

/** Rules shared by verified JWT claims and introspection answers; returns the token's times. */
function checkClaims(
  claims: Readonly<Record<string, unknown>>,
  config: ResolvedIssuer,
  nowSeconds: number,
): TokenTimes {
  const { iat, exp } = checkTimes(claims, config, nowSeconds);
  checkAudience(claims, config);
  if (config.allowedClients !== null) {
    const client = clientOf(claims);
    if (client === null || !config.allowedClients.has(client)) {
      throw new IdentityError('ERR_TOKEN_CLIENT', 'token client is not allowed for its issuer');
    }
  }
  return { exp, oldest: iat + config.maxTokenAgeSeconds, skew: config.clockSkewSeconds };
}

function isCompactJws(token: string): boolean {
  let dots = 0;
  for (const char of token) if (char === '.') dots += 1;
  return dots === 2;
}

export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  const configs = validateIssuerConfigs(opts.issuers);
  const clock = opts.clock ?? { now: () => new Date() };
  const fetchImpl: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const verifiedTokenCacheMs = opts.verifiedTokenCacheMs ?? 60_000;
  const verified = createVerifiedCache({ lifetimeMs: verifiedTokenCacheMs, maxEntries: 10_000 });
  const dpop = createDpopVerifier();
  /** Each principal resolved here (a remembered token's is a copy, set again), and its token's times. */
  const times = new WeakMap<Principal, TokenTimes>();
  const maxTokenBytes = Math.max(...configs.map((c) => c.maxTokenBytes));
  const trusted = new Map<string, TrustedIssuer>();
  const introspecting: TrustedIssuer[] = [];
  for (const config of configs) {
    const keys = createIssuerKeys(config, {
      fetch: fetchImpl,
      timeoutMs: opts.timeoutMs ?? config.jwks.timeoutMs,
      jwksCacheMaxAgeMs: opts.jwksCacheMaxAgeMs ?? config.jwks.cacheMaxAgeSeconds * 1000,
      jwksCooldownMs: config.jwks.cooldownSeconds * 1000,
      now: () => clock.now().getTime(),
    });
    const introspector = config.introspection === null ? undefined : createIntrospector(config, keys, fetchImpl);
    const issuer = { config, keys, introspector };
    trusted.set(config.issuer, issuer);
    if (introspector !== undefined) introspecting.push(issuer);
  }

  /** A remembered token is never trusted longer than its key set (or introspection answer) would be. */
  function cacheLifetimeMs(config: ResolvedIssuer, opaque: boolean): number {
    const source = opaque ? (config.introspection?.cacheSeconds ?? 0) * 1000 : config.jwks.cacheMaxAgeSeconds * 1000;
    return Math.min(source, opts.jwksCacheMaxAgeMs ?? source);
  }

  async function fromJwt(token: string, now: Date): Promise<{ issuer: TrustedIssuer; claims: JWTPayload }> {
    const { header, payload } = decodeCompact(token);
    const issuer = typeof payload.iss === 'string' ? trusted.get(payload.iss) : undefined;
    if (issuer === undefined) throw new IdentityError('ERR_TOKEN_ISSUER_UNTRUSTED', 'token issuer is not trusted');
    const { config } = issuer;
    if (token.length > config.maxTokenBytes) throw new IdentityError('ERR_TOKEN_MALFORMED', 'token is too large');
    // jose checks the allowlist too; doing it first keeps tokens with a refused alg away from the IdP.
    if (typeof header['alg'] !== 'string' || !config.algorithms.includes(header['alg'])) {
      throw new IdentityError('ERR_TOKEN_ALGORITHM', 'token algorithm is not allowed for its issuer');
    }
    checkHeader(header, config);
    const claims = await verify(token, await issuer.keys.resolver(), {
      algorithms: config.algorithms,
      issuer: config.issuer,
      audience: [...config.audience],
      requiredClaims: ['exp', 'iat'],
      clockTolerance: config.clockSkewSeconds,
      currentDate: now,
      ...(config.requiredTyp === undefined ? {} : { typ: config.requiredTyp }),
    });
    return { issuer, claims };
  }

  async function fromOpaque(token: string, fingerprint: string, now: Date) {
    const claimants = introspecting.filter((i) => token.startsWith(i.config.introspection?.tokenPrefix ?? ''));
    const issuer = claimants.length === 1 ? claimants[0] : undefined;
    if (issuer?.introspector === undefined) throw new IdentityError('ERR_TOKEN_MALFORMED', 'token is not a signed JWT');
    if (token.length > issuer.config.maxTokenBytes)
      throw new IdentityError('ERR_TOKEN_MALFORMED', 'token is too large');
    return { issuer, claims: await issuer.introspector.introspect(token, fingerprint, now) };
  }

  async function authenticate(headers: RequestHeaders): Promise<Principal> {
    const carried: CarriedToken = carriedToken(headers);
    const { token } = carried;
    if (token.length > maxTokenBytes) throw new IdentityError('ERR_TOKEN_MALFORMED', 'token is too large');
    const fingerprint = tokenFingerprint(token);
    const now = clock.now();
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const remembered = verified.lookup(fingerprint, now);
    const rememberedIssuer = remembered?.tag === undefined ? undefined : trusted.get(remembered.tag.issuer);
    if (remembered !== undefined && rememberedIssuer !== undefined) {
      await dpop.check(carried, remembered.tag?.jkt, rememberedIssuer.config, nowSeconds);
      if (remembered.tag?.times) times.set(remembered.principal, remembered.tag.times);
      return remembered.principal;
    }
    const opaque = !isCompactJws(token);
    const { issuer, claims } = opaque ? await fromOpaque(token, fingerprint, now) : await fromJwt(token, now);
    const { config } = issuer;
    const checked = checkClaims(claims, config, nowSeconds);
    const trustUntil = Math.min(checked.exp, checked.oldest);
    const principal = principalFromClaims(claims, fingerprint, config);
    const jkt = boundThumbprint(claims);
    await dpop.check(carried, jkt, config, nowSeconds);
    const lifetimeMs = cacheLifetimeMs(config, opaque);
    const tag = { issuer: config.issuer, jkt, lifetimeMs, times: checked };
    verified.set(principal, trustUntil, config.clockSkewSeconds, now, tag);
    times.set(principal, checked);
    return principal;
  }

  function recheck(principal: Principal): void {
    const token = times.get(principal);
    if (token === undefined) throw new IdentityError('ERR_TOKEN_EXPIRED', 'the principal was not resolved here');
    const current = Math.floor(clock.now().getTime() / 1000) - token.skew;
    if (token.exp <= current || current > token.oldest) {
      throw new IdentityError('ERR_TOKEN_EXPIRED', 'token expired while its request arrived');
    }
  }

  return {
    authenticate: async (headers) => {
      try {
        return await authenticate(headers);
      } catch (error) {
        throw toIdentityError(error);
      }
    },
    recheck,
    checkIssuers: () =>
      Promise.all(
        [...trusted.values()].map(async ({ config, keys }) => {
          try {
            await keys.resolver();
            return { issuer: config.issuer, error: null };
          } catch (error) {
            return { issuer: config.issuer, error: toIdentityError(error) };
          }
        }),
      ),
  };
}
