// The record's keyed digest of a request body: request.body_hmac_sha256 = HMAC-SHA256(body key, SHA-256(raw body)),
// hex. The body key is derived from the fingerprint key, domain-separated: HMAC-SHA256(fingerprint key, 0xFF ‖
// "proctor/body-digest/v1"). Finding fingerprints are HMACs of UTF-8 text, which never holds a 0xFF byte, so no
// fingerprint can equal the body key. Without the key a guessed body cannot be tested against a record (an unkeyed
// SHA-256 of a templated prompt gave its SSN away by brute force); with it, a body can still be proven (SECURITY.md).
import { createHash, createHmac, hash } from 'node:crypto';

const DOMAIN = Buffer.concat([Buffer.from([0xff]), Buffer.from('proctor/body-digest/v1', 'utf8')]);

/** The body-digest key for a fingerprint key. */
export function bodyDigestKey(fingerprintKey: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', fingerprintKey).update(DOMAIN).digest());
}

/** HMAC-SHA256 (RFC 2104) computed as two one-shot SHA-256 hashes over the key's pads, prepared once per key:
 * createHmac builds an OpenSSL HMAC context on every call, which under load cost as much CPU as Ed25519-signing both
 * of a request's records (side-by-side profile). Keys are long-lived (one per Proctor); the map holds them weakly and
 * keeps a copy of the bytes it prepared from, so a key changed in place is prepared again, never used stale. */
const BLOCK = 64; // SHA-256's block size
const prepared = new WeakMap<Uint8Array, { bytes: Buffer; inner: Buffer; outer: Buffer }>();

/** The key's pads, each followed by 32 bytes for what it hashes (the message digest, then the inner hash). */
function padsOf(key: Uint8Array): { inner: Buffer; outer: Buffer } {
  let entry = prepared.get(key);
  if (entry === undefined || !entry.bytes.equals(key)) {
    const block = Buffer.alloc(BLOCK);
    block.set(key.length > BLOCK ? hash('sha256', key, 'buffer') : key);
    const inner = Buffer.alloc(BLOCK + 32);
    const outer = Buffer.alloc(BLOCK + 32);
    for (let i = 0; i < BLOCK; i++) {
      inner[i] = (block[i] as number) ^ 0x36;
      outer[i] = (block[i] as number) ^ 0x5c;
    }
    entry = { bytes: Buffer.from(key), inner, outer };
    prepared.set(key, entry);
  }
  return entry;
}

/** body_hmac_sha256 for a body whose SHA-256 (hex, as the providers compute it while parsing) is `sha256Hex`. */
export function bodyDigest(key: Uint8Array, sha256Hex: string): string {
  if (!/^[0-9a-f]{64}$/.test(sha256Hex)) throw new TypeError('expected a SHA-256 digest in lower-case hex');
  const { inner, outer } = padsOf(key);
  inner.write(sha256Hex, BLOCK, 'hex');
  outer.set(hash('sha256', inner, 'buffer'), BLOCK);
  return hash('sha256', outer, 'hex');
}

/** body_hmac_sha256 of raw bytes: what an auditor holding the key computes to prove a body. */
export function bodyDigestOf(key: Uint8Array, body: Uint8Array): string {
  return bodyDigest(key, createHash('sha256').update(body).digest('hex'));
}
