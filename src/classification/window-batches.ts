// The join windows of one classify call scanned in batches (segment-join.ts builds them; classifier.ts scans them): the
// distinct window texts glued into texts of at most BATCH_CHARS characters, kept apart by a gap that no recognizer
// matches across and that reads, to every look beside a member, as the end of its text (PAIR_GAP), for one
// normalisation, one set match and one pass per recognizer over many small windows instead of one each. A look around
// a match reads further (context and exclusion words): with a one-PAIR_GAP gap the classifier scans a member again
// alone when a match's looks reach a neighbour's text (readsPastMember); with a gap longer than every reach (batchGap)
// no look does. Invariant: members are disjoint and in text order.
import { PAIR_GAP } from './join-window.ts';

/**
 * Characters of a batch: windows are glued while the batch stays this short (a longer window is a batch alone). At most
 * the classifier's SMALL_VIEW_BYTES for ASCII text, so a batch is matched by its one set of all recognizers.
 */
export const BATCH_CHARS = 2048;

/** One window text inside a batch: its index among the texts batched and where it starts in the batch. */
export interface BatchMember {
  index: number;
  at: number;
  length: number;
}

export interface WindowBatch {
  text: string;
  members: readonly BatchMember[];
}

/** The gap between two members: PAIR_GAPs, more than `reach` characters in all. */
export function batchGap(reach: number): string {
  return PAIR_GAP.repeat(Math.floor(reach / PAIR_GAP.length) + 1);
}

/** `texts` (distinct, non-empty) in batches of at most `limit` characters, in order, kept apart by `gap`. */
export function batchWindows(texts: readonly string[], gap: string, limit: number = BATCH_CHARS): WindowBatch[] {
  const batches: WindowBatch[] = [];
  let parts: string[] = [];
  let members: BatchMember[] = [];
  let length = 0;
  const close = () => {
    if (members.length > 0) batches.push({ text: parts.join(''), members });
    parts = [];
    members = [];
    length = 0;
  };
  texts.forEach((text, index) => {
    if (members.length > 0 && length + gap.length + text.length > limit) close();
    if (members.length > 0) {
      parts.push(gap);
      length += gap.length;
    }
    parts.push(text);
    members.push({ index, at: length, length: text.length });
    length += text.length;
  });
  close();
  return batches;
}

/** The member that holds batch span [start, end) whole, or undefined (a span in a gap or across one). */
export function memberHolding(batch: WindowBatch, start: number, end: number): BatchMember | undefined {
  let lo = 0;
  let hi = batch.members.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const member = batch.members[mid] as BatchMember;
    if (member.at + member.length <= start) lo = mid + 1;
    else hi = mid;
  }
  const member = batch.members[lo];
  return member !== undefined && member.at <= start && end <= member.at + member.length ? member : undefined;
}

/**
 * Whether [from, to), what the looks around a match inside `member` read, reaches a neighbouring member's text (the gap
 * alone reads as the text's end: no).
 */
export function readsPastMember(batch: WindowBatch, member: BatchMember, from: number, to: number): boolean {
  const position = member.index - (batch.members[0] as BatchMember).index;
  const before = batch.members[position - 1];
  const after = batch.members[position + 1];
  return (before !== undefined && from < before.at + before.length) || (after !== undefined && to > after.at);
}

/** The members that span [start, end) touches, in order (a span across a gap touches the members on both sides). */
export function membersTouching(batch: WindowBatch, start: number, end: number): BatchMember[] {
  return batch.members.filter((member) => member.at < end && start < member.at + member.length);
}
