// Private keys in DER written without their PEM armor (a reader adds the armor lines back: they are the same for every
// key), in base64, hex or decimal bytes however a tool or a person lays them out (decode-der-notations.ts): every
// place of a text where a DER private-key structure opens is read, PKCS#8 (RSA, RSASSA-PSS, EC, DSA, Ed25519, X25519,
// Ed448, X448), PKCS#1 RSA or DSA, SEC1 EC, and reads as its PEM block, which the PRIVATE_KEY recognizer finds.
// Certificates, public keys (SPKI, PKCS#1) and encrypted PKCS#8 are other structures and are not. Invariants (linear):
// a candidate costs a read of OPENER_BYTES; only an opening that passes (SEQUENCE, version, a key's element: eight
// bytes of fixed shape, so two are eight bytes apart at least) costs a read of DER_PREFIX_BYTES; a key found is walked
// once to its end, and the scan goes on after it. No key's bytes outlive the call (the reused buffer is zeroed).
import { isHexDigit, type NextCandidate } from './decode-bytes.ts';
import { GAP_CLASS, HEX_GAP_CLASS, isDigit, MAX_KEY_GAP, type Reader } from './decode-der-gaps.ts';
import { hexTokenAt, pastSuffix } from './decode-der-hex.ts';
import { base64Reader, decimalReader, hexReader } from './decode-der-notations.ts';
import { cellRowsReader } from './decode-der-rows.ts';

export { MAX_KEY_GAP } from './decode-der-gaps.ts';

/** Bytes read to judge a structure (the header and the first elements after it). */
export const DER_PREFIX_BYTES = 96;

