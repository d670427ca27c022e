// Readings without fillers: visible, meaningless characters between a value's characters, which a model told "ignore
// the boxes" drops. The main view keeps them (icon fonts and emoji are prose: normalize.ts), so two readings are added
// as decoded texts (decode.ts), mapped character by character:
// - fillerFreeView: the WHOLE text once without its fillers, when it holds one: every filler-class code point
//   (FILLER_CLASS: private use, planes 15 and 16 included, a lone emoji modifier U+1F3FB–U+1F3FF, a variation selector,
//   a prepended concatenation mark such as U+0600, a tag) wherever it stands, and the fillers of a stretch of at least
//   MIN_FILLED_CHARS single characters (fillerSpans): 1 to MAX_FILLER_SYMBOLS symbols between each two printable ASCII
//   characters (`2★1★9…`, `A••K••I…`, `2🔑1🔑9…`, taking turns or not) or between 3+ groups of 9–19 digits in all
//   (`219★09★9999`, `4111🔑1111🔑…`), or one same ASCII mark between each two letters or digits (`A|K|I|A…`, as NFKC
//   reads `A｜K｜I｜A…`). One filler or several between each two characters, a filler between digit groups or every
//   few characters (filler class), and the context word before the run all read as in the main view (recognizers,
//   context words, separators). A finding only where that text holds a value the recognizers
//   accept: icon-font prose, emoji with skin tones, Arabic text with U+0600, symbols between words (`A → B`, `★★★★☆`)
//   and sums or counts (`1+2+…+9+10`) keep their words apart.
// - fillerRuns: a strict alternation of printable ASCII characters and one other symbol (`A★K★I★A…`), at least
//   MIN_FILLED_CHARS value characters, read alone (so a value glued to a word before it, `keyA★K★I★A…`, starts a text).
// Both linear: the first is native searches (a filler class, a value character then one outside ASCII, an ASCII mark
// between letters) and, only when a filler exists, one pass building the view (then read once more by the decoded
// texts' scan: a text with fillers costs about two readings); the second reads each character at most twice.
import type { MappedText } from './decode-escapes.ts';
import { isDigit, isDigitSeparator } from './digit-separators.ts';
import { isDroppedCharacter } from './normalize.ts';

/** Fewest value characters in a run: the shortest percent-encoded run decode.ts reads (MIN_PERCENT_RUN). */
export const MIN_FILLED_CHARS = 8;

/** Printable ASCII but the space: a character of a value, read one at a time between fillers. */
function isValueChar(unit: number): boolean {
  return unit > 0x20 && unit < 0x7f;
}

const WHITE_SPACE = /^\p{White_Space}$/u;

/** Letters, numbers, marks and spaces are text, never a filler: Arabic, CJK and accented words are not runs. */
const TEXT_CHAR = /^[\p{L}\p{N}\p{M}\p{White_Space}]$/u;

/**
 * Filler-class code points: private use (\p{Co}: the BMP's and planes 15 and 16), a lone emoji modifier (one after
 * the emoji it tones is part of it: chat with skin tones costs no second reading), variation selectors, the prepended
 * concatenation marks (U+0600–U+0605, U+06DD, U+070F, U+0890–U+0891, U+08E2, U+110BD, U+110CD: unicode-table.ts
 * isShownFormat) and tag characters (the main view drops or spells the last two already).
 */
const FILLER_CLASS =
  /[\p{Co}\p{Variation_Selector}\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2\u{110bd}\u{110cd}\u{e0000}-\u{e007f}]|(?<!\p{Emoji_Modifier_Base})\p{Emoji_Modifier}/u;
const FILLER_CLASS_ALL = new RegExp(FILLER_CLASS.source, 'gu');

/** Most code points of one filler between two value characters (`••`, `★☆`, an emoji with a symbol). */
export const MAX_FILLER_SYMBOLS = 4;

/**
 * The letters drawn as a line (digit-separators.ts DASH_LIKE's letters): the Arabic tatweel U+0640 (a kashida, a
 * stretch of the line), the prolonged sound mark U+30FC and its half-width U+FF70, the modifier macrons U+02C9 and
 * U+02CD, the bar U+01C0. Between ASCII characters they are fillers a model reads past (`A\u0640K\u0640I…`); between
 * Arabic or katakana letters they are text (a stretch needs ASCII value characters: `コーヒー`, `مـــرحبا` hold none).
 */
