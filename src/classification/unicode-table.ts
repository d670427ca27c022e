// What the main view needs to know of a code point: its decimal value when it is a Unicode decimal digit (Nd:
// Arabic-Indic, Devanagari, Thai, full-width, mathematical, …) or a digit in another form that NFKC does not read as
// ASCII digits (numberForm: ❶, ➀, ⓵, ⓿, ⑴, ⒈, 🄁, Ethiopic ፩), whether it is default-ignorable (invisible: zero-width
// characters, bidi controls, variation selectors, tags, Hangul fillers), and whether it is a combining mark.
// Invariants: Unicode encodes each script's Nd digits as contiguous runs 0..9, so a digit's value is its distance from
// its run's start, mod 10. The table is built on first use (no work at import), from the engine's own Unicode data,
// over constant input (the code points themselves), never over user text. Besides the default-ignorable characters,
// the ones that render as nothing or as a blank or a box are invisible too (isInvisible).

/** Nd digits and marks below U+20000 are in the table; above it only variation selectors and tags matter. */
const LIMIT = 0x20000;
const NOT_DIGIT = -1;
const MARK = -2;
const IGNORABLE = -3;
const INVISIBLE = -4;

/**
 * Format characters (Cf) that are not default-ignorable but are shown: the prepended concatenation marks (Arabic and
 * Syriac number signs, U+0600–U+0605, U+06DD, U+070F, U+0890–U+0891, U+08E2; Kaithi U+110BD, U+110CD), drawn over
 * the digits after them.
 */
function isShownFormat(code: number): boolean {
  return (
    (code >= 0x600 && code <= 0x605) ||
    code === 0x6dd ||
    code === 0x70f ||
    code === 0x890 ||
    code === 0x891 ||
    code === 0x8e2 ||
    code === 0x110bd ||
    code === 0x110cd
  );
}

/**
 * U+2800 BRAILLE PATTERN BLANK (a blank, the chat apps' "invisible character") and U+FFFC OBJECT REPLACEMENT (a box).
 */
const BLANK_SYMBOLS: readonly number[] = [0x2800, 0xfffc];

let table: Int8Array | undefined;

function build(): Int8Array {
  const values = new Int8Array(LIMIT).fill(NOT_DIGIT);
  const nd = /^\p{Nd}$/u;
  const mark = /^\p{M}$/u;
  const ignorable = /^\p{Default_Ignorable_Code_Point}$/u;
  const formatOrUnassigned = /^[\p{Cf}\p{Cn}]$/u;
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
    else if (formatOrUnassigned.test(char) && !isShownFormat(code)) values[code] = INVISIBLE;
  }
  for (const code of BLANK_SYMBOLS) values[code] = INVISIBLE;
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

/**
 * Not default-ignorable but shown as nothing, a blank or a box: the format characters (Cf) but the prepended
 * concatenation marks (interlinear annotation U+FFF9–U+FFFB, Egyptian hieroglyph format controls U+13430–U+1343F),
 * U+2800 BRAILLE PATTERN BLANK, U+FFFC OBJECT REPLACEMENT CHARACTER, and the code points the engine's Unicode assigns
 * nothing (noncharacters included) below U+20000 and in planes 4–13 and the noncharacters of every plane. Private-use
 * characters are not (an icon font draws them).
 */
export function isInvisible(code: number): boolean {
  if (code < 0x80) return false;
  if (code >= LIMIT) return (code >= 0x40000 && code < 0xe0000) || (code & 0xfffe) === 0xfffe;
  return entry(code) === INVISIBLE;
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

/**
 * Numbers written in a form NFKC leaves as no digit, or as a digit with punctuation: [first, last, value of first].
 * Generated from the UCD: every Numeric_Type=Digit code point whose NFKC is not its ASCII digit (Python's unicodedata
 * 14.0: digit() defined, decimal() not), and the enclosed numbers 0-20 of the Enclosed Alphanumerics (U+2460-24FF),
 * Dingbats (U+2776-2793) and Enclosed Alphanumeric Supplement (U+1F100-1F10C) blocks in the same case. Checked against
 * an independent source of numeric values (test/unit/classification/number-forms.test.ts). Left out: numerals that are
 * not positional (Ethiopic ፲ is ten, ፲፪ twelve; Roman numerals, Aegean, counting rods), read as they are.
 */
const NUMBER_FORMS: readonly (readonly [number, number, number])[] = [
  [0x1369, 0x1371, 1], // Ethiopic digits ፩-፱
  [0x19da, 0x19da, 1], // New Tai Lue Tham digit one
  [0x2474, 0x2487, 1], // parenthesized ⑴-⒇ (NFKC: '(1)')
  [0x2488, 0x249b, 1], // with a full stop ⒈-⒛ (NFKC: '1.')
  [0x24eb, 0x24f4, 11], // negative circled ⓫-⓴
  [0x24f5, 0x24fe, 1], // double circled ⓵-⓾
  [0x24ff, 0x24ff, 0], // negative circled zero ⓿
  [0x2776, 0x277f, 1], // dingbat negative circled ❶-❿
  [0x2780, 0x2789, 1], // dingbat circled sans-serif ➀-➉
  [0x278a, 0x2793, 1], // dingbat negative circled sans-serif ➊-➓
  [0x10a40, 0x10a43, 1], // Kharoshthi digits
  [0x10e60, 0x10e68, 1], // Rumi digits
  [0x11052, 0x1105a, 1], // Brahmi numbers one to nine
  [0x1f100, 0x1f100, 0], // digit zero full stop 🄀 (NFKC: '0.')
  [0x1f101, 0x1f10a, 0], // digit comma 🄁-🄊 (NFKC: '0,')
  [0x1f10b, 0x1f10b, 0], // dingbat circled sans-serif zero 🄋
  [0x1f10c, 0x1f10c, 0], // dingbat negative circled sans-serif zero 🄌
];

/** The number (0-20) a code point of NUMBER_FORMS stands for, else -1. */
export function numberForm(code: number): number {
  if (code < 0x1369 || code > 0x1f10c) return -1;
  for (const [first, last, value] of NUMBER_FORMS) {
    if (code < first) return -1;
    if (code <= last) return value + code - first;
  }
  return -1;
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

/** An ASCII letter or digit. */
export function isAsciiAlnum(unit: number): boolean {
  return (unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x5a) || (unit >= 0x61 && unit <= 0x7a);
}

/**
 * The ASCII capital a negative circled (U+1F150-1F169) or negative squared (U+1F170-1F189) letter of the Enclosed
 * Alphanumeric Supplement draws, else -1: NFKC reads the circled `Ⓐ` and squared `🄰` as their letters, not these (no
 * decomposition), and a model reads `🅰🅺🅸🅰` as the word it draws.
 */
export function enclosedLetter(code: number): number {
  if (code >= 0x1f150 && code <= 0x1f169) return 0x41 + code - 0x1f150;
  if (code >= 0x1f170 && code <= 0x1f189) return 0x41 + code - 0x1f170;
  return -1;
}
