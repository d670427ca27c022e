// Which recognizers can report anything in a view, decided before any of them runs: the combined RE2 automata (sets)
// that say which patterns match somewhere in the bytes, and which context words occur in the text (a recognizer that
// requires context reports nothing without one). Built once per classifier; each answer is exact (a set reports every
// pattern that matches), so skipping the others loses nothing.
import RE2 from 're2';
import type { Anchor } from './anchors.ts';
import type { CompiledRecognizer } from './compile.ts';
import { ClassificationError } from './errors.ts';
import { contextWordSource } from './context-words.ts';

/**
 * Recognizers that scan one view, with the combined automata that say which of them can match at all: one RE2.Set
 * for most, one per type for recognizers marked `separateSet` (their automaton combined with the others' outgrows
 * RE2's DFA cache on a long text, which then runs at a few MB/s instead of hundreds). A view of at most
 * SMALL_VIEW_BYTES is matched by the sets of `small` instead: every member, in one set for the members without a long
 * counted run and a few for those with one (longRunChunks), the same answer (a set reports exactly the patterns that
 * match somewhere) in two or three native calls, not one per set.
 */
export interface RecognizerSet {
  candidates: CandidateSet[];
  /** Every member, in a few sets (longRunChunks): what a short view is matched by. */
  small: CandidateSet[] | undefined;
}

interface CandidateSet {
  set: InstanceType<typeof RE2.Set>;
  members: readonly { recognizer: CompiledRecognizer; index: number }[];
  /** Every member requires context: the set need not run when none of them may report (candidatesOf). */
  contextual: boolean;
  /** The anchor every member shares (anchors.ts): the set reads only the bytes around its occurrences. */
  anchor: Anchor | undefined;
}

/**
 * Views up to this many bytes are matched by one set of all members (RecognizerSet.small). Measured at 1-2 KB (names,
 * CJK, digits, hex, base64, mixed scripts): the one set costs as much as the main set alone, the split sets twice that.
 */
export const SMALL_VIEW_BYTES = 2048;

/**
 * The members of `sets` that can match `bytes` and that `mayReport` keeps, in definition order (one set for a short
 * view when it has one). A split set whose members all require context (dates of birth) is matched after the others,
 * and not at all when `wordsKnown()` says `mayReport` has read the text's words already and it keeps none of its
 * members: a pass over the text saved where no birth word occurs, and the words are never read for it alone.
 */
export function candidatesOf(
  sets: RecognizerSet,
  bytes: Buffer,
  mayReport: (recognizer: CompiledRecognizer) => boolean = () => true,
  wordsKnown: () => boolean = () => false,
): CompiledRecognizer[] {
  const { small } = sets;
  if (small !== undefined && bytes.length <= SMALL_VIEW_BYTES) {
    const found = matchSmall(small, bytes);
    if (found !== undefined) return found.filter(mayReport);
  }
  const matched = (c: CandidateSet) => matchSet(c, bytes).map((i) => c.members[i] as CandidateSet['members'][0]);
  const kept = sets.candidates
    .filter((c) => !c.contextual)
    .flatMap((c) => matched(c).filter((m) => mayReport(m.recognizer)));
  for (const c of sets.candidates) {
    if (!c.contextual || (wordsKnown() && !c.members.some((m) => mayReport(m.recognizer)))) continue;
    for (const m of matched(c)) if (mayReport(m.recognizer)) kept.push(m);
  }
  return kept.sort((a, b) => a.index - b.index).map((m) => m.recognizer);
}

/**
 * The recognizers of `small`'s sets that match somewhere in `bytes`, in definition order; undefined when a set's DFA
 * runs out of memory (it throws, never answers short): the split sets decide then.
 */
function matchSmall(small: readonly CandidateSet[], bytes: Buffer): CompiledRecognizer[] | undefined {
  const found: { recognizer: CompiledRecognizer; index: number }[] = [];
  for (const c of small) {
    let matched: number[];
    try {
      matched = c.set.match(bytes);
    } catch {
      return undefined;
    }
    for (const i of matched) found.push(c.members[i] as CandidateSet['members'][0]);
  }
  if (small.length > 1) found.sort((a, b) => a.index - b.index);
  return found.map((m) => m.recognizer);
}

/**
 * A counted run this long (`{85,88}`, `{40,}`) makes a recognizer a long-run member. One RE2 DFA for many such
 * members tracks every combination of their counters' positions: on short texts of ids and hex that change every call
 * (an answer's id, a request's), its states are built anew each call and its cache is reset again and again. Measured
 * (2026-12-08, the side-by-side's answer screen, fresh ids each call): the one set of all 87 default members cost
 * 43-56 µs a call of 695 bytes; those without a long run in one set and the 51 with one in two sets, 6.7-8 µs together.
 */
const LONG_RUN = 40;
/** Long-run members a set holds at most (the 51 default ones make two sets). */
const LONG_RUN_SET_MEMBERS = 26;

function hasLongRun(source: string): boolean {
  for (const m of source.matchAll(/\{(\d+)(?:,(\d*))?\}/g)) {
    if (Number(m[2] === undefined || m[2] === '' ? m[1] : m[2]) >= LONG_RUN) return true;
  }
  return false;
}

type Member = { recognizer: CompiledRecognizer; index: number };

/** `members` in groups of one set each: those without a long run in one, the long-run ones dealt round into a few. */
function longRunChunks(members: readonly Member[]): Member[][] {
  const long = members.filter((m) => hasLongRun(m.recognizer.regex.source));
  const rest = members.filter((m) => !hasLongRun(m.recognizer.regex.source));
  const chunks = Math.ceil(long.length / LONG_RUN_SET_MEMBERS);
  const groups = [rest, ...Array.from({ length: chunks }, (_, c) => long.filter((_, j) => j % chunks === c))];
  return groups.filter((group) => group.length > 0);
}

