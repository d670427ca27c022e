// The lists of numbers of a parsed JSON value (an Anthropic tool input, any free-form JSON the walk segments one
// number at a time), read as the lists of its JSON text would be: one classification-only window per run of
// consecutive lists whose gaps digit-lists.ts listChain reads past, so a card's groups over two lists with a string
// member between (`{"a":[3782,822463],"b":"x","c":[10005]}`) are one card as in the text. Each number is a part of its
// own segment (findings land on the number segments; a value also found another way is deduped by its pieces).
// Invariant: linear (each segment read once; the window holds each number once and a few brackets per path level).
import { isListGapCode, MAX_LIST_GAP, MAX_LIST_GROUPS } from './digit-lists.ts';
import { isCardLayout } from './cards.ts';
import { MAX_REGROUPED_DIGITS, MIN_REGROUPED_DIGITS } from './digit-separators.ts';
import { type JoinWindow, PAIR_GAP, type WindowPart } from './join-window.ts';
import { isKeyList, MAX_SHAPE_PATH } from './reading-orders.ts';
import type { TextSegment } from './types.ts';

/** One list read whole: its items' segments and index paths (`a[0][1]` → [0, 1]), all under one base path. */
interface NumberList {
  base: string;
  items: { segment: number; indices: number[] }[];
  /** Index of the segment after its last item. */
  end: number;
}

/** An array item's path split into the path of its outermost list and its indices (undefined: no array item). */
function itemPath(path: string): { base: string; indices: number[] } | undefined {
  const indices: number[] = [];
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x5d) {
    const open = path.lastIndexOf('[', end - 1);
    const index = open < 0 ? '' : path.slice(open + 1, end - 1);
    if (!/^\d{1,9}$/.test(index)) break;
    indices.unshift(Number(index));
    end = open;
  }
  return indices.length === 0 ? undefined : { base: path.slice(0, end), indices };
}

/** A number a list reads as a card's group: digits only (a sign, a point or an exponent spoils a list, as in text). */
function isGroup(text: string): boolean {
  if (text.length === 0 || text.length > MAX_REGROUPED_DIGITS) return false;
  for (let k = 0; k < text.length; k += 1) {
    const code = text.charCodeAt(k);
    if (code < 0x30 || code > 0x39) return false;
  }
  return true;
}

/** Whether `next` continues a list after `prev`: the next index at some level, every deeper index 0 (none skipped). */
function follows(prev: readonly number[], next: readonly number[]): boolean {
  let p = 0;
  while (p < prev.length && p < next.length && prev[p] === next[p]) p += 1;
  if (p >= next.length || p >= prev.length || next[p] !== (prev[p] as number) + 1) return false;
  return next.slice(p + 1).every((i) => i === 0);
}

/** A run of consecutive segments that are the items of one list: one base path and location, no index skipped. */
export interface ListRun {
  base: string;
  location: string | undefined;
  items: { segment: number; indices: number[] }[];
  /** Whether its first item is the list's first (every index 0): a list read from its start. */
  whole: boolean;
}

/** The runs of consecutive array items of `segments`, in order (anything else between them: apart). One pass. */
export function listRuns(segments: readonly TextSegment[]): ListRun[] {
  const runs: ListRun[] = [];
  let current: ListRun | undefined;
  segments.forEach((segment, i) => {
    const item = itemPath(segment.path);
    if (item === undefined) {
      current = undefined;
      return;
    }
    const last = current?.items[current.items.length - 1];
    const joins =
      current !== undefined &&
      last !== undefined &&
      current.base === item.base &&
      current.location === segment.location &&
      follows(last.indices, item.indices);
    if (!joins) {
      const whole = item.indices.every((index) => index === 0);
      current = { base: item.base, location: segment.location, items: [], whole };
      runs.push(current);
    }
    (current as ListRun).items.push({ segment: i, indices: item.indices });
  });
  return runs;
}

/** The lists of at most MAX_LIST_GROUPS numbers whose items are consecutive segments (anything else between: apart). */
function numberLists(segments: readonly TextSegment[]): NumberList[] {
  return listRuns(segments)
    .filter(
      (run) =>
        run.whole &&
        run.items.length <= MAX_LIST_GROUPS &&
        run.items.every(({ segment }) => isGroup((segments[segment] as TextSegment).text)),
    )
    .map((run) => ({ base: run.base, items: run.items, end: (run.items[run.items.length - 1]?.segment ?? 0) + 1 }));
}

/**
 * The member names a JSON text writes before `path`'s value after `prev`'s: the names of `path` past the part it has
 * in common with `prev` (`input.a[1]` then `input.b.c` → `b`, `c`). Undefined past MAX_SHAPE_PATH (not compared).
 */
function namesBetween(prev: string, path: string): string[] | undefined {
  if (prev.length > MAX_SHAPE_PATH || path.length > MAX_SHAPE_PATH) return undefined;
  let common = 0;
  while (common < prev.length && prev[common] === path[common]) common += 1;
  // The common part ends between two names in both paths, or the name it ends in is written again.
  const boundary = (p: string) => common === p.length || p[common] === '.' || p[common] === '[';
  const from = boundary(prev) && boundary(path) ? common : path.lastIndexOf('.', common - 1) + 1;
  return path
    .slice(from)
    .split('.')
    .map((name) => name.replace(/\[\d+\]/g, ''))
    .filter((name) => name !== '');
}

