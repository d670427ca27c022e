// The native Ed25519 verifier (native/ed25519-batch, loaded by src/ledger/ed25519-batch.ts) against
// node:crypto, the reference: it may only accept what node:crypto accepts, and signaturesValid (addon +
// node:crypto re-check) gives node:crypto's verdict on valid, corrupted, wrong-key, wrong-message,
// non-canonical and mixed batches. The native cases run when the addon is built (scripts/native.sh);
// PROCTOR_REQUIRE_NATIVE=1 (and CI=true) makes its absence a failure.
import { createPublicKey, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  nativeEd25519,
  nativeUnavailableReason,
  rawEd25519Key,
  signatureBackend,
  signaturesValid,
} from '../../../src/ledger/ed25519-batch.ts';
import type { SignatureCheck } from '../../../src/ledger/ed25519-batch.ts';
import { signatureValid, signingMessage } from '../../../src/ledger/record.ts';

const addon = nativeEd25519();
const L = (1n << 252n) + 27742317777372353535851937790883648493n;

function keyPair(): { pub: KeyObject; priv: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return { pub: publicKey, priv: privateKey };
}

function signed(priv: KeyObject, pub: KeyObject): SignatureCheck & { raw: Buffer } {
  const hash = randomBytes(32);
  const raw = sign(null, signingMessage(hash), priv);
  return { hash, sig: raw.toString('base64url'), key: pub, raw };
}

function withSig(c: SignatureCheck, sig: Buffer): SignatureCheck {
  return { ...c, sig: sig.toString('base64url') };
}

/** S + L: the same group element, a non-canonical scalar (OpenSSL and dalek both reject it). */
function nonCanonicalS(sig: Buffer): Buffer {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i] as number);
  s += L;
  const out = Buffer.from(sig);
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

function reference(checks: readonly SignatureCheck[]): boolean[] {
  return checks.map((c) => signatureValid(c.hash, c.sig, c.key));
}

/** The raw native verdicts for well-formed checks (all Ed25519, 64-byte signatures). */
function nativeVerdicts(checks: readonly SignatureCheck[]): number[] {
  if (addon === null) throw new Error('addon not loaded');
  const msgLen = signingMessage(new Uint8Array(32)).length;
  const keys = Buffer.concat(checks.map((c) => rawEd25519Key(c.key) as Uint8Array));
  const msgs = Buffer.concat(checks.map((c) => signingMessage(c.hash)));
  const sigs = Buffer.concat(checks.map((c) => Buffer.from(c.sig, 'base64url')));
  return [...addon.verifyBatch(keys, msgs, msgLen, sigs)];
}

/** A mixed batch over three keys: valid, bit flips in R and in S, wrong key, wrong message, S + L. */
function mixedBatch(): { checks: SignatureCheck[]; expected: boolean[] } {
  const pairs = [keyPair(), keyPair(), keyPair()];
  const checks: SignatureCheck[] = [];
  const expected: boolean[] = [];
  for (let i = 0; i < 60; i++) {
    const p = pairs[i % 3] as { pub: KeyObject; priv: KeyObject };
    const c = signed(p.priv, p.pub);
    const kind = i % 6;
    if (kind === 0) {
      checks.push(c);
      expected.push(true);
    } else if (kind === 1 || kind === 2) {
      const bad = Buffer.from(c.raw);
      const at = kind === 1 ? i % 32 : 32 + (i % 31);
      bad[at] = (bad[at] as number) ^ (1 << (i % 8));
      checks.push(withSig(c, bad));
      expected.push(false);
    } else if (kind === 3) {
      checks.push({ ...c, key: (pairs[(i + 1) % 3] as { pub: KeyObject }).pub });
      expected.push(false);
    } else if (kind === 4) {
      const hash = Buffer.from(c.hash);
      hash[0] = (hash[0] as number) ^ 1;
      checks.push({ ...c, hash });
      expected.push(false);
    } else {
      checks.push(withSig(c, nonCanonicalS(c.raw)));
      expected.push(false);
    }
  }
  return { checks, expected };
}

