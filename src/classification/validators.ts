// The checks RE2 cannot express, by name, so recognizers stay plain data: refiners pick candidate spans inside a
// match, validators accept or reject a candidate, normalizers shape the value before fingerprinting.
// Invariant: pure functions of the matched value only; no regular expressions on user text.
import { isIP } from 'node:net';
import { cardWindows, isValidCardNumber } from './cards.ts';
import {
  ibanWindows,
  isValidAbaRouting,
  isValidBase58CheckAddress,
  isValidBech32Address,
  isValidEthAddress,
  isValidIban,
  isValidNhsNumber,
} from './checksums.ts';

export { cardWindows, isValidCardNumber } from './cards.ts';

export type ValidatorName =
  | 'luhn'
  | 'us_ssn'
  | 'aws_secret_key'
  | 'email'
  | 'phone'
  | 'iban'
  | 'ipv4'
  | 'ipv6'
  | 'date'
  | 'aba_routing'
  | 'nhs'
  | 'not_placeholder'
  | 'high_entropy'
  | 'jwt'
  | 'btc_address'
  | 'eth_address'
  | 'private_key';
export type RefinerName = 'card_groups' | 'iban_length' | 'phone_groups';
export type NormalizerName = 'none' | 'digits' | 'lowercase' | 'alphanumeric_upper';

export function digitsOf(value: string): string {
  let digits = '';
  for (const char of value) if (char >= '0' && char <= '9') digits += char;
  return digits;
}

/** US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000; not the advertised 078-05-1120. */
export function isValidSsn(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length !== 9 || digits === '078051120') return false;
  const area = digits.slice(0, 3);
  return (
    area !== '000' && area !== '666' && area[0] !== '9' && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000'
  );
}

/** Documented example values and template fillers: never findings (AWS docs' keys, "xxxx", "your-api-key", "<...>"). */
export function isPlaceholder(value: string): boolean {
  const upper = value.toUpperCase();
  if (
    upper.includes('EXAMPLE') ||
    upper.includes('PLACEHOLDER') ||
    upper.includes('REDACTED') ||
    upper.includes('DUMMY')
  )
    return true;
  if (upper.includes('YOUR_') || upper.includes('YOUR-') || upper.includes('XXXX') || upper.includes('****'))
    return true;
  if (value.includes('<') || value.includes('${') || value.includes('{{')) return true;
  return new Set(value).size <= 3;
}

/** AWS secret access key: 40 base64 characters that look random (mixed case, many distinct characters). */
export function isLikelyAwsSecretKey(value: string): boolean {
  if (value.length !== 40 || isPlaceholder(value)) return false;
  let upper = false;
  let lower = false;
  for (const char of value) {
    if (char >= 'A' && char <= 'Z') upper = true;
    else if (char >= 'a' && char <= 'z') lower = true;
  }
  return upper && lower && new Set(value).size >= 12;
}

