// The checks RE2 cannot express, by name, so recognizers stay plain data: refiners pick candidate spans inside a
// match, validators accept or reject a candidate, normalizers shape the value before fingerprinting.
// Invariant: pure functions of the matched value only; no regular expressions on user text.
import { isIP } from 'node:net';
import { cardWindows, isValidCardNumber, isValidShortCardNumber } from './cards.ts';
import {
  ibanWindows,
  isValidAbaRouting,
  isValidBase58CheckAddress,
  isValidBech32Address,
  isValidEthAddress,
  isValidBsn,
  isValidIban,
  isValidNhsNumber,
} from './checksums.ts';

import type { NormalizerName, RefinerName, ValidatorName } from './types.ts';
import { isDateValue } from './dates.ts';
import {
  isIntroducedName,
  isKanjiName,
  isListedName,
  isNamedName,
  isSeriesName,
  isSingleName,
  nameWindows,
  seriesItems,
} from './person-name-checks.ts';
import {
  isBrazilianPhoneNumber,
  isLabelledPhoneNumber,
  isNationalPhoneNumber,
  isPhoneNumber,
  isPossibleInternationalNumber,
  labelledPhoneWindows,
} from './phone.ts';
import { jwkSectionValue } from './recognizers-key-files.ts';
import { isEd25519Keypair } from './recognizers-key-numbers.ts';
import {
  isClearSignifyKey,
  isExtendedPrivateKey,
  isSecp256k1Hex,
  isTinkKeyValue,
  isWifPrivateKey,
} from './recognizers-key-wallets.ts';
import { holdsOpensshPrivateSection, holdsPgpSecretKey, isKeyHex } from './recognizers-key-text.ts';
import {
  classesOf,
  entropyOf,
  isHighEntropySecret,
  isLikelyAwsSecretKey,
  isLikelyPassword,
  isLikelySecretValue,
  isPlaceholder,
} from './secret-values.ts';

export { cardWindows, isValidCardNumber } from './cards.ts';
export {
  entropyOf,
  isHighEntropySecret,
  isLikelyAwsSecretKey,
  isLikelyPassword,
  isLikelySecretValue,
  isPlaceholder,
} from './secret-values.ts';

export type { NormalizerName, RefinerName, ValidatorName } from './types.ts';

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

/**
 * Domains reserved for documentation (RFC 2606, RFC 6761): example.com/.net/.org and the .example, .test, .invalid,
 * .localhost TLDs.
 */
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

/**
 * The phone number at the start of an international match: groups joined by one separator family (dots, or
 * spaces/dashes/parentheses), cut where the family changes or where a group starts a dotted number (an IP, a
 * version), then every prefix of whole groups with 8 to 15 digits, longest first: alternatives, the first valid one
 * stands (ALTERNATIVE_REFINERS). Why: the pattern is greedy and swallows a following number (`+44 20 7946 0958
 * 219-09-9999`: an SSN after the phone), and the longest prefix then fails the plan while a shorter one is the phone.
 * At most 8 prefixes (each group adds a digit), so a match costs a bounded number of validations.
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
  const windows: [number, number][] = [];
  for (let k = ends.length - 1; k >= 0; k -= 1) {
    const e = ends[k] as { end: number; digits: number };
    if (e.digits < 8) break;
    if (e.digits <= 15) windows.push([0, e.end]);
  }
  return windows;
}

/**
 * IPv4 outside the documentation ranges 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (RFC 5737), 0.0.0.0, loopback
 * 127.0.0.0/8 (RFC 1122: names no host) and masks (first octet 255: 255.255.255.0 is a netmask, 255.255.255.255
 * the broadcast address): none of them says where a person is.
 */
function isIpv4(value: string): boolean {
  if (isIP(value) !== 4 || value === '0.0.0.0' || value.startsWith('127.') || value.startsWith('255.')) return false;
  return !value.startsWith('192.0.2.') && !value.startsWith('198.51.100.') && !value.startsWith('203.0.113.');
}

/** IPv6 outside 2001:db8::/32 (RFC 3849), with at least three groups written (so "::" or "a::b" in code is not). */
function isIpv6(value: string): boolean {
  const address = value.split('%')[0] ?? '';
  if (isIP(address) !== 6) return false;
  const lower = address.toLowerCase();
  if (lower.startsWith('2001:db8:') || lower.startsWith('2001:0db8:')) return false;
  // Eight groups of two hex digits are bytes as colon-separated hex prints them (a row of openssl -text's numbers, a
  // certificate's modulus; an EUI-64), not an address written out.
  if (/^(?:[0-9a-f]{2}:){7}[0-9a-f]{2}$/.test(lower)) return false;
  return address.split(':').filter((group) => group !== '').length >= 3;
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
 * A PEM private key block with a real body, not a "…\n...\n-----END…" stub nor a line of prose: between one BEGIN
 * line and the next (or the END line) ≥ 64 base64 characters, whatever noise lies between them (a `-` or `•` bullet,
 * a `-----` line, a `-` inside a line, `Proc-Type:`/`DEK-Info:` headers), of which capitals make ≥ 1/8 (a random body
 * holds ~40 %, prose about keys almost none). A block's match runs over unterminated openings before it: the body
 * after any of them counts, so a key after decoy openings is found without re-searching the region. A block with no
 * END line (cut off, or still arriving in a stream) is always reported: it runs to the end of the text.
 */
function isPrivateKeyBlock(value: string): boolean {
  const endAt = value.lastIndexOf('-----END ');
  if (endAt < 0) return true;
  const pieces = value.slice(0, endAt).split('-----BEGIN ');
  return pieces.some((piece, i) => i > 0 && isKeyBody(piece.slice(piece.indexOf('-----') + 5)));
}

/** A key block's body (after its BEGIN line): ≥ 64 base64 characters, ≥ 1/8 of them capitals, not a placeholder. */
function isKeyBody(body: string): boolean {
  let count = 0;
  let upper = 0;
  for (let i = 0; i < body.length; i += 1) {
    const c = body[i] as string;
    if (c >= 'A' && c <= 'Z') upper += 1;
    else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c === '+' || c === '/')) continue;
    count += 1;
  }
  return count >= 64 && upper * 8 >= count && !isPlaceholder(body);
}

