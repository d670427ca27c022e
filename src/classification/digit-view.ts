// The digits view: a second view of the normalised text in which the separators people (and attackers) put between
// digit groups are rewritten to the forms numeric recognizers expect, so `219.09.9999`, `219/09/9999`, `219_09_9999`,
// `219   09   9999`, `219\n09\n9999`, `219–09–9999` read as `219-09-9999`, `2 1 9 0 9 9 9 9 9` as `219099999`, and a
// card regrouped in groups of 1–3 (`41 11 11 11 11 11 11 11`) as one 16-digit number.
// Only the numeric recognizers (DIGIT_VIEW_RECOGNIZERS) scan it: an IP address or version string is never read
// as anything else by the others. Invariant: its offset map composes with the main view's, so a span of this view
// maps back to exactly the original characters that produced it (separators inside included).
// The separators are in digit-separators.ts, the runs read as one number in digit-runs.ts, bracketed lists in
// digit-lists.ts.
import { listRewrites, type Rewrite } from './digit-lists.ts';
import { MIN_LISTED_DIGITS, MIN_SPACED_DIGITS, shortGroupRun, spacedRun } from './digit-runs.ts';
import {
  isDigit,
  isDigitSeparator,
  MAX_REGROUPED_DIGITS,
  MAX_SEPARATOR_RAW,
  MAX_SEPARATOR_RUN,
  MIN_REGROUPED_DIGITS,
  separatorCount,
  separatorWidth,
} from './digit-separators.ts';
import {
  DASH,
  mergeRewrites,
  mixedShortGroupCards,
  OTHER,
  SeparatorChain,
  type ShortGroupCard,
  SPACE,
} from './mixed-separators.ts';
import type { NormalizedText } from './normalize.ts';
import { CREDIT_CARD, NL_BSN, UK_NHS, US_BANK_ROUTING, US_SSN, US_SSN_LABELLED } from './recognizers-pii.ts';
import type { RecognizerDefinition } from './types.ts';
import { isCombiningMark } from './unicode-table.ts';

// stream-view-hold.ts reads these from here.
export { isDigitSeparator } from './digit-separators.ts';
export { openListStart } from './digit-lists.ts';

/** The built-in recognizers that also scan the digits view (others would only add false positives there). */
export const DIGIT_VIEW_RECOGNIZERS: readonly RecognizerDefinition[] = [
  US_SSN,
  US_SSN_LABELLED,
  CREDIT_CARD,
  UK_NHS,
  US_BANK_ROUTING,
  NL_BSN,
];

/** The rewrites of a main-view text, in order; none for most text (then nothing is allocated per character). */
function rewritesOf(main: NormalizedText): Rewrite[] {
  const { text } = main;
  const lists = listRewrites(text);
  const rewrites = blankRewrites(main, separatorRewrites(text));
  if (lists.length === 0) return rewrites;
  // Disjoint: a list's separators hold a `,`, `;` or a bracket, the others only digit separators but a listed run's,
  // whose list holds nine single digits or more (listRewrites reads lists of two to five numbers, the first of four).
  return [...rewrites, ...lists].sort((a, b) => a.from - b.from);
}

/** Most combining marks read in one separator run (Zalgo text stacks a few on each character). */
const MAX_RUN_MARKS = 64;

/**
 * Where the separator run at `from` stops (digit-separators.ts runStop), combining marks on its separators skipped by
 * code point and not counted towards MAX_SEPARATOR_RUN (`2̲1̲9̲-̲0̲9̲`, `-` with eight tildes, a mark past the BMP: the
 * main view drops the marks on the digits, not those on a separator), and whether it is within the limits and ends
 * before the text does.
 */
function separatorRunStop(text: string, from: number): { at: number; ok: boolean } {
  let at = from;
  let separators = 0;
  let raw = 0;
  let marks = 0;
  while (at < text.length) {
    const code = text.codePointAt(at) as number;
    if (code >= 0x300 && isCombiningMark(code) && marks < MAX_RUN_MARKS) {
      marks += 1;
      at += code > 0xffff ? 2 : 1;
      continue;
    }
    const width = separatorWidth(text, at, isDigitSeparator);
    if (width === 0) break;
    const counted = separatorCount(text, at, width);
    separators += counted;
    raw += counted * width; // escapes of dropped characters are not bounded (MAX_SEPARATOR_RAW)
    at += width;
    if (separators > MAX_SEPARATOR_RUN || raw > MAX_SEPARATOR_RAW) return { at, ok: false };
  }
  return { at, ok: at < text.length };
}

/**
 * `rewrites` with a `-` where a Braille blank the main view dropped stood between two digits (`219⠀09⠀9999`, drawn as
 * `219 09 9999`): an insertion, [at, at) written as `-`, mapped to the digit after it.
 */
function blankRewrites(main: NormalizedText, rewrites: Rewrite[]): Rewrite[] {
  if (main.blanks === undefined) return rewrites;
  const text = main.text;
  const inserts: Rewrite[] = [];
  for (const at of main.blanks) {
    if (isDigit(text.charCodeAt(at - 1)) && isDigit(text.charCodeAt(at)))
      inserts.push({ from: at, to: at, dash: true });
  }
  return inserts.length === 0 ? rewrites : mergeRewrites(rewrites, inserts);
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
    // `&` and `%` start escapes read as the character they name (`&#8203;`, `%E2%80%8B`: separatorWidth).
    digitThenSeparator = new RegExp(`[0-9][${ranges.join('')}&%]`);
  }
  return digitThenSeparator.test(text);
}

