// The released text a stream scanner keeps as leading context: its normalised tail, still cut into the runs it came
// in (an answer's text, a field's value, a tool call's arguments). Each run stays a segment of its own, as the
// classifier reads the whole answer: a context word that starts a run (`ssn 219099999` after the chat's id and model)
// is a word there, not the tail of `cmssn`. Invariants: `runs[0].at` is 0 whenever the text is not empty, run starts
// increase, and the kept text is at least `count` characters of the released text's end when it has that many.
import { normalizeText } from './normalize.ts';
import type { KeptHeader } from './stream-table-header.ts';

/** Where a run starts (an offset into the text it belongs to) and its name (a channel, `field:<path>`, `….name`). */
export interface RunStart {
  at: number;
  run: string | undefined;
}

export interface KeptContext {
  /** Normalised, so zero-width characters cannot push context words out of the look-behind. */
  text: string;
  runs: RunStart[];
}

/**
 * How much further back than the look-behind the kept context may start, to start just after whitespace: there the
 * text's start (`\b`, `^`) means what the whitespace before it meant, so no match can begin in the middle of a
 * released word (a run longer than this without whitespace may still be cut; a match found there is reported,
 * never dropped: over-redaction, not a leak).
 */
export const CONTEXT_SEARCH = 256;

/**
 * Most runs the kept context keeps apart: each is classified as a segment on every release, so a hostile upstream
 * alternating runs a character at a time would multiply each push's cost. Earlier runs are kept as one (the first of
 * them names it), as all of the context was before runs were kept apart.
 */
export const MAX_CONTEXT_RUNS = 8;

function isWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Where the kept context starts in `released`: at least `count` units back, after whitespace when one is near. */
function contextStart(released: string, count: number): number {
  let from = Math.max(0, released.length - count);
  for (let at = from, floor = Math.max(0, from - CONTEXT_SEARCH); at >= floor; at -= 1) {
    if (at === 0 || isWhitespace(released.charCodeAt(at - 1))) {
      from = at;
      break;
    }
  }
  return from < released.length && isLowSurrogate(released.charCodeAt(from)) ? from + 1 : from;
}

/**
 * The context to keep once `text` (its runs starting at `starts`, `starts[0].at` 0) is released up to `cut`: at least
 * `count` normalised characters of its end, each run normalised on its own and kept as a run. With a table's header
 * (stream-table-header.ts): the header, then the released text from `table.from` (a row's start), the header in the
 * first run kept.
 */
export function keptContext(
  text: string,
  starts: readonly RunStart[],
  cut: number,
  count: number,
  table?: KeptHeader,
): KeptContext {
  // Runs are read from the end back only as far as the context can reach (the search for whitespace included).
  const reach = count + CONTEXT_SEARCH + 1;
  const pieces: { text: string; run: string | undefined }[] = [];
  let length = 0;
  for (let k = starts.length - 1; k >= 0 && (table !== undefined || length < reach); k -= 1) {
    const start = starts[k] as RunStart;
    if (start.at >= cut) continue;
    const end = Math.min(starts[k + 1]?.at ?? cut, cut);
    const at = table === undefined ? start.at : Math.max(start.at, table.from);
    if (at < end) {
      const piece = normalizeText(text.slice(at, end)).text;
      if (piece.length > 0) pieces.unshift({ text: piece, run: start.run });
      length += piece.length;
    }
    if (table !== undefined && start.at <= table.from) break;
  }
  if (table !== undefined && pieces.length > 0) {
    (pieces[0] as { text: string }).text = table.header + (pieces[0] as { text: string }).text;
  }
  const joined = pieces.map((p) => p.text).join('');
  const from = table === undefined ? contextStart(joined, count) : 0;
  const runs: RunStart[] = [];
  let at = 0;
  for (const piece of pieces) {
    const end = at + piece.text.length;
    if (end > from) runs.push({ at: Math.max(0, at - from), run: piece.run });
    at = end;
  }
  // The earliest runs past the limit are kept as one: the first of them starts at 0 and reaches the next kept start.
  return {
    text: joined.slice(from),
    runs:
      runs.length > MAX_CONTEXT_RUNS
        ? runs.slice(runs.length - MAX_CONTEXT_RUNS).map((r, k) => (k === 0 ? { at: 0, run: runs[0]?.run } : r))
        : runs,
  };
}
