// The words the person-name recognizers (person-names.ts) are built from: name particles, titles, labels, greetings
// and closings that introduce a name, words that are never a name on their own (greetings, function words, months,
// organisation and place words), street types, place phrases, words about people, and the most common Japanese
// family names. Data only: every list is lower case (but the kanji) and read, never changed. The lists stand in
// person-name-words.txt, read once when this module is first imported; a list missing there or empty is an error
// at import (nothing runs with a recognizer's words missing).
import { readFileSync } from 'node:fs';
import { ClassificationError } from './errors.ts';

/** The lists of person-name-words.txt by name, in the file's order. */
const LISTS = listsOf(readFileSync(new URL('./person-name-words.txt', import.meta.url), 'utf8'));

/** A `[NAME]` line opens the list NAME; every other line is one entry as written, but empty and `#` lines. */
function listsOf(text: string): ReadonlyMap<string, string[]> {
  const lists = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line === '' || line.startsWith('#')) continue;
    const name = /^\[([A-Z_]+)\]$/.exec(line)?.[1];
    if (name !== undefined) {
      if (lists.has(name)) throw invalid(`list ${name} opens twice`);
      lists.set(name, (current = []));
    } else if (current === undefined) throw invalid(`an entry before the first list: ${line}`);
    else current.push(line);
  }
  return lists;
}

function list(name: string): string[] {
  const words = LISTS.get(name);
  if (words === undefined || words.length === 0) throw invalid(`no list ${name}`);
  return words;
}

function invalid(message: string): ClassificationError {
  return new ClassificationError('ERR_RECOGNIZER_INVALID', 'PERSON_NAME', `person-name-words.txt: ${message}`);
}

/** Lower-case particles inside family names (`van der Laan`, `da Silva`): neither names nor words on their own. */
export const PARTICLES: string[] = list('PARTICLES');

/**
 * Capitalised words that start sentences, greet or label in the corpus's languages and that the name list also holds
 * (or that SCOWL lacks): never a name on their own.
 */
export const NOT_NAMES: string[] = list('NOT_NAMES');

/**
 * Street and place words (USPS Publication 28 suffixes and their French, Spanish, Portuguese, German and Dutch
 * counterparts): streets are named after people ("Paseo Jorge Ochoa", "Karen Lane"), and such a name is an address.
 */
export const STREET_WORDS: string[] = list('STREET_WORDS');

/**
 * Endings of German and Dutch street names written as one word ("Heuserstraße", "Jetweg", "Meisterallee",
 * "Blekersdijk"): such a word is an address, whatever name it starts with.
 */
export const STREET_ENDINGS: string[] = list('STREET_ENDINGS');

/** Phrases that put a place, not a person, after them ("based in Rocha das Flores", "originally from", "go to"). */
export const PLACE_PHRASES: string[] = list('PLACE_PHRASES');

export const TITLES: string[] = list('TITLES');

/**
 * Phrases whose object is a name by what they say (PERSON_NAME_NAMED): after one, a name the lists know stands even
 * when it is also an everyday word ("Her maiden name is Rose", "call me Guy"). Not `named`/`called`, which name
 * things as often ("a branch named Main"), nor a bare `name:` label (`name: Test` in configuration).
 */
export const NAMING_PHRASES: string[] = list('NAMING_PHRASES');

export const LABELS: string[] = list('LABELS');

export const CLOSINGS: string[] = list('CLOSINGS');

export const PERSON_WORDS: string[] = list('PERSON_WORDS');

/**
 * Words that put a person in the text around a lone name: pronouns, kin, a few roles and what people do ("Rory is
 * very reliable. You can always depend on him.", "said Nathalie to Stéphane", "Mathias's kid"). Words that technical
 * prose uses for other things stay out ("they", "asked", "named", "kid"'s JWT sense aside, "person", "assistant").
 */
export const PEOPLE_WORDS: string[] = list('PEOPLE_WORDS');

/** The most common Japanese family names (about a third of the population), in kanji. */
export const JAPANESE_FAMILY_NAMES: string[] = list('JAPANESE_FAMILY_NAMES');

/**
 * Kanji that end place and organisation names (ward, city, town, village, prefecture, station, district, street
 * number, shop, company, office…) and occupations (novelist 小説家, craftsman 花火師, scholar 学者, clerk 店員),
 * rarely a person's name's last character.
 */
export const KANJI_PLACE_ENDINGS = '区市町村県都府駅郡道丁目号番地店社局院館所会部課省庁園島湾港橋線家師者員';

/** `words` as an RE2 alternation, each taken literally (its metacharacters escaped). */
export const alternation = (words: readonly string[]) =>
  words.map((w) => w.replace(/[.?*+()[\]{}|\\^$]/g, '\\$&')).join('|');