describe('signaturesValid (native addon when built, node:crypto re-checking)', () => {
  it('reports which backend it uses', () => {
    expect(signatureBackend()).toBe(addon === null ? 'node-crypto' : 'native-ed25519-dalek');
    if (addon === null) expect(nativeUnavailableReason()).toMatch(/ed25519-batch\.node|PROCTOR_ED25519_NATIVE=off/);
    // CI (which builds it through scripts/deps.sh, with cargo from the machine) must have
    // it: the speed claim rests on it.
    const required =
      process.env.PROCTOR_REQUIRE_NATIVE === '1' ||
      (process.env.CI === 'true' && process.env.PROCTOR_ED25519_NATIVE !== 'off');
    if (required) expect(addon, nativeUnavailableReason() ?? '').not.toBeNull();
  });

  it('gives node:crypto verdicts on a mixed batch, with and without the addon', () => {
    const { checks, expected } = mixedBatch();
    expect(reference(checks)).toEqual(expected);
    expect(signaturesValid(checks)).toEqual(expected);
    expect(signaturesValid(checks, null)).toEqual(expected);
  });

  it('sends malformed signatures and non-Ed25519 keys to node:crypto (invalid)', () => {
    const p = keyPair();
    const good = signed(p.priv, p.pub);
    const { publicKey: ecKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const checks: SignatureCheck[] = [
      good,
      { ...good, sig: good.raw.subarray(0, 63).toString('base64url') },
      { ...good, sig: '' },
      { ...good, key: ecKey },
    ];
    expect(signaturesValid(checks)).toEqual([true, false, false, false]);
    expect(rawEd25519Key(ecKey)).toBeNull();
  });

  it('handles an empty list', () => {
    expect(signaturesValid([])).toEqual([]);
  });
});

describe.skipIf(addon === null)('native Ed25519 addon', () => {
  it('accepts valid signatures under several keys', () => {
    const pairs = [keyPair(), keyPair()];
    const checks = Array.from({ length: 40 }, (_, i) =>
      signed((pairs[i % 2] as { priv: KeyObject }).priv, (pairs[i % 2] as { pub: KeyObject }).pub),
    );
    expect(nativeVerdicts(checks)).toEqual(checks.map(() => 1));
  });

  it('never accepts what node:crypto rejects, and accepts what it accepts, in a mixed batch', () => {
    const { checks, expected } = mixedBatch();
    const verdicts = nativeVerdicts(checks);
    expect(verdicts).toEqual(expected.map((ok) => (ok ? 1 : 0)));
  });

  it('agrees with node:crypto on every single-bit flip of a signature', () => {
    const p = keyPair();
    const c = signed(p.priv, p.pub);
    const checks: SignatureCheck[] = [];
    for (let bit = 0; bit < 512; bit++) {
      const bad = Buffer.from(c.raw);
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
      checks.push(withSig(c, bad));
    }
    const verdicts = nativeVerdicts(checks);
    const ref = reference(checks);
    verdicts.forEach((v, i) => {
      if (v === 1) expect(ref[i]).toBe(true);
    });
    expect(ref.every((ok) => !ok)).toBe(true);
    expect(signaturesValid(checks)).toEqual(ref);
  });

  it('leaves a non-canonically encoded public key undecided (2) for node:crypto', () => {
    // y = p + 1 (2^255 - 18): a non-canonical encoding of the identity point.
    const nonCanonical = Buffer.alloc(32, 0xff);
    nonCanonical[0] = 0xee;
    nonCanonical[31] = 0x7f;
    const p = keyPair();
    const c = signed(p.priv, p.pub);
    const msg = signingMessage(c.hash);
    expect([...(addon as NonNullable<typeof addon>).verifyBatch(nonCanonical, msg, msg.length, c.raw)]).toEqual([2]);
    // The same bytes as a KeyObject, if OpenSSL imports them: the combined verdict is node:crypto's.
    let key: KeyObject | null = null;
    try {
      key = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: nonCanonical.toString('base64url') },
        format: 'jwk',
      });
    } catch {
      key = null;
    }
    if (key !== null) {
      const check = { hash: c.hash, sig: c.sig, key };
      expect(signaturesValid([check])).toEqual(reference([check]));
    }
  });

  it('rejects inputs of the wrong length with a clear error', () => {
    const a = addon as NonNullable<typeof addon>;
    expect(() => a.verifyBatch(Buffer.alloc(31), Buffer.alloc(56), 56, Buffer.alloc(64))).toThrow(
      /public keys: 31 bytes/,
    );
    expect(() => a.verifyBatch(Buffer.alloc(32), Buffer.alloc(56), 56, Buffer.alloc(63))).toThrow(
      /signatures: 63 bytes, expected 64/,
    );
    expect(() => a.verifyBatch(Buffer.alloc(32), Buffer.alloc(55), 56, Buffer.alloc(64))).toThrow(
      /messages: 55 bytes, expected 56/,
    );
  });
});
