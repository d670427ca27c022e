// Finding a recognizer's matches in the UTF-8 bytes of a segment, with as few result objects as possible: RE2's
// `exec` builds an array of Buffers per match (~5 µs), while sticky `test`s and `search` return numbers (~0.6 µs).
// Invariant: every finder here returns exactly what `execFrom` (one exec at lastIndex = from) would return; the
// classifier's search loop (restarts after rejected matches, trailing context) is the same for all of them. Where a
// token recognizer is searched (the windows around its context words): context-windows.ts.
import type RE2 from 're2';
import type { CompiledRecognizer } from './compile.ts';
import { contextWindows, type Span, tokenStart } from './context-windows.ts';
import { utf8SequenceLength } from './utf8-offsets.ts';

export interface Match {
  recognizer: CompiledRecognizer;
  startByte: number;
  endByte: number;
  value: string;
}

/**
 * Re-searches after rejected matches (a valid value may start inside one), per recognizer and text. Rejected matches
 * that overlap make a region; each re-search starts later than the last and re-scans the rest of the match it starts
 * in. A region may re-scan REJECTED_RESCAN_PER_BYTE bytes a byte of its own length: a region of matches of at most that
 * many bytes is re-searched at every start, however many decoys come before it (regions are disjoint, none spends
 * another's). Re-searches that re-scan more (long overlapping matches: a private key's unterminated blocks, each
 * running to the one END, make the text one region) may spend LONG_RESCAN_PER_BYTE of it, at least that many of the
 * whole region; then the search resumes after the rejected match. Work at most REJECTED_RESCAN_PER_BYTE·n re-scanned
 * bytes a call (it was 1,024 re-searches a region past a per-text budget: 1,500 bytes a byte of 56 KB of unterminated
 * blocks, 1 s on the event loop).
 */
const REJECTED_RESCAN_PER_BYTE = 64;
const LONG_RESCAN_PER_BYTE = 16;

/** Re-scanned bytes and re-searches of matchesOf calls, for the linearity tests. */
export const rejectedRestarts = { restarts: 0, rescanned: 0 };

/**
 * What one classify call has learnt, per value (a value repeated in a call, as chat history resends every earlier
 * message, is checked once): each validator's answers (keyed by the validator), and each refining recognizer's
 * accepted windows of a run (keyed by the recognizer: its refiner, validator and refineAlternatives decide them; a
 * news text repeats "Central Bank" ~90 times in 64 KB, each run refined into windows). Lives only as long as the call.
 */
export type ValidationMemo = Map<object, Map<string, unknown>>;

/** The part of `memo` kept under `key` (undefined without a memo), made on first use. */
function memoOf<V>(memo: ValidationMemo | undefined, key: object | undefined): Map<string, V> | undefined {
  if (memo === undefined || key === undefined) return undefined;
  let part = memo.get(key);
  if (part === undefined) memo.set(key, (part = new Map()));
  return part as Map<string, V>;
}

function validated(recognizer: CompiledRecognizer, value: string, answers: Map<string, boolean> | undefined): boolean {
  const validate = recognizer.validate;
  if (validate === undefined) return true;
  if (answers === undefined) return validate(value);
  let answer = answers.get(value);
  if (answer === undefined) answers.set(value, (answer = validate(value)));
  return answer;
}

/** No match (one shared empty array: most candidates of a name's recognizers are rejected). */
const NONE: readonly Match[] = [];

/** UTF-8 bytes of a value: its length when sliced from an ASCII text. */
function byteLengthOf(value: string, asciiText: string | undefined): number {
  return asciiText === undefined ? Buffer.byteLength(value, 'utf8') : value.length;
}

/** A call's memos for one recognizer: its validator's answers, and its refined runs' accepted windows. */
interface Memos {
  answers: Map<string, boolean> | undefined;
  windows: Map<string, readonly Span[]> | undefined;
}

/** The windows of a refined run `value` that its validator accepts, in the refiner's order (UTF-16 offsets). */
function acceptedWindows(
  recognizer: CompiledRecognizer,
  value: string,
  refine: (value: string) => Span[],
  memos: Memos,
): Span[] {
  const accepted: Span[] = [];
  for (const window of refine(value)) {
    if (!validated(recognizer, value.slice(window[0], window[1]), memos.answers)) continue;
    accepted.push(window);
    if (recognizer.refineAlternatives) break;
  }
  return accepted;
}

