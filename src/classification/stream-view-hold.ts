// What a stream scanner must also hold back because the classifier reads more than the main view: the digits view
// (digit-view.ts: a separator after a digit may be followed by more digits in the next chunk) and decoded runs
// (decode.ts: an encoded run may go on in the next chunk). Invariant: these only ever hold MORE than stream-hold.ts
// alone (minimums of cuts, unions of spans); every offset is an original UTF-16 offset into the scanned text.
import { trailingCallRunStart } from './decode-code-calls.ts';
import { trailingGroupsStart } from './decode-groups.ts';
import { digitView, isDigitSeparator, openListStart } from './digit-view.ts';
import { isDroppedCharacter, normalizeText } from './normalize.ts';
import { keyHolds } from './stream-key-hold.ts';
import { trailingLiteralStart } from './stream-literal-hold.ts';
import { matchHolds, partialStart, type HoldPlan, type MatchHolds, type ScanText } from './stream-hold.ts';
import { digitValue, isCombiningMark, tagAscii } from './unicode-table.ts';

/** How far back the trailing-run rule looks: the scanner never lets a partial hold more than its own limit anyway. */
export const TRAILING_RUN_LIMIT = 1024;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** A character of a possible encoded run (base64, padding, hex, percent and backslash escapes, URL characters). */
export function isEncodedChar(code: number): boolean {
  return (
    code > 0x20 && code < 0x7f && code !== 0x22 && code !== 0x27 && code !== 0x3c && code !== 0x3e && code !== 0x60
  );
}

/**
 * Whether `text` is all characters of an encoded run (ASCII: no surrogate, nothing the main view drops) and no longer
 * than TRAILING_RUN_LIMIT: held after any text, the trailing run it ends reaches back before it (trailingRunStart).
 */
export function isEncodedRun(text: string): boolean {
  if (text.length > TRAILING_RUN_LIMIT) return false;
  for (let at = 0; at < text.length; at += 1) if (!isEncodedChar(text.charCodeAt(at))) return false;
  return true;
}

/**
 * Where the trailing run of the original text starts that more text could still turn into a value of a non-main
 * view: digits (any script) with separators between them, the characters of an encoded run, or a bracketed list still
 * open. The text's length when the text ends in none of them.
 */
export function trailingRunStart(text: string): number {
  const floor = Math.max(0, text.length - TRAILING_RUN_LIMIT);
  // A high surrogate at the end is half of a character still arriving (the scanner holds it): look past it.
  const last = text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1)) ? text.length - 1 : text.length;
  let digits = text.length;
  let encoded = last;
  let inDigits = true;
  let inEncoded = true;
  for (let at = last; at > floor && (inDigits || inEncoded); ) {
    const pair = at >= 2 && isLowSurrogate(text.charCodeAt(at - 1)) && isHighSurrogate(text.charCodeAt(at - 2));
    const width = pair ? 2 : 1;
    const raw = text.codePointAt(at - width) ?? 0;
    const code = tagAscii(raw) >= 0 ? tagAscii(raw) : raw; // tags read as the ASCII they spell (normalize.ts)
    // What the main view drops (invisible and control characters, marks on a digit) never ends a run.
    const dropped = isDroppedCharacter(code) || isCombiningMark(code);
    const isDigit = digitValue(code) >= 0;
    inEncoded &&= dropped || isEncodedChar(code);
    inDigits &&= dropped || isDigit || isDigitSeparator(code);
    at -= width;
    if (inEncoded) encoded = at;
    if (inDigits && isDigit) digits = at; // the run starts at a digit, not at the separators before it
  }
  // A list still open may become a card's groups (digit-view.ts listRewrites): held from its `[`, `(` or `{`; base64
  // in lines or groups of one width from its first group (decode-groups.ts).
  const list = openListStart(text, floor);
  const groups = trailingGroupsStart(text, floor);
  const calls = trailingCallRunStart(text, floor); // `chr(65) + chr(75) + ` (decode-code-lists.ts)
  const literals = trailingLiteralStart(text, floor); // `"AKIA" "` (stream-literal-hold.ts)
  return Math.min(
    digits,
    encoded,
    trailingHexStart(text, floor),
    openOverrideStart(text, floor),
    list,
    groups,
    calls,
    literals,
  );
}

/**
 * Where a right-to-left override still open at the end starts (U+202E with no U+202C or line break after it): its
 * text displays reversed (decode.ts), so the value's first characters on screen are the last to arrive.
 */