const LINE_LETTERS = '\\u0640\\u30fc\\uff70\\u02c9\\u02cd\\u01c0';

/**
 * A filler of 1 to MAX_FILLER_SYMBOLS code points outside ASCII that are no text (TEXT_CHAR: symbols, punctuation,
 * emoji, private use, …), are variation selectors (as FILLER_CLASS) or letters drawn as a line (LINE_LETTERS), read
 * where it stands (sticky).
 */
const FILLER_SYMBOLS = new RegExp(
  `(?:[^\\p{L}\\p{N}\\p{M}\\p{White_Space}\\x00-\\x7f]|[${LINE_LETTERS}]|\\p{Variation_Selector}){1,${MAX_FILLER_SYMBOLS}}`,
  'uy',
);

/**
 * One ASCII mark between each two of at least MIN_FILLED_CHARS single letters or digits, the same mark throughout
 * (`A|K|I|A…`, `2-1-9-0-…`, `2.1.9.0.…`): NFKC reads a full-width `｜` `－` `．` as these, and a model reads through
 * them. Not `,` `;` (lists: digit-separators.ts, item-lists.ts), quotes, brackets, `\\` `%` `&` (escapes) or `=`. The
 * match starts at the first mark (a mark is rarer than a letter: the scan is a native search for one); asciiFilled
 * checks the items beside it are single too (a sum or a count `1+2+…+9+10` is no value).
 */
const ASCII_FILLED = /([|+~*#^!?@$:./_-])(?:[A-Za-z0-9]\1){6,}[A-Za-z0-9](?![A-Za-z0-9])/g;

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a);
}

/**
 * Whether an ASCII_FILLED match [from, end) of `mark` (from its first mark, after a letter or digit) is a whole
 * alternation of single items: no item of two or more before or after it.
 */
function asciiFilled(text: string, from: number, end: number, mark: number): boolean {
  if (isAsciiAlphanumeric(text.charCodeAt(from - 2))) return false;
  const before = text.charCodeAt(from - 2) === mark && isAsciiAlphanumeric(text.charCodeAt(from - 3));
  return !before && !(text.charCodeAt(end) === mark && isAsciiAlphanumeric(text.charCodeAt(end + 1)));
}

/**
 * The fillers to drop from `text` for its filler view, as sorted disjoint [from, to) spans, flat (`[from, to, from,
 * to, …]`): each filler of a stretch of at least MIN_FILLED_CHARS value characters (printable ASCII) with a filler
 * between each two — FILLER_SYMBOLS, 1 to MAX_FILLER_SYMBOLS symbols (`★`, `·`, `••`, `🔑`, taking turns or not) —
 * whose last item is one character (a count `1→2→…→9→10` is no value), the fillers of a stretch of digit groups
 * (digitGroups: `219★09★9999`, `4111🔑1111🔑…`), and the marks of an ASCII_FILLED stretch. Linear: a filler is read
 * at most three times (digit groups once), the rest by native searches (a value character then one outside ASCII; a
 * mark, whose attempt reads at most 2·MIN_FILLED_CHARS characters before it fails).
 */
export function fillerSpans(text: string): number[] {
  const symbols: number[] = [];
  let groupsRead = 0; // digit groups are read once: a later group of a stretch read starts none (a suffix of it)
  for (let i = nextFillerAt(text, 0, FILLER_OR_GROUPS); i < text.length; ) {
    if (i >= groupsRead) {
      const groups = digitGroups(text, i, symbols);
      groupsRead = Math.abs(groups);
      if (groups > 0) {
        i = nextFillerAt(text, groups, FILLER_OR_GROUPS);
        continue;
      }
    }
    const first = symbols.length;
    let at = i;
    let count = 1;
    for (;;) {
      FILLER_SYMBOLS.lastIndex = at;
      if (!FILLER_SYMBOLS.test(text) || !isValueChar(text.charCodeAt(FILLER_SYMBOLS.lastIndex))) break;
      symbols.push(at, FILLER_SYMBOLS.lastIndex);
      at = FILLER_SYMBOLS.lastIndex + 1;
      count += 1;
    }
    // Fewer characters, or a last item of two or more letters or digits (a count `1→2→…→9→10`): no stretch.
    const longer = isAsciiAlphanumeric(text.charCodeAt(at - 1)) && isAsciiAlphanumeric(text.charCodeAt(at));
    if (count < MIN_FILLED_CHARS || longer) symbols.length = first;
    i = nextFillerAt(text, Math.max(at, i + 1), FILLER_OR_GROUPS);
  }
  const marks: number[] = [];
  ASCII_FILLED.lastIndex = 0;
  for (let m = ASCII_FILLED.exec(text); m !== null; m = ASCII_FILLED.exec(text)) {
    const end = m.index + m[0].length;
    // A mark after no letter or digit (`|A|K|I|…`, a table row's bar) opens no stretch: the next one may.
    if (!isAsciiAlphanumeric(text.charCodeAt(m.index - 1))) ASCII_FILLED.lastIndex = m.index + 1;
    else if (asciiFilled(text, m.index, end, text.charCodeAt(m.index))) {
      for (let at = m.index; at < end; at += 2) marks.push(at, at + 1);
    }
  }
  return marks.length === 0 ? symbols : symbols.length === 0 ? marks : merged(symbols, marks);
}

