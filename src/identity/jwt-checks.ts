// The RFC 8725 / RFC 9068 checks jose leaves to the caller, on the compact JWS before and its claims after
// signature verification. Invariants: only canonical base64url (no padding, no stray bits); no duplicate names in
// the header or the claims; no key-carrying or key-fetching header (jwk, jku, x5u, x5c), no nested JWT (cty);
// numeric dates are integers in range; age and lifetime are bounded; every `aud` value is ours unless the issuer
// says 'any'. Each check is linear in the token's length.

import { IdentityError } from './errors.ts';
import type { ResolvedIssuer } from './config.ts';

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const REFUSED_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'cty'] as const;
/** `typ` values an access token may carry when the issuer requires none in particular (RFC 9068 §2.1, RFC 7519). */
const ACCESS_TOKEN_TYPS: ReadonlySet<string> = new Set(['jwt', 'at+jwt']);

function malformed(message: string): IdentityError {
  return new IdentityError('ERR_TOKEN_MALFORMED', message);
}

/** Decodes a base64url segment, refusing any spelling other than the canonical one (RFC 7515 §2, RFC 4648 §3.5). */
export function canonicalSegment(segment: string): Buffer {
  if (!BASE64URL.test(segment) || segment.length % 4 === 1) throw malformed('token is not canonical base64url');
  const bytes = Buffer.from(segment, 'base64url');
  if (bytes.toString('base64url') !== segment) throw malformed('token is not canonical base64url');
  return bytes;
}

/**
 * Throws when a JSON object text names a member twice at its top level. The text is valid JSON (it parsed), so
 * a scan of strings and nesting depth is exact: a string at depth 1 followed by ':' is a member name.
 */
export function assertNoDuplicateMembers(json: string, what: string): void {
  const names = new Set<string>();
  let depth = 0;
  for (let i = 0; i < json.length; i += 1) {
    const c = json[i];
    if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') depth -= 1;
    else if (c === '"') {
      const start = i;
      for (i += 1; json[i] !== '"'; i += 1) if (json[i] === '\\') i += 1;
      if (depth !== 1) continue;
      let j = i + 1;
      while (json[j] === ' ' || json[j] === '\t' || json[j] === '\n' || json[j] === '\r') j += 1;
      if (json[j] !== ':') continue;
      const name = JSON.parse(json.slice(start, i + 1)) as string;
      if (names.has(name)) throw malformed(`token ${what} names a member twice`);
      names.add(name);
    }
  }
}

function parseObject(bytes: Buffer, what: string): Record<string, unknown> {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new IdentityError('ERR_TOKEN_MALFORMED', `token ${what} is not JSON`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw malformed(`token ${what} is not an object`);
  assertNoDuplicateMembers(text, what);
  return value as Record<string, unknown>;
}

export interface CompactJws {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * Splits and strictly decodes a compact JWS without verifying it. MUST throw ERR_TOKEN_MALFORMED for anything
 * but three canonical segments holding two JSON objects with unique member names.
 */
export function decodeCompact(token: string): CompactJws {
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed('token is not a signed JWT');
  const [h, p, s] = parts as [string, string, string];
  canonicalSegment(s); // an empty one (alg none) is refused by the algorithm allowlist
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = parseObject(canonicalSegment(h), 'header');
    payload = parseObject(canonicalSegment(p), 'payload');
  } catch (error) {
    if (error instanceof IdentityError) throw error;
    throw new IdentityError('ERR_TOKEN_MALFORMED', 'token is not UTF-8 JSON', { cause: error });
  }
  return { header, payload };
}

/** Header rules beyond jose's: no embedded or remote keys, no nested JWT, an access-token `typ`. */
export function checkHeader(
  header: Readonly<Record<string, unknown>>,
  config: Pick<ResolvedIssuer, 'requiredTyp'>,
): void {
  for (const name of REFUSED_HEADERS) {
    if (Object.hasOwn(header, name)) throw malformed(`token header "${name}" is not accepted`);
  }
  if (config.requiredTyp !== undefined || !Object.hasOwn(header, 'typ')) return; // jose checks a required typ
  const typ = header['typ'];
  const normal = typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : '';
  if (!ACCESS_TOKEN_TYPS.has(normal)) {
    throw new IdentityError('ERR_TOKEN_CLAIMS', 'token typ is not an access token type');
  }
}

function numericDate(claims: Readonly<Record<string, unknown>>, name: string, required: boolean): number | undefined {
  if (!Object.hasOwn(claims, name) && !required) return undefined;
  const value = claims[name];
  // 1e309 parses as Infinity and 1.5 is legal JSON: a strict verifier takes only integers a clock can reach.
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > 253_402_300_799) {
    throw new IdentityError('ERR_TOKEN_CLAIMS', `claim "${name}" must be an integer NumericDate`);
  }
  return value;
}

/** Time rules after verification: integer dates, not issued in the future, not too old, not too long-lived. */
export function checkTimes(
  claims: Readonly<Record<string, unknown>>,
  config: Pick<ResolvedIssuer, 'clockSkewSeconds' | 'maxTokenAgeSeconds' | 'maxTokenLifetimeSeconds'>,
  nowSeconds: number,
): { iat: number; exp: number } {
  const iat = numericDate(claims, 'iat', true) as number;
  const exp = numericDate(claims, 'exp', true) as number;
  const nbf = numericDate(claims, 'nbf', false);
  const skew = config.clockSkewSeconds;
  if (iat > nowSeconds + skew) throw new IdentityError('ERR_TOKEN_NOT_YET_VALID', 'token iat is in the future');
  if (nbf !== undefined && nbf > nowSeconds + skew) throw new IdentityError('ERR_TOKEN_NOT_YET_VALID', 'token nbf');
  if (exp <= nowSeconds - skew) throw new IdentityError('ERR_TOKEN_EXPIRED', 'token is expired');
  if (exp <= iat || exp - iat > config.maxTokenLifetimeSeconds) {
    throw new IdentityError('ERR_TOKEN_CLAIMS', 'token lifetime (exp - iat) is out of bounds');
  }
  if (nowSeconds - iat > config.maxTokenAgeSeconds + skew) {
    throw new IdentityError('ERR_TOKEN_EXPIRED', 'token is older than the maximum token age');
  }
  return { iat, exp };
}

/** `aud` after jose has seen one of ours in it: with 'exactly-ours' every value must be ours. */
export function checkAudience(
  claims: Readonly<Record<string, unknown>>,
  config: Pick<ResolvedIssuer, 'audience' | 'audiencePolicy'>,
): void {
  const aud = claims['aud'];
  const list: unknown[] = Array.isArray(aud) ? aud : [aud];
  const ours = (value: unknown) => typeof value === 'string' && config.audience.includes(value);
  const ok = config.audiencePolicy === 'any' ? list.some(ours) : list.length > 0 && list.every(ours);
  if (!ok) throw new IdentityError('ERR_TOKEN_AUDIENCE', 'token audience is not acceptable');
}
