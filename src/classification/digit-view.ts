// The digits view: a second view of the normalised text in which the separators people (and attackers) put between
// digit groups are rewritten to the forms numeric recognizers expect, so `219.09.9999`, `219/09/9999`, `219_09_9999`,
// `219   09   9999`, `219\n09\n9999`, `219–09–9999` read as `219-09-9999`, `2 1 9 0 9 9 9 9 9` as `219099999`, and a
// card regrouped in groups of 1–3 (`41 11 11 11 11 11 11 11`) as one 16-digit number.
// Only the numeric recognizers (DIGIT_VIEW_RECOGNIZERS) scan it: an IP address or version string is never read
// as anything else by the others. Invariant: its offset map composes with the main view's, so a span of this view
// maps back to exactly the original characters that produced it (separators inside included).
import { isCardLayout } from './cards.ts';
import { isDroppedCharacter, type NormalizedText } from './normalize.ts';
import { CREDIT_CARD, UK_NHS, US_BANK_ROUTING, US_SSN, US_SSN_LABELLED } from './recognizers-pii.ts';
import type { RecognizerDefinition } from './types.ts';
import { digitValue, isCombiningMark, tagAscii } from './unicode-table.ts';

/** The built-in recognizers that also scan the digits view (others would only add false positives there). */
export const DIGIT_VIEW_RECOGNIZERS: readonly RecognizerDefinition[] = [
  US_SSN,
  US_SSN_LABELLED,
  CREDIT_CARD,
  UK_NHS,
  US_BANK_ROUTING,
];

/** A separator run longer than this between two digits is not a separator: the digits stay apart. */
export const MAX_SEPARATOR_RUN = 8;

/** Fewest single digits in a run of spaced single digits (`2 1 9 0 9 9 9 9 9`) for it to be read as one number. */
export const MIN_SPACED_DIGITS = 9;

