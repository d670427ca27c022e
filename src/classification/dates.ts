// Dates of birth: a small date grammar (RE2 finds the candidates, `parseDate` reads one bounded candidate) instead of
// a general date parser: numeric dates in every order with `-`, `/`, `.` or no separator (YYYYMMDD), two-digit
// years, month names and abbreviations in English, French, Spanish, German, Portuguese, Dutch, Italian, Swedish and
// Turkish (12MAR85, 12. März 1985, 3 de marzo de 1985, 1er janvier 1980), and 1985年3月12日 / 1985년 3월 12일.
// Invariant: parseDate is a pure function of the candidate (≤ 40 characters) with no regular expression.
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

/** Month names by month (1..12), every language above; abbreviations are their first three or four letters. */
const MONTH_NAMES: readonly (readonly string[])[] = [
  ['january', 'janvier', 'enero', 'januar', 'jänner', 'janeiro', 'januari', 'gennaio', 'ocak'],
  ['february', 'février', 'fevrier', 'febrero', 'februar', 'fevereiro', 'februari', 'febbraio', 'şubat', 'subat'],
  ['march', 'mars', 'marzo', 'märz', 'maerz', 'março', 'marco', 'maart', 'mart'],
  ['april', 'avril', 'abril', 'aprile', 'nisan'],
  ['may', 'mai', 'mayo', 'maio', 'mei', 'maggio', 'maj', 'mayıs', 'mayis'],
  ['june', 'juin', 'junio', 'juni', 'junho', 'giugno', 'haziran'],
  ['july', 'juillet', 'julio', 'juli', 'julho', 'luglio', 'temmuz'],
  ['august', 'août', 'aout', 'agosto', 'augustus', 'augusti', 'ağustos', 'agustos'],
  ['september', 'septembre', 'septiembre', 'setiembre', 'setembro', 'settembre', 'eylül', 'eylul'],
  ['october', 'octobre', 'octubre', 'oktober', 'outubro', 'ottobre', 'ekim'],
  ['november', 'novembre', 'noviembre', 'novembro', 'kasım', 'kasim'],
  ['december', 'décembre', 'decembre', 'diciembre', 'dezember', 'dezembro', 'dicembre', 'aralık', 'aralik'],
];

/** Abbreviations in use that are not a name's first letters (`sept`, `mrz`, `okt`, `dez`). */
const EXTRA_ABBREVIATIONS: Record<string, number> = { sept: 9, mrz: 3, okt: 10, dez: 12, ene: 1, dic: 12, fev: 2 };

/** Every month word the grammar accepts, longest first (RE2 alternation order), lower case. */
const MONTH_WORDS: readonly string[] = (() => {
  const words = new Set<string>(Object.keys(EXTRA_ABBREVIATIONS));
  for (const names of MONTH_NAMES) {
    for (const name of names) {
      words.add(name);
      if (name.length > 3) words.add(name.slice(0, 3));
      if (name.length > 4) words.add(name.slice(0, 4));
    }
  }
  return [...words].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
})();

/** The month (1..12) a word names, or 0. */
function monthOf(word: string): number {
  const lower = word.toLowerCase();
  const extra = EXTRA_ABBREVIATIONS[lower];
  if (extra !== undefined) return extra;
  for (let m = 0; m < MONTH_NAMES.length; m += 1) {
    for (const name of MONTH_NAMES[m] as readonly string[]) {
      if (name === lower || (lower.length >= 3 && lower.length <= 4 && name.startsWith(lower))) return m + 1;
    }
  }
  return 0;
}

const MAX_DATE = 40;

/** A four-digit year, or a two-digit one read as 1930–2029 (the pivot of most date libraries' two-digit rules). */
function fullYear(digits: string): number {
  const n = Number(digits);
  if (digits.length === 4) return n;
  return n >= 30 ? 1900 + n : 2000 + n;
}

