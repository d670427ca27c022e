// What the main view needs to know of a code point: its decimal value when it is a Unicode decimal digit (Nd:
// Arabic-Indic, Devanagari, Thai, full-width, mathematical, …), whether it is default-ignorable (invisible: zero-width
// characters, bidi controls, variation selectors, tags, Hangul fillers), and whether it is a combining mark.
// Invariants: Unicode encodes each script's Nd digits as contiguous runs 0..9, so a digit's value is its distance from
// its run's start, mod 10. The table is built on first use (no work at import), from the engine's own Unicode data,
// over constant input (the code points themselves), never over user text.

/** Nd digits and marks below U+20000 are in the table; above it only variation selectors and tags matter. */
const LIMIT = 0x20000;
const NOT_DIGIT = -1;
const MARK = -2;
const IGNORABLE = -3;

let table: Int8Array | undefined;

function build(): Int8Array {
  const values = new Int8Array(LIMIT).fill(NOT_DIGIT);
  const nd = /^\p{Nd}$/u;
  const mark = /^\p{M}$/u;
  const ignorable = /^\p{Default_Ignorable_Code_Point}$/u;
  let runStart = -1;
  for (let code = 0x80; code < LIMIT; code += 1) {
    if (code >= 0xd800 && code <= 0xdfff) {
      runStart = -1;
      continue;
    }
    const char = String.fromCodePoint(code);
    if (nd.test(char)) {
      if (runStart < 0) runStart = code;
      values[code] = (code - runStart) % 10;
      continue;
    }
    runStart = -1;
    // Default-ignorable first: variation selectors are marks too, and are dropped everywhere.
    if (ignorable.test(char)) values[code] = IGNORABLE;
    else if (mark.test(char)) values[code] = MARK;
  }
  return values;
}

function entry(code: number): number {
  table ??= build();
  return table[code] as number;
}

/** The decimal value (0..9) of a code point that is a Unicode decimal digit, else -1. ASCII digits included. */
export function digitValue(code: number): number {
  if (code < 0x80) return code >= 0x30 && code <= 0x39 ? code - 0x30 : -1;
  if (code >= LIMIT) return -1;
  const value = entry(code);
  return value >= 0 ? value : -1;
}

/** Default_Ignorable_Code_Point: invisible, so dropped when matching (U+E0000–U+E0FFF: tags, variation selectors). */
export function isDefaultIgnorable(code: number): boolean {
  if (code < 0x80) return false;
  if (code >= LIMIT) return code >= 0xe0000 && code <= 0xe0fff;
  return entry(code) === IGNORABLE;
}

/** A combining mark (Mn, Mc, Me) that is not default-ignorable. */
export function isCombiningMark(code: number): boolean {
  return code >= 0x300 && code < LIMIT && entry(code) === MARK;
}

/**
 * The ASCII character a tag character (U+E0020–U+E007E) spells, else -1. Tags are invisible but models read them
 * ("ASCII smuggling"); their only other use, emoji subdivision flags (🏴 + tag letters), reads as a few letters.
 */
export function tagAscii(code: number): number {
  return code >= 0xe0020 && code <= 0xe007e ? code - 0xe0000 : -1;
}