/** Most digits in a group between symbols (`219★09★9999`, `4111★1111★…`; an Amex's 6 and 5). */
export const MAX_FILLED_GROUP = 6;
/** Digits of a stretch of digit groups split by symbols: an SSN's or a BSN's (9) to a card's (19). */
const MIN_GROUPED_DIGITS = 9;
const MAX_GROUPED_DIGITS = 19;

/** A space separator (\p{Zs}: ` `, NBSP, U+2009, U+3000, …) at `at`, read where it stands. */
const SPACE_SEPARATOR = /\p{Zs}/uy;

/** A code unit of a symbol (outside ASCII, no letter, number, mark or space; a surrogate): a filler's. */
const SYMBOL_UNIT = /^[^\p{L}\p{N}\p{M}\p{White_Space}\x00-\x7f]$/u;

/** 1 when a space separator (SPACE_SEPARATOR) stands at `at`, else 0. */
function spaceWidth(text: string, at: number): number {
  SPACE_SEPARATOR.lastIndex = at;
  return SPACE_SEPARATOR.test(text) ? 1 : 0;
}

/**
 * Where the stretch of digit groups split by symbols ends whose first filler (FILLER_SYMBOLS, or one space before it)
 * is at `at`, its fillers pushed to `spans`; when it is none, minus where its reading stopped: groups of 2 to
 * MAX_FILLED_GROUP digits (the last may have one), at least three, a filler of 1 to MAX_FILLER_SYMBOLS symbols with an
 * optional space (\p{Zs}) on each side between each two (`219 ★ 09 ★ 9999`, as arrows and stars are written in prose;
 * the spaces are dropped with the symbols; with a space beside any filler, all fillers the same and none after a
 * symbol and a space: ranges `231–277 → 267–297` and table rows `│ 12 │ 34 │ 2024 │ 12 │` are none),
 * MIN_GROUPED_DIGITS to MAX_GROUPED_DIGITS digits in all, after the text's start,
 * whitespace or ASCII but a letter or digit, no letter or digit after it (`v2024★12★06`, `219★09★99999999`,
 * `1→2→…→9→10` are none), and a filler that is no separator of the digits view's (isDigitSeparator: `219–09–9999`,
 * `219·09·9999` are read there) nor a character the main view drops. Reads its digits and fillers and at most
 * MAX_FILLED_GROUP + 1 characters before `at`.
 */
