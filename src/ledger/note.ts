// C2SP tlog-checkpoint bodies in C2SP signed-note envelopes, with Ed25519 (signature type 0x01):
// body = origin ‖ "\n" ‖ tree size ‖ "\n" ‖ base64(root) ‖ "\n";
// note = body ‖ "\n" ‖ one line per signature, "— <key name> <base64(key hash[0:4] ‖ signature)>\n",
// key hash = SHA-256(name ‖ "\n" ‖ 0x01 ‖ raw public key).
// Opening a note checks the shape strictly and the signature of a named, trusted key; anything else is refused.
import { createPublicKey, hash as digest, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { LedgerError } from './errors.ts';
import type { Signer } from './keys.ts';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
}

const ORIGIN = /^[\x21-\x7e]+$/; // printable ASCII without spaces, as the signed-note key name grammar requires
const DASH = '\u2014';

export function rawPublicKey(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new LedgerError('ERR_KEY_INVALID', 'public key has no raw form');
  return new Uint8Array(Buffer.from(jwk.x, 'base64url'));
}

/** The 4-byte signed-note key hash of an Ed25519 key under `name`. */
export function noteKeyHash(name: string, publicKey: KeyObject): Uint8Array {
  const input = Buffer.concat([Buffer.from(`${name}\n`, 'utf8'), Buffer.from([0x01]), rawPublicKey(publicKey)]);
  return new Uint8Array(digest('sha256', input, 'buffer')).slice(0, 4);
}

/** The C2SP vkey string (`<name>+<hex key hash>+<base64(0x01 ‖ key)>`) a witness or verifier pins. */
export function verifierKey(name: string, publicKeyPem: string): string {
  const key = createPublicKey(publicKeyPem);
  const hash = Buffer.from(noteKeyHash(name, key)).toString('hex');
  return `${name}+${hash}+${Buffer.concat([Buffer.from([0x01]), rawPublicKey(key)]).toString('base64')}`;
}

export function checkpointBody(c: Checkpoint): string {
  if (!ORIGIN.test(c.origin))
    throw new LedgerError('ERR_RECORD_INVALID', 'checkpoint origin must be printable ASCII without spaces');
  if (!Number.isSafeInteger(c.size) || c.size < 0 || c.root.length !== 32)
    throw new LedgerError('ERR_RECORD_INVALID', 'bad checkpoint size or root');
  return `${c.origin}\n${c.size}\n${Buffer.from(c.root).toString('base64')}\n`;
}

/** Signs `text` (which MUST end in a newline) as a signed note under the key name `name`. */
export async function signNote(text: string, name: string, signer: Signer): Promise<string> {
  if (!text.endsWith('\n') || !ORIGIN.test(name))
    throw new LedgerError('ERR_RECORD_INVALID', 'a note text ends in a newline; a key name is printable ASCII');
  const sig = await signer.sign(new TextEncoder().encode(text));
  const keyHash = noteKeyHash(name, createPublicKey(signer.publicKeyPem));
  return `${text}\n${DASH} ${name} ${Buffer.concat([keyHash, sig]).toString('base64')}\n`;
}

/** Signs the checkpoint as a note whose key name is the origin. */
export function signCheckpoint(c: Checkpoint, signer: Signer): Promise<string> {
  return signNote(checkpointBody(c), c.origin, signer);
}

/**
 * The largest checkpoint note opened, in UTF-8 bytes. A note Proctor writes is its body (at most ~320 bytes with a
 * 255-character origin), its own signature line or two (key rotation) and one cosignature line per witness (at most
 * 16 witnesses, ~360 bytes each): under 7 KiB. A note is checked line by line over its whole body, so its size bounds
 * what opening it costs, wherever it came from (a database row, a sink, a packet, a witness request).
 */
export const MAX_NOTE_BYTES = 16 * 1024;

/** Parses a checkpoint note and checks that one of `keys` (public keys named by the origin) signed it. A note over
 * MAX_NOTE_BYTES is refused unread; each key is tried on one signature line at most (the first naming it). */
export function openCheckpoint(note: string, keys: readonly KeyObject[]): Checkpoint {
  if (note.length > MAX_NOTE_BYTES || Buffer.byteLength(note) > MAX_NOTE_BYTES)
    throw bad(`larger than ${MAX_NOTE_BYTES} bytes`);
  const split = note.indexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw bad('not a signed note');
  const body = note.slice(0, split + 1);
  const lines = body.split('\n');
  const [origin, sizeText, rootText] = lines;
  if (
    lines.length < 4 ||
    origin === undefined ||
    !ORIGIN.test(origin) ||
    !/^(0|[1-9][0-9]{0,15})$/.test(sizeText ?? '')
  )
    throw bad('not a checkpoint body');
  const root = Buffer.from(rootText ?? '', 'base64');
  if (root.length !== 32 || root.toString('base64') !== rootText) throw bad('the root is not base64 of 32 bytes');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw bad('tree size out of range');
  const message = new TextEncoder().encode(body);
  const tried = new Set<KeyObject>();
  for (const line of note.slice(split + 2, -1).split('\n')) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+=*)$/.exec(line);
    if (!m) throw bad('a signature line is malformed');
    if (m[1] !== origin) continue;
    const blob = Buffer.from(m[2] ?? '', 'base64');
    if (blob.length !== 68) continue;
    for (const key of keys) {
      if (tried.has(key) || Buffer.compare(blob.subarray(0, 4), noteKeyHash(origin, key)) !== 0) continue;
      tried.add(key);
      if (verify(null, message, key, blob.subarray(4))) return { origin, size, root: new Uint8Array(root) };
    }
  }
  throw new LedgerError('ERR_KEY_INVALID', 'no trusted key signed this checkpoint');
}

function bad(why: string): LedgerError {
  return new LedgerError('ERR_RECORD_NOT_CANONICAL', `checkpoint note: ${why}`);
}
