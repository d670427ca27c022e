// Trusted-issuer configuration and its validation, done once when the authenticator is created.
// Invariants: only asymmetric JWS algorithms (never 'none', never HS*); https issuers, except loopback http
// when allowInsecureHttp says so; every bound (skew, token age, lifetime, size, caches) is finite and checked here;
// no issuer listed twice; at most one issuer may claim any opaque token (prefixes must not overlap).
// The result is a frozen ResolvedIssuer with every optional knob at its documented default (docs/identity.md).

import { IdentityConfigError } from './errors.ts';

export type AudiencePolicy = 'any' | 'exactly-ours';

/** RFC 7662 introspection of opaque (reference) tokens at the issuer's discovered introspection_endpoint. */
export interface IntrospectionConfig {
  /** Proctor's own client at the IdP (resource-server credentials), sent with client_secret_basic. */
  clientId: string;
  clientSecret: string;
  /** How long an `active: true` answer is reused, seconds (0..300; default 30). Inactive answers are never cached. */
  cacheSeconds?: number;
  /** Opaque tokens beginning with this belong to this issuer; required when two issuers introspect. */
  tokenPrefix?: string | null;
}

/** RFC 9449 DPoP: proofs are always checked for tokens bound with `cnf.jkt`; these tune how. */
export interface DpopConfig {
  /** Proof signature algorithms (default ES256, EdDSA, Ed25519, PS256, RS256). */
  algorithms?: string[];
  /** A proof's `iat` may be at most this old (and this far ahead), seconds (1..300; default 60). */
  proofMaxAgeSeconds?: number;
  /** Origins `htu` may name (e.g. https://proctor.example.com); empty = the request's Host, http or https. */
  origins?: string[];
  /** Refuse tokens that are not DPoP-bound (default false). */
  required?: boolean;
}

export interface JwksConfig {
  /** A fetched key set is used this long, then fetched again; IdP down then = 503 (default 600, 0..86400). */
  cacheMaxAgeSeconds?: number;
  /** Minimum seconds between re-fetches triggered by an unknown `kid` (default 30, 0..3600). */
  cooldownSeconds?: number;
  /** Discovery, JWKS and introspection timeout, ms (default 5000, 100..60000). */
  timeoutMs?: number;
}

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
  requiredTyp?: string | undefined;
  /** Claim(s) holding the groups: a name or dotted path (`realm_access.roles`), or several whose values are joined. */
  groupsClaim: string | string[];
  /** Claim (name or dotted path) holding the tenant (a string), or null for none. */
  tenantClaim: string | null;
  /** Allows an http:// issuer and JWKS, only on a loopback host (development issuers). */
  allowInsecureHttp: boolean;
  /** Claim (name or dotted path) that is the subject (default 'sub'; Entra: 'oid'). */
  subjectClaim?: string;
  /** A token older than this (now - iat) is refused, seconds (default 86400). */
  maxTokenAgeSeconds?: number;
  /** A token whose exp - iat exceeds this is refused, seconds (default 86400). */
  maxTokenLifetimeSeconds?: number;
  /** Tokens longer than this many characters are refused before parsing (default 8192, 1024..65536). */
  maxTokenBytes?: number;
  /** 'exactly-ours' (default): every `aud` value must be ours; 'any': one of ours is enough. */
  audiencePolicy?: AudiencePolicy;
  /** When set, the token's `azp` (else `client_id`) MUST be one of these. */
  allowedClients?: string[] | null;
  jwks?: JwksConfig | null;
  introspection?: IntrospectionConfig | null;
  dpop?: DpopConfig | null;
}

export interface ResolvedIssuer {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly algorithms: string[];
  readonly clockSkewSeconds: number;
  readonly requiredTyp: string | undefined;
  readonly groupsClaims: readonly string[];
  readonly tenantClaim: string | null;
  readonly subjectClaim: string;
  readonly allowInsecureHttp: boolean;
  readonly maxTokenAgeSeconds: number;
  readonly maxTokenLifetimeSeconds: number;
  readonly maxTokenBytes: number;
  readonly audiencePolicy: AudiencePolicy;
  readonly allowedClients: ReadonlySet<string> | null;
  readonly jwks: Required<JwksConfig>;
  readonly introspection: Readonly<Required<IntrospectionConfig>> | null;
  readonly dpop: {
    readonly algorithms: string[];
    readonly proofMaxAgeSeconds: number;
    readonly origins: readonly string[];
    readonly required: boolean;
  };
}

