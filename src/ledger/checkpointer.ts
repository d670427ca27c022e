// Signed checkpoints of one chain, written by its lease holder: at every multiple of `everyRecords` committed records
// (a restart looks those sizes up: src/ledger/checkpoint-resume.ts) and every `everySeconds` (when the tree grew), a
// C2SP checkpoint note over the RFC 6962 root of the whole chain is stored in audit_checkpoints and appended to the
// sink file (JSON Lines, one checkpoint per line, opened O_APPEND and fsynced).
// Checkpoints only ever cover committed records; a failed checkpoint is reported and retried, never blocks appends.
// With witnesses configured, each checkpoint is then submitted to them (src/ledger/witness.ts), off the append path.
import { createPublicKey } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Sql } from '../db/index.ts';
import type { AppendedRecord } from './chain-writer.ts';
import { loadTree } from './checkpoint-resume.ts';
import type { RefusedCheckpointRow } from './checkpoint-resume.ts';
import type { Signer } from './keys.ts';
import type { Hash } from './merkle.ts';
import { signCheckpoint } from './note.ts';
import { noteRootHex, startWitnessing } from './witness.ts';
import type { WitnessOptions } from './witness.ts';

export type { RefusedCheckpointRow } from './checkpoint-resume.ts';

export interface CheckpointOptions {
  /** Checkpoint at every multiple of this many records (default 1000). */
  everyRecords?: number;
  /** Checkpoint this often, in seconds, when there are new records (default 60; 0 disables the timer). */
  everySeconds?: number;
  /** Append-only file each checkpoint is also written to (JSON Lines); null: database only. */
  sinkPath?: string | null;
  /** The checkpoint origin (and signed-note key name); default `proctor/ledger/<chain>`. */
  origin?: string;
  /** Told about a checkpoint that could not be written (it is retried at the next trigger), and about witness
   * failures. */
  onError?: (error: unknown) => void;
  /** C2SP tlog-witness witnesses each checkpoint is submitted to; cosigned notes also go to the sink. */
  witnesses?: WitnessOptions;
  /** Told about each stored checkpoint row the writer refused to resume its tree from, at start (default: onError). */
  onRowRefused?: (row: RefusedCheckpointRow) => void;
}

export interface StoredCheckpoint {
  chain: string;
  treeSize: number;
  note: string;
}

export interface Checkpointer {
  observe(records: readonly AppendedRecord[]): void;
  /** Writes a checkpoint now if the tree grew since the last one; resolves with the newest checkpoint. */
  checkpoint(): Promise<StoredCheckpoint | null>;
  /** The newest checkpoint this writer signed, or vouched for at start; null before either. What the public
   * latest note of its chain is (src/ledger/checkpoint-notes.ts): never a row it did not sign. */
  latest(): StoredCheckpoint | null;
  /** Resolves when the checkpoints written so far have been submitted to every witness (answered or failed). */
  witnessed(): Promise<void>;
  close(): Promise<void>;
}

export function defaultOrigin(chain: string): string {
  return `proctor/ledger/${chain}`;
}

