// Two segments read as one where their syntax says they are one text cut in two: a list closed at one's end and
// another opened at the next's start (listPairs), and a JSON text cut open with notes sent between its pieces
// (bridgePairs: up to six notes or middle pieces between its first and last). Invariant: each segment is in at most
// two list pairs and two bridge readings, each pair's text bounded (SHORT_VALUE, `reach` characters a side, middles
// whole and short): at most four times the text; pieces are spans of their own segments' texts (join-pieces.ts).
import type { JoinWindow, WindowPart } from './join-window.ts';
import { PAIR_GAP } from './join-window.ts';
import type { TextSegment } from './types.ts';

/** One readable span of one segment, as joined: the segment's text [from, to). */
export interface Readable {
  segment: number;
  from: number;
  to: number;
}

/**
 * Most characters of a segment read between a value's pieces (bridgePairs): a note (`continued:`, `part 2 of 2:`,
 * `the "rest" is:`) or a middle piece of the value: the join window's reach.
 */
export const BRIDGE_MOST = 256;

/** Most segments between the first piece and the last (`part 2:`, a piece, `part 3:`; or notes only). */
const MOST_BETWEEN = 6;

/**
 * Most characters before a JSON text's opening or after its closing (`here is my jwk file: {`, a Markdown fence's
 * "```json", `}` then `thanks`): words and marks, no bracket nor quote.
 */
const MOST_AROUND = 64;

/**
 * The first and last pieces of a JSON text cut open, read across the segments between them, glued as if those were
 * not there (`reach` characters each side): the first opens as one (`{`, `[`) and does not close, the last closes
 * (`}`, `]`) and does not open. A value cut there with notes sent between its pieces (`{…"d":"` | `continued:` |
 * `<d>"}`, or `{…"d":"ab` | `part 2:` | `cd` | `part 3:` | `ef"}`), which a model reads past; a few words or a
 * Markdown fence may stand before the opening and after the closing (MOST_AROUND). Between them up to MOST_BETWEEN
 * segments of at most BRIDGE_MOST characters each, none opening or closing JSON nor holding a bracket; read twice:
 * all left out (notes only), and the pieces among them glued in order (a piece: no blank, or JSON members `":`), the
 * notes left out. Prose, rows or base64 halves with a note between are not read across. One window, pairs kept apart
 * by PAIR_GAP; a closing stops the search back, so each segment is in at most one chain, read twice: at most
 * twice the text plus twice `reach` a chain.
 */
export function bridgePairs(
  segments: readonly TextSegment[],
  readable: readonly Readable[],
  reach: number,
): JoinWindow[] {
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  const textOf = (r: Readable) => (segments[r.segment] as TextSegment).text;
  const push = (r: Readable, from: number, to: number) => {
    texts.push(textOf(r).slice(from, to));
    parts.push({ segment: r.segment, at, from, length: to - from });
    at += to - from;
  };
  for (let k = 2; k < readable.length; k += 1) {
    const second = readable[k] as Readable;
    if (opensJson(textOf(second)) || !closesAround(textOf(second))) continue;
    let j = k - 1;
    while (j > 0 && k - j <= MOST_BETWEEN && isBridgeMiddle(textOf(readable[j] as Readable))) j -= 1;
    const first = readable[j] as Readable;
    if (j === k - 1 || isBridgeMiddle(textOf(first)) || !opensUnclosed(textOf(first))) continue;
    const pieces = readable.slice(j + 1, k).filter((r) => isBridgePiece(textOf(r)));
    for (const glued of pieces.length === 0 ? [pieces] : [[], pieces]) {
      if (texts.length > 0) {
        texts.push(PAIR_GAP);
        at += PAIR_GAP.length;
      }
      push(first, Math.max(first.from, first.to - reach), first.to);
      for (const piece of glued) push(piece, piece.from, piece.to);
      push(second, second.from, Math.min(second.to, second.from + reach));
    }
  }
  return texts.length === 0 ? [] : [{ text: texts.join(''), parts }];
}

/**
 * Whether a segment may stand between a value's pieces: BRIDGE_MOST characters at most, no bracket (a quote may be
 * a note's: `the "rest" is:`).
 */
