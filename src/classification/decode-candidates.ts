// Where decoding's scans find their candidates: a native (RE2) search for a pattern every run a scan decodes starts
// with, so the scans skip the text between candidates instead of looking at every character in JavaScript. A pattern
// MAY match more than the scan decodes (the scan still decides) and MUST match wherever a decoded run starts: a run it
// misses is a run left unread. `exhaustive` (tests) makes every offset a candidate, the scans' own behaviour.
import RE2 from 're2';
import { isBase64Char, MAX_HEX_SEPARATOR, type NextCandidate } from './decode-bytes.ts';
import { KEY_START } from './decode-der.ts';
import { MIN_DECIMAL_CODES } from './decode-code-lists.ts';

/** Shortest base64 (padding included) or hex run decoded: shorter ones are mostly words and numbers. */
export const MIN_ENCODED_RUN = 16;

/** Narrowest base64 group joined (decode-groups.ts): shorter words in a row (`a to be or`) are prose, not `fold -w`. */
export const MIN_GROUP_WIDTH = 4;

/** How far after a candidate the scans look at every character themselves (candidateFinder). */
const NEAR_CANDIDATE = 64;

/** Characters between two checkpoints of Utf8Offsets: a conversion walks at most this many. */
const OFFSET_STEP = 32;

/**
 * UTF-16 and UTF-8 offsets of one text, shared by every native search over its UTF-8 copy: one walk forward over the
 * text, as far as a search asks, with a checkpoint every OFFSET_STEP characters, so a conversion is a lookup and a
 * walk of at most OFFSET_STEP characters wherever it lands (each search had walked the text from its start on its own:
 * a tenth of a call on non-ASCII prose). A lone surrogate counts as the 3 bytes of the U+FFFD `Buffer.from` writes.
 */
export class Utf8Offsets {
  readonly bytes: Buffer;
  readonly ascii: boolean;
  private readonly text: string;
  /**
   * Checkpoint k at [2k, 2k + 1]: the first character boundary at or after k * OFFSET_STEP, in units and in bytes.
   * Made on the first walk (an ASCII text, or one no search converts, never needs it).
   */
  private marks: Uint32Array | undefined;
  private checkpoints = 1;
  /** How far the walk has read (a character boundary). */
  private unit = 0;
  private byte = 0;

  constructor(text: string) {
    this.text = text;
    this.bytes = Buffer.from(text, 'utf8');
    this.ascii = this.bytes.length === text.length;
  }

  /** The first character boundary at or after `unit` (a pair's low half moves on past the pair) and its byte. */
  boundaryAt(unit: number): [unit: number, byte: number] {
    if (this.ascii) return [unit, unit];
    if (unit >= this.unit) {
      this.walk(unit, Number.POSITIVE_INFINITY);
      return [this.unit, this.byte];
    }
    // Below the walk's reach: the checkpoints exist (the walk made them).
    const marks = this.marks as Uint32Array;
    const k = Math.floor(unit / OFFSET_STEP);
    return this.step(marks[2 * k] as number, marks[2 * k + 1] as number, unit, Number.POSITIVE_INFINITY);
  }

  /** The unit offset of `byte`, a character boundary of the UTF-8 copy. */
  unitAt(byte: number): number {
    if (this.ascii) return byte;
    if (byte >= this.byte) {
      this.walk(Number.POSITIVE_INFINITY, byte);
      return this.unit;
    }
    // The last checkpoint at or before `byte` (checkpoint 0 is at 0).
    const marks = this.marks as Uint32Array;
    let low = 0;
    let high = this.checkpoints - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((marks[2 * mid + 1] as number) <= byte) low = mid;
      else high = mid - 1;
    }
    return this.step(marks[2 * low] as number, marks[2 * low + 1] as number, Number.POSITIVE_INFINITY, byte)[0];
  }

  /** Reads on from the furthest point read until `toUnit` or `toByte`, recording the checkpoints it passes. */
  private walk(toUnit: number, toByte: number): void {
    const marks = (this.marks ??= new Uint32Array(2 * (Math.ceil(this.text.length / OFFSET_STEP) + 1)));
    while (this.unit < this.text.length && this.unit < toUnit && this.byte < toByte) {
      const next = this.checkpoints * OFFSET_STEP;
      [this.unit, this.byte] = this.step(this.unit, this.byte, Math.min(toUnit, next), toByte);
      if (this.unit >= next && 2 * this.checkpoints < marks.length) {
        marks[2 * this.checkpoints] = this.unit;
        marks[2 * this.checkpoints + 1] = this.byte;
        this.checkpoints += 1;
      }
    }
  }

  /** Reads from (`unit`, `byte`), a boundary, to the first boundary at or past `toUnit` or `toByte`. */
  private step(unit: number, byte: number, toUnit: number, toByte: number): [number, number] {
    const text = this.text;
    while (unit < toUnit && byte < toByte && unit < text.length) {
      const code = text.charCodeAt(unit);
      unit += 1;
      if (code < 0x80) byte += 1;
      else if (code < 0x800) byte += 2;
      else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(unit) & 0xfc00) === 0xdc00) {
        unit += 1;
        byte += 4;
      } else byte += 3;
    }
    return [unit, byte];
  }
}

