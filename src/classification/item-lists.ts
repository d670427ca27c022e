// The lists of short items of a parsed JSON value (an MCP tool call's arguments, an Anthropic tool_use input: the walk
// makes each string or number its own segment) read as a tool reads them whole: a key as its character codes
// (`[97,119,115,…]`), its bytes in hex (`["61","77",…]`) or its base64 in quads (`["YXdz","IEFL",…]`), a card or an
// SSN as its single digits (`{"ssn":[2,1,9,0,9,9,9,9,9]}`). Each list is written once with its items apart
// (`ssn: [2, 1, 9, …]`, its member name before it as its JSON text has it) and, when an item holds a letter, once more
// glued (`YXdzIEFL…`); the classifier reads the readings as a segment's text is read, decoding included, and a finding
// lands on the item segments it covers. Invariant: linear (each segment read once; a reading holds each item twice at
// most, plus a few brackets and MAX_LIST_NAME characters a list); lists of other numbers (coordinates, ids, floats)
// and lists of longer strings (prose, which the join windows read) are not written.
import { type JoinWindow, PAIR_GAP, type WindowPart } from './join-window.ts';
import { type ListRun, listRuns } from './number-lists.ts';
import type { TextSegment } from './types.ts';

/** Fewest items of a list read whole: a card's groups are read by number-lists.ts, an SSN's digits are nine. */
const MIN_LIST_ITEMS = 4;
/** Longest item of a list read whole: a hex byte `0x41`, a base64 quad, a code, a digit, a key's piece of 16. */
const MAX_LIST_ITEM = 16;
/** Characters of a list's member name written before it (context words: `ssn`, `card`). */
const MAX_LIST_NAME = 32;

/** One list read whole: a run of items (number-lists.ts listRuns) and whether an item holds a letter. */
interface ItemList extends ListRun {
  /** Whether an item holds something else than digits (a string: hex, base64). */
  letters: boolean;
}

/** A number item a list read whole holds: an integer 0-255 (a character code, a byte, a digit) written plainly. */
function isByteNumber(text: string): boolean {
  if (text.length === 0 || text.length > 3) return false;
  for (let k = 0; k < text.length; k += 1) {
    const code = text.charCodeAt(k);
    if (code < 0x30 || code > 0x39) return false;
  }
  return Number(text) <= 255;
}

function hasNonDigit(text: string): boolean {
  for (let k = 0; k < text.length; k += 1) {
    const code = text.charCodeAt(k);
    if (code < 0x30 || code > 0x39) return true;
  }
  return false;
}

/**
 * The lists read whole: runs of MIN_LIST_ITEMS or more items from the list's start, each item short (a digits-only
 * item is a number or a digit string: a byte, 0-255, either way).
 */
function itemLists(segments: readonly TextSegment[]): ItemList[] {
  const lists: ItemList[] = [];
  for (const run of listRuns(segments)) {
    if (!run.whole || run.items.length < MIN_LIST_ITEMS) continue;
    let letters = false;
    const short = run.items.every(({ segment }) => {
      const { text } = segments[segment] as TextSegment;
      const word = hasNonDigit(text);
      letters ||= word;
      return text.length > 0 && text.length <= MAX_LIST_ITEM && (word || isByteNumber(text));
    });
    if (short) lists.push({ ...run, letters });
  }
  return lists;
}

/** The member name a list's base path ends in (`input.ssn` → `ssn`), at most MAX_LIST_NAME characters. */
function nameOf(base: string): string {
  const from = Math.max(base.lastIndexOf('.'), base.lastIndexOf(']')) + 1;
  let name = '';
  for (let k = from; k < base.length && name.length < MAX_LIST_NAME; k += 1) {
    const code = base.charCodeAt(k);
    const word = (code >= 0x30 && code <= 0x39) || ((code | 0x20) >= 0x61 && (code | 0x20) <= 0x7a) || code === 0x5f;
    if (word || code === 0x20 || code === 0x2d) name += base[k];
  }
  return name;
}

