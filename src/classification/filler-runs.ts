// Readings without fillers: visible, meaningless characters between a value's characters, which a model told "ignore
// the boxes" drops. The main view keeps them (icon fonts and emoji are prose: normalize.ts), so two readings are added
// as decoded texts (decode.ts), mapped character by character:
// - fillerFreeView: when a text holds a filler-class code point (FILLER_CLASS: private use, planes 15 and 16 included,
//   a lone emoji modifier U+1F3FB–U+1F3FF, a variation selector, a prepended concatenation mark such as U+0600, a tag),
//   the WHOLE text once with every one of them removed: one filler or several between each two characters, fillers
//   taking turns, a filler between digit groups or every few characters, and the context word before the run all read
//   as in the main view (recognizers, context words, separators). A finding only where that text holds a value the
//   recognizers accept: icon-font prose, emoji with skin tones and Arabic text with U+0600 keep their words apart.
// - fillerRuns: a strict alternation of printable ASCII characters and one other symbol (`A★K★I★A…`), at least
//   MIN_FILLED_CHARS value characters, read alone (a symbol is no filler class: arrows and stars between words stay).
// Both linear: the first is one regex test, and only when a filler exists one pass building the view (then read once
// more by the decoded texts' scan: a text with fillers costs about two readings); the second reads each character at
// most twice.
import type { MappedText } from './decode-escapes.ts';

/** Fewest value characters in a run: the shortest percent-encoded run decode.ts reads (MIN_PERCENT_RUN). */
export const MIN_FILLED_CHARS = 8;

/** Printable ASCII but the space: a character of a value, read one at a time between fillers. */
function isValueChar(unit: number): boolean {
  return unit > 0x20 && unit < 0x7f;
}

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

/**
 * The whole of `text` with every filler-class code point removed, mapped unit by unit to the original (a finding
 * covers the fillers inside it): `add(0, text.length, decoded)` as decode.ts's mapped runs; nothing when `text` holds
 * none.
 */
export function fillerFreeView(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  if (!FILLER_CLASS.test(text)) return;
  const starts = new Int32Array(text.length);
  const ends = new Int32Array(text.length);
  const kept: string[] = [];
  let length = 0;
  let last = 0;
  const keep = (from: number, to: number) => {
    kept.push(text.slice(from, to));
    for (let p = from; p < to; p += 1, length += 1) {
      starts[length] = p;
      ends[length] = p + 1;
    }
  };
  for (const m of text.matchAll(FILLER_CLASS_ALL)) {
    keep(last, m.index);
    last = m.index + m[0].length;
  }
  keep(last, text.length);
  add(0, text.length, { text: kept.join(''), starts: starts.subarray(0, length), ends: ends.subarray(0, length) });
}

/** A code point outside ASCII that is neither text nor filler class (read by fillerFreeView): a symbol, punctuation. */
function isFiller(code: number, chars: string): boolean {
  return code > 0x7f && !TEXT_CHAR.test(chars) && !FILLER_CLASS.test(chars);
}

const OUTSIDE_ASCII = /[^\x00-\x7f]/g;

/** Where the next character outside ASCII is (a run's filler), from `from`; the text's length when none. */
function nextOutsideAscii(text: string, from: number): number {
  OUTSIDE_ASCII.lastIndex = from;
  return OUTSIDE_ASCII.exec(text)?.index ?? text.length;
}

/**
 * The runs of `text` where one filler stands between each two of at least MIN_FILLED_CHARS value characters, each read
 * without its fillers, mapped to the run-local span of each character and the filler after it (so a finding covers
 * them): `add(from, end, decoded)` as decode.ts's mapped runs.
 */
export function fillerRuns(text: string, add: (from: number, end: number, decoded: MappedText) => void): void {
  for (let i = nextOutsideAscii(text, 0); i < text.length; ) {
    const code = text.codePointAt(i) as number;
    const width = code > 0xffff ? 2 : 1;
    const filler = text.slice(i, i + width);
    if (i === 0 || !isValueChar(text.charCodeAt(i - 1)) || !isValueChar(text.charCodeAt(i + width))) {
      i = nextOutsideAscii(text, i + width);
      continue;
    }
    if (!isFiller(code, filler)) {
      i = nextOutsideAscii(text, i + width);
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
    i = nextOutsideAscii(text, Math.max(end - 1, i + width));
  }
}