/** Bytes of a candidate's opening read before any more: SEQUENCE and length, version, the next element's header. */
export const OPENER_BYTES = 14;

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
function element(bytes: Uint8Array, at: number): { tag: number; body: number; length: number } | undefined {
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
export function opensPrivateKey(bytes: Uint8Array): boolean {
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

/**
 * Whether `n` bytes (OPENER_BYTES at most) can open a private key: SEQUENCE of 46 bytes or more (a PEM line's 48 in
 * all), version 0 or 1, then an AlgorithmIdentifier's SEQUENCE and its OID's tag (PKCS#8), a modulus or prime of 64
 * bytes or more (PKCS#1, DSA: version 0) or a private key's OCTET STRING of 16 to 72 bytes (SEC1: version 1). The
 * cheap test every candidate gets, on its first three bytes alone first (opensPrivateKey reads the rest).
 */
export function opens(bytes: Uint8Array, n: number): boolean {
  if (n < 3 || bytes[0] !== 0x30) return false;
  const size = bytes[1] as number;
  if (size < 0x2e || size === 0x80 || size > 0x83) return false;
  const body = size < 0x80 ? 2 : 2 + (size & 0x7f);
  if (n === 3) return body > 2 || bytes[2] === 0x02; // the first three bytes only
  if (n < 8) return false;
  if (bytes[body] !== 0x02 || bytes[body + 1] !== 0x01 || (bytes[body + 2] as number) > 1) return false;
  const v = bytes[body + 2];
  const next = element(bytes.subarray(0, n), body + 3);
  if (next?.tag === 0x30) return next.body < n && bytes[next.body] === 0x06;
  if (next?.tag === 0x02) return v === 0 && next.length >= 64;
  return next?.tag === 0x04 && v === 1 && next.length >= 16 && next.length <= 72;
}

/** A private key found in a text: the characters it is written in, [start, end), and its PEM block. */
export interface ArmoredKey {
  start: number;
  end: number;
  text: string;
}

/**
 * Where a key may start (a superset: the reader decides): `M` then a length's first character (`MC`…`MI`: a SEQUENCE
 * of 46 bytes or more) in base64; `30` then a length byte in hex; `48` then a length in decimal; gaps and prefixes
 * allowed between them.
 */
export const KEY_START = [
  `M${GAP_CLASS}{0,${MAX_KEY_GAP}}[C-I]`,
  String.raw`(?:0[xX]|\\x)?30${HEX_GAP_CLASS}{0,${MAX_KEY_GAP}}(?:0[xX]|\\x)?[2-8][0-9A-Fa-f]`,
  `48${GAP_CLASS}{1,${MAX_KEY_GAP}}-?[1-9][0-9]`,
].join('|');

/** Bytes of a candidate being read (reused; zeroed before each read returns: no key's bytes outlive the call). */
const scratch = new Uint8Array(DER_PREFIX_BYTES);

/** The reader of a key whose first character is at `at`, in base64, hex or decimal bytes, or undefined. */
export function keyReaderAt(text: string, at: number): Reader | undefined {
  const code = text.charCodeAt(at);
  if (code === 0x4d) return base64Reader(text, at);
  if (code === 0x34) {
    const before = text.charCodeAt(at - 1);
    if (text.charCodeAt(at + 1) !== 0x38 || isDigit(before) || before === 0x2d || before === 0x2e) return undefined;
    return decimalReader(text, at);
  }
  const digits = hexTokenAt(text, at);
  if (digits < 0 || text.charCodeAt(digits) !== 0x33 || text.charCodeAt(digits + 1) !== 0x30) return undefined;
  return hexReader(text, at, OPENER_BYTES);
}

/** The key whose first character is at `at`, or undefined. */
function keyAt(text: string, at: number): ArmoredKey | undefined {
  const read = keyReaderAt(text, at);
  return read === undefined ? undefined : readKey(at, read);
}

/** The key `read` reads from `at`: its opening, then DER_PREFIX_BYTES judged, then walked to its DER length. */
function readKey(at: number, read: Reader): ArmoredKey | undefined {
  try {
    // Three bytes first (a SEQUENCE's tag and length: most candidates end there), then the opening.
    if (!opens(scratch, read(3, scratch).n) || !opens(scratch, read(OPENER_BYTES, scratch).n)) return undefined;
    const n = read(DER_PREFIX_BYTES, scratch).n;
    const bytes = scratch.subarray(0, n);
    if (n < PEM_LINE_BYTES || !opensPrivateKey(bytes)) return undefined;
    const outer = element(bytes, 0) as { body: number; length: number };
    return { start: at, end: read(outer.body + outer.length).end, text: armored(bytes) };
  } finally {
    scratch.fill(0);
  }
}

/** Every private key `text` holds, in order: candidates from `next` (a native search, or every offset by default). */
export function privateKeys(text: string, next: NextCandidate = (from) => Math.min(from, text.length)): ArmoredKey[] {
  const keys: ArmoredKey[] = [];
  for (let i = next(0); i < text.length; ) {
    const key = keyAt(text, i);
    if (key === undefined) i = next(i + 1);
    else {
      keys.push(key);
      i = next(key.end);
    }
  }
  return keys;
}

/**
 * The keys of notations no KEY_START opening leads to (decode.ts reads them beside privateKeys'): dump rows of 16-bit
 * little-endian words (`hexdump`, `od -x`: a row's hex opening `2e30 0102 …`, the SEQUENCE's length byte first; in
 * octal, od's default: `027060 000402 …`) or of octal bytes (`od -b`: `060 056 002 …`), with offsets or without, and
 * prefixed hex literals with a type suffix (Rust's `0x30u8, 0x2eu8, …`). Their openings are found by string search
 * (`30`, `060 `); each is read as privateKeys reads a candidate, once.
 */
export function notationKeys(text: string): ArmoredKey[] {
  const keys: ArmoredKey[] = [];
  const take = (at: number, read: Reader | undefined) => {
    const key = read === undefined ? undefined : readKey(at, read);
    if (key !== undefined) keys.push(key);
    return key?.end ?? at;
  };
  const isRowGap = (code: number) => code === 0x20 || code === 0x09;
  for (let p = text.indexOf('30'); p >= 0; p = text.indexOf('30', p + 1)) {
    const [b1, b2] = [text.charCodeAt(p - 1), text.charCodeAt(p - 2)];
    if ((b1 | 0x20) === 0x78 && b2 === 0x30 && pastSuffix(text, p + 2) > p + 2) {
      p = Math.max(p, take(p - 2, hexReader(text, p - 2, OPENER_BYTES)) - 2);
    } else if (isHexDigit(b1) && b2 >= 0x32 && b2 <= 0x38 && isRowGap(text.charCodeAt(p + 2))) {
      if (isRowGap(text.charCodeAt(p - 3))) p = Math.max(p, take(p - 2, cellRowsReader(text, p - 2, 'words')) - 2);
    }
  }
  for (let p = text.indexOf('060 '); p >= 0; p = text.indexOf('060 ', p + 1)) {
    if (isRowGap(text.charCodeAt(p - 1))) p = Math.max(p, take(p, cellRowsReader(text, p, 'octal')) - 1);
  }
  // od's default rows: a word of six octal digits whose low byte is 0x30 ends in 060 or 460 (`027060`, `101060`).
  for (let p = text.indexOf('60 '); p >= 0; p = text.indexOf('60 ', p + 1)) {
    if (p >= 4 && isRowGap(text.charCodeAt(p - 5)) && /^[0-7]{4}$/.test(text.slice(p - 4, p))) {
      p = Math.max(p, take(p - 4, cellRowsReader(text, p - 4, 'octalWords')) - 4);
    }
  }
  return keys;
}

/** How the PEM block of a key read here starts (decode.ts does not decode it again). */
export const PEM_ARMOR = '-----BEGIN PRIVATE KEY-----';

/** A private key's PEM block, of its first line (what the PRIVATE_KEY recognizer reads). */
function armored(bytes: Uint8Array): string {
  const line = Buffer.from(bytes.subarray(0, PEM_LINE_BYTES)).toString('base64');
  return `${PEM_ARMOR}\n${line}\n-----END PRIVATE KEY-----`;
}