export const MAX_CLOCK_SKEW_SECONDS = 300;
export const DEFAULT_MAX_TOKEN_BYTES = 8192;
/** Upper bound for maxTokenBytes: the header carrier refuses anything longer before an issuer is known. */
export const MAX_TOKEN_BYTES_LIMIT = 65_536;
const YEAR_SECONDS = 366 * 86_400;

export const ALLOWED_ALGORITHMS: ReadonlySet<string> = new Set([
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]);
const DEFAULT_DPOP_ALGORITHMS = ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'];

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** True when `url` may be fetched under this issuer's transport rules. */
export function isAllowedTransport(url: URL, allowInsecureHttp: boolean): boolean {
  if (url.protocol === 'https:') return true;
  return url.protocol === 'http:' && allowInsecureHttp && LOOPBACK_HOSTS.has(url.hostname);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function integerIn(value: unknown, fallback: number, min: number, max: number, at: string): number {
  const n = value ?? fallback;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new IdentityConfigError(at, `must be an integer ${min}..${max}`);
  }
  return n;
}

function stringList(value: unknown, at: string, allowEmpty: boolean): string[] {
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0) || !value.every(isNonEmptyString)) {
    throw new IdentityConfigError(at, `must be a${allowEmpty ? '' : ' non-empty'} list of non-empty strings`);
  }
  return [...value];
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

function algorithmList(value: unknown, at: string): string[] {
  if (!Array.isArray(value) || value.length === 0) throw new IdentityConfigError(at, 'must be a non-empty list');
  for (const [j, alg] of value.entries()) {
    if (typeof alg !== 'string' || !ALLOWED_ALGORITHMS.has(alg)) {
      throw new IdentityConfigError(`${at}[${j}]`, `must be one of ${[...ALLOWED_ALGORITHMS].join(', ')}`);
    }
  }
  return [...(value as string[])];
}

function claimPath(value: unknown, at: string): string {
  if (!isNonEmptyString(value) || value.length > 256) throw new IdentityConfigError(at, 'must be a non-empty string');
  return value;
}

function introspectionOf(value: IntrospectionConfig | null | undefined, at: string): ResolvedIssuer['introspection'] {
  if (value === undefined || value === null) return null;
  if (!isNonEmptyString(value.clientId)) throw new IdentityConfigError(`${at}.clientId`, 'must be a non-empty string');
  if (!isNonEmptyString(value.clientSecret)) {
    throw new IdentityConfigError(`${at}.clientSecret`, 'must be a non-empty string');
  }
  const prefix = value.tokenPrefix ?? null;
  if (prefix !== null && !isNonEmptyString(prefix))
    throw new IdentityConfigError(`${at}.tokenPrefix`, 'must be non-empty');
  return Object.freeze({
    clientId: value.clientId,
    clientSecret: value.clientSecret,
    cacheSeconds: integerIn(value.cacheSeconds, 30, 0, 300, `${at}.cacheSeconds`),
    tokenPrefix: prefix,
  });
}

function dpopOf(value: DpopConfig | null | undefined, at: string): ResolvedIssuer['dpop'] {
  const origins = stringList(value?.origins ?? [], `${at}.origins`, true);
  for (const [j, origin] of origins.entries()) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new IdentityConfigError(`${at}.origins[${j}]`, 'must be an origin such as https://proctor.example.com');
    }
  }
  if (value?.required !== undefined && typeof value.required !== 'boolean') {
    throw new IdentityConfigError(`${at}.required`, 'must be a boolean');
  }
  return Object.freeze({
    algorithms: Object.freeze(
      algorithmList(value?.algorithms ?? DEFAULT_DPOP_ALGORITHMS, `${at}.algorithms`),
    ) as string[],
    proofMaxAgeSeconds: integerIn(value?.proofMaxAgeSeconds, 60, 1, 300, `${at}.proofMaxAgeSeconds`),
    origins: Object.freeze(origins),
    required: value?.required ?? false,
  });
}

