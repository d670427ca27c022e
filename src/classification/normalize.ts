// Text normalisation before matching (the main view): every Unicode decimal digit read as its ASCII digit, and every
// number NFKC leaves unread (❶ ➀ ⓵ ⓿ ⓫, ⑴ and ⒈ without their brackets and stop) as its ASCII digits, tag
// characters read as the ASCII they spell, NFKC per code point (full-width letters become ASCII), invisible
// characters (default-ignorable, blank or box-drawn: isIgnorable), controls and U+FFFD dropped, combining marks on an
// ASCII letter or digit dropped, with a map from every normalised UTF-16 offset back to the original, and the spans a
// right-to-left override displays reversed; inside a word that mixes scripts (lookAlikeWords), each letter of another
// script drawn as one Latin letter read as it (`ЅЅN`, `ՏՏN` as `SSN`, Cherokee `Ꭺ` as `A`), Latin's own look-alikes
// (`ɑ`, small capitals `ꜱꜱɴ`) in any word, and in a word of capitals and digits an accented letter as its letter
// (`ŠŠN`, `ÀKIA…`). Invariant: for any span [s, e) of the normalised text, [startOf(s), endOf(e)) in the original
// covers exactly the code points that produced it (including dropped characters inside it), so redaction removes all
// of it.
import { createRequire } from 'node:module';
import { digitValue, isCombiningMark, isDefaultIgnorable, isInvisible, numberForm, tagAscii } from './unicode-table.ts';

/**
 * Letters whose skeleton in Unicode's confusables.txt (UTS #39, as the unhomoglyph package ships it: the field's data,
 * not a hand list) is one ASCII letter, each with that letter: Cyrillic and Greek (`Ѕ` S, `А` A, `К` K, `о` o, `Ν` N,
 * `г` r), Armenian (`Տ` S), Cherokee (`Ꭺ` A, `Ꮪ` S), Lisu (`ꓮ` A), Coptic, IPA (`ɑ` a), and the other BMP scripts':
 * not ASCII, not Latin-1 or Latin Extended-A/B (accented letters: ACCENT_BASES), no digit (read as its digit), none
 * NFKC reads already (full-width, mathematical letters). A capital whose skeleton is `l` (`І`, Greek `Ι`) is read as `I`, as it is drawn (the skeleton
 * folds `I` into `l` too). Added to the data, which lacks them: the Latin small capitals (`ᴀ` … `ᴢ`, `ɴ`, `ꜱ`, read as
 * capitals: drawn as them), Coptic `Ⲁ` `Ⲃ` and Cherokee `Ꮖ` (drawn as A, B and I).
 */
const LOOK_ALIKES: ReadonlyMap<number, number> = (() => {
  const data = createRequire(import.meta.url)('unhomoglyph/data.json') as Record<string, string>;
  const letters = new Map<number, number>();
  for (const [from, to] of Object.entries(data)) {
    const code = from.codePointAt(0) ?? 0;
    if (from.length !== 1 || code < 0x250 || !/^[A-Za-z]$/.test(to) || /^[\x00-\x7f]+$/.test(from.normalize('NFKC'))) {
      continue;
    }
    if (digitValue(code) >= 0 || numberForm(code) >= 0) continue; // a digit is read as its digit
    letters.set(code, to === 'l' && from !== from.toLowerCase() ? 0x49 : to.charCodeAt(0));
  }
  const smallCapitals = 'ᴀAʙBᴄCᴅDᴇEꜰFɢGʜHɪIᴊJᴋKʟLᴍMɴNᴏOᴘPꞯQʀRꜱSᴛTᴜUᴠVᴡWʏYᴢZ\u2c80A\u2c81a\u2c82B\u2c83b\u13c6I';
  for (let i = 0; i < smallCapitals.length; i += 2) {
    letters.set(smallCapitals.charCodeAt(i), smallCapitals.charCodeAt(i + 1));
  }
  return letters;
})();

/**
 * The precomposed Latin letters (Latin-1, Latin Extended-A/B and Additional) whose NFD is an ASCII letter and marks
 * (`À` A, `Ä` A, `Š` S, `ñ` n), each with that letter: read so only in a word of capitals (lookAlikeWords), as the
 * main view drops a combining mark on an ASCII letter (`A` + U+0308).
 */
