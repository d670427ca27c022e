// Signed checkpoints of one chain, written by its lease holder: every `everyRecords` committed records or every
// `everySeconds` (when the tree grew), a C2SP checkpoint note over the RFC 6962 root of the whole chain is stored in
// audit_checkpoints and appended to the sink file (JSON Lines, one checkpoint per line, opened O_APPEND and fsynced).
// Checkpoints only ever cover committed records; a failed checkpoint is reported and retried, never blocks appends.
// With witnesses configured, each checkpoint is then submitted to them (src/ledger/witness.ts), off the append path.
import { open } from 'node:fs/promises';
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import type { AppendedRecord } from './chain-writer.ts';
import type { Signer } from './keys.ts';
import { CompactTree } from './merkle.ts';
import { signCheckpoint } from './note.ts';
import { noteRootHex, startWitnessing } from './witness.ts';
import type { WitnessOptions } from './witness.ts';

export interface CheckpointOptions {
  /** Checkpoint after this many new records (default 1000). */
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
  const { tree, last } = await loadTree(sql, chain, headSeq);
  let latest = last;
  let requested: number | null = last?.treeSize ?? null;
  let running: Promise<unknown> = Promise.resolve();
  const sinkPath = opts.sinkPath ?? null;
  const witnessing = startWitnessing(sql, chain, origin, opts.witnesses ?? { witnesses: [] }, {
    onError: (error) => opts.onError?.(error),
    onCosigned: async (c) => {
      if (sinkPath)
        await appendLine(sinkPath, { chain, tree_size: c.treeSize, root: noteRootHex(c.note), note: c.note });
    },
  });
  if (last) witnessing.submit(last); // one not cosigned before a restart

  // The tree is snapshotted when a checkpoint is asked for, so it covers exactly the records committed by then.
  const write = (): Promise<StoredCheckpoint | null> => {
    const size = tree.size;
    const root = tree.root();
    const frontier = Buffer.concat(tree.frontier());
    if (size > (requested ?? 0)) requested = size;
    const next = running.then(async () => {
      if (size === 0 || (latest !== null && latest.treeSize >= size)) return latest;
      const note = await signCheckpoint({ origin, size, root }, signer());
      await sql.query(
        'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5) ' +
          'ON CONFLICT (chain, tree_size) DO NOTHING',
        [chain, size, Buffer.from(root), frontier, note],
      );
      if (opts.sinkPath)
        await appendLine(opts.sinkPath, { chain, tree_size: size, root: Buffer.from(root).toString('hex'), note });
      latest = { chain, treeSize: size, note };
      return latest;
    });
    // Every trigger (the timer too) resubmits the newest checkpoint: a witness that failed before is retried.
    void next.then(
      (c) => c && witnessing.submit(c),
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
      }
      if (tree.size - (requested ?? 0) >= everyRecords) void write().catch(() => undefined);
    },
    checkpoint: write,
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

/** The chain's tree up to headSeq: from the newest checkpoint's frontier, then the record hashes after it. */
async function loadTree(
  sql: Sql,
  chain: string,
  headSeq: number,
): Promise<{ tree: CompactTree; last: StoredCheckpoint | null }> {
  const { rows } = await sql.query<{ tree_size: unknown; frontier: unknown; note: string }>(
    'SELECT tree_size, frontier, note FROM audit_checkpoints WHERE chain = $1 ORDER BY tree_size DESC LIMIT 1',
    [chain],
  );
  const row = rows[0];
  let tree = new CompactTree();
  let last: StoredCheckpoint | null = null;
  if (row) {
    const bytes = toBytes(row.frontier);
    const frontier = Array.from({ length: bytes.length / 32 }, (_, i) => bytes.slice(i * 32, i * 32 + 32));
    tree = CompactTree.fromFrontier(toSafeInteger(row.tree_size), frontier);
    last = { chain, treeSize: tree.size, note: row.note };
  }
  while (tree.size <= headSeq) {
    const page = await sql.query<{ seq: unknown; hash: unknown }>(
      'SELECT seq, hash FROM audit_records WHERE chain = $1 AND seq >= $2 AND seq <= $3 ORDER BY seq',
      [chain, tree.size, Math.min(tree.size + 9999, headSeq)],
    );
    if (page.rows.length === 0) throw new Error(`chain ${chain} has no record at seq ${tree.size}`);
    for (const r of page.rows) {
      if (toSafeInteger(r.seq) !== tree.size) throw new Error(`chain ${chain} has no record at seq ${tree.size}`);
      tree.append(toBytes(r.hash));
    }
  }
  return { tree, last };
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

/** The newest stored checkpoint note of `chain`, or null: what witnesses poll. */
export async function latestCheckpoint(sql: Sql, chain: string): Promise<string | null> {
  const { rows } = await sql.query<{ note: string }>(
    'SELECT note FROM audit_checkpoints WHERE chain = $1 ORDER BY tree_size DESC LIMIT 1',
    [chain],
  );
  return rows[0]?.note ?? null;
}
