// The keyring file: the ledger public keys an operator or auditor pins, each with its validity window
// (docs/ledger.md). A record signed by a keyring key outside that key's window fails verification. Parsing is strict:
// a kid that is not the fingerprint of its key, an unparseable date or an empty window is ERR_KEY_INVALID.
import { LedgerError } from './errors.ts';
import { kidOf } from './keys.ts';

export interface KeyringEntry {
  kid: string;
  public_key_pem: string;
  /** RFC 3339 UTC; records before this are not this key's. */
  not_before: string;
  /** RFC 3339 UTC or null (still current); records from this instant on are not this key's. */
  not_after: string | null;
}

export interface Keyring {
  version: 1;
  keys: KeyringEntry[];
}

export interface KeyWindow {
  notBefore: number;
  notAfter: number | null;
}

export function parseKeyring(text: string): Keyring {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new LedgerError('ERR_KEY_INVALID', 'keyring is not JSON', { cause: err });
  }
  const { version, keys } = (doc ?? {}) as { version?: unknown; keys?: unknown };
  if (version !== 1 || !Array.isArray(keys))
    throw new LedgerError('ERR_KEY_INVALID', 'keyring must be { "version": 1, "keys": [...] }');
  const seen = new Set<string>();
  const entries = keys.map((raw: unknown, i): KeyringEntry => {
    const e = (raw ?? {}) as Record<string, unknown>;
    const where = `keyring keys[${i}]`;
    if (typeof e.public_key_pem !== 'string' || typeof e.kid !== 'string')
      throw new LedgerError('ERR_KEY_INVALID', `${where}: kid and public_key_pem are required`);
    if (kidOf(e.public_key_pem) !== e.kid)
      throw new LedgerError('ERR_KEY_INVALID', `${where}: kid is not the fingerprint of public_key_pem`);
    if (seen.has(e.kid)) throw new LedgerError('ERR_KEY_INVALID', `${where}: ${e.kid} is listed twice`);
    seen.add(e.kid);
    const from = typeof e.not_before === 'string' ? Date.parse(e.not_before) : Number.NaN;
    const until =
      e.not_after === null || e.not_after === undefined
        ? null
        : typeof e.not_after === 'string'
          ? Date.parse(e.not_after)
          : Number.NaN;
    if (Number.isNaN(from) || (until !== null && (Number.isNaN(until) || until <= from))) {
      throw new LedgerError(
        'ERR_KEY_INVALID',
        `${where}: not_before must be a date before not_after (or not_after null)`,
      );
    }
    return {
      kid: e.kid,
      public_key_pem: e.public_key_pem,
      not_before: e.not_before as string,
      not_after: (e.not_after as string | null | undefined) ?? null,
    };
  });
  return { version: 1, keys: entries };
}

export function keyWindows(keyring: Keyring): Map<string, KeyWindow> {
  return new Map(
    keyring.keys.map((k) => [
      k.kid,
      { notBefore: Date.parse(k.not_before), notAfter: k.not_after === null ? null : Date.parse(k.not_after) },
    ]),
  );
}

export function withinWindow(window: KeyWindow | undefined, ts: unknown): boolean {
  if (window === undefined) return true;
  const t = typeof ts === 'string' ? Date.parse(ts) : Number.NaN;
  return t >= window.notBefore && (window.notAfter === null || t < window.notAfter);
}

/** After a key_rotated record at `at`: the old key's window ends just after it (its last record), the new key's
 * opens. */
export function rotateKeyring(
  keyring: Keyring,
  oldKid: string,
  next: { kid: string; publicKeyPem: string },
  at: Date,
): Keyring {
  const stamp = at.toISOString();
  const end = new Date(at.getTime() + 1).toISOString();
  const keys = keyring.keys.map((k) => (k.kid === oldKid && k.not_after === null ? { ...k, not_after: end } : k));
  if (!keys.some((k) => k.kid === next.kid))
    keys.push({ kid: next.kid, public_key_pem: next.publicKeyPem, not_before: stamp, not_after: null });
  return { version: 1, keys };
}
