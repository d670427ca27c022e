// Built-in recognizers for personal, health and payment data (PII, PHI, PCI), as data. RE2 syntax: `\b` and `\d`
// are ASCII-only, which is what these formats use (full-width digits are normalised before matching).
// Formats that are ambiguous without a label (passport, routing, NHS, bare SSN, dates of birth) need a context word.
// Phone numbers are in recognizers-phone.ts, dates of birth in dates.ts.
import { escapeRegExp, prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

export { DATE_OF_BIRTH } from './dates.ts';

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
  // Its own RE2.Set: each `+` or `/` in the last 64 characters (a word boundary where a local part may start) is a
  // DFA state of its own, so on base64 (a data URL image) the combined set's cache thrashed: 1 MB cost ~1.7 s. The set
  // and the search read only the bytes around each `@` (anchors.ts): a text without one costs a memchr.
  separateSet: true,
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
  contextWords: ['ssn', 'ssns', 's.s.n', 'social security', 'social sec', 'taxpayer', 'tin'],
  baseScore: 60,
  contextScore: 95,
};

/**
 * Dashed or spaced, next to an SSN word: also area 9xx (ITINs, taxpayer numbers written in the same layout), since a
 * value someone labels an SSN is sensitive even when the SSA would not have issued it. Still not area 000 or 666,
 * group 00, serial 0000, or one repeated digit.
 */
export const US_SSN_CONTEXT: RecognizerDefinition = {
  type: 'US_SSN',
  category: 'PII',
  pattern: US_SSN.pattern,
  group: 1,
  partial: US_SSN.partial as string,
  validator: 'us_ssn_shape',
  normalizer: 'digits',
  contextWords: ['ssn', 'ssns', 's.s.n', 'social security', 'social sec', 'social security number', 'itin', 'taxpayer'],
  requireContext: true,
  baseScore: 95,
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
  contextWords: ['ssn', 'ssns', 's.s.n', 'social security', 'social security number'],
  requireContext: true,
  baseScore: 90,
};

/** Words that name the Dutch citizen service number (and its former name, the sofinummer) in Dutch and English. */
const BSN_WORDS = [
  'bsn',
  'burgerservicenummer',
  'burger service nummer',
  'burgerservicenr',
  'sofinummer',
  'sofi-nummer',
  'sofi nummer',
  'sofinr',
  'citizen service number',
];

/**
 * A Dutch BSN: nine digits (or written 1234.56.782 / 123 456 782, or with `-`: the groups the digits view writes for
 * any separator, `123/456/782` as `123-456-782`, digit-view.ts) next to a BSN word, valid by the 11-proef. Where a
 * bare nine-digit US_SSN_LABELLED finding covers the same digits (`BSN (social security number): 123456782`), the
 * BSN's checksum ranks above it (overlap.ts): the other type's own word and checksum win.
 */
export const NL_BSN: RecognizerDefinition = {
  type: 'NL_BSN',
  category: 'PII',
  pattern: String.raw`(?:^|[^0-9.])(\d{9}|\d{4}[.-]\d{2}[.-]\d{3}|\d{3}[ -]\d{3}[ -]\d{3})(?:[^0-9]|$)`,
  group: 1,
  partial: String.raw`[0-9][0-9. -]{0,10}`,
  validator: 'nl_bsn',
  normalizer: 'digits',
  contextWords: BSN_WORDS,
  requireContext: true,
  baseScore: 90,
};

/**
 * A run of 13+ digits in groups split by single spaces or dashes; inside it, every window of whole groups with 13–19
 * digits in a card layout is a candidate (card_groups), which must be in an issuer range of that length and Luhn-valid.
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

/** A 12-digit Maestro card (one run, or 4-4-4), only next to a card word: 12 digits alone are too often an id. */
export const CREDIT_CARD_SHORT: RecognizerDefinition = {
  type: 'CREDIT_CARD',
  category: 'PCI',
  // Not a part of a longer run of digit groups (`1234 5678 9012 3456`): no group right before or after it.
  pattern: String.raw`(?:^ ?|[^0-9 -]|[^0-9][ -])(\d{12}|\d{4}[ -]\d{4}[ -]\d{4})(?:$|[^0-9 -]|[ -](?:[^0-9]|$))`,
  group: 1,
  partial: String.raw`[0-9][0-9 -]{0,13}`,
  validator: 'luhn_short',
  normalizer: 'digits',
  contextWords: CREDIT_CARD.contextWords as string[],
  requireContext: true,
  baseScore: 85,
};