/**
 * decode.ts's scans are exact but look at every character in JavaScript (~0.3 ms each per 64 KB of prose, a third of
 * the classifier's time on prose). A native search for a pattern every run they decode starts with (a superset is
 * fine: the scan still decides) lets them skip the text between candidates. Offsets convert through `offsets`, which
 * every search over one text shares (one walk a text, whatever its number of searches and candidates). `reach`: how far
 * after a candidate the scan looks at every character itself (NEAR_CANDIDATE unless a scan's candidates are sparse
 * and each read costs more than a search). `exhaustive` (tests): every offset is a candidate, the scans' own behaviour.
 */
export function candidateFinder(
  text: string,
  pattern: RE2,
  exhaustive: boolean,
  shared?: Utf8Offsets,
  reach = NEAR_CANDIDATE,
): NextCandidate {
  if (exhaustive) return (from) => Math.min(from, text.length);
  const offsets = shared ?? new Utf8Offsets(text);
  // After a candidate the scan looks at the next characters itself: text dense with candidates that fail (`zab cdz`
  // repeated) costs a native call per NEAR_CANDIDATE characters at most, not one a candidate.
  let near = -1;
  return (from) => {
    if (from >= text.length) return text.length;
    if (from <= near) return from;
    const byte = offsets.boundaryAt(from)[1];
    const at = pattern.search(offsets.bytes.subarray(byte));
    if (at < 0) return text.length;
    // A match starts at an ASCII character (every start pattern's first character is, but the groups' character
    // before a run, which matches a whole character), never inside a sequence.
    const found = offsets.unitAt(byte + at);
    near = found + reach;
    return found;
  };
}

/**
 * Where each scan that starts from a native search finds its candidates: every base64 run decoded is MIN_ENCODED_RUN
 * characters at least, of which two at most are padding (`…{14}==`, `…{15}=`, `…{16}`: a hyphenated word or a host
 * name of 14-15 letters, common in prose, is no candidate), every run of separated hex bytes with a token,
 * 1..MAX_HEX_SEPARATOR separators and a second token, every list of decimal codes with MIN_DECIMAL_CODES codes and
 * their separators, every quoted-printable run with an `=` and two hex digits, every private key with an opening of
 * KEY_START (decode-der.ts), every run of base64 groups of one width (decode-groups.ts: `groups` and `groupLines`,
 * read as one by groupCandidates); `any` is the first five's set (one pass says which scans can find one).
 */
export interface StartPatterns {
  base64: RE2;
  hexPair: RE2;
  codeList: RE2;
  escape: RE2;
  key: RE2;
  groups: RE2;
  groupLines: RE2;
  /** The first five in one set; `groups` and `groupLines` are matched alone (startsIn). */
  any: InstanceType<typeof RE2.Set>;
}

let patterns: StartPatterns | undefined;

const ALPHABET = '[A-Za-z0-9+/_-]';
/**
 * Blanks, ASCII punctuation and the list and tree marks beyond it (decode-groups.ts isPrefixChar): a line's suffix or
 * prefix between two base64 groups (decode-groups.ts LineWrap).
 */
