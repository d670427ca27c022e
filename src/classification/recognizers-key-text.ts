// Built-in recognizers for private keys as tools print them, outside PEM armour and JSON: `openssl rsa|ec|pkey -text`
// (a key's numbers as colon-separated hex under their labels), an OpenSSH key file's base64 body without its armour
// lines, and a COSE_Key (RFC 9052) in CBOR diagnostic notation. Each is PRIVATE_KEY (SECRET) and finds only a private
// part: openssl's `modulus:`, `publicExponent:` and `pub:`, a certificate's `Modulus:`/`Exponent:` and a COSE public
// key (no -4) are no finding. RE2 patterns (linear, no backtracking), each with the partial a stream holds.
import { prefixOf } from './prefix-patterns.ts';
import { KEY_LINE_RECOGNIZERS } from './recognizers-key-lines.ts';
import { KEY_NUMBER_RECOGNIZERS } from './recognizers-key-numbers.ts';
import type { RecognizerDefinition } from './types.ts';

/** A line break, written or escaped in a JSON string (`\n`, `\r\n`). */
const BREAK = String.raw`(?:\r?\n|(?:\\r)?\\n)`;
/** The labels openssl's -text prints above a private number: RSA's d, p, q, dp, dq, qinv; EC's, DSA's, EdDSA's priv. */
const TEXT_LABEL = '(?:privateExponent|prime[12]|exponent[12]|coefficient|priv)';
const HEX = '[0-9a-fA-F]{2}';
/** Where a label opens: a word's start, or right after an escaped break (`\\nprime1:` in a JSON string). */
const LABEL_OPEN = String.raw`(?:\b|\\[rn])`;
/** Between two bytes: a colon, or a colon at a row's end, the break and the next row's indent (blanks, `> ` marks). */
const TEXT_GAP = String.raw`(?::|:[ \t]*${BREAK}[ \t>]*)`;
/** What may follow a label's colon while its hex rows come: a break's beginnings, then rows as far as they have come. */
const ROWS_TAIL = String.raw`(?:(?:\r?\n|\\r?\\?n?)(?:[0-9a-fA-F:\s>]|\\[rn]?)*)?`;

/**
 * Whether `value` (hex digits, with colons, blanks, breaks or escaped breaks between) holds 16 bytes or more that vary
 * as a key's do: at least 8 + bytes/8 distinct byte values (48 for long numbers). A random 16-byte value has ~15.5, a
 * 256-byte one ~160; a placeholder (`00:00:…`, `ff:ff:…`, `ab:ab:…`) has one or two.
 */
export function isKeyHex(value: string): boolean {
  const digits = value.replace(/\\[rn]|[^0-9a-fA-F]/g, '');
  const count = digits.length >> 1;
  if (count < 16) return false;
  const distinct = new Set(digits.toLowerCase().match(/../g)).size;
  return distinct >= Math.min(8 + count / 8, 48);
}

/**
 * A private number as `openssl rsa|ec|pkey|dsa -text` prints it: its label (`privateExponent:`, `prime1:`, `prime2:`,
 * `exponent1:`, `exponent2:`, `coefficient:`, `priv:`) alone on its line, then 16 bytes or more as colon-separated
 * hex in indented rows of 15. The finding is the hex. `modulus:`, `publicExponent:` and `pub:` (public) are not
 * labels here; a certificate's -text prints only `Modulus:` and `Exponent:`. Cost: one of those labels over 16 or more
 * colon-separated hex bytes that vary as a key's do (key_hex: not `00:00:…`) reads as a key.
 */
export const OPENSSL_TEXT_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`${LABEL_OPEN}${TEXT_LABEL}:[ \t]*${BREAK}[ \t>]*(${HEX}(?:${TEXT_GAP}${HEX}){15,})`,
  // A label's beginnings, its colon and break, then any run of hex rows as far as they have come (a break's `\`).
  partial: String.raw`${LABEL_OPEN}(?:${prefixOf('privateExponent', String.raw`:[ \t]*`)}|${prefixOf('prime', String.raw`[12](?::[ \t]*)?`)}|${prefixOf('exponent', String.raw`[12](?::[ \t]*)?`)}|${prefixOf('coefficient', String.raw`:[ \t]*`)})${ROWS_TAIL}`,
  group: 1,
  validator: 'key_hex',
  contextWords: ['private-key', 'modulus', 'publicexponent', 'openssl'],
  baseScore: 95,
  contextScore: 100,
};

