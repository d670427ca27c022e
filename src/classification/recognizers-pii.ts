// Built-in recognizers for personal, health and payment data (PII, PHI, PCI), as data. RE2 syntax: `\b` and `\d`
// are ASCII-only, which is what these formats use (full-width digits are normalised before matching).
// Formats that are ambiguous without a label (passport, routing, NHS, bare SSN, dates of birth) need a context word.
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

const PHONE_WORDS = [
  'phone',
  'tel',
  'telephone',
  'mobile',
  'cell',
  'call',
  'fax',
  'whatsapp',
  'contact',
  'téléphone',
  'telefon',
  'teléfono',
  'telefono',
  'handy',
  'portable',
  'móvil',
  'cellulare',
  'numéro',
  'nummer',
  'número',
];

export const EMAIL: RecognizerDefinition = {
  type: 'EMAIL',
  category: 'PII',
  // Bounded (local part ≤ 64, ≤ 8 labels of ≤ 63), so a match never spans more than a few hundred characters.
  pattern: String.raw`\b[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,63}\b`,
  partial: String.raw`\b[A-Za-z0-9][A-Za-z0-9._%+-]*(?:@[A-Za-z0-9.-]*)?`,
  validator: 'email',
  normalizer: 'lowercase',
  contextWords: ['email', 'e-mail', 'mail', 'contact'],
  baseScore: 90,
};

/** International: `+` country code and 8–15 digits in groups split by spaces, dots or dashes, area in parentheses. */
export const PHONE_INTERNATIONAL: RecognizerDefinition = {
  type: 'PHONE',
  category: 'PII',
  pattern: String.raw`(?:^|[^\w+])(\+[1-9]\d{0,3}(?:[ .-]?\(\d{1,4}\))?(?:[ .-]?\d{1,5}){1,6})\b`,
  partial: String.raw`\+[0-9 .()-]*`,
  group: 1,
  refiner: 'phone_groups',
  validator: 'phone',
  normalizer: 'digits',
  contextWords: PHONE_WORDS,
  baseScore: 80,
};

/** North American: (415) 555-2671, 415-555-2671, 415.555.2671 (separators required; area and exchange 2–9). */
export const PHONE_NANP: RecognizerDefinition = {
  type: 'PHONE',
  category: 'PII',
  pattern: String.raw`(?:^|[^\w+(.-])((?:\(\d{3}\) ?|\d{3}[.-])\d{3}[.-]\d{4})(?:[^\w.-]|[.-](?:\D|$)|$)`,
  partial: String.raw`[(0-9][0-9() .-]*`,
  group: 1,
  validator: 'phone',
  normalizer: 'digits',
  contextWords: PHONE_WORDS,
  baseScore: 70,
};

/**
 * National numbers with a trunk 0 (020 7946 0958, 01 23 45 67 89, 030/901820): only next to a phone word. Groups
 * are split by spaces, dashes or slashes, not dots, so dotted dates (03.04.2024) never start a search.
 */
export const PHONE_NATIONAL: RecognizerDefinition = {
  type: 'PHONE',
  category: 'PII',
  pattern: String.raw`\b(0\d{1,4}(?:[ /-]\d{2,8}){1,4})\b`,
  partial: String.raw`\b0[0-9 /-]*`,
  group: 1,
  validator: 'phone',
  normalizer: 'digits',
  contextWords: PHONE_WORDS,
  requireContext: true,
  fallback: true,
  baseScore: 60,
  contextScore: 80,
};

/** Dashed or spaced form: a bare nine-digit run is too often something else (see US_SSN_LABELLED). */
export const US_SSN: RecognizerDefinition = {
  type: 'US_SSN',
  category: 'PII',
  // Only a digit next to it rules a value out (a longer number): one glued to a word (`ssn219-09-9999`) is found.
  pattern: String.raw`(?:^|[^0-9])(\d{3}-\d{2}-\d{4}|\d{3} \d{2} \d{4})(?:[^0-9]|$)`,
  group: 1,
  partial: String.raw`[0-9][0-9 -]{0,10}`,
  validator: 'us_ssn',
  normalizer: 'digits',
  contextWords: ['ssn', 'social security', 'social sec', 'taxpayer', 'tin'],
  baseScore: 60,
  contextScore: 95,
};

