// Literals that every match of a built-in pattern holds, near its start: where a text holds none, the pattern's set
// and its search need not read it (recognizer-sets.ts, matching.ts); and finders that read a built-in pattern in
// JavaScript instead of RE2 (person-name-finder.ts). Kept for the built-in definitions only (by identity): a custom
// recognizer's declared literal could be wrong, and a wrong one would skip its values.
import { type Finder, singleNameFrom } from './person-name-finder.ts';
import { listedNameFrom } from './person-name-listed-finder.ts';
import { PERSON_NAME_LISTED, PERSON_NAME_SINGLE } from './person-names.ts';
import { EMAIL } from './recognizers-pii.ts';
import { URL_PASSWORD } from './recognizers-secrets.ts';
import type { RecognizerDefinition } from './types.ts';

/**
 * Every match of the pattern holds `literal` (UTF-8) starting at most `before` bytes after the match's start, and
 * ends at most `after` bytes after that literal's start; the byte before the match and the one after it (what `\b`
 * reads) lie within one byte more on each side. So no match starts more than `before` bytes ahead of the literal's
 * next occurrence, and every match lies in [occurrence - before - 1, occurrence + after + 1) of one occurrence.
 */
export interface Anchor {
  literal: Buffer;
  before: number;
  after: number;
}

export const BUILT_IN_ANCHORS: ReadonlyMap<RecognizerDefinition, Anchor> = new Map([
  // `\b[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@` then at most 8 labels of 63 and a dot, and a last label of 63.
  [EMAIL, { literal: Buffer.from('@'), before: 64, after: 1 + 8 * 64 + 63 }],
  // A scheme of 2-21 ASCII characters, then `://`, a user of 64 characters, `:`, a password of 128, `@` and one host
  // character: RE2 counts the user's and password's characters as code points, up to 4 bytes each (review s10).
  [URL_PASSWORD, { literal: Buffer.from('://'), before: 21, after: 3 + 4 * 64 + 1 + 4 * 128 + 1 + 1 }],
]);

/**
 * Built-in recognizers that report only with a context word in reach (requireContext) and whose every match lies in one
 * token: a word of letters, `'`, `’` and `-`, and one delimiter after it (at most `'s`/`’s`), so no match crosses an
 * ASCII byte that is no letter, digit, `'` or `-`. Their search reads only the bytes around their context words
 * (matching.ts contextWindows): a match elsewhere has none in reach and is dropped by hasContext anyway.
 */
export const BUILT_IN_TOKEN_MATCHES: ReadonlySet<RecognizerDefinition> = new Set([PERSON_NAME_SINGLE]);

/**
 * PERSON_NAME_SINGLE: every capitalised word is a candidate, ~5 native calls each by RE2 (person-name-finder.ts);
 * PERSON_NAME_LISTED: every run of them, ~6 native calls each, now one search (person-name-listed-finder.ts).
 */
export const BUILT_IN_FINDERS: ReadonlyMap<RecognizerDefinition, Finder> = new Map([
  [PERSON_NAME_SINGLE, singleNameFrom],
  [PERSON_NAME_LISTED, listedNameFrom],
]);
