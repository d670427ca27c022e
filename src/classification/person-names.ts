// Person names (PERSON_NAME): capitalised words that a title, a label, a greeting or a signature introduces, two or
// more in a row that a name list knows, or one the list knows with words about people near it. The recognizers are
// data (RE2 patterns); their validators are person-name-checks.ts and the lists those read person-name-lists.ts.
// Invariant: the checks are pure functions of one bounded candidate (≤ 4 words); RE2 finds the candidates.
import {
  alternation,
  CLOSINGS,
  LABELS,
  NAMING_PHRASES,
  PARTICLES,
  PEOPLE_WORDS,
  PERSON_WORDS,
  PLACE_PHRASES,
  STREET_WORDS,
  TITLES,
} from './person-name-words.ts';
import { SERIES_CONJUNCTIONS } from './person-name-checks.ts';
import { LATIN_BLOCKS_CLASS, LATIN_EXTENDED_CAPITALS_CLASS } from './person-name-finder.ts';
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

// The classifier reads a place's next words with these (classifier.ts imports them from here).
export { opensCompany, opensFullName } from './person-name-checks.ts';
export { nameLists } from './person-name-lists.ts';
// Names in kana and kanji (a separate module: their patterns share nothing with the Latin ones below).
export { PERSON_NAME_CJK_INTRODUCED, PERSON_NAME_JAPANESE, PERSON_NAME_KANJI } from './person-names-cjk.ts';

/** One capitalised word of a name: `Smith`, `McKeon`, `O'Brien`, `Hans-Jochen`, `Hélène` (RE2, Unicode classes). */
// Latin letters only (ASCII, Latin-1, Extended-A and -B, Latin Extended Additional): RE2's DFA stays small
// (Unicode-wide \p{Lu}/\p{Ll} classes made it spill to the slow NFA: 8 ms for 40 KB instead of < 1 ms).
const UPPER = String.raw`[A-Z\x{C0}-\x{D6}\x{D8}-\x{DE}${LATIN_EXTENDED_CAPITALS_CLASS}]`;
const LOWER = String.raw`[a-z\x{DF}-\x{F6}\x{F8}-\x{FF}\x{101}-\x{24F}\x{1E00}-\x{1EFF}]`;
/**
 * UPPER for partials (what a stream holds while a name may be growing): the Latin blocks whole, capitals or not. A
 * superset holds a little more (a word opening with `ā`), never less; the ~300 capitals in every partial made the
 * stream's RE2.Set too big to compile.
 */
const UPPER_HOLD = String.raw`[A-Z\x{C0}-\x{D6}\x{D8}-\x{DE}${LATIN_BLOCKS_CLASS}]`;
/** Any letter a name's word may hold, in a class: Latin-1's and the Latin blocks' (× and ÷ included, as before). */
const LETTERS = String.raw`\x{C0}-\x{FF}${LATIN_BLOCKS_CLASS}`;
const WORD = String.raw`(?:Mc|Mac|O'|D'|O’|D’)?${UPPER}${LOWER}+(?:-${UPPER}${LOWER}+)?`;
const PARTICLE = `(?:${PARTICLES.join('|')})`;
/** One to four words, with middle initials (`Zoe S Want`, `John F. Kennedy`) and particles (`Thijmen van Ochten`). */
const NAME = String.raw`${WORD}(?:[ ](?:${UPPER}\.?[ ])?(?:${PARTICLE}[ ](?:${PARTICLE}[ ])?)?${WORD}){0,3}`;
/**
 * Where a name's last word ends: RE2's `\b` is ASCII, so after a last letter outside ASCII (`Chloë`, `Dujmović`) it
 * held only before that letter and the name lost it (`Chlo`); then the character after the name is taken instead.
 */
const WORD_END = String.raw`(?:\b|$|[^A-Za-z0-9_${LETTERS}])`;
/** Family name particles that may open a name (`van der Laan is …`, `de Jacquet`). */
const LEADING_PARTICLE = String.raw`(?:(?:van|von|de|da|di|du|le)[ ](?:(?:der|den|de|la|los)[ ])?)?`;

