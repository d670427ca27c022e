// Built-in recognizers for personal and health data (PII, PHI), as data. RE2 syntax: `\b` and `\d` are ASCII-only,
// which is what these formats use (full-width digits are normalised before matching). Formats that are ambiguous
// without a label (passport, NHS, bare SSN, dates of birth) need a context word. Phone numbers are in
// recognizers-phone.ts, dates of birth in dates.ts, cards, bank and wallet numbers in recognizers-payment.ts.
import { escapeRegExp, prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

export { DATE_OF_BIRTH } from './dates.ts';
export {
  BTC_ADDRESS,
  CREDIT_CARD,
  CREDIT_CARD_SHORT,
  ETH_ADDRESS,
  IBAN,
  US_BANK_ROUTING,
  US_BANK_ROUTING_MICR,
} from './recognizers-payment.ts';

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

/**
 * The SSN's labels US forms and payroll systems print, in every SSN recognizer's words: `SS#`, `SS #`, `SS No.`,
 * `SS Num`, `SS Number`, `Soc. Sec. No.`, `Soc Sec #` (`soc sec` holds the last two), and the Spanish a US payroll
 * export writes for its Spanish-speaking staff (`número de seguro social`, `numero_seguro_social`: word for word
 * "social security number"). Never `ss` alone (a unit, a ship's prefix).
 */
const SSN_ABBREVIATIONS = ['ss#', 'ss #', 'ss no', 'ss num', 'ss number', 'soc sec', 'seguro social'];

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
  contextWords: ['ssn', 'ssns', 's.s.n', 'social security', 'social sec', ...SSN_ABBREVIATIONS, 'taxpayer', 'tin'],
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
  contextWords: [
    'ssn',
    'ssns',
    's.s.n',
    'social security',
    'social sec',
    'social security number',
    ...SSN_ABBREVIATIONS,
    'itin',
    'taxpayer',
  ],
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
  // A person's taxpayer identification number is the SSN (ITIN the same layout): a 1099 or payroll export heads its
  // people's SSN column `TIN`, `Tax ID`, `Taxpayer ID Number`; databases abbreviate `ss_nbr`, `ssnum`. An EIN under
  // such a header as nine bare digits reads as one too (fail closed; an EIN is written 12-3456789). `tin` and `itin`
  // count only in capitals, as a label or identifier, or in a header (context-words.ts): the metal is no such word.
  // `taxpayer` alone is no such word here ("the taxpayer portal; confirmation 234567890").
  contextWords: [
    'ssn',
    'ssns',
    's.s.n',
    'social security',
    'social security number',
    ...SSN_ABBREVIATIONS,
    'tin',
    'itin',
    'taxpayer id',
    'tax id',
    'ss nbr',
    'ssnum',
  ],
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
