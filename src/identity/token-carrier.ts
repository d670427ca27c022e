// Finds the end user's token in the request headers: `Authorization: Bearer` (OpenAI SDKs), `Authorization: DPoP`
// with a `DPoP` proof (RFC 9449), or `x-api-key` (Anthropic SDK). Invariants: exactly one token; a repeated header
// (the transport passes every header line as sent, see RequestHeaders), another scheme, two different tokens, an
// oversized token or characters outside RFC 6750 b64token are rejected, never guessed at.

import { IdentityError } from './errors.ts';

/**
 * Request headers by name. The transport SHOULD give each header as the list of every line received (Node's
 * `headersDistinct`: plain `headers` keeps only the first Authorization and joins the rest), and the request line
 * as the HTTP/2 pseudo-headers `:method` and `:path`, which DPoP proofs are checked against.
 */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Absolute cap before any parsing; each issuer's maxTokenBytes (default 8192) applies once its issuer is known. */
export const MAX_TOKEN_LENGTH = 64 * 1024;

const B64TOKEN_CHARS = new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=');

export interface CarriedToken {
  token: string;
  scheme: 'bearer' | 'dpop' | 'api-key';
  /** The DPoP proof header, when one was sent. */
  proof: string | undefined;
  method: string | undefined;
  /** The request target (path and query) from `:path`. */
  path: string | undefined;
  host: string | undefined;
}

/** The single value of header `name` (lower-case), or undefined; MUST throw when it is repeated. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) continue;
    if (found !== undefined || values.length > 1) {
      throw new IdentityError('ERR_TOKEN_MALFORMED', `the ${name} header is repeated`);
    }
    found = values[0];
  }
  return found === undefined || found.trim() === '' ? undefined : found.trim();
}

function checkShape(token: string): string {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new IdentityError('ERR_TOKEN_MALFORMED', `token exceeds ${MAX_TOKEN_LENGTH} characters`);
  }
  for (const char of token) {
    if (!B64TOKEN_CHARS.has(char)) throw new IdentityError('ERR_TOKEN_MALFORMED', 'token has invalid characters');
  }
  return token;
}

function fromAuthorization(value: string): { token: string; scheme: 'bearer' | 'dpop' } {
  const space = value.indexOf(' ');
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  if (scheme !== 'bearer' && scheme !== 'dpop') {
    throw new IdentityError('ERR_TOKEN_MALFORMED', 'the Authorization scheme must be Bearer or DPoP');
  }
  const token = space < 0 ? '' : value.slice(space + 1).trim();
  if (token === '') throw new IdentityError('ERR_TOKEN_MISSING', `the ${scheme} token is empty`);
  return { token, scheme };
}

/** The single token the request carries. MUST throw ERR_TOKEN_MISSING or ERR_TOKEN_MALFORMED otherwise. */
export function carriedToken(headers: RequestHeaders): CarriedToken {
  const authorization = headerValue(headers, 'authorization');
  const apiKey = headerValue(headers, 'x-api-key');
  const proof = headerValue(headers, 'dpop');
  const fromHeader = authorization === undefined ? undefined : fromAuthorization(authorization);
  if (fromHeader !== undefined && apiKey !== undefined && fromHeader.token !== apiKey) {
    throw new IdentityError('ERR_TOKEN_MALFORMED', 'Authorization and x-api-key carry different tokens');
  }
  const token = fromHeader?.token ?? apiKey;
  if (token === undefined) {
    throw new IdentityError('ERR_TOKEN_MISSING', 'no token in Authorization: Bearer or x-api-key');
  }
  return {
    token: checkShape(token),
    scheme: fromHeader?.scheme ?? 'api-key',
    proof,
    method: headerValue(headers, ':method'),
    path: headerValue(headers, ':path'),
    host: headerValue(headers, 'host'),
  };
}

/** The single token the request carries (see carriedToken). */
export function extractToken(headers: RequestHeaders): string {
  return carriedToken(headers).token;
}