/**
 * Partials (types.ts): what a stream holds back at the end of the text while a name may still be growing: a
 * capitalised word and up to eight more words (capitalised, initials, or short lower-case particles), case-sensitive.
 */
const TAIL_WORD = String.raw`(?:${UPPER_HOLD}[A-Za-z${LETTERS}'’.-]*|[a-z]{1,3})`;
const NAME_TAIL = String.raw`(?-i:(?:${UPPER_HOLD}[A-Za-z${LETTERS}'’.-]*(?:[ ]${TAIL_WORD}?){0,8})?)`;
/** Every beginning of one of `words` (case-insensitive) at a word start, or all of it followed by `then`. */
const prefixesOf = (words: readonly string[], then: string) =>
  `(?i:\\b(?:${words.map((w) => prefixOf(w, then)).join('|')}))`;

/**
 * A name a title, a label or greeting, or a closing introduces: `Mr. Smith`, `Dr Hans-Jochen Henck`, `Frau Weber`,
 * `M. Dupont`, `Name: Jane Doe`, `my name is …`, `Hi Maria-Luise,`, `patient: …`, `Regards,\nJohn Smith`.
 */
export const PERSON_NAME_INTRODUCED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern:
    [
      String.raw`(?:(?:(?i:\b(?:${TITLES.join('|')}))\.?|\bM\.)[ ]+`,
      String.raw`(?i:\b(?:${alternation(LABELS)}))[ \t]*[:?]?[ \t]*`,
      String.raw`(?i:\b(?:${alternation(CLOSINGS)}))[,!.]?[ \t]*\r?\n[ \t]*)`,
    ].join('|') + String.raw`(${LEADING_PARTICLE}${NAME})${WORD_END}`,
  group: 1,
  partial: [
    prefixesOf([...TITLES, 'm.'], String.raw`\.?[ ]*${NAME_TAIL}`),
    prefixesOf(LABELS, String.raw`[ \t]*[:?]?[ \t]*${NAME_TAIL}`),
    prefixesOf(CLOSINGS, String.raw`[,!.]?[ \t]*\r?\n?[ \t]*${NAME_TAIL}`),
  ].join('|'),
  refiner: 'name_prefixes',
  validator: 'person_name',
  contextWords: PERSON_WORDS,
  baseScore: 80,
  contextScore: 85,
};

/**
 * A name a naming phrase introduces (NAMING_PHRASES): `Her maiden name is Rose`, `Sometimes people call me Guy`,
 * `What's your last name? Brown`. Where PERSON_NAME_INTRODUCED wants at least one word that is no everyday word, the
 * phrase itself says this is a name, so a name the lists know that is also a word stands (person_name_named).
 */
export const PERSON_NAME_NAMED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(?i:\b(?:${alternation(NAMING_PHRASES)}))[ \t]*(${LEADING_PARTICLE}${NAME})${WORD_END}`,
  group: 1,
  partial: prefixesOf(NAMING_PHRASES, String.raw`[ \t]*${NAME_TAIL}`),
  refiner: 'name_prefixes',
  validator: 'person_name_named',
  contextWords: PERSON_WORDS,
  baseScore: 80,
  contextScore: 85,
};

/**
 * What puts a place before a name (isExcluded, classifier.ts): a place phrase ("based in") or a street word ("Rua",
 * "St."), with nothing but the place's own words between it and the name: "Rua Maria Silva", not "flew to St. Louis
 * with Marie Curie" nor "Claire St-Jean, Joseph Stensby".
 */
const PLACE_AND_STREET = [...PLACE_PHRASES, ...STREET_WORDS];

/**
 * Two to four capitalised words that the name list knows, with nothing introducing them: `Danielle Haynes`. Not right
 * after a number (`678 Antonio Vázquez`, `44706894 Oliveira de Novais`: a house number or postcode makes it
 * an address). `[^0-9] ` before `[^\w ]`: the same matches, but the lead alone then agrees with the whole
 * match (`, Maria`), so the sticky split finds the name without an exec (matching.ts splitMatchFrom; names
 * after commas were 3× the cost).
 */
export const PERSON_NAME_LISTED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(?:^ ?|[^0-9] |[^\w ])(${WORD}(?:[ ](?:${UPPER}\.?[ ])?(?:${PARTICLE}[ ](?:${PARTICLE}[ ])?)?${WORD}){1,3})${WORD_END}`,
  group: 1,
  partial: String.raw`\b${NAME_TAIL}`,
  refiner: 'name_words',
  validator: 'person_name_listed',
  contextWords: PERSON_WORDS,
  excludeAdjacent: PLACE_AND_STREET,
  baseScore: 70,
  contextScore: 85,
};