/**
 * The same label `priv:` alone has its own partial (`p`, `pr` are prefixes of `prime1` too): every beginning of
 * `priv:` and its rows.
 */
export const OPENSSL_TEXT_PRIV: RecognizerDefinition = {
  ...OPENSSL_TEXT_PRIVATE_KEY,
  pattern: String.raw`${LABEL_OPEN}priv:[ \t]*${BREAK}[ \t>]*(${HEX}(?:${TEXT_GAP}${HEX}){15,})`,
  partial: String.raw`${LABEL_OPEN}${prefixOf('priv', String.raw`:[ \t]*${ROWS_TAIL}`)}`,
};

/**
 * A private number as GnuTLS `certtool -k` (and `--key-info`) prints it: `private exponent:` (RSA's d), `private key:`
 * (an Ed25519/Ed448 seed, an EC or DSA scalar), `exp1:`/`exp2:` (RSA's dp, dq), alone on its line, then 16 bytes or
 * more as colon-separated hex in tab-indented rows of 16 (its `prime1:`, `prime2:` and `coefficient:` are openssl's
 * labels, read above). `modulus:`, `public exponent:`, `x:`, `y:` (public) are none. The finding is the hex. Cost: one
 * of those labels over 16 or more colon-separated hex bytes that vary as a key's do reads as a key.
 */
export const CERTTOOL_TEXT_PRIVATE_KEY: RecognizerDefinition = {
  ...OPENSSL_TEXT_PRIVATE_KEY,
  pattern: String.raw`${LABEL_OPEN}(?:[Pp]rivate[ ](?:[Ee]xponent|[Kk]ey)|exp[12]):[ \t]*${BREAK}[ \t>]*(${HEX}(?:${TEXT_GAP}${HEX}){15,})`,
  partial: String.raw`${LABEL_OPEN}(?:[Pp](?:${prefixOf('rivate', String.raw`[ ](?:[Ee](?:${prefixOf('xponent', String.raw`:[ \t]*${ROWS_TAIL}`)})?|[Kk](?:${prefixOf('ey', String.raw`:[ \t]*${ROWS_TAIL}`)})?)?`)})?|${prefixOf('exp', String.raw`[12](?::[ \t]*${ROWS_TAIL})?`)})`,
  contextWords: ['private-key', 'modulus', 'certtool', 'gnutls', 'curve'],
};

/** Between two base64 lines: blanks and a break, written or escaped. */
const LINE_GAP = String.raw`[ \t]*${BREAK}[ \t]*`;
/** The openssh-key-v1 magic, `openssh-key-v1\0` in base64: where the file's body opens. */
const OPENSSH_MAGIC = 'b3BlbnNzaC1rZXktdjEA';
/** Bytes of the magic (`openssh-key-v1\0`). */
const MAGIC_BYTES = 15;

/** The SSH wire string at `at` (a 4-byte big-endian length, then its bytes): where it ends, or -1 when it is cut. */
const pastString = (bytes: Buffer, at: number) =>
  at + 4 > bytes.length ? -1 : at + 4 + bytes.readUInt32BE(at) > bytes.length ? -1 : at + 4 + bytes.readUInt32BE(at);

/** Public fields before the first private one in an unencrypted private section, by key type (PROTOCOL.key). */
const OPENSSH_PUBLIC_FIELDS: Record<string, number> = {
  'ssh-ed25519': 1,
  'ssh-ed448': 1,
  'ssh-rsa': 2,
  'ecdsa-sha2-nistp256': 2,
  'ecdsa-sha2-nistp384': 2,
  'ecdsa-sha2-nistp521': 2,
  'ssh-dss': 4,
};

/**
 * Whether an unencrypted private section opening at `at` (cut short) holds its first private field's first 32 bytes:
 * its two check integers equal (as an unencrypted section's are), a known key type, that type's public fields, then
 * a private field of 16 bytes or more, 32 of them (an Ed25519 seed whole) or all of it there.
 */