/** A window being written: its texts, parts and length so far. */
interface Writer {
  texts: string[];
  parts: WindowPart[];
  at: number;
}

function push(out: Writer, text: string): void {
  out.texts.push(text);
  out.at += text.length;
}

function pushItem(out: Writer, segments: readonly TextSegment[], segment: number): void {
  const { text } = segments[segment] as TextSegment;
  out.parts.push({ segment, at: out.at, from: 0, length: text.length });
  push(out, text);
}

/** The list with its items apart, as its JSON text writes them (brackets, `, `; strings without their quotes). */
function writeApart(segments: readonly TextSegment[], list: ItemList, out: Writer): void {
  const name = nameOf(list.base);
  if (name !== '') push(out, `${name}: `);
  let prev: readonly number[] = [];
  for (const { segment, indices } of list.items) {
    let p = 0;
    while (p < prev.length && p < indices.length && prev[p] === indices[p]) p += 1;
    if (prev.length > 0) push(out, `${']'.repeat(prev.length - p - 1)}, `);
    push(out, '['.repeat(indices.length - (prev.length === 0 ? 0 : p + 1)));
    pushItem(out, segments, segment);
    prev = indices;
  }
  push(out, ']'.repeat(prev.length));
}

/** The list's items glued (what `"".join(items)` gives: a base64 run of quads, a hex run of bytes). */
function writeGlued(segments: readonly TextSegment[], list: ItemList, out: Writer): void {
  for (const { segment } of list.items) pushItem(out, segments, segment);
}

/**
 * An array of a JSON text read whole: its member name and each item's span in the text (a string's quotes left out).
 */
interface TextList {
  name: string;
  items: [number, number][];
}

function isJsonSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;
}

/** Whether a text is a JSON object or array (its first character after whitespace opens one). */
function isJsonText(text: string): boolean {
  let at = 0;
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
  return text[at] === '{' || text[at] === '[';
}

/** The member name written right before `at` (`"data":` then the array), at most MAX_LIST_NAME characters; or ''. */
function nameBefore(text: string, at: number): string {
  let k = at - 1;
  while (k >= 0 && isJsonSpace(text.charCodeAt(k))) k -= 1;
  if (text[k] !== ':') return '';
  k -= 1;
  while (k >= 0 && isJsonSpace(text.charCodeAt(k))) k -= 1;
  if (text[k] !== '"') return '';
  const open = text.lastIndexOf('"', k - 1);
  return open < 0 || k - open > 2 * MAX_LIST_NAME ? '' : nameOf(text.slice(open + 1, k));
}

/**
 * The string of a one-item array at `open` (`[` whitespace `"…"` whitespace `]`, 1-MAX_LIST_ITEM characters): its
 * characters' span and where the array ends; undefined otherwise.
 */
function singleString(text: string, open: number): [number, number, number] | undefined {
  let at = open + 1;
  while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
  if (text.charCodeAt(at) !== 0x22) return undefined;
  let end = at + 1;
  while (end < text.length && end - at - 1 <= MAX_LIST_ITEM && text.charCodeAt(end) !== 0x22) {
    end += text.charCodeAt(end) === 0x5c ? 2 : 1;
  }
  if (end >= text.length || end === at + 1 || end - at - 1 > MAX_LIST_ITEM) return undefined;
  let close = end + 1;
  while (close < text.length && isJsonSpace(text.charCodeAt(close))) close += 1;
  return text.charCodeAt(close) === 0x5d ? [at + 1, end, close + 1] : undefined;
}

/**
 * The arrays of a JSON text (tool-call arguments) of MIN_LIST_ITEMS or more items, each a string of 1-MAX_LIST_ITEM
 * characters or a byte number, one at least a string (a list of numbers alone is read in the text itself: codes by
 * decode.ts, digits by the digits view). One pass: an array that is no such list is left where it stops being one
 * (an inner array there is read as its own).
 */
