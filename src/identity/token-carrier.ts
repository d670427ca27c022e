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

/** RFC 6750 b64token characters only (a regular expression: a per-character set lookup cost ~30 µs a token). */
const B64TOKEN = /^[A-Za-z0-9\-._~+/=]*$/;

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

/** The headers carriedToken reads. */
const READ = ['authorization', 'x-api-key', 'dpop', ':method', ':path', 'host'] as const;
type ReadName = (typeof READ)[number];
const READ_NAMES: ReadonlySet<string> = new Set(READ);

/**
 * The single value of each header carriedToken reads (names matched case-insensitively), from one pass over the
 * headers; `get` MUST throw when its header is repeated (two lines, or two names that differ only in case), at the
 * read, so the first failure of the reading order is the one reported.
 */
function readHeaders(headers: RequestHeaders): (name: ReadName) => string | undefined {
  const found = new Map<string, string>();
  const repeated = new Set<string>();
  for (const key in headers) {
    if (!Object.hasOwn(headers, key)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    const name = READ_NAMES.has(key) ? key : key.toLowerCase();
    if (!READ_NAMES.has(name)) continue;
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) continue;
    if (found.has(name) || values.length > 1) repeated.add(name);
    found.set(name, values[0] as string);
  }
  return (name) => {
    if (repeated.has(name)) throw new IdentityError('ERR_TOKEN_MALFORMED', `the ${name} header is repeated`);
    const value = found.get(name)?.trim();
    return value === '' ? undefined : value;
  };
}

function checkShape(token: string): string {
  if (token.length > MAX_TOKEN_LENGTH) {
    throw new IdentityError('ERR_TOKEN_MALFORMED', `token exceeds ${MAX_TOKEN_LENGTH} characters`);
  }
  if (!B64TOKEN.test(token)) throw new IdentityError('ERR_TOKEN_MALFORMED', 'token has invalid characters');
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
  const read = readHeaders(headers);
  const authorization = read('authorization');
  const apiKey = read('x-api-key');
  const proof = read('dpop');
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
    method: read(':method'),
    path: read(':path'),
    host: read('host'),
  };
}

/** The single token the request carries (see carriedToken). */
export function extractToken(headers: RequestHeaders): string {
  return carriedToken(headers).token;
}