function digitGroups(text: string, at: number, spans: number[]): number {
  let start = at;
  while (isDigit(text.charCodeAt(start - 1)) && at - start <= MAX_FILLED_GROUP) start -= 1;
  const before = text.charCodeAt(start - 1);
  const opens =
    start === 0 || (before < 0x80 && !isAsciiAlphanumeric(before)) || WHITE_SPACE.test(text[start - 1] ?? '');
  // After a symbol and a space (`│ 12 │ 34 │ …`, a table row's border or a suffix of a stretch): none, as glued.
  const afterSymbol = spaceWidth(text, start - 1) === 1 && SYMBOL_UNIT.test(text[start - 2] ?? '');
  if (!opens || afterSymbol || at - start < 2 || at - start > MAX_FILLED_GROUP) return -at;
  const found: number[] = [];
  let single = false;
  let symbol = false;
  let filler: string | undefined; // the first filler's symbols: with a space beside any, all fillers are the same
  let mixed = false;
  let spaced = false;
  let digits = at - start;
  let end = at;
  for (;;) {
    const symbols = end + spaceWidth(text, end);
    FILLER_SYMBOLS.lastIndex = symbols;
    if (!FILLER_SYMBOLS.test(text)) break;
    const group = FILLER_SYMBOLS.lastIndex + spaceWidth(text, FILLER_SYMBOLS.lastIndex);
    spaced ||= group - end !== FILLER_SYMBOLS.lastIndex - symbols;
    const own = text.slice(symbols, FILLER_SYMBOLS.lastIndex);
    mixed ||= filler !== undefined && own !== filler;
    filler ??= own;
    let groupEnd = group;
    while (isDigit(text.charCodeAt(groupEnd)) && groupEnd - group <= MAX_FILLED_GROUP) groupEnd += 1;
    if (groupEnd === group) break;
    if (groupEnd - group > MAX_FILLED_GROUP) return -groupEnd;
    digits += groupEnd - group;
    if (digits > MAX_GROUPED_DIGITS) return -groupEnd;
    if (single) return -groupEnd; // a group of one digit before this one, not the last
    single = groupEnd - group === 1;
    for (let k = end; k < group && !symbol; k += 1) {
      const code = text.charCodeAt(k);
      symbol = !isDigitSeparator(code) && !isDroppedCharacter(code);
    }
    found.push(end, group);
    end = groupEnd;
  }
  if (
    !symbol ||
    (spaced && mixed) ||
    found.length < 4 ||
    digits < MIN_GROUPED_DIGITS ||
    isAsciiAlphanumeric(text.charCodeAt(end))
  ) {
    return -end;
  }
  for (const p of found) spans.push(p);
  return end;
}

/** Two sorted lists of disjoint flat spans as one, sorted and disjoint (overlapping spans joined). */
function merged(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 0, j = 0; i < a.length || j < b.length; ) {
    const fromA = j >= b.length || (i < a.length && (a[i] as number) <= (b[j] as number));
    const list = fromA ? a : b;
    const k = fromA ? i : j;
    const [from, to] = [list[k] as number, list[k + 1] as number];
    if (fromA) i += 2;
    else j += 2;
    if (out.length > 0 && from <= (out[out.length - 1] as number)) {
      out[out.length - 1] = Math.max(out[out.length - 1] as number, to);
    } else out.push(from, to);
  }
  return out;
}

/**
 * Context kept on each side of a stretch in its filler view: a recognizer's farthest context reach (compile.ts:
 * `contextWindow` before/after at most 256), so the word before a value and the words after it read as in the text.
 */
export const STRETCH_REACH = 256;

/** Most characters a window's edge moves on to the next whitespace (a word is not cut into a shorter one). */
const EDGE_WORD = 64;

/**
 * The fillers of `text` to drop and the views to read: with a filler-class code point, the WHOLE text without it and
 * the stretches' fillers (one view, as any text may hold a class code point anywhere); with stretches alone, one view
 * per group of stretches, each over the stretches and STRETCH_REACH characters on each side (its edges moved out to a
 * whitespace, at most EDGE_WORD further), so a long text with a few stretches (a Markdown page showing
 * `A→B→C→…`) reads a few hundred characters more, not itself twice. Each view is mapped unit by unit to the original
 * (a finding covers the fillers inside it): `add(from, end, decoded)` as decode.ts's mapped runs, positions relative
 * to `from`; nothing when `text` holds no filler.
 */
export function fillerFreeView(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  const fillers = fillerSpans(text);
  if (FILLER_CLASS.test(text)) {
    const classed = Array.from(text.matchAll(FILLER_CLASS_ALL), (m) => [m.index, m.index + m[0].length]).flat();
    add(0, text.length, viewWithout(text, 0, text.length, merged(fillers, classed)));
    return;
  }
  for (let k = 0; k < fillers.length; ) {
    const from = wordEdge(text, Math.max(0, (fillers[k] as number) - STRETCH_REACH), -1);
    let j = k + 2;
    // Stretches whose reaches meet share a view (views never overlap: the whole is read at most once more).
    while (
      j < fillers.length &&
      (fillers[j] as number) - (fillers[j - 1] as number) <= 2 * (STRETCH_REACH + EDGE_WORD)
    ) {
      j += 2;
    }
    const end = wordEdge(text, Math.min(text.length, (fillers[j - 1] as number) + STRETCH_REACH), 1);
    add(from, end, viewWithout(text, from, end, fillers.slice(k, j)));
    k = j;
  }
}