/**
 * Country code, check digits, then groups of up to 4, glued or apart by up to three of whitespace, '.', '/', '_' and
 * any dash (\p{Pd}: '-', U+2010, the non-breaking hyphen U+2011 word processors put in numbers, the en dash U+2013)
 * in any mix (`DE89-3704-…`, `DE89.3704…`, `DE89  3704`, `DE 89 3704`), in any case (`de89 3704 …`: a lower-case
 * country code glued to its check digits only, as prose writes `at 10 am and`); the country's exact length and mod-97
 * gate every form (ibanWindows, isValidIban).
 */
export const IBAN: RecognizerDefinition = {
  type: 'IBAN',
  category: 'PII',
  pattern: String.raw`\b(?:[A-Z]{2}[\s./_\-\p{Pd}]{0,3}|[A-Za-z]{2})\d{2}(?:[\s./_\-\p{Pd}]{0,3}[A-Za-z0-9]{1,4}){3,8}\b`,
  partial: String.raw`\b(?:[A-Za-z](?:[A-Za-z](?:[0-9](?:[0-9][A-Za-z0-9\s./_\-\p{Pd}]*)?)?)?|[A-Z]{2}[\s./_\-\p{Pd}]{1,3}(?:[0-9](?:[0-9][A-Za-z0-9\s./_\-\p{Pd}]*)?)?)`,
  refiner: 'iban_length',
  validator: 'iban',
  normalizer: 'alphanumeric_upper',
  contextWords: ['iban', 'account', 'bank', 'konto', 'compte', 'cuenta'],
  baseScore: 90,
  contextScore: 100,
};

const VERSION_WORDS = [
  'version',
  'ver',
  'release',
  'build',
  'firmware',
  'section',
  'sec',
  'chapter',
  'clause',
  'paragraph',
  'para',
  'art',
  'article',
  'rule',
  'step',
  'item',
  '§',
  'mask',
  'netmask',
  'subnet mask',
];

