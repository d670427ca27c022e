import { createHash, createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFingerprinter } from '../../../src/classification/fingerprint.ts';
import { bodyDigest, bodyDigestKey, bodyDigestOf } from '../../../src/ledger/body-digest.ts';

const fingerprintKey = new TextEncoder().encode('k'.repeat(32));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** The definition, independently: HMAC-SHA256(key, SHA-256(body)) with the key given as raw bytes. */
const hmac = (key: Uint8Array, body: Uint8Array) =>
  createHmac('sha256', key).update(createHash('sha256').update(body).digest()).digest('hex');

describe('request.body_hmac_sha256', () => {
  it('is keyed: the same body gives the same digest under one key, another under another key, never its SHA-256', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 256 }), fc.uint8Array({ minLength: 32, maxLength: 64 }), (body, other) => {
        const key = bodyDigestKey(fingerprintKey);
        const digest = bodyDigestOf(key, body);
        expect(digest).toMatch(/^[0-9a-f]{64}$/);
        expect(bodyDigest(key, sha256(body))).toBe(digest);
        expect(digest).not.toBe(sha256(body));
        if (Buffer.compare(Buffer.from(other), Buffer.from(fingerprintKey)) !== 0)
          expect(bodyDigestOf(bodyDigestKey(other), body)).not.toBe(digest);
      }),
    );
  });

  it('is HMAC-SHA256 for keys of any length (shorter than, equal to and longer than a SHA-256 block)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ minLength: 1, maxLength: 200 }), (body, key) => {
        expect(bodyDigestOf(key, body)).toBe(hmac(key, body));
        expect(bodyDigestOf(key, body)).toBe(hmac(key, body)); // again, from the pads prepared by the first call
      }),
    );
  });

  it('its key is domain-separated from finding fingerprints (no UTF-8 text fingerprints to it)', () => {
    const key = Buffer.from(bodyDigestKey(fingerprintKey)).toString('hex');
    const fingerprint = createFingerprinter(fingerprintKey);
    expect(fingerprint('proctor/body-digest/v1')).not.toBe(key);
    expect(fingerprint('\u00ffproctor/body-digest/v1')).not.toBe(key);
    expect(key).not.toBe(Buffer.from(fingerprintKey).toString('hex'));
  });

  it('gives the digests records already carry (known answers, so old chains still prove their bodies)', () => {
    const key = bodyDigestKey(fingerprintKey);
    const body = new TextEncoder().encode('{"model":"m"}');
    // Computed by the first implementation (a raw-bytes key imported on every call), before the key was imported once.
    expect(bodyDigestOf(key, body)).toBe('e3f644a0afe3736c2cfa801a62b8bd62196408e078e661bdc6b7d2d984eda176');
    expect(bodyDigestOf(key, new Uint8Array(0))).toBe(
      'e5fe4a0c45522bd824990f5e0d6e74ff43ae56c16289b1d91974007eca1a1255',
    );
    // The imported key is per key: another key of the same length never reuses the first one's.
    const other = new Uint8Array(key).fill(7);
    expect(bodyDigestOf(other, body)).toBe(hmac(other, body));
    expect(bodyDigestOf(other, body)).not.toBe(bodyDigestOf(key, body));
    const before = bodyDigestOf(other, body);
    other[0] = 8; // changed in place: imported again
    expect(bodyDigestOf(other, body)).not.toBe(before);
    expect(bodyDigestOf(other, body)).toBe(hmac(other, body));
  });

  it('refuses anything but a hex SHA-256 as its input digest', () => {
    expect(() => bodyDigest(bodyDigestKey(fingerprintKey), 'ABC')).toThrow(TypeError);
  });
});
