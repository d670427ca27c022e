// The join windows of one classify call scanned in batches (segment-join.ts builds them; draftsOfWindows reads them
// through the classifier's scan): the distinct window texts glued into texts of at most BATCH_CHARS characters, kept
// apart by a gap that no recognizer matches across and that reads, to every look beside a member, as the end of its
// text (PAIR_GAP), for one normalisation, one set match and one pass per recognizer over many small windows instead of
// one each. A look around a match reads further (context and exclusion words): with a one-PAIR_GAP gap a member is
// scanned again alone when a match's looks reach a neighbour's text (readsPastMember); with a gap longer than every
// reach (batchGap) no look does. Invariant: members are disjoint and in text order.
import type { Draft } from './drafts.ts';
import { firstEndingAfter, PAIR_GAP } from './join-window.ts';

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
  const member = batch.members[firstEndingAfter(batch.members, start)];
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

/** Hears of a match kept in a view: its span and what the looks around it may read, at original offsets. */
export type Near = (start: number, end: number, from: number, to: number) => void;

/** How the classifier reads the window texts of a call. */
export interface WindowReader {
  /**
   * A text's drafts as scan() finds them (segment -1, not decoded): every view, or its main view only (`mainOnly`);
   * `near` hears of every match kept (a draft or not).
   */
  scan: (text: string, near?: Near, mainOnly?: boolean) => Draft[];
  /** A text's digits view drafts as it reads alone; absent: a batch's own digits view is read (readEveryView). */
  digits?: (text: string) => Draft[];
  /** Batches kept apart by one PAIR_GAP first (`short`), or past every reach from the start. */
  shortBatches: boolean;
  /** The gap past every reach (batchGap). */
  reachGap: string;
}

/**
 * Members of a short batch scanned again alone before the rest of a call's windows are batched apart past every reach:
 * text dense with values (a chat of names and numbers) would otherwise have most windows read twice.
 */
const RESCANS_ALONE = 2;

/**
 * The drafts of each distinct window text, in its own offsets, as the classifier's scan() finds them in the text alone:
 * the texts are scanned in batches kept apart by one PAIR_GAP, which no match crosses and every look reads as a text's
 * end. Only a look around a match reads further (context and exclusion words, readReach at most): a
 * member with a match whose looks reach a neighbour's text is scanned again alone, and its drafts are those; so is
 * each member a match runs across a gap into (an unbounded pattern: a PEM key's body runs to its END line or the
 * text's end, which alone is the window's end, and may have consumed a match of theirs). A window text without a
 * match is read once, in its batch (the small calls' usual case). When a batch has more than RESCANS_ALONE such
 * members (text dense with values), it and every later batch are read kept apart past every reach instead (the gap
 * batchGap builds), where only a draft across a gap sends its members to be scanned again alone. Each member is read
 * at most three times: linear.
 */
export function draftsOfWindows(texts: readonly string[], reader: WindowReader): Map<string, Draft[]> {
  const drafts = new Map<string, Draft[]>();
  for (const text of texts) if (text.length > 0) drafts.set(text, []);
  let members = [...drafts.keys()];
  let apart = !reader.shortBatches;
  let batches = batchWindows(members, apart ? reader.reachGap : PAIR_GAP);
  for (let b = 0; b < batches.length; b += 1) {
    const batch = batches[b] as WindowBatch;
    const alone = new Set<number>();
    const near: Near | undefined = apart
      ? undefined
      : (start, end, from, to) => {
          const member = memberHolding(batch, start, end);
          if (member === undefined) for (const touched of membersTouching(batch, start, end)) alone.add(touched.index);
          else if (readsPastMember(batch, member, from, to)) alone.add(member.index);
        };
    // The digits view member by member (below), as each reads alone: a batch's would be built over all of them,
    // and most hold fewer digits than a numeric value. Without reader.digits (readEveryView): the batch's.
    const { digits } = reader;
    for (const d of reader.scan(batch.text, near, digits !== undefined)) {
      const member = memberHolding(batch, d.start, d.end);
      if (member === undefined) {
        for (const touched of membersTouching(batch, d.start, d.end)) alone.add(touched.index);
        continue;
      }
      const own = drafts.get(members[member.index] as string) as Draft[];
      own.push({ ...d, start: d.start - member.at, end: d.end - member.at });
    }
    if (!apart && alone.size > RESCANS_ALONE) {
      const first = (batch.members[0] as BatchMember).index;
      for (const member of batch.members) drafts.set(members[member.index] as string, []);
      members = members.slice(first);
      batches = batchWindows(members, reader.reachGap);
      apart = true;
      b = -1;
      continue;
    }
    for (const index of alone) {
      const text = members[index] as string;
      drafts.set(text, reader.scan(text));
    }
    if (digits === undefined) continue;
    for (const member of batch.members) {
      if (alone.has(member.index)) continue;
      const text = members[member.index] as string;
      const own = drafts.get(text) as Draft[];
      for (const d of digits(text)) own.push(d);
    }
  }
  return drafts;
}
