// Payment card numbers: issuer (IIN) ranges with their lengths, Luhn, and the layouts people type cards in.
// Invariant: a number is a card only if its prefix belongs to a network that issues that length AND it is Luhn-valid.

/** [low prefix, high prefix (inclusive, same digit count), allowed lengths] per network. */
const ISSUER_RANGES: readonly [number, number, readonly number[]][] = [
  [4, 4, [13, 16, 19]], // Visa
  [51, 55, [16]], // Mastercard
  [2221, 2720, [16]], // Mastercard 2-series
  [34, 34, [15]],
  [37, 37, [15]], // American Express
  [6011, 6011, [16, 17, 18, 19]],
  [644, 649, [16, 17, 18, 19]],
  [65, 65, [16, 17, 18, 19]], // Discover
  [300, 305, [14, 15, 16, 17, 18, 19]],
  [36, 36, [14, 15, 16, 17, 18, 19]],
  [38, 39, [14, 15, 16, 17, 18, 19]], // Diners
  [3500, 3599, [16, 17, 18, 19]], // JCB (ISO/IEC 7812 gives 35 to JCB; issued from 3528, test generators use all of it)
  [2131, 2131, [15]],
  [1800, 1800, [15]], // JCB's 15-digit ranges
  [62, 62, [16, 17, 18, 19]], // UnionPay
  [50, 50, [13, 14, 15, 16, 17, 18, 19]],
  [56, 58, [13, 14, 15, 16, 17, 18, 19]],
  [6304, 6304, [16, 18, 19]], // Maestro
  [2200, 2204, [16, 17, 18, 19]], // Mir
];

function issuedLength(digits: string): boolean {
  for (const [low, high, lengths] of ISSUER_RANGES) {
    const prefix = Number(digits.slice(0, String(low).length));
    if (prefix >= low && prefix <= high && lengths.includes(digits.length)) return true;
  }
  return false;
}

function luhn(digits: string): boolean {
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

/** Maestro's prefixes that issue 12-digit cards (ISO/IEC 7812 lengths 12–19). */
const MAESTRO_12 = ['5018', '5020', '5038', '56', '57', '58', '6304', '6759', '6761', '6762', '6763', '0604', '6390'];

/** A 12-digit Maestro number: a Maestro prefix and Luhn (reported only next to a card word: CREDIT_CARD_SHORT). */
export function isValidShortCardNumber(value: string): boolean {
  let digits = '';
  for (const char of value) if (char >= '0' && char <= '9') digits += char;
  return digits.length === 12 && MAESTRO_12.some((prefix) => digits.startsWith(prefix)) && luhn(digits);
}

/** Payment card number: 13–19 digits, an issuer range that issues that length, not one repeated digit, Luhn. */
export function isValidCardNumber(value: string): boolean {
  let digits = '';
  for (const char of value) if (char >= '0' && char <= '9') digits += char;
  if (digits.length < 13 || digits.length > 19 || digits === (digits[0] as string).repeat(digits.length)) return false;
  return issuedLength(digits) && luhn(digits);
}

/** Card layouts printed on cards and typed by people: 4-4-4-4 (last group 1–4), Amex 4-6-5, Diners 4-6-4. */
export function isCardLayout(groups: readonly number[]): boolean {
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
