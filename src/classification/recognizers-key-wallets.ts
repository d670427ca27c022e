// Built-in recognizers for private keys as wallets and key tools print them, beyond PEM, DER, JWK and key texts: a
// Bitcoin wallet's BIP32 extended private key (`xprv…`, `tprv…`) and WIF key (base58check, checksum verified), an
// Ethereum account's 64-hex-digit key under a private-key label, signify's and minisign's secret key files written
// without a passphrase, and a Tink cleartext keyset's private or symmetric key. Each is PRIVATE_KEY (SECRET); a
// 64-hex-digit hash with no private-key label, a base58 run whose checksum or version fails, an encrypted signify key
// and a Tink keyset's public key are none. RE2 patterns (linear), each with the partial a stream holds; the checks
// are one base58check or base64 decode of the candidate.
import { sha256 } from '@noble/hashes/sha2.js';
import { createBase58check } from '@scure/base';
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

const BASE58 = '[1-9A-HJ-NP-Za-km-z]';
const base58check = createBase58check(sha256);

/** `value`'s base58check payload, or undefined when a character or the checksum is wrong. */
function payloadOf(value: string): Uint8Array | undefined {
  if (value.length > 120) return undefined;
  try {
    return base58check.decode(value);
  } catch {
    // A bad character or checksum only means the candidate is no key.
    return undefined;
  }
}

/** BIP32 version bytes of an extended private key: mainnet xprv (0488ADE4), testnet tprv (04358394). */
const XPRV_VERSIONS = new Set([0x0488ade4, 0x04358394]);

/** A BIP32 extended private key: 78 bytes, a private version, and the key's byte 45 the 0x00 before the secret. */
export function isExtendedPrivateKey(value: string): boolean {
  const p = payloadOf(value);
  if (p?.length !== 78) return false;
  const version = ((p[0] as number) << 24) | ((p[1] as number) << 16) | ((p[2] as number) << 8) | (p[3] as number);
  return XPRV_VERSIONS.has(version >>> 0) && p[45] === 0;
}

/** A WIF private key: 0x80 (mainnet) or 0xEF (testnet), 32 bytes, and 0x01 when compressed. */
export function isWifPrivateKey(value: string): boolean {
  const p = payloadOf(value);
  if (p === undefined || (p[0] !== 0x80 && p[0] !== 0xef)) return false;
  return p.length === 33 || (p.length === 34 && p[33] === 1);
}

/** secp256k1's group order: a private key is in [1, n). */
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

/** 64 hex digits (after an optional 0x) a secp256k1 private key can be: in [1, n), and varied as a key's are. */
export function isSecp256k1Hex(value: string): boolean {
  const hex = value.replace(/^0x/i, '');
  if (hex.length !== 64 || new Set(hex.toLowerCase()).size < 8) return false;
  const n = BigInt(`0x${hex}`);
  return n > 0n && n < SECP256K1_N;
}

/** Base64 `value`'s bytes (padding optional). */
const bytesOf = (value: string) => Buffer.from(value, 'base64');

/**
 * signify's secret key file without a passphrase (`Ed` `BK`, 0 KDF rounds, 104 bytes) or minisign's (`Ed`, KDF
 * algorithm 0, `B2`, 158 bytes): the seed is in the clear.
 */
export function isClearSignifyKey(value: string): boolean {
  const b = bytesOf(value);
  if (b.length === 104) return b.toString('latin1', 0, 4) === 'EdBK' && b.readUInt32BE(4) === 0;
  return b.length === 158 && b.toString('latin1', 0, 6) === 'Ed\0\0B2';
}

/** A Tink key's value: a protobuf of 16 bytes or more (an AES-128 key's, wrapped). */
export function isTinkKeyValue(value: string): boolean {
  const b = bytesOf(value);
  return b.length >= 18 && new Set(b).size >= 12;
}

/**
 * A BIP32 extended private key (`xprv…`, testnet `tprv…`): 111 base58 characters, every key of the wallet. The
 * validator checks base58check's checksum, a private version and the 0x00 before the secret, so an `xpub` or a run
 * of base58 that merely starts `xprv` is none.
 */
export const BIP32_EXTENDED_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`\b([xt]prv${BASE58}{107,108})\b`,
  partial: String.raw`\b[xt]${prefixOf('prv', `${BASE58}{0,108}`)}`,
  group: 1,
  validator: 'bip32_private_key',
  contextWords: ['bip32', 'xprv', 'wallet', 'extended'],
  baseScore: 100,
};

/**
 * A Bitcoin private key in Wallet Import Format: 51 base58 characters opening `5` (uncompressed) or 52 opening `K` or
 * `L` (compressed); testnet's `9` and `c`. The validator checks the checksum, the 0x80 (0xEF) version and the
 * compressed form's 0x01, so a random word of that length is a key once in 2^32.
 */