function isBridgeMiddle(text: string): boolean {
  return text.length <= BRIDGE_MOST && !/[[\]{}]/.test(text);
}

/** Whether a middle segment is a piece of the value (no blank: `QUJD…`; or JSON members: `…","y":"…`), not a note. */
function isBridgePiece(text: string): boolean {
  return text.length > 0 && (!/\s/.test(text) || text.includes('":'));
}

/** Whether `text` opens as a JSON text: `{` or `[` after blanks. */
function opensJson(text: string): boolean {
  let start = 0;
  while (start < text.length && isSpaceCode(text.charCodeAt(start))) start += 1;
  return text.charCodeAt(start) === 0x7b || text.charCodeAt(start) === 0x5b;
}

/** Whether `code` may stand around a JSON text (MOST_AROUND): not a bracket nor a quote. */
function isAroundCode(code: number): boolean {
  return code !== 0x7b && code !== 0x7d && code !== 0x5b && code !== 0x5d && code !== 0x22;
}

/**
 * Whether `text` opens as a JSON text (`{` or `[`, up to MOST_AROUND characters of words, marks or a fence before it)
 * and does not close (`}`, `]` before blanks).
 */
function opensUnclosed(text: string): boolean {
  let start = 0;
  while (start < text.length && start <= MOST_AROUND && isAroundCode(text.charCodeAt(start))) start += 1;
  const code = text.charCodeAt(start);
  return (code === 0x7b || code === 0x5b) && !isListCloserCode(lastCode(text));
}

/** Whether `text` closes (`}`, `]`), up to MOST_AROUND characters of words, marks or a fence after it. */
function closesAround(text: string): boolean {
  let end = text.length;
  while (end > 0 && text.length - end <= MOST_AROUND && isAroundCode(text.charCodeAt(end - 1))) end -= 1;
  return isListCloserCode(text.charCodeAt(end - 1));
}

/** The code of `text`'s last character that is not a blank (NaN when none). */
function lastCode(text: string): number {
  let end = text.length;
  while (end > 0 && isSpaceCode(text.charCodeAt(end - 1))) end -= 1;
  return text.charCodeAt(end - 1);
}

/**
 * Two segments adjacent in the list when the first ends in a list (`]`, `)` or `}`, whitespace after it) and the next
 * starts with one, their texts glued as they are (`most` characters each (SHORT_VALUE), brackets kept: the readable spans read
 * over them), so the digits view reads a card's groups spread over both lists as one (digit-lists.ts listChain:
 * `[4111, 1111]` | `[1111, 1111]`). One window, pairs kept apart by PAIR_GAP (a `!`: no list chain crosses it); only
 * segments that end and start so, each in at most two pairs: at most twice `most` a segment.
 */
export function listPairs(segments: readonly TextSegment[], most: number): JoinWindow[] {
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  for (let k = 1; k < segments.length; k += 1) {
    const [first, second] = [(segments[k - 1] as TextSegment).text, (segments[k] as TextSegment).text];
    let end = first.length;
    while (end > 0 && isSpaceCode(first.charCodeAt(end - 1))) end -= 1;
    let start = 0;
    while (start < second.length && isSpaceCode(second.charCodeAt(start))) start += 1;
    if (!isListCloserCode(first.charCodeAt(end - 1)) || !isListOpenerCode(second.charCodeAt(start))) continue;
    if (texts.length > 0) {
      texts.push(PAIR_GAP);
      at += PAIR_GAP.length;
    }
    const from = Math.max(0, end - most);
    const to = Math.min(second.length, start + most);
    texts.push(first.slice(from, end), second.slice(start, to));
    parts.push({ segment: k - 1, at, from, length: end - from });
    parts.push({ segment: k, at: at + end - from, from: start, length: to - start });
    at += end - from + to - start;
  }
  return texts.length === 0 ? [] : [{ text: texts.join(''), parts }];
}

function isSpaceCode(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isListOpenerCode(code: number): boolean {
  return code === 0x5b || code === 0x28 || code === 0x7b;
}

function isListCloserCode(code: number): boolean {
  return code === 0x5d || code === 0x29 || code === 0x7d;
}