function holdsClearPrivateField(bytes: Buffer, at: number): boolean {
  if (at + 8 > bytes.length || bytes.readUInt32BE(at) !== bytes.readUInt32BE(at + 4)) return false;
  const typeEnd = pastString(bytes, at + 8);
  const fields = typeEnd < 0 ? undefined : OPENSSH_PUBLIC_FIELDS[bytes.toString('latin1', at + 12, typeEnd)];
  if (fields === undefined) return false;
  let field = typeEnd;
  for (let k = 0; k < fields && field >= 0; k += 1) field = pastString(bytes, field);
  if (field < 0 || field + 4 > bytes.length) return false;
  const length = bytes.readUInt32BE(field);
  return length >= 16 && field + 4 + Math.min(length, 32) <= bytes.length;
}

/**
 * Whether `body` (the base64 from the magic on, breaks and escapes between lines) decodes to an openssh-key-v1 file
 * that holds its private section whole: cipher, KDF and its options, N public keys, then the private section (its
 * check integers and at least one key: 16 bytes or more), encrypted or not. A body cut before it is none; one cut
 * inside an unencrypted (cipher `none`) section is a key once its first private field's first 32 bytes are there
 * (holdsClearPrivateField: a join window's edge or a paste cut short after an Ed25519 seed).
 */
export function holdsOpensshPrivateSection(body: string): boolean {
  const bytes = Buffer.from(body.replace(/\\[rn]|[^A-Za-z0-9+/]/g, ''), 'base64');
  if (bytes.toString('latin1', 0, MAGIC_BYTES) !== 'openssh-key-v1\0') return false;
  let at = MAGIC_BYTES;
  for (let k = 0; k < 3 && at >= 0; k += 1) at = pastString(bytes, at);
  if (at < 0 || at + 4 > bytes.length) return false;
  const keys = bytes.readUInt32BE(at);
  if (keys < 1 || keys > 16) return false;
  at += 4;
  for (let k = 0; k < keys && at >= 0; k += 1) at = pastString(bytes, at);
  if (at < 0 || at + 4 > bytes.length) return false;
  const section = bytes.readUInt32BE(at);
  if (section >= 16 && at + 4 + section <= bytes.length) return true;
  const clear =
    bytes.readUInt32BE(MAGIC_BYTES) === 4 && bytes.toString('latin1', MAGIC_BYTES + 4, MAGIC_BYTES + 8) === 'none';
  return clear && holdsClearPrivateField(bytes, at + 4);
}

/**
 * An OpenSSH private key file's (openssh-key-v1) base64 body without its armour lines: it opens with
 * `b3BlbnNzaC1rZXktdjEA` (`openssh-key-v1\0`, the format's magic, always at the start, so always read alike), in
 * lines or on one line, and is a finding only when the decoded body holds its private section whole, or an
 * unencrypted one as far as its first private field's first 32 bytes (the openssh_private_section validator reads the
 * structure: a paste of the first lines, header and public key only, is none). Encrypted or not (the armoured file is PRIVATE_KEY either way). The finding is the body. Cost: that magic
 * opening a well-formed openssh-key-v1 body reads as a key.
 */
export const OPENSSH_BODY_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`(${OPENSSH_MAGIC}[A-Za-z0-9+/]+(?:${LINE_GAP}[A-Za-z0-9+/]+)*={0,2})`,
  // The magic's beginnings, then any run of base64, blanks and breaks as far as it has come.
  partial: prefixOf(OPENSSH_MAGIC, String.raw`(?:[A-Za-z0-9+/=\s]|\\[rn]?)*`),
  group: 1,
  validator: 'openssh_private_section',
  contextWords: ['openssh', 'ssh', 'id_ed25519', 'id_rsa', 'private'],
  baseScore: 100,
};

/** The public key algorithms (RFC 9580 §9.1) and the MPIs or fields of their public material: 'o' an OID, 'k' KDF. */
const PGP_PUBLIC: Record<number, string> = {
  1: 'mm',
  2: 'mm',
  3: 'mm',
  16: 'mmm',
  17: 'mmmm',
  18: 'omk',
  19: 'om',
  22: 'om',
};
/** Native keys (RFC 9580): X25519, X448, Ed25519, Ed448, their public key's fixed length. */
const PGP_NATIVE: Record<number, number> = { 25: 32, 26: 56, 27: 32, 28: 57 };

/** Past the public key material of `algorithm` at `at` in `p` (a version 4 packet's), or -1 when cut or unknown. */
function pastPgpPublic(p: Buffer, at: number, algorithm: number): number {
  const native = PGP_NATIVE[algorithm];
  if (native !== undefined) return at + native;
  const fields = PGP_PUBLIC[algorithm];
  if (fields === undefined) return -1;
  for (const field of fields) {
    if (at + 2 > p.length) return -1;
    if (field === 'm') at += 2 + ((p.readUInt16BE(at) + 7) >> 3);
    else at += 1 + (p[at] as number); // an OID's or the KDF parameters' one-byte length
  }
  return at;
}

