// Ed25519 signing keys for the ledger: on the native ed25519-dalek addon when it is built and agrees with node:crypto
// on the key (ed25519-batch.ts), else on node:crypto (OpenSSL); both give the same bytes (Ed25519 is deterministic).
// A Signer never exposes its private key; `kid` is "ed25519:" + hex SHA-256 of the raw 32-byte public key, so it
// names the key and nothing else. Keys that are not Ed25519, or not of the expected kind (private vs public), fail
// with ERR_KEY_INVALID.
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { nativeEd25519, nativeSigningKey } from './ed25519-batch.ts';
import type { NativeEd25519, NativeSigningKey, SignatureBackend } from './ed25519-batch.ts';
import { LedgerError } from './errors.ts';
import { signOnWorker } from './sign-pool.ts';

/** Signs ledger messages. MUST be deterministic for a given key and message (Ed25519 is). */
export interface Signer {
  readonly kid: string;
  readonly publicKeyPem: string;
  /** Which implementation signs (for reports); absent on signers that are not loadSigner's. */
  readonly backend?: SignatureBackend;
  sign(message: Uint8Array): Promise<Uint8Array>;
  /** Optional: signs many messages at once (same results as sign, in order), e.g. on another thread. */
  signMany?(messages: readonly Uint8Array[]): Promise<Uint8Array[]>;
}

/** node:crypto only: batches at least this large are signed half on the signing thread and half here meanwhile (the
 * event loop would otherwise only wait for the thread); smaller ones all here (a thread round trip costs more). */
const WORKER_MIN_BATCH = 16;

/**
 * A Signer from a PKCS#8 PEM Ed25519 private key. It signs with the native addon (`addon`, by default the one this
 * thread loaded, or none when PROCTOR_ED25519_NATIVE=off) when that agrees with node:crypto on this key.
 */
export function loadSigner(privateKeyPem: string, addon: NativeEd25519 | null = nativeEd25519()): Signer {
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
  const native = nativeSigningKey(key, addon);
  if (native !== null) {
    return {
      kid,
      publicKeyPem,
      backend: 'native-ed25519-dalek',
      sign: async (message) => signNative(native, [message])[0] as Uint8Array,
      signMany: async (messages) => signNative(native, messages),
    };
  }
  return {
    kid,
    publicKeyPem,
    backend: 'node-crypto',
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

/**
 * Native signatures, here on the event loop: at ~22 µs each (vs ~43 µs for node:crypto) a 64-record batch costs less
 * than handing half of it to the signing thread saves (docs/performance.md). One addon call when the messages are
 * the same length (a chain's records always are), one per message otherwise.
 */
function signNative(key: NativeSigningKey, messages: readonly Uint8Array[]): Uint8Array[] {
  const length = messages[0]?.length ?? 0;
  if (messages.length > 1 && messages.every((m) => m.length === length)) {
    const data = new Uint8Array(messages.length * length);
    messages.forEach((m, i) => data.set(m, i * length));
    const all = key.signBatch(data, length, messages.length);
    return messages.map((_, i) => signatureAt(all, i));
  }
  return messages.map((m) => signatureAt(key.signBatch(m, m.length, 1), 0));
}

function signatureAt(all: Uint8Array, i: number): Uint8Array {
  if (all.length < (i + 1) * 64)
    throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the native signer returned too few signature bytes');
  return new Uint8Array(all.buffer, all.byteOffset + i * 64, 64);
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
