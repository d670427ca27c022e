// The record's keyed digest of a request body: request.body_hmac_sha256 = HMAC-SHA256(body key, SHA-256(raw body)),
// hex. The body key is derived from the fingerprint key, domain-separated: HMAC-SHA256(fingerprint key, 0xFF ‖
// "proctor/body-digest/v1"). Finding fingerprints are HMACs of UTF-8 text, which never holds a 0xFF byte, so no
// fingerprint can equal the body key. Without the key a guessed body cannot be tested against a record (an unkeyed
// SHA-256 of a templated prompt gave its SSN away by brute force); with it, a body can still be proven (SECURITY.md).
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';

const DOMAIN = Buffer.concat([Buffer.from([0xff]), Buffer.from('proctor/body-digest/v1', 'utf8')]);

/** The body-digest key for a fingerprint key. */
export function bodyDigestKey(fingerprintKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', fingerprintKey).update(DOMAIN).digest());
}

/** Each body key imported once: createHmac given raw bytes imports them as a new KeyObject on every call, which
 * measured ≈ 10× the HMAC itself on the request path. Keys are long-lived (one per Proctor); the map holds them weakly
 * and keeps a copy of the bytes it imported, so a key changed in place is imported again, never used stale. */
const imported = new WeakMap<Uint8Array, { bytes: Buffer; object: KeyObject }>();

function importedKey(key: Uint8Array): KeyObject {
  let entry = imported.get(key);
  if (entry === undefined || !entry.bytes.equals(key)) {
    entry = { bytes: Buffer.from(key), object: createSecretKey(key) };
    imported.set(key, entry);
  }
  return entry.object;
}

/** body_hmac_sha256 for a body whose SHA-256 (hex, as the providers compute it while parsing) is `sha256Hex`. */
export function bodyDigest(key: Uint8Array, sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new TypeError('expected a SHA-256 digest in lower-case hex');
  return createHmac('sha256', importedKey(key)).update(Buffer.from(sha256Hex, 'hex')).digest('hex');
}

/** body_hmac_sha256 of raw bytes: what an auditor holding the key computes to prove a body. */
export function bodyDigestOf(key: Uint8Array, body: Uint8Array): string {
  return bodyDigest(key, createHash('sha256').update(body).digest('hex'));
}
