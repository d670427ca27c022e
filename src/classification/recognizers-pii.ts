// Built-in recognizers for personal, health and payment data (PII, PHI, PCI), as data. RE2 syntax: `\b` and `\d`
// are ASCII-only, which is what these formats use (full-width digits are normalised before matching).
// Formats that are ambiguous without a label (passport, routing, NHS, bare SSN, dates of birth) need a context word.
import { escapeRegExp, prefixOf } from './prefix-patterns.ts';

export { DATE_OF_BIRTH } from './dates.ts';
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
  'tél',
  'telefone',
  'celular',
  'telefonnummer',
  'rufnummer',
  'handynummer',
  'mobilnummer',
  'festnetz',
  'mobil',
  'mobiel',
  'telefoonnummer',
  'mobile number',
  'phone number',
  'tlf',
  'puhelin',
  'telefonu',
  'cep',
  'gsm',
  'sms',
  'text me',
  'reach me',
  'ruf',
  'anrufen',
  'erreichbar',
  'appelez',
  'appeler',
  'llame',
  'llamar',
  'ligue',
  'bel',
  'ring me',
  '電話',
  '電話番号',
  '携帯',
  '連絡先',
  '전화',
  '전화번호',
  '휴대폰',
  '연락처',
  '핸드폰',
  '电话',
  '手机',
  'телефон',
  'τηλέφωνο',
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

/**
 * The same candidates with nothing to label them, when the country's plan allows the length but not the range (an
 * area not in use): a `+` and a country code are a phone number's own mark. Lower confidence than a valid one.
 */
export const PHONE_INTERNATIONAL_POSSIBLE: RecognizerDefinition = {
  ...PHONE_INTERNATIONAL,
  validator: 'phone_possible',
  baseScore: 60,
  contextScore: 80,
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
 * National numbers with a trunk 0 in groups (020 7946 0958, 01 23 45 67 89, 030/901820, 010-1234-5678, (02) 9876
 * 5432). Groups are split by spaces, dashes or slashes, not dots, so dotted dates (03.04.2024) never start a search.
 */
// Not right after a digit group (`DE89 3704 0044 0532 …`: an IBAN's or a card's tail is not a phone).
// Unseparated (`02074960525`) only next to a phone word: PHONE_NATIONAL_GROUPED's validator wants a grouping.
const NATIONAL_PATTERN = String.raw`(?:^ ?|[^\w(+./ -]|[^0-9] )((?:\(0\d{1,4}\)[ -]?|0\d{1,4}[ /-])\d{2,8}(?:[ /-]\d{2,8}){0,3}|0\d{8,11})\b`;
const NATIONAL_PARTIAL = String.raw`\(?0[0-9 /()-]*`;

/** Without a phone word: valid in a region of NATIONAL_REGIONS (phone.ts) and grouped as that region writes it. */
export const PHONE_NATIONAL_GROUPED: RecognizerDefinition = {
  type: 'PHONE',
  category: 'PII',
  pattern: NATIONAL_PATTERN,
  partial: NATIONAL_PARTIAL,
  group: 1,
  validator: 'phone_national_grouped',
  normalizer: 'digits',
  contextWords: PHONE_WORDS,
  baseScore: 70,
  contextScore: 85,
};

/** Brazil's own way: a two-digit area (in parentheses or not), then 4 (or 9 + 4) and 4 digits split by a dash. */
export const PHONE_BRAZIL: RecognizerDefinition = {
  type: 'PHONE',
  category: 'PII',
  pattern: String.raw`(?:^ ?|[^\w(+./ -]|[^0-9] )((?:\([1-9]\d\)|[1-9]\d) (?:9 ?)?\d{4}-\d{4})\b`,
  partial: String.raw`\(?[1-9][0-9() -]*`,
  group: 1,
  validator: 'phone_br',
  normalizer: 'digits',
  contextWords: PHONE_WORDS,
  excludeWords: [
    'version',
    'versão',
    'versión',
    'ver',
    'release',
    'build',
    'page',
    'página',
    'section',
    'step',
    'item',
    'order',
    'pedido',
    'invoice',
    'fatura',
    'nota',
  ],
  baseScore: 70,
  contextScore: 85,
};

/** Next to a phone word: valid in a region of NATIONAL_REGIONS, however it is grouped. */
export const PHONE_NATIONAL: RecognizerDefinition = {
  type: 'PHONE',
  category: 'PII',
  pattern: NATIONAL_PATTERN,
  partial: NATIONAL_PARTIAL,
  group: 1,
  validator: 'phone_national',
  normalizer: 'digits',
  contextWords: PHONE_WORDS,
  requireContext: true,
  baseScore: 60,
  contextScore: 80,
};

/** Words that say the number right next to them is a phone: a label before it or a line's kind after it. */
const PHONE_LABELS = [
  'phone',
  'tel',
  'tel.',
  'telephone',
  'mobile',
  'mob',
  'cell',
  'call',
  'call me',
  'fax',
  'desk',
  'office',
  'whatsapp',
  'sms',
  'text me',
  'reach me',
  'ring me',
  'téléphone',
  'tél',
  'portable',
  'telefon',
  'handy',
  'mobil',
  'festnetz',
  'teléfono',
  'telefono',
  'móvil',
  'cellulare',
  'telefone',
  'celular',
  'mobiel',
  'telefoonnummer',
  'tlf',
  'puhelin',
  '電話',
  '電話番号',
  '携帯',
  '전화',
  '전화번호',
  '휴대폰',
  '핸드폰',
  '电话',
  '手机',
  // Whole words only: the matcher's word edges are ASCII letters, so `тел` would be found inside `-тель` nouns.
  'телефон',
  'τηλέφωνο',
  'telefonu',
];

/**
 * Right next to a phone label (in its clause, or a line's `office`/`fax`/`mobile` after it): digit groups a plan
 * could hold by length (phone.ts isLabelledPhoneNumber), where the stricter recognizers above want the plan's own
 * ranges and grouping. A run of digit groups is one candidate (not a letter's neighbour, `ab12`): the longest prefix
 * of whole groups that passes (labelled_phone_groups); a run none of whose prefixes does is skipped whole, so a card or
 * an IBAN's tail never yields a phone from its last groups. An extension (`x5412`) is part of the number.
 */
export const PHONE_LABELLED: RecognizerDefinition = {
  type: 'PHONE',
  category: 'PII',
  // 8 to 40 digits, so RE2 alone passes over shorter numbers (a digit in code or prose costs no native call).
  pattern: String.raw`(\+?\(?\b\d(?:(?:[ ./-]| ?- ?|\) ?-?|[ -]?\()?\d){7,39}(?: ?(?:x|ext\.?) ?\d{1,5})?)(?:[^\w./-]|[./-](?:\D|$)|$)`,
  partial: String.raw`\+?\(?[0-9][0-9 ./()x-]*`,
  group: 1,
  refiner: 'labelled_phone_groups',
  validator: 'phone_labelled',
  normalizer: 'digits',
  contextWords: PHONE_LABELS,
  contextWindow: { before: 32, after: 10 },
  contextInClause: true,
  requireContext: true,
  baseScore: 60,
  contextScore: 75,
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
  contextWords: ['ssn', 'social security', 'social sec', 'social security number', 'itin', 'taxpayer'],
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
