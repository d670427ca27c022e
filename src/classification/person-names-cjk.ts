// Person names in kana and kanji (PERSON_NAME): a common Japanese family name with a given name, a name a greeting,
// title or speech verb introduces inside text of another script, and a lone kanji name with words about people near
// it. Data (RE2 patterns); their validator is person-name-checks.ts `person_name_kanji`. Re-exported by
// person-names.ts, which holds the Latin-script recognizers.
import { alternation, JAPANESE_FAMILY_NAMES, NAMING_PHRASES, PEOPLE_WORDS, TITLES } from './person-name-words.ts';
import type { RecognizerDefinition } from './types.ts';

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
 * A name in kana or kanji that a greeting, a title, a speech verb or a naming phrase introduces inside text of another
 * script: `Hi あすか,`, `ms. さゆり`, `says 鈴木.`, `everyone calls me 太一` (one to four characters, no kana or kanji
 * touching them; checked as a kanji name).
 */
export const PERSON_NAME_CJK_INTRODUCED: RecognizerDefinition = {
  type: 'PERSON_NAME',
  category: 'PII',
  separateSet: true,
  pattern: String.raw`(?i:\b(?:hi|hello|hey|dear|${TITLES.join('|')}|says|said|asked|told|${alternation(NAMING_PHRASES)})\.?,?)[ ]+([\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}]{1,4})(?:$|[^\x{3005}\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}])`,
  group: 1,
  partial: String.raw`[\x{3041}-\x{30FF}\x{4E00}-\x{9FFF}]{1,4}`,
  validator: 'person_name_kanji',
  baseScore: 75,
};

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