/**
 * Whether `body` (base64 in lines, escaped breaks allowed) decodes to an OpenPGP secret-key packet (tag 5, old or new
 * format) held whole: version 4, 5 or 6, a known algorithm, its public material, then the S2K usage octet and 16
 * bytes or more of secret material (in the clear at usage 0, else encrypted: the armoured block is PRIVATE_KEY alike).
 */
export function holdsPgpSecretKey(body: string): boolean {
  const bytes = Buffer.from(body.replace(/\\[rn]|[^A-Za-z0-9+/]/g, ''), 'base64');
  if (bytes.length < 8) return false;
  const first = bytes[0] as number;
  let at: number;
  let length: number;
  if ((first & 0xc0) === 0xc0) {
    if ((first & 0x3f) !== 5) return false;
    const octet = bytes[1] as number;
    if (octet < 192) [at, length] = [2, octet];
    else if (octet < 224) [at, length] = [3, ((octet - 192) << 8) + (bytes[2] as number) + 192];
    else if (octet === 255) [at, length] = [6, bytes.readUInt32BE(2)];
    else return false;
  } else {
    if ((first & 0xfc) !== 0x94) return false; // old format, tag 5, length type in the low two bits
    const type = first & 3;
    if (type === 3) return false;
    at = 1 + (1 << type);
    length = type === 0 ? (bytes[1] as number) : type === 1 ? bytes.readUInt16BE(1) : bytes.readUInt32BE(1);
  }
  if (at + length > bytes.length) return false;
  const p = bytes.subarray(at, at + length);
  const version = p[0] as number;
  if (version < 4 || version > 6) return false;
  // Version 5 and 6 count their public material's octets (4 bytes after the algorithm); version 4 is parsed.
  const secret = version === 4 ? pastPgpPublic(p, 6, p[5] as number) : p.length >= 10 ? 10 + p.readUInt32BE(6) : -1;
  return secret > 0 && p.length - secret - 1 >= 16;
}

/** A secret-key packet's first four or five base64 characters: its tag and length octets, then version 4, 5 or 6. */
const PGP_OPEN = '(?:l[A-P][A-Za-z0-9+/][EFG]|[lx][Q-f][A-Za-z0-9+/](?:[A-Za-z0-9+/]B|[EFG]))';
/** The beginnings of PGP_OPEN. */
const PGP_OPEN_PARTIAL = '(?:l(?:[A-P](?:[A-Za-z0-9+/][EFG]?)?)?|[lx](?:[Q-f](?:[A-Za-z0-9+/](?:[A-Za-z0-9+/]B?)?)?)?)';

/**
 * The base64 body of `gpg --export-secret-keys --armor` without its BEGIN/END PGP PRIVATE KEY BLOCK lines: it opens
 * with a secret-key packet (tag 5: `lF…E`/`lQ…B` in the old format gpg writes, `x…` in the new), in lines or on one
 * line, at a base64 run's start, and is a finding only when the pgp_secret_key validator decodes that packet whole
 * with its secret material (a public key block, `mQ…`/`mD…`, is none). The finding is the body up to its CRC line.
 * Cost: a base64 run with that opening decoding to a well-formed secret-key packet reads as a key.
 */
export const PGP_BODY_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`(?:^|[^A-Za-z0-9+/])(${PGP_OPEN}[A-Za-z0-9+/]*(?:${LINE_GAP}[A-Za-z0-9+/]+)*={0,2})`,
  // The opening's beginnings, or the opening and any run of base64, blanks and breaks as far as it has come.
  partial: String.raw`(?:^|[^A-Za-z0-9+/])(?:${PGP_OPEN_PARTIAL}|${PGP_OPEN}(?:[A-Za-z0-9+/=\s]|\\[rn]?)*)`,
  group: 1,
  validator: 'pgp_secret_key',
  contextWords: ['pgp', 'gpg', 'openpgp', 'secret', 'private'],
  baseScore: 100,
};

/** A COSE_Key's private member's hex: 16 bytes or more, blanks between allowed. */
const COSE_HEX = String.raw`(?:[0-9a-fA-F]{2}[ \t]*){16,}`;

