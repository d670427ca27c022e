// Reads claims for the Principal: by name or dotted path, and checks every string that will reach a record.
// Invariants: a claim value that reaches a record is a non-empty, bounded, well-formed string with no control
// characters (C0, DEL, C1), no bidi or line-separator format controls and no lone surrogates; anything else is
// ERR_TOKEN_CLAIMS (401) at the edge, so no record, log or policy input ever holds it. Lookups use own properties only.

import { IdentityError } from './errors.ts';

/** Longest value kept per claim, in UTF-16 code units (real subjects and group names are far shorter). */
export const MAX_CLAIM_LENGTH = { sub: 256, iss: 2048, client_id: 256, group: 256, tenant: 256 } as const;
export const MAX_GROUPS = 1024;

/** True for a code unit sequence with no lone surrogate and no control or invisible direction/line character. */
export function isCleanText(value: string): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const unit = value.charCodeAt(i);
    if (unit < 0x20 || (unit >= 0x7f && unit <= 0x9f)) return false; // C0 (NUL included), DEL, C1
    if (
      unit === 0x200e ||
      unit === 0x200f ||
      (unit >= 0x2028 && unit <= 0x202e) ||
      (unit >= 0x2066 && unit <= 0x2069) ||
      unit === 0xfeff
    )
      return false; // bidi marks/overrides/isolates, line and paragraph separators, BOM
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

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The value at `path`: an exact top-level name first (Auth0 namespaced claims such as `https://acme.example/roles`
 * contain dots), else dot-separated own properties (`realm_access.roles`). Absent = undefined.
 */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let node: unknown = claims;
  for (const step of path.split('.')) {
    if (!isRecord(node) || !Object.hasOwn(node, step)) return undefined;
    node = node[step];
  }
  return node;
}

/** A claim value as a record string: MUST be non-empty, clean and at most `max` code units. */
export function cleanString(value: unknown, claim: string, max: number): string {
  if (typeof value !== 'string' || value === '' || value.length > max || !isCleanText(value)) {
    throw claimError(claim, `a non-empty string of at most ${max} characters without control characters`);
  }
  return value;
}

/** The claim at `path` as a clean string, or null when absent or null. */
export function optionalClean(claims: Readonly<Record<string, unknown>>, path: string, max: number): string | null {
  const value = claimAt(claims, path);
  return value === undefined || value === null ? null : cleanString(value, path, max);
}

/** The union of the groups claims (each a string or an array of strings), in order, without repeats. */
export function groupsOf(claims: Readonly<Record<string, unknown>>, paths: readonly string[]): string[] {
  const groups = new Set<string>();
  for (const path of paths) {
    const value = claimAt(claims, path);
    if (value === undefined) continue;
    const list: unknown[] = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [null];
    if (list.length > MAX_GROUPS) throw claimError(path, `at most ${MAX_GROUPS} groups`);
    for (const group of list) groups.add(cleanString(group, path, MAX_CLAIM_LENGTH.group));
    if (groups.size > MAX_GROUPS) throw claimError(path, `at most ${MAX_GROUPS} groups`);
  }
  return [...groups];
}
