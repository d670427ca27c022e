// Encoded runs cut between two segments (hex, base64, decimal codes… of a key, half in one message and half in the
// next): each segment alone holds half a run, which decodes to half a value or to nothing, so the runs that cross a
// join window's boundary are decoded from the window's text around that boundary (DECODE_REACH characters each side)
// and what they decode to is classified by the classifier like a segment's decoded runs. Invariants: only boundaries
// a cheap look at their characters says a run may cross are decoded (join-boundary.ts); each distinct excerpt is
// decoded once a classify call, from the call's decode budget (decode.ts), so the cost is linear in the windows' text.
import { decodeBase64OrHex } from './decode-bytes.ts';
import { type ArmoredKey, notationKeys } from './decode-der.ts';
import { bytesLiterals } from './decode-der-literals.ts';
import { dumpTexts } from './decode-dumps.ts';
import {
  type DecodeBudget,
  type DecodedRun,
  DECODE_LEVELS,
  decodedRuns,
  joinDecoded,
  plainView,
  privateKeysIn,
  RUN_GAP,
  runsCovering,
  spanOfPiece,
  spend,
} from './decode.ts';
import type { Draft } from './drafts.ts';
import {
  DECODE_REACH,
  endsRowBeforeProse,
  isLineBreak,
  mayCross,
  mayHoldKey,
  rowOpens,
  tightRun,
} from './join-boundary.ts';
import { piecesAcross } from './join-pieces.ts';
import type { JoinWindow, Piece, WindowPart } from './join-window.ts';
import { mayOpenKey } from './key-starts.ts';
import type { NormalizedText } from './normalize.ts';
import type { TextSegment } from './types.ts';

/** A run decoded across a window's boundary, at window offsets. */
export interface WindowRun {
  window: JoinWindow;
  run: DecodedRun;
}

/**
 * The decoded runs of each window that cross one of its boundaries (two parts glued with nothing between), at window
 * offsets. `read` is the classifier's (the main view of a text, its keys); `memo` keeps each excerpt's crossing runs
 * for the call (windows of several orders share text), so an excerpt spends the budget once.
 */