const ACCENT_BASES: ReadonlyMap<number, number> = (() => {
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
  return digitValue(code) >= 0 || isAsciiAlnum(tagAscii(code)) ? LATIN : 0;
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

/** Any look-alike of another script but Greek and Cyrillic (OTHER): in a text holding one lookAlikeWords reads. */
const OTHER_ALIKES = classOf([...LOOK_ALIKES.keys()].filter((c) => c > 0x52f && !isLatinBlock(c)));
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
const OTHER_HINT = new RegExp(
  `[${OTHER_ALIKES}${LATIN_ALIKES}${ACCENTED_CAPITALS}](?:(?<=[A-Za-z0-9][${OTHER_ALIKES}])|(?=[A-Za-z0-9])(?<=[${OTHER_ALIKES}])|(?<=[${LATIN_ALIKES}])|(?<=[A-Z0-9${ACCENTED_CAPITALS}][${ACCENTED_CAPITALS}])|(?<=[${ACCENTED_CAPITALS}])(?=[A-Z0-9]))`,
);

/** Any look-alike letter or accented capital: only a text holding one has words lookAlikeWords reads. */
const ANY_ALIKE = new RegExp(`[\\u0370-\\u052f${OTHER_ALIKES}${LATIN_ALIKES}${ACCENTED_CAPITALS}]`);

/** lookAlikeWords' flag: the word's letters are all capitals (a small look-alike in it is read as its capital). */
const CAPITALS = 1;
/** lookAlikeWords' flag: the word is read for its accented letters too (ACCENT_BASES). */
const ACCENTS = 2;

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
function lookAlikeWords(text: string): number[] {
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
 * Characters ignored when matching: every Default_Ignorable_Code_Point (zero-width space and joiners, word joiner,
 * BOM, soft hyphen, bidi controls, invisible operators, variation selectors, Hangul fillers, tags not spelling ASCII),
 * and the others shown as nothing, a blank or a box (unicode-table.ts isInvisible: the Braille blank U+2800, the
 * interlinear annotation characters U+FFF9–U+FFFB, U+FFFC, other format characters, unassigned code points): one
 * between each two characters of a value hides nothing from a model, so it hides nothing here.
 */
function isIgnorable(code: number): boolean {
  return (isDefaultIgnorable(code) || isInvisible(code)) && tagAscii(code) < 0;
}

function isAsciiDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/**
 * Control characters dropped when matching (a NUL or escape inside a value must not split it): C0 except the
 * whitespace ones (tab, LF, VT, FF, CR, which separate words), DEL, and all of C1 (U+0080–U+009F, NEL included).
 */
export function isDroppedControl(code: number): boolean {
  return (code < 0x20 && (code < 0x09 || code > 0x0d)) || (code >= 0x7f && code <= 0x9f);
}

/**
 * U+FFFD, what a decoder leaves of a broken character (the classifier reads a lone surrogate as one: classifier.ts):
 * not a character of the text, so one inside a value must not split it (a decoder may drop it before a model reads).
 */
const REPLACEMENT_CHARACTER = 0xfffd;

/** Dropped when matching: default-ignorable (invisible) characters, control characters and U+FFFD. */
export function isDroppedCharacter(code: number): boolean {
  return isIgnorable(code) || isDroppedControl(code) || code === REPLACEMENT_CHARACTER;
}

function isAsciiAlnum(unit: number): boolean {
  return isAsciiDigit(unit) || (unit >= 0x41 && unit <= 0x5a) || (unit >= 0x61 && unit <= 0x7a);
}

/** A non-ASCII decimal digit NFKC leaves alone (Arabic-Indic, Devanagari, …): read as its ASCII digit. */
function isOtherDigit(code: number): boolean {
  return code >= 0x660 && digitValue(code) >= 0;
}

/**
 * Whether any code point is dropped, a tag, a non-ASCII digit or a number form, or a mark follows an ASCII letter or
 * digit or a look-alike letter (then the per-code-point path runs).
 */
function needsMapping(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x20 && unit < 0x7f) continue; // printable ASCII: most of any text, nothing to map
    const code = text.codePointAt(i) ?? 0;
    if (isDroppedCharacter(code) || isOtherDigit(code) || tagAscii(code) >= 0 || numberForm(code) >= 0) return true;
    const before = text.charCodeAt(i - 1);
    if (isCombiningMark(code) && (isAsciiAlnum(before) || LOOK_ALIKES.has(before) || ACCENT_BASES.has(before))) {
      return true;
    }
    if (code > 0xffff) i += 1;
  }
  return false;
}

export interface NormalizedText {
  /** The text RE2 scans. */
  text: string;
  /** Original offset where normalised offset `i` starts (i in 0..text.length). */
  startOf(i: number): number;
  /** Original offset where a span ending (exclusive) at normalised offset `i` ends (i in 0..text.length). */
  endOf(i: number): number;
  /**
   * Only ASCII and the stable characters below: `text.toLowerCase()` then maps every character to one character
   * at the same offset (no İ, final sigma or surrogate pairs), so windows can be sliced from it.
   */
  simple: boolean;
  /**
   * Spans [from, to) of this text that a right-to-left override (U+202E, dropped here) makes display in reverse:
   * from the override to its U+202C, a line break or the end. Absent when there is none.
   */
  overrides?: readonly (readonly [number, number])[];
  /**
   * Offsets of this text before which a Braille blank U+2800 (dropped here) stood, in order: drawn as a space, it
   * separates digit groups for the digits view (`219⠀09⠀9999`). Absent when there is none.
   */
  blanks?: readonly number[];
}

/** U+2800 BRAILLE PATTERN BLANK: dropped (isInvisible), its place kept for the digits view (NormalizedText.blanks). */
const BRAILLE_BLANK = 0x2800;

const RIGHT_TO_LEFT_OVERRIDE = 0x202e;
const POP_DIRECTIONAL_FORMATTING = 0x202c;

function isParagraphEnd(unit: number): boolean {
  return unit === 0x0a || unit === 0x0d || unit === 0x2029;
}

/** The override spans of a normalised text, from where each override and each PDF was dropped (in order). */
function overrideSpans(text: string, opens: readonly number[], closes: readonly number[]): [number, number][] {
  const spans: [number, number][] = [];
  let close = 0;
  let lastEnd = -1;
  for (const from of opens) {
    if (from < lastEnd) continue; // nested inside the previous one: displayed within it
    while (close < closes.length && (closes[close] as number) < from) close += 1;
    const limit = close < closes.length ? (closes[close] as number) : text.length;
    let to = from; // spans are disjoint: every character is looked at once
    while (to < limit && !isParagraphEnd(text.charCodeAt(to))) to += 1;
    spans.push([from, to]);
    lastEnd = to;
  }
  return spans;
}

const identityMap = (text: string, simple = false): NormalizedText => ({
  text,
  startOf: (i) => i,
  endOf: (i) => i,
  simple,
});

/**
 * Characters NFKC leaves alone in any context: Latin-1 letters (À..ÿ, × and ÷) and common typographic punctuation
 * (– — ‘ ’ “ ” • €). All are starters that never combine with a neighbour, and none is ignorable.
 */
function isStable(code: number): boolean {
  return (
    (code >= 0xc0 && code <= 0xff) ||
    code === 0x2013 ||
    code === 0x2014 ||
    code === 0x2018 ||
    code === 0x2019 ||
    code === 0x201c ||
    code === 0x201d ||
    code === 0x2022 ||
    code === 0x20ac
  );
}

/** Anything but printable ASCII, tab, LF, VT, FF and CR: where normalizeText starts to look at characters itself. */
const NOT_PLAIN_ASCII = /[^\t-\r\x20-\x7e]/;

export function normalizeText(original: string): NormalizedText {
  let stable = true;
  // Up to the first character that is not plain ASCII, by one native search (a third of the loop's time on prose).
  const first = original.search(NOT_PLAIN_ASCII);
  if (first < 0) return identityMap(original, true);
  for (let i = first; i < original.length; i += 1) {
    const code = original.charCodeAt(i);
    if (code >= 0x20 && code < 0x7f) continue;
    if (code < 0x20 ? code < 0x09 || code > 0x0d : code < 0xa0 || !isStable(code)) {
      stable = false;
      break;
    }
  }
  // Fast paths: ASCII plus stable characters (most European prose), or text that NFKC leaves alone and that has
  // nothing to drop and no other script's digits (one native call over the whole text).
  if (stable && !OTHER_HINT.test(original)) return identityMap(original, true);
  const mapping = needsMapping(original);
  const mixed =
    (mapping && ANY_ALIKE.test(original)) || MIXED_HINT.test(original) || OTHER_HINT.test(original)
      ? lookAlikeWords(original)
      : [];
  if (mixed.length === 0 && !mapping && original.normalize('NFKC') === original) {
    return identityMap(original);
  }

  const parts: string[] = [];
  // For each normalised UTF-16 unit: the original start and end of the code point that produced it (typed arrays
  // that grow: NFKC may expand a code point, e.g. U+FDFA to 18 units).
  let starts = new Int32Array(original.length + 16);
  let ends = new Int32Array(original.length + 16);
  let length = 0;
  const reserve = (units: number) => {
    if (length + units <= starts.length) return;
    const size = Math.max(2 * starts.length, length + units);
    const grownStarts = new Int32Array(size);
    grownStarts.set(starts.subarray(0, length));
    const grownEnds = new Int32Array(size);
    grownEnds.set(ends.subarray(0, length));
    starts = grownStarts;
    ends = grownEnds;
  };
  let changed = false;
  const opens: number[] = [];
  const closes: number[] = [];
  const blanks: number[] = [];
  // The last character written is an ASCII letter or digit: a combining mark on it is dropped (a dotted `Q̇` or a
  // keycap digit still reads as the character; code points are normalised one at a time, so a mark never composes
  // here).
  let lastAlnum = false;
  let word = 0; // the first of `mixed` not ended before i
  for (let i = 0; i < original.length; ) {
    // A run of ASCII that stays as it is, copied whole (most of any text).
    let run = i;
    while (run < original.length) {
      const unit = original.charCodeAt(run);
      if (unit >= 0x7f || (unit < 0x20 && (unit < 0x09 || unit > 0x0d))) break;
      run += 1;
    }
    if (run > i) {
      parts.push(original.slice(i, run));
      reserve(run - i);
      for (let k = i; k < run; k += 1, length += 1) {
        starts[length] = k;
        ends[length] = k + 1;
      }
      lastAlnum = isAsciiAlnum(original.charCodeAt(run - 1));
      i = run;
      continue;
    }
    const code = original.codePointAt(i) ?? 0;
    const width = code > 0xffff ? 2 : 1;
    while (word < mixed.length && (mixed[word + 1] as number) <= i) word += 3;
    const inWord = word < mixed.length && (mixed[word] as number) <= i;
    const flags = inWord ? (mixed[word + 2] as number) : 0;
    let alike = inWord
      ? (LOOK_ALIKES.get(code) ?? ((flags & ACCENTS) !== 0 ? ACCENT_BASES.get(code) : undefined))
      : undefined;
    // In a word of capitals (`ɑKIA…`), a small look-alike reads as its capital.
    if (alike !== undefined && (flags & CAPITALS) !== 0 && alike >= 0x61) alike -= 0x20;
    const digit = digitValue(code);
    const ascii = tagAscii(code);
    const number = numberForm(code);
    if (alike !== undefined) {
      // A look-alike letter in a mixed-script word: its Latin letter, one unit for the one code point.
      changed = true;
      parts.push(String.fromCharCode(alike));
      reserve(1);
      starts[length] = i;
      ends[length] = i + 1;
      length += 1;
      lastAlnum = true;
    } else if (number >= 0) {
      // A number form is one or two ASCII digits, each unit mapped to the whole code point (as NFKC's ⑩ is).
      changed = true;
      const digits = String(number);
      parts.push(digits);
      reserve(digits.length);
      for (let k = 0; k < digits.length; k += 1, length += 1) {
        starts[length] = i;
        ends[length] = i + width;
      }
      lastAlnum = true;
    } else if (digit >= 0 || ascii >= 0) {
      changed = true;
      parts.push(String.fromCharCode(digit >= 0 ? 0x30 + digit : ascii));
      reserve(1);
      starts[length] = i;
      ends[length] = i + width;
      length += 1;
      lastAlnum = digit >= 0 || isAsciiAlnum(ascii);
    } else if (isDroppedCharacter(code) || (lastAlnum && isCombiningMark(code))) {
      changed = true;
      // A dropped character inside a value extends that value's original span (see endOf).
      if (length > 0) ends[length - 1] = i + width;
      if (code === RIGHT_TO_LEFT_OVERRIDE) opens.push(length);
      else if (code === POP_DIRECTIONAL_FORMATTING) closes.push(length);
      else if (code === BRAILLE_BLANK && blanks[blanks.length - 1] !== length) blanks.push(length);
    } else {
      const source = original.slice(i, i + width);
      // Lone surrogates are left as they are (normalize() would keep them too); they cannot be part of a match.
      const normalized = width === 1 && code >= 0xd800 && code <= 0xdfff ? source : source.normalize('NFKC');
      if (normalized !== source) changed = true;
      reserve(normalized.length);
      for (let k = 0; k < normalized.length; k += 1, length += 1) {
        starts[length] = i;
        ends[length] = i + width;
      }
      parts.push(normalized);
      lastAlnum = normalized.length > 0 && isAsciiAlnum(normalized.charCodeAt(normalized.length - 1));
    }
    i += width;
  }
  if (!changed) return identityMap(original);
  const text = parts.join('');
  return {
    text,
    startOf: (n) => (n >= length ? original.length : (starts[n] as number)),
    endOf: (n) => (n <= 0 ? (length > 0 ? (starts[0] as number) : 0) : (ends[n - 1] as number)),
    simple: false,
    ...(opens.length > 0 ? { overrides: overrideSpans(text, opens, closes) } : {}),
    ...(blanks.length > 0 ? { blanks } : {}),
  };
}
