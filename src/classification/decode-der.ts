// Private keys in DER written as a bare base64 run (a PEM block with its armor lines dropped: a reader adds them back,
// they are the same for every key): the first bytes of a base64 run that is not text, at any of its first four
// offsets or after a glued word ending in `_` or `-`, and a hex run's first 96 bytes, are read as a DER private-key
// structure, PKCS#8 (RSA, RSASSA-PSS, EC, DSA, Ed25519, X25519, Ed448, X448), PKCS#1 RSA or DSA, SEC1 EC, and such a
// run reads as its PEM block, which the PRIVATE_KEY recognizer finds. Certificates, public keys (SPKI, PKCS#1) and
// encrypted PKCS#8 are other structures and are not. Invariant: at most six reads of DER_PREFIX characters a run.

/** Characters of a run decoded to read its structure (96 bytes: the header and the first element after it). */
const DER_PREFIX = 128;

/** Bytes read back as the PEM body: the 64 characters of a PEM line (an Ed25519 PKCS#8 key is 48 bytes in all). */
const PEM_LINE_BYTES = 48;

/** The algorithm OIDs (DER content) of a PKCS#8 key: rsaEncryption, RSASSA-PSS, ecPublicKey, DSA, Ed/X25519/448. */
const KEY_ALGORITHMS = [
  '2a864886f70d010101',
  '2a864886f70d01010a',
  '2a8648ce3d0201',
  '2a8648ce380401',
  '2b6570',
  '2b656e',
  '2b6571',
  '2b656f',
].map((hex) => Buffer.from(hex, 'hex'));

/** A DER element at `at`: its tag, where its content starts and its length; undefined when it is cut or malformed. */
function element(bytes: Buffer, at: number): { tag: number; body: number; length: number } | undefined {
  if (at + 2 > bytes.length) return undefined;
  const tag = bytes[at] as number;
  let length = bytes[at + 1] as number;
  let body = at + 2;
  if (length >= 0x80) {
    const size = length & 0x7f;
    if (size === 0 || size > 3 || body + size > bytes.length) return undefined;
    length = 0;
    for (let k = 0; k < size; k += 1) length = length * 256 + (bytes[body + k] as number);
    body += size;
  }
  return { tag, body, length };
}

/** Whether `bytes` (a key's first bytes) open a DER private key: a SEQUENCE, a version, then a key's own element. */
export function opensPrivateKey(bytes: Buffer): boolean {
  const outer = element(bytes, 0);
  if (outer?.tag !== 0x30) return false;
  const version = element(bytes, outer.body);
  if (version?.tag !== 0x02 || version.length !== 1) return false;
  const v = bytes[version.body] as number;
  const next = element(bytes, version.body + 1);
  if (next === undefined || v > 1) return false;
  if (next.tag === 0x30) {
    // PKCS#8 (v0; OneAsymmetricKey v1): AlgorithmIdentifier { OID, params } then the key as an OCTET STRING.
    const oid = element(bytes, next.body);
    if (oid?.tag !== 0x06) return false;
    const id = bytes.subarray(oid.body, oid.body + oid.length);
    return KEY_ALGORITHMS.some((known) => known.equals(id)) && element(bytes, next.body + next.length)?.tag === 0x04;
  }
  // PKCS#1 RSA or OpenSSL DSA (v0, then a modulus or prime of 512 bits or more); SEC1 EC (v1, then the private key).
  if (v === 0) return next.tag === 0x02 && next.length >= 64;
  return next.tag === 0x04 && next.length >= 16 && next.length <= 72;
}

/** A private key read from a base64 or hex run: its PEM block, and how many characters of the run it spans. */
export interface ArmoredKey {
  text: string;
  end: number;
}

/** Most characters of a leading word glued before a key (`key_`, `private-`) through its `_` or `-`. */
const MAX_GLUED_WORD = 32;

/**
 * A run that opens a DER private key, as its PEM block, over the characters its DER length says it holds (a word
 * glued after its last full line is not the key's); else undefined. Base64 is read at each of the run's first four
 * offsets (a word glued before shifts the quads) and after a leading word ending in `_` or `-` (base64url's own
 * characters, so part of the run); a hex run (`xxd -p`) from its start. At most six reads of DER_PREFIX characters.
 */
export function privateKeyArmor(run: string): ArmoredKey | undefined {
  const hex = hexKey(run);
  if (hex !== undefined) return hex;
  for (let offset = 0; offset < 4; offset += 1) {
    const key = base64Key(run, offset);
    if (key !== undefined) return key;
  }
  for (let at = 0; at < Math.min(run.length, MAX_GLUED_WORD); at += 1) {
    const code = run.charCodeAt(at);
    if (code === 0x5f || code === 0x2d) return at + 1 < 4 ? undefined : base64Key(run, at + 1);
  }
  return undefined;
}

/** The key a base64 run holds from `offset` (first character `M`: a SEQUENCE). */
function base64Key(run: string, offset: number): ArmoredKey | undefined {
  if (run.charCodeAt(offset) !== 0x4d) return undefined;
  // Node's base64 decoder reads both alphabets and skips the line breaks of a wrapped run.
  const bytes = Buffer.from(run.slice(offset, offset + DER_PREFIX), 'base64');
  const size = keySize(bytes);
  if (size === undefined) return undefined;
  const chars = Math.ceil(size / 3) * 4;
  let end = offset;
  for (let seen = 0; end < run.length && seen < chars; end += 1) {
    const code = run.charCodeAt(end);
    if (code !== 0x0a && code !== 0x0d) seen += 1;
  }
  return { text: armored(bytes), end };
}

/** The key a run of hex digits holds from its start (`30…`: a SEQUENCE), two characters a byte. */
function hexKey(run: string): ArmoredKey | undefined {
  if (run.charCodeAt(0) !== 0x33 || run.charCodeAt(1) !== 0x30) return undefined;
  const prefix = run.slice(0, DER_PREFIX * 1.5);
  if (prefix.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(prefix)) return undefined;
  const bytes = Buffer.from(prefix, 'hex');
  const size = keySize(bytes);
  return size === undefined ? undefined : { text: armored(bytes), end: Math.min(run.length, size * 2) };
}

/** The whole DER length of the private key `bytes` open (their first PEM line at least), or undefined. */
function keySize(bytes: Buffer): number | undefined {
  if (bytes.length < PEM_LINE_BYTES || !opensPrivateKey(bytes)) return undefined;
  const outer = element(bytes, 0) as { body: number; length: number };
  return outer.body + outer.length;
}

/** A private key's PEM block, of its first line (what the PRIVATE_KEY recognizer reads). */
function armored(bytes: Buffer): string {
  const line = bytes.subarray(0, PEM_LINE_BYTES).toString('base64');
  return `-----BEGIN PRIVATE KEY-----\n${line}\n-----END PRIVATE KEY-----`;
}
