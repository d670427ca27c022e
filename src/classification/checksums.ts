// Check digits and address checksums that RE2 cannot express: IBAN mod-97 with country lengths, ABA routing,
// NHS mod-11, Bitcoin base58check and bech32/bech32m, Ethereum EIP-55 (Keccak-256, implemented here because
// node:crypto has only FIPS SHA-3). Invariant: pure functions of the candidate string; no regular expressions.
import { createHash } from 'node:crypto';

/** IBAN length per country (SWIFT IBAN registry). */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = Object.freeze({
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21, CR: 22,
  CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18, FR: 27, GB: 22,
  GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HN: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30,
  KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24, ME: 22, MK: 19, MN: 20,
  MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29, RO: 24, RS: 22,
  RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26,
  UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
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

/**
 * The candidate IBANs in a run of groups: from each group start that begins with a known country code, the span
 * whose alphanumeric count is that country's length, ending at a group boundary (a match may run on into the next
 * word, "GB82 WEST 1234 5698 7654 32 THANKS", or hold two IBANs in a row).
 */
export function ibanWindows(run: string): [number, number][] {
  const windows: [number, number][] = [];
  for (let start = 0; start < run.length; start = run.indexOf(' ', start) + 1) {
    const length = IBAN_LENGTHS[run.slice(start, start + 2)];
    if (length !== undefined) {
      let count = 0;
      for (let i = start; i < run.length; i += 1) {
        if (run[i] !== ' ') count += 1;
        if (count === length) {
          const next = run[i + 1];
          if (next === undefined || next === ' ') windows.push([start, i + 1]);
          break;
        }
      }
    }
    if (run.indexOf(' ', start) < 0) break;
  }
  return windows;
}

/** ABA routing number: 9 digits, a Federal Reserve prefix (00–12, 21–32, 61–72, 80), weights 3-7-1 sum to 0 mod 10. */
export function isValidAbaRouting(value: string): boolean {
  if (value.length !== 9) return false;
  const prefix = Number(value.slice(0, 2));
  if (!((prefix <= 12) || (prefix >= 21 && prefix <= 32) || (prefix >= 61 && prefix <= 72) || prefix === 80)) return false;
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

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Bitcoin legacy (P2PKH version 0x00, P2SH 0x05) address: base58check over 25 bytes. */
export function isValidBase58CheckAddress(value: string): boolean {
  let n = 0n;
  for (const char of value) {
    const digit = BASE58.indexOf(char);
    if (digit < 0) return false;
    n = n * 58n + BigInt(digit);
  }
  const bytes: number[] = [];
  for (; n > 0n; n >>= 8n) bytes.unshift(Number(n & 0xffn));
  for (let i = 0; i < value.length && value[i] === '1'; i += 1) bytes.unshift(0);
  if (bytes.length !== 25 || (bytes[0] !== 0x00 && bytes[0] !== 0x05)) return false;
  const payload = Buffer.from(bytes.slice(0, 21));
  const digest = createHash('sha256').update(createHash('sha256').update(payload).digest()).digest();
  return digest.subarray(0, 4).equals(Buffer.from(bytes.slice(21)));
}

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';

/** Bitcoin segwit address (bc1…): bech32 (witness v0) or bech32m (v1+) checksum, one case only. */
export function isValidBech32Address(value: string): boolean {
  if (value !== value.toLowerCase() && value !== value.toUpperCase()) return false;
  const address = value.toLowerCase();
  const separator = address.lastIndexOf('1');
  if (address.slice(0, separator) !== 'bc' || address.length - separator - 1 < 7) return false;
  const data: number[] = [];
  for (const char of address.slice(separator + 1)) {
    const v = BECH32.indexOf(char);
    if (v < 0) return false;
    data.push(v);
  }
  const generator = [0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3];
  let checksum = 1;
  const values = [3, 3, 0, 2, 3, ...data]; // hrp "bc" expanded: high bits, 0, low bits
  for (const v of values) {
    const top = checksum >>> 25;
    checksum = ((checksum & 0x1ffffff) << 5) ^ v;
    for (let i = 0; i < 5; i += 1) if ((top >>> i) & 1) checksum ^= generator[i] as number;
  }
  const version = data[0];
  if (version === undefined || version > 16) return false;
  return (checksum >>> 0) === (version === 0 ? 1 : 0x2bc830a3);
}

const KECCAK_ROUNDS = [
  0x0000000000000001n, 0x0000000000008082n, 0x800000000000808an, 0x8000000080008000n, 0x000000000000808bn,
  0x0000000080000001n, 0x8000000080008081n, 0x8000000000008009n, 0x000000000000008an, 0x0000000000000088n,
  0x0000000080008009n, 0x000000008000000an, 0x000000008000808bn, 0x800000000000008bn, 0x8000000000008089n,
  0x8000000000008003n, 0x8000000000008002n, 0x8000000000000080n, 0x000000000000800an, 0x800000008000000an,
  0x8000000080008081n, 0x8000000000008080n, 0x0000000080000001n, 0x8000000080008008n,
];
const KECCAK_ROTATIONS = [0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14];
const MASK64 = (1n << 64n) - 1n;
const rotl = (x: bigint, n: number): bigint => (n === 0 ? x : ((x << BigInt(n)) | (x >> BigInt(64 - n))) & MASK64);

/** Keccak-256 as Ethereum uses it (padding 0x01, not SHA3's 0x06). `suffix` 0x06 gives SHA3-256 (for tests). */
export function keccak256(input: Uint8Array, suffix = 0x01): Buffer {
  const rate = 136;
  const padded = new Uint8Array(Math.floor(input.length / rate) * rate + rate);
  padded.set(input);
  padded[input.length] = (padded[input.length] ?? 0) ^ suffix;
  padded[padded.length - 1] = (padded[padded.length - 1] ?? 0) ^ 0x80;
  const state: bigint[] = new Array<bigint>(25).fill(0n);
  for (let offset = 0; offset < padded.length; offset += rate) {
    for (let lane = 0; lane < rate / 8; lane += 1) {
      let v = 0n;
      for (let b = 7; b >= 0; b -= 1) v = (v << 8n) | BigInt(padded[offset + lane * 8 + b] ?? 0);
      state[lane] = (state[lane] as bigint) ^ v;
    }
    for (const rc of KECCAK_ROUNDS) {
      const c = [0, 1, 2, 3, 4].map((x) => (state[x] as bigint) ^ (state[x + 5] as bigint) ^ (state[x + 10] as bigint)
        ^ (state[x + 15] as bigint) ^ (state[x + 20] as bigint));
      for (let x = 0; x < 5; x += 1) {
        const d = (c[(x + 4) % 5] as bigint) ^ rotl(c[(x + 1) % 5] as bigint, 1);
        for (let y = 0; y < 25; y += 5) state[x + y] = (state[x + y] as bigint) ^ d;
      }
      const b: bigint[] = new Array<bigint>(25).fill(0n);
      for (let x = 0; x < 5; x += 1) {
        for (let y = 0; y < 5; y += 1) {
          b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(state[x + 5 * y] as bigint, KECCAK_ROTATIONS[x + 5 * y] as number);
        }
      }
      for (let i = 0; i < 25; i += 1) {
        const x = i % 5;
        const row = i - x;
        state[i] = (b[i] as bigint) ^ (~(b[row + ((x + 1) % 5)] as bigint) & MASK64 & (b[row + ((x + 2) % 5)] as bigint));
      }
      state[0] = (state[0] as bigint) ^ rc;
    }
  }
  const out = Buffer.alloc(32);
  for (let i = 0; i < 32; i += 1) out[i] = Number(((state[i >> 3] as bigint) >> BigInt(8 * (i & 7))) & 0xffn);
  return out;
}

/** Ethereum address: 0x + 40 hex; all-lower or all-upper is unchecksummed and accepted, mixed case MUST be EIP-55. */
export function isValidEthAddress(value: string): boolean {
  const hex = value.slice(2);
  if (value.slice(0, 2) !== '0x' || hex.length !== 40) return false;
  if (hex === hex.toLowerCase() || hex === hex.toUpperCase()) return hex !== '0'.repeat(40);
  const hash = keccak256(Buffer.from(hex.toLowerCase(), 'ascii')).toString('hex');
  for (let i = 0; i < 40; i += 1) {
    const char = hex[i] as string;
    if (char >= '0' && char <= '9') continue;
    const upper = parseInt(hash[i] as string, 16) >= 8;
    if ((char === char.toUpperCase()) !== upper) return false;
  }
  return true;
}