/** The accepted candidates inside one match span: the refiner's windows (or the span), each validated. */
function candidatesIn(
  recognizer: CompiledRecognizer,
  bytes: Buffer,
  span: Span,
  memos: Memos,
  asciiText: string | undefined,
): readonly Match[] {
  const value = asciiText === undefined ? bytes.toString('utf8', span[0], span[1]) : asciiText.slice(span[0], span[1]);
  const { refine } = recognizer;
  if (refine === undefined) {
    return validated(recognizer, value, memos.answers)
      ? [{ recognizer, startByte: span[0], endByte: span[0] + byteLengthOf(value, asciiText), value }]
      : NONE;
  }
  let windows = memos.windows?.get(value);
  if (windows === undefined) {
    windows = acceptedWindows(recognizer, value, refine, memos);
    memos.windows?.set(value, windows);
  }
  if (windows.length === 0) return NONE;
  // An ASCII run (digit groups: most refined runs) has byte offsets equal to its UTF-16 offsets; measuring each
  // window's prefix instead would be quadratic in a long run.
  const ascii = span[1] - span[0] === value.length;
  const byteAt = (at: number) => span[0] + (ascii ? at : Buffer.byteLength(value.slice(0, at), 'utf8'));
  return windows.map(([start, end]) => ({
    recognizer,
    startByte: byteAt(start),
    endByte: byteAt(end),
    value: value.slice(start, end),
  }));
}

function isWordByte(byte: number | undefined): boolean {
  return (
    byte !== undefined &&
    ((byte >= 0x30 && byte <= 0x39) ||
      (byte >= 0x41 && byte <= 0x5a) ||
      (byte >= 0x61 && byte <= 0x7a) ||
      byte === 0x5f)
  );
}

/** The first position in [from, limit] where a word starts or a non-word byte is (limit when none before it). */
function nextTokenStart(bytes: Buffer, from: number, limit: number): number {
  for (let p = from; p < limit; p += 1) {
    if (!isWordByte(bytes[p]) || !isWordByte(bytes[p - 1])) return p;
  }
  return limit;
}

/**
 * The leftmost match at or after byte `from` with the span of the recognizer's group, by one `exec` (~5 µs). On a
 * Buffer subject index and match are bytes. A group's span is where its bytes occur in the match when they occur
 * there once; otherwise (or for an empty group) an exec with indices ('d', ~3 µs more) says where.
 */
export function execFrom(
  recognizer: CompiledRecognizer,
  bytes: Buffer,
  from: number,
): { whole: Span; span: Span | undefined } | null {
  const { regex, group } = recognizer;
  regex.lastIndex = from;
  const m = regex.exec(bytes);
  if (m === null) return null;
  const value = m[0] as unknown as Buffer;
  const whole: Span = [m.index, m.index + value.length];
  if (group === 0) return { whole, span: whole };
  const part = (m as unknown as (Buffer | undefined)[])[group];
  if (part === undefined) return { whole, span: undefined };
  const at = part.length === 0 ? -1 : value.indexOf(part);
  if (at >= 0 && value.lastIndexOf(part) === at) return { whole, span: [m.index + at, m.index + at + part.length] };
  const { indexed } = recognizer;
  indexed.lastIndex = from;
  const d = indexed.exec(bytes);
  return d === null ? null : { whole, span: d.indices?.[group] };
}

/**
 * The same as execFrom for a whole-match recognizer, without building a match object (most of exec's cost): a
 * sticky test at `from`, else `search` on the bytes after it (whose offsets past 0 see their true left context),
 * then a sticky test at the start found, whose lastIndex is the end. A search that finds only its own start (which
 * sees no left context) moves one code point on, a few times; anything else unexpected falls back to exec.
 */
export function wholeMatchFrom(
  recognizer: CompiledRecognizer,
  bytes: Buffer,
  from: number,
): { whole: Span; span: Span } | null {
  if (from > bytes.length) return null;
  const { sticky } = recognizer;
  // No match starts in [from, at): each position was tested sticky, with its true left context.
  let at = from;
  for (let step = 0; step < SUBARRAY_STEPS && at <= bytes.length; step += 1) {
    sticky.lastIndex = at;
    if (sticky.test(bytes)) return { whole: [at, sticky.lastIndex], span: [at, sticky.lastIndex] };
    const offset = recognizer.regex.search(bytes.subarray(at));
    if (offset < 0) return null;
    if (offset > 0) {
      sticky.lastIndex = at + offset;
      if (sticky.test(bytes)) return { whole: [at + offset, sticky.lastIndex], span: [at + offset, sticky.lastIndex] };
      break;
    }
    // A match at the very start of the subarray that the full text does not allow (`\b`, `^`: a name's lead `^ ?`
    // at every name of "Ab Ab Ab …"): the next code point, up to SUBARRAY_STEPS times, then exec.
    at += utf8SequenceLength(bytes[at] ?? 0);
  }
  const found = execFrom(recognizer, bytes, from);
  return found === null || found.span === undefined ? null : { whole: found.whole, span: found.span };
}

/** How many code points wholeMatchFrom steps past a subarray's false match at its start before it asks exec. */
const SUBARRAY_STEPS = 4;

