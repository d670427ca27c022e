// Which recognizers can report anything in a view, decided before any of them runs: the combined RE2 automata (sets)
// that say which patterns match somewhere in the bytes, and which context words occur in the text (a recognizer that
// requires context reports nothing without one). Built once per classifier; each answer is exact (a set reports every
// pattern that matches), so skipping the others loses nothing.
import RE2 from 're2';
import type { CompiledRecognizer } from './compile.ts';
import { ClassificationError } from './errors.ts';
import { escapeRegExp } from './prefix-patterns.ts';

/**
 * Recognizers that scan one view, with the combined automata that say which of them can match at all: one RE2.Set
 * for most, one per type for recognizers marked `separateSet` (their automaton combined with the others' outgrows
 * RE2's DFA cache on a long text, which then runs at a few MB/s instead of hundreds). A view of at most
 * SMALL_VIEW_BYTES is matched by one set of every member instead (`small`): the same answer (a set reports exactly the
 * patterns that match somewhere) in one native call, not one per set, and on a short text no cache fills up.
 */
export interface RecognizerSet {
  candidates: CandidateSet[];
  small: CandidateSet | undefined;
}

interface CandidateSet {
  set: InstanceType<typeof RE2.Set>;
  members: readonly { recognizer: CompiledRecognizer; index: number }[];
  /** Every member requires context: the set need not run when none of them may report (candidatesOf). */
  contextual: boolean;
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
    let found: number[] | undefined;
    try {
      found = small.set.match(bytes);
    } catch {
      found = undefined; // its DFA out of memory (it throws, never answers short): the split sets decide
    }
    if (found !== undefined) {
      return found.map((i) => (small.members[i] as CandidateSet['members'][0]).recognizer).filter(mayReport);
    }
  }
  const matched = (c: CandidateSet) => c.set.match(bytes).map((i) => c.members[i] as CandidateSet['members'][0]);
  const kept = sets.candidates
    .filter((c) => !c.contextual)
    .flatMap((c) => matched(c).filter((m) => mayReport(m.recognizer)));
  for (const c of sets.candidates) {
    if (!c.contextual || (wordsKnown() && !c.members.some((m) => mayReport(m.recognizer)))) continue;
    for (const m of matched(c)) if (mayReport(m.recognizer)) kept.push(m);
  }
  return kept.sort((a, b) => a.index - b.index).map((m) => m.recognizer);
}

export function recognizerSet(members: readonly CompiledRecognizer[]): RecognizerSet | undefined {
  if (members.length === 0) return undefined;
  const groups = new Map<string, { recognizer: CompiledRecognizer; index: number }[]>();
  members.forEach((recognizer, index) => {
    const key = recognizer.separateSet ? `own:${recognizer.type}` : '';
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = []));
    group.push({ recognizer, index });
  });
  try {
    const all = members.map((recognizer, index) => ({ recognizer, index }));
    return {
      candidates: [...groups.values()].map((group) => ({
        set: new RE2.Set(group.map((m) => m.recognizer.regex.source)),
        members: group,
        contextual: group.every((m) => m.recognizer.requireContext),
      })),
      small:
        groups.size > 1
          ? { set: new RE2.Set(all.map((m) => m.recognizer.regex.source)), members: all, contextual: false }
          : undefined,
    };
  } catch (cause) {
    throw new ClassificationError('ERR_RECOGNIZER_INVALID', null, 'recognizer set does not compile in RE2', { cause });
  }
}

/**
 * Which of `words` occur anywhere in the lower-cased text as words (not glued to ASCII letters, as hasContext reads
 * them), by one RE2.Set pass over its UTF-8 bytes (~5 µs a word at 8 KB). Given the text's UTF-8 (`utf8`) and the
 * text is ASCII, the pass reads those bytes as they are, each word in any case between ASCII non-letters: on ASCII
 * text exactly what the lower-cased text holds, without lower-casing and encoding 64 KB again (issue 18: a third of
 * the finder's time on prose).
 */
export function createWordFinder(words: readonly string[]): (text: string, utf8?: Buffer) => ReadonlySet<string> {
  const distinct = [...new Set(words)];
  if (distinct.length === 0) return () => new Set();
  // "he" inside "the" would run a recognizer whose every candidate then fails hasContext.
  const set = new RE2.Set(distinct.map((w) => `(?:^|[^a-z])${escapeRegExp(w)}(?:[^a-z]|$)`));
  const anyCase = new RE2.Set(distinct.map((w) => `(?:^|[^A-Za-z])(?i:${escapeRegExp(w)})(?:[^A-Za-z]|$)`));
  return (text, utf8) => {
    // One byte a UTF-16 unit: every unit is ASCII (any other takes two bytes or more).
    const ascii = utf8 !== undefined && utf8.length === text.length;
    const found = ascii ? anyCase.match(utf8) : set.match(Buffer.from(text.toLowerCase(), 'utf8'));
    return found.length === 0 ? NO_WORDS : new Set(found.map((i) => distinct[i] as string));
  };
}

const NO_WORDS: ReadonlySet<string> = new Set();
