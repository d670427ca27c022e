// Phone numbers checked against libphonenumber's metadata (libphonenumber-js, the `max` set: per-region number
// plans, not just lengths), instead of hand-written digit rules. RE2 patterns find the candidates; these checks
// run on one bounded candidate (≤ 32 characters) each, so their cost is per match, never per text.
// Invariant: pure functions of the candidate's characters (no regular expression runs on user text here).
import { type CountryCode, Metadata, parsePhoneNumber } from 'libphonenumber-js/max';

/** Longest candidate parsed at all: E.164 is 15 digits; with separators, prefixes and an area in parentheses, 32. */
const MAX_CANDIDATE = 32;

/**
 * Regions whose national numbers are read without a country code: every region with a trunk prefix 0 that a
 * prompt is likely to hold (the corpus's languages and the largest economies). Order matters only for speed: the
 * first region whose plan accepts the number wins.
 */
export const NATIONAL_REGIONS: readonly CountryCode[] = Object.freeze([
  'GB',
  'DE',
  'FR',
  'KR',
  'JP',
  'AU',
  'NL',
  'BE',
  'CH',
  'AT',
  'IE',
  'NZ',
  'SE',
  'FI',
  'TR',
  'IN',
  'CN',
  'TW',
  'ZA',
  'BR',
]);

/** The number types libphonenumber's `isValid` accepts (every type a region's plan describes). */
const NUMBER_TYPES = [
  'FIXED_LINE',
  'MOBILE',
  'TOLL_FREE',
  'PREMIUM_RATE',
  'SHARED_COST',
  'VOIP',
  'PERSONAL_NUMBER',
  'PAGER',
  'UAN',
  'VOICEMAIL',
] as const;

interface NumberingPlanView {
  type(name: string): { pattern(): string } | undefined;
}

/**
 * Per region, the union of its plan's number-type patterns (what `isValid` tests), compiled once: a national
 * significant number none of them matches is not valid there, so only a region that matches is parsed (~20 µs)
 * for its grouping. They run on ≤ 12 digits, never on text.
 */
let plans: { region: CountryCode; valid: RegExp }[] | undefined;

function regionPlans(): { region: CountryCode; valid: RegExp }[] {
  if (plans !== undefined) return plans;
  const data = new Metadata();
  plans = NATIONAL_REGIONS.map((region) => {
    data.selectNumberingPlan(region);
    // The plan's accessors are not in the package's types.
    const plan = (data as unknown as { numberingPlan: NumberingPlanView }).numberingPlan;
    const patterns = NUMBER_TYPES.map((t) => plan.type(t)?.pattern()).filter((p) => p !== undefined && p !== '');
    return { region, valid: new RegExp(`^(?:${patterns.join('|')})$`) };
  });
  return plans;
}

/** Loads the metadata and compiles the plans now (start-up), not on the first request. */
export function preparePhoneMetadata(): void {
  regionPlans();
  parsed('+44 20 7946 0958')?.isValid();
}

/** The North American 555-0100..0199 block, reserved for fiction (films, documentation): never a person's number. */
function isFictionalNanp(nationalDigits: string): boolean {
  return nationalDigits.length === 10 && nationalDigits.slice(3, 6) === '555' && nationalDigits.slice(6, 8) === '01';
}

function parsed(value: string, region?: CountryCode) {
  if (value.length > MAX_CANDIDATE) return undefined;
  try {
    return parsePhoneNumber(value, region === undefined ? undefined : { defaultCountry: region });
  } catch {
    return undefined; // not a phone number at all (too short, letters): a rejected candidate, nothing to keep
  }
}

export interface PhoneOptions {
  /** Accept the 555-01xx numbers reserved for fiction (default false: they are excluded, as sample data). */
  fictional?: boolean;
}

/**
 * A number with its country code (`+44 20 7946 0958`, `0044 …`) valid in that country's plan, or a North American
 * number (`(415) 867-5309`, `1-415-867-5309`) valid in the NANP.
 */
export function isPhoneNumber(value: string, options: PhoneOptions = {}): boolean {
  // `+44 (0)20 …`, `+31(0)940-…`: the trunk 0 some write after the country code is not dialled from abroad.
  const trimmed = value.trim().replace('(0)', '');
  const international = trimmed.startsWith('+') ? trimmed : trimmed.startsWith('00') ? `+${trimmed.slice(2)}` : '';
  const number = international === '' ? parsed(trimmed, 'US') : parsed(international);
  if (number === undefined || !number.isValid()) return false;
  if (international === '' && number.countryCallingCode !== '1') return false;
  return options.fictional === true || number.countryCallingCode !== '1' || !isFictionalNanp(number.nationalNumber);
}

