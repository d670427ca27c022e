// Optional native Ed25519 (native/ed25519-batch, built by scripts/native.sh into .tools/native/ed25519-batch.node),
// used to sign ledger records and to verify them in `proctor verify`; node:crypto stays the reference.
// Verify: the addon may only ACCEPT a signature that node:crypto (OpenSSL) accepts too; every signature it does not
// accept is re-checked here with node:crypto, so the verdicts are identical with and without the addon
// (docs/auditing.md, "Speed"). Sign: a key is used natively only after its public key and a probe signature match
// node:crypto's byte for byte (Ed25519 is deterministic); otherwise that key signs with node:crypto. When the file is
// absent or fails to load, or PROCTOR_ED25519_NATIVE=off, both use node:crypto alone and the backend says so.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createPublicKey, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { signatureValid, signingMessage } from './record.ts';

export interface NativeEd25519 {
  /** n*32 key bytes, n*messageLength message bytes, n*64 signature bytes -> n bytes: 1 valid, 0 invalid,
   * 2 undecided. */
  verifyBatch(publicKeys: Uint8Array, messages: Uint8Array, messageLength: number, signatures: Uint8Array): Uint8Array;
  /** Absent from addons built before signing was added: then every key signs with node:crypto. */
  Ed25519SigningKey?: new (
    seed: Uint8Array,
  ) => NativeSigningKey;
}

/** An Ed25519 private key held by the addon (expanded once, zeroed when collected). */
export interface NativeSigningKey {
  /** The 32-byte public key. */
  publicKey(): Uint8Array;
  /** count messages of messageLength bytes each, back to back -> count*64 signature bytes, in order. */
  signBatch(messages: Uint8Array, messageLength: number, count: number): Uint8Array;
}

export type SignatureBackend = 'native-ed25519-dalek' | 'node-crypto';

/** Where scripts/native.sh puts the addon. */
export const NATIVE_ADDON_PATH = fileURLToPath(new URL('../../.tools/native/ed25519-batch.node', import.meta.url));

let loaded: { addon: NativeEd25519 | null; reason: string } | undefined;

/** The addon, or null (with the reason in nativeUnavailableReason()). Loaded once per thread. */
export function nativeEd25519(): NativeEd25519 | null {
  if (loaded === undefined) loaded = load();
  return loaded.addon;
}

export function nativeUnavailableReason(): string | null {
  nativeEd25519();
  return loaded?.addon ? null : (loaded?.reason ?? null);
}

export function signatureBackend(): SignatureBackend {
  return nativeEd25519() === null ? 'node-crypto' : 'native-ed25519-dalek';
}

