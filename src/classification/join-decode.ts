// Encoded runs cut between two segments (hex, base64, decimal codes… of a key, half in one message and half in the
// next): each segment alone holds half a run, which decodes to half a value or to nothing, so the runs that cross a
// join window's boundary are decoded from the window's text around that boundary (DECODE_REACH characters each side)
// and what they decode to is classified by the classifier like a segment's decoded runs. Invariants: only boundaries
// a cheap look at their characters says a run may cross are decoded (mayCross); each distinct excerpt is decoded once
// a classify call, from the call's decode budget (decode.ts), so the cost is linear in the windows' text.
import { decodeBase64OrHex, isBase64Char, isHexDigit } from './decode-bytes.ts';
import { type ArmoredKey, MAX_KEY_GAP, notationKeys } from './decode-der.ts';
import { bytesLiterals } from './decode-der-literals.ts';
import {
  type DecodeBudget,
  type DecodedRun,
  DECODE_LEVELS,
  decodedRuns,
  joinDecoded,
  plainView,
  privateKeysIn,
  runsCovering,
  spanOfPiece,
  spend,
} from './decode.ts';
import type { Draft } from './drafts.ts';
import { piecesAcross } from './join-pieces.ts';
import type { JoinWindow, Piece, WindowPart } from './join-window.ts';
import { mayOpenKey } from './key-starts.ts';
import type { NormalizedText } from './normalize.ts';
import type { TextSegment } from './types.ts';

/** Characters read on each side of a boundary: a run is decoded across it when each half is at most this long. */
export const DECODE_REACH = 256;

/** Fewest characters of one alphabet across a boundary before a base64 or hex run can cross it (decode.ts). */
const MIN_TIGHT_RUN = 16;

/** Whitespace skipped at a boundary to reach a separated run's tokens (`65, 75, ` | `73`). */
const MAX_BOUNDARY_SPACE = 4;

/** The characters that split or mark the items of a separated or escaped run: `,` `;` `:` `%` `\` `=` `&` `#` `-`. */
function isRunMark(code: number): boolean {
  return (
    code === 0x2c ||
    code === 0x3b ||
    code === 0x3a ||
    code === 0x25 ||
    code === 0x5c ||
    code === 0x3d ||
    code === 0x26 ||
    code === 0x23 ||
    code === 0x2d
  );
}

function isSpace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/**
 * The maximal run of the base64 alphabet (hex is one) across `at` within [from, to), with up to two `=` of padding
 * after it, when it has characters on both sides and at least MIN_TIGHT_RUN in all; undefined otherwise. Up to
 * MAX_BOUNDARY_SPACE whitespace at the boundary (a MIME line a message: `base64 -d` skips it) is part of the run.
 */
export function tightRun(text: string, at: number, from: number, to: number): [number, number] | undefined {
  let before = at;
  while (before > from && at - before < MAX_BOUNDARY_SPACE && isSpace(text.charCodeAt(before - 1))) before -= 1;
  let after = at;
  while (after < to && after - before < MAX_BOUNDARY_SPACE && isSpace(text.charCodeAt(after))) after += 1;
  if (before <= from || after >= to) return undefined;
  if (!isBase64Char(text.charCodeAt(before - 1)) || !isBase64Char(text.charCodeAt(after))) return undefined;
  let left = before;
  while (left > from && isBase64Char(text.charCodeAt(left - 1))) left -= 1;
  let right = after;
  while (right < to && isBase64Char(text.charCodeAt(right))) right += 1;
  if (right - after + before - left < MIN_TIGHT_RUN) return undefined;
  for (const body = right; right < to && right - body < 2 && text.charCodeAt(right) === 0x3d; ) right += 1;
  return [left, right];
}

/** Characters of a mark read on either side of digits at a boundary (`…,7` | `7,81`: a code cut in two). */
const CODE_REACH = 4;

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Whether a run mark is within CODE_REACH characters of [from, to) going `step` (-1 before, 1 after) from `at`. */
function markNear(text: string, at: number, step: -1 | 1, from: number, to: number): boolean {
  for (let k = 0, i = at; k < CODE_REACH && i >= from && i < to; k += 1, i += step) {
    const code = text.charCodeAt(i);
    if (isRunMark(code)) return true;
    if (!isDigit(code) && !isSpace(code)) return false;
  }
  return false;
}

/**
 * Whether a separated, escaped or listed run may cross `text` at `at` (`from` and `to` bound the excerpt): a mark
 * (`,` `%` `\` …) is beside it, hex digits are on both sides past at most MAX_BOUNDARY_SPACE whitespace
 * (`41 4b ` | `49`), or digits are on both sides with a mark a few digits away (`65,7` | `5,73`: a code cut inside).
 * Prose between two messages ("Thanks." | "Hi") is not, and costs this look only.
 */
export function mayCross(text: string, at: number, from: number, to: number): boolean {
  let before = at - 1;
  while (before >= from && at - before <= MAX_BOUNDARY_SPACE && isSpace(text.charCodeAt(before))) before -= 1;
  let after = at;
  while (after < to && after - at < MAX_BOUNDARY_SPACE && isSpace(text.charCodeAt(after))) after += 1;
  if (before < from || after >= to) return false;
  const [b, a] = [text.charCodeAt(before), text.charCodeAt(after)];
  if (isRunMark(b) || isRunMark(a)) return true;
  if (before + 1 < after && isHexDigit(b) && isHexDigit(a)) return true;
  return isDigit(b) && isDigit(a) && (markNear(text, before, -1, from, to) || markNear(text, after, 1, from, to));
}