function candidateSet(group: readonly Member[]): CandidateSet {
  return {
    set: new RE2.Set(group.map((m) => m.recognizer.regex.source)),
    members: group,
    contextual: group.every((m) => m.recognizer.requireContext),
    anchor: sharedAnchor(group.map((m) => m.recognizer)),
  };
}

/**
 * The members of `c` that match somewhere in `bytes`. An anchored set reads only the windows around its literal's
 * occurrences (every match lies in one, with the bytes its `\b` reads: anchors.ts), merged where they overlap (the
 * whole text when one window covers it). A window's edges may let a member match where the text does not (`\b` at a
 * cut), never the reverse: the member then runs and finds nothing, as a set's answer allows.
 */
function matchSet(c: CandidateSet, bytes: Buffer): number[] {
  const { anchor } = c;
  if (anchor === undefined) return c.set.match(bytes);
  const { literal, before, after } = anchor;
  let at = bytes.indexOf(literal);
  if (at < 0) return [];
  const found = new Set<number>();
  while (at >= 0) {
    let start = Math.max(0, at - before - 1);
    while (start > 0 && ((bytes[start] as number) & 0xc0) === 0x80) start -= 1; // a code point's first byte
    let end = Math.min(bytes.length, at + after + 1);
    let next = bytes.indexOf(literal, at + 1);
    while (next >= 0 && next - before - 1 <= end) {
      end = Math.min(bytes.length, next + after + 1);
      next = bytes.indexOf(literal, next + 1);
    }
    if (start === 0 && end === bytes.length) return c.set.match(bytes);
    for (const i of c.set.match(bytes.subarray(start, end))) found.add(i);
    if (found.size === c.members.length) break;
    at = next;
  }
  return [...found].sort((a, b) => a - b);
}

export function recognizerSet(members: readonly CompiledRecognizer[]): RecognizerSet | undefined {
  if (members.length === 0) return undefined;
  const groups = new Map<string, { recognizer: CompiledRecognizer; index: number }[]>();
  members.forEach((recognizer, index) => {
    // An anchored pattern's set is its own (per type and literal): it reads only the bytes around the literal.
    const anchor = recognizer.anchor === undefined ? '' : `:${recognizer.anchor.literal.toString('hex')}`;
    const key = recognizer.separateSet || anchor !== '' ? `own:${recognizer.type}${anchor}` : '';
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push({ recognizer, index });
  });
  try {
    const all = members.map((recognizer, index) => ({ recognizer, index }));
    // The common set's long-run members apart too: on a long text of prose its one DFA ran at 0.6 MB/s (longRunChunks).
    const split = [...groups.entries()].flatMap(([key, group]) => (key === '' ? longRunChunks(group) : [group]));
    return {
      candidates: split.map(candidateSet),
      small: groups.size > 1 ? longRunChunks(all).map(candidateSet) : undefined,
    };
  } catch (cause) {
    throw new ClassificationError('ERR_RECOGNIZER_INVALID', null, 'recognizer set does not compile in RE2', { cause });
  }
}

/** The anchor of every recognizer of a group, when they all have the same one (one definition's: anchors.ts). */
function sharedAnchor(group: readonly CompiledRecognizer[]): Anchor | undefined {
  const first = group[0]?.anchor;
  return first !== undefined && group.every((r) => r.anchor === first) ? first : undefined;
}

/**
 * Which of `words` occur anywhere in the text, at least where hasContext finds them (context-words.ts
 * contextWordSource: in any case, in identifiers, `İ` for `i`), by one RE2.Set pass over its UTF-8 bytes (~5 µs a
 * word at 8 KB), read as they are (`utf8` when given: issue 18, not lower-cased and encoded again). Sometimes more
 * (RE2's folding takes `ſ` for `s`, the Kelvin sign for `k`, `ᲄ` for `т`; a word of several parts after any letter or
 * before any capital): a recognizer then runs whose matches hasContext drops. Checked over every code point in
 * prose-fast-paths.test.ts and against hasContext in context-words.test.ts.
 */
export function createWordFinder(words: readonly string[]): (text: string, utf8?: Buffer) => ReadonlySet<string> {
  const distinct = [...new Set(words)];
  if (distinct.length === 0) return () => new Set();
  // In sets of at most WORDS_A_SET: one DFA of the 276 default words ran at 2 MB/s on a README (its states rebuilt
  // all along: 31 ms a 64 KB, 2026-12-08), three of them at 4 (16.5 ms), as short texts cost one native call more each.
  const sets = Math.ceil(distinct.length / WORDS_A_SET);
  const parts = Array.from({ length: sets }, (_, c) => distinct.filter((_, j) => j % sets === c));
  const anyCase = parts.map((part) => new RE2.Set(part.map(contextWordSource)));
  return (text, utf8) => {
    const bytes = utf8 ?? Buffer.from(text, 'utf8');
    let found: Set<string> | undefined;
    anyCase.forEach((set, c) => {
      for (const i of set.match(bytes)) (found ??= new Set()).add((parts[c] as string[])[i] as string);
    });
    return found ?? NO_WORDS;
  };
}

const NO_WORDS: ReadonlySet<string> = new Set();

/** Context words one set of createWordFinder holds at most. */
const WORDS_A_SET = 100;

/** The one character that lower-cases to two (`İ` to `i̇`), which RE2's case folding takes for neither. */
export const LOWERS_TO_TWO = '\u0130';