/** Whether a sticky test of `regex` at byte `at` matches; the end of the match, or -1. */
function stickyEnd(regex: RE2, bytes: Buffer, at: number): number {
  regex.lastIndex = at;
  return regex.test(bytes) ? regex.lastIndex : -1;
}

/**
 * The same as execFrom for `A(G)B`: the whole match as in wholeMatchFrom, then A's preferred match from its start,
 * G's from there and B's from there. When all three match and B ends where the match ends, this is the match
 * RE2 reports (leftmost-first takes the first choice of A that lets G and B match), so G's span is the group's.
 */
export function splitMatchFrom(
  recognizer: CompiledRecognizer,
  bytes: Buffer,
  from: number,
): { whole: Span; span: Span | undefined } | null {
  const parts = recognizer.parts;
  const found = parts === undefined ? undefined : wholeMatchFrom(recognizer, bytes, from);
  if (parts === undefined || found === undefined) return execFrom(recognizer, bytes, from);
  if (found === null) return null;
  const [start, end] = found.whole;
  const groupStart = parts.before === undefined ? start : stickyEnd(parts.before, bytes, start);
  const groupEnd = groupStart < 0 ? -1 : stickyEnd(parts.group, bytes, groupStart);
  const after = groupEnd < 0 || parts.after === undefined ? groupEnd : stickyEnd(parts.after, bytes, groupEnd);
  if (groupEnd < 0 || after !== end) return execFrom(recognizer, bytes, from);
  return { whole: found.whole, span: [groupStart, groupEnd] };
}

/** After a refined run's end, a space and a capital letter (ASCII, or a UTF-8 lead byte of Latin letters). */
function runGoesOn(bytes: Buffer, end: number): boolean {
  const next = bytes[end + 1];
  return (
    bytes[end] === 0x20 && next !== undefined && ((next >= 0x41 && next <= 0x5a) || (next >= 0xc3 && next <= 0xc5))
  );
}

/** Where a search takes a word at `wordStart` with its lead (the code point and space before it, as the pattern's). */
function leadOf(bytes: Buffer, wordStart: number): number {
  let p = wordStart - 2;
  while (p > 0 && ((bytes[p] as number) & 0xc0) === 0x80) p -= 1;
  return p;
}

/** The lead of the run's last word; past the run when it has one word. */
function lastWordLead(bytes: Buffer, span: Span): number {
  const space = bytes.lastIndexOf(0x20, span[1] - 1);
  return space <= span[0] ? span[1] : leadOf(bytes, space + 1);
}

/**
 * The lead of the first accepted window when it starts after the run's first word (it may go on past the cut:
 * 'Ann Maria' of 'Ann Ann Ann Maria Garcia'); otherwise the end of the last accepted one, as for a whole run.
 */
function laterWindowLead(bytes: Buffer, span: Span, accepted: readonly Match[], matchEnd: number): number {
  const first = accepted.reduce((least, a) => Math.min(least, a.startByte), span[1]);
  if (first > span[0]) return leadOf(bytes, first);
  const lastEnd = accepted.reduce((most, a) => Math.max(most, a.endByte), 0);
  return lastEnd < matchEnd ? lastEnd : leadOf(bytes, span[1] + 1);
}

/** A recognizer's RE2 search as a finder's Searcher (one bound function a recognizer, made on its first use). */
const searchers = new WeakMap<RE2, (bytes: Buffer) => number>();
function search(r: CompiledRecognizer): (bytes: Buffer) => number {
  let found = searchers.get(r.regex);
  if (found === undefined) {
    const { regex } = r;
    found = (bytes: Buffer) => regex.search(bytes);
    searchers.set(regex, found);
  }
  return found;
}

/**
 * The matches of `recognizer` in `bytes`, as the search loop below finds them. `reach` `near` (the classifier's): a
 * recognizer that requires context and matches within one token (compile.ts tokenMatches) is searched only in the
 * windows around its context words (contextWindows), where every match that hasContext can keep lies; `whole` (a
 * stream's holds, which must see a name before its words arrive): everywhere. `asciiText`, when given, MUST be the text
 * `bytes` encode and ASCII (its offsets are the bytes'): values are sliced from it, not decoded (a native call each).
 */