/**
 * Whether the segments [from, to) between two lists, and the member names the JSON text writes between them
 * (namesBetween), are what listChain reads past: one location, no array item (its `[` in the text), at most
 * MAX_LIST_GAP characters with the quotes, `:` and `,` around each, every character isListGapCode. An object's key
 * list is weighed by its names in the path (the text writes each before its value); a member holding no segment
 * (`true`, `null`, `{}`) is not weighed.
 */
function gapJoins(segments: readonly TextSegment[], from: number, to: number, location: string | undefined): boolean {
  let length = 1;
  let prev = (segments[from - 1] as TextSegment).path;
  const reads = (text: string) => {
    length += text.length + 3;
    if (length > MAX_LIST_GAP) return false;
    for (let c = 0; c < text.length; c += 1) if (!isListGapCode(text.charCodeAt(c))) return false;
    return true;
  };
  for (let k = from; k <= to; k += 1) {
    const { path, text, location: where } = segments[k] as TextSegment;
    const names = namesBetween(prev, path);
    if (names === undefined || where !== location || !names.every(reads)) return false;
    prev = path;
    if (k === to) return true;
    if (path.endsWith(']') || (!isKeyList(segments, k) && !reads(text))) return false;
  }
  return true;
}

/** A window being written: its texts, parts and length so far. */
interface WindowText {
  texts: string[];
  parts: WindowPart[];
  at: number;
}

/** One list as its JSON text writes it (brackets and commas; its numbers parts of their segments) onto `out`. */
function writeList(segments: readonly TextSegment[], list: NumberList, out: WindowText): void {
  const push = (text: string) => {
    out.texts.push(text);
    out.at += text.length;
  };
  let prev: readonly number[] = [];
  for (const { segment, indices } of list.items) {
    let p = 0;
    while (p < prev.length && p < indices.length && prev[p] === indices[p]) p += 1;
    if (prev.length > 0) push(`${']'.repeat(prev.length - p - 1)},`);
    push('['.repeat(indices.length - (prev.length === 0 ? 0 : p + 1)));
    const { text } = segments[segment] as TextSegment;
    out.parts.push({ segment, at: out.at, from: 0, length: text.length });
    push(text);
    prev = indices;
  }
  push(']'.repeat(prev.length));
}

/**
 * Which lists are in a run of two or more joined lists that spells a card in its groups (as listSpellsCard reads a
 * chain: whole lists, the first one's head of four digits, 13–19 digits in a card's layout): only those are written.
 * At most MAX_LIST_GROUPS numbers read from each list: linear.
 */
function cardRuns(
  segments: readonly TextSegment[],
  lists: readonly NumberList[],
  joins: readonly boolean[],
): boolean[] {
  const marked = lists.map(() => false);
  const width = (segment: number) => (segments[segment] as TextSegment).text.length;
  lists.forEach((_, k) => {
    const groups: number[] = [];
    for (let j = k; j < lists.length && (j === k || joins[j]); j += 1) {
      for (const item of (lists[j] as NumberList).items) groups.push(width(item.segment));
      if (groups.length > MAX_LIST_GROUPS) break;
      const digits = groups.reduce((sum, n) => sum + n, 0);
      const card = j > k && groups[0] === 4 && digits >= MIN_REGROUPED_DIGITS && digits <= MAX_REGROUPED_DIGITS;
      if (card && isCardLayout(groups)) marked.fill(true, k, j + 1);
    }
  });
  return marked;
}

/**
 * The windows of a request's parsed number lists: each run of two or more joined lists that may spell a card
 * (cardRuns), written `[…],[…]` (runs apart by PAIR_GAP), so the digits view's listChain reads them as the JSON text's
 * lists. One window; none when no run may (most number-heavy inputs: coordinates, long lists, ids of other lengths).
 */
export function numberListWindows(segments: readonly TextSegment[]): JoinWindow[] {
  const lists = numberLists(segments);
  const joins = lists.map((list, k) => {
    const before = lists[k - 1];
    const first = list.items[0]?.segment as number;
    const location = segments[first]?.location;
    if (before === undefined || segments[before.end - 1]?.location !== location) return false;
    return gapJoins(segments, before.end, first, location);
  });
  const marked = cardRuns(segments, lists, joins);
  const out: WindowText = { texts: [], parts: [], at: 0 };
  lists.forEach((list, k) => {
    if (!marked[k]) return;
    const glue = marked[k - 1] && joins[k] ? ',' : PAIR_GAP;
    if (out.texts.length > 0) {
      out.texts.push(glue);
      out.at += glue.length;
    }
    writeList(segments, list, out);
  });
  return out.texts.length === 0 ? [] : [{ text: out.texts.join(''), parts: out.parts }];
}