/** Shannon entropy in bits per character. */
export function entropyOf(value: string): number {
  const counts = new Map<string, number>();
  for (const char of value) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** A generic secret value: ≥ 16 characters, letters and digits, entropy ≥ 3.5 bits/char, not a placeholder or word. */
export function isHighEntropySecret(value: string): boolean {
  if (value.length < 16 || isPlaceholder(value)) return false;
  let letters = 0;
  let digits = 0;
  for (const char of value) {
    if ((char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z')) letters += 1;
    else if (char >= '0' && char <= '9') digits += 1;
  }
  return letters > 0 && digits > 0 && entropyOf(value) >= 3.5;
}

/** Domains reserved for documentation (RFC 2606, RFC 6761): example.com/.net/.org and the .example, .test, .invalid, .localhost TLDs. */
export function isReservedDomain(domain: string): boolean {
  const d = domain.toLowerCase();
  for (const reserved of ['example.com', 'example.net', 'example.org']) {
    if (d === reserved || d.endsWith(`.${reserved}`)) return true;
  }
  const tld = d.slice(d.lastIndexOf('.') + 1);
  return tld === 'example' || tld === 'test' || tld === 'invalid' || tld === 'localhost';
}

function isEmail(value: string): boolean {
  return !isReservedDomain(value.slice(value.lastIndexOf('@') + 1));
}

/** International (+ and 8–15 digits, E.164) or North American (10 digits, area and exchange 2–9) numbers. */
function isPhone(value: string): boolean {
  const digits = digitsOf(value);
  if (value.startsWith('+')) return digits.length >= 8 && digits.length <= 15;
  if (value.startsWith('00')) return digits.length >= 10 && digits.length <= 17;
  if (digits.length === 11 && digits[0] === '1') return isPhone(digits.slice(1));
  if (digits.length === 10 && digits[0] !== '0') {
    // Area and exchange codes start with 2–9; 555-0100..0199 is reserved for fiction.
    return (
      digits[3] !== '0' &&
      digits[3] !== '1' &&
      digits[0] !== '1' &&
      !(digits.slice(3, 6) === '555' && digits.slice(6, 8) === '01')
    );
  }
  // National formats with a trunk 0 (UK, FR, DE, …): only reached with a phone context word.
  return digits[0] === '0' && digits.length >= 9 && digits.length <= 12;
}

/**
 * The phone number at the start of an international match: groups joined by one separator family (dots, or
 * spaces/dashes/parentheses), cut where the family changes or where a group starts a dotted number (an IP, a
 * version), then the longest prefix of whole groups with at most 15 digits. Why: the pattern is greedy and would
 * otherwise swallow a following number.
 */
export function phoneWindows(run: string): [number, number][] {
  const ends: { end: number; digits: number }[] = [];
  let family = '';
  let digits = 0;
  let i = 0;
  while (i < run.length) {
    const char = run[i] as string;
    if (char >= '0' && char <= '9') {
      digits += 1;
      i += 1;
      const next = run[i];
      if (next === undefined || !(next >= '0' && next <= '9')) {
        // a group ends here; it does not count when it begins a dotted number in a space-separated phone
        const dotted =
          family !== '.' &&
          next === '.' &&
          run[i + 1] !== undefined &&
          (run[i + 1] as string) >= '0' &&
          (run[i + 1] as string) <= '9';
        if (dotted) break;
        ends.push({ end: i, digits });
      }
      continue;
    }
    if (char === '+' || char === '(' || char === ')') {
      i += 1;
      continue;
    }
    const kind = char === '.' ? '.' : ' ';
    if (family === '') family = kind;
    if (kind !== family) break;
    i += 1;
  }
  for (let k = ends.length - 1; k >= 0; k -= 1) {
    const e = ends[k] as { end: number; digits: number };
    if (e.digits <= 15) return e.digits >= 8 ? [[0, e.end]] : [];
  }
  return [];
}

/** IPv4 outside the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737) and 0.0.0.0. */
function isIpv4(value: string): boolean {
  if (isIP(value) !== 4 || value === '0.0.0.0') return false;
  return !value.startsWith('192.0.2.') && !value.startsWith('198.51.100.') && !value.startsWith('203.0.113.');
}

/** IPv6 outside 2001:db8::/32 (RFC 3849), with at least three groups written (so "::" or "a::b" in code is not). */
function isIpv6(value: string): boolean {
  const address = value.split('%')[0] ?? '';
  if (isIP(address) !== 6) return false;
  const lower = address.toLowerCase();
  if (lower.startsWith('2001:db8:') || lower.startsWith('2001:0db8:')) return false;
  return address.split(':').filter((group) => group !== '').length >= 3;
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/** A real calendar date between 1900 and 2099 in Y-M-D, M/D/Y, D.M.Y or with an English month name. */
function isDate(value: string): boolean {
  const parts: string[] = [];
  let current = '';
  for (const char of value.toLowerCase()) {
    const isWordChar = (char >= '0' && char <= '9') || (char >= 'a' && char <= 'z');
    if (isWordChar) current += char;
    else if (current !== '') {
      parts.push(current);
      current = '';
    }
  }
  if (current !== '') parts.push(current);
  const numbers: number[] = [];
  let month = 0;
  for (const part of parts) {
    const named = MONTHS.indexOf(part.slice(0, 3));
    if (named >= 0 && part[0] !== undefined && part[0] >= 'a') month = named + 1;
    else if (part[0] !== undefined && part[0] <= '9') numbers.push(Number.parseInt(part, 10));
  }
  const yearIndex = numbers.findIndex((n) => n >= 1900 && n <= 2099);
  if (yearIndex < 0) return false;
  const year = numbers[yearIndex] as number;
  const rest = numbers.filter((_, i) => i !== yearIndex);
  const fits = (m: number, d: number) =>
    m >= 1 && m <= 12 && d >= 1 && d <= new Date(Date.UTC(year, m, 0)).getUTCDate();
  if (month > 0) return rest.length === 1 && fits(month, rest[0] as number);
  if (rest.length !== 2) return false;
  const [a, b] = rest as [number, number];
  return fits(a, b) || fits(b, a);
}

/** A JWT: the header is base64url JSON with an `alg`. */
function isJwt(value: string): boolean {
  const header = value.slice(0, value.indexOf('.'));
  try {
    const parsed: unknown = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && typeof (parsed as { alg?: unknown }).alg === 'string';
  } catch {
    return false; // a header that is not JSON only means the candidate is not a JWT
  }
}

/**
 * A PEM private key block with a real body (≥ 64 base64 characters), not a "…\n...\n-----END…" stub. A block with
 * no END line (cut off, or still arriving in a stream) is always reported: it runs to the end of the text.
 */
function isPrivateKeyBlock(value: string): boolean {
  if (!value.includes('-----END ')) return true;
  const bodyStart = value.indexOf('-----', 5);
  let count = 0;
  for (let i = bodyStart + 5; i < value.length && count < 64; i += 1) {
    const c = value[i] as string;
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '+' || c === '/')
      count += 1;
    else if (c === '-') break;
  }
  return count >= 64 && !isPlaceholder(value.slice(bodyStart + 5));
}

function isBtcAddress(value: string): boolean {
  return value.toLowerCase().startsWith('bc1') ? isValidBech32Address(value) : isValidBase58CheckAddress(value);
}

export const VALIDATORS = {
  luhn: isValidCardNumber,
  us_ssn: isValidSsn,
  aws_secret_key: isLikelyAwsSecretKey,
  email: isEmail,
  phone: isPhone,
  iban: isValidIban,
  ipv4: isIpv4,
  ipv6: isIpv6,
  date: isDate,
  aba_routing: isValidAbaRouting,
  nhs: isValidNhsNumber,
  not_placeholder: (value: string) => !isPlaceholder(value),
  high_entropy: isHighEntropySecret,
  jwt: isJwt,
  btc_address: isBtcAddress,
  eth_address: isValidEthAddress,
  private_key: isPrivateKeyBlock,
} as const satisfies Record<ValidatorName, (value: string) => boolean>;

export const REFINERS = {
  card_groups: cardWindows,
  iban_length: ibanWindows,
  phone_groups: phoneWindows,
} as const satisfies Record<RefinerName, (value: string) => [number, number][]>;

export const NORMALIZERS = {
  none: (value: string) => value,
  digits: digitsOf,
  lowercase: (value: string) => value.toLowerCase(),
  alphanumeric_upper: (value: string) => {
    let out = '';
    for (const char of value.toUpperCase())
      if ((char >= '0' && char <= '9') || (char >= 'A' && char <= 'Z')) out += char;
    return out;
  },
} as const satisfies Record<NormalizerName, (value: string) => string>;
