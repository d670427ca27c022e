// Private keys in DER written as a bare base64 run (a PEM block with its armor lines dropped: a reader adds them back,
// they are the same for every key): the first bytes of a base64 run that is not text are read as a DER private-key
// structure, PKCS#8 (RSA, RSASSA-PSS, EC, DSA, Ed25519, X25519, Ed448, X448), PKCS#1 RSA or DSA, SEC1 EC, and such a
// run reads as its PEM block, which the PRIVATE_KEY recognizer finds. Certificates, public keys (SPKI, PKCS#1) and
// encrypted PKCS#8 are other structures and are not. Invariant: at most DER_PREFIX characters of a run are decoded.

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

/** A private key read from a base64 run: its PEM block, and how many characters of the run it spans. */
export interface ArmoredKey {
  text: string;
  end: number;
}

/**
 * A base64 run (first character `M`: a SEQUENCE) that opens a DER private key, as its PEM block, over the characters
 * its DER length says it holds (a word glued after its last full line is not the key's); else undefined.
 */
export function privateKeyArmor(run: string): ArmoredKey | undefined {
  if (run.charCodeAt(0) !== 0x4d) return undefined;
  // Node's base64 decoder reads both alphabets and skips the line breaks of a wrapped run.
  const bytes = Buffer.from(run.slice(0, DER_PREFIX), 'base64');
  if (bytes.length < PEM_LINE_BYTES || !opensPrivateKey(bytes)) return undefined;
  const outer = element(bytes, 0) as { body: number; length: number };
  const chars = Math.ceil((outer.body + outer.length) / 3) * 4;
  let end = 0;
  for (let seen = 0; end < run.length && seen < chars; end += 1) {
    const code = run.charCodeAt(end);
    if (code !== 0x0a && code !== 0x0d) seen += 1;
  }
  const line = bytes.subarray(0, PEM_LINE_BYTES).toString('base64');
  return { text: `-----BEGIN PRIVATE KEY-----\n${line}\n-----END PRIVATE KEY-----`, end };
}
