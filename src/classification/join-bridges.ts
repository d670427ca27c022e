// Two segments read as one where their syntax says they are one text cut in two: a list closed at one's end and
// another opened at the next's start (listPairs), and a JSON text cut open with a short note sent between its halves
// (bridgePairs). Invariant: each segment is in at most two pairs, each pair's text bounded (SHORT_VALUE, `reach`
// characters a side): at most twice the text; pieces are spans of their own segments' texts (join-pieces.ts).
import type { JoinWindow, WindowPart } from './join-window.ts';
import { PAIR_GAP } from './join-window.ts';
import type { TextSegment } from './types.ts';

/** One readable span of one segment, as joined: the segment's text [from, to). */
export interface Readable {
  segment: number;
  from: number;
  to: number;
}

/** Most characters of a segment a value's halves are read across (bridgePairs): `continued:`, `part two`, `(cont.)`. */
export const BRIDGE_MOST = 24;

/**
 * The two segments either side of a short one in the list, glued as if it were not there (`reach` characters each
 * side), when they are one JSON text cut in two: the first opens as one (`{`, `[`) and does not close, the second
 * closes (`}`, `]`) and does not open. A value cut there with a short note sent between its halves (`{…"d":"` |
 * `continued:` | `<d>"}`), which a model reads past. Only a middle segment of at most BRIDGE_MOST characters with no
 * digit (a value's middle piece is read by the runs of three); prose, rows or base64 halves with a note between are
 * not read across. One window, pairs kept apart by PAIR_GAP; each segment in at most two pairs: at most twice the text.
 */
export function bridgePairs(
  segments: readonly TextSegment[],
  readable: readonly Readable[],
  reach: number,
): JoinWindow[] {
  const texts: string[] = [];
  const parts: WindowPart[] = [];
  let at = 0;
  for (let k = 2; k < readable.length; k += 1) {
    const [first, middle, second] = [readable[k - 2], readable[k - 1], readable[k]] as [Readable, Readable, Readable];
    const note = (segments[middle.segment] as TextSegment).text;
    if (note.length > BRIDGE_MOST || /[0-9]/.test(note)) continue;
    const [head, tail] = [
      (segments[first.segment] as TextSegment).text,
      (segments[second.segment] as TextSegment).text,
    ];
    if (!opensUnclosed(head) || opensJson(tail) || !isListCloserCode(lastCode(tail))) continue;
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
  return texts.length === 0 ? [] : [{ text: texts.join(''), parts }];
}

/** Whether `text` opens as a JSON text: `{` or `[` after blanks. */
function opensJson(text: string): boolean {
  let start = 0;
  while (start < text.length && isSpaceCode(text.charCodeAt(start))) start += 1;
  return text.charCodeAt(start) === 0x7b || text.charCodeAt(start) === 0x5b;
}

/** Whether `text` opens as a JSON text and does not close (`}`, `]` before blanks). */
function opensUnclosed(text: string): boolean {
  return opensJson(text) && !isListCloserCode(lastCode(text));
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