function isCalendarDate(year: number, month: number, day: number): boolean {
  if (!(year >= 1900 && year <= 2099 && month >= 1 && month <= 12 && day >= 1)) return false;
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Digit runs and letter runs of a candidate, in order (separators dropped; `1er`, `12th` keep only their digits). */
function partsOf(value: string): { digits: string[]; words: string[]; order: ('d' | 'w')[] } {
  const digits: string[] = [];
  const words: string[] = [];
  const order: ('d' | 'w')[] = [];
  let run = '';
  let kind: 'd' | 'w' | '' = '';
  const flush = () => {
    if (kind === 'd') digits.push(run);
    else if (kind === 'w' && monthOf(run) > 0) words.push(run);
    if (kind === 'd' || (kind === 'w' && monthOf(run) > 0)) order.push(kind);
    run = '';
    kind = '';
  };
  for (const char of value) {
    const isDigit = char >= '0' && char <= '9';
    const isLetter = !isDigit && char.toLowerCase() !== char.toUpperCase();
    const next = isDigit ? 'd' : isLetter ? 'w' : '';
    if (next !== kind) flush();
    if (next !== '') {
      kind = next;
      run += char;
    }
  }
  flush();
  return { digits, words, order };
}

/** A real calendar date (1900–2099) in any of the grammar's forms, or false. */
export function isDateValue(value: string): boolean {
  if (value.length > MAX_DATE) return false;
  const { digits, words } = partsOf(value);
  if (words.length > 1) return false;
  if (words.length === 1) {
    const month = monthOf(words[0] as string);
    if (digits.length !== 2) return false;
    const [a, b] = digits as [string, string];
    // Day first (12 March 1985, 12MAR85) or month first (March 12, 1985): the year is the 4-digit or the last part.
    if (a.length <= 2 && (b.length === 4 || b.length === 2)) return isCalendarDate(fullYear(b), month, Number(a));
    if (a.length === 4 && b.length <= 2) return isCalendarDate(Number(a), month, Number(b));
    return false;
  }
  if (digits.length === 1) {
    // Compact YYYYMMDD (19850312) or DDMMYYYY (12031985).
    const d = digits[0] as string;
    if (d.length !== 8) return false;
    return (
      isCalendarDate(Number(d.slice(0, 4)), Number(d.slice(4, 6)), Number(d.slice(6))) ||
      isCalendarDate(Number(d.slice(4)), Number(d.slice(2, 4)), Number(d.slice(0, 2)))
    );
  }
  if (digits.length !== 3) return false;
  const [a, b, c] = digits as [string, string, string];
  if (a.length === 4) return isCalendarDate(Number(a), Number(b), Number(c));
  if (c.length !== 4 && c.length !== 2) return false;
  const year = fullYear(c);
  // Day-month or month-day: either reading that is a date.
  return isCalendarDate(year, Number(b), Number(a)) || isCalendarDate(year, Number(a), Number(b));
}

/** RE2 source for a month word, case-insensitive, with an optional dot. */
const MONTH = `(?i:${MONTH_WORDS.join('|')})\\.?`;
const ORDINAL = String.raw`(?:st|nd|rd|th|er|º|°|\.)?`;

const DATE_FORMS = [
  String.raw`\d{4}[-/.]\d{1,2}[-/.]\d{1,2}`, // 1985-03-12, 1985/3/12
  String.raw`\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})`, // 12/03/1985, 3-12-85
  String.raw`(?:19|20)\d{6}|\d{4}(?:19|20)\d{2}`, // 19850312, 12031985
  // 12 March 1985, 12MAR85, 12 de marzo de 1985
  String.raw`\d{1,2}${ORDINAL}[ -]?(?:(?i:de)[ ])?${MONTH}[ -]?(?:(?i:de|del)[ ])?,?[ ]?(?:\d{4}|\d{2})`,
  String.raw`${MONTH}[ ]\d{1,2}${ORDINAL},?[ ]\d{4}`, // March 12, 1985
  String.raw`\d{4}[ ]?(?:年|년)[ ]?\d{1,2}[ ]?(?:月|월)[ ]?\d{1,2}[ ]?(?:日|일)`, // 1985年3月12日, 1985년 3월 12일
];

/** Words that say the date near them is someone's birth date. */
const BIRTH_WORDS = [
  'dob',
  'd.o.b',
  'd.o.b.',
  'born',
  'birth',
  'birthday',
  'date of birth',
  'birthdate',
  'birth date',
  'bday',
  'geboren',
  'geb',
  'geburtsdatum',
  'geburtstag',
  'né',
  'née',
  'naissance',
  'date de naissance',
  'nacimiento',
  'fecha de nacimiento',
  'nacido',
  'nacida',
  'nació',
  'nascita',
  'nato',
  'nata',
  'nascimento',
  'data de nascimento',
  'nascido',
  'nascida',
  'nasceu',
  'geboortedatum',
  'verjaardag',
  'född',
  'födelsedatum',
  'födelsedag',
  'doğum',
  'doğum tarihi',
  'doğdu',
  '生年月日',
  '誕生日',
  '生まれ',
  '생년월일',
  '출생',
  // Labels and words of other languages, and the abbreviations records use: unambiguous about a birth.
  '(b.',
  'fecha nac',
  'f. nac',
  'nasc',
  'naiss',
  'født',
  'fødselsdato',
  'fødselsdag',
  'syntymäaika',
  'syntynyt',
  'ur.',
  'urodzenia',
  'urodzony',
  'urodzona',
  'narozen',
  'narozena',
  'narození',
  'rođen',
  'rođena',
  'rođenja',
  'рождения',
  'рожд.',
  'родился',
  'родилась',
  'народження',
  'народився',
  'народилася',
  'lahir',
  'ngày sinh',
  'जन्म',
  '出生',
  '生日',
];

/** Words that make a date next to a birth word an event ("birthday party on …"), not a birth date. */
const EVENT_WORDS = [
  'party',
  'parties',
  'celebration',
  'celebrate',
  'cake',
  'dinner',
  'lunch',
  'invite',
  'invitation',
  'gift',
  'surprise',
  'feier',
  'fête',
  'fiesta',
  'festa',
  'feest',
  'kalas',
  '派对',
  '聚会',
  '蛋糕',
];

export const DATE_OF_BIRTH: RecognizerDefinition = {
  type: 'DATE_OF_BIRTH',
  category: 'PII',
  pattern: `(?:^|[^0-9A-Za-z])(${DATE_FORMS.join('|')})(?:[^0-9A-Za-z]|$)`,
  group: 1,
  partial: [
    String.raw`[0-9][0-9/. -]*(?:[A-Za-z]{1,9}\.?(?:[ -]?[0-9]{0,4})?)?`,
    String.raw`[0-9]{1,2}${ORDINAL}[ -]?(?:(?i:de)[ ])?(?:[\p{L}]+\.?(?:[ -](?:(?i:de|del)[ ])?[0-9]{0,4})?)?`,
    `(?i:\\b(?:${MONTH_WORDS.map((m) => prefixOf(m, String.raw`\.?(?:[ ](?:[0-9]{1,2}(?:[a-z]{1,2})?,?(?:[ ][0-9]{0,4})?)?)?`)).join('|')}))`,
    String.raw`[0-9]{4}[ ]?(?:[年년][ ]?[0-9]{0,2}[ ]?(?:[月월][ ]?[0-9]{0,2}[ ]?)?)?`,
  ].join('|'),
  validator: 'date',
  contextWords: BIRTH_WORDS,
  excludeWords: EVENT_WORDS,
  // The label comes first ("DOB:", "born on", "geboren am") and close: other dates nearby are not the birth date.
  contextWindow: { before: 40, after: 0 },
  contextInClause: true,
  requireContext: true,
  separateSet: true,
  baseScore: 90,
};
