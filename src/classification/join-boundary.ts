// Cheap looks at a join window's boundary (two parts glued, half a value in each), made before anything is decoded
// there: whether an alphabet run, a separated or escaped run, a private key or a dump's row may cross it. Invariants:
// each look reads a bounded number of characters around the boundary (DECODE_REACH at most), so prose between two
// messages costs a look only; a look that says no means join-decode.ts decodes nothing there.
import { isBase64Char, isHexDigit } from './decode-bytes.ts';
import { MAX_KEY_GAP } from './decode-der.ts';
import { rowAt } from './decode-der-rows.ts';

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
 * (`,` `%` `\` …) is beside it, a `U+` code point ends or opens beside it (`U+0041` | `U+004B`: decode-escapes.ts
 * wideEscapeRuns reads the run), hex digits are on both sides past at most MAX_BOUNDARY_SPACE whitespace
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
  if (codePointAt(text, after, to) || codePointEndsAt(text, before, from)) return true;
  if (before + 1 < after && isHexDigit(b) && isHexDigit(a)) return true;
  return isDigit(b) && isDigit(a) && (markNear(text, before, -1, from, to) || markNear(text, after, 1, from, to));
}

/** Whether the Unicode notation's `U+` (or `u+`) and a hex digit open at `at` (before `to`): `U+004B`. */
function codePointAt(text: string, at: number, to: number): boolean {
  return (
    at + 2 < to &&
    (text.charCodeAt(at) | 0x20) === 0x75 &&
    text.charCodeAt(at + 1) === 0x2b &&
    isHexDigit(text.charCodeAt(at + 2))
  );
}

/** Whether a `U+` code point (2-6 hex digits) ends at `at` (its last digit; not before `from`): `U+0041`. */
function codePointEndsAt(text: string, at: number, from: number): boolean {
  let i = at;
  while (i >= from && at - i < 6 && isHexDigit(text.charCodeAt(i))) i -= 1;
  return at - i >= 2 && i - 1 >= from && text.charCodeAt(i) === 0x2b && (text.charCodeAt(i - 1) | 0x20) === 0x75;
}

/**
 * Whether a private key may cross `text` at `at`: a base64 or hex character on each side, past a gap of up to
 * MAX_KEY_GAP of the characters decode-der.ts skips (whitespace, quotes, list marks) at most; or a dump's row opens
 * right after it (rowAfter); or a bytes literal opens before it (LITERAL_OPENING).
 */
export function mayHoldKey(text: string, at: number): boolean {
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

/** Characters looked back for the start of the line a boundary ends (endsRowBeforeProse). */
const ROW_LINE = 256;

/**
 * Whether the line a boundary `at` ends is a dump's row and what follows is no more of its cells (no hex token of 2-8
 * digits, a space at most before it): a neighbour's prose glued after a row's character column.
 */
export function endsRowBeforeProse(text: string, at: number): boolean {
  let line = at;
  while (line > 0 && at - line < ROW_LINE && !isLineBreak(text.charCodeAt(line - 1))) line -= 1;
  if ((line > 0 && !isLineBreak(text.charCodeAt(line - 1))) || rowAt(text, line) === undefined) return false;
  let i = text.charCodeAt(at) === 0x20 ? at + 1 : at;
  const digits = i;
  while (i - digits <= 8 && isHexDigit(text.charCodeAt(i))) i += 1;
  const cell = i - digits >= 2 && i - digits <= 8 && (i >= text.length || isSpace(text.charCodeAt(i)));
  return !cell;
}

/** Whether a dump's row may open at a boundary `at`: on the line after it (rowAfter), or glued to the text before it. */
export function rowOpens(text: string, at: number): boolean {
  return rowAfter(text, at) || rowAt(text, at) !== undefined;
}

export function isLineBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d;
}
