// Public surface of the identify stage: authenticate the natural person behind a request from their OIDC
// access token. Everything a caller needs is exported here; the files beside it are internals.

export { createAuthenticator } from './authenticator.ts';
export type { Authenticator, AuthenticatorOptions } from './authenticator.ts';
export type { FetchLike } from './bounded-fetch.ts';
export { ALLOWED_ALGORITHMS, MAX_CLOCK_SKEW_SECONDS } from './config.ts';
export type { IssuerConfig } from './config.ts';
export { IDENTITY_ERROR_STATUS, IdentityConfigError, IdentityError } from './errors.ts';
export type { IdentityErrorCode } from './errors.ts';
export { tokenFingerprint } from './principal.ts';
export type { Principal } from './principal.ts';
export { MAX_TOKEN_LENGTH } from './token-carrier.ts';
export type { RequestHeaders } from './token-carrier.ts';
