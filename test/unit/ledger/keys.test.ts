import { createPrivateKey, createPublicKey, generateKeyPairSync, hash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LedgerError } from '../../../src/ledger/errors.ts';
import { generateSigningKey, kidOf, loadSigner, publicKeyFromPem } from '../../../src/ledger/keys.ts';

// RFC 8032 §7.1, TEST 1: secret key, public key and the signature of the empty message.
const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PUBLIC = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const SIGNATURE =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';

function rfc8032Pem(): string {
  const der = Buffer.from(`302e020100300506032b657004220420${SEED}`, 'hex');
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    .export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (err instanceof LedgerError) return err.code;
    throw err;
  }
  throw new Error('expected a LedgerError');
}

describe('loadSigner', () => {
  it('signs like RFC 8032 and names the key by the SHA-256 of its raw public key', async () => {
    const signer = loadSigner(rfc8032Pem());
    expect(Buffer.from(await signer.sign(new Uint8Array())).toString('hex')).toBe(SIGNATURE);
    expect(signer.kid).toBe(`ed25519:${hash('sha256', Buffer.from(PUBLIC, 'hex'), 'hex')}`);
    expect(kidOf(signer.publicKeyPem)).toBe(signer.kid);
  });

  it.each([
    ['garbage', 'not a key'],
    ['a public key', generateSigningKey().publicKeyPem],
    [
      'an RSA key',
      generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    ],
    [
      'an EC key',
      generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    ],
    [
      'an encrypted key',
      generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
        .toString(),
    ],
  ])('refuses %s with ERR_KEY_INVALID', (_name, pem) => {
    expect(code(() => loadSigner(pem))).toBe('ERR_KEY_INVALID');
  });
});

describe('public keys', () => {
  it('generateSigningKey returns a matching pair and kid', () => {
    const key = generateSigningKey();
    expect(loadSigner(key.privateKeyPem).kid).toBe(key.kid);
    expect(kidOf(key.publicKeyPem)).toBe(key.kid);
    expect(key.kid).toMatch(/^ed25519:[0-9a-f]{64}$/);
    expect(generateSigningKey().kid).not.toBe(key.kid);
  });

  it('publicKeyFromPem refuses private keys and non-Ed25519 keys', () => {
    const key = generateSigningKey();
    expect(publicKeyFromPem(key.publicKeyPem).asymmetricKeyType).toBe('ed25519');
    expect(code(() => publicKeyFromPem(key.privateKeyPem))).toBe('ERR_KEY_INVALID');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    expect(code(() => publicKeyFromPem(rsa))).toBe('ERR_KEY_INVALID');
    expect(code(() => kidOf('-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'))).toBe('ERR_KEY_INVALID');
    expect(createPublicKey(key.publicKeyPem).asymmetricKeyType).toBe('ed25519');
  });
});
