// Built-in phone recognizers (PHONE), as data: international (`+` and a country code), North American, national with
// a trunk 0, Brazil's own layout, and any digit groups right next to a phone label. Each candidate is checked against
// libphonenumber-js's metadata (phone.ts); RE2 syntax, `\b` and `\d` ASCII-only (full-width digits are normalised
// first). Without a phone word only a `+`, a region's own grouping or its own layout stands for one.
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
const NATIONAL_PATTERN =
  String.raw`(?:^ ?|[^\w(+./ -]|[^0-9] )` +
  String.raw`((?:\(0\d{1,4}\)[ -]?|0\d{1,4}[ /-])\d{2,8}(?:[ /-]\d{2,8}){0,3}|0\d{8,11})\b`;
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
  pattern:
    String.raw`(\+?\(?\b\d(?:(?:[ ./-]| ?- ?|\) ?-?|[ -]?\()?\d){7,39}(?: ?(?:x|ext\.?) ?\d{1,5})?)` +
    String.raw`(?:[^\w./-]|[./-](?:\D|$)|$)`,
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
