// Look-alike letters the main view (normalize.ts) reads as Latin: the letters of other scripts and Latin's own whose
// skeleton in Unicode's confusables.txt is one ASCII letter (LOOK_ALIKES, past the BMP too), and the accented
// capitals (ACCENT_BASES), each read only inside the words lookAlikeWords finds (a word that mixes scripts, or of
// capitals): Russian, Greek and Armenian prose stay as written. Tables are built once at import from constant data
// (the unhomoglyph package's confusables.txt, the engine's NFD), never over user text; every search is linear.
import { createRequire } from 'node:module';
import {
  digitValue,
  enclosedLetter,
  isAsciiAlnum,
  isCombiningMark,
  isDroppedCharacter,
  numberForm,
  tagAscii,
} from './unicode-table.ts';

/** The first regional indicator, U+1F1E6 `🇦`. */
const REGIONAL_INDICATOR_A = 0x1f1e6;

/**
 * Letters whose skeleton in Unicode's confusables.txt (UTS #39, as the unhomoglyph package ships it: the field's data,
 * not a hand list) is one ASCII letter, each with that letter: Cyrillic and Greek (`Ѕ` S, `А` A, `К` K, `о` o, `Ν` N,
 * `г` r), Armenian (`Տ` S), Cherokee (`Ꭺ` A, `Ꮪ` S), Lisu (`ꓮ` A), Coptic, IPA (`ɑ` a), and the other BMP scripts':
 * not ASCII, not Latin-1 or Latin Extended-A/B (accented letters: ACCENT_BASES), no digit (read as its digit), none
 * NFKC reads already (full-width, mathematical letters). A capital whose skeleton is `l` (`І`, Greek `Ι`) is read as `I`, as it is drawn (the skeleton
 * folds `I` into `l` too). Added to the data, which lacks them: the Latin small capitals (`ᴀ` … `ᴢ`, `ɴ`, `ꜱ`, read as
 * capitals: drawn as them), Coptic `Ⲁ` `Ⲃ` and Cherokee `Ꮖ` (drawn as A, B and I), Old Italic `𐌀` and
 * Lycian `𐊀` (drawn as A; the data has their scripts' B, C, E, T, not their A), and the regional indicators `🇦` …
 * `🇿` (the letters of flag emoji, drawn as boxed capitals): as look-alikes of another script, a flag's pair alone
 * stays a flag, and a word of them with a Latin letter or digit is read (`🇦🇰🇮🇦Z3…`). Past the BMP the data's entries
 * are Carian, Lycian, Old Italic, Deseret, Osage, Warang Citi, Miao, the mathematical Greek letters (`𝚨`: NFKC reads
 * it as Greek `Α`) and a few symbols.
 */
export const LOOK_ALIKES: ReadonlyMap<number, number> = (() => {
  const data = createRequire(import.meta.url)('unhomoglyph/data.json') as Record<string, string>;
  const letters = new Map<number, number>();
  for (const [from, to] of Object.entries(data)) {
    const code = from.codePointAt(0) ?? 0;
    const single = from.length === (code > 0xffff ? 2 : 1);
    if (!single || code < 0x250 || !/^[A-Za-z]$/.test(to) || /^[\x00-\x7f]+$/.test(from.normalize('NFKC'))) {
      continue;
    }
    if (digitValue(code) >= 0 || numberForm(code) >= 0) continue; // a digit is read as its digit
    letters.set(code, to === 'l' && from !== from.toLowerCase() ? 0x49 : to.charCodeAt(0));
  }
  const smallCapitals = 'ᴀAʙBᴄCᴅDᴇEꜰFɢGʜHɪIᴊJᴋKʟLᴍMɴNᴏOᴘPꞯQʀRꜱSᴛTᴜUᴠVᴡWʏYᴢZ\u2c80A\u2c81a\u2c82B\u2c83b\u13c6I';
  for (let i = 0; i < smallCapitals.length; i += 2) {
    letters.set(smallCapitals.charCodeAt(i), smallCapitals.charCodeAt(i + 1));
  }
  letters.set(0x10300, 0x41).set(0x10280, 0x41); // Old Italic A, Lycian A
  for (let letter = 0; letter < 26; letter += 1) letters.set(REGIONAL_INDICATOR_A + letter, 0x41 + letter);
  return letters;
})();

/**
 * The precomposed Latin letters (Latin-1, Latin Extended-A/B and Additional) whose NFD is an ASCII letter and marks
 * (`À` A, `Ä` A, `Š` S, `ñ` n), each with that letter: read so only in a word of capitals (lookAlikeWords), as the
 * main view drops a combining mark on an ASCII letter (`A` + U+0308).
 */
export const ACCENT_BASES: ReadonlyMap<number, number> = (() => {
  const bases = new Map<number, number>();
  for (const [from, to] of [
    [0xc0, 0x24f],
    [0x1e00, 0x1eff],
  ] as const) {
    for (let code = from; code <= to; code += 1) {
      const nfd = String.fromCharCode(code).normalize('NFD');
      if (nfd.length > 1 && /^[A-Za-z]$/.test(nfd[0] as string)) bases.set(code, nfd.charCodeAt(0));
    }
  }
  return bases;
})();

