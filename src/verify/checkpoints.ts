// Checks a chain against its signed checkpoints — from the database, from outside it (the sink file) and the one
// this verifier accepted on an earlier run (the state file): the RFC 6962 root over the records at each checkpointed
// size MUST equal the signed root. Rebuilding the tree from every record checks each checkpoint and so the
// consistency of every pair of them (stronger than a consistency proof, which stands in for the records). A
// checkpoint larger than the chain means records were cut off the end (CHAIN_TRUNCATED; CHAIN_ROLLED_BACK when it is
// the remembered one), which the head row alone cannot prove; a different root at the remembered size means the
// history was rewritten (CHECKPOINT_INCONSISTENT).
import type { KeyObject } from 'node:crypto';
import type { FindingLog } from './findings.ts';
import { CompactTree, MAX_NOTE_BYTES, openCheckpoint } from '../ledger/format.ts';
import type { SourceCheckpoint } from './source.ts';

export interface ExternalCheckpoint {
  chain: string;
  note: string;
  /** The bytes of a sink line over the reader's bound, whose note was not read (`note` is ''): CHECKPOINT_INVALID. */
  oversized?: number;
}

/** What the state file remembers of a chain: the newest checkpoint a clean run accepted. */
export interface RememberedCheckpoint {
  origin: string;
  size: number;
  root: string;
  note: string;
}

export interface AcceptedCheckpoint extends RememberedCheckpoint {
  source: 'database' | 'sink' | 'state';
}

interface Expected {
  size: number;
  root: string;
  source: 'database' | 'sink' | 'state';
  /** The signed note, checked when the chain reaches its size (keys rotated in by then count); null: unchecked. */
  note: string | null;
  origin: string | null;
  frontier: string[] | null;
}

export class CheckpointCheck {
  private tree: CompactTree | null = new CompactTree();
  private expected: Expected[];
  private next = 0;
  private end = 0;
  /** Leaves at positions below this are already inside the tree (a trimmed chain resumed from a frontier). */
  private skipBelow = 0;
  private newest: AcceptedCheckpoint | null = null;
  private readonly chain: string;
  private readonly log: FindingLog;
  private readonly keys: (() => KeyObject[]) | null;
  private readonly remembered: RememberedCheckpoint | null;

  constructor(
    chain: string,
    stored: readonly SourceCheckpoint[],
    external: readonly ExternalCheckpoint[],
    remembered: RememberedCheckpoint | null,
    keys: (() => KeyObject[]) | null,
    log: FindingLog,
  ) {
    this.chain = chain;
    this.log = log;
    this.keys = keys;
    this.remembered = remembered;
    // A note over MAX_NOTE_BYTES is no checkpoint (the source did not read it): reported, never an anchor.
    const expected: Expected[] = [];
    for (const c of stored) {
      if (c.oversized !== undefined) {
        log.add(
          'CHECKPOINT_INVALID',
          chain,
          c.size - 1,
          oversized(`the database checkpoint at tree size ${c.size}`, c.oversized),
        );
        continue;
      }
      expected.push({
        size: c.size,
        root: c.root,
        source: 'database',
        note: keys === null ? null : c.note,
        origin: parseNote(c.note)?.origin ?? null,
        frontier: c.frontier,
      });
    }
    if (keys !== null) {
      for (const entry of external) {
        if (entry.chain !== chain) continue;
        const bytes = entry.oversized ?? Buffer.byteLength(entry.note);
        const parsed = bytes > MAX_NOTE_BYTES ? null : parseNote(entry.note);
        if (bytes > MAX_NOTE_BYTES)
          log.add('CHECKPOINT_INVALID', chain, null, oversized('a checkpoint from the sink', bytes));
        else if (parsed === null)
          log.add('CHECKPOINT_INVALID', chain, null, 'a checkpoint from the sink is not a checkpoint note');
        else
          expected.push({
            size: parsed.size,
            root: parsed.root,
            source: 'sink',
            note: entry.note,
            origin: parsed.origin,
            frontier: null,
          });
      }
    }
    if (remembered !== null)
      expected.push({
        size: remembered.size,
        root: remembered.root,
        source: 'state',
        note: null,
        origin: remembered.origin,
        frontier: null,
      });
    this.expected = expected.sort((a, b) => a.size - b.size);
  }

  /** A trusted checkpoint (signed, or remembered) exists to compare the tail with. */
  get anchored(): boolean {
    return this.expected.some((e) => e.source === 'state' || (e.note !== null && this.keys !== null));
  }

  /** The newest checkpoint whose signature held and whose root matched the records. */
  get accepted(): AcceptedCheckpoint | null {
    return this.newest;
  }

  /**
   * The chain's first stored record is at `start` > 0 (trimmed by retention): its tree resumes from the frontier of
   * the smallest signed checkpoint at or after `start` whose frontier reproduces the signed root; checkpoints before
   * that cannot be checked (their records are gone). Without such a frontier no root can be rebuilt.
   */
  trimmedAt(start: number): void {
    const usable = this.expected.find(
      (e) => e.size >= start && e.frontier !== null && e.source === 'database' && this.signed(e, false) && resumes(e),
    );
    if (!usable) {
      this.tree = null;
      this.expected = this.expected.filter((e) => e.size > start);
      return;
    }
    this.tree = CompactTree.fromFrontier(
      usable.size,
      (usable.frontier as string[]).map((h) => Buffer.from(h, 'hex')),
    );
    this.skipBelow = usable.size;
    this.expected = this.expected.filter((e) => e.size > usable.size || (e.size === usable.size && e === usable));
    this.next = 0;
    this.match(usable.size);
  }

