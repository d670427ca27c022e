// Identity failures: one error class per family, each with a stable `code` callers switch on.
// IdentityError is a request failing to authenticate (401) or the IdP being unreachable (503).
// IdentityConfigError is a bad issuer configuration, raised at start-up, never per request.
// Messages MUST NOT contain the token, nor echo unverified claim values.

export const IDENTITY_ERROR_STATUS = {
  ERR_TOKEN_MISSING: 401,
  ERR_TOKEN_MALFORMED: 401,
  ERR_TOKEN_ISSUER_UNTRUSTED: 401,
  ERR_TOKEN_SIGNATURE: 401,
  ERR_TOKEN_EXPIRED: 401,
  ERR_TOKEN_NOT_YET_VALID: 401,
  ERR_TOKEN_AUDIENCE: 401,
  ERR_TOKEN_CLAIMS: 401,
  ERR_TOKEN_ALGORITHM: 401,
  /** The token's client (`azp`/`client_id`) is not on the issuer's allowlist. */
  ERR_TOKEN_CLIENT: 401,
  /** A sender-constrained token without a valid, fresh, unreplayed DPoP proof (RFC 9449). */
  ERR_TOKEN_DPOP: 401,
  /** RFC 7662 introspection answered `active: false` (revoked, expired or unknown to the IdP). */
  ERR_TOKEN_INACTIVE: 401,
  ERR_IDP_UNAVAILABLE: 503,
} as const satisfies Record<string, 401 | 503>;

export type IdentityErrorCode = keyof typeof IDENTITY_ERROR_STATUS;

export class IdentityError extends Error {
  override readonly name = 'IdentityError';
  readonly code: IdentityErrorCode;
  readonly status: 401 | 503;

  constructor(code: IdentityErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.status = IDENTITY_ERROR_STATUS[code];
  }
}

export class IdentityConfigError extends Error {
  override readonly name = 'IdentityConfigError';
  readonly code = 'ERR_IDENTITY_CONFIG';
  /** Where in the issuer list the problem is, e.g. `issuers[0].algorithms`. */
  readonly path: string;

  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

/**
 * Maps a jose error `code` (and, for claim failures, the claim) to ours. Unknown jose codes are MALFORMED:
 * an error we did not anticipate still denies. Key-set fetch failures never reach here (see issuer-keys.ts).
 */
export function identityCodeForJose(joseCode: string, claim: string | undefined): IdentityErrorCode {
  switch (joseCode) {
    case 'ERR_JWT_EXPIRED':
      return 'ERR_TOKEN_EXPIRED';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      switch (claim) {
        case 'aud':
          return 'ERR_TOKEN_AUDIENCE';
        case 'nbf':
          return 'ERR_TOKEN_NOT_YET_VALID';
        case 'iss':
          return 'ERR_TOKEN_ISSUER_UNTRUSTED';
        default:
          return 'ERR_TOKEN_CLAIMS'; // exp/iat/sub missing or mistyped, typ header mismatch
      }
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
    case 'ERR_JWKS_NO_MATCHING_KEY': // signed by a key the issuer does not publish
    case 'ERR_JWKS_MULTIPLE_MATCHING_KEYS':
      return 'ERR_TOKEN_SIGNATURE';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
      return 'ERR_TOKEN_ALGORITHM';
    default:
      return 'ERR_TOKEN_MALFORMED'; // ERR_JWS_INVALID, ERR_JWT_INVALID, ERR_JOSE_NOT_SUPPORTED (crit), anything new
  }
}
