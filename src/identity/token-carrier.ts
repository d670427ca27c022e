// Finds the end user's token in the request headers: `Authorization: Bearer` (OpenAI SDKs) or `x-api-key`
// (Anthropic SDK). Invariants: exactly one token; a repeated header, a non-Bearer scheme, two different tokens,
// an oversized token or characters outside RFC 6750 b64token are rejected, never guessed at.

import { IdentityError } from './errors.ts';

export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** Tokens above this are rejected before any parsing (real access tokens are a few KiB). */
export const MAX_TOKEN_LENGTH = 16 * 1024;

const B64TOKEN_CHARS = new Set('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/=');

function headerValue(headers: RequestHeaders, name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
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

function fromAuthorization(value: string): string {
  const space = value.indexOf(' ');
  const scheme = space < 0 ? value : value.slice(0, space);
  if (scheme.toLowerCase() !== 'bearer') {
    throw new IdentityError('ERR_TOKEN_MALFORMED', 'the Authorization scheme must be Bearer');
  }
  const token = space < 0 ? '' : value.slice(space + 1).trim();
  if (token === '') throw new IdentityError('ERR_TOKEN_MISSING', 'the Bearer token is empty');
  return token;
}

/** The single token the request carries. MUST throw ERR_TOKEN_MISSING or ERR_TOKEN_MALFORMED otherwise. */
export function extractToken(headers: RequestHeaders): string {
  const authorization = headerValue(headers, 'authorization');
  const apiKey = headerValue(headers, 'x-api-key');
  const bearer = authorization === undefined ? undefined : fromAuthorization(authorization);
  if (bearer !== undefined && apiKey !== undefined && bearer !== apiKey) {
    throw new IdentityError('ERR_TOKEN_MALFORMED', 'Authorization and x-api-key carry different tokens');
  }
  const token = bearer ?? apiKey;
  if (token === undefined) {
    throw new IdentityError('ERR_TOKEN_MISSING', 'no token in Authorization: Bearer or x-api-key');
  }
  return checkShape(token);
}
