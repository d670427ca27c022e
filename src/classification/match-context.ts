// The words around a match: whether a recognizer's context words are in reach of it (hasContext), and whether an
// exclusion word just before it or an exclusion phrase right before it (a place's name: "lives in New ") rules it out
// (isExcluded). Invariants: every look is a bounded slice of the text around the match (EXCLUDE_BEFORE,
// ADJACENT_BEFORE, a recognizer's context reach, a table's header line: table-context.ts MAX_LINE), matched by one regular expression per word list built once. Context
// words are found as context-words.ts says (in identifiers too: `social_security_number`, `ssnValue`); exclusion words
// only between non-letters, so no identifier widens an exclusion. A table's cell is also in its column header's
// context (table-context.ts).
import type { CompiledRecognizer } from './compile.ts';
import { contextWordTest, foldDottedCapitals } from './context-words.ts';
import { opensCompany, opensFullName } from './person-names.ts';
import { escapeRegExp } from './prefix-patterns.ts';
import { headerOfCell } from './table-context.ts';

/**
 * Whether any of `words` occurs in `haystack` not glued to ASCII letters (so 'cc' is not found in 'account'), by one
 * regular expression per word list: a recognizer with a hundred exclusion words pays one native scan of a few dozen
 * characters per candidate, not a hundred indexOf loops. Built once per list (the compiled recognizer's frozen array).
 */
const wordMatchers = new WeakMap<readonly string[], RegExp>();
function containsAnyWord(haystack: string, words: readonly string[]): boolean {
  if (words.length === 0) return false;
  let matcher = wordMatchers.get(words);
  if (matcher === undefined) {
    const alternatives = [...words].sort((a, b) => b.length - a.length).map(escapeRegExp);
    matcher = new RegExp(`(?<![A-Za-z])(?:${alternatives.join('|')})(?![A-Za-z])`);
    wordMatchers.set(words, matcher);
  }
  return matcher.test(haystack);
}

/** How close before a match an exclusion word (excludeWords) must be: the words just before it. */
export const EXCLUDE_BEFORE = 24;

/** Clause text shorter than this after a sentence end or line break ("It's ", "DOB:\n") reaches back one clause. */
const SHORT_CLAUSE = 16;

/**
 * Where the clause that ends `before` starts: after the last "; ", ", ", line break or sentence end. A ". " after an
 * abbreviation (a word of three letters or fewer, or one with dots inside: "D.O.B.", "geb.", "No.") ends no sentence.
 */
function lastCut(before: string, until: number): { at: number; sentence: boolean } {
  for (let i = until - 1; i >= 0; i -= 1) {
    const char = before[i];
    if (char === '\n') return { at: i, sentence: true };
    const next = before[i + 1];
    if (next !== ' ' && next !== '\t') continue;
    if (char === ';' || char === ',') return { at: i, sentence: false };
    if (char === '!' || char === '?') return { at: i, sentence: true };
    if (char === '.') {
      let start = i;
      while (start > 0 && before[start - 1] !== ' ' && before[start - 1] !== '\n') start -= 1;
      const word = before.slice(start, i);
      if (word.length > 3 && !word.includes('.')) return { at: i, sentence: true };
    }
  }
  return { at: -1, sentence: false };
}

/**
 * The part of `before` in the match's clause, or the one before too when the match's own clause is short and that
 * one holds no digits.
 */
function clauseOf(before: string): string {
  const cut = lastCut(before, before.length);
  if (cut.at < 0) return before;
  if (cut.sentence && before.length - cut.at - 1 <= SHORT_CLAUSE) {
    // Only a clause without digits ("your date of birth"): after "DOB: 1984-07-02." the label was that date's.
    const previous = lastCut(before, cut.at);
    const clause = before.slice(previous.at + 1);
    if (![...clause.slice(0, cut.at - previous.at - 1)].some((c) => c >= '0' && c <= '9')) return clause;
  }
  return before.slice(cut.at + 1);
}

/**
 * The words that may stand between an adjacent exclusion phrase and the match and keep the match part of the phrase's
 * place: capitalised or numbered words of a place's name (`New`, `Sainte`, `6-4`, `Hanno-Wulf-`, `St.`) and its
 * articles and particles (`the`, `de`, `sur`). Any other word (`with`, `and`) or punctuation ends the place.
 */
