import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFingerprinter } from '../../../src/classification/fingerprint.ts';
import { bodyDigest, bodyDigestKey, bodyDigestOf } from '../../../src/ledger/body-digest.ts';

const fingerprintKey = new TextEncoder().encode('k'.repeat(32));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

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

  it('its key is domain-separated from finding fingerprints (no UTF-8 text fingerprints to it)', () => {
    const key = Buffer.from(bodyDigestKey(fingerprintKey)).toString('hex');
    const fingerprint = createFingerprinter(fingerprintKey);
    expect(fingerprint('proctor/body-digest/v1')).not.toBe(key);
    expect(fingerprint('\u00ffproctor/body-digest/v1')).not.toBe(key);
    expect(key).not.toBe(Buffer.from(fingerprintKey).toString('hex'));
  });

  it('refuses anything but a hex SHA-256 as its input digest', () => {
    expect(() => bodyDigest(bodyDigestKey(fingerprintKey), 'ABC')).toThrow(TypeError);
  });
});