export function boundaryRuns(
  windows: readonly JoinWindow[],
  budget: DecodeBudget,
  read: Pick<TextReader, 'normalize' | 'keysIn'>,
  segments: readonly TextSegment[] = [],
): WindowRun[] {
  let memo: Map<string, readonly DecodedRun[]> | undefined;
  const keyMemo = new Map<string, readonly ArmoredKey[]>();
  const found: WindowRun[] = [];
  for (const window of windows) {
    const { parts, text } = window;
    let covered = -1;
    let keys: readonly ArmoredKey[] | undefined;
    let keysAdded = 0;
    // The window as its keys and dumps are read: each part's closing syntax its joined span left out put back (a
    // bytes repr's or a dump row's last `"` or `}`, the line break after it), and a line break where a dump's row
    // opens glued to a line before it.
    const rowCuts = glued(parts).filter((at) => at > 0 && rowOpens(text, at));
    const rowCut = new Set(rowCuts);
    // Built at the first key or dump read (most windows need neither).
    let tails: Insert[] | undefined;
    const tailsOf = () => (tails ??= closingTails(window, segments));
    let lined: ReturnType<typeof linedAt> | undefined;
    const linedText = () => (lined ??= linedAt(text, withBreaks(text, tailsOf(), rowCuts)));
    for (let k = 1; k < parts.length; k += 1) {
      const [left, right] = [parts[k - 1] as WindowPart, parts[k] as WindowPart];
      const at = right.at;
      if (left.at + left.length !== at) continue;
      // A DER private key across the boundary (decode-der.ts), in base64 or hex however laid out, its opening on
      // one side and the rest on the other (an Ed25519 key is 64 characters): the window's keys, read once a text.
      if (mayHoldKey(text, at) || rowCut.has(at)) {
        if (keys === undefined) {
          const { text: source, back } = linedText();
          const memo = keyMemo.get(source);
          keys = memo ?? keysAndRows(source, read.keysIn);
          if (memo === undefined) keyMemo.set(source, keys);
          keys = back === undefined ? keys : keys.map((key) => back(key));
        }
        for (; keysAdded < keys.length && (keys[keysAdded] as ArmoredKey).start < at; keysAdded += 1) {
          const key = keys[keysAdded] as ArmoredKey;
          if (key.end <= at) continue;
          spend(budget, key.text);
          found.push({ window, run: { start: key.start, end: key.end, text: key.text } });
        }
      }
      // Inside the alphabet run read at a boundary before (each character is read twice at most), or a PAIR_GAP
      // between the two parts: no boundary. The excerpt may reach past a PAIR_GAP: no run crosses one (`!`).
      if (at < covered) continue;
      const from = Math.max(0, at - DECODE_REACH);
      const to = Math.min(text.length, at + DECODE_REACH);
      // A base64 or hex run across the boundary is decoded as it is written (one decode, no normalisation); any
      // other run needs the scans of decode.ts over the text around the boundary, once an excerpt.
      const tight = tightRun(text, at, from, to);
      if (tight !== undefined) {
        covered = tight[1];
        const run = wholeRun(text.slice(tight[0], tight[1]), budget);
        if (run === undefined) continue;
        found.push({ window, run: shifted(run, tight[0]) });
        // A second and a third encoding under the first (`xxd -p | base64` cut in two): what it reads as, decoded as
        // decode.ts's further levels, found over the same characters.
        for (const inner of decodedRuns(plainView(run.text), budget, false, DECODE_LEVELS - 1)) {
          found.push({ window, run: shifted({ start: 0, end: run.end, text: inner.text }, tight[0]) });
        }
        continue;
      }
      if (!mayCross(text, at, from, to)) continue;
      const excerpt = text.slice(from, to);
      const key = `${at - from}\u0000${excerpt}`;
      memo ??= new Map();
      let runs = memo.get(key);
      if (runs === undefined) memo.set(key, (runs = crossingRuns(excerpt, at - from, budget, read.normalize)));
      for (const run of runs) found.push({ window, run: shifted(run, from) });
    }
    if (rowCuts.length > 0) {
      // Read with a line break after a row a neighbour's prose is glued to, too: the prose is no row's character column.
      const proseCuts = glued(parts).filter((at) => !rowCut.has(at) && endsRowBeforeProse(text, at));
      const cuts = [...rowCuts, ...proseCuts].sort((a, b) => a - b);
      const rows = proseCuts.length === 0 ? linedText() : linedAt(text, withBreaks(text, tailsOf(), cuts));
      for (const dump of dumpTexts(rows.text, RUN_GAP)) {
        const run = rows.back?.(dump) ?? dump;
        if (!crosses(rowCuts, run)) continue;
        spend(budget, run.text);
        found.push({ window, run });
      }
    }
  }
  return found;
}

/** Whether `span` crosses one of `cuts` (in order): a binary search for the first cut after its start. */
function crosses(cuts: readonly number[], span: { start: number; end: number }): boolean {
  let [lo, hi] = [0, cuts.length];
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cuts[mid] as number) <= span.start) lo = mid + 1;
    else hi = mid;
  }
  return lo < cuts.length && (cuts[lo] as number) < span.end;
}

/** The window offsets where two parts meet glued (nothing between them). */
function glued(parts: readonly WindowPart[]): number[] {
  const at: number[] = [];
  for (let k = 1; k < parts.length; k += 1) {
    const [left, right] = [parts[k - 1] as WindowPart, parts[k] as WindowPart];
    if (left.at + left.length === right.at) at.push(right.at);
  }
  return at;
}

/** Text put into a window at offset `at` before it is read (linedAt). */
interface Insert {
  at: number;
  text: string;
}

