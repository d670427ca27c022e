// What a stream holds of a private key in a key file read from a line or a member before it (recognizers-key-files.ts):
// a JWK's INI section from its anchor line (`[jwk]`, `kty = …`, `crv = …`) while a private member may still come,
// and while its value's after-context comes; an RSA member pair from its first member while the second may still
// come. Invariant: bounded: a section's lines at most SECTION_LINE_MOST characters each, a pair's values their sizes
// (counted in code: RE2 bounds a nested repetition's product at 1,000), so no line or value holds a stream to its limit.
import RE2 from 're2';
import {
  JWK_PRIVATE_KEY_SECTION,
  JWK_SECTION_OPENING,
  RSA_PAIR_OPENING,
  SECTION_LINE_MOST,
} from './recognizers-key-files.ts';

let sections: RE2 | undefined;
let sectionMatches: RE2 | undefined;
let pairs: RE2 | undefined;
/** A word a JWK section's anchor holds (JWK_SECTION_OPENING), and a value of an RSA pair's size (RSA_PAIR_OPENING). */
const SECTION_WORD = /kty|crv|jwk/i;
const PAIR_VALUE = /[A-Za-z0-9+/]{84}/;
/** Lines after a section's anchor an opening reads: its other lines and the member's (JWK_SECTION_OPENING). */
const SECTION_LINES_HELD = 7;

/**
 * Where a JWK section that may still lead to a private member opens (JWK_SECTION_OPENING up to the text's end, each
 * line after its anchor at most SECTION_LINE_MOST characters, the last one still arriving too), or -1. An opening with
 * a longer line is passed over and the search goes on after that line (a later anchor may open a section of its own).
 */
function sectionOpening(text: string): number {
  sections ??= new RE2(`(?:${JWK_SECTION_OPENING})$`, 'g');
  for (let at = 0; at < text.length; ) {
    sections.lastIndex = at;
    const m = sections.exec(text);
    if (m === null) return -1;
    const long = longLineIn(m[0]);
    if (long < 0) return m.index;
    at = m.index + long + 1;
  }
  return -1;
}

/** Where the first line after the first one in `opening` longer than SECTION_LINE_MOST starts, or -1. */
function longLineIn(opening: string): number {
  let line = -1; // the anchor's line is bounded by its pattern
  for (let i = 0; i <= opening.length; i += 1) {
    const code = opening.charCodeAt(i);
    if (i < opening.length && code !== 0x0a && code !== 0x0d) continue;
    if (line >= 0 && i - line > SECTION_LINE_MOST) return line;
    line = i + 1;
  }
  return -1;
}

/**
 * Most characters of an RSA pair's first value a stream holds (RSA-8192's `n` is 1,366), and of its second while the
 * pair is not yet a valid match (the pattern's match from 84 characters is held as one): past them the first member is
 * released, so a long base64 run under `d:` (an image) never holds the stream to its limit. Counted in code: the
 * same bounds as RE2 repetitions made a search of a 2 KB text ~300 ms.
 */
const PAIR_FIRST_MOST = 1400;
const PAIR_SECOND_MOST = 1084;
/** A value's run in an opening (a short member's value and a comment are shorter). */
const PAIR_RUN = /[A-Za-z0-9+/]{84,}/g;

/**
 * Where an RSA pair that may still come opens (RSA_PAIR_OPENING up to the text's end, its values within their bounds),
 * or -1. A first member whose values run past the bounds is passed over, and the search goes on after its value (the
 * second member may open a pair of its own).
 */
function pairOpening(text: string): number {
  pairs ??= new RE2(`(?:${RSA_PAIR_OPENING})$`, 'g');
  for (let at = 0; at < text.length; ) {
    pairs.lastIndex = at;
    const m = pairs.exec(text);
    if (m === null) return -1;
    const runs = [...m[0].matchAll(PAIR_RUN)];
    const first = runs[0];
    if (first === undefined) return m.index; // never: an opening's first value is such a run
    const second = runs.length > 1 ? runs[runs.length - 1] : undefined;
    if (first[0].length <= PAIR_FIRST_MOST && (second === undefined || second[0].length <= PAIR_SECOND_MOST)) {
      return m.index;
    }
    at = m.index + first.index + first[0].length;
  }
  return -1;
}

/**
 * Characters back from the text's end a section's match is looked for (its anchor, seven lines of SECTION_LINE_MOST
 * and the member's line), and after its end it is held.
 */
const SECTION_REACH = (SECTION_LINES_HELD + 1) * (SECTION_LINE_MOST + 64);
const SECTION_AFTER = 256;

/**
 * Where a JWK section that the text holds whole opens, when it ends within SECTION_AFTER of the text's end, or the
 * text's length. The stream holds such a section's value while its after-context may come (stream-hold.ts matchHolds,
 * from the finding: the value); its anchor line must stay with it, or the value is read again without the section
 * (the look-behind keeps 64 characters) and released unread (review s13: a section with kid lines between).
 */
function sectionJustRead(text: string): number {
  sectionMatches ??= new RE2(JWK_PRIVATE_KEY_SECTION.pattern, 'g');
  sectionMatches.lastIndex = Math.max(0, text.length - SECTION_REACH);
  for (let m = sectionMatches.exec(text); m !== null; m = sectionMatches.exec(text)) {
    if (text.length - (m.index + m[0].length) < SECTION_AFTER) return m.index;
  }
  return text.length;
}

/**
 * Where a key file's key that may still come opens (a JWK section, an RSA pair), or where a section just read whole
 * opens while its value's after-context comes: the text's length when none. Each searched only when its text may
 * hold one: a section's anchor word, a pair's value of 84 characters.
 */
export function keyFileFrom(text: string): number {
  let from = text.length;
  if (SECTION_WORD.test(text)) {
    const opened = sectionOpening(text);
    if (opened >= 0) from = Math.min(from, opened);
    from = Math.min(from, sectionJustRead(text));
  }
  if (PAIR_VALUE.test(text)) {
    const opened = pairOpening(text);
    if (opened >= 0) from = Math.min(from, opened);
  }
  return from;
}
