// C2SP tlog-cosignature (cosignature/v1, signature type 0x04) of a checkpoint by a witness: Ed25519 over
// "cosignature/v1\ntime <unix seconds>\n" ‖ checkpoint body; the signature line's payload is key hash (4) ‖
// time (8, big-endian) ‖ signature (64). A witness is pinned by its verifier key
// `<name>+<hex key hash>+base64(0x04 ‖ key)`.
// Checking a cosignature never trusts its line: the key hash and name come from the pinned key, the bytes must verify.
import { createPrivateKey, createPublicKey, hash as digest, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { LedgerError } from './errors.ts';

export interface WitnessKey {
  /** The verifier key string as given. */
  vkey: string;
  name: string;
  keyHash: Uint8Array;
  publicKey: KeyObject;
}

export interface Cosignature {
  witness: string;
  /** Seconds since the epoch at which the witness signed. */
  time: number;
  /** The whole signature line, `— <name> <base64>` (no newline). */
  line: string;
}

const ALG_COSIGNATURE_V1 = 0x04;
const DASH = '\u2014';
const NAME = /^[!-*,-~]{1,255}$/; // printable ASCII, no space, no plus (signed-note key names)
const SIG_LINE = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/;

/** Parses a witness verifier key; anything but an Ed25519 cosignature/v1 key with a matching hash is refused. */
export function parseWitnessKey(vkey: string): WitnessKey {
  const m = /^([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(vkey); // base64 may hold '+': name and hash first
  const [, name, hashHex, keyB64] = m ?? [];
  if (name === undefined || !NAME.test(name)) throw badKey('not name+hash+key');
  const blob = Buffer.from(keyB64 ?? '', 'base64');
  if (blob.length !== 33 || blob.toString('base64') !== keyB64 || blob[0] !== ALG_COSIGNATURE_V1)
    throw badKey('not an Ed25519 cosignature/v1 key');
  const raw = blob.subarray(1);
  const keyHash = witnessKeyHash(name, raw);
  if (Buffer.from(keyHash).toString('hex') !== hashHex) throw badKey('the key hash does not match the key');
  const publicKey = createPublicKey({
    key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
  return { vkey, name, keyHash, publicKey };
}

export function witnessKeyHash(name: string, rawKey: Uint8Array): Uint8Array {
  const input = Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([ALG_COSIGNATURE_V1]), rawKey]);
  return new Uint8Array(digest('sha256', input, 'buffer')).slice(0, 4);
}

/** The bytes a witness signs for `body` (a checkpoint body, ending in a newline) at `time`. */
export function cosignedMessage(body: string, time: number): Uint8Array {
  return new TextEncoder().encode(`cosignature/v1\ntime ${time}\n${body}`);
}

/** Splits a signed note into its body (with its final newline) and its signature lines. */
export function splitNote(note: string): { body: string; lines: string[] } {
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new LedgerError('ERR_RECORD_NOT_CANONICAL', 'not a signed note');
  return { body: note.slice(0, split + 1), lines: note.slice(split + 2, -1).split('\n') };
}

/** The note with `lines` added to its signature block (lines already there are not repeated). */
export function withSignatures(note: string, lines: readonly string[]): string {
  const { body, lines: have } = splitNote(note);
  const all = [...have, ...lines.filter((l) => !have.includes(l))];
  return `${body}\n${all.join('\n')}\n`;
}

/** The note with only the signature lines named `origin` (the log's own): what is sent to a witness. */
export function logSignedOnly(note: string, origin: string): string {
  const { body, lines } = splitNote(note);
  return `${body}\n${lines.filter((l) => l.startsWith(`${DASH} ${origin} `)).join('\n')}\n`;
}

/** What a note's signature block says about one pinned witness: valid, absent, or present but not verifying. */
export type CosignatureCheck =
  | { status: 'valid'; cosignature: Cosignature }
  | { status: 'absent' }
  | { status: 'invalid'; line: string };

export function checkCosignature(note: string, witness: WitnessKey): CosignatureCheck {
  const { body, lines } = splitNote(note);
  let invalid: string | null = null;
  for (const line of lines) {
    const m = SIG_LINE.exec(line);
    if (!m || m[1] !== witness.name) continue;
    const blob = Buffer.from(m[2] ?? '', 'base64');
    if (blob.length < 4 || Buffer.compare(blob.subarray(0, 4), witness.keyHash) !== 0) continue; // another key
    const time = blob.length === 76 ? blob.readBigUInt64BE(4) : null;
    if (time !== null && time <= BigInt(Number.MAX_SAFE_INTEGER)) {
      const at = Number(time);
      if (verify(null, cosignedMessage(body, at), witness.publicKey, blob.subarray(12))) {
        return { status: 'valid', cosignature: { witness: witness.vkey, time: at, line } };
      }
    }
    invalid = line;
  }
  return invalid === null ? { status: 'absent' } : { status: 'invalid', line: invalid };
}

/** Cosigns `body` as a witness would (tests and tools; a real witness holds its own key). */
export function cosign(body: string, name: string, privateKeyPem: string, time: number): string {
  const key = createPrivateKey(privateKeyPem);
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  const raw = Buffer.from(String(jwk.x), 'base64url');
  const sig = sign(null, cosignedMessage(body, time), key);
  const t = Buffer.alloc(8);
  t.writeBigUInt64BE(BigInt(time));
  return `${DASH} ${name} ${Buffer.concat([witnessKeyHash(name, raw), t, sig]).toString('base64')}`;
}

/** The verifier key string of a witness's Ed25519 public key (PEM) under `name`. */
export function witnessVerifierKey(name: string, publicKeyPem: string): string {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  const raw = Buffer.from(String(jwk.x), 'base64url');
  const hex = Buffer.from(witnessKeyHash(name, raw)).toString('hex');
  return `${name}+${hex}+${Buffer.concat([Buffer.from([ALG_COSIGNATURE_V1]), raw]).toString('base64')}`;
}

function badKey(why: string): LedgerError {
  return new LedgerError('ERR_KEY_INVALID', `witness verifier key: ${why}`);
}