function load(): { addon: NativeEd25519 | null; reason: string } {
  if (process.env.PROCTOR_ED25519_NATIVE === 'off')
    return { addon: null, reason: 'disabled by PROCTOR_ED25519_NATIVE=off' };
  if (!existsSync(NATIVE_ADDON_PATH))
    return { addon: null, reason: `${NATIVE_ADDON_PATH} not built (run scripts/native.sh; needs cargo)` };
  try {
    const addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as Partial<NativeEd25519>;
    if (typeof addon.verifyBatch !== 'function')
      return { addon: null, reason: `${NATIVE_ADDON_PATH} has no verifyBatch function` };
    return { addon: addon as NativeEd25519, reason: '' };
  } catch (err) {
    return {
      addon: null,
      reason: `${NATIVE_ADDON_PATH} failed to load: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

const rawKeys = new WeakMap<KeyObject, Uint8Array | null>();

/** The 32-byte Ed25519 public key, or null for any other kind of key (then node:crypto decides). */
export function rawEd25519Key(key: KeyObject): Uint8Array | null {
  let raw = rawKeys.get(key);
  if (raw === undefined) {
    raw = null;
    if (key.type === 'public' && key.asymmetricKeyType === 'ed25519') {
      const x = key.export({ format: 'jwk' }).x;
      const bytes = typeof x === 'string' ? Buffer.from(x, 'base64url') : null;
      if (bytes !== null && bytes.length === 32) raw = bytes;
    }
    rawKeys.set(key, raw);
  }
  return raw;
}

/** One signature to check: the record's leaf hash, its sig text (base64url) and the key its kid names. */
export interface SignatureCheck {
  hash: Uint8Array;
  sig: string;
  key: KeyObject;
}

const MESSAGE_LENGTH = signingMessage(new Uint8Array(32)).length;

/**
 * Verdicts for many signatures, identical to signatureValid (node:crypto) on each: the addon checks the well-formed
 * ones and node:crypto re-checks every one the addon did not accept (invalid, undecided, malformed or not Ed25519).
 */
export function signaturesValid(
  checks: readonly SignatureCheck[],
  addon: NativeEd25519 | null = nativeEd25519(),
): boolean[] {
  const out = new Array<boolean>(checks.length).fill(false);
  const recheck: number[] = [];
  if (addon !== null) {
    const index: number[] = [];
    const keys = Buffer.allocUnsafe(checks.length * 32);
    const messages = Buffer.allocUnsafe(checks.length * MESSAGE_LENGTH);
    const sigs = Buffer.allocUnsafe(checks.length * 64);
    checks.forEach((c, i) => {
      const raw = rawEd25519Key(c.key);
      const sig = Buffer.from(c.sig, 'base64url');
      if (raw === null || sig.length !== 64 || c.hash.length !== 32) {
        recheck.push(i);
        return;
      }
      const n = index.length;
      keys.set(raw, n * 32);
      messages.set(signingMessage(c.hash), n * MESSAGE_LENGTH);
      sigs.set(sig, n * 64);
      index.push(i);
    });
    if (index.length > 0) {
      const n = index.length;
      const verdicts = addon.verifyBatch(
        keys.subarray(0, n * 32),
        messages.subarray(0, n * MESSAGE_LENGTH),
        MESSAGE_LENGTH,
        sigs.subarray(0, n * 64),
      );
      if (verdicts.length !== n)
        throw new Error(`native Ed25519 verifier returned ${verdicts.length} verdicts for ${n} signatures`);
      index.forEach((i, j) => {
        if (verdicts[j] === 1) out[i] = true;
        else recheck.push(i);
      });
    }
  } else for (let i = 0; i < checks.length; i++) recheck.push(i);
  for (const i of recheck) {
    const c = checks[i] as SignatureCheck;
    out[i] = signatureValid(c.hash, c.sig, c.key);
  }
  return out;
}

/** The cross-check message: shaped like a record's signing message (the domain, then a 32-byte hash). */
const PROBE = signingMessage(new Uint8Array(32).fill(0x5a));

/** PKCS#8 (RFC 8410) DER of an Ed25519 private key up to its 32-byte seed: the seed is the rest of the 48 bytes. */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * The addon's signing key for an Ed25519 private key, or null when the addon is absent, cannot sign, or disagrees
 * with node:crypto on this key (its public key, or its signature of a probe message): the caller then signs with
 * node:crypto. Nothing about the key is logged or put in an error. The seed is read from the DER export (a buffer,
 * wiped once the addon holds its own copy), not the JWK `d` (a string, which could not be wiped).
 */
export function nativeSigningKey(
  privateKey: KeyObject,
  addon: NativeEd25519 | null = nativeEd25519(),
): NativeSigningKey | null {
  if (addon === null || typeof addon.Ed25519SigningKey !== 'function') return null;
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') return null;
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  let key: NativeSigningKey;
  try {
    const prefix = PKCS8_ED25519_PREFIX.length;
    if (der.length !== prefix + 32 || !der.subarray(0, prefix).equals(PKCS8_ED25519_PREFIX)) return null;
    key = new addon.Ed25519SigningKey(der.subarray(prefix));
  } catch {
    return null; // the contract above: any doubt means node:crypto signs; nothing about the key goes in an error
  } finally {
    der.fill(0);
  }
  try {
    const publicKey = rawEd25519Key(createPublicKey(privateKey));
    const reference = sign(null, PROBE, privateKey);
    const probe = key.signBatch(PROBE, PROBE.length, 1);
    if (publicKey === null || !Buffer.from(key.publicKey()).equals(publicKey) || !Buffer.from(probe).equals(reference))
      return null;
  } catch {
    return null; // as above: a probe that fails means node:crypto signs
  }
  return key;
}