const LINE_MARKS =
  '[\\t !-/:-@\\x5b-\\x60{-~\\x{B7}\\x{2022}\\x{2023}\\x{2043}\\x{25E6}\\x{2190}-\\x{21FF}\\x{25B6}\\x{25BA}\\x{279C}\\x{2500}-\\x{257F}]*';

/**
 * A quote closing one literal (escaped or not: `\"`), up to 4 of ` ,+.|<&`, a literal's prefix letters (`b`, `u8`) and
 * the same quote opening the next (decode-group-separators.ts blanksAt).
 */
const QUOTE_GAPS =
  '\\\\{0,3}(?:"[ ,+.|<&]{0,4}[A-Za-z0-9@$]{0,2}\\\\{0,3}"|\'[ ,+.|<&]{0,4}[A-Za-z0-9@$]{0,2}\\\\{0,3}\'|\\x60[ ,+.|<&]{0,4}\\x60)';

/**
 * Between two base64 groups on one line (decode-group-separators.ts): one to three spaces or a tab, one mark (`.`, `:`,
 * or `-`, `_` inside an alphabet run: decode-groups.ts splitRun), two quotes apart (`","`, `\",\"`, `" b"`).
 */
const BLANK_SEPARATOR = `(?: {1,3}|\\t|[.:_-]|${QUOTE_GAPS})`;

/**
 * Between two base64 groups a line apart: a line break (up to two empty lines after it) with blanks and ASCII
 * punctuation before and after it and words or numbers among them (`" +⏎  "`, `⏎# `, `⏎// `, ` |⏎| `, `⏎REM `, `⏎10 `,
 * `  # chunk⏎`, `⏎⏎REM `: decode-groups.ts keeps the runs whose lines all share the first line break's).
 */
const LINE_SEPARATOR = `${LINE_MARKS}(?:[A-Za-z0-9]{1,8}${LINE_MARKS}){0,4}\\r?\\n(?:[\\t ]{0,16}\\r?\\n){0,2}${LINE_MARKS}(?:[A-Za-z0-9]{1,8}${LINE_MARKS}){0,8}`;

/**
 * Where a run of base64 groups of one width can start (decode-groups.ts), preceded by the character before it when
 * there is one. Two patterns, each a superset of its runs' starts, never one: LINE_SEPARATOR's word counters written
 * once per group of every width (the exact widths below) made an automaton RE2 rebuilt all along a text of prose, 1-2
 * s a 64 KB README (2026-12-08; 0.3 s before the line's words were allowed). Keep LINE_SEPARATOR in ONE place of one
 * small pattern (`groupLines`); widen `groups` only with one-line separators.
 * - `groups`: runs whose first groups are apart on one line. For each width w below MIN_ENCODED_RUN, the fewest groups
 *   that make MIN_ENCODED_RUN characters (all of width w but the last, which may be shorter or padded), for a width of
 *   MIN_ENCODED_RUN or more two groups. Exact widths keep most prose out: four 4-letter words in a row, three of 5,
 *   two of 8.
 * - `groupLines`: runs with a line break among the separators `groups` reads (at most the third: four groups make
 *   MIN_ENCODED_RUN): up to two groups apart on one line, a group, a line's separator, a group's first character.
 */
function groupStarts(): { groups: string; groupLines: string } {
  const alternatives: string[] = [];
  for (let width = MIN_GROUP_WIDTH; width < MIN_ENCODED_RUN; width += 1) {
    const groups = Math.ceil(MIN_ENCODED_RUN / width);
    const rest = MIN_ENCODED_RUN - (groups - 1) * width; // characters the last group needs, padding included
    const full = `${ALPHABET}{${width}}${BLANK_SEPARATOR}`.repeat(groups - 1);
    const padded = `${ALPHABET}{${Math.max(1, rest - 2)},${width - 1}}=`;
    alternatives.push(`${full}(?:${ALPHABET}{${rest},${width}}(?:[^A-Za-z0-9+/_-]|$)|${padded})`);
  }
  alternatives.push(`${ALPHABET}{${MIN_ENCODED_RUN},}${BLANK_SEPARATOR}${ALPHABET}`);
  const before = '(?:^|[^A-Za-z0-9+/_-])';
  const group = `${ALPHABET}{${MIN_GROUP_WIDTH},}`;
  const blanksBefore = Math.ceil(MIN_ENCODED_RUN / MIN_GROUP_WIDTH) - 2;
  return {
    groups: `${before}(?:${alternatives.join('|')})`,
    groupLines: `${before}(?:${group}${BLANK_SEPARATOR}){0,${blanksBefore}}${group}${LINE_SEPARATOR}${ALPHABET}`,
  };
}