export const US_SSN_LABELLED: RecognizerDefinition = {
  type: 'US_SSN',
  category: 'PII',
  pattern: String.raw`(?:^|[^0-9])(\d{9})(?:[^0-9]|$)`,
  group: 1,
  partial: String.raw`[0-9]{1,9}`,
  validator: 'us_ssn',
  normalizer: 'digits',
  contextWords: ['ssn', 'social security', 'social security number'],
  requireContext: true,
  baseScore: 90,
};

/**
 * A run of 13+ digits in groups split by single spaces or dashes; inside it, every window of whole groups with
 * 13–19 digits in a card layout is a candidate (card_groups), which must be in an issuer range of that length and Luhn-valid.
 */
export const CREDIT_CARD: RecognizerDefinition = {
  type: 'CREDIT_CARD',
  category: 'PCI',
  // As for SSNs: letters next to it do not rule a card out (`pan4111…`), only more digits do.
  pattern: String.raw`(?:^|[^0-9])(\d(?:[ -]?\d){12,})(?:[^0-9]|$)`,
  group: 1,
  partial: String.raw`[0-9](?:[ -]?[0-9])*[ -]?`,
  refiner: 'card_groups',
  validator: 'luhn',
  normalizer: 'digits',
  contextWords: [
    'card',
    'credit',
    'debit',
    'visa',
    'mastercard',
    'amex',
    'cc',
    'pan',
    'payment',
    'karte',
    'carte',
    'tarjeta',
  ],
  baseScore: 75,
  contextScore: 95,
};

/** Country code, check digits, then groups of up to 4 (spaced or not); the country's exact length; mod-97. */
export const IBAN: RecognizerDefinition = {
  type: 'IBAN',
  category: 'PII',
  pattern: String.raw`\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{1,4}){3,8}\b`,
  partial: String.raw`\b[A-Z](?:[A-Z](?:[0-9](?:[0-9][A-Z0-9 ]*)?)?)?`,
  refiner: 'iban_length',
  validator: 'iban',
  normalizer: 'alphanumeric_upper',
  contextWords: ['iban', 'account', 'bank', 'konto', 'compte', 'cuenta'],
  baseScore: 90,
  contextScore: 100,
};

export const IP_ADDRESS_V4: RecognizerDefinition = {
  type: 'IP_ADDRESS',
  category: 'PII',
  pattern: String.raw`(?:^|[^\w.])((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?:[^\w.-]|[.-](?:[^\w]|$)|-\d|$)`,
  partial: String.raw`[0-9][0-9.]*(?:-[0-9]?)?`,
  group: 1,
  validator: 'ipv4',
  contextWords: ['ip', 'address', 'host', 'server', 'client'],
  baseScore: 70,
  contextScore: 90,
};

export const IP_ADDRESS_V6: RecognizerDefinition = {
  type: 'IP_ADDRESS',
  category: 'PII',
  pattern: String.raw`(?:^|[^\w:.])([0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){3,7}(?:%[0-9A-Za-z]{1,16})?)(?:[^\w:]|$)`,
  partial: String.raw`[0-9A-Fa-f:]+(?:%[0-9A-Za-z]*)?`,
  group: 1,
  validator: 'ipv6',
  normalizer: 'lowercase',
  contextWords: ['ip', 'ipv6', 'address', 'host', 'server', 'client'],
  baseScore: 75,
  contextScore: 90,
};

