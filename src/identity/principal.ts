// Maps the verified claims of a token to the Principal that policy and the audit record see.
// Invariants: every string is well-formed Unicode (audit records reject lone surrogates); a claim of the wrong
// type is ERR_TOKEN_CLAIMS, never coerced; the token itself is kept only as its SHA-256 fingerprint.

import { createHash } from 'node:crypto';
import type { IssuerConfig } from './config.ts';
import { IdentityError } from './errors.ts';

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

const MAX_GROUPS = 1024;

function isWellFormed(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i += 1;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) {
      return false;
    }
  }
  return true;
}

function claimError(claim: string, expected: string): IdentityError {
  return new IdentityError('ERR_TOKEN_CLAIMS', `claim "${claim}" must be ${expected}`);
}

function requiredString(claims: Readonly<Record<string, unknown>>, claim: string): string {
  const value = claims[claim];
  if (typeof value !== 'string' || value === '' || !isWellFormed(value)) throw claimError(claim, 'a non-empty string');
  return value;
}

function optionalString(claims: Readonly<Record<string, unknown>>, claim: string): string | null {
  if (!Object.hasOwn(claims, claim) || claims[claim] === null) return null;
  return requiredString(claims, claim);
}

function groupsOf(claims: Readonly<Record<string, unknown>>, claim: string): string[] {
  if (!Object.hasOwn(claims, claim)) return [];
  const value = claims[claim];
  const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [null];
  if (list.length > MAX_GROUPS) throw claimError(claim, `at most ${MAX_GROUPS} groups`);
  const groups: string[] = [];
  for (const group of list) {
    if (typeof group !== 'string' || group === '' || !isWellFormed(group)) {
      throw claimError(claim, 'a string or an array of non-empty strings');
    }
    groups.push(group);
  }
  return groups;
}

export function tokenFingerprint(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Builds the Principal from claims that jose has already verified; `fingerprint` is tokenFingerprint(token). */
export function principalFromClaims(
  claims: Readonly<Record<string, unknown>>,
  fingerprint: string,
  config: Pick<IssuerConfig, 'groupsClaim' | 'tenantClaim'>,
): Principal {
  return {
    iss: requiredString(claims, 'iss'),
    sub: requiredString(claims, 'sub'),
    client_id: optionalString(claims, 'azp') ?? optionalString(claims, 'client_id'),
    groups: groupsOf(claims, config.groupsClaim),
    tenant: config.tenantClaim === null ? null : optionalString(claims, config.tenantClaim),
    token_fingerprint: fingerprint,
  };
}