/** `at` moved in `direction` to the nearest whitespace (or the text's edge), at most EDGE_WORD characters. */
function wordEdge(text: string, at: number, direction: 1 | -1): number {
  let p = at;
  for (let moved = 0; moved < EDGE_WORD && p > 0 && p < text.length; moved += 1) {
    if (/\s/.test(text[direction < 0 ? p - 1 : p] as string)) break;
    p += direction;
  }
  return p;
}

/** text[from, end) without the flat `drops` spans inside it, each kept unit mapped to its own, relative to `from`. */
function viewWithout(text: string, from: number, end: number, drops: readonly number[]): MappedText {
  const starts = new Int32Array(end - from);
  const ends = new Int32Array(end - from);
  const kept: string[] = [];
  let length = 0;
  let last = from;
  const keep = (a: number, z: number) => {
    kept.push(text.slice(a, z));
    for (let p = a; p < z; p += 1, length += 1) {
      starts[length] = p - from;
      ends[length] = p - from + 1;
    }
  };
  for (let k = 0; k < drops.length; k += 2) {
    keep(last, drops[k] as number);
    last = drops[k + 1] as number;
  }
  keep(last, end);
  return { text: kept.join(''), starts: starts.subarray(0, length), ends: ends.subarray(0, length) };
}

/** A code point outside ASCII that is neither text nor filler class (read by fillerFreeView): a symbol, punctuation. */
function isFiller(code: number, chars: string): boolean {
  return code > 0x7f && !TEXT_CHAR.test(chars) && !FILLER_CLASS.test(chars);
}

/** A value character, then a character outside ASCII: where a filler may stand. */
const VALUE_THEN_OUTSIDE = /[\x21-\x7e][^\x00-\x7f]/g;

/** As VALUE_THEN_OUTSIDE, or a digit, a space, then a character outside ASCII: a digit group's filler (`219 ★ 09`). */
const FILLER_OR_GROUPS = /[\x21-\x7e][^\x00-\x7f]|[0-9] [^\x00-\x7f]/g;

/**
 * Where the next character outside ASCII right after a value character is (a filler's first), from `from`; the text's
 * length when none. A native search: text of other scripts (CJK, Cyrillic) is skipped whole.
 */
function nextFillerAt(text: string, from: number, pattern = VALUE_THEN_OUTSIDE): number {
  pattern.lastIndex = Math.max(0, from - 1);
  const m = pattern.exec(text);
  return m === null ? text.length : m.index + 1;
}

/**
 * The runs of `text` where one filler stands between each two of at least MIN_FILLED_CHARS value characters, each read
 * without its fillers, mapped to the run-local span of each character and the filler after it (so a finding covers
 * them): `add(from, end, decoded)` as decode.ts's mapped runs.
 */
export function fillerRuns(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  for (let i = nextFillerAt(text, 0); i < text.length; ) {
    const code = text.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    const filler = text.slice(i, i + width);
    if (i === 0 || !isValueChar(text.charCodeAt(i - 1)) || !isValueChar(text.charCodeAt(i + width))) {
      i = nextFillerAt(text, i + width);
      continue;
    }
    if (!isFiller(code, filler)) {
      i = nextFillerAt(text, i + width);
      continue;
    }
    const from = i - 1;
    const at: number[] = [from];
    let end = i + width;
    while (end < text.length && isValueChar(text.charCodeAt(end))) {
      at.push(end);
      end += 1;
      if (!text.startsWith(filler, end)) break;
      end += width;
    }
    if (at.length >= MIN_FILLED_CHARS) {
      const starts = new Int32Array(at.length);
      const ends = new Int32Array(at.length);
      let decoded = '';
      for (let k = 0; k < at.length; k += 1) {
        const p = at[k] as number;
        decoded += text[p];
        starts[k] = p - from;
        ends[k] = Math.min(p + 1 + width, end) - from;
      }
      add(from, end, { text: decoded, starts, ends });
    }
    // The run's last character may open the next run (a different filler after it): read again from it.
    i = nextFillerAt(text, Math.max(end - 1, i + width));
  }
}