const PLACE_JOINERS = new Set(
  'the a an de da das do dos del la las le les los du di van von der den sur am im on'.split(' '),
);
const PLACE_WORD = /^(?:[\p{Lu}\d][\p{L}\d'’-]*|[\p{Lu}][\p{L}]{0,2}\.)$/u;

/**
 * Whether one of `phrases` (lower case, matched in any case) in `before` is followed up to its end only by spaces and
 * words of a place's name (PLACE_JOINERS, PLACE_WORD), the last one ending in a space or hyphen: "based in Rocha das ",
 * "lives in New ", "lives at 6-4 Hanno-", not "go to Paris with " or "went to Lyon, ". Past a place's word, a full name
 * in `after` (opensFullName: "based in Berlin Anna Schmidt") is no more of the place, unless the phrase is one word (a
 * street word: "Lagoa Luiz Otávio Moura" is a street). One regular expression per list
 * finds the phrases (built once); `before` is a few dozen characters.
 */
const adjacentMatchers = new WeakMap<readonly string[], RegExp>();
function endsWithAnyPhrase(before: string, phrases: readonly string[], after: string): boolean {
  let matcher = adjacentMatchers.get(phrases);
  if (matcher === undefined) {
    const alternatives = phrases.map(escapeRegExp);
    matcher = new RegExp(`(?<![A-Za-z])(?:${alternatives.join('|')})(?=[\\s,])`, 'gi');
    adjacentMatchers.set(phrases, matcher);
  }
  matcher.lastIndex = 0;
  for (let m = matcher.exec(before); m !== null; m = matcher.exec(before)) {
    // A street word (one word) rules the address it starts: its name's run ("Lagoa Luiz Otávio Moura"), and the
    // places after its commas and line breaks ("Camino Cayetana Aliaga, Burgos"). A place phrase ends at either.
    const street = !m[0].includes(' ');
    const rest = before.slice(m.index + m[0].length).trim();
    if (rest === '' || (street && /^[\s,]*$/.test(rest))) return true;
    if (!/[\s-]$/.test(before)) continue;
    const words = rest.split(street ? /[\s,]+/ : /[ \t]+/).filter((w) => w !== '');
    if (!words.every((w) => PLACE_JOINERS.has(w) || PLACE_WORD.test(w))) continue;
    if (!street && !PLACE_JOINERS.has(words[words.length - 1] as string) && opensFullName(after)) continue;
    return true;
  }
  return false;
}

/** How far before a value an adjacent exclusion phrase is looked for: a street word, its name and a comma. */
const ADJACENT_BEFORE = 40;
/** How far from a name's start a company's legal form is looked for (opensCompany). */
const COMPANY_AFTER = 80;

/**
 * An exclusion word (excludeWords) among the words just before the match, within its clause when contextInClause,
 * or an adjacent exclusion phrase (excludeAdjacent) right before it; for a name's recognizers, a company's name
 * starting at it.
 */
export function isExcluded(text: string, lower: string | undefined, start: number, r: CompiledRecognizer): boolean {
  if (r.excludeWords.length === 0 && r.excludeAdjacent.length === 0) return false;
  const from = Math.max(0, start - EXCLUDE_BEFORE);
  let near = lower === undefined ? text.slice(from, start).toLowerCase() : lower.slice(from, start);
  if (r.excludeAdjacent.length > 0) {
    // A name's recognizers: a capital inside a word or a token is no name's start (`ECcrv`: two JSON strings a joined
    // reading glued, `"EC"` then `"crv"`; `fooMaria`; `…DC4Zvdety`, `…ZLZ_V` + `crv` in a random base64url value: ~4
    // public P-521 JWKs in 600 had a PERSON_NAME). PERSON_NAME_SINGLE's pattern has no lead.
    if (start > 0 && insideToken(text, start)) return true;
    const before = text.slice(Math.max(0, start - ADJACENT_BEFORE), start);
    if (endsWithAnyPhrase(before, r.excludeAdjacent, text.slice(start, start + EXCLUDE_BEFORE))) return true;
    // A name's recognizers (the only ones with adjacent phrases) also skip a company's name ("Kraft Heinz Co").
    if (opensCompany(text.slice(start, start + COMPANY_AFTER))) return true;
  }
  if (r.contextInClause) near = clauseOf(near);
  return containsAnyWord(near, r.excludeWords);
}

/** A token's run before a `-` or `_` that may make a capital after it a piece of the token (insideToken). */
const TOKEN_RUN = 16;
/** How far back insideToken reads that run for a piece of base64url. */
const TOKEN_REACH = 32;

/**
 * Whether the word at `start` is glued inside a token: right after a letter or a digit, or after `-` or `_` that
 * ends a run of at least TOKEN_RUN letters, digits, `-` and `_` holding a piece between two `-`/`_` that mixes cases
 * as no word or id does (isRandomPiece: `DC4Zvdety`, `AzxzzBjLZ`; random base64url of a public JWK). An id's pieces
 * are of one case and digits, or one capitalised word (`ticket-2024-0193-`, `invoice-INV2024000193-`,
 * `Anna-Maria-`): a name after them starts a name. Reading up to TOKEN_REACH back, ~4 random base64url `-X`/`_X` in
 * 100,000 hold no such piece (the rule before, a digit or a small-then-capital pair in 16: ~1 in 10,000).
 */
function insideToken(text: string, start: number): boolean {
  const lead = text.charCodeAt(start - 1);
  if (isLetterCode(lead) || isDigitCode(lead)) return true;
  if (lead !== 0x2d && lead !== 0x5f) return false;
  const end = start - 1;
  let from = end;
  while (from > 0 && end - from < TOKEN_REACH && isTokenCode(text.charCodeAt(from - 1))) from -= 1;
  if (end - from < TOKEN_RUN) return false;
  let piece = from;
  for (let i = from; i <= end; i += 1) {
    const c = i < end ? text.charCodeAt(i) : 0x2d;
    if (c !== 0x2d && c !== 0x5f) continue;
    if (isRandomPiece(text, piece, i)) return true;
    piece = i + 1;
  }
  return false;
}

/**
 * Whether [from, to) mixes small letters and capitals other than as one capitalised word (`Maria`): a capital after
 * its first character, or a digit beside both cases.
 */
function isRandomPiece(text: string, from: number, to: number): boolean {
  let small = false;
  let capitals = 0;
  let digit = false;
  for (let i = from; i < to; i += 1) {
    const c = text.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) small = true;
    else if (c >= 0x41 && c <= 0x5a) capitals += i === from ? 1 : 2;
    else digit = true;
  }
  return small && capitals > 0 && (digit || capitals > 1);
}

function isTokenCode(c: number): boolean {
  return isDigitCode(c) || isAsciiLetterCode(c) || c === 0x2d || c === 0x5f;
}

function isDigitCode(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isAsciiLetterCode(c: number): boolean {
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x7a;
}

/** A letter a name's word may hold (person-names.ts LOWER/UPPER): ASCII, Latin-1's, the Latin blocks'. */
function isLetterCode(c: number): boolean {
  const lower = c | 0x20;
  if (lower >= 0x61 && lower <= 0x7a) return true;
  return (c >= 0xc0 && c <= 0x24f && c !== 0xd7 && c !== 0xf7) || (c >= 0x1e00 && c <= 0x1eff);
}

function isAsciiLetter(text: string, i: number): boolean {
  const c = text.charCodeAt(i) | 0x20;
  return c >= 0x61 && c <= 0x7a;
}

function isAsciiCapital(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0x41 && c <= 0x5a;
}

/**
 * Whether offset `i` lies inside a word, between two ASCII letters that are no camelCase hump (context-words.ts): a
 * window's edge there would cut it (the tail of "cache" is not the word "he"), at a hump it would not (`…Security`).
 */
function cutsWord(text: string, i: number): boolean {
  if (!isAsciiLetter(text, i - 1) || !isAsciiLetter(text, i)) return false;
  if (!isAsciiCapital(text, i)) return true;
  if (!isAsciiCapital(text, i - 1)) return false; // aB
  return !(isAsciiLetter(text, i + 1) && !isAsciiCapital(text, i + 1)); // ABc: a hump before B
}

const contextTests = new WeakMap<readonly string[], (text: string, lower: string, label?: boolean) => boolean>();

/**
 * Whether any of `words` stands in `haystack` (`lower`: lower-cased, `İ` as `i`) as context-words.ts reads them;
 * `label`: the haystack is a column's header, where an everyday word (`tin`) counts in any case.
 */
function containsContextWord(haystack: string, lower: string, words: readonly string[], label = false): boolean {
  let test = contextTests.get(words);
  if (test === undefined) {
    test = contextWordTest(words);
    contextTests.set(words, test);
  }
  return test(haystack, lower, label);
}

/**
 * Whether a context word of `r` stands within its reach before (within the match's clause when contextInClause) or
 * after [start, end) of `text`, in any case and in identifiers (context-words.ts). `lower` is the whole text
 * lower-cased when that keeps offsets (NormalizedText.simple: no `İ`), else undefined.
 */
export function hasContext(
  text: string,
  lower: string | undefined,
  start: number,
  end: number,
  r: CompiledRecognizer,
): boolean {
  if (r.contextWords.length === 0) return false;
  // A window's edges do not cut a word: the tail of "cache" or the head of "history" is not the word "he" or "his".
  let from = Math.max(0, start - r.contextBefore);
  while (from > 0 && from < start && cutsWord(text, from)) from += 1;
  let to = Math.min(text.length, end + r.contextAfter);
  while (to < text.length && to > end && cutsWord(text, to)) to -= 1;
  const lowered = (a: number, b: number) =>
    lower === undefined ? foldDottedCapitals(text.slice(a, b)).toLowerCase() : lower.slice(a, b);
  let before = text.slice(from, start);
  let beforeLower = lowered(from, start);
  if (r.contextInClause) {
    // The clause's start is found on the text as written: lower-casing keeps every character the cut reads.
    before = clauseOf(before);
    beforeLower = beforeLower.slice(beforeLower.length - before.length);
  }
  if (
    containsContextWord(before, beforeLower, r.contextWords) ||
    containsContextWord(text.slice(end, to), lowered(end, to), r.contextWords)
  ) {
    return true;
  }
  // A table's cell: its column's header (table-context.ts), where context decides whether there is a finding at all
  // (requireContext: nine bare digits under `ssn`). Not for a score (a stream, which reads no table, would score a
  // finding lower than the whole text: a JSON object's lines read as a table of one comma); not for a token
  // recognizer: its search reads only the bytes around its words (context-windows.ts).
  const header = r.tokenMatches || !r.requireContext ? undefined : headerOfCell(text, start, end);
  if (header === undefined) return false;
  return containsContextWord(header, foldDottedCapitals(header).toLowerCase(), r.contextWords, true);
}