/** The capitals of Latin-1 and Latin Extended-A/B and Additional (a word holding one of them and no small letter). */
function isLatinSmall(code: number): boolean {
  const char = String.fromCharCode(code);
  return char !== char.toUpperCase();
}

const GREEK = 1;
const CYRILLIC = 2;
const LATIN = 4;
/** A look-alike of another script (Armenian, Cherokee, Lisu, Coptic, …). */
const OTHER = 8;
/** A look-alike of Latin's own (IPA, small capitals): read in any word. */
const LATIN_ALIKE = 16;

/** The script a code point counts for in a word (GREEK, CYRILLIC, LATIN: letters and digits the main view reads so). */
function scriptOf(code: number): number {
  if (code >= 0x370 && code <= 0x52f) return code < 0x400 ? GREEK : CYRILLIC;
  if (isAsciiAlnum(code) || (code >= 0xff10 && code <= 0xff5a)) return LATIN; // ASCII, full-width
  if ((code >= 0xc0 && code <= 0x24f && code !== 0xd7 && code !== 0xf7) || (code >= 0x1e00 && code <= 0x1eff)) {
    return LATIN;
  }
  if (LOOK_ALIKES.has(code)) return isLatinBlock(code) ? LATIN_ALIKE : OTHER;
  return digitValue(code) >= 0 || isAsciiAlnum(tagAscii(code)) || enclosedLetter(code) >= 0 ? LATIN : 0;
}

/** IPA, Phonetic Extensions, Latin Extended-C/D/E: Latin's own letters, no other script's. */
function isLatinBlock(code: number): boolean {
  return (
    (code >= 0x250 && code <= 0x2af) ||
    (code >= 0x1d00 && code <= 0x1dbf) ||
    (code >= 0x2c60 && code <= 0x2c7f) ||
    (code >= 0xa720 && code <= 0xa7ff) ||
    (code >= 0xab30 && code <= 0xab6f)
  );
}

/**
 * Where a Cyrillic or Greek letter stands beside a Latin letter or digit (ASCII, Latin-1, the Latin Extended blocks,
 * full-width), half of an astral character (a mathematical letter or digit, a tag) or a letter of the other of the two:
 * a word of two scripts holds such a pair unless a mark or a dropped character parts them, which sends the text to the
 * per-code-point path anyway (needsMapping). One native search (no `u` flag: its property classes cost ten times as
 * much, and a look at each letter's neighbours in JavaScript twice the whole fast path, on Russian prose).
 */
const MIXED_HINT =
  /[A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff\uff10-\uff5a\udc00-\udfff][\u0370-\u052f]|[\u0370-\u052f][A-Za-z0-9\u00c0-\u024f\u1e00-\u1eff\uff10-\uff5a\ud800-\udbff]|[\u0370-\u03ff][\u0400-\u052f]|[\u0400-\u052f][\u0370-\u03ff]/;

/** A character class of `codes` (BMP), for a native search. */
function classOf(codes: Iterable<number>): string {
  return [...codes].map((c) => `\\u${c.toString(16).padStart(4, '0')}`).join('');
}

/**
 * Any look-alike past the BMP (Carian `𐊠`, a regional indicator): one native search without the `u` flag, as each
 * high surrogate followed by a class of the low ones it pairs with.
 */
const ASTRAL_ALIKE = (() => {
  const lows = new Map<number, number[]>();
  for (const code of LOOK_ALIKES.keys()) {
    if (code <= 0xffff) continue;
    const high = 0xd800 + ((code - 0x10000) >> 10);
    lows.set(high, [...(lows.get(high) ?? []), 0xdc00 + ((code - 0x10000) & 0x3ff)]);
  }
  return new RegExp([...lows].map(([high, low]) => `${classOf([high])}[${classOf(low)}]`).join('|'));
})();

/** Any look-alike of another script but Greek and Cyrillic (OTHER): in a text holding one lookAlikeWords reads. */
const OTHER_ALIKES = classOf([...LOOK_ALIKES.keys()].filter((c) => c > 0x52f && c <= 0xffff && !isLatinBlock(c)));
/** Latin's own look-alikes (LATIN_ALIKE). */
const LATIN_ALIKES = classOf([...LOOK_ALIKES.keys()].filter(isLatinBlock));
/** The accented capitals of ACCENT_BASES (Latin-1's and the Latin Extended blocks'). */
const ACCENTED_CAPITALS = classOf([...ACCENT_BASES.keys()].filter((c) => !isLatinSmall(c)));

