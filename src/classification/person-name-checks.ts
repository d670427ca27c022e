// The checks of a person-name candidate (PERSON_NAME's validators, validators.ts) and the look-aheads the classifier
// makes after a place (opensFullName, opensCompany). Invariant: each is a pure function of one bounded candidate
// (≤ 4 words, or a line's opening) against the lists of person-name-lists.ts; RE2 finds the candidates.
import { folded, isAscii, type Lists, nameLists } from './person-name-lists.ts';
import {
  KANJI_PLACE_ENDINGS,
  NOT_NAMES,
  PARTICLES,
  STREET_ENDINGS,
  STREET_WORDS,
  TITLES,
} from './person-name-words.ts';

// The word lists as sets: each is asked for every word of every candidate window, so a name-dense text asks them
// tens of thousands of times a call (an array's includes compared each word with up to a hundred entries).
const PARTICLE_SET: ReadonlySet<string> = new Set(PARTICLES);
const NOT_NAME_SET: ReadonlySet<string> = new Set(NOT_NAMES);
const TITLE_SET: ReadonlySet<string> = new Set(TITLES);
const STREET_WORD_SET: ReadonlySet<string> = new Set(STREET_WORDS);

/** The words of a candidate (split on spaces), without particles and initials (`S`, `S.`). */
function wordsOf(value: string): string[] {
  const words: string[] = [];
  let word = '';
  for (const char of `${value} `) {
    if (char !== ' ' && char !== '\u3000' && char !== '\n' && char !== '\t') {
      word += char;
      continue;
    }
    if (word.length > 1 && !PARTICLE_SET.has(word) && !(word.length === 2 && word.endsWith('.'))) words.push(word);
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

/**
 * What OPENS_COMPANY cannot match without: a legal form after a space or comma. Searched first, because OPENS_COMPANY's
 * lazy run of capitalised words tries every word of the slice before it fails, and name-dense text ("Ab Ab Ab …") asks
 * at every candidate (that was a fifth of its cost); a literal search fails in one pass.
 */
const COMPANY_FORM =
  /[ ,](?:Inc|INC|Ltd|LTD|LLC|PLC|plc|AG|SA|SE|NV|BV|GmbH|Corp|CORP|Corporation|Co|CO|Company|Group|Holdings|Limited|Fund|ETF)(?![\p{L}\d])/u;

/** Whether `text` opens with a company's name (OPENS_COMPANY): a candidate there is the company, not a person. */
export function opensCompany(text: string): boolean {
  return COMPANY_FORM.test(text) && OPENS_COMPANY.test(text);
}

/**
 * A candidate a title, label, greeting or signature introduces: no word an everyday word that is not a name ("Dear
 * Customer", "Hi Team") or a street word; not every word an everyday word, even a name ("10.9 ms. So"); one
 * word no list knows is a name ("call me Izaket", "Dr. Atzler": lists miss most names, the introduction says it is).
 */
export function isIntroducedName(value: string): boolean {
  return isNamedName(value) && !wordsOf(value).every((w) => isEverydayWord(w, nameLists()));
}

/**
 * A candidate a naming phrase introduces (PERSON_NAME_NAMED: "my name is", "maiden name is", "call me"), whose object
 * is a name by what the phrase says: as isIntroducedName, but a name the lists know that is also an everyday word
 * stands alone ("Her maiden name is Rose", "call me Guy"); a common word no name list knows still does not.
 */
export function isNamedName(value: string): boolean {
  const l = nameLists();
  const words = wordsOf(value);
  if (words.length === 0 || words.length > 4) return false;
  if (words.some((w) => NOT_NAME_SET.has(w.toLowerCase()) || TITLE_SET.has(w.toLowerCase()))) return false;
  if (words.some((w) => l.common.has(w.toLowerCase()) && !isName(w, l.names))) return false;
  return !words.some((w) => STREET_WORD_SET.has(w.toLowerCase()));
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
    if (word.length > 1 && !PARTICLE_SET.has(word) && !(word.length === 2 && word.endsWith('.')))
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
  // A word said again right after itself ("Ab Ab Ab", "Anna Anna", "Ann Ann Maria") is a repetition, not a name:
  // with nothing introducing it, a name is a structure (a given name, then other names), and a repeated token has
  // none; the words after the repetition are checked apart ('Ann Maria', matching.ts searches on from them).
  if (words.some((w, i) => i > 0 && w.toLowerCase() === (words[i - 1] as string).toLowerCase())) return false;
  // A first name no list knows (lists miss most names of some cultures: "Isaque Santos") counts when it is no
  // English word and the last word is a name the list knows that is no word at all.
  const unknownFirst =
    !isName(first, names) &&
    first.length >= 3 &&
    !common.has(first.toLowerCase()) &&
    isName(last, names) &&
    !common.has(last.toLowerCase());
  if (!unknownFirst && (!isName(first, names) || isEverydayWord(first, l))) return false;
  if (PARTICLE_SET.has(first.toLowerCase()) || NOT_NAME_SET.has(last.toLowerCase())) return false;
  if (words.some((w) => STREET_WORD_SET.has(w.toLowerCase()) || NOT_NAME_SET.has(w.toLowerCase()))) return false;
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
  return !NOT_NAME_SET.has(lower) && !TITLE_SET.has(lower) && !STREET_WORD_SET.has(lower);
}

/** One to four ideographs not ending like a place, organisation or occupation (PERSON_NAME_KANJI's check). */
export function isKanjiName(value: string): boolean {
  const chars = [...value];
  return chars.length >= 1 && chars.length <= 4 && !KANJI_PLACE_ENDINGS.includes(chars[chars.length - 1] as string);
}

/** Conjunctions that close a series of names in the generator's and Proctor's languages ("A, B and C", "A, B y C"). */
export const SERIES_CONJUNCTIONS = ['and', 'y', 'e', 'et', 'und', 'en', 'og', 'och', 've'];

/**
 * The one-word items of a series of names (PERSON_NAME_SERIES: `A, B, C and D`, items of one or two capitalised
 * words), when at least two items start with a given name the lists know that is no English word at any SCOWL level up
 * to 60 (a list of products or places has none or one: "Chrome, Firefox and Safari"); otherwise none. Each is then
 * checked alone (isSeriesName): a coordination says its members are of one kind, two sure names say which kind.
 */
export function seriesItems(value: string): [number, number][] {
  const l = nameLists();
  const items: [number, number][] = [];
  let sure = 0;
  let start = 0;
  const push = (end: number) => {
    const item = value.slice(start, end).trim();
    const from = start + value.slice(start, end).indexOf(item);
    // Two-word items are PERSON_NAME_LISTED's to find; offering them again only doubles the work on name-dense text.
    if (item !== '' && !item.includes(' ')) items.push([from, from + item.length]);
    const first = item.split(' ')[0] ?? '';
    const lower = first.toLowerCase();
    if (isGivenName(first, l.given) && !l.common.has(lower) && !l.rarer.has(lower) && !l.regions.has(lower)) sure += 1;
  };
  for (let i = 0; i <= value.length; i += 1) {
    if (i === value.length || value[i] === ',') {
      push(i);
      start = i + 1;
      continue;
    }
    for (const conjunction of SERIES_CONJUNCTIONS) {
      if (value.startsWith(` ${conjunction} `, i)) {
        push(i);
        start = i + conjunction.length + 2;
        i = start - 1;
        break;
      }
    }
  }
  return sure >= 2 ? items : [];
}

/** One item of a series of names, one word, checked as a lone name (isSingleName). */
export function isSeriesName(value: string): boolean {
  return isSingleName(value);
}