/** The national number's group lengths as libphonenumber writes it (`030 12345678` → [3, 8]). */
function groupLengths(text: string): number[] {
  const groups: number[] = [];
  let run = 0;
  for (const char of text) {
    if (char >= '0' && char <= '9') run += 1;
    else if (run > 0) {
      groups.push(run);
      run = 0;
    }
  }
  if (run > 0) groups.push(run);
  return groups;
}

/** Cumulative digit counts where each group but the last ends. */
function boundaries(groups: readonly number[]): number[] {
  const ends: number[] = [];
  let total = 0;
  for (const g of groups.slice(0, -1)) ends.push((total += g));
  return ends;
}

/**
 * A national number (trunk 0: `020 7946 0958`, `010-1234-5678`, `03-1234-5678`, `0412 345 678`) valid in one of
 * NATIONAL_REGIONS. `strict`: also written in that region's grouping, each break where the region's own format puts
 * one (libphonenumber's STRICT_GROUPING: groups may be joined, never split elsewhere), so a date (`03-04-2024`) or
 * an id that happens to fit a plan is not a phone.
 */
export function isNationalPhoneNumber(value: string, strict: boolean): boolean {
  const groups = groupLengths(value);
  const digits = groups.reduce((sum, g) => sum + g, 0);
  const first = [...value].find((char) => char >= '0' && char <= '9');
  if (first !== '0' || digits < 9 || digits > 12) return false;
  // 3-2-4 is the layout of a US social security number, never how a national phone number is written.
  if (strict && groups.length === 3 && groups[0] === 3 && groups[1] === 2 && groups[2] === 4) return false;
  const written = boundaries(groups);
  let significant = '';
  for (const char of value) if (char >= '0' && char <= '9') significant += char;
  significant = significant.slice(1); // the trunk 0
  for (const { region, valid } of regionPlans()) {
    // The plan's own type patterns (what isValid tests) say whether it is valid there; only the grouping needs a
    // parse (~15 µs), so a number without a grouping to check is never parsed.
    if (!valid.test(significant)) continue;
    if (!strict) return true;
    if (written.length === 0) return false;
    const number = parsed(value, region);
    if (number === undefined || number.country !== region) continue;
    const formatted = new Set(boundaries(groupLengths(number.formatNational())));
    if (written.length > 0 && written.every((b) => formatted.has(b))) return true;
  }
  return false;
}

/**
 * A Brazilian number written without its trunk prefix, the way Brazilians write them (`(11) 2313-7324`,
 * `62 6417-0619`, `21 9 8765-4321`): valid in Brazil's plan and grouped as Brazil writes it.
 */
export function isBrazilianPhoneNumber(value: string): boolean {
  let significant = '';
  for (const char of value) if (char >= '0' && char <= '9') significant += char;
  const plan = regionPlans().find((p) => p.region === 'BR');
  if (plan === undefined || !plan.valid.test(significant)) return false;
  const number = parsed(value, 'BR');
  if (number === undefined || number.country !== 'BR') return false;
  const written = boundaries(groupLengths(value));
  const formatted = new Set(boundaries(groupLengths(number.formatNational())));
  return written.length > 0 && written.every((b) => formatted.has(b));
}

/** Where an extension starts (`x5412`, `ext. 12`, `ext 12`): the offset of its `x`/`ext`, or the length. */
function extensionStart(value: string): number {
  const lower = value.toLowerCase();
  const at = lower.lastIndexOf('x');
  if (at <= 0) return value.length;
  const from = lower.slice(at - 1, at + 2) === 'ext' ? at - 1 : at;
  return from > 0 && lower[from - 1] === ' ' ? from - 1 : from;
}

/**
 * Starts with a calendar date (`2024-03-15 10:30`, `15.03.2024 …`): a year 1900–2099 and a month and day in range,
 * year first or last in the first three groups. A phone is never written that way; a timestamp near "call" is.
 */
function startsWithDate(digits: string, groups: readonly number[]): boolean {
  const [a, b, c] = groups;
  const year = (y: string) => y.startsWith('19') || y.startsWith('20');
  const monthDay = (m: number, d: number) => m >= 1 && m <= 12 && d >= 1 && d <= 31;
  if (a === 4 && b === 2 && c === 2)
    return year(digits.slice(0, 4)) && monthDay(Number(digits.slice(4, 6)), Number(digits.slice(6, 8)));
  if (a === 2 && b === 2 && c === 4) {
    const [x, y] = [Number(digits.slice(0, 2)), Number(digits.slice(2, 4))];
    return year(digits.slice(4, 8)) && (monthDay(y, x) || monthDay(x, y));
  }
  return false;
}

