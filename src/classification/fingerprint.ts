// Keyed fingerprints of finding values: HMAC-SHA256 (RFC 2104) over the normalised value, hex. The same value
// and key always give the same fingerprint; the value cannot be recovered from it without the key.
import { hash } from 'node:crypto';

/**
 * HMAC-SHA256 (RFC 2104) keyed once: the padded keys are computed here, so a fingerprint is two one-shot hashes
 * (~2 µs) instead of a createHmac object (~5 µs). The key is copied: later changes by the caller do not alter it.
 */
export function createFingerprinter(keyBytes: Uint8Array): (value: string) => string {
  const key = keyBytes.byteLength > 64 ? hash('sha256', keyBytes, 'buffer') : Buffer.from(keyBytes);
  const ipad = Buffer.alloc(64, 0x36);
  const outer = Buffer.alloc(64 + 32, 0x5c);
  for (let i = 0; i < key.length; i += 1) {
    ipad[i] = (ipad[i] as number) ^ (key[i] as number);
    outer[i] = (outer[i] as number) ^ (key[i] as number);
  }
  return (value) => {
    const inner = Buffer.allocUnsafe(64 + Buffer.byteLength(value, 'utf8'));
    ipad.copy(inner, 0);
    inner.write(value, 64, 'utf8');
    hash('sha256', inner, 'buffer').copy(outer, 64);
    inner.fill(0); // pooled memory: leave neither key-derived bytes nor the value in it
    return hash('sha256', outer, 'hex');
  };
}
