// Key rotation inside a chain: a key_rotated record names the old and the new key, carries the new public key and
// the new key's counter-signature over the record's canonical bytes without counter_sig/hash/kid/sig (domain
// "proctor/key-rotation/v1\n"), and is itself signed by the old key. A verifier that trusts the old key MUST check
// both signatures before it trusts the new key, from the next record on, in that chain only.
import { createPublicKey, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { canonicalize } from './canonical.ts';
import type { JsonValue } from './canonical.ts';
import { LedgerError } from './errors.ts';
import { kidOf } from './keys.ts';
import type { Signer } from './keys.ts';
import { rawPublicKey } from './note.ts';
import type { UnsignedRecord } from './record.ts';

const DOMAIN = new TextEncoder().encode('proctor/key-rotation/v1\n');

function statement(record: Record<string, JsonValue>): Uint8Array {
  const { counter_sig: _c, hash: _h, kid: _k, sig: _s, ...rest } = record;
  const body = canonicalize(rest);
  const message = new Uint8Array(DOMAIN.length + body.length);
  message.set(DOMAIN, 0);
  message.set(body, DOMAIN.length);
  return message;
}

/** Completes an unsigned key_rotated record: key ids, the new public key and the new key's counter-signature. */
export async function rotationRecord(
  unsigned: UnsignedRecord,
  oldSigner: Signer,
  newSigner: Signer,
): Promise<UnsignedRecord> {
  if (newSigner.kid === oldSigner.kid) throw new LedgerError('ERR_KEY_INVALID', 'the new key is the current key');
  const record: UnsignedRecord = {
    ...unsigned,
    old_kid: oldSigner.kid,
    new_kid: newSigner.kid,
    new_public_key: Buffer.from(rawPublicKey(createPublicKey(newSigner.publicKeyPem))).toString('base64url'),
  };
  const counter = await newSigner.sign(statement(record));
  return { ...record, counter_sig: Buffer.from(counter).toString('base64url') };
}

/** The new key a key_rotated record validly introduces (its counter-signature checked), or null. The caller checks
 * the old key's signature. */
export function rotatedKey(record: Record<string, JsonValue>): { kid: string; key: KeyObject; pem: string } | null {
  if (
    record.type !== 'key_rotated' ||
    typeof record.new_public_key !== 'string' ||
    typeof record.counter_sig !== 'string'
  )
    return null;
  if (record.old_kid !== record.kid) return null;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: record.new_public_key }, format: 'jwk' });
  } catch {
    return null; // not a valid key: the rotation introduces none, which the caller reports
  }
  const pem = key.export({ type: 'spki', format: 'pem' }).toString();
  if (kidOf(pem) !== record.new_kid) return null;
  const sig = Buffer.from(record.counter_sig, 'base64url');
  if (sig.length !== 64 || !verify(null, statement(record), key, sig)) return null;
  return { kid: record.new_kid, key, pem };
}