export const IP_ADDRESS_V4: RecognizerDefinition = {
  type: 'IP_ADDRESS',
  category: 'PII',
  pattern: String.raw`(?:^|[^\w.])((?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d))(?:[^\w.-]|[.-](?:[^\w]|$)|-\d|$)`,
  partial: String.raw`[0-9][0-9.]*(?:-[0-9]?)?`,
  group: 1,
  validator: 'ipv4',
  contextWords: ['ip', 'address', 'host', 'server', 'client'],
  // Right before it: a version (`version 10.0.0.1`, `build 1.2.3.4`), a section (`§ 1.2.3.4`) or a mask.
  excludeWords: VERSION_WORDS,
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

/**
 * Every MRN label written out in full (English, German, French, Spanish, Portuguese, Italian, Dutch, Swedish, Turkish,
 * Japanese, Chinese, Korean).
 */
const MRN_LABELS = [
  'mrn',
  'mr#',
  'mr #',
  'mr no',
  'mr no.',
  'med rec',
  'med rec no',
  'med rec #',
  'medical record',
  'medical record number',
  'medical record no',
  'medical record no.',
  'medical record #',
  'medical record nr',
  'record number',
  'hospital number',
  'hospital no',
  'hospital no.',
  'patient id',
  'patient number',
  'patient no',
  'patient no.',
  'chart number',
  'chart no',
  'chart no.',
  'chart #',
  'patientennummer',
  'patienten-id',
  'patientenid',
  'fallnummer',
  'dossier',
  'dossier médical',
  'numéro de dossier',
  'n° de dossier',
  'no de dossier',
  'historia clínica',
  'historia clinica',
  'número de historia',
  'nhc',
  'prontuário',
  'prontuario',
  'número do prontuário',
  'cartella clinica',
  'patiëntnummer',
  'patientnummer',
  'dossiernummer',
  'journalnummer',
  'hasta no',
  'hasta no.',
  'hasta numarası',
  'protokol no',
  'med. rec.',
  'med. rec. no.',
  'medical rec',
  'krankenaktennummer',
  'aktennummer',
  'cartella',
  '患者番号',
  '患者id',
  'カルテ番号',
  '診察券番号',
  '病歴号',
  '病历号',
  '환자번호',
  '등록번호',
];
/** RE2's `\b` is ASCII: it stands only beside an ASCII letter or digit (`hasta numarası`, `患者番号` have none). */
const asciiWord = (char: string | undefined) => char !== undefined && /[A-Za-z0-9]/.test(char);
/** Longest first, so `medical record number` is taken whole; `\b` only where the label has an ASCII letter. */
const MRN_LABEL = `(?i:${[...MRN_LABELS]
  .sort((x, y) => y.length - x.length)
  .map((l) => `${asciiWord(l[0]) ? '\\b' : ''}${escapeRegExp(l)}${asciiWord(l.at(-1)) ? '\\b' : ''}`)
  .join('|')})`;

/**
 * The label is part of the pattern (MRN formats are local to each hospital); the finding is the number: up to four
 * letters, then digits in groups split by dashes or a space (`AB-12345`, `123-456-789`, `2024-000123`).
 */
export const MEDICAL_RECORD_NUMBER: RecognizerDefinition = {
  type: 'MEDICAL_RECORD_NUMBER',
  category: 'PHI',
  pattern: String.raw`${MRN_LABEL}[ \t]*(?:#|(?i:no|nr|n°|nº|n)\.?)?[ \t]*[:#]?[ \t]*(?:(?i:is)\s+)?((?:[A-Z]{1,4}[- ]?)?\d{2,10}(?:-\d{1,10}){0,3})\b`,
  partial: `(?i:${MRN_LABELS.map((l) => `${asciiWord(l[0]) ? '\\b' : ''}${prefixOf(l)}`).join('|')})|${MRN_LABEL}${String.raw`[ \t]*(?:#|(?i:no|nr|n°|nº|n)\.?)?[ \t]*[:#]?[ \t]*(?:(?i:is?)\s*)?(?:[A-Z]{0,4}[- ]?[0-9-]{0,40})?`}`,
  group: 1,
  validator: 'mrn',
  normalizer: 'alphanumeric_upper',
  baseScore: 85,
};

const ROUTING_WORDS = [
  'routing',
  'aba',
  'rtn',
  'routing number',
  'routing no',
  'transit',
  'ach',
  'wire',
  'wires',
  'wired',
  'wire transfer',
  'bank',
];

/** Nine digits (or 4-4-1, 3-3-3 dashed) next to a routing word, ABA checksum valid. */
export const US_BANK_ROUTING: RecognizerDefinition = {
  type: 'US_BANK_ROUTING',
  category: 'PII',
  pattern: String.raw`(?:^|[^0-9-])(\d{9}|\d{4}-\d{4}-\d|\d{3}-\d{3}-\d{3})(?:[^0-9-]|-\D|-$|$)`,
  group: 1,
  partial: String.raw`[0-9][0-9-]{0,10}`,
  validator: 'aba_routing',
  normalizer: 'digits',
  contextWords: ROUTING_WORDS,
  requireContext: true,
  baseScore: 90,
};

/** The MICR line of a cheque: the routing number between transit symbols (⑆021000021⑆) needs no label. */
export const US_BANK_ROUTING_MICR: RecognizerDefinition = {
  type: 'US_BANK_ROUTING',
  category: 'PII',
  pattern: String.raw`\x{2446}[ ]?(\d{9})[ ]?\x{2446}`,
  group: 1,
  partial: String.raw`\x{2446}[ ]?[0-9]{0,9}[ ]?`,
  validator: 'aba_routing',
  normalizer: 'digits',
  contextWords: ROUTING_WORDS,
  baseScore: 90,
  contextScore: 100,
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
