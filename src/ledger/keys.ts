// Ed25519 signing keys for the ledger, on node:crypto (OpenSSL). A Signer never exposes its private key; `kid`
// is "ed25519:" + hex SHA-256 of the raw 32-byte public key, so it names the key and nothing else.
// Keys that are not Ed25519, or not of the expected kind (private vs public), fail with ERR_KEY_INVALID.
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { LedgerError } from './errors.ts';
import { signOnWorker } from './sign-pool.ts';

/** Signs ledger messages. MUST be deterministic for a given key and message (Ed25519 is). */
export interface Signer {
  readonly kid: string;
  readonly publicKeyPem: string;
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** Optional: signs many messages at once (same results as sign, in order), e.g. on another thread. */
  signMany?(messages: readonly Uint8Array[]): Promise<Uint8Array[]>;
}

/** Batches at least this large are signed half on the signing thread and half here meanwhile (the event loop would
 * otherwise only wait for the thread); smaller ones all here (a thread round trip costs more). */
const WORKER_MIN_BATCH = 16;

/** A Signer from a PKCS#8 PEM Ed25519 private key. */
export function loadSigner(privateKeyPem: string): Signer {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  } catch (err) {
    throw new LedgerError('ERR_KEY_INVALID', 'signing key is not a readable unencrypted PKCS#8 PEM private key', {
      cause: err,
    });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new LedgerError('ERR_KEY_INVALID', `signing key is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`);
  }
  const publicKey = createPublicKey(key);
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const kid = kidOfKey(publicKey);
  return {
    kid,
    publicKeyPem,
    sign: async (message) => new Uint8Array(sign(null, message, key)),
    async signMany(messages) {
      if (messages.length < WORKER_MIN_BATCH) return messages.map((m) => new Uint8Array(sign(null, m, key)));
      const half = messages.length >> 1;
      const there = signOnWorker(key, messages.slice(half));
      const here = messages.slice(0, half).map((m) => new Uint8Array(sign(null, m, key)));
      return [...here, ...(await there)];
    },
  };
}

export function generateSigningKey(): { privateKeyPem: string; publicKeyPem: string; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    kid: kidOfKey(publicKey),
  };
}

/** An Ed25519 public key from an SPKI PEM. A private key PEM is refused: verifiers are given public keys only. */
export function publicKeyFromPem(publicKeyPem: string): KeyObject {
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(publicKeyPem)) {
    throw new LedgerError('ERR_KEY_INVALID', 'expected a public key, got a private key');
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: publicKeyPem, format: 'pem' });
  } catch (err) {
    throw new LedgerError('ERR_KEY_INVALID', 'not a readable PEM public key', { cause: err });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new LedgerError('ERR_KEY_INVALID', `public key is ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`);
  }
  return key;
}

export function kidOf(publicKeyPem: string): string {
  return kidOfKey(publicKeyFromPem(publicKeyPem));
}

function kidOfKey(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new LedgerError('ERR_KEY_INVALID', 'public key has no raw form');
  return `ed25519:${hash('sha256', Buffer.from(jwk.x, 'base64url'), 'hex')}`;
}