/**
 * Raw private key material labelled as such (a JWK's private member, a .ppk's Private-Lines): its base64 or base64url
 * characters (blanks and escaped line breaks between lines dropped) ≥ 40, upper and lower case, entropy ≥ 4
 * bits/character (random ones of 40 measure ≥ 4.1), not a JWT (`eyJ…`), and no placeholder in its first 64 (a
 * long random body holds `xXxX` somewhere about once in 500 RSA keys: a template's filler shows at its start).
 */
function isKeyMaterial(value: string): boolean {
  const material = value.replace(/\\[rn]|\s/g, '');
  if (material.length < 40 || material.startsWith('eyJ') || isPlaceholder(material.slice(0, 64))) return false;
  const { lower, upper } = classesOf(material);
  return lower && upper && entropyOf(material) >= 4;
}

function isBtcAddress(value: string): boolean {
  return value.toLowerCase().startsWith('bc1') ? isValidBech32Address(value) : isValidBase58CheckAddress(value);
}

export const VALIDATORS = {
  luhn: isValidCardNumber,
  luhn_short: isValidShortCardNumber,
  us_ssn: isValidSsn,
  us_ssn_shape: (value: string) => {
    const digits = digitsOf(value);
    const area = digits.slice(0, 3);
    return (
      digits.length === 9 &&
      area !== '000' &&
      area !== '666' &&
      digits.slice(3, 5) !== '00' &&
      digits.slice(5) !== '0000' &&
      digits !== (digits[0] as string).repeat(9)
    );
  },
  aws_secret_key: isLikelyAwsSecretKey,
  email: isEmail,
  email_fictional: () => true,
  phone: (value: string) => isPhoneNumber(value),
  phone_fictional: (value: string) => isPhoneNumber(value, { fictional: true }),
  phone_national: (value: string) => isNationalPhoneNumber(value, false),
  phone_national_grouped: (value: string) => isNationalPhoneNumber(value, true),
  phone_br: isBrazilianPhoneNumber,
  phone_labelled: (value: string) => isLabelledPhoneNumber(value),
  phone_labelled_fictional: (value: string) => isLabelledPhoneNumber(value, { fictional: true }),
  phone_possible: (value: string) => isPossibleInternationalNumber(value),
  phone_possible_fictional: (value: string) => isPossibleInternationalNumber(value, { fictional: true }),
  iban: isValidIban,
  ipv4: isIpv4,
  ipv6: isIpv6,
  date: isDateValue,
  aba_routing: (value: string) => isValidAbaRouting(digitsOf(value)),
  nhs: isValidNhsNumber,
  nl_bsn: isValidBsn,
  not_placeholder: (value: string) => !isPlaceholder(value),
  high_entropy: isHighEntropySecret,
  jwt: isJwt,
  btc_address: isBtcAddress,
  eth_address: isValidEthAddress,
  private_key: isPrivateKeyBlock,
  key_material: isKeyMaterial,
  openssh_private_section: holdsOpensshPrivateSection,
  key_hex: isKeyHex,
  pgp_secret_key: holdsPgpSecretKey,
  ed25519_keypair: isEd25519Keypair,
  bip32_private_key: isExtendedPrivateKey,
  wif_private_key: isWifPrivateKey,
  secp256k1_hex: isSecp256k1Hex,
  clear_signify_key: isClearSignifyKey,
  tink_key_value: isTinkKeyValue,
  person_name: isIntroducedName,
  person_name_named: isNamedName,
  person_name_series: isSeriesName,
  mrn: (value: string) => {
    const digits = digitsOf(value).length;
    return digits >= 5 && digits <= 14;
  },
  password: isLikelyPassword,
  secret_value: isLikelySecretValue,
  person_name_listed: isListedName,
  person_name_single: isSingleName,
  person_name_kanji: isKanjiName,
} as const satisfies Record<ValidatorName, (value: string) => boolean>;

/**
 * The validators that reject values reserved for fiction and documentation (555-01xx, example.com), and what
 * replaces each when a classifier is built with `fictional: true` (synthetic test data is fictional by construction).
 */
export const FICTIONAL_VARIANTS: Partial<Record<ValidatorName, ValidatorName>> = {
  email: 'email_fictional',
  phone: 'phone_fictional',
  phone_labelled: 'phone_labelled_fictional',
  phone_possible: 'phone_possible_fictional',
};

export const REFINERS = {
  card_groups: cardWindows,
  iban_length: ibanWindows,
  phone_groups: phoneWindows,
  labelled_phone_groups: labelledPhoneWindows,
  name_words: (value: string) => nameWindows(value),
  name_prefixes: (value: string) => nameWindows(value, true),
  name_series: seriesItems,
  jwk_section_value: jwkSectionValue,
} as const satisfies Record<RefinerName, (value: string) => [number, number][]>;

/**
 * Refiners whose windows are alternatives for one value, longest first (each a prefix of the one before): only the
 * first valid window is kept, so a valid value never also yields the shorter valid numbers inside it.
 */
export const ALTERNATIVE_REFINERS: ReadonlySet<RefinerName> = new Set(['phone_groups', 'labelled_phone_groups']);

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