/**
 * A COSE_Key (RFC 9052 §7, WebAuthn, CBOR tools) in CBOR diagnostic notation holding its private member: label -4
 * (`d` of an EC2 or OKP key, RSA's `p`) written `-4: h'<hex>'` with 16 bytes or more, after `{`, `,` or a blank.
 * `{1: 2, -1: 1, -2: h'…', -3: h'…'}` alone (a public key) is no finding. The finding is the hex. Cost: a member
 * `-4: h'…'` of 32 hex digits or more that vary as a key's do (key_hex) reads as a key.
 */
export const COSE_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`(?:^|[\s,{])-4[ \t]*:[ \t]*h'(${COSE_HEX})'`,
  // The label's beginnings, `h'` and the hex as far as it has come (the closing quote ends the match).
  partial: String.raw`(?:^|[\s,{])-(?:4(?:[ \t]*(?::[ \t]*(?:h(?:'[0-9a-fA-F \t]*)?)?)?)?)?`,
  group: 1,
  validator: 'key_hex',
  contextWords: ['cose', 'cose_key', 'cbor', 'webauthn', 'kty'],
  baseScore: 95,
  contextScore: 100,
};

/** A JWK's private member names (RFC 7518: EC/OKP `d`; RSA `d`, `p`, `q`, `dp`, `dq`, `qi`). */
const JWK_NAME = '(?:d|p|q|dp|dq|qi)';
/** The beginnings of a private member's name (`d`, `dp`, `dq`, `p`, `q`, `qi`). */
const JWK_NAME_PARTIAL = '(?:dp?|dq|p|qi?)';
/** A JWK member's value in base64url or standard base64. */
const JWK_VALUE = '[A-Za-z0-9+/_-]{40,}={0,2}';
/** Words that place a member in a JWK: its kty and crv members, `jwk(s)`, RSA's exponent AQAB. */
const JWK_WORDS = ['kty', 'crv', 'jwk', 'jwks', 'aqab'];
/**
 * 62 characters before (a stream keeps 64 of released text as look-behind, stream-scanner.ts CONTEXT_CHARS), 256
 * after, as JWK_PRIVATE_KEY_LINE reads.
 */
const JWK_REACH = { before: 62, after: 256 };

/**
 * A JWK's private member under a name that says JWK itself: a Java properties or dotted key (`jwk.d=`, `jwk.p: `),
 * an environment variable (`JWK_D=`, `JWK-QI=`), in any case, then the value (quoted or not). The prefix is the
 * context. key_material decides (40 characters or more, mixed case, random). Cost: a `jwk` prefix on `d`, `p`, `q`,
 * `dp`, `dq` or `qi` holding a random mixed-case base64 run reads as a key.
 */