function resolve(config: IssuerConfig, at: string): ResolvedIssuer {
  checkIssuer(config, at);
  if (config.requiredTyp !== undefined && !isNonEmptyString(config.requiredTyp)) {
    throw new IdentityConfigError(`${at}.requiredTyp`, 'must be a non-empty string when set');
  }
  const groups = typeof config.groupsClaim === 'string' ? [config.groupsClaim] : config.groupsClaim;
  if (!Array.isArray(groups) || groups.length === 0) throw new IdentityConfigError(`${at}.groupsClaim`, 'must be set');
  const policy = config.audiencePolicy ?? 'exactly-ours';
  if (policy !== 'any' && policy !== 'exactly-ours') {
    throw new IdentityConfigError(`${at}.audiencePolicy`, "must be 'any' or 'exactly-ours'");
  }
  const clients = config.allowedClients ?? null;
  return Object.freeze({
    issuer: config.issuer,
    audience: Object.freeze(stringList(config.audience, `${at}.audience`, false)),
    algorithms: Object.freeze(algorithmList(config.algorithms, `${at}.algorithms`)) as string[],
    clockSkewSeconds: integerIn(config.clockSkewSeconds, 0, 0, MAX_CLOCK_SKEW_SECONDS, `${at}.clockSkewSeconds`),
    requiredTyp: config.requiredTyp,
    groupsClaims: Object.freeze(
      groups.map((g, j) => claimPath(g, `${at}.groupsClaim${groups.length > 1 ? `[${j}]` : ''}`)),
    ),
    tenantClaim: config.tenantClaim === null ? null : claimPath(config.tenantClaim, `${at}.tenantClaim`),
    subjectClaim: claimPath(config.subjectClaim ?? 'sub', `${at}.subjectClaim`),
    allowInsecureHttp: config.allowInsecureHttp,
    maxTokenAgeSeconds: integerIn(config.maxTokenAgeSeconds, 86_400, 60, YEAR_SECONDS, `${at}.maxTokenAgeSeconds`),
    maxTokenLifetimeSeconds: integerIn(
      config.maxTokenLifetimeSeconds,
      86_400,
      60,
      YEAR_SECONDS,
      `${at}.maxTokenLifetimeSeconds`,
    ),
    maxTokenBytes: integerIn(
      config.maxTokenBytes,
      DEFAULT_MAX_TOKEN_BYTES,
      1024,
      MAX_TOKEN_BYTES_LIMIT,
      `${at}.maxTokenBytes`,
    ),
    audiencePolicy: policy,
    allowedClients: clients === null ? null : new Set(stringList(clients, `${at}.allowedClients`, false)),
    jwks: Object.freeze({
      cacheMaxAgeSeconds: integerIn(config.jwks?.cacheMaxAgeSeconds, 600, 0, 86_400, `${at}.jwks.cacheMaxAgeSeconds`),
      cooldownSeconds: integerIn(config.jwks?.cooldownSeconds, 30, 0, 3600, `${at}.jwks.cooldownSeconds`),
      timeoutMs: integerIn(config.jwks?.timeoutMs, 5000, 100, 60_000, `${at}.jwks.timeoutMs`),
    }),
    introspection: introspectionOf(config.introspection, `${at}.introspection`),
    dpop: dpopOf(config.dpop, `${at}.dpop`),
  });
}

function checkPrefixes(resolved: readonly ResolvedIssuer[]): void {
  const introspecting = resolved
    .map((r, i) => ({ i, prefix: r.introspection?.tokenPrefix, on: r.introspection !== null }))
    .filter((r) => r.on);
  for (const a of introspecting) {
    for (const b of introspecting) {
      if (a.i >= b.i) continue;
      // Two issuers that could both claim one opaque token would send it to an IdP that did not issue it.
      if (
        a.prefix === null ||
        b.prefix === null ||
        a.prefix === undefined ||
        b.prefix === undefined ||
        a.prefix.startsWith(b.prefix) ||
        b.prefix.startsWith(a.prefix)
      ) {
        throw new IdentityConfigError(
          `issuers[${b.i}].introspection.tokenPrefix`,
          'issuers that introspect must each have a token prefix, none a prefix of another',
        );
      }
    }
  }
}

/** Validates and deep-freezes resolved copies of the issuer configs. MUST throw IdentityConfigError on any defect. */
export function validateIssuerConfigs(issuers: readonly IssuerConfig[]): readonly ResolvedIssuer[] {
  if (!Array.isArray(issuers) || issuers.length === 0) {
    throw new IdentityConfigError('issuers', 'must list at least one trusted issuer');
  }
  const seen = new Set<string>();
  const resolved = issuers.map((config, i) => {
    const at = `issuers[${i}]`;
    const r = resolve(config, at);
    if (seen.has(r.issuer)) throw new IdentityConfigError(`${at}.issuer`, 'is listed twice');
    seen.add(r.issuer);
    return r;
  });
  checkPrefixes(resolved);
  return Object.freeze(resolved);
}