/** `signer` is read at each checkpoint: after a key rotation, checkpoints are signed by the new key. */
export async function startCheckpointer(
  sql: Sql,
  signer: () => Signer,
  chain: string,
  headSeq: number,
  opts: CheckpointOptions,
): Promise<Checkpointer> {
  const everyRecords = opts.everyRecords ?? 1000;
  const origin = opts.origin ?? defaultOrigin(chain);
  const refused = (row: RefusedCheckpointRow) =>
    opts.onRowRefused
      ? opts.onRowRefused(row)
      : opts.onError?.(new Error(`checkpoint row of ${row.treeSize} records of ${chain} refused: ${row.reason}`));
  const { tree, last, lastFrontier } = await loadTree(sql, {
    chain,
    headSeq,
    signer: signer(),
    origin,
    sharedOrigin: origin !== defaultOrigin(chain),
    everyRecords,
    refused,
  });
  // Each checkpoint's frontier, known for sure (it was this writer's tree): a witness's next proof starts from it, never
  // from a row stored at that size (one planted there before this checkpoint keeps it out of the table).
  const frontiers = new WeakMap<StoredCheckpoint, readonly Hash[]>();
  if (last && lastFrontier) frontiers.set(last, lastFrontier);
  const submit = (c: StoredCheckpoint) => witnessing.submit({ ...c, ...withFrontier(frontiers.get(c)) });
  let latest = last;
  let requested: number | null = last?.treeSize ?? null;
  let running: Promise<unknown> = Promise.resolve();
  const sinkPath = opts.sinkPath ?? null;
  const witnessing = startWitnessing(sql, chain, origin, opts.witnesses ?? { witnesses: [] }, {
    logKey: () => createPublicKey(signer().publicKeyPem),
    onError: (error) => opts.onError?.(error),
    onCosigned: async (c) => {
      if (sinkPath)
        await appendLine(sinkPath, { chain, tree_size: c.treeSize, root: noteRootHex(c.note), note: c.note });
    },
  });
  if (last) submit(last); // one not cosigned before a restart

  // The tree is snapshotted when a checkpoint is asked for, so it covers exactly the records committed by then.
  const write = (): Promise<StoredCheckpoint | null> => {
    const size = tree.size;
    const root = tree.root();
    const hashes = tree.frontier();
    if (size > (requested ?? 0)) requested = size;
    const next = running.then(async () => {
      if (size === 0 || (latest !== null && latest.treeSize >= size)) return latest;
      const note = await signCheckpoint({ origin, size, root }, signer());
      const stored = await sql.query(
        'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5) ' +
          'ON CONFLICT (chain, tree_size) DO NOTHING RETURNING tree_size',
        [chain, size, Buffer.from(root), Buffer.concat(hashes), note],
      );
      // A row already at this size with another note (Ed25519 signs a note the same way twice: a retried INSERT that
      // committed stores the same text) is one planted ahead of the head, or a row of a key rotated away. It stays (the
      // table is append-only) and is reported; this note still goes to the sink and the witnesses, and is the one the
      // public latest note serves (latest(), never the row).
      if (stored.rows.length === 0 && !(await storedAlready(sql, chain, size, note)))
        refused({ chain, treeSize: size, reason: 'a row stored at this size before this checkpoint kept it out' });
      if (opts.sinkPath)
        await appendLine(opts.sinkPath, { chain, tree_size: size, root: Buffer.from(root).toString('hex'), note });
      latest = { chain, treeSize: size, note };
      frontiers.set(latest, hashes);
      return latest;
    });
    // Every trigger (the timer too) resubmits the newest checkpoint: a witness that failed before is retried.
    void next.then(
      (c) => c && submit(c),
      () => undefined,
    );
    running = next.catch((error: unknown) => {
      requested = latest?.treeSize ?? null; // retried at the next trigger
      opts.onError?.(error);
    });
    return next;
  };

  const seconds = opts.everySeconds ?? 60;
  const timer = seconds > 0 ? setInterval(() => void write().catch(() => undefined), seconds * 1000) : null;
  timer?.unref();

  return {
    observe(records) {
      for (const r of records) {
        if (r.seq !== tree.size) continue; // already in the tree (loaded from the database)
        tree.append(Buffer.from(r.hash, 'hex'));
        // One at every multiple of everyRecords: the sizes a restart looks up past the newest rows (loadTree).
        if (tree.size % everyRecords === 0) void write().catch(() => undefined);
      }
      if (tree.size - (requested ?? 0) >= everyRecords) void write().catch(() => undefined);
    },
    checkpoint: write,
    latest: () => latest,
    async witnessed() {
      await running;
      await witnessing.settled();
    },
    async close() {
      if (timer) clearInterval(timer);
      await write().catch(() => undefined);
      await witnessing.settled();
    },
  };
}

function withFrontier(frontier: readonly Hash[] | undefined): { frontier?: readonly Hash[] } {
  return frontier ? { frontier } : {};
}

/** Whether the row at `size` holds exactly `note` (an earlier INSERT of this checkpoint that committed). */
async function storedAlready(sql: Sql, chain: string, size: number, note: string): Promise<boolean> {
  const { rows } = await sql.query<{ same: unknown }>(
    'SELECT note = $3 AS same FROM audit_checkpoints WHERE chain = $1 AND tree_size = $2',
    [chain, size, note],
  );
  return rows[0]?.same === true;
}

async function appendLine(file: string, entry: Record<string, unknown>): Promise<void> {
  const handle = await open(file, 'a', 0o644);
  try {
    await handle.write(`${JSON.stringify(entry)}\n`);
    await handle.datasync();
  } finally {
    await handle.close();
  }
}