export const JWK_PREFIXED_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`\b(?i:jwk[._-]${JWK_NAME})["']?[ \t]*[=:][ \t]*["']?(${JWK_VALUE})`,
  partial: String.raw`\b(?i:${prefixOf('jwk', String.raw`[._-](?:${JWK_NAME_PARTIAL}["']?(?:[ \t]*(?:[=:][ \t]*["']?[A-Za-z0-9+/_=-]*)?)?)?`)})`,
  group: 1,
  validator: 'key_material',
  contextWords: JWK_WORDS,
  baseScore: 95,
  contextScore: 100,
};

/** A URL query's parameter after the first: `&name=value`. */
const QUERY_PARAM = String.raw`&[^\s&#=]*=[^\s&#]*`;

/**
 * A JWK's private member as a URL query's or form body's parameter (`&d=…`, `;d=…`) after the same query's `kty=`
 * or `crv=` parameter, with up to eight parameters between (`?kty=EC&crv=P-256&x=…&d=…`): a query names its own key
 * type, so `kty: EC, see https://…?d=<data>` (a word outside the URL) is none. Cost: a query with a `kty` or `crv`
 * parameter then a private member's name holding a random mixed-case base64 run of 40 or more reads as a key.
 */
export const JWK_QUERY_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`[?&;](?:kty|crv)=[^\s&#]*(?:${QUERY_PARAM}){0,8}?[&;]${JWK_NAME}=(${JWK_VALUE})`,
  // A `kty`/`crv` parameter's beginnings, then the query's parameters as far as they have come (any number: wider).
  partial: String.raw`[?&;](?:${prefixOf('kty', String.raw`=[^\s#]*`)}|${prefixOf('crv', String.raw`=[^\s#]*`)})`,
  group: 1,
  validator: 'key_material',
  contextWords: JWK_WORDS,
  baseScore: 95,
  contextScore: 100,
};

/**
 * A JWK's private member as an XML element (`<d>…</d>`, `<qi>…</qi>`, lower case as a JWK names it; .NET's `<D>` is
 * XML_RSA_PRIVATE_KEY's), only with a JWK's word in reach (`<kty>`, `<crv>`, `<jwk>`): HTML's `<p>` around a long
 * word is no key. Cost: such an element around a random mixed-case base64 run of 40 or more beside `kty` or `crv`
 * reads as a key.
 */
export const JWK_XML_PRIVATE_KEY: RecognizerDefinition = {
  ...JWK_QUERY_PRIVATE_KEY,
  requireContext: true,
  contextWindow: JWK_REACH,
  contextScore: 95,
  pattern: String.raw`<${JWK_NAME}>\s*(${JWK_VALUE})\s*</${JWK_NAME}>`,
  partial: String.raw`<(?:${JWK_NAME_PARTIAL}(?:>\s*[A-Za-z0-9+/_=-]*\s*(?:<(?:/[a-z]*)?)?)?)?`,
};

/** A CSV header's cell separator: a comma, a semicolon or a tab, and a cell's quotes. */
const CELL = String.raw`["']?[ \t]*[,;\t][ \t]*["']?`;
/** A CSV header naming `kty` or `crv` and a private member's column, in either order, on one line. */
const CSV_HEADER = String.raw`(?:[^\r\n]*\b(?:kty|crv)\b[^\r\n]*${CELL}${JWK_NAME}["']?(?:[ \t]*[,;\t][^\r\n]*)?|["']?${JWK_NAME}${CELL}[^\r\n]*\b(?:kty|crv)\b[^\r\n]*)`;

/**
 * A JWK as a CSV (or semicolon- or tab-separated) table: a header line naming `kty` or `crv` and a private member's
 * column (`d`, `p`, `q`, `dp`, `dq`, `qi`), and the row under it holding a base64url value of 40 characters or more.
 * A regular pattern cannot count columns, so the finding is that whole row (the private value is in it, and redacting
 * the row redacts it). Only the first row under a header is read. Cost: a CSV with such a header whose next row holds
 * a random mixed-case run of 40 or more (even in a public column while the private one is empty) reads as a key.
 */
export const JWK_CSV_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`(?:^|[\r\n])${CSV_HEADER}[ \t]*\r?\n([^\r\n]*[A-Za-z0-9_-]{40,}[^\r\n]*)`,
  // A header line in progress from its line's start (with kty/crv, or a private column first), then the row as far
  // as it has come; or a line in progress whose last word may still become `kty` or `crv`.
  partial: String.raw`(?:^|[\r\n])(?:${CSV_HEADER}(?:[ \t]*\r?\n[^\r\n]*)?|[^\r\n]*\b(?:kt?|cr?)|[^\r\n]*\b(?:kty|crv)\b[^\r\n]*|["']?${JWK_NAME_PARTIAL}(?:["']?[ \t]*[,;\t][^\r\n]*)?)`,
  group: 1,
  validator: 'key_material',
  contextWords: JWK_WORDS,
  baseScore: 95,
  contextScore: 95,
};

/**
 * The recognizers this file defines, in the order a set lists them, with those of keys as numbers
 * (recognizers-key-numbers.ts) and of keys alone on a line (recognizers-key-lines.ts).
 */
export const KEY_TEXT_RECOGNIZERS: readonly RecognizerDefinition[] = Object.freeze([
  OPENSSL_TEXT_PRIVATE_KEY,
  OPENSSL_TEXT_PRIV,
  CERTTOOL_TEXT_PRIVATE_KEY,
  ...KEY_NUMBER_RECOGNIZERS,
  OPENSSH_BODY_PRIVATE_KEY,
  PGP_BODY_PRIVATE_KEY,
  COSE_PRIVATE_KEY,
  JWK_PREFIXED_PRIVATE_KEY,
  JWK_QUERY_PRIVATE_KEY,
  JWK_XML_PRIVATE_KEY,
  JWK_CSV_PRIVATE_KEY,
  ...KEY_LINE_RECOGNIZERS,
]);