/** Four dotted groups of 1–3 digits: an IPv4 address's layout, never a phone's. */
function isDottedQuad(value: string, groups: readonly number[]): boolean {
  return groups.length === 4 && groups.every((g) => g <= 3) && value.includes('.');
}

/**
 * Next to a phone word (PHONE_LABELLED): a number some plan could hold, by its length, where the plans' finer rules
 * reject it (an area code not in use, a mobile range not yet opened: synthetic and obsolete numbers, as people still
 * write them). With a country code (`+` or `00`): libphonenumber's possible lengths for that country. With a trunk 0:
 * 9–12 digits. Otherwise 9–11 digits in groups (the NANP's 10, Brazil's 10–11, Spain's 9, Japan's without the 0), or
 * 10 in one run (11 with a leading 1), never a ZIP+4's 5-4. Never an SSN's 3-2-4 layout, an IPv4 address's four dotted
 * groups, a date and a time, or one repeated digit; an extension (`x5412`) is not counted.
 */
export function isLabelledPhoneNumber(value: string, options: PhoneOptions = {}): boolean {
  const number = value.slice(0, extensionStart(value)).trim();
  const groups = groupLengths(number);
  if (groups.length === 3 && groups[0] === 3 && groups[1] === 2 && groups[2] === 4) return false;
  if (isDottedQuad(number, groups)) return false;
  let digits = '';
  for (const char of number) if (char >= '0' && char <= '9') digits += char;
  if (digits === (digits[0] ?? '').repeat(digits.length)) return false; // `(111) 111-1111`: a placeholder
  if (startsWithDate(digits, groups)) return false;
  const plain = number.replace('(0)', '');
  if (plain.startsWith('+') || plain.startsWith('00')) {
    const international = parsed(plain.startsWith('+') ? plain : `+${plain.slice(2)}`);
    if (international === undefined || !international.isPossible()) return false;
    const fiction = international.countryCallingCode === '1' && isFictionalNanp(international.nationalNumber);
    return options.fictional === true || !fiction;
  }
  if (digits.startsWith('0')) return digits.length >= 9 && digits.length <= 12;
  if (digits.length < 9 || digits.length > 11) return false;
  if (groups.length === 2 && groups[0] === 5 && groups[1] === 4) return false; // a US ZIP+4 (62704-1234)
  // One run without a trunk 0: a North American number's 10 digits (11 with its 1), not any count (`took 123456789`).
  if (groups.length === 1 && digits.length !== 10 && !(digits.length === 11 && digits.startsWith('1'))) return false;
  const nanp = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
  return options.fictional === true || !isFictionalNanp(nanp);
}

/**
 * With its country code and nothing to label it (PHONE_INTERNATIONAL_POSSIBLE): `+`, a country code and a length
 * that country's plan allows (libphonenumber's possible lengths, its POSSIBLE leniency), where the plan's ranges
 * reject the number; the same exclusions as a labelled number, and a North American number's structure.
 */
export function isPossibleInternationalNumber(value: string, options: PhoneOptions = {}): boolean {
  if (!value.trimStart().startsWith('+') || !isLabelledPhoneNumber(value, options)) return false;
  const number = parsed(value.slice(0, extensionStart(value)).trim().replace('(0)', ''));
  // The NANP's area code and exchange never start with 0 or 1 (a structure, not a range still unused).
  const nanp = number?.countryCallingCode === '1' ? number.nationalNumber : undefined;
  return (
    nanp === undefined ||
    (nanp.length === 10 && nanp[0] !== '0' && nanp[0] !== '1' && nanp[3] !== '0' && nanp[3] !== '1')
  );
}

/**
 * PHONE_LABELLED's candidates in a run of digit groups: every prefix of whole groups with 8–15 digits (an extension's
 * digits included: the validator sets them apart), longest first, as alternatives (the first valid one stands). A run
 * none of whose prefixes is valid yields nothing, and the search resumes after it, never inside it: the last groups of
 * a card or an IBAN are not a phone. At most 8 prefixes (each group adds a digit).
 */
export function labelledPhoneWindows(run: string): [number, number][] {
  const windows: [number, number][] = [];
  let digits = 0;
  for (let i = 0; i < run.length; i += 1) {
    const char = run[i] as string;
    if (char < '0' || char > '9') continue;
    digits += 1;
    const next = run[i + 1];
    if (next !== undefined && next >= '0' && next <= '9') continue;
    if (digits > 15) break;
    if (digits >= 8) windows.push([0, i + 1]);
  }
  return windows.reverse();
}
