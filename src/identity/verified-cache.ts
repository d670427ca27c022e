// Remembers tokens that passed full verification, keyed by their SHA-256, so a client reusing its token does not
// pay for a signature check on every request (ES256 verify alone is ~0.2 ms here).
// Invariants: only successes are cached; an entry is used only while the token is unexpired (within the skew),
// never longer than its lifetime cap, and never when the clock reads earlier than when it was cached (then the
// token is verified again, which reports nbf/iat precisely). Bounded in size; the oldest entry goes first.

import type { Principal } from './principal.ts';

/** What a request must still prove about a remembered token: its issuer, and the DPoP key it is bound to. */
export interface CacheTag {
  issuer: string;
  jkt: string | undefined;
  lifetimeMs?: number;
  /** The token's times, for the authenticator's recheck of the principal a lookup returns (a copy). */
  times?: { exp: number; oldest: number; skew: number };
}

interface Entry {
  principal: Principal;
  exp: number;
  skewSeconds: number;
  cachedAtMs: number;
  untilMs: number;
  tag: CacheTag | undefined;
}

export interface VerifiedCache {
  get(fingerprint: string, now: Date): Principal | undefined;
  /** The remembered Principal with the tag it was stored with. */
  lookup(fingerprint: string, now: Date): { principal: Principal; tag: CacheTag | undefined } | undefined;
  /** `tag.lifetimeMs`, when given, shortens (never extends) the cache's lifetime for this entry. */
  set(principal: Principal, exp: number, skewSeconds: number, now: Date, tag?: CacheTag): void;
}

function copy(principal: Principal): Principal {
  return { ...principal, groups: [...principal.groups] };
}

export function createVerifiedCache(opts: { lifetimeMs: number; maxEntries: number }): VerifiedCache {
  const entries = new Map<string, Entry>();
  function lookup(fingerprint: string, now: Date) {
    const entry = entries.get(fingerprint);
    if (entry === undefined) return undefined;
    const nowMs = now.getTime();
    if (nowMs < entry.cachedAtMs || nowMs >= entry.untilMs || entry.exp <= nowMs / 1000 - entry.skewSeconds) {
      entries.delete(fingerprint);
      return undefined;
    }
    return { principal: copy(entry.principal), tag: entry.tag };
  }
  return {
    get: (fingerprint, now) => lookup(fingerprint, now)?.principal,
    lookup,
    set(principal, exp, skewSeconds, now, tag) {
      const lifetimeMs = Math.min(opts.lifetimeMs, tag?.lifetimeMs ?? opts.lifetimeMs);
      if (lifetimeMs <= 0 || opts.maxEntries <= 0) return;
      if (entries.size >= opts.maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done !== true) entries.delete(oldest.value);
      }
      const nowMs = now.getTime();
      entries.set(principal.token_fingerprint, {
        principal: copy(principal),
        exp,
        skewSeconds,
        cachedAtMs: nowMs,
        untilMs: nowMs + lifetimeMs,
        tag,
      });
    },
  };
}
