// Optional native Ed25519 verification for `proctor verify` (native/ed25519-batch, built by scripts/native.sh into
// .tools/native/ed25519-batch.node). node:crypto stays the reference: the addon may only ACCEPT a signature that
// node:crypto (OpenSSL) accepts too; every signature it does not accept is re-checked here with node:crypto, so the
// verdicts are identical with and without the addon (docs/auditing.md, "Speed"). When the file is absent or fails
// to load, or PROCTOR_ED25519_NATIVE=off, verification uses node:crypto alone and signatureBackend() says so.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { KeyObject } from 'node:crypto';
import { signatureValid, signingMessage } from './record.ts';

export interface NativeEd25519 {
  /** n*32 key bytes, n*messageLength message bytes, n*64 signature bytes -> n bytes: 1 valid, 0 invalid, 2 undecided. */
  verifyBatch(publicKeys: Uint8Array, messages: Uint8Array, messageLength: number, signatures: Uint8Array): Uint8Array;
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
  if (process.env.PROCTOR_ED25519_NATIVE === 'off') return { addon: null, reason: 'disabled by PROCTOR_ED25519_NATIVE=off' };
  if (!existsSync(NATIVE_ADDON_PATH)) return { addon: null, reason: `${NATIVE_ADDON_PATH} not built (run scripts/native.sh; needs cargo)` };
  try {
    const addon = createRequire(import.meta.url)(NATIVE_ADDON_PATH) as Partial<NativeEd25519>;
    if (typeof addon.verifyBatch !== 'function') return { addon: null, reason: `${NATIVE_ADDON_PATH} has no verifyBatch function` };
    return { addon: addon as NativeEd25519, reason: '' };
  } catch (err) {
    return { addon: null, reason: `${NATIVE_ADDON_PATH} failed to load: ${err instanceof Error ? err.message : String(err)}` };
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
export function signaturesValid(checks: readonly SignatureCheck[], addon: NativeEd25519 | null = nativeEd25519()): boolean[] {
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
      const verdicts = addon.verifyBatch(keys.subarray(0, n * 32), messages.subarray(0, n * MESSAGE_LENGTH), MESSAGE_LENGTH, sigs.subarray(0, n * 64));
      if (verdicts.length !== n) throw new Error(`native Ed25519 verifier returned ${verdicts.length} verdicts for ${n} signatures`);
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
