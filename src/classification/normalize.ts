// Text normalisation before matching (the main view): every Unicode decimal digit read as its ASCII digit, and every
// number NFKC leaves unread (❶ ➀ ⓵ ⓿ ⓫, ⑴ and ⒈ without their brackets and stop) as its ASCII digits, tag
// characters read as the ASCII they spell, and negative circled and squared letters (`🅐`, `🅰`) as their capitals
// (unicode-table.ts enclosedLetter), NFKC per code point (full-width letters become ASCII), invisible
// characters (default-ignorable, blank or box-drawn: isIgnorable), controls and U+FFFD dropped, combining marks on an
// ASCII letter or digit dropped, with a map from every normalised UTF-16 offset back to the original, and the spans a
// right-to-left override displays reversed; inside a word that mixes scripts (look-alikes.ts lookAlikeWords), each
// letter of another script drawn as one Latin letter read as it (`ЅЅN`, `ՏՏN` as `SSN`, Cherokee `Ꭺ`, Carian `𐊠`, a
// regional indicator `🇦` as `A`: one Latin letter for the two UTF-16 units of one past the BMP), Latin's own look-alikes
// (`ɑ`, small capitals `ꜱꜱɴ`) in any word, and in a word of capitals and digits an accented letter as its letter
// (`ŠŠN`, `ÀKIA…`). Invariant: for any span [s, e) of the normalised text, [startOf(s), endOf(e)) in the original
// covers exactly the code points that produced it (including dropped characters inside it), so redaction removes all
// of it.
import {
  ACCENT_BASES,
  ACCENTS,
  CAPITALS,
  LOOK_ALIKES,
  lookAlikeWords,
  mayHoldLookAlikeWords,
  OTHER_HINT,
} from './look-alikes.ts';
import {
  digitValue,
  enclosedLetter,
  isAsciiAlnum,
  isCombiningMark,
  isDroppedCharacter,
  numberForm,
  tagAscii,
} from './unicode-table.ts';

export { isDroppedCharacter, isDroppedControl } from './unicode-table.ts';

/** A non-ASCII decimal digit NFKC leaves alone (Arabic-Indic, Devanagari, …): read as its ASCII digit. */
function isOtherDigit(code: number): boolean {
  return code >= 0x660 && digitValue(code) >= 0;
}

/**
 * Whether any code point is dropped, a tag, an enclosed letter, a non-ASCII digit or a number form, or a mark follows
 * an ASCII letter or digit or a look-alike letter (then the per-code-point path runs).
 */
function needsMapping(text: string): boolean {
  let before = 0; // the code point before i
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit >= 0x20 && unit < 0x7f) {
      before = unit; // printable ASCII: most of any text, nothing to map
      continue;
    }
    const code = text.codePointAt(i) ?? 0;
    if (isDroppedCharacter(code) || isOtherDigit(code) || tagAscii(code) >= 0 || numberForm(code) >= 0) return true;
    if (enclosedLetter(code) >= 0) return true;
    if (isCombiningMark(code) && (isAsciiAlnum(before) || LOOK_ALIKES.has(before) || ACCENT_BASES.has(before))) {
      return true;
    }
    before = code;
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
  const mixed = mayHoldLookAlikeWords(original, mapping) ? lookAlikeWords(original) : [];
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
    const ascii = tagAscii(code) >= 0 ? tagAscii(code) : enclosedLetter(code);
    const number = numberForm(code);
    if (alike !== undefined) {
      // A look-alike letter in a mixed-script word: its Latin letter, one unit for the one code point (two units
      // past the BMP).
      changed = true;
      parts.push(String.fromCharCode(alike));
      reserve(1);
      starts[length] = i;
      ends[length] = i + width;
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
