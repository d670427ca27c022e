// Writes the group committer's batches for one chain, in the order they were sealed, and keeps three promises:
// - Isolation: a batch the database refuses for its data (SQLSTATE class 22, 23 or 54) is split in halves and written
//   again, down to the one record at fault, which alone fails (ERR_RECORD_INVALID); every other record commits.
// - Honest ambiguity: a batch sent but not acknowledged (timeout, lost connection) MAY have committed. It stays a
//   candidate until the next write locks the head row: a stored head equal to a candidate's head means it committed
//   (its records are adopted, never written twice); once any later batch commits, no candidate ever can (fork guard).
// - Settled items are skipped: a record whose waiter gave up (abandoned) or that is known committed is not written.
// - Deferred flushes (ledger.outcome_commit flush_deferred): a batch of outcome records only MAY commit without waiting
//   for the WAL flush; every other batch, and every batch written in an explicit transaction, waits for it (and so
//   flushes all WAL before it). Such batches are kept until a flushed commit follows (at most MAX_DEFERRED_RECORDS
//   records; then the next batch waits for its flush): a database crash that lost them leaves its head behind this
//   writer's, and the next write stores them again, byte for byte, before its own records (the chain is as it was).
import { LedgerError } from './errors.ts';
import type { Signer } from './keys.ts';
import { appendBatch, insertBatch, lockHead, sameHead, sealBatch } from './chain-writer.ts';
import type { AppendedRecord, ChainContext, Clock, Flush, Head, PendingRecord, SealedBatch } from './chain-writer.ts';
import type { ItemResult } from './group-commit.ts';
import type { PartitionMonths } from './partitions.ts';
import { traceLedger } from './trace.ts';
import type { Lease, Sql } from '../db/index.ts';

export interface WriterState {
  sql: Sql;
  chain: string;
  clock: Clock;
  partitions: PartitionMonths;
  lease: Lease;
  takeLease(): Promise<Lease>;
  /** The committed head and the key in force there. */
  head: Head;
  signer: Signer;
  /** Where the next batch is sealed from (ahead of head while a batch writes). */
  tail: Head;
  tailSigner: Signer;
  lastWrite: Promise<void>;
  /** Batches sent since the last acknowledged commit; each continues `head`, so at most one of them committed. */
  candidates: { batch: SealedBatch; items: readonly PendingRecord[] }[];
  /** Whether a batch of outcome records only may commit without waiting for the WAL flush (ledger.outcome_commit). */
  outcomeCommit: OutcomeCommit;
  /** Batches committed without a flush since the last flushed commit, in chain order; each continues the one before. */
  deferred: SealedBatch[];
  /** After each commit (or adoption): the records now committed, in chain order. */
  observe(records: readonly AppendedRecord[]): void;
  /** Records a database crash lost after their unflushed commit, stored again (committed with the batch after them). */
  restored?(records: readonly AppendedRecord[]): void;
}

/** `durable`: every commit waits for the WAL flush. `flush_deferred`: a batch of outcome records only does not. */
export type OutcomeCommit = 'durable' | 'flush_deferred';

/** Outcome records committed without a flush that a writer keeps (to store again after a crash lost them). */
export const MAX_DEFERRED_RECORDS = 1024;

type Results = ItemResult<AppendedRecord>[];

/** SQLSTATE classes that mean "this data", not "this database": 22 data exception, 23 integrity, 54 program limit. */
function refusedForData(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^(22|23|54)[0-9A-Z]{3}$/.test(code);
}

const settled = (item: PendingRecord) =>
  item.ticket !== undefined && (item.ticket.abandoned || item.ticket.committed !== null);

function settledResult(item: PendingRecord): ItemResult<AppendedRecord> {
  const committed = item.ticket?.committed ?? null;
  if (committed !== null) return { ok: true, value: committed };
  const error = new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the append was abandoned before its batch was written');
  return { ok: false, error };
}

