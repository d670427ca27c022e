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
}

/**
 * Views up to this many bytes are matched by one set of all members (RecognizerSet.small). Measured at 1-2 KB (names,
 * CJK, digits, hex, base64, mixed scripts): the one set costs as much as the main set alone, the split sets twice that.
 */
export const SMALL_VIEW_BYTES = 2048;

/** The members of `sets` that can match `bytes`, in definition order (one set for a short view when it has one). */
export function candidatesOf(sets: RecognizerSet, bytes: Buffer): CompiledRecognizer[] {
  const { small } = sets;
  if (small !== undefined && bytes.length <= SMALL_VIEW_BYTES) {
    let found: number[] | undefined;
    try {
      found = small.set.match(bytes);
    } catch {
      found = undefined; // its DFA out of memory (it throws, never answers short): the split sets decide
    }
    if (found !== undefined) return found.map((i) => (small.members[i] as CandidateSet['members'][0]).recognizer);
  }
  return sets.candidates
    .flatMap(({ set: candidates, members }) => candidates.match(bytes).map((i) => members[i] as (typeof members)[0]))
    .sort((a, b) => a.index - b.index)
    .map((m) => m.recognizer);
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
      })),
      small:
        groups.size > 1 ? { set: new RE2.Set(all.map((m) => m.recognizer.regex.source)), members: all } : undefined,
    };
  } catch (cause) {
    throw new ClassificationError('ERR_RECOGNIZER_INVALID', null, 'recognizer set does not compile in RE2', { cause });
  }
}

/**
 * Which of `words` occur anywhere in the lower-cased text as words (not glued to ASCII letters, as hasContext reads
 * them), by one RE2.Set pass over its UTF-8 bytes (~5 µs a word at 8 KB).
 */
export function createWordFinder(words: readonly string[]): (text: string) => ReadonlySet<string> {
  const distinct = [...new Set(words)];
  if (distinct.length === 0) return () => new Set();
  // "he" inside "the" would run a recognizer whose every candidate then fails hasContext.
  const set = new RE2.Set(distinct.map((w) => `(?:^|[^a-z])${escapeRegExp(w)}(?:[^a-z]|$)`));
  return (text) => {
    const found = set.match(Buffer.from(text.toLowerCase(), 'utf8'));
    return found.length === 0 ? NO_WORDS : new Set(found.map((i) => distinct[i] as string));
  };
}

const NO_WORDS: ReadonlySet<string> = new Set();