  /** Feeds the record at `position` (seq order, duplicates left out). */
  leaf(position: number, hash: string): void {
    this.end = position + 1;
    if (this.tree === null || position < this.skipBelow) return;
    this.tree.append(Buffer.from(hash, 'hex'));
    this.match(this.tree.size);
  }

  finish(): void {
    // Checkpoints within the chain's seq range that the tree never reached: records under them are missing.
    for (const e of this.expected.slice(this.next)) {
      if (this.tree === null || e.size > this.end || !this.signed(e, true)) continue;
      if (e.source === 'state') {
        this.log.add(
          'CHECKPOINT_INCONSISTENT',
          this.chain,
          e.size - 1,
          `the records up to seq ${e.size - 1} cannot have the root this verifier accepted on an earlier run (state ` +
            'file): records are missing',
        );
      } else {
        this.log.add(
          'CHECKPOINT_MISMATCH',
          this.chain,
          e.size - 1,
          `the records up to seq ${e.size - 1} cannot have the root signed in the ${e.source} checkpoint: records ` +
            'are missing',
        );
      }
    }
    const beyond = this.expected.slice(this.next).filter((e) => e.size > this.end && this.signed(e, true));
    const remembered = beyond.find((e) => e.source === 'state');
    const largest = beyond.reduce((n, e) => Math.max(n, e.size), 0);
    if (remembered) {
      this.log.add(
        'CHAIN_ROLLED_BACK',
        this.chain,
        this.end,
        `this verifier accepted a checkpoint of ${remembered.size} records on an earlier run (state file), but the ` +
          `chain now holds ${this.end}: it was rolled back`,
      );
    }
    if (beyond.some((e) => e.source !== 'state')) {
      this.log.add(
        'CHAIN_TRUNCATED',
        this.chain,
        this.end,
        `a signed checkpoint covers ${largest} records but the chain holds ${this.end}: records were removed from ` +
          'its end',
      );
    }
  }

  private match(size: number): void {
    while (this.next < this.expected.length && (this.expected[this.next] as Expected).size <= size) {
      const e = this.expected[this.next++] as Expected;
      if (e.size < size || this.tree === null || !this.signed(e, true)) continue;
      const root = Buffer.from(this.tree.root()).toString('hex');
      if (root === e.root) {
        if (this.newest === null || e.size >= this.newest.size) {
          this.newest = {
            origin: e.origin ?? '',
            size: e.size,
            root: e.root,
            note: e.note ?? this.remembered?.note ?? '',
            source: e.source,
          };
        }
      } else if (e.source === 'state') {
        this.log.add(
          'CHECKPOINT_INCONSISTENT',
          this.chain,
          e.size - 1,
          `the records up to seq ${e.size - 1} do not have the root this verifier accepted on an earlier run (state ` +
            'file): the history was rewritten',
        );
      } else {
        this.log.add(
          'CHECKPOINT_MISMATCH',
          this.chain,
          e.size - 1,
          `the records up to seq ${e.size - 1} do not have the root signed in the ${e.source} checkpoint`,
        );
      }
    }
  }

  /** False (and reported, if `report`) when the note is not signed by a trusted key or disagrees with what it
   * claims. */
  private signed(e: Expected, report: boolean): boolean {
    if (e.source === 'state') return true;
    if (e.note === null || this.keys === null) return this.keys === null;
    const opened = open(e.note, this.keys());
    if (opened !== null && opened.size === e.size && opened.root === e.root) return true;
    if (report)
      this.log.add(
        'CHECKPOINT_INVALID',
        this.chain,
        e.size - 1,
        `the ${e.source} checkpoint at tree size ${e.size} is not signed by a trusted key or disagrees with its ` +
          'columns',
      );
    return false;
  }
}

function resumes(e: Expected): boolean {
  try {
    const tree = CompactTree.fromFrontier(
      e.size,
      (e.frontier ?? []).map((h) => Buffer.from(h, 'hex')),
    );
    return Buffer.from(tree.root()).toString('hex') === e.root;
  } catch {
    return false; // a frontier that cannot rebuild a tree does not resume it; the caller reports that
  }
}

function oversized(what: string, bytes: number): string {
  return `${what} has a note of ${bytes} bytes, over the ${MAX_NOTE_BYTES} a checkpoint note may hold: not read`;
}

/** The body of a checkpoint note, unverified. */
export function parseNote(note: string): { origin: string; size: number; root: string } | null {
  const m = /^([\x21-\x7e]+)\n(0|[1-9][0-9]{0,15})\n([A-Za-z0-9+/]{43}=)\n\n/.exec(note);
  if (!m) return null;
  const size = Number(m[2]);
  return Number.isSafeInteger(size)
    ? { origin: m[1] ?? '', size, root: Buffer.from(m[3] ?? '', 'base64').toString('hex') }
    : null;
}

export function openNote(
  note: string,
  trusted: readonly KeyObject[],
): { origin: string; size: number; root: string } | null {
  return open(note, trusted);
}

function open(note: string, trusted: readonly KeyObject[]): { origin: string; size: number; root: string } | null {
  try {
    const c = openCheckpoint(note, trusted);
    return { origin: c.origin, size: c.size, root: Buffer.from(c.root).toString('hex') };
  } catch {
    return null; // unsigned, badly signed or malformed alike: the caller reports CHECKPOINT_INVALID
  }
}