/**
 * Whether a private key may cross `text` at `at`: a base64 or hex character on each side, past a gap of up to
 * MAX_KEY_GAP of the characters decode-der.ts skips (whitespace, quotes, list marks) at most; or a dump's row opens
 * right after it (rowAfter); or a bytes literal opens before it (LITERAL_OPENING).
 */
function mayHoldKey(text: string, at: number): boolean {
  let before = at - 1;
  while (before >= 0 && at - before <= MAX_KEY_GAP && isKeyGap(text.charCodeAt(before))) before -= 1;
  let after = at;
  while (after < text.length && after - at < MAX_KEY_GAP && isKeyGap(text.charCodeAt(after))) after += 1;
  if (before >= 0 && isBase64Char(text.charCodeAt(before)) && isBase64Char(text.charCodeAt(after))) return true;
  return at > 0 && (rowAfter(text, at) || LITERAL_OPENING.test(text.slice(Math.max(0, at - DECODE_REACH), at)));
}

/**
 * A bytes literal that may hold a key opens before a boundary (decode-der-literals.ts openings: `b'0`, `b"0`, a quote
 * and `\060`, `\60` or `\x30`): a repr's printable bytes may stand on either side of the cut, base64 or not.
 */
const LITERAL_OPENING = /[bB]['"]0|["']\\(?:0?60|x30)/;

/** Spaces and tabs a dump row's line may open with before its offset column (decode-der-rows.ts rowAt). */
const ROW_INDENT = 8;

/**
 * Whether a dump's row (xxd, hexdump, od: an offset column of 4-16 hex digits, then `:` or a space or tab) opens on
 * a line starting at `at` or past up to MAX_BOUNDARY_SPACE whitespace after it: rows cut between two messages after a
 * whole row, the first message's last row ending in its character column (`…  0.....+ep.".` | `00000020: …`).
 */
function rowAfter(text: string, at: number): boolean {
  let i = at;
  while (i < text.length && i - at < MAX_BOUNDARY_SPACE && isSpace(text.charCodeAt(i)) && text[i] !== '\n') i += 1;
  if (text[i] === '\n') i += 1;
  else {
    let k = at - 1;
    while (k >= 0 && at - k <= ROW_INDENT && (text.charCodeAt(k) === 0x20 || text.charCodeAt(k) === 0x09)) k -= 1;
    if (k >= 0 && text[k] !== '\n') return false;
  }
  for (const indent = i; i - indent < ROW_INDENT && (text.charCodeAt(i) === 0x20 || text.charCodeAt(i) === 0x09); )
    i += 1;
  const digits = i;
  while (i - digits <= 16 && isHexDigit(text.charCodeAt(i))) i += 1;
  const code = text.charCodeAt(i);
  return i - digits >= 4 && i - digits <= 16 && (code === 0x3a || code === 0x20 || code === 0x09);
}

function isKeyGap(code: number): boolean {
  return isSpace(code) || isRunMark(code) || code === 0x22 || code === 0x27;
}

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
): WindowRun[] {
  let memo: Map<string, readonly DecodedRun[]> | undefined;
  const keyMemo = new Map<string, readonly ArmoredKey[]>();
  const found: WindowRun[] = [];
  for (const window of windows) {
    const { parts, text } = window;
    let covered = -1;
    let keys: readonly ArmoredKey[] | undefined;
    let keysAdded = 0;
    for (let k = 1; k < parts.length; k += 1) {
      const [left, right] = [parts[k - 1] as WindowPart, parts[k] as WindowPart];
      const at = right.at;
      if (left.at + left.length !== at) continue;
      // A DER private key across the boundary (decode-der.ts), in base64 or hex however laid out, its opening on
      // one side and the rest on the other (an Ed25519 key is 64 characters): the window's keys, read once a text.
      if (mayHoldKey(text, at)) {
        if (keys === undefined) {
          keys = keyMemo.get(text);
          if (keys === undefined) keyMemo.set(text, (keys = keysAndRows(text, read.keysIn)));
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
  }
  return found;
}

/**
 * A window's keys: the classifier's (KEY_START openings, hex and xxd rows among them), those of the notations no
 * KEY_START opening leads to (decode-der.ts notationKeys: little-endian word rows, `od -b` octal rows, `0x30u8`), and
 * those of bytes literals (decode-der-literals.ts: a C string of octal or `\x` escapes, Python's bytes repr, over
 * adjacent literals; the last may be open at the window's end), as decode.ts reads them, so such rows and strings cut
 * between two messages are read across the boundary too; in order of their starts.
 */
function keysAndRows(text: string, keysIn: (text: string) => readonly ArmoredKey[]): readonly ArmoredKey[] {
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

/** privateKeysIn, skipped on a text where no key may open (key-starts.ts: the same keys, none). */
export function keysWhereOpening(text: string): readonly ArmoredKey[] {
  return mayOpenKey(text) ? privateKeysIn(text) : [];
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
  const crossing = boundaryRuns(windows, budget, read);
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
