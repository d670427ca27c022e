// The identify stage: token from the headers → trusted issuer by exact `iss` → jose verification → Principal.
// Invariants: the unverified `iss` only selects which issuer's rules apply, it is then verified like every claim;
// every failure is an IdentityError with a stable code (401, or 503 when the IdP cannot be reached);
// the token never appears in an error. Opaque (non-JWT) tokens are rejected until introspection lands.

import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify } from 'jose';
import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { validateIssuerConfigs } from './config.ts';
import type { IssuerConfig } from './config.ts';
import { IdentityError, identityCodeForJose } from './errors.ts';
import type { FetchLike } from './bounded-fetch.ts';
import { createIssuerKeys } from './issuer-keys.ts';
import type { IssuerKeys } from './issuer-keys.ts';
import { principalFromClaims, tokenFingerprint } from './principal.ts';
import type { Principal } from './principal.ts';
import { extractToken } from './token-carrier.ts';
import type { RequestHeaders } from './token-carrier.ts';
import { createVerifiedCache } from './verified-cache.ts';

export interface Authenticator {
  /**
   * Resolves the Principal of the end user's token from `Authorization: Bearer` or `x-api-key`.
   * MUST reject with IdentityError on anything else.
   */
  authenticate(headers: RequestHeaders): Promise<Principal>;
}

export interface AuthenticatorOptions {
  issuers: readonly IssuerConfig[];
  clock?: { now(): Date };
  /** Outbound HTTP for discovery and JWKS (default: global fetch). Tests pass an in-memory IdP here. */
  fetch?: FetchLike;
  /** Discovery/JWKS timeout (default 5000). */
  timeoutMs?: number;
  /** Key-set cache lifetime (default 10 min); after it, an unreachable IdP fails closed. */
  jwksCacheMaxAgeMs?: number;
  /** How long a verified token is remembered (default 60 s, never above jwksCacheMaxAgeMs; 0 = off). */
  verifiedTokenCacheMs?: number;
}

interface TrustedIssuer { config: Readonly<IssuerConfig>; keys: IssuerKeys }

function unverifiedIssuer(token: string): string | undefined {
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    // A JWE, an opaque token or garbage. RFC 7662 introspection would be tried here (later issue).
    throw new IdentityError('ERR_TOKEN_MALFORMED', 'token is not a signed JWT');
  }
  return typeof claims.iss === 'string' ? claims.iss : undefined;
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

function isSignatureFailure(error: unknown): boolean {
  return error instanceof joseErrors.JWSSignatureVerificationFailed;
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
        if (!isSignatureFailure(inner)) throw inner;
      }
    }
    throw new joseErrors.JWSSignatureVerificationFailed();
  }
}

export function createAuthenticator(opts: AuthenticatorOptions): Authenticator {
  const configs = validateIssuerConfigs(opts.issuers);
  const clock = opts.clock ?? { now: () => new Date() };
  const fetchImpl: FetchLike = opts.fetch ?? ((url, init) => fetch(url, init));
  const jwksCacheMaxAgeMs = opts.jwksCacheMaxAgeMs ?? 600_000;
  // A remembered token is never trusted longer than the key set it was verified with would be.
  const verified = createVerifiedCache({
    lifetimeMs: Math.min(opts.verifiedTokenCacheMs ?? 60_000, jwksCacheMaxAgeMs),
    maxEntries: 10_000,
  });
  const trusted = new Map<string, TrustedIssuer>();
  for (const config of configs) {
    trusted.set(config.issuer, {
      config,
      keys: createIssuerKeys(config, {
        fetch: fetchImpl,
        timeoutMs: opts.timeoutMs ?? 5_000,
        jwksCacheMaxAgeMs,
        jwksCooldownMs: 30_000,
      }),
    });
  }

  async function authenticate(headers: RequestHeaders): Promise<Principal> {
    const token = extractToken(headers);
    const fingerprint = tokenFingerprint(token);
    const now = clock.now();
    const remembered = verified.get(fingerprint, now);
    if (remembered !== undefined) return remembered;
    const iss = unverifiedIssuer(token);
    const issuer = iss === undefined ? undefined : trusted.get(iss);
    if (issuer === undefined) throw new IdentityError('ERR_TOKEN_ISSUER_UNTRUSTED', 'token issuer is not trusted');
    const { config } = issuer;
    // jose checks the allowlist too; doing it first keeps tokens with a refused alg away from the IdP.
    const { alg } = decodeProtectedHeader(token);
    if (typeof alg !== 'string' || !config.algorithms.includes(alg)) {
      throw new IdentityError('ERR_TOKEN_ALGORITHM', 'token algorithm is not allowed for its issuer');
    }
    const resolver = await issuer.keys.resolver();
    const payload = await verify(token, resolver, {
      algorithms: config.algorithms,
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ['exp', 'iat', 'sub'],
      clockTolerance: config.clockSkewSeconds,
      currentDate: now,
      ...(config.requiredTyp === undefined ? {} : { typ: config.requiredTyp }),
    });
    // jose checks `iat` only for type; a token issued in the future (beyond the skew) is not yet valid.
    if (typeof payload.iat === 'number' && payload.iat > now.getTime() / 1000 + config.clockSkewSeconds) {
      throw new IdentityError('ERR_TOKEN_NOT_YET_VALID', 'token iat is in the future');
    }
    const principal = principalFromClaims(payload, fingerprint, config);
    verified.set(principal, payload.exp as number, config.clockSkewSeconds, now);
    return principal;
  }

  return {
    authenticate: async (headers) => {
      try {
        return await authenticate(headers);
      } catch (error) {
        throw toIdentityError(error);
      }
    },
  };
}