/**
 * The candidates of `groups` and `groupLines` as one (decode.ts's groups scan), each pattern searched again only past
 * its last answer: linear however their candidates interleave. A search starts at its first character, where either
 * pattern's `^` matches (a run right after a `-` in the alphabet, as the one pattern before them read it): between a
 * pattern's last query and its answer, a query's own position is a candidate when it is an alphabet character (a
 * superset: the scan decides). `reach`: as candidateFinder's.
 */
export function groupCandidates(
  text: string,
  starts: StartPatterns,
  exhaustive: boolean,
  shared: Utf8Offsets | undefined,
  reach: number,
): NextCandidate {
  if (exhaustive) return (from) => Math.min(from, text.length);
  const offsets = shared ?? new Utf8Offsets(text);
  const cached = [starts.groups, starts.groupLines].map((pattern) => {
    let asked = -1;
    let answer = -1;
    return (from: number): number => {
      if (asked >= 0 && from >= asked && from <= answer) {
        if (from === asked || from === answer || !isBase64Char(text.charCodeAt(from))) return answer;
        return from;
      }
      asked = from;
      const byte = offsets.boundaryAt(from)[1];
      const at = pattern.search(offsets.bytes.subarray(byte));
      answer = at < 0 ? text.length : offsets.unitAt(byte + at);
      return answer;
    };
  });
  const [groups, lines] = cached as [NextCandidate, NextCandidate];
  let near = -1;
  return (from) => {
    if (from >= text.length) return text.length;
    if (from <= near) return from;
    const found = Math.min(groups(from), lines(from));
    near = found + reach;
    return found;
  };
}

/**
 * Which of the six starts occur in `utf8` (StartPatterns.any, then `groups` or `groupLines`: in one DFA with the others
 * they cost 3-4 times what they cost apart on short texts of fresh ids, 2026-12-08); all six if an automaton gives up.
 */
export function startsIn(starts: StartPatterns, utf8: Buffer): number[] {
  try {
    const found = starts.any.match(utf8);
    if (starts.groups.test(utf8) || starts.groupLines.test(utf8)) found.push(GROUPS_START);
    return found;
  } catch {
    return [0, 1, 2, 3, 4, 5]; // out of DFA memory (it throws, never answers short): each scan's own search decides
  }
}

/** `groups`'s index among the six starts. */
const GROUPS_START = 5;

export function startPatterns(): StartPatterns {
  if (patterns !== undefined) return patterns;
  const sources = {
    base64: `[A-Za-z0-9+/_-]{${MIN_ENCODED_RUN - 2}}(?:[A-Za-z0-9+/_-]{2}|[A-Za-z0-9+/_-]=|==)`,
    hexPair: String.raw`(?:\\x|0[xX])?[0-9A-Fa-f]{2,8}[\t-\r ,:;-]{1,${MAX_HEX_SEPARATOR}}(?:\\x|0[xX])?[0-9A-Fa-f]{2}`,
    codeList: String.raw`(?:[0-9]{2,3}(?:[\t-\r ]*[,;][\t-\r ]*|[\t ]+)){${MIN_DECIMAL_CODES - 1}}[0-9]{2,3}`,
    escape: '=[0-9A-Fa-f]{2}',
    key: KEY_START,
    ...groupStarts(),
  };
  patterns = {
    base64: new RE2(sources.base64),
    hexPair: new RE2(sources.hexPair),
    codeList: new RE2(sources.codeList),
    escape: new RE2(sources.escape),
    key: new RE2(sources.key),
    groups: new RE2(sources.groups),
    groupLines: new RE2(sources.groupLines),
    any: new RE2.Set([sources.base64, sources.hexPair, sources.codeList, sources.escape, sources.key]),
  };
  return patterns;
}
