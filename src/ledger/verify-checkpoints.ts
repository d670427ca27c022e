// Checks a chain against its signed checkpoints, from the database and from outside it (the sink file): the
// RFC 6962 root over the records at each checkpointed size MUST equal the signed root, and a checkpoint larger than
// the chain means records were cut off the end (CHAIN_TRUNCATED), which the head row alone cannot prove.
import type { KeyObject } from 'node:crypto';
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import type { FindingLog } from './findings.ts';
import { CompactTree } from './merkle.ts';
import { openCheckpoint } from './note.ts';

interface Expected {
  size: number;
  root: string;
  source: string;
  /** The signed note, checked when the chain reaches its size (keys rotated in by then count); null: unchecked. */
  note: string | null;
}

export interface ExternalCheckpoint {
  chain: string;
  note: string;
}

export class CheckpointCheck {
  private readonly tree = new CompactTree();
  private readonly expected: Expected[];
  private next = 0;
  private readonly chain: string;
  private readonly log: FindingLog;

  private readonly keys: (() => KeyObject[]) | null;

  private constructor(expected: Expected[], chain: string, log: FindingLog, keys: (() => KeyObject[]) | null) {
    this.expected = expected.sort((a, b) => a.size - b.size);
    this.chain = chain;
    this.log = log;
    this.keys = keys;
  }

  /** False (and reported) when the note is not signed by a trusted key or disagrees with what it claims. */
  private signed(e: Expected): boolean {
    if (e.note === null || this.keys === null) return true;
    const opened = open(e.note, this.keys());
    if (opened !== null && opened.size === e.size && opened.root === e.root) return true;
    this.log.add('CHECKPOINT_INVALID', this.chain, e.size - 1, `the ${e.source} checkpoint at tree size ${e.size} is not signed by a trusted key or disagrees with its columns`);
    return false;
  }

  /** Reads the chain's checkpoints; `keys` (null: no trusted keys) gives the keys trusted at the moment of checking. */
  static async load(sql: Sql, chain: string, keys: (() => KeyObject[]) | null, external: readonly ExternalCheckpoint[], log: FindingLog): Promise<CheckpointCheck> {
    const { rows } = await sql.query<{ tree_size: unknown; root_hash: unknown; note: string }>(
      'SELECT tree_size, root_hash, note FROM audit_checkpoints WHERE chain = $1 ORDER BY tree_size',
      [chain],
    );
    const expected: Expected[] = rows.map((row) => ({
      size: toSafeInteger(row.tree_size),
      root: Buffer.from(toBytes(row.root_hash)).toString('hex'),
      source: 'database',
      note: keys === null ? null : row.note,
    }));
    if (keys !== null) {
      for (const entry of external) {
        if (entry.chain !== chain) continue;
        const parsed = parse(entry.note);
        if (parsed === null) log.add('CHECKPOINT_INVALID', chain, null, 'a checkpoint from the sink is not a checkpoint note');
        else expected.push({ ...parsed, source: 'sink', note: entry.note });
      }
    }
    return new CheckpointCheck(expected, chain, log, keys);
  }

  get active(): boolean {
    return this.expected.length > 0;
  }

  /** Feeds the next record's hash, in seq order. */
  leaf(hash: Uint8Array): void {
    this.tree.append(hash);
    while (this.next < this.expected.length && (this.expected[this.next] as Expected).size === this.tree.size) {
      const e = this.expected[this.next++] as Expected;
      if (!this.signed(e)) continue;
      if (Buffer.from(this.tree.root()).toString('hex') !== e.root) {
        this.log.add('CHECKPOINT_MISMATCH', this.chain, e.size - 1, `the records up to seq ${e.size - 1} do not have the root signed in the ${e.source} checkpoint`);
      }
    }
  }

  finish(): void {
    const beyond = this.expected.slice(this.next).filter((e) => e.size > this.tree.size && this.signed(e));
    if (beyond.length === 0) return;
    const largest = Math.max(...beyond.map((e) => e.size));
    this.log.add('CHAIN_TRUNCATED', this.chain, this.tree.size, `a signed checkpoint covers ${largest} records but the chain holds ${this.tree.size}: records were removed from its end`);
  }
}

function parse(note: string): { size: number; root: string } | null {
  const m = /^[\x21-\x7e]+\n(0|[1-9][0-9]{0,15})\n([A-Za-z0-9+/]{43}=)\n\n/.exec(note);
  return m ? { size: Number(m[1]), root: Buffer.from(m[2] ?? '', 'base64').toString('hex') } : null;
}

function open(note: string, trusted: readonly KeyObject[]): { size: number; root: string } | null {
  try {
    const c = openCheckpoint(note, trusted);
    return { size: c.size, root: Buffer.from(c.root).toString('hex') };
  } catch {
    return null;
  }
}