/** The group committer's `commit` for this chain. */
export function batchCommit(st: WriterState) {
  const ctx = (signer: Signer): ChainContext => ({
    chain: st.chain,
    clock: st.clock,
    signer,
    partitions: st.partitions,
  });

  function adopt(candidate: { batch: SealedBatch; items: readonly PendingRecord[] }): void {
    st.head = candidate.batch.head;
    st.signer = candidate.batch.signer;
    st.candidates = [];
    const records: AppendedRecord[] = [];
    candidate.batch.results.forEach((r, i) => {
      if (!r.ok) return;
      records.push(r.value);
      candidate.items[i]?.ticket?.adopt(r.value);
    });
    if (records.length > 0) st.observe(records);
  }

  /** How a batch sent as one statement commits: without waiting for the flush only if it holds outcomes alone. */
  function flushOf(batch: SealedBatch): Flush {
    if (st.outcomeCommit !== 'flush_deferred' || batch.rows.some((r) => r.type !== 'outcome')) return 'durable';
    const kept = st.deferred.reduce((n, b) => n + b.rows.length, 0);
    return kept + batch.rows.length <= MAX_DEFERRED_RECORDS ? 'deferred' : 'durable';
  }

  let restoring: AppendedRecord[] = []; // stored again by the transaction in progress: reported once it commits

  /** A crash of the database lost batches committed without a flush (its head is the base of one of them): they are
   * stored again, byte for byte, inside the caller's transaction. False if `stored` is not such a base. */
  async function restoreDeferred(tx: Sql, stored: Head): Promise<boolean> {
    const from = st.deferred.findIndex((b) => sameHead(b.base, stored));
    if (from < 0) return false;
    const lost = st.deferred.slice(from);
    for (const batch of lost) await insertBatch(tx, ctx(st.signer), batch);
    st.candidates = []; // the stored head was behind them all: none of them committed
    restoring = lost.flatMap((b) => b.results.flatMap((r) => (r.ok ? [r.value] : [])));
    return true;
  }

  /** The batch in an explicit transaction: locks the head, settles a candidate or restores lost deferred batches. */
  async function writeLocked(items: readonly PendingRecord[], batch: SealedBatch | null) {
    let live = items;
    restoring = [];
    const done = await st.sql.transaction(async (tx) => {
      const stored = await lockHead(tx, st.chain);
      if (!sameHead(stored, st.head)) {
        const committed = st.candidates.find((c) => sameHead(c.batch.head, stored));
        if (committed)
          adopt(committed); // an unacknowledged batch did commit: its records are kept, never written twice
        else if (!(await restoreDeferred(tx, stored))) {
          const where = `head at seq ${String(stored.seq)}, expected ${String(st.head.seq)}`;
          throw new LedgerError('ERR_CHAIN_CONFLICT', `chain ${st.chain} was written by another writer (${where})`);
        }
      }
      live = items.filter((i) => !settled(i));
      const fresh =
        batch !== null &&
        live.length === items.length &&
        sameHead(batch.base, st.head) &&
        batch.baseKid === st.signer.kid;
      const ready = fresh ? (batch as SealedBatch) : await sealBatch(ctx(st.signer), st.head, live);
      if (ready.rows.length === 0) return ready;
      st.candidates.push({ batch: ready, items: live });
      await insertBatch(tx, ctx(st.signer), ready);
      return ready;
    });
    st.deferred = []; // this transaction locked the head row (an xid, WAL): its commit waited for the flush
    if (restoring.length > 0) st.restored?.(restoring);
    return { done, live };
  }

  /** One write of `items` (aligned results). MAY adopt a candidate first; seals again when `batch` is stale. */
  async function writeOnce(items: readonly PendingRecord[], batch: SealedBatch | null): Promise<Results> {
    const direct =
      batch !== null &&
      st.candidates.length === 0 &&
      batch.newKeys.length === 0 &&
      sameHead(batch.base, st.head) &&
      batch.baseKid === st.signer.kid;
    let live = items;
    let done: SealedBatch | null = null;
    if (direct) {
      const ready = batch as SealedBatch;
      const flush = flushOf(ready);
      const candidate = { batch: ready, items };
      st.candidates.push(candidate); // sent: its fate is unknown until the statement answers
      try {
        done = await appendDirect(st.sql, ctx(st.signer), ready, flush);
        if (flush === 'deferred') st.deferred.push(ready);
        else st.deferred = [];
      } catch (error) {
        const moved = error instanceof LedgerError && error.code === 'ERR_CHAIN_CONFLICT';
        if (!moved || st.deferred.length === 0) throw error;
        st.candidates = st.candidates.filter((c) => c !== candidate); // refused: it did not commit
      }
    }
    if (done === null) ({ done, live } = await writeLocked(items, batch));
    // Acknowledged: this batch is the head now, and no other candidate can ever commit (its base is gone).
    st.candidates = [];
    st.head = done.head;
    st.signer = done.signer;
    const committed = done.results.flatMap((r) => (r.ok ? [r.value] : []));
    if (committed.length > 0) st.observe(committed);
    return aligned(items, live, done.results);
  }

  /** Writes `items`; a refusal for data is narrowed down by halves to the record at fault. */
  async function writeIsolating(items: readonly PendingRecord[], batch: SealedBatch | null): Promise<Results> {
    try {
      return await writeOnce(items, batch);
    } catch (error) {
      if (!refusedForData(error)) throw error;
      if (items.length === 1) {
        const refused = new LedgerError('ERR_RECORD_INVALID', 'the database refused this record', { cause: error });
        return [{ ok: false, error: refused }];
      }
      const mid = Math.ceil(items.length / 2);
      return [...(await writeIsolating(items.slice(0, mid), null)), ...(await writeIsolating(items.slice(mid), null))];
    }
  }

  return async (items: PendingRecord[], sealed: () => void): Promise<Results> => {
    const kind = items[0]?.type ?? 'none';
    traceLedger('batch', kind, items.length);
    const previousWrite = st.lastWrite;
    let written!: () => void;
    st.lastWrite = new Promise<void>((resolve) => (written = resolve));
    try {
      let batch: SealedBatch | null = null;
      try {
        batch = await sealBatch(ctx(st.tailSigner), st.tail, items);
        st.tail = batch.head;
        st.tailSigner = batch.signer;
      } catch {
        batch = null; // sealed again at its turn, where its error (if it recurs) fails the batch
      } finally {
        traceLedger('sealed', kind, items.length);
        sealed();
      }
      await previousWrite;
      if (!st.lease.held) st.lease = await st.takeLease(); // the lease connection died: take it again or stop
      const live = items.filter((i) => !settled(i));
      if (live.length === 0) return items.map(settledResult);
      const results = await writeIsolating(live, live.length === items.length ? batch : null);
      if (batch === null || !sameHead(st.head, batch.head)) {
        st.tail = st.head; // later batches were sealed after records that were not written as sealed: sealed again
        st.tailSigner = st.signer;
      }
      traceLedger('committed', kind, items.length);
      return aligned(items, live, results);
    } catch (error) {
      traceLedger('failed', kind, items.length);
      st.partitions.forget();
      st.tail = st.head; // batches sealed after this one are sealed again from the committed head
      st.tailSigner = st.signer;
      throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the audit record could not be committed', { cause: error });
    } finally {
      written();
    }
  };
}

/** Results for `items`, given those of the `live` subset (in order); the rest are settled. */
function aligned(items: readonly PendingRecord[], live: readonly PendingRecord[], results: Results): Results {
  if (live.length === items.length) return [...results];
  const at = new Map(live.map((item, i) => [item, i]));
  return items.map((item) => {
    const i = at.get(item);
    return i === undefined ? settledResult(item) : (results[i] as ItemResult<AppendedRecord>);
  });
}

/** appendBatch, with the database's "the head moved" (PR004) reported as the conflict it is. */
async function appendDirect(sql: Sql, ctx: ChainContext, batch: SealedBatch, flush: Flush): Promise<SealedBatch> {
  try {
    await appendBatch(sql, ctx, batch, flush);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'PR004') {
      const why = `chain ${ctx.chain} was written by another writer (head no longer at seq ${String(batch.base.seq)})`;
      throw new LedgerError('ERR_CHAIN_CONFLICT', why, { cause: error });
    }
    throw error;
  }
  return batch;
}
