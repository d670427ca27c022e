// Where a token recognizer's matches may lie (matching.ts matchesOf, reach `near`): byte windows around its context
// words, found by one RE2 search a stretch of WORD_STRIDE bytes. Invariant: every match that hasContext
// (match-context.ts) can keep starts inside a window, and a match never crosses a byte that endsTokens, so a search
// from the start of the token holding a window's start (tokenStart) finds every such match.
import RE2 from 're2';
import type { CompiledRecognizer } from './compile.ts';
import { contextWordSource } from './context-words.ts';

/** A byte range [start, end). */
export type Span = readonly [number, number];

/**
 * Bytes a UTF-16 unit of the normalised text takes in UTF-8 at most: hasContext counts units, the search bytes.
 */
const UNIT_BYTES = 3;
/** Bytes a context word's search skips after each word it finds: one search per stretch, not per word (~1 µs each). */
const WORD_STRIDE = 1024;
/** The most bytes between a found context word's search offset and the word: its lead, one character. */
const LEAD_BYTES = 4;

const wordSearches = new WeakMap<CompiledRecognizer, RE2>();

/**
 * Where any context word of `r` may start, as hasContext reads them (context-words.ts contextWordSource: a hump or a
 * gap before it, the word's lead), and more: the slice before a match ends at the match's capital letter (`heKameta`:
 * a word there), and RE2's case folding takes a few more characters than Unicode's simple folding (`ſ`).
 */
function wordSearch(r: CompiledRecognizer): RE2 {
  let search = wordSearches.get(r);
  if (search === undefined) {
    search = new RE2([...new Set(r.contextWords)].map(contextWordSource).join('|'));
    wordSearches.set(r, search);
  }
  return search;
}

/**
 * The byte windows, in order and apart, where a match of `r` that hasContext keeps may start (undefined when none
 * is left). A word found at byte q keeps a match ending at most contextAfter units before the word (so starting at its
 * token, tokenStart) or starting at most contextBefore units after it, at most UNIT_BYTES bytes a unit; the words up to
 * WORD_STRIDE bytes after q are not looked for, their reach is taken whole.
 */
export function contextWindows(r: CompiledRecognizer, bytes: Buffer): () => Span | undefined {
  const search = wordSearch(r);
  const after = UNIT_BYTES * r.contextAfter + 2 * LEAD_BYTES;
  const before = UNIT_BYTES * r.contextBefore + LEAD_BYTES + 1;
  let at = 0;
  const wordFrom = (p: number) => {
    if (p >= bytes.length) return -1;
    const q = search.search(bytes.subarray(p));
    return q < 0 ? -1 : p + q;
  };
  return () => {
    let q = wordFrom(at);
    if (q < 0) return undefined;
    const start = Math.max(0, q - after);
    let end = q + WORD_STRIDE + before;
    for (;;) {
      at = q + WORD_STRIDE;
      q = wordFrom(at);
      if (q < 0 || q - after > end) break;
      end = q + WORD_STRIDE + before;
    }
    if (q >= 0)
      at = q; // the next window starts at this word
    else at = bytes.length;
    return [start, Math.min(end, bytes.length + 1)];
  };
}

/** A byte no match of a token recognizer holds or crosses: ASCII, no letter, `'` or `-`. */
function endsTokens(byte: number): boolean {
  return byte < 0x80 && byte !== 0x27 && byte !== 0x2d && !((byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7a);
}

/** The start of the token holding byte `at` (after the last byte before it that endsTokens), not before `floor`. */
export function tokenStart(bytes: Buffer, at: number, floor: number): number {
  let p = at;
  while (p > floor && !endsTokens(bytes[p - 1] as number)) p -= 1;
  return p;
}