/**
 * Where another script's look-alike stands beside an ASCII letter or digit, a Latin look-alike stands anywhere, or an
 * accented capital beside an ASCII capital, a digit or another accented capital (`ÀKIA`, `ŠŠN`): one native search.
 * It finds the look-alike or accented capital first and then looks at its neighbours (the same matches as
 * `[A-Za-z0-9][OTHER]|[OTHER][A-Za-z0-9]|[LATIN]|[A-Z0-9ACC][ACC]|[ACC][A-Z0-9]`, which tried its big classes after
 * every ASCII letter: 1.6 -> 0.4 ms on 64 KB of docs/*.md, 2.4 -> 0.7 on Russian prose).
 */
export const OTHER_HINT = new RegExp(
  `[${OTHER_ALIKES}${LATIN_ALIKES}${ACCENTED_CAPITALS}](?:(?<=[A-Za-z0-9][${OTHER_ALIKES}])|(?=[A-Za-z0-9])(?<=[${OTHER_ALIKES}])|(?<=[${LATIN_ALIKES}])|(?<=[A-Z0-9${ACCENTED_CAPITALS}][${ACCENTED_CAPITALS}])|(?<=[${ACCENTED_CAPITALS}])(?=[A-Z0-9]))`,
);

/** Any look-alike letter or accented capital: only a text holding one has words lookAlikeWords reads. */
const ANY_ALIKE = new RegExp(`[\\u0370-\\u052f${OTHER_ALIKES}${LATIN_ALIKES}${ACCENTED_CAPITALS}]`);

/** lookAlikeWords' flag: the word's letters are all capitals (a small look-alike in it is read as its capital). */
export const CAPITALS = 1;
/** lookAlikeWords' flag: the word is read for its accented letters too (ACCENT_BASES). */
export const ACCENTS = 2;

/**
 * The words of `text` whose look-alike letters (LOOK_ALIKES) the main view reads as Latin, as [start, end, flags]
 * triples in order: a word (a run of letters and digits of the Latin, Greek and Cyrillic blocks, look-alikes, other
 * decimal digits, tags spelling ASCII, combining marks and dropped characters) holding a look-alike and also a Latin
 * letter or a digit (`ЅЅN`, `SЅN`, a key with a Cyrillic `К` or a Cherokee `Ꭺ` inside), or letters of two of the other
 * scripts (`ЅЅΝ`, Greek Nu: no one script writes it; UTS #39's mixed-script), or a look-alike of Latin's own (`ꜱꜱɴ`,
 * `ɑ`); and a word of capitals and digits only holding an accented capital (`ÀKIA…`, `ŠŠN`: CAPITALS | ACCENTS). A word
 * of Cyrillic, Greek or Armenian alone (Russian, Greek, `ЅЅЅ`) stays as written: no new words for the name finders.
 * One pass.
 */
export function lookAlikeWords(text: string): number[] {
  const words: number[] = [];
  let start = -1;
  let scripts = 0;
  let alike = false;
  let small = false;
  let capital = false;
  let accented = false;
  for (let i = 0; i <= text.length; ) {
    const code = i < text.length ? (text.codePointAt(i) ?? 0) : 0x20;
    const width = code > 0xffff ? 2 : 1;
    const script = code < 0x80 ? (isAsciiAlnum(code) ? LATIN : 0) : scriptOf(code);
    const inside = script !== 0 || (code >= 0x80 && (isCombiningMark(code) || isDroppedCharacter(code)));
    if (inside) {
      if (start < 0) {
        start = i;
        scripts = 0;
        alike = false;
        small = false;
        capital = false;
        accented = false;
      }
      scripts |= script;
      if (script === LATIN) {
        if (code < 0x80) {
          small ||= code >= 0x61;
          capital ||= code >= 0x41 && code <= 0x5a;
        } else if (ACCENT_BASES.has(code)) {
          if (isLatinSmall(code)) small = true;
          else accented = capital = true;
        } else if (code < 0x250 || (code >= 0x1e00 && code <= 0x1eff)) small ||= isLatinSmall(code);
        else capital ||= enclosedLetter(code) >= 0;
      } else if (script !== 0) alike ||= LOOK_ALIKES.has(code);
    } else if (start >= 0) {
      const others = scripts & (GREEK | CYRILLIC | OTHER);
      const mixed = alike && ((scripts & (LATIN | LATIN_ALIKE)) !== 0 || (others & (others - 1)) !== 0);
      const flags = (capital && !small ? CAPITALS : 0) | (accented && !small ? ACCENTS : 0);
      if (mixed || (flags & ACCENTS) !== 0) words.push(start, i, flags);
      start = -1;
    }
    i += width;
  }
  return words;
}

/**
 * Whether `text` may hold a word lookAlikeWords reads (a cheap native search first): a look-alike beside a Latin
 * letter or digit, a Cyrillic or Greek letter beside another script's, an accented capital among capitals, a
 * look-alike past the BMP, or, in a text the per-code-point path reads anyway (`mapping`), any look-alike.
 */
export function mayHoldLookAlikeWords(text: string, mapping: boolean): boolean {
  return (mapping && ANY_ALIKE.test(text)) || MIXED_HINT.test(text) || OTHER_HINT.test(text) || ASTRAL_ALIKE.test(text);
}
