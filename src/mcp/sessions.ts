// MCP sessions (Mcp-Session-Id), each bound at initialize to the principal that opened it, the server it is for and
// the protocol revision negotiated. Invariants: ids are 256 random bits (never chosen by a client); a session is
// found only by the principal (issuer and subject) and server it was opened for, so an id presented by anyone else is
// unknown (404), exactly as if it did not exist (session fixation and hijack); the store is bounded (a new session
// past the cap is refused, after idle ones are swept), one principal holds at most `perOwner` (its least recently
// used one is ended for a new one, so no principal can fill the store for the others), and idle sessions expire.
import { randomBytes } from 'node:crypto';

export interface McpSession {
  id: string;
  server: string;
  protocolVersion: string;
}

interface Held extends McpSession {
  owner: string;
  lastSeen: number;
}

export interface SessionStore {
  /** A new session, or null when the store is full of live sessions. */
  open(owner: Owner, server: string, protocolVersion: string): McpSession | null;
  /** The session if `owner` opened it for `server` and it has not expired; null otherwise (unknown, foreign,
   * expired). */
  find(id: string, owner: Owner, server: string): McpSession | null;
  /** Ends the session if `owner` holds it for `server`; false otherwise. */
  close(id: string, owner: Owner, server: string): boolean;
  readonly size: number;
}

/** Who holds a session: the token's issuer and subject (a refreshed token keeps its sessions). */
export interface Owner {
  iss: string;
  sub: string;
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;

/** Sessions one principal holds at once by default. */
export const SESSIONS_PER_OWNER = 64;

export function createSessionStore(options: {
  maxSessions: number;
  idleMs: number;
  perOwner?: number;
  clock: { now(): Date };
}): SessionStore {
  const perOwner = options.perOwner ?? SESSIONS_PER_OWNER;
  const sessions = new Map<string, Held>();
  const ownerKey = (o: Owner) => `${o.iss}\u0000${o.sub}`;
  const now = () => options.clock.now().getTime();
  const live = (held: Held, at: number) => at - held.lastSeen < options.idleMs;

  function sweep(at: number): void {
    for (const [id, held] of sessions) if (!live(held, at)) sessions.delete(id);
  }

  function held(id: string, owner: Owner, server: string): Held | null {
    if (!SESSION_ID.test(id)) return null;
    const found = sessions.get(id);
    if (found === undefined || found.owner !== ownerKey(owner) || found.server !== server) return null;
    if (!live(found, now())) {
      sessions.delete(id);
      return null;
    }
    return found;
  }

  return {
    open(owner, server, protocolVersion) {
      const at = now();
      const key = ownerKey(owner);
      const own = [...sessions.values()].filter((s) => s.owner === key);
      if (own.length >= perOwner) {
        const oldest = own.reduce((a, b) => (b.lastSeen < a.lastSeen ? b : a));
        sessions.delete(oldest.id);
      }
      if (sessions.size >= options.maxSessions) sweep(at);
      if (sessions.size >= options.maxSessions) return null;
      const id = randomBytes(32).toString('base64url');
      sessions.set(id, { id, server, protocolVersion, owner: key, lastSeen: at });
      return { id, server, protocolVersion };
    },
    find(id, owner, server) {
      const found = held(id, owner, server);
      if (found === null) return null;
      found.lastSeen = now();
      return { id: found.id, server: found.server, protocolVersion: found.protocolVersion };
    },
    close(id, owner, server) {
      return held(id, owner, server) !== null && sessions.delete(id);
    },
    get size() {
      return sessions.size;
    },
  };
}
