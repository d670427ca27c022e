// Trusted-issuer configuration and its validation, done once when the authenticator is created.
// Invariants: only asymmetric JWS algorithms (never 'none', never HS*); https issuers, except loopback http
// when allowInsecureHttp says so; a bounded clock skew; no issuer listed twice.

import { IdentityConfigError } from './errors.ts';

export interface IssuerConfig {
  /** Exact issuer URL; discovery at <issuer>/.well-known/openid-configuration. Tokens' `iss` MUST equal it. */
  issuer: string;
  /** Accepted `aud` values; a token MUST name at least one. */
  audience: string[];
  /** JWS algorithm allowlist, e.g. ['RS256','ES256','EdDSA']. */
  algorithms: string[];
  /** Tolerance for exp/nbf/iat, in seconds (0..300). */
  clockSkewSeconds: number;
  /** Required JOSE `typ` header (e.g. 'at+jwt') when the IdP sets it. */
  requiredTyp?: string;
  /** Top-level claim holding the groups: a string or an array of strings. */
  groupsClaim: string;
  /** Top-level claim holding the tenant (a string), or null for none. */
  tenantClaim: string | null;
  /** Allows an http:// issuer and JWKS, only on a loopback host (development issuers). */
  allowInsecureHttp: boolean;
}

export const MAX_CLOCK_SKEW_SECONDS = 300;

export const ALLOWED_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
]);

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** True when `url` may be fetched under this issuer's transport rules. */
export function isAllowedTransport(url: URL, allowInsecureHttp: boolean): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && allowInsecureHttp && LOOPBACK_HOSTS.has(url.hostname);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function checkIssuer(config: IssuerConfig, at: string): void {
  if (!isNonEmptyString(config.issuer) || !URL.canParse(config.issuer)) {
    throw new IdentityConfigError(`${at}.issuer`, 'must be an absolute URL');
  }
  const url = new URL(config.issuer);
  if (url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new IdentityConfigError(`${at}.issuer`, 'must not carry a query, fragment or credentials');
  }
  if (typeof config.allowInsecureHttp !== 'boolean') {
    throw new IdentityConfigError(`${at}.allowInsecureHttp`, 'must be a boolean');
  }
  if (!isAllowedTransport(url, config.allowInsecureHttp)) {
    throw new IdentityConfigError(`${at}.issuer`, 'must be https (http only on loopback with allowInsecureHttp)');
  }
}

function checkLists(config: IssuerConfig, at: string): void {
  if (!Array.isArray(config.audience) || config.audience.length === 0 || !config.audience.every(isNonEmptyString)) {
    throw new IdentityConfigError(`${at}.audience`, 'must be a non-empty list of non-empty strings');
  }
  if (!Array.isArray(config.algorithms) || config.algorithms.length === 0) {
    throw new IdentityConfigError(`${at}.algorithms`, 'must be a non-empty list');
  }
  for (const [j, alg] of config.algorithms.entries()) {
    if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.has(alg)) {
      throw new IdentityConfigError(`${at}.algorithms[${j}]`, `must be one of ${[...ALLOWED_ALGORITHMS].join(', ')}`);
    }
  }
}

function checkScalars(config: IssuerConfig, at: string): void {
  const skew = config.clockSkewSeconds;
  if (!Number.isSafeInteger(skew) || skew < 0 || skew > MAX_CLOCK_SKEW_SECONDS) {
    throw new IdentityConfigError(`${at}.clockSkewSeconds`, `must be an integer 0..${MAX_CLOCK_SKEW_SECONDS}`);
  }
  if (config.requiredTyp !== undefined && !isNonEmptyString(config.requiredTyp)) {
    throw new IdentityConfigError(`${at}.requiredTyp`, 'must be a non-empty string when set');
  }
  if (!isNonEmptyString(config.groupsClaim)) {
    throw new IdentityConfigError(`${at}.groupsClaim`, 'must be a non-empty string');
  }
  if (config.tenantClaim !== null && !isNonEmptyString(config.tenantClaim)) {
    throw new IdentityConfigError(`${at}.tenantClaim`, 'must be null or a non-empty string');
  }
}

/** Validates and deep-freezes copies of the issuer configs. MUST throw IdentityConfigError on any defect. */
export function validateIssuerConfigs(issuers: readonly IssuerConfig[]): readonly Readonly<IssuerConfig>[] {
  if (!Array.isArray(issuers) || issuers.length === 0) {
    throw new IdentityConfigError('issuers', 'must list at least one trusted issuer');
  }
  const seen = new Set<string>();
  return Object.freeze(issuers.map((config, i) => {
    const at = `issuers[${i}]`;
    checkIssuer(config, at);
    checkLists(config, at);
    checkScalars(config, at);
    if (seen.has(config.issuer)) throw new IdentityConfigError(`${at}.issuer`, 'is listed twice');
    seen.add(config.issuer);
    const copy: IssuerConfig = {
      issuer: config.issuer,
      audience: Object.freeze([...config.audience]) as string[],
      algorithms: Object.freeze([...config.algorithms]) as string[],
      clockSkewSeconds: config.clockSkewSeconds,
      groupsClaim: config.groupsClaim,
      tenantClaim: config.tenantClaim,
      allowInsecureHttp: config.allowInsecureHttp,
      ...(config.requiredTyp === undefined ? {} : { requiredTyp: config.requiredTyp }),
    };
    return Object.freeze(copy);
  }));
}
