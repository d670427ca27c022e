// Two segments read as one where their syntax says they are one text cut in two: a list closed at one's end and
// another opened at the next's start (listPairs), and a JSON text cut open with a short note sent between its halves
// (bridgePairs: one or two notes between them). Invariant: each segment is in at most four pairs, each pair's text
// bounded (SHORT_VALUE, `reach` characters a side): at most four times the text; pieces are spans of their own
// segments' texts (join-pieces.ts).
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
 * Most characters of a segment a value's halves are read across (bridgePairs): `continued:`, `part 2 of 2:`,
 * `continued in the next message:`, `(cont.)`.
 */
export const BRIDGE_MOST = 80;

/** Most notes between the halves (`continued:` then `here:`). */
const MOST_NOTES = 2;

/**
 * Most characters before a JSON text's opening or after its closing (`my key: {`, a Markdown fence's "```json",
 * `}` then `thanks`): words and marks, no bracket nor quote.
 */
const MOST_AROUND = 16;

/**
 * The two segments either side of a short one in the list, glued as if it were not there (`reach` characters each
 * side), when they are one JSON text cut in two: the first opens as one (`{`, `[`) and does not close, the second
 * closes (`}`, `]`) and does not open. A value cut there with a short note sent between its halves (`{…"d":"` |
 * `continued:` | `<d>"}`), which a model reads past; a few words or a Markdown fence may stand before the opening
 * and after the closing (MOST_AROUND). Only one or two middle segments of at most BRIDGE_MOST characters each, with
 * no bracket or quote (a value's middle piece is read by the runs of three too); prose, rows or base64 halves with a
 * note between are not read across. One window, pairs kept apart by PAIR_GAP; each segment in at most four pairs (a
 * first half, a last half, one or two notes): at most four times the text.
 */
export function bridgePairs(
  segments: readonly TextSegment[],
  readable: readonly Readable[],
  reach: number,
): JoinWindow[] {
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  const isNote = (r: Readable) => isBridgeNote((segments[r.segment] as TextSegment).text);
  for (let k = 2; k < readable.length; k += 1) {
    for (let notes = 1; notes <= MOST_NOTES && k - notes >= 1 && isNote(readable[k - notes] as Readable); notes += 1) {
      const [first, second] = [readable[k - notes - 1], readable[k]] as [Readable, Readable];
      const [head, tail] = [
        (segments[first.segment] as TextSegment).text,
        (segments[second.segment] as TextSegment).text,
      ];
      if (!opensUnclosed(head) || opensJson(tail) || !closesAround(tail)) continue;
      if (texts.length > 0) {
        texts.push(PAIR_GAP);
        at += PAIR_GAP.length;
      }
      const from = Math.max(first.from, first.to - reach);
      const to = Math.min(second.to, second.from + reach);
      texts.push(head.slice(from, first.to));
      parts.push({ segment: first.segment, at, from, length: first.to - from });
      at += first.to - from;
      texts.push(tail.slice(second.from, to));
      parts.push({ segment: second.segment, at, from: second.from, length: to - second.from });
      at += to - second.from;
    }
  }
  return texts.length === 0 ? [] : [{ text: texts.join(''), parts }];
}

/** Whether `text` opens as a JSON text: `{` or `[` after blanks. */
function opensJson(text: string): boolean {
  let start = 0;
  while (start < text.length && isSpaceCode(text.charCodeAt(start))) start += 1;
  return text.charCodeAt(start) === 0x7b || text.charCodeAt(start) === 0x5b;
}

/** Whether a segment may be a note between a value's halves: BRIDGE_MOST characters at most, no bracket or quote. */
function isBridgeNote(text: string): boolean {
  return text.length <= BRIDGE_MOST && !/[[\]{}"]/.test(text);
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