export const WIF_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`\b([59KLc]${BASE58}{50,51})\b`,
  partial: String.raw`\b[59KLc]${BASE58}{0,51}`,
  group: 1,
  validator: 'wif_private_key',
  contextWords: ['wif', 'bitcoin', 'wallet', 'private key'],
  baseScore: 100,
};

/** A private-key label: `private key`, `private_key`, `privateKey`, `PrivateKey`, any case. */
const KEY_LABEL = String.raw`\b(?i:private[ _-]?key)`;

/**
 * An Ethereum (secp256k1) private key as wallets export it: 64 hex digits, with or without 0x, after a private-key
 * label (`Private key:`, `private_key = "0x…"`, `Private key (hex): …`). The validator takes a value in [1, n) with
 * eight distinct digits or more. A 64-hex-digit hash with no such label (a SHA-256, a commit) is none. Cost: a
 * 64-hex-digit value written right after `private key:` reads as a key.
 */
export const LABELLED_HEX_PRIVATE_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`${KEY_LABEL}(?:[ \t]*\([^()\r\n]{0,24}\))?["']?[ \t]*[:=][ \t]*["']?((?:0[xX])?[0-9a-fA-F]{64})\b`,
  partial: String.raw`\b(?i:${prefixOf('private', String.raw`[ _-]?(?:${prefixOf('key')})?`)})|${KEY_LABEL}(?:[ \t]*\([^()\r\n]{0,24}\)?)?["']?[ \t]*(?:[:=][ \t]*["']?(?:0[xX]?)?[0-9a-fA-F]{0,64})?`,
  group: 1,
  validator: 'secp256k1_hex',
  contextWords: ['ethereum', 'wallet', 'account', 'metamask'],
  baseScore: 95,
};

/** Base64 characters of a line. */
const BASE64 = '[A-Za-z0-9+/]';

/**
 * signify's (`signify -G -n`) and minisign's (`minisign -G -W`) secret key file without a passphrase: an `untrusted
 * comment:` line, then one base64 line (`RW…`) holding the Ed25519 seed in the clear. The validator reads the KDF (0
 * rounds; minisign's algorithm 0), so an encrypted key file and a public key (`RWQ…` of 42 bytes) are none.
 */
export const SIGNIFY_SECRET_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`untrusted comment:[^\r\n]{0,200}\r?\n(RW${BASE64}{136,212}={0,2})`,
  // The comment line unbounded in the partial (the scanner caps any partial's hold at 1,024 characters): its {0,200}
  // as a counted repetition in a tail search cost the stream ~3x (stream-scanner-plain-parity 10-13 -> 28-36 s).
  partial: prefixOf('untrusted comment:', String.raw`[^\r\n]*(?:\r?(?:\n(?:R(?:W${BASE64}{0,212}=?=?)?)?)?)?`),
  group: 1,
  validator: 'clear_signify_key',
  contextWords: ['signify', 'minisign', 'secret key'],
  baseScore: 100,
};

/** Between JSON members: blanks, line breaks, a comma. */
const MEMBER_GAP = String.raw`"[ \t\r\n]*,[ \t\r\n]*"`;
const MATERIAL = 'keyMaterialType';

/**
 * A Tink cleartext keyset (tinkey's and CleartextKeysetHandle's JSON): a keyData's `value`, base64 of the key's
 * protobuf, followed by `"keyMaterialType": "SYMMETRIC"` or `"ASYMMETRIC_PRIVATE"` (as Tink writes its members). The
 * finding is the value; an `ASYMMETRIC_PUBLIC` key's and a `REMOTE` one's are none.
 */
export const TINK_KEYSET_KEY: RecognizerDefinition = {
  type: 'PRIVATE_KEY',
  category: 'SECRET',
  pattern: String.raw`"value"[ \t]*:[ \t]*"(${BASE64}{24,}={0,2})${MEMBER_GAP}${MATERIAL}"[ \t]*:[ \t]*"(?:SYMMETRIC|ASYMMETRIC_PRIVATE)"`,
  partial: String.raw`"${prefixOf('value"', String.raw`[ \t]*(?::[ \t]*(?:"${BASE64}*={0,2}(?:"[ \t\r\n]*(?:,[ \t\r\n]*(?:"${prefixOf(`${MATERIAL}"`, String.raw`[ \t]*(?::[ \t]*(?:"(?:${prefixOf('SYMMETRIC')}|${prefixOf('ASYMMETRIC_PRIVATE')})?)?)?`)})?)?)?)?)?`)}`,
  group: 1,
  validator: 'tink_key_value',
  contextWords: ['tink', 'keyset', 'typeurl'],
  baseScore: 100,
};

/** The recognizers this file defines, in the order a set lists them. */
export const KEY_WALLET_RECOGNIZERS: readonly RecognizerDefinition[] = Object.freeze([
  BIP32_EXTENDED_PRIVATE_KEY,
  WIF_PRIVATE_KEY,
  LABELLED_HEX_PRIVATE_KEY,
  SIGNIFY_SECRET_KEY,
  TINK_KEYSET_KEY,
]);