function openOverrideStart(text: string, floor: number): number {
  for (let at = text.length - 1; at >= floor; at -= 1) {
    const unit = text.charCodeAt(at);
    if (unit === 0x202c || unit === 0x0a || unit === 0x0d || unit === 0x2029) break;
    if (unit === 0x202e) return at;
  }
  return text.length;
}

function isHexDigitCode(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

function isWordCode(code: number): boolean {
  return (
    (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || code === 0x5f
  );
}

/** Separators between hex tokens (decode.ts): whitespace, `,`, `:`, `;`, `-`. */
function isHexSeparatorCode(code: number): boolean {
  return (
    code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0x2c || code === 0x3a || code === 0x3b || code === 0x2d
  );
}

/**
 * Where a trailing run of separated hex tokens starts (`… 41 4b 49`, `0x41, 0x4`): the run decodes as one text
 * (decode.ts), so its first token is held until the run ends. The last token may be incomplete (odd, or a bare `0x`).
 * The text's length when it ends in no such run.
 */
function trailingHexStart(text: string, floor: number): number {
  let start = text.length;
  let at = text.length;
  for (let first = true; at > floor; first = false) {
    let separators = 0;
    while (at > floor && separators <= 4 && isHexSeparatorCode(text.charCodeAt(at - 1))) {
      at -= 1;
      separators += 1;
    }
    if (separators > 4 || (!first && separators === 0)) break;
    let from = at;
    while (from > floor && at - from <= 8 && isHexDigitCode(text.charCodeAt(from - 1))) from -= 1;
    const digits = at - from;
    const prefixed = text[from - 1] === 'x' && (text[from - 2] === '0' || text[from - 2] === '\\');
    const tokenStart = prefixed ? from - 2 : from;
    const complete = digits >= 2 && digits <= 8 && digits % 2 === 0;
    const ok =
      (complete || (first && digits <= 8 && (digits > 0 || prefixed))) && !isWordCode(text.charCodeAt(tokenStart - 1));
    if (!ok || tokenStart < floor) break;
    start = tokenStart;
    at = tokenStart;
  }
  return start;
}

/** Digits views already built, per scanned text (a release asks for partials and holds of the same text). */
const digitScans = new WeakMap<ScanText, ScanText | null>();

/** The digits view of a scanned text as a ScanText, or undefined when it is the main view. */
function digitsScan(t: ScanText): ScanText | undefined {
  let scan = digitScans.get(t);
  if (scan === undefined) {
    const view = digitView(t.normalized);
    scan = view === undefined ? null : { original: t.original, normalized: view, bytes: Buffer.from(view.text) };
    digitScans.set(t, scan);
  }
  return scan ?? undefined;
}

/**
 * partialStart over every view, and the trailing run: the earliest original offset a value may still be starting at.
 * A text ending in half a character (a high surrogate) is judged without it: its lone surrogate would stop every
 * partial's `$` from matching what comes before it (`𝐀𝐊` + half of `𝐈`, a key's start in bold letters).
 */
export function viewPartialStart(plan: HoldPlan, t: ScanText): number {
  const length = t.original.length;
  if (length > 0 && isHighSurrogate(t.original.charCodeAt(length - 1))) {
    const whole = t.original.slice(0, length - 1);
    const normalized = normalizeText(whole);
    return viewPartialStart(plan, { original: whole, normalized, bytes: Buffer.from(normalized.text, 'utf8') });
  }
  const digits = digitsScan(t);
  const inDigits = digits === undefined ? t.original.length : partialStart(plan, digits);
  return Math.min(partialStart(plan, t), inDigits, trailingRunStart(t.original), keyHolds(t).partial);
}

/**
 * matchHolds over the main view and the digits view, and the keys still arriving, merged
 * (the earlier holds, every span).
 */
export function viewMatchHolds(plan: HoldPlan, t: ScanText): MatchHolds {
  const found = matchHolds(plan, t);
  // A key still arriving whose opening passed holds as a validated match does (stream-key-hold.ts).
  const main = { ...found, from: Math.min(found.from, keyHolds(t).from) };
  const digits = digitsScan(t);
  if (digits === undefined) return main;
  const other = matchHolds(plan, digits);
  return {
    from: Math.min(main.from, other.from),
    rawFrom: Math.min(main.rawFrom, other.rawFrom),
    spans: [...main.spans, ...other.spans],
  };
}
