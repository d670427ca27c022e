// Bracketed lists of numbers read by the digits view (digit-view.ts): `[4111, 1111, 1111, 1111]`, `(219, 09, 9999)`,
// a card's groups split over a list's items, rewritten as one number when they spell a card's layout. Linear: each
// opener is found by one forward search and a list is read once.
import { isCardLayout } from './cards.ts';
import { isDigit, isSpaceSeparator, MAX_REGROUPED_DIGITS, MIN_REGROUPED_DIGITS } from './digit-separators.ts';
import { isDroppedCharacter } from './normalize.ts';
import { digitValue, isCombiningMark, tagAscii } from './unicode-table.ts';

/** One rewrite of the main view: [from, to) becomes one `-`, or is dropped (a space between spaced digits). */
export interface Rewrite {
  from: number;
  to: number;
  dash: boolean;
}

/** Most numbers in a bracketed list read as a card: a card's groups (4-4-4-4-3 is five). */
export const MAX_LIST_GROUPS = 5;

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

/** The next list opener or closer at or after `from`, or -1 (a tight loop: brackets in code are a few apart). */
function nextBracket(text: string, from: number): number {
  for (let at = from; at < text.length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === 0x5b || code === 0x5d || code === 0x28 || code === 0x29 || code === 0x7b || code === 0x7d) return at;
  }
  return -1;
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
 * list). Once every open list is spoiled, the walk skips to the next bracket: what it passes over (numbers, separators,
 * words) changes nothing a list opened or closed later reads (issue 18: code in prose had the walk read each of its
 * characters). `exhaustive` (tests) reads every one as before.
 */
export function listRewrites(text: string, exhaustive = false): Rewrite[] {
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
  const openers: number[] = []; // per open list, where it opened
  const chain = listChain(text, rewrites);
  // `length = 0` on an empty array is a runtime call in V8, not free: on prose with code it was half the walk.
  const spoil = () => {
    pureFrom = open.length;
    if (numbers.length > 0) numbers.length = 0;
  };
  while (at >= 0 && at < text.length) {
    if (!exhaustive && open.length > 0 && pureFrom >= open.length) {
      at = nextBracket(text, at);
      if (at < 0) break;
    }
    const code = text.charCodeAt(at);
    if (isListOpener(code)) {
      openers.push(at);
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
      const pure = open.length >= pureFrom;
      if (pure) listSpellsCard(numbers, first, rewrites);
      const from = openers.pop() as number;
      // A list read whole whose enclosing list (if any) is not one: the lists the chain reads in document order.
      // Any other list closing between two of them is text between them, which gapJoins reads.
      if (pure && open.length === pureFrom) chain.add(numbers.slice(first), from, at + 1);
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
        at = Math.max(end, at + 1);
        while (exhaustive && at < text.length && !isListSyntax(text.charCodeAt(at))) at += 1;
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
      if (openers.length > 0) openers.length = 0;
      if (numbers.length > 0) numbers.length = 0;
      pureFrom = 0;
      afterItem = false;
      at = nextListOpener(at);
    }
  }
  return rewrites.sort((a, b) => a.from - b.from).filter((r, i, all) => i === 0 || all[i - 1]?.from !== r.from);
}

/**
 * Most characters between two lists read as one: a JSON member's name (`],"expiry_part":[`), objects opened or closed
 * between (`],"b":{"c":[`), a keyword argument; as long as a join window's reach (a name of any length a model reads
 * past, bounded so that prose between two lists far apart is not read as one).
 */
export const MAX_LIST_GAP = 256;

/**
 * What may stand between two lists read as one (listChain): whitespace, `,` `:` `=` quotes, `{` `}` (objects opened or
 * closed between) and the letters, `_` and `-` of a name. No digit (a number between them is read between the groups),
 * no `[` `]` (a list that is no card's groups) and no `!` (PAIR_GAP: two join windows' pairs, or two batched windows,
 * are never one list).
 */
export function isListGapCode(code: number): boolean {
  const lower = code | 0x20;
  return (
    isSpaceSeparator(code) ||
    code === 0x2c ||
    code === 0x3a ||
    code === 0x3d ||
    code === 0x22 ||
    code === 0x27 ||
    code === 0x5f ||
    code === 0x2d ||
    code === 0x7b ||
    code === 0x7d ||
    (lower >= 0x61 && lower <= 0x7a)
  );
}

/**
 * The outermost lists of a text read in document order, consecutive ones joined (at most MAX_LIST_GAP characters of
 * isListGapCode between them): a card's groups spread over two or more lists (`{"a":[3782,822463],"b":[10005]}`, two
 * arguments; `[3782, 822463]` | `[10005]`, two segments a join window glues) are a card's groups as one list's are, and
 * its separators, the text between the lists included, become `-` (listSpellsCard). `add` takes each list read whole as
 * it closes, with its numbers (an empty list ends the chain; any other list between two is text between them, read by
 * gapJoins: a string member's object, `{"k":"v"}`, is read past, one holding a digit is not); the chain keeps at most
 * MAX_LIST_GROUPS numbers (whole lists dropped from its front), so each list is checked a bounded number of times.
 */
function listChain(text: string, rewrites: Rewrite[]) {
  let numbers: { start: number; end: number }[] = [];
  let starts: number[] = []; // where each list of the chain starts in `numbers`
  let end = -1; // where the chain's last list closed
  return {
    add(listNumbers: readonly { start: number; end: number }[], from: number, to: number): void {
      const joined = end >= 0 && from - end <= MAX_LIST_GAP && gapJoins(text, end, from);
      if (!joined) [numbers, starts] = [[], []];
      end = listNumbers.length === 0 ? -1 : to;
      if (listNumbers.length === 0) return;
      starts.push(numbers.length);
      numbers.push(...listNumbers);
      while (numbers.length > MAX_LIST_GROUPS) {
        const drop = starts[1] ?? numbers.length;
        numbers = numbers.slice(drop);
        starts = starts.slice(1).map((s) => s - drop);
      }
      // Each run of lists ending with this one, longer than this list alone (which listSpellsCard read as it closed).
      for (let k = 0; k < starts.length - 1; k += 1) listSpellsCard(numbers, starts[k] as number, rewrites);
    },
  };
}

function gapJoins(text: string, from: number, to: number): boolean {
  for (let at = from; at < to; at += 1) if (!isListGapCode(text.charCodeAt(at))) return false;
  return true;
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
export function listSpellsCard(
  numbers: readonly { start: number; end: number }[],
  first: number,
  out: Rewrite[],
): void {
  const count = numbers.length - first;
  if (count < 2 || count > MAX_LIST_GROUPS) return;
  const head = numbers[first] as { start: number; end: number };
  // every card layout of 2+ groups starts with four digits (most lists end here)
  if (head.end - head.start !== 4) return;
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