function textLists(text: string): TextList[] {
  const lists: TextList[] = [];
  for (let open = text.indexOf('['); open >= 0; ) {
    const items: [number, number][] = [];
    let strings = 0;
    let at = open + 1;
    let whole = false;
    for (;;) {
      while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
      const code = text.charCodeAt(at);
      let end = at;
      // A one-item array (`["AKIA"]`) is its item, as a parsed value's is (itemLists).
      const single = code === 0x5b ? singleString(text, at) : undefined;
      if (single !== undefined) {
        items.push([single[0], single[1]]);
        strings += 1;
        end = single[2];
      } else if (code === 0x22) {
        end = at + 1;
        while (end < text.length && text.charCodeAt(end) !== 0x22) end += text.charCodeAt(end) === 0x5c ? 2 : 1;
        if (end >= text.length || end - at - 1 > MAX_LIST_ITEM) {
          at = end + 1;
          break;
        }
        // An empty string between items is no item and no break (`["AKIA","","Z3MQ",""…]`).
        if (end > at + 1) {
          items.push([at + 1, end]);
          strings += 1;
        }
        end += 1;
      } else {
        while (end < text.length && end - at <= 3 && text.charCodeAt(end) >= 0x30 && text.charCodeAt(end) <= 0x39) {
          end += 1;
        }
        if (end === at || !isByteNumber(text.slice(at, end))) break;
        items.push([at, end]);
      }
      at = end;
      while (at < text.length && isJsonSpace(text.charCodeAt(at))) at += 1;
      if (text.charCodeAt(at) === 0x2c) {
        at += 1;
        continue;
      }
      whole = text.charCodeAt(at) === 0x5d;
      break;
    }
    if (whole && strings > 0 && items.length >= MIN_LIST_ITEMS) lists.push({ name: nameBefore(text, open), items });
    open = text.indexOf('[', Math.max(at, open + 1));
  }
  return lists;
}

/** A JSON text's list written apart (`name: [a, b, …]`) and glued, each item a part of its segment. */
function writeTextList(text: string, segment: number, list: TextList, out: Writer): void {
  const item = ([from, to]: [number, number]) => {
    out.parts.push({ segment, at: out.at, from, length: to - from });
    push(out, text.slice(from, to));
  };
  if (list.name !== '') push(out, `${list.name}: `);
  push(out, '[');
  list.items.forEach((span, k) => {
    if (k > 0) push(out, ', ');
    item(span);
  });
  push(out, ']');
  push(out, PAIR_GAP);
  for (const span of list.items) item(span);
}

/**
 * One window of every list of short items read whole, each list apart and, when it holds letters, glued, every
 * reading apart from the next by PAIR_GAP (no run is decoded and no value read across it): a parsed value's lists
 * (itemLists) and a JSON text's arrays of short strings (textLists: `{"data":["YXdz","IEFL",…]}` in tool-call
 * arguments, requests and answers). None when there is no such list. The classifier scans it with decoding, as it
 * scans a segment.
 */
export function itemListWindows(segments: readonly TextSegment[]): JoinWindow[] {
  const out: Writer = { texts: [], parts: [], at: 0 };
  for (const list of itemLists(segments)) {
    if (out.at > 0) push(out, PAIR_GAP);
    writeApart(segments, list, out);
    if (!list.letters) continue;
    push(out, PAIR_GAP);
    writeGlued(segments, list, out);
  }
  segments.forEach((segment, index) => {
    if (segment.text.indexOf('"') < 0 || !isJsonText(segment.text)) return;
    for (const list of textLists(segment.text)) {
      if (out.at > 0) push(out, PAIR_GAP);
      writeTextList(segment.text, index, list, out);
    }
  });
  return out.at === 0 ? [] : [{ text: out.texts.join(''), parts: out.parts }];
}