export const US_PASSPORT: RecognizerDefinition = {
  type: 'US_PASSPORT',
  category: 'PII',
  pattern: String.raw`\b(?:[A-Z]\d{8}|\d{9})\b`,
  partial: String.raw`\b(?:[A-Z][0-9]{0,8}|[0-9]{1,9})`,
  contextWords: ['passport', 'passport number', 'passport no', 'reisepass', 'pasaporte', 'passeport', 'passaporto'],
  requireContext: true,
  baseScore: 85,
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const MONTH = `(?i:${MONTHS.join('|')})[a-z]{0,6}\\.?`;

export const DATE_OF_BIRTH: RecognizerDefinition = {
  type: 'DATE_OF_BIRTH',
  category: 'PII',
  pattern: String.raw`\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4}|\d{1,2}\.? ${MONTH} \d{4}|${MONTH} \d{1,2}(?:st|nd|rd|th)?,? \d{4})\b`,
  partial: [
    String.raw`\b[0-9][0-9/.-]*`,
    String.raw`\b[0-9]{1,2}\.? (?:[A-Za-z]+\.?(?: [0-9]{0,4})?)?`,
    `(?i:\\b(?:${MONTHS.map((m) => prefixOf(m, String.raw`[a-z]{0,6}\.?(?: (?:[0-9]{1,2}(?:[a-z]{1,2})?,?(?: [0-9]{0,4})?)?)?`)).join('|')}))`,
  ].join('|'),
  validator: 'date',
  contextWords: [
    'dob',
    'd.o.b',
    'born',
    'birth',
    'birthday',
    'date of birth',
    'birthdate',
    'geboren',
    'geburtsdatum',
    'né',
    'née',
    'naissance',
    'nacimiento',
    'nacido',
    'nacida',
    'nascita',
  ],
  // The label comes first ("DOB:", "born on", "geboren am") and close: other dates nearby are not the birth date.
  contextWindow: { before: 32, after: 0 },
  contextInClause: true,
  requireContext: true,
  baseScore: 90,
};

/** Every MRN label written out in full; their prefixes are the prefixes of every label the pattern accepts. */
const MRN_LABELS = [
  'mrn',
  'medical record number',
  'medical record no.',
  'medical record #',
  'patient id',
  'patient number',
  'patient no.',
  'chart number',
  'chart no.',
  'chart #',
  'patientennummer',
  'fallnummer',
  'dossier',
];
const MRN_LABEL = String.raw`(?i:\b(?:mrn|medical record(?: number| no\.?| #)?|patient (?:id|number|no\.?)|chart (?:number|no\.?|#)|patientennummer|fallnummer|dossier)\b)`;

/** The label is part of the pattern (MRN formats are local to each hospital); the finding is the number. */
export const MEDICAL_RECORD_NUMBER: RecognizerDefinition = {
  type: 'MEDICAL_RECORD_NUMBER',
  category: 'PHI',
  pattern: String.raw`${MRN_LABEL}\s*[:#]?\s*(?:(?i:is)\s+)?([A-Z]{0,3}-?\d{5,10})\b`,
  partial: `(?i:\b(?:${MRN_LABELS.map((l) => prefixOf(l)).join('|')}))|${MRN_LABEL}${String.raw`\s*[:#]?\s*(?:(?i:is?)\s*)?(?:[A-Z]{0,3}-?[0-9]{0,10})?`}`,
  group: 1,
  normalizer: 'alphanumeric_upper',
  baseScore: 85,
};

export const US_BANK_ROUTING: RecognizerDefinition = {
  type: 'US_BANK_ROUTING',
  category: 'PII',
  pattern: String.raw`(?:^|[^0-9])(\d{9})(?:[^0-9]|$)`,
  group: 1,
  partial: String.raw`[0-9]{1,9}`,
  validator: 'aba_routing',
  contextWords: ['routing', 'aba', 'rtn', 'routing number', 'transit', 'ach', 'wire'],
  requireContext: true,
  baseScore: 90,
};

export const UK_NHS: RecognizerDefinition = {
  type: 'UK_NHS',
  category: 'PHI',
  pattern: String.raw`\b\d{3}[ -]?\d{3}[ -]?\d{4}\b`,
  partial: String.raw`\b[0-9][0-9 -]{0,11}`,
  validator: 'nhs',
  normalizer: 'digits',
  contextWords: ['nhs', 'nhs number', 'nhs no'],
  requireContext: true,
  baseScore: 95,
};

export const BTC_ADDRESS: RecognizerDefinition = {
  type: 'BTC_ADDRESS',
  category: 'PII',
  pattern: String.raw`\b(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|bc1[02-9ac-hj-np-z]{11,71}|BC1[02-9AC-HJ-NP-Z]{11,71})\b`,
  partial: String.raw`\b(?:[13][1-9A-HJ-NP-Za-km-z]*|${prefixOf('bc1', '[02-9ac-hj-np-z]*')}|${prefixOf('BC1', '[02-9AC-HJ-NP-Z]*')})`,
  validator: 'btc_address',
  contextWords: ['bitcoin', 'btc', 'wallet'],
  baseScore: 90,
};

export const ETH_ADDRESS: RecognizerDefinition = {
  type: 'ETH_ADDRESS',
  category: 'PII',
  pattern: String.raw`\b0x[0-9a-fA-F]{40}\b`,
  partial: `\\b${prefixOf('0x', '[0-9a-fA-F]*')}`,
  validator: 'eth_address',
  normalizer: 'lowercase',
  contextWords: ['ethereum', 'eth', 'wallet'],
  baseScore: 80,
};