export function matchesOf(
  recognizer: CompiledRecognizer,
  bytes: Buffer,
  memo?: ValidationMemo,
  reach: 'near' | 'whole' = 'near',
  asciiText?: string,
): Match[] {
  const matches: Match[] = [];
  const memos: Memos = {
    answers: memoOf(memo, recognizer.validate),
    windows: recognizer.refine === undefined ? undefined : memoOf(memo, recognizer),
  };
  const native = recognizer.group === 0 ? wholeMatchFrom : splitMatchFrom;
  const { finder } = recognizer;
  const searcher = finder === undefined ? undefined : search(recognizer);
  const next =
    finder === undefined
      ? native
      : (r: CompiledRecognizer, b: Buffer, at: number) => {
          const found = finder(b, at, searcher);
          return found === undefined ? native(r, b, at) : found; // null: no match (undefined: RE2 decides)
        };
  let regionStart = 0;
  let regionEnd = 0;
  let regionRescanned = 0;
  let from = 0;
  // No match starts more than `before` bytes ahead of its anchor's next occurrence (anchors.ts), and none after the
  // last one: the search starts there, and stops where none is left instead of reading the rest of the text.
  const { anchor } = recognizer;
  const windows = recognizer.tokenMatches && reach === 'near' ? contextWindows(recognizer, bytes) : undefined;
  let window = windows?.();
  for (;;) {
    if (windows !== undefined) {
      while (window !== undefined && window[1] <= from) window = windows();
      if (window === undefined) break;
      // From the start of the token holding the window's start: a match that starts before it ends before it.
      if (from < window[0]) from = tokenStart(bytes, window[0], from);
    }
    if (anchor !== undefined) {
      const at = bytes.indexOf(anchor.literal, from);
      if (at < 0) break;
      if (at - anchor.before > from) {
        from = at - anchor.before;
        while (from > 0 && ((bytes[from] as number) & 0xc0) === 0x80) from -= 1; // a code point's first byte
      }
    }
    const searchedFrom = from;
    const m = next(recognizer, bytes, from);
    if (m === null) break;
    const { whole, span } = m;
    const [matchStart, matchEnd] = whole;
    if (window !== undefined && matchStart >= window[1]) {
      from = matchStart; // past this window: found again from the next one's start, or skipped
      continue;
    }
    from = matchEnd;
    const nextCodePoint = matchStart + utf8SequenceLength(bytes[matchStart] ?? 0);
    if (matchEnd === matchStart) {
      // An empty match does not advance lastIndex; step over one whole code point.
      if (nextCodePoint > bytes.length) break;
      from = nextCodePoint;
      continue;
    }
    const accepted =
      span === undefined || span[1] === span[0] ? NONE : candidatesIn(recognizer, bytes, span, memos, asciiText);
    for (const a of accepted) matches.push(a);
    // A rejected match must not hide a valid one that starts inside it: search again one code point later, or at
    // the next token start when the pattern cannot start inside a word (each search is a native call of a few µs).
    let restartAt = -1;
    if (accepted.length === 0 && recognizer.refine === undefined) {
      restartAt = recognizer.startsAtToken ? nextTokenStart(bytes, nextCodePoint, matchEnd) : nextCodePoint;
      if (matchStart >= regionEnd) {
        regionStart = matchStart;
        regionRescanned = 0;
      }
      regionEnd = Math.max(regionEnd, matchEnd);
      const rescan = matchEnd - restartAt;
      const share = rescan > REJECTED_RESCAN_PER_BYTE ? LONG_RESCAN_PER_BYTE : REJECTED_RESCAN_PER_BYTE;
      if (regionRescanned + rescan > share * (regionEnd - regionStart)) restartAt = -1;
    }
    if (restartAt >= 0) {
      regionRescanned += matchEnd - restartAt;
      rejectedRestarts.restarts += 1;
      rejectedRestarts.rescanned += matchEnd - restartAt;
      from = restartAt;
    } else if (recognizer.refine !== undefined && span !== undefined && runGoesOn(bytes, span[1])) {
      // A run of words cut at the pattern's bound (a listed name's four words) goes on: a name may start inside the
      // cut run and end past it ('Please Call Back Today Maria Garcia'). Search again from a rejected run's last word,
      // from the first accepted window when it starts later, or from the word after an accepted run (its lead would
      // otherwise take that word): each word starts one candidate at most, so the cost stays linear.
      from = accepted.length === 0 ? lastWordLead(bytes, span) : laterWindowLead(bytes, span, accepted, matchEnd);
    } else if (recognizer.refine !== undefined && accepted.length > 0) {
      // The refiner looked at every candidate window of this run; after the last one it accepted, the rest of the
      // run may still hold a value that does not start at a window boundary (two IBANs in a row).
      const lastEnd = accepted.reduce((most, a) => Math.max(most, a.endByte), 0);
      if (lastEnd < matchEnd) from = lastEnd;
    } else if (span !== undefined && span[1] > matchStart && span[1] < matchEnd) {
      from = span[1]; // trailing context (a delimiter) may begin the next match
    }
    // Every search starts past the last one: a refined run whose accepted windows end before it (full-width card
    // digits in the digits view) sent it back to where it began, and the loop pushed the same matches for ever: a
    // 100-character prompt filled a 4 GiB heap (found by redaction.test.ts's property at fb0b443).
    if (from <= searchedFrom) from = Math.max(nextCodePoint, searchedFrom + 1);
  }
  return matches;
}