/** Between two single digits of a listed run (digit-separators.ts itemSeparatorEnd), as a RegExp source. */
const ITEM_SEPARATOR =
  String.raw`(?:\\?["'])?[\])]{0,8}(?:\s|\\[ntrfv]){0,8}[,;]` + String.raw`(?:\s|\\[ntrfv]){0,8}[\[(]{0,8}(?:\\?["'])?`;

/**
 * Nine single digits split by list item separators (`2,1,9,0,…`, `["2", "1", …]`): the start of every listed run
 * spacedRun reads as one number (MIN_LISTED_DIGITS). Most texts hold none (lists of numbers of two digits or more,
 * coordinates, prose) and the walk below does not look for them there. Bounded repetition of disjoint classes.
 */
const LISTED_DIGITS = new RegExp(`(?<![0-9])(?:[0-9]${ITEM_SEPARATOR}){${MIN_LISTED_DIGITS - 1}}[0-9](?![0-9])`);

/** The rewrites of separators between digit groups, spaced digits and regrouped numbers, in order. */
function separatorRewrites(text: string): Rewrite[] {
  const lists = LISTED_DIGITS.test(text);
  if (!lists && !hasDigitThenSeparator(text)) return [];
  const n = text.length;
  const rewrites: Rewrite[] = [];
  let shortRunsChecked = 0; // a run of short groups is read once, not again from each of its groups (linear)
  const chain = new SeparatorChain(text); // groups split by two kinds of separator (mixed-separators.ts)
  // Past every separator run read (runs of escapes of dropped characters are unbounded): a digit before it is inside
  // one of the run's escapes (`\xe2\x80\x8b`, `&#8203;`), which starts nothing, and is not read again (linear).
  let runsRead = 0;
  // Cards in short groups split by mixed separators, found ahead (mixedShortGroupCards), taken when the walk
  // reaches them; a run of them is read once.
  let mixedChecked = 0;
  let cards: ShortGroupCard[] = [];
  let nextCard = 0;
  for (let i = 0; i < n; ) {
    if (i < runsRead) {
      chain.close(-1);
      i = runsRead;
      continue;
    }
    if (!isDigit(text.charCodeAt(i))) {
      i += 1;
      continue;
    }
    if (!isDigit(text.charCodeAt(i - 1)) && i >= mixedChecked) {
      const run = mixedShortGroupCards(text, i);
      mixedChecked = run.end;
      cards = run.cards;
      nextCard = 0;
    }
    while (nextCard < cards.length && (cards[nextCard] as ShortGroupCard).start < i) nextCard += 1;
    if (nextCard < cards.length && (cards[nextCard] as ShortGroupCard).start === i) {
      const card = cards[nextCard] as ShortGroupCard;
      for (const [from, to] of card.separators) rewrites.push({ from, to, dash: false });
      chain.close(-1);
      nextCard += 1;
      i = card.end;
      continue;
    }
    if (!isDigit(text.charCodeAt(i - 1))) chain.groupAt(i);
    if (!isDigit(text.charCodeAt(i - 1)) && !isDigit(text.charCodeAt(i + 1))) {
      const run = spacedRun(text, i, lists);
      if (run.digits >= MIN_SPACED_DIGITS) {
        // Digits kept, the spaces (or the list's item separators) between them dropped.
        for (const [from, to] of run.separators) rewrites.push({ from, to, dash: false });
        i = run.end;
        continue;
      }
      if (run.windows !== undefined) {
        // A list that is no number whole: the separators inside its window that is a value dropped.
        for (const [from, to] of run.windows) rewrites.push({ from, to, dash: false });
        i = run.end;
        continue;
      }
      if (run.listed) {
        // Single digits of a list that is no number: none but the last starts one (each has an item after it).
        i = Math.max(i + 1, run.end - 1);
        continue;
      }
    }
    if (i >= shortRunsChecked && !isDigit(text.charCodeAt(i - 1))) {
      // A number regrouped in groups of 1–3 (`41 11 11 11 11 11 11 11`): a model reads it whole, so it is one number.
      const run = shortGroupRun(text, i);
      shortRunsChecked = run.end;
      if (run.digits >= MIN_REGROUPED_DIGITS && run.digits <= MAX_REGROUPED_DIGITS) {
        for (const [from, to] of run.separators) rewrites.push({ from, to, dash: false });
        i = run.end;
        continue;
      }
    }
    // A separator run after this digit and before another: `-`, unless it is one ASCII space or one `-` already.
    const after = i + 1;
    if (after < n && separatorWidth(text, after, isDigitSeparator) > 0) {
      const stop = separatorRunStop(text, after);
      const end = stop.at;
      runsRead = end;
      if (stop.ok && end > after && isDigit(text.charCodeAt(end))) {
        const form = end - after > 1 ? OTHER : text[after] === ' ' ? SPACE : text[after] === '-' ? DASH : OTHER;
        if (form === OTHER) rewrites.push({ from: after, to: end, dash: true });
        chain.separator(after, end, form);
        i = end;
        continue;
      }
    }
    if (!isDigit(text.charCodeAt(i + 1))) chain.close(i + 1);
    i += 1;
  }
  chain.close(-1);
  return chain.unified.length === 0 ? rewrites : mergeRewrites(rewrites, chain.unified);
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
  const rewrites = rewritesOf(main);
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
  const rewrites = rewritesOf(main);
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