/** Most characters of closing syntax after a part a reading puts back (closingTails). */
const MAX_TAIL = 8;

/**
 * At each glued boundary, what the segments' joined spans (readable-spans.ts) left out there, at most MAX_TAIL
 * characters a side: the left part's segment's closing syntax and whitespace after it (`"`, `}`, `]`, a line break),
 * and the right part's segment's opening before it when that holds no `"` or `:` (a text read as JSON for its `{`,
 * never a JSON member's name): a bytes repr's or a dump row's last or first characters.
 */
function closingTails({ parts }: JoinWindow, segments: readonly TextSegment[]): Insert[] {
  const tails: Insert[] = [];
  for (let k = 1; k < parts.length; k += 1) {
    const [left, right] = [parts[k - 1] as WindowPart, parts[k] as WindowPart];
    if (left.at + left.length !== right.at || left.segment === right.segment) continue;
    const [before, after] = [segments[left.segment]?.text, segments[right.segment]?.text];
    if (before === undefined || after === undefined) continue;
    const from = left.from + left.length;
    // Most segments are read whole (no closing syntax, no opening): nothing to test.
    if (from === before.length && right.from === 0) continue;
    const tail = before.length - from <= MAX_TAIL ? before.slice(from) : '';
    const head = right.from <= MAX_TAIL ? after.slice(0, right.from) : '';
    const put = `${/^[\s"\]}]+$/.test(tail) ? tail : ''}${/^[^":]+$/.test(head) ? head : ''}`;
    if (put.length > 0) tails.push({ at: right.at, text: put });
  }
  return tails;
}

/** `tails` (in order) with a line break after each of `cuts` (in order) that no line break stands beside. */
function withBreaks(text: string, tails: readonly Insert[], cuts: readonly number[]): Insert[] {
  const inserts: Insert[] = [];
  let t = 0;
  for (const at of cuts) {
    for (; t < tails.length && (tails[t] as Insert).at < at; t += 1) inserts.push(tails[t] as Insert);
    const tail = tails[t]?.at === at ? (tails[(t += 1) - 1] as Insert).text : '';
    const before = tail.length > 0 ? tail.charCodeAt(tail.length - 1) : text.charCodeAt(at - 1);
    const broken = isLineBreak(before) || isLineBreak(text.charCodeAt(at));
    if (tail.length > 0 || !broken) inserts.push({ at, text: broken ? tail : `${tail}\n` });
  }
  for (; t < tails.length; t += 1) inserts.push(tails[t] as Insert);
  return inserts;
}

/**
 * A window's text with `inserts` (in order of their offsets) put in, and `back`, which moves a span read there to
 * window offsets (an offset inside an insert to the insert's own; undefined when nothing was put in).
 */
function linedAt(
  text: string,
  inserts: readonly Insert[],
): { text: string; back?: <T extends { start: number; end: number }>(span: T) => T } {
  if (inserts.length === 0) return { text };
  const pieces: string[] = [];
  let from = 0;
  for (const { at, text: put } of inserts) {
    pieces.push(text.slice(from, at), put);
    from = at;
  }
  pieces.push(text.slice(from));
  // Where each insert starts in the text read, and the characters inserted before it: a binary search an offset.
  const starts: number[] = [];
  const shifts: number[] = [];
  let shift = 0;
  for (const insert of inserts) {
    starts.push(insert.at + shift);
    shifts.push(shift);
    shift += insert.text.length;
  }
  const offset = (at: number) => {
    let [lo, hi] = [0, starts.length];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) < at) lo = mid + 1;
      else hi = mid;
    }
    // Inserts 0..lo-1 start before `at`: inside the last of them, its own offset; past it, less all their characters.
    if (lo === 0) return at;
    const last = inserts[lo - 1] as Insert;
    const end = (starts[lo - 1] as number) + last.text.length;
    return at < end ? last.at : at - ((shifts[lo - 1] as number) + last.text.length);
  };
  return { text: pieces.join(''), back: (span) => ({ ...span, start: offset(span.start), end: offset(span.end) }) };
}