/** Most digits in a group of a regrouped number (`41 11 11 …`, `378 282 246 …`): card layouts have groups of four. */
export const MAX_SHORT_GROUP = 3;
/** Digits a run of short groups must hold to be read as one number: a card's lengths (13–19). */
export const MIN_REGROUPED_DIGITS = 13;
export const MAX_REGROUPED_DIGITS = 19;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Whitespace between digits: ASCII, NBSP, Ogham, U+2000–U+200A, line/paragraph separators, narrow and ideographic. */
export function isSpaceSeparator(code: number): boolean {
  return (
    code === 0x20 ||
    (code >= 0x09 && code <= 0x0d) ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

/** The other dashes of the BMP (general category Pd): a model reads `219⸺09⸺9999` as `219-09-9999` too. */
const OTHER_DASHES: ReadonlySet<number> = new Set([
  0x58a, 0x5be, 0x1400, 0x1806, 0x2e17, 0x2e1a, 0x2e3a, 0x2e3b, 0x2e40, 0x2e5d, 0x301c, 0x3030, 0x30a0, 0xfe31, 0xfe32,
]);

/**
 * Other marks a model reads through between digit groups (`219|09|9999`, `219+09+9999`, `219~09~9999`, `219*09*9999`,
 * `219#09#9999`, `219。09。9999`): `|` `+` `~` `*` `#`, the ideographic full stop U+3002 and its half-width form U+FF61,
 * the full-width full stop U+FF0E and vertical bar U+FF5C (NFKC maps both to ASCII: listed for a view read without it).
 * Cost: a sum or product spelled in a card's or an SSN's groups, and a table row whose cells are
 * (`| 219 | 09 | 9999 |`: a separator run of at most MAX_SEPARATOR_RUN), read as that number; the recognizers' group
 * rules still apply.
 */
const MARK_SEPARATORS: ReadonlySet<number> = new Set([0x7c, 0x2b, 0x7e, 0x2a, 0x23, 0x3002, 0xff61, 0xff0e, 0xff5c]);

/**
 * Any separator between digit groups: whitespace, `.` `/` `\` `_` `-`, every dash (U+2010–U+2015 and the rest of
 * category Pd), minus signs (U+2212, U+FE63, U+FF0D), small em dash U+FE58, hyphen bullet U+2043, middle dots (U+00B7,
 * U+2022, U+2027), and MARK_SEPARATORS. Not `,` or `:` (thousands separators, lists and times would turn into
 * identifiers).
 */
export function isDigitSeparator(code: number): boolean {
  return (
    isSpaceSeparator(code) ||
    code === 0x2e ||
    code === 0x2f ||
    code === 0x5c ||
    code === 0x5f ||
    code === 0x2d ||
    MARK_SEPARATORS.has(code) ||
    (code >= 0x2010 && code <= 0x2015) ||
    code === 0x2212 ||
    code === 0xfe63 ||
    code === 0xff0d ||
    code === 0xfe58 ||
    code === 0x2043 ||
    code === 0xb7 ||
    code === 0x2022 ||
    code === 0x2027 ||
    OTHER_DASHES.has(code)
  );
}

/** End (exclusive) of the separator run at `from`; -1 when it is longer than MAX_SEPARATOR_RUN or ends the text. */
function runEnd(text: string, from: number, accepts: (code: number) => boolean): number {
  let at = from;
  while (at < text.length && accepts(text.charCodeAt(at))) {
    at += 1;
    if (at - from > MAX_SEPARATOR_RUN) return -1;
  }
  return at < text.length ? at : -1;
}

/** The end of a run of spaced single digits starting at `from` (a digit), and how many digits it holds. */
function spacedRun(text: string, from: number): { end: number; digits: number } {
  let digits = 1;
  let end = from + 1;
  for (;;) {
    const next = runEnd(text, end, isSpaceSeparator);
    if (next < 0 || next === end || !isDigit(text.charCodeAt(next)) || isDigit(text.charCodeAt(next + 1))) break;
    digits += 1;
    end = next + 1;
  }
  return { end, digits };
}

/**
 * A run of short digit groups (1–MAX_SHORT_GROUP digits each) starting at `from` (a digit after a non-digit), split by
 * single separators of one kind (any whitespace, or one and the same other separator): its end, its digits and where
 * its separators are. A group of more digits ends the run before it.
 */
function shortGroupRun(text: string, from: number): { end: number; digits: number; separators: number[] } {
  const separators: number[] = [];
  let digits = 0;
  let end = from;
  let kind = -1;
  for (let at = from; ; ) {
    let groupEnd = at;
    while (isDigit(text.charCodeAt(groupEnd))) groupEnd += 1;
    if (groupEnd - at > MAX_SHORT_GROUP) break;
    if (at > from) separators.push(at - 1);
    digits += groupEnd - at;
    end = groupEnd;
    const separator = text.charCodeAt(groupEnd);
    if (!isDigitSeparator(separator) || !isDigit(text.charCodeAt(groupEnd + 1))) break;
    const separatorKind = isSpaceSeparator(separator) ? 0x20 : separator;
    if (kind >= 0 && separatorKind !== kind) break;
    kind = separatorKind;
    at = groupEnd + 1;
  }
  return { end, digits, separators };
}

/** One rewrite of the main view: [from, to) becomes one `-`, or is dropped (a space between spaced digits). */
interface Rewrite {
  from: number;
  to: number;
  dash: boolean;
}

/** Most numbers in a bracketed list read as a card: a card's groups (4-4-4-4-3 is five). */
const MAX_LIST_GROUPS = 5;

/** What opens a list: `[`, `(` (a tuple, a row, a call's arguments) and `{` (a set, an initializer). */
const LIST_OPENERS = ['[', '(', '{'] as const;

function isListOpener(code: number): boolean {
  return code === 0x5b || code === 0x28 || code === 0x7b;
}

function isListCloser(code: number): boolean {
  return code === 0x5d || code === 0x29 || code === 0x7d;
}

/** A character listRewrites reads in a list: anything else only spoils it. */
function isListSyntax(code: number): boolean {
  return (
    isDigit(code) ||
    isListOpener(code) ||
    isListCloser(code) ||
    code === 0x2c ||
    code === 0x3b ||
    code === 0x22 ||
    isSpaceSeparator(code)
  );
}

/**
 * The next list opener at or after a position, or -1: each opener's next index kept and searched again (natively)
 * only once passed, so a text is searched once for each opener in all (linear however many lists it has).
 */
function listOpeners(text: string): (from: number) => number {
  const next = LIST_OPENERS.map((opener) => text.indexOf(opener));
  return (from) => {
    let nearest = -1;
    for (let k = 0; k < next.length; k += 1) {
      let at = next[k] as number;
      if (at >= 0 && at < from) next[k] = at = text.indexOf(LIST_OPENERS[k] as string, from);
      if (at >= 0 && (nearest < 0 || at < nearest)) nearest = at;
    }
    return nearest;
  };
}

/**
 * The separators of every bracketed list of numbers that spells a card in its groups (`[4111, 1111, 1111, 1111]`,
 * `[3782,822463,10005]`, a JSON array in tool-call arguments a model reads whole, a tuple `(4111, 1111, 1111, 1111)`,
 * a set `{4111, 1111, 1111, 1111}`, `[4111; 1111; 1111; 1111]`): each separator between two numbers (a `,` or `;`
 * with whitespace, brackets and quotes around it) becomes one `-`. A list is the numbers under one `[`, `(` or `{` up
 * to the next closer that balances it (`]`, `)` or `}`), inner lists flattened (`[[3782],[822463],[10005]]`), each
 * number bare or quoted (`["4111", …]`; bare only directly under `{`, so no JSON object is a list), nothing else in it;
 * it is read only when its numbers are exactly a card's groups (2–5 of them, 13–19 digits, a card layout: 4-4-4-4,
 * 4-6-5, 4-6-4), so lists of times, versions, coordinates, a call's arguments and other numbers stay apart, and SSN
 * and NHS layouts never appear. Linear: one pass, each list's numbers checked when it closes (at most five kept a
 * list).
 */
function listRewrites(text: string): Rewrite[] {
  const nextListOpener = listOpeners(text);
  let at = nextListOpener(0);
  if (at < 0) return [];
  const rewrites: Rewrite[] = [];
  const open: number[] = []; // per open list, the index in `numbers` of its first number
  let braceTop = false; // the innermost open list was opened by `{`
  const braces: boolean[] = []; // per open list, whether `{` opened it
  let pureFrom = 0; // the open lists from this depth up hold only numbers and lists so far
  const numbers: { start: number; end: number }[] = []; // digit spans (quotes left out) of the pure open lists
  let afterItem = false; // a number or a list just ended: a separator or a closer must come next
  const spoil = () => {
    pureFrom = open.length;
    numbers.length = 0;
  };
  while (at >= 0 && at < text.length) {
    const code = text.charCodeAt(at);
    if (isListOpener(code)) {
      if (afterItem) spoil();
      open.push(numbers.length);
      braceTop = code === 0x7b;
      braces.push(braceTop);
      afterItem = false;
      at += 1;
    } else if (isListCloser(code)) {
      const first = open.pop() as number;
      braces.pop();
      braceTop = braces[braces.length - 1] ?? false;
      if (open.length >= pureFrom) listSpellsCard(numbers, first, rewrites);
      pureFrom = Math.min(pureFrom, open.length);
      afterItem = true;
      at += 1;
    } else if (code === 0x2c || code === 0x3b) {
      if (!afterItem) spoil();
      afterItem = false;
      at += 1;
    } else if (isSpaceSeparator(code)) {
      at += 1;
    } else {
      const quoted = code === 0x22 ? 1 : 0;
      let end = at + quoted;
      while (isDigit(text.charCodeAt(end))) end += 1;
      const bad = quoted === 1 && (braceTop || text.charCodeAt(end) !== 0x22);
      if (end === at + quoted || afterItem || bad) {
        spoil();
        // What would spoil again (a word, a `:`) is passed over in one go, up to what a list is made of.
        for (at = Math.max(end, at + 1); at < text.length && !isListSyntax(text.charCodeAt(at)); ) at += 1;
      } else {
        numbers.push({ start: at + quoted, end });
        // More numbers than a card has groups: no open list is a card (memory stays bounded in long lists).
        if (numbers.length - (open[open.length - 1] as number) > MAX_LIST_GROUPS) spoil();
        afterItem = true;
        at = end + quoted;
      }
    }
    if (open.length === 0) {
      // Outside every list: on to the next opener.
      numbers.length = 0;
      pureFrom = 0;
      afterItem = false;
      at = nextListOpener(at);
    }
  }
  return rewrites.sort((a, b) => a.from - b.from).filter((r, i, all) => i === 0 || all[i - 1]?.from !== r.from);
}

/** A character a list of numbers is made of in the original text (any script's digits; tags read as ASCII). */
function isListCode(code: number): boolean {
  const ascii = tagAscii(code) >= 0 ? tagAscii(code) : code;
  return (
    digitValue(ascii) >= 0 ||
    ascii === 0x2c ||
    ascii === 0x3b ||
    ascii === 0x22 ||
    isListOpener(ascii) ||
    isListCloser(ascii) ||
    isSpaceSeparator(ascii) ||
    isDroppedCharacter(ascii) ||
    isCombiningMark(ascii)
  );
}

/**
 * Where a bracketed list still open at the end of `text` starts (a stream's held text, whose next chunk may complete
 * a card's groups: listRewrites): the earliest `[`, `(` or `{` not yet closed in the trailing run of the characters
 * lists are made of (digits, quotes, `,` `;`, brackets, whitespace and what the main view drops), read back to `floor`
 * at most. The text's length when there is none. Linear in what it reads.
 */
export function openListStart(text: string, floor: number): number {
  let from = text.length;
  while (from > floor) {
    const low = text.charCodeAt(from - 1);
    const high = text.charCodeAt(from - 2);
    const pair = from - 2 >= floor && low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff;
    const width = pair ? 2 : 1;
    if (!isListCode(text.codePointAt(from - width) ?? 0)) break;
    from -= width;
  }
  let depth = 0;
  let start = text.length;
  for (let at = from; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (isListOpener(code) && depth++ === 0) start = at;
    else if (isListCloser(code) && depth > 0 && --depth === 0) start = text.length;
  }
  return start;
}

/** Adds the separators of the list whose numbers start at `first` when they are a card's groups. */
function listSpellsCard(numbers: readonly { start: number; end: number }[], first: number, out: Rewrite[]): void {
  const count = numbers.length - first;
  if (count < 2 || count > MAX_LIST_GROUPS) return;
  const head = numbers[first] as { start: number; end: number };
  if (head.end - head.start !== 4) return; // every card layout of 2+ groups starts with four digits (most lists end here)
  const groups = numbers.slice(first).map((n) => n.end - n.start);
  const digits = groups.reduce((sum, n) => sum + n, 0);
  if (digits < MIN_REGROUPED_DIGITS || digits > MAX_REGROUPED_DIGITS || !isCardLayout(groups)) return;
  for (let k = first + 1; k < numbers.length; k += 1) {
    out.push({
      from: (numbers[k - 1] as { end: number }).end,
      to: (numbers[k] as { start: number }).start,
      dash: true,
    });
  }
}

/** The rewrites of a main-view text, in order; none for most text (then nothing is allocated per character). */
function rewritesOf(text: string): Rewrite[] {
  const lists = listRewrites(text);
  const rewrites = separatorRewrites(text);
  if (lists.length === 0) return rewrites;
  // Disjoint: a list's separators hold a `,`, `;` or a bracket, the others only digit separators.
  return [...rewrites, ...lists].sort((a, b) => a.from - b.from);
}

/**
 * A digit followed by a separator (isDigitSeparator), as one native search: every rewrite of separatorRewrites starts
 * with one (a separator run after a digit, a space between spaced digits, a separator between short groups). The class
 * is built from isDigitSeparator itself (every UTF-16 unit it accepts), so the two cannot disagree; linear (two
 * characters, no repetition).
 */
let digitThenSeparator: RegExp | undefined;
function hasDigitThenSeparator(text: string): boolean {
  if (digitThenSeparator === undefined) {
    const ranges: string[] = [];
    const hex = (code: number) => `\\u${code.toString(16).padStart(4, '0')}`;
    for (let code = 0; code <= 0xffff; code += 1) {
      if (!isDigitSeparator(code)) continue;
      let last = code;
      while (last < 0xffff && isDigitSeparator(last + 1)) last += 1;
      ranges.push(last === code ? hex(code) : `${hex(code)}-${hex(last)}`);
      code = last;
    }
    digitThenSeparator = new RegExp(`[0-9][${ranges.join('')}]`);
  }
  return digitThenSeparator.test(text);
}

/** The rewrites of separators between digit groups, spaced digits and regrouped numbers, in order. */
function separatorRewrites(text: string): Rewrite[] {
  if (!hasDigitThenSeparator(text)) return [];
  const n = text.length;
  const rewrites: Rewrite[] = [];
  let shortRunsChecked = 0; // a run of short groups is read once, not again from each of its groups (linear)
  for (let i = 0; i < n; ) {
    if (!isDigit(text.charCodeAt(i))) {
      i += 1;
      continue;
    }
    if (!isDigit(text.charCodeAt(i - 1)) && !isDigit(text.charCodeAt(i + 1))) {
      const run = spacedRun(text, i);
      if (run.digits >= MIN_SPACED_DIGITS) {
        // Digits kept, the spaces between them dropped.
        for (let at = i + 1; at < run.end; ) {
          const next = runEnd(text, at, isSpaceSeparator);
          rewrites.push({ from: at, to: next, dash: false });
          at = next + 1;
        }
        i = run.end;
        continue;
      }
    }
    if (i >= shortRunsChecked && !isDigit(text.charCodeAt(i - 1))) {
      // A number regrouped in groups of 1–3 (`41 11 11 11 11 11 11 11`): a model reads it whole, so it is one number.
      const run = shortGroupRun(text, i);
      shortRunsChecked = run.end;
      if (run.digits >= MIN_REGROUPED_DIGITS && run.digits <= MAX_REGROUPED_DIGITS) {
        for (const at of run.separators) rewrites.push({ from: at, to: at + 1, dash: false });
        i = run.end;
        continue;
      }
    }
    // A separator run after this digit and before another: `-`, unless it is one ASCII space or one `-` already.
    const after = i + 1;
    if (after < n && isDigitSeparator(text.charCodeAt(after))) {
      const end = runEnd(text, after, isDigitSeparator);
      if (end > after && isDigit(text.charCodeAt(end))) {
        const canonical = end - after === 1 && (text[after] === ' ' || text[after] === '-');
        if (!canonical) rewrites.push({ from: after, to: end, dash: true });
        i = end;
        continue;
      }
    }
    i += 1;
  }
  return rewrites;
}

/** A piece of the digits view, and where in it its rewrites are (view offsets of the units they produced, in order). */
export interface DigitIsland {
  view: NormalizedText;
  rewritten: readonly number[];
}

/** The view of main-view text [from, to) with the given rewrites (all inside it, in order), mapped to the original. */
function buildView(main: NormalizedText, from: number, to: number, rewrites: readonly Rewrite[]): DigitIsland {
  const text = main.text;
  // For each view unit: the main-view offsets it starts at and ends at.
  const starts = new Int32Array(to - from);
  const ends = new Int32Array(to - from);
  const out: string[] = [];
  const rewritten: number[] = [];
  let length = 0;
  const copy = (a: number, z: number) => {
    out.push(text.slice(a, z));
    for (let at = a; at < z; at += 1) {
      starts[length] = at;
      ends[length] = at + 1;
      length += 1;
    }
  };
  let copied = from; // main-view offset up to which text is in `out`
  for (const r of rewrites) {
    copy(copied, r.from);
    if (r.dash) {
      rewritten.push(length);
      out.push('-');
      starts[length] = r.from;
      ends[length] = r.to;
      length += 1;
    } else if (length > 0) {
      ends[length - 1] = r.to; // a dropped space extends the digit before it
      rewritten.push(length); // a value across the drop holds the digit after it
    }
    copied = r.to;
  }
  copy(copied, to);
  const view: NormalizedText = {
    text: out.join(''),
    startOf: (v) => main.startOf(v >= length ? to : (starts[v] as number)),
    endOf: (v) => main.endOf(v <= 0 ? (starts[0] ?? from) : (ends[v - 1] as number)),
    simple: false,
  };
  return { view, rewritten };
}

/**
 * The digits view of a normalised text, or undefined when it would be the same text (nothing to rewrite). Linear:
 * every character is looked at a bounded number of times.
 */
export function digitView(main: NormalizedText): NormalizedText | undefined {
  const rewrites = rewritesOf(main.text);
  return rewrites.length === 0 ? undefined : buildView(main, 0, main.text.length, rewrites).view;
}

/**
 * Characters of the digits view kept around each rewrite: more than a numeric value spans (a card window with its
 * separators, 37) plus the context before it (48), so every value that holds a rewritten character, and its context,
 * lies inside its island whole.
 */
export const ISLAND_PAD = 160;

/**
 * The digits view only around its rewrites (islands that overlap merged): a value of the digits view that holds no
 * rewritten character is the main view's own, already found there. Each island is at most its rewrites' span plus
 * 2 × ISLAND_PAD, and islands are disjoint: linear, and most text (prose) is not copied at all.
 */
export function digitIslands(main: NormalizedText, pad: number = ISLAND_PAD): DigitIsland[] {
  const rewrites = rewritesOf(main.text);
  const islands: DigitIsland[] = [];
  for (let k = 0; k < rewrites.length; ) {
    const from = Math.max(0, (rewrites[k] as Rewrite).from - pad);
    let to = Math.min(main.text.length, (rewrites[k] as Rewrite).to + pad);
    let last = k + 1;
    while (last < rewrites.length && (rewrites[last] as Rewrite).from - pad <= to) {
      to = Math.min(main.text.length, (rewrites[last] as Rewrite).to + pad);
      last += 1;
    }
    islands.push(buildView(main, from, to, rewrites.slice(k, last)));
    k = last;
  }
  return islands;
}

/** Whether view span [start, end) holds a rewritten unit (`rewritten` in order: one binary search). */
export function holdsRewrite(rewritten: readonly number[], start: number, end: number): boolean {
  let lo = 0;
  let hi = rewritten.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((rewritten[mid] as number) < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < rewritten.length && (rewritten[lo] as number) < end;
}
