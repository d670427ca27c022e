// Check digits and address checksums that RE2 cannot express: IBAN mod-97 with country lengths, ABA routing,
// NHS mod-11, Bitcoin base58check and bech32/bech32m (@scure/base), Ethereum EIP-55 (Keccak-256 from @noble/hashes:
// node:crypto has only FIPS SHA-3). Invariant: pure functions of the candidate string; no regular expressions.
import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { bech32, bech32m, createBase58check } from '@scure/base';

/** IBAN length per country (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BI: 27,
  BR: 29,
  BY: 28,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DJ: 27,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FK: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HN: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IQ: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LC: 32,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  LY: 25,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MN: 20,
  MR: 27,
  MT: 31,
  MU: 30,
  NI: 28,
  NL: 18,
  NO: 15,
  OM: 23,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  RU: 33,
  SA: 24,
  SC: 31,
  SD: 18,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  SO: 23,
  ST: 25,
  SV: 28,
  TL: 23,
  TN: 24,
  TR: 26,
  UA: 29,
  VA: 22,
  VG: 24,
  XK: 20,
  YE: 30,
});

function alnumUpper(value: string): string {
  let out = '';
  for (const char of value) {
    const c = char.toUpperCase();
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z')) out += c;
  }
  return out;
}

/** IBAN: known country, that country's length, mod-97 == 1 (ISO 13616). Spaces are ignored. */
export function isValidIban(value: string): boolean {
  const iban = alnumUpper(value);
  const length = IBAN_LENGTHS[iban.slice(0, 2)];
  if (length === undefined || iban.length !== length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const n = char >= 'A' ? char.charCodeAt(0) - 55 : char.charCodeAt(0) - 48;
    remainder = n >= 10 ? (remainder * 100 + n) % 97 : (remainder * 10 + n) % 97;
  }
  return remainder === 1;
}

/** An IBAN's character: a run's others are the separators between its groups (recognizers-pii.ts IBAN). */
function isIbanChar(char: string | undefined): boolean {
  return (
    char !== undefined && ((char >= '0' && char <= '9') || (char >= 'A' && char <= 'Z') || (char >= 'a' && char <= 'z'))
  );
}

/**
 * The candidate IBANs in a run of groups (apart by any separators): from each group start that begins with a known
 * country code, the span whose alphanumeric count is that country's length, ending at a group boundary (a match may
 * run on into the next word, "GB82 WEST 1234 5698 7654 32 THANKS", or hold two IBANs in a row). Linear: a start
 * reads at most its country's length of groups.
 */
export function ibanWindows(run: string): [number, number][] {
  const windows: [number, number][] = [];
  for (let start = 0; start < run.length; ) {
    const length = IBAN_LENGTHS[run.slice(start, start + 2).toUpperCase()];
    if (length !== undefined) {
      let count = 0;
      for (let i = start; i < run.length; i += 1) {
        if (isIbanChar(run[i])) count += 1;
        if (count === length) {
          if (!isIbanChar(run[i + 1])) windows.push([start, i + 1]);
          break;
        }
      }
    }
    while (start < run.length && isIbanChar(run[start])) start += 1; // past this group
    while (start < run.length && !isIbanChar(run[start])) start += 1; // and the separators after it
  }
  return windows;
}

/** ABA routing number: 9 digits, a Federal Reserve prefix (00–12, 21–32, 61–72, 80), weights 3-7-1 sum to 0 mod 10. */
export function isValidAbaRouting(value: string): boolean {
  if (value.length !== 9) return false;
  const prefix = Number(value.slice(0, 2));
  if (!(prefix <= 12 || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80))
    return false;
  const weights = [3, 7, 1];
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += (value.charCodeAt(i) - 48) * (weights[i % 3] as number);
  return sum % 10 === 0 && value !== '000000000';
}

/** NHS number: 10 digits; check = 11 - (Σ digit·(10..2) mod 11), 11 → 0, 10 → invalid. */
export function isValidNhsNumber(value: string): boolean {
  let digits = '';
  for (const char of value) if (char >= '0' && char <= '9') digits += char;
  if (digits.length !== 10 || digits === (digits[0] as string).repeat(10)) return false;
  let sum = 0;
  for (let i = 0; i < 9; i += 1) sum += (digits.charCodeAt(i) - 48) * (10 - i);
  const check = (11 - (sum % 11)) % 11;
  return check !== 10 && check === digits.charCodeAt(9) - 48;
}

/**
 * A Dutch citizen service number (burgerservicenummer, BSN; formerly the sofinummer): nine digits whose "11-proef"
 * holds, 9·d1 + 8·d2 + … + 2·d8 − d9 a multiple of 11 (Logius, BSN specification). Not all zeros; separators ignored.
 */
export function isValidBsn(value: string): boolean {
  let digits = '';
  for (const char of value) if (char >= '0' && char <= '9') digits += char;
  if (digits.length !== 9 || digits === '000000000') return false;
  let sum = -(digits.charCodeAt(8) - 48);
  for (let i = 0; i < 8; i += 1) sum += (digits.charCodeAt(i) - 48) * (9 - i);
  return sum % 11 === 0;
}

// Base58check addresses are 25 bytes, at most 35 characters: longer strings are refused before decoding (base58
// decoding is quadratic in length, and a custom recognizer may hand this a longer match).
const BASE58CHECK_MAX_CHARS = 35;
const btcBase58check = createBase58check(sha256);

/** Bitcoin legacy (P2PKH version 0x00, P2SH 0x05) address: base58check over 25 bytes. */
export function isValidBase58CheckAddress(value: string): boolean {
  if (value.length > BASE58CHECK_MAX_CHARS) return false;
  let payload: Uint8Array;
  try {
    payload = btcBase58check.decode(value);
  } catch {
    // A bad character or checksum only means the candidate is not an address; nothing else can throw here.
    return false;
  }
  return payload.length === 21 && (payload[0] === 0x00 || payload[0] === 0x05);
}

/** Bitcoin segwit address (bc1…): bech32 for witness v0, bech32m for v1–16 (BIP 173, BIP 350), one case only. */
export function isValidBech32Address(value: string): boolean {
  const v0 = bech32.decodeUnsafe(value);
  if (v0 !== undefined) return v0.prefix === 'bc' && v0.words[0] === 0;
  const v1 = bech32m.decodeUnsafe(value);
  if (v1 === undefined || v1.prefix !== 'bc') return false;
  const version = v1.words[0];
  return version !== undefined && version >= 1 && version <= 16;
}

/** Ethereum address: 0x + 40 hex; all-lower or all-upper is unchecksummed and accepted, mixed case MUST be EIP-55. */
export function isValidEthAddress(value: string): boolean {
  const hex = value.slice(2);
  if (value.slice(0, 2) !== '0x' || hex.length !== 40) return false;
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return hex !== '0'.repeat(40);
  const hash = bytesToHex(keccak_256(new TextEncoder().encode(hex.toLowerCase())));
  for (let i = 0; i < 40; i += 1) {
    const char = hex[i] as string;
    if (char >= '0' && char <= '9') continue;
    const upper = parseInt(hash[i] as string, 16) >= 8;
    if ((char === char.toUpperCase()) !== upper) return false;
  }
  return true;
}
