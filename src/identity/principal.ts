// Maps the verified claims of a token (or an introspection answer) to the Principal that policy and records see.
// Invariants: every string passed the edge checks in claims.ts (bounded, no control characters, well-formed);
// a claim of the wrong type is ERR_TOKEN_CLAIMS, never coerced; the token itself is kept only as its SHA-256.

import { hash } from 'node:crypto';
import { cleanString, claimAt, groupsOf, MAX_CLAIM_LENGTH, optionalClean } from './claims.ts';
import type { ResolvedIssuer } from './config.ts';

export interface Principal {
  iss: string;
  sub: string;
  /** The OAuth client the token was issued to (`azp`, else `client_id`), or null. */
  client_id: string | null;
  groups: string[];
  tenant: string | null;
  /** Hex SHA-256 of the token: correlates requests without storing a bearer credential. */
  token_fingerprint: string;
}

export function tokenFingerprint(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The token's client: `azp`, else `client_id` (RFC 9068 §2.2), checked like every recorded claim. */
export function clientOf(claims: Readonly<Record<string, unknown>>): string | null {
  return (
    optionalClean(claims, 'azp', MAX_CLAIM_LENGTH.client_id) ??
    optionalClean(claims, 'client_id', MAX_CLAIM_LENGTH.client_id)
  );
}

/** Builds the Principal from claims already verified; `fingerprint` is tokenFingerprint(token). */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  fingerprint: string,
  config: Pick<ResolvedIssuer, 'groupsClaims' | 'tenantClaim' | 'subjectClaim'>,
): Principal {
  return {
    iss: cleanString(claims['iss'], 'iss', MAX_CLAIM_LENGTH.iss),
    sub: cleanString(claimAt(claims, config.subjectClaim), config.subjectClaim, MAX_CLAIM_LENGTH.sub),
    client_id: clientOf(claims),
    groups: groupsOf(claims, config.groupsClaims),
    tenant: config.tenantClaim === null ? null : optionalClean(claims, config.tenantClaim, MAX_CLAIM_LENGTH.tenant),
    token_fingerprint: fingerprint,
  };
}
