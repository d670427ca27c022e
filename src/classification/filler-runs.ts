// A reading without a run's one repeated filler: a value with the same visible, meaningless character between each
// two of its characters (`A\uE000K\uE000I\uE000A…`: a private-use glyph, a lone skin-tone modifier, U+0600) reads as
// the value once the filler is dropped, which a model told "ignore the boxes" does. The main view keeps these
// characters (icon fonts and emoji are prose: normalize.ts), so the run is read here as a decoded text (decode.ts),
// mapped character by character. Only a strict alternation counts: printable ASCII characters (what every recognizer
// reads, after the main view's NFKC and digits) one at a time, each pair apart by the same filler, at least
// MIN_FILLED_CHARS of them; icon-font prose (a glyph before a word), emoji with skin tones (the modifier follows an
// emoji, not ASCII) and Arabic text (letters are no filler) hold none. Linear: each character is read at most twice.
import type { MappedText } from './decode-escapes.ts';

/** Fewest value characters in a run: the shortest percent-encoded run decode.ts reads (MIN_PERCENT_RUN). */
export const MIN_FILLED_CHARS = 8;

/** Printable ASCII but the space: a character of a value, read one at a time between fillers. */
function isValueChar(unit: number): boolean {
  return unit > 0x20 && unit < 0x7f;
}

/** Letters, numbers, marks and spaces are text, never a filler: Arabic, CJK and accented words are not runs. */
const TEXT_CHAR = /^[\p{L}\p{N}\p{M}\p{White_Space}]$/u;

/** A code point outside ASCII that is not text: a symbol, punctuation, private use, a shown format character. */
function isFiller(code: number, chars: string): boolean {
  return code > 0x7f && !TEXT_CHAR.test(chars);
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
