// The checks RE2 cannot express, by name, so recognizers stay plain data: refiners pick candidate spans inside a
// match, validators accept or reject a candidate, normalizers shape the value before fingerprinting.
// Invariant: pure functions of the matched value only; no regular expressions on user text.
// More validators (IBAN mod-97, ABA, NHS mod-11, entropy, base58check) drop in here by name.

export type ValidatorName = 'luhn' | 'us_ssn' | 'aws_secret_key';
export type RefinerName = 'card_groups';
export type NormalizerName = 'none' | 'digits' | 'lowercase';

function digitsOf(value: string): string {
  let digits = '';
  for (const char of value) if (char >= '0' && char <= '9') digits += char;
  return digits;
}

function allSame(digits: string): boolean {
  for (const char of digits) if (char !== digits[0]) return false;
  return true;
}

/** Payment card number: 13–19 digits, a major-network leading digit (2–6), Luhn checksum. */
export function isValidCardNumber(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length < 13 || digits.length > 19 || allSame(digits)) return false;
  const first = digits.charCodeAt(0) - 48;
  if (first < 2 || first > 6) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** US SSN: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function isValidSsn(value: string): boolean {
  const digits = digitsOf(value);
  if (digits.length !== 9) return false;
  const area = digits.slice(0, 3);
  return area !== '000' && area !== '666' && area[0] !== '9'
    && digits.slice(3, 5) !== '00' && digits.slice(5) !== '0000';
}

/** Card layouts printed on cards and typed by people: 4-4-4-4 (last group 1–4), Amex 4-6-5, Diners 4-6-4. */
function isCardLayout(groups: readonly number[]): boolean {
  if (groups.length === 1) return true;
  if (groups.length === 3 && groups[0] === 4 && groups[1] === 6) return groups[2] === 5 || groups[2] === 4;
  return groups.every((length, i) => (i < groups.length - 1 ? length === 4 : length >= 1 && length <= 4));
}

/**
 * Candidate card numbers inside a run of digit groups (e.g. "4111 1111 1111 1111 12" where "12" is an expiry
 * month): every window of whole groups with 13–19 digits, in a card layout, with one kind of separator, as
 * [start, end) offsets in `run`. Why: the regex takes the longest run, and a run that fails Luhn as a whole may
 * still contain a card.
 */
export function cardWindows(run: string): [number, number][] {
  const groups: { start: number; end: number }[] = [];
  let start = -1;
  for (let i = 0; i <= run.length; i += 1) {
    const isDigit = i < run.length && run.charCodeAt(i) >= 48 && run.charCodeAt(i) <= 57;
    if (isDigit && start < 0) start = i;
    if (!isDigit && start >= 0) {
      groups.push({ start, end: i });
      start = -1;
    }
  }
  const windows: [number, number][] = [];
  for (let first = 0; first < groups.length; first += 1) {
    const head = groups[first] as { start: number; end: number };
    const separator = run[head.end];
    const lengths: number[] = [];
    let digits = 0;
    for (let last = first; last < groups.length && digits < 19; last += 1) {
      const group = groups[last] as { start: number; end: number };
      if (last > first && run[group.start - 1] !== separator) break;
      lengths.push(group.end - group.start);
      digits += group.end - group.start;
      if (digits >= 13 && digits <= 19 && isCardLayout(lengths)) windows.push([head.start, group.end]);
    }
  }
  return windows;
}

/** AWS secret access key: 40 base64 characters that look random (mixed case, many distinct characters). */
export function isLikelyAwsSecretKey(value: string): boolean {
  if (value.length !== 40) return false;
  let upper = false;
  let lower = false;
  for (const char of value) {
    if (char >= 'A' && char <= 'Z') upper = true;
    else if (char >= 'a' && char <= 'z') lower = true;
  }
  return upper && lower && new Set(value).size >= 12;
}

export const VALIDATORS = {
  luhn: isValidCardNumber,
  us_ssn: isValidSsn,
  aws_secret_key: isLikelyAwsSecretKey,
} as const satisfies Record<ValidatorName, (value: string) => boolean>;

export const REFINERS = {
  card_groups: cardWindows,
} as const satisfies Record<RefinerName, (value: string) => [number, number][]>;

export const NORMALIZERS = {
  none: (value: string) => value,
  digits: digitsOf,
  lowercase: (value: string) => value.toLowerCase(),
} as const satisfies Record<NormalizerName, (value: string) => string>;