/**
 * A window's keys: the classifier's (KEY_START openings, hex and xxd rows among them), those of the notations no
 * KEY_START opening leads to (decode-der.ts notationKeys: little-endian word rows, `od -b` octal rows, `0x30u8`), and
 * those of bytes literals (decode-der-literals.ts: a C string of octal or `\x` escapes, Python's bytes repr, over
 * adjacent literals; the last may be open at the window's end), as decode.ts reads them, so such rows and strings cut
 * between two messages are read across the boundary too; in order of their starts.
 */
function keysAndRows(text: string, keysIn: (text: string) => readonly ArmoredKey[]): readonly ArmoredKey[] {
  if (keysIn === keysWhereOpening && !KEY_HINT.test(text)) return [];
  const rows = notationKeys(text);
  for (const literal of bytesLiterals(text, true)) {
    for (const key of privateKeysIn(literal.hex)) rows.push({ start: literal.start, end: literal.end, text: key.text });
  }
  const keys = keysIn(text);
  return rows.length === 0 ? keys : [...keys, ...rows].sort((a, b) => a.start - b.start);
}

/**
 * How the classifier reads a text: its main view, its drafts (scan() without decoding, segment -1), and its DER private
 * keys (privateKeysIn, skipped where no key may open: keysWhereOpening).
 */
export interface TextReader {
  normalize: (text: string) => NormalizedText;
  scan: (text: string) => Draft[];
  keysIn: (text: string) => readonly ArmoredKey[];
}

/**
 * What keysAndRows' readers need in a text to find anything, as one native search (a join window's text is mostly
 * prose and ids, read for keys at every boundary between two words): notationKeys starts only at `30` or `60 ` (its
 * indexOf loops: `30`, `060 `, `60 `); bytesLiterals only at one of its openings (`b'0`, `b"0`, `B'0`, `B"0`, a quote
 * then a backslash: decode-der-literals.ts OPENINGS, by indexOf); keysWhereOpening only where mayOpenKey looks further
 * (`M`, `30`, `48`: its loop's three cases). A text without any of them holds none of their keys: skipped, the same
 * keys (join-decode-hints.test.ts holds each reader to it).
 */
export const KEY_HINT = /30|48|60 |M|[bB]['"]0|["']\\/;

/** Where mayOpenKey looks further (`M`, `30`, `48`): a text without one has no key opening. */
const OPENING_HINT = /M|30|48/;

/** privateKeysIn, skipped on a text where no key may open (key-starts.ts: the same keys, none). */
export function keysWhereOpening(text: string): readonly ArmoredKey[] {
  return OPENING_HINT.test(text) && mayOpenKey(text) ? privateKeysIn(text) : [];
}

/** What each segment found alone, asked of a piece of a value decoded across a boundary (join-pieces.ts). */
export interface FoundAlone {
  /** Whether the piece overlaps a value of its type its segment found alone. */
  overlaps: (piece: Piece & { type: string }) => boolean;
  /** Whether the piece lies wholly inside one such value. */
  covers: (piece: Piece & { type: string }) => boolean;
}

/**
 * The drafts of encoded runs cut between segments: the runs that cross a window's boundary (boundaryRuns), scanned as
 * one text (distinct texts once, kept apart by RUN_GAP, not decoded again); a finding covers each run it touches (a
 * whole base64 or hex run, its own escapes otherwise), reported on every segment that run crosses, so redaction
 * removes both halves. A value written on one side of the boundary only, whose piece overlaps a value of its type
 * found there alone, is that value glued onto its neighbour's run (`blob` + a base64 key): dropped. A value written
 * across the boundary is reported on its pieces a value of its type found alone does not cover (a base64 run cut
 * inside one address whose other half decodes to a second address: the second half's finding covers its whole run,
 * the first half is still reported). The pieces after the first are continuations (counted once).
 */