/**
 * One capitalised word that the name list knows, with a word about people within 62 characters before it or 48
 * after (PEOPLE_WORDS): `Kameta is very reliable. You can always depend on him.` A name with nothing about people
 * near it is not reported: product names in technical prose (`Proctor`, `Kong`, `Merkle`) are in name lists. Its
 * confidence stays under the listed and introduced ones, so where one of them finds a longer name that one stands.
 * The match starts at the word (no lead), so a stream holds no more than the word while it may still grow; a match
 * is held until its 48 characters of after-context have arrived.
 */
export const PERSON_NAME_SINGLE: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(${WORD})(?:$|'s|’s|[^A-Za-z${LETTERS}0-9'’@_-])`,
  group: 1,
  partial: String.raw`\b${NAME_TAIL}`,
  validator: 'person_name_single',
  contextWords: PEOPLE_WORDS,
  excludeAdjacent: PLACE_AND_STREET,
  requireContext: true,
  contextWindow: { before: 62, after: 48 },
  baseScore: 60,
  contextScore: 65,
};

/** A series' conjunction (SERIES_CONJUNCTIONS) between spaces. */
const CONJUNCTION = `[ ](?:${SERIES_CONJUNCTIONS.join('|')})[ ]`;
/** One item of a series: a name's word, or two (`María Pilar`). */
const ITEM = `${WORD}(?:[ ]${WORD})?`;

/**
 * A series of three or more names with nothing introducing them: `They had 6: Calixta, Mateo, Flavio, María Pilar,
 * Florencia and Ani.` Items of one or two capitalised words split by commas, the last after a conjunction; at least two
 * of them sure given names (seriesItems), then each item checked alone (isSeriesName). Below a listed name's
 * confidence, so where another recognizer finds a longer name that one stands.
 */
export const PERSON_NAME_SERIES: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  // The first item is one word, after punctuation or a lower-case word: a run of full names ("Maria Garcia, John
  // Smith and …", PERSON_NAME_LISTED's) is no series here, which keeps name-dense text from paying for it twice.
  pattern: String.raw`(?:^ ?|[^\w ][ ]?|\b[a-z]+[ ])(${WORD}(?:,[ ]${ITEM}){1,11},?${CONJUNCTION}${ITEM})${WORD_END}`,
  group: 1,
  // Every beginning of a series: capitalised words, commas, spaces and short lower-case words (the conjunctions).
  partial: String.raw`\b(?-i:${UPPER_HOLD}[A-Za-z${LETTERS}'’.-]*(?:,|,?[ ]${TAIL_WORD}?){0,40})`,
  refiner: 'name_series',
  validator: 'person_name_series',
  contextWords: PEOPLE_WORDS,
  baseScore: 60,
  contextScore: 65,
};

/** Words that open a request to the person just named ("Fabijan, can I …"). */
const REQUESTS = ['can', 'could', 'would', 'will', 'please', 'do', 'did', 'are', 'have'];

/**
 * One name spoken to (a vocative): after a comma and before `!` or `?` ("Don't go to town, Markus!", "Remember me,
 * Klothilde?"), or opening the text or a clause before a comma and a request ("Fabijan, can I …"). Checked as a lone
 * name (isSingleName): the list knows it and it is no everyday word, or no list and no English word is it.
 */
export const PERSON_NAME_ADDRESSED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(?:^|,[ ]+)(${WORD})(?:[!?]|,[ ]+(?:${REQUESTS.join('|')})[ ])`,
  group: 1,
  // The name's tail, or the name, its comma and a request begun.
  partial: String.raw`\b(?:${NAME_TAIL}|(?-i:${UPPER_HOLD}[A-Za-z${LETTERS}'’-]*),(?:[ ]+(?:${REQUESTS.map((w) => prefixOf(w, '[ ]')).join('|')})?)?)`,
  validator: 'person_name_single',
  contextWords: PEOPLE_WORDS,
  baseScore: 60,
  contextScore: 65,
};

/** Particles that lead a family name ("de López", "van Kasteelen", "du Ribeiro"). */
const LEADING_PARTICLES = [
  'van',
  'von',
  'de',
  'da',
  'du',
  'del',
  'della',
  'di',
  'dos',
  'das',
  'do',
  'der',
  'den',
  'ter',
  'ten',
  'le',
];

/**
 * A family name led by its particle in lower case where a sentence starts ("de López flew to …", "van Kasteelen
 * began writing …"): a preposition does not open a sentence in lower case, a name's particle does. Checked as an
 * introduced name (no everyday word).
 */
export const PERSON_NAME_PARTICLE_LED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(?:^|[.!?]["”]?[ ]+|\n[ \t]*)((?:${LEADING_PARTICLES.join('|')})[ ](?:(?:der|den|de|la|los)[ ])?${WORD}(?:[ ]${WORD})?)${WORD_END}`,
  group: 1,
  partial: prefixesOf(LEADING_PARTICLES, String.raw`[ ](?:(?:der|den|de|la|los)(?:[ ]${NAME_TAIL})?|${NAME_TAIL})`),
  validator: 'person_name',
  contextWords: PEOPLE_WORDS,
  baseScore: 65,
  contextScore: 80,
};

/** Nouns that say what a person is (PERSON_NAME_PREDICATED): the subject of `is a … person` is someone. */
const PERSON_NOUNS = ['person', 'man', 'woman', 'boy', 'girl', 'guy', 'lady', 'gentleman', 'child', 'teenager'];

/**
 * One name that a predicate calls a person: `Emily is a very sympathetic person.`, `Rousselet is a 93 year old man`
 * (is/was, an article, up to three words, a noun of PERSON_NOUNS). Checked as a lone name (isSingleName).
 */
export const PERSON_NAME_PREDICATED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(${WORD})[ ](?:is|was)[ ](?:a|an)[ ](?:[a-z0-9-]+[ ]){0,3}(?:${PERSON_NOUNS.join('|')})\b`,
  group: 1,
  // The name's tail, or the name, a verb and whatever may still become the predicate (up to four words begun).
  partial: String.raw`\b(?:${NAME_TAIL}|(?-i:${UPPER_HOLD}[A-Za-z${LETTERS}'’-]*)[ ](?:${prefixOf('is')}|${prefixOf('was')})(?:[ ](?:a|an)?(?:[ ][a-z0-9-]*){0,4})?)`,
  validator: 'person_name_single',
  contextWords: PEOPLE_WORDS,
  baseScore: 60,
  contextScore: 65,
};

/**
 * What a person has and a product does not (PERSON_NAME_POSSESSOR): `here's Margaret's address:`. A bare `address`
 * only before punctuation or the end (not `Kubernetes's address space`); `home`, `phone` alone are products' too.
 */
const BELONGINGS = [
  'home address',
  'email address',
  'e-mail address',
  'phone number',
  'mobile number',
  'birthday',
  'address',
];

/**
 * One name whose possessive a person's belonging ends: `As promised, here's Margaret's address:`, `Dominique's phone
 * number.` (BELONGINGS, then punctuation or the end). Checked as a lone name (isSingleName).
 */
export const PERSON_NAME_POSSESSOR: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(${WORD})(?:'s|’s)[ ](?:${BELONGINGS.join('|')})(?:[:.,;!?]|$)`,
  group: 1,
  // The name's tail, or the name, its possessive and a belonging begun.
  partial: String.raw`\b(?:${NAME_TAIL}|(?-i:${UPPER_HOLD}[A-Za-z${LETTERS}-]*)(?:['’](?:s(?:[ ](?:${BELONGINGS.map((b) => prefixOf(b)).join('|')})?)?)?)?)`,
  validator: 'person_name_single',
  contextWords: PEOPLE_WORDS,
  baseScore: 60,
  contextScore: 65,
};

const AFFILIATION_VERBS = ['is', 'was', 'works', 'worked'];
const AFFILIATION_PREPOSITIONS = ['from', 'at', 'with'];
/**
 * Every beginning of an affiliation after the name's word: a verb begun, a verb and a preposition begun, or both and
 * the company's line so far (unbounded: one copy of the class, not 64 per verb and preposition, which made every
 * stream push search a far larger automaton).
 */
const AFFILIATION_TAIL = [
  `(?:${AFFILIATION_VERBS.map((v) => prefixOf(v)).join('|')})`,
  `(?:${AFFILIATION_VERBS.join('|')})[ ](?:${AFFILIATION_PREPOSITIONS.map((p) => prefixOf(p)).join('|')})?`,
  String.raw`(?:${AFFILIATION_VERBS.join('|')})[ ](?:${AFFILIATION_PREPOSITIONS.join('|')})[ ][^\n!?;]*`,
].join('|');

/** Endings of a company's name: a legal form or what funds and groups are called. */
const COMPANY_ENDINGS =
  'inc|ltd|llc|plc|ag|sa|se|nv|bv|gmbh|corp|corporation|co|company|group|holdings|limited|fund|etf';

/**
 * One name that a company follows as its affiliation: "Lydia is from ORO Co.Ltd.", "Duncan is from m4e AG", "Ana
 * works at Instem PLC" (a person is, was or works from, at or with a company; the company is the words up to a legal
 * form on the same line). Checked as a lone name (isSingleName), and below a listed name's confidence, so where one
 * finds a longer name that one stands.
 */
export const PERSON_NAME_AFFILIATED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(${WORD})[ ](?:${AFFILIATION_VERBS.join('|')})[ ](?:${AFFILIATION_PREPOSITIONS.join('|')})[ ][^\n!?;]{1,60}?[ ](?i:${COMPANY_ENDINGS})\b`,
  group: 1,
  // Every beginning of a match: the name's tail, or its word and an affiliation begun (AFFILIATION_TAIL).
  partial: String.raw`\b(?:${NAME_TAIL}|(?-i:${UPPER_HOLD}[A-Za-z${LETTERS}'’-]*)[ ](?:${AFFILIATION_TAIL}))`,
  validator: 'person_name_single',
  contextWords: PEOPLE_WORDS,
  baseScore: 60,
  contextScore: 65,
};

/**
 * Two to four capitalised words alone on the first line of the text or of a block (after a blank line), as a
 * signature or contact card starts: `Ottomar Losekann⏎Asia Development Capital Co.Ltd.⏎…`. Checked as an introduced
 * name (no everyday word that is not a name, not every word an everyday word, no street word), so a title-case
 * heading (`Quarterly Report`, `Kong Gateway`) is not one.
 */
export const PERSON_NAME_FIRST_LINE: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(?:^|\n[ \t]*\r?\n)[ \t]*(${WORD}(?:[ ](?:${UPPER}\.?[ ])?(?:${PARTICLE}[ ](?:${PARTICLE}[ ])?)?${WORD}){1,3})[ \t]*\r?\n`,
  group: 1,
  partial: String.raw`\b${NAME_TAIL}`,
  validator: 'person_name',
  contextWords: PERSON_WORDS,
  baseScore: 70,
  contextScore: 85,
};