export function decodedAcross(
  segments: readonly TextSegment[],
  windows: readonly JoinWindow[],
  budget: DecodeBudget,
  alone: FoundAlone,
  read: TextReader,
): Draft[] {
  const crossing = boundaryRuns(windows, budget, read, segments);
  if (crossing.length === 0) return [];
  const byText = new Map<string, WindowRun[]>();
  for (const entry of crossing) {
    const same = byText.get(entry.run.text);
    if (same === undefined) byText.set(entry.run.text, [entry]);
    else same.push(entry);
  }
  const joined = joinDecoded([...byText.values()].map((entries) => (entries[0] as WindowRun).run));
  const drafts: Draft[] = [];
  for (const d of read.scan(joined.text)) {
    for (const piece of runsCovering(joined, d.start, d.end)) {
      for (const { window, run } of byText.get(piece.run.text) as WindowRun[]) {
        const [start, end] = spanOfPiece({ ...piece, run });
        const pieces = piecesAcross(window, start, end).map((p) => ({ ...p, type: d.type }));
        if (!writtenAcross(window, run, piece.from, piece.to) && pieces.some(alone.overlaps)) continue;
        pieces.forEach((p, k) => {
          if (alone.covers(p)) return;
          const path = (segments[p.segment] as TextSegment).path;
          drafts.push({ ...d, ...p, path, continuation: k > 0 });
        });
      }
    }
  }
  return drafts;
}

/** Encoded characters either side of where a whole run's value is reckoned to be written (writtenAcross). */
const VALUE_MARGIN = 8;

/**
 * Whether the value [from, to) of a run's decoded text is written across one of the window's boundaries. Exact when
 * the run maps characters one by one (its pieces are the value's own); for a whole base64 or hex run, reckoned in
 * proportion to the value's UTF-8 bytes (each byte is written in a fixed number of characters), widened by
 * VALUE_MARGIN so a value near the boundary counts as across. A run is at most 2 x DECODE_REACH characters.
 */
function writtenAcross(window: JoinWindow, run: DecodedRun, from: number, to: number): boolean {
  if (run.spanOf !== undefined) return true;
  const scale = (run.end - run.start) / Math.max(1, Buffer.byteLength(run.text));
  const at = (k: number) => run.start + Buffer.byteLength(run.text.slice(0, k)) * scale;
  const start = Math.max(run.start, Math.floor(at(from)) - VALUE_MARGIN);
  const end = Math.min(run.end, Math.ceil(at(to)) + VALUE_MARGIN);
  return piecesAcross(window, start, end).length > 0;
}

/** The decoded runs of `excerpt` (decode.ts's scans over its main view) that cross offset `at`. */
function crossingRuns(
  excerpt: string,
  at: number,
  budget: DecodeBudget,
  normalize: (text: string) => NormalizedText,
): readonly DecodedRun[] {
  return decodedRuns(normalize(excerpt), budget).filter((r) => r.start < at && r.end > at);
}

/** A base64 or hex run decoded whole, when it decodes to text (from the budget). */
function wholeRun(run: string, budget: DecodeBudget): DecodedRun | undefined {
  const text = decodeBase64OrHex(run.replace(/[\t-\r ]+/g, '')); // hex's decoder stops at whitespace
  if (text === undefined) return undefined;
  spend(budget, text);
  return { start: 0, end: run.length, text };
}

/** A run of an excerpt moved to window offsets (`from`: where the excerpt starts in the window). */
function shifted(run: DecodedRun, from: number): DecodedRun {
  const { spanOf } = run;
  return {
    start: run.start + from,
    end: run.end + from,
    text: run.text,
    ...(spanOf === undefined
      ? {}
      : { spanOf: (a: number, z: number) => spanOf(a, z).map((x) => x + from) as [number, number] }),
  };
}
