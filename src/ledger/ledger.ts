// The append-only, signed, hash-chained audit ledger: one chain per writer, held exclusively through a lease
// (ERR_CHAIN_LEASED for a second holder); concurrent appends are group-committed, one transaction per batch, and each
// batch locks the chain's head row FOR UPDATE and checks it is where this writer left it (ERR_CHAIN_CONFLICT if not),
// so a fork cannot be stored. append() MUST NOT resolve before its row is committed; a failed batch rejects every
// waiter with ERR_AUDIT_UNAVAILABLE and the in-memory tail stays where the last committed batch left it.
import { canonicalMembers } from './canonical.ts';
import type { JsonValue } from './canonical.ts';
import { LedgerError } from './errors.ts';
import type { Signer } from './keys.ts';
import { RESERVED_FIELDS, schemaProblem } from './record.ts';
import type { RecordType } from './record.ts';
import { appendBatch, insertBatch, lockHead, sameHead, sealBatch, writeBatch } from './chain-writer.ts';
import type { AppendedRecord, ChainContext, Clock, Head, Member, PendingRecord, RecordIndex, SealedBatch } from './chain-writer.ts';
import { startCheckpointer } from './checkpointer.ts';
import type { CheckpointOptions, Checkpointer, StoredCheckpoint } from './checkpointer.ts';
import { createGroupCommitter } from './group-commit.ts';
import { PartitionMonths } from './partitions.ts';
import type { GroupCommitOptions } from './group-commit.ts';
import type { Lease, Sql } from '../db/index.ts';

export type { AppendedRecord, Clock, RecordIndex } from './chain-writer.ts';

/** What a retention_applied record says: the chain's records 0..dropped_through_seq went with these partitions. */
export interface RetentionBody {
  dropped_through_seq: number;
  dropped_through_hash: string;
  partitions: string[];
  retention_months: number;
}

export interface Ledger {
  readonly chain: string;
  /** MUST NOT resolve until the record's row is committed. MUST reject (LedgerError ERR_AUDIT_UNAVAILABLE, cause attached) on any database error, a lost lease or a moved chain; nothing is acknowledged that was not committed. Invalid bodies reject with ERR_RECORD_INVALID. */
  append(type: RecordType, requestId: string | null, body: Record<string, JsonValue>, index?: RecordIndex): Promise<AppendedRecord>;
  /** Appends a key_rotated record (signed by the current key, counter-signed by `next`); later records are signed by `next`. Resolves once committed. */
  rotateKey(next: Signer): Promise<AppendedRecord>;
  /** Appends a retention_applied record (retention only: docs/ledger.md). Resolves once committed. */
  recordRetention(body: RetentionBody): Promise<AppendedRecord>;
  /** Writes a signed checkpoint now if records were committed since the last; null without checkpoints configured. */
  checkpoint(): Promise<StoredCheckpoint | null>;
  /** Settles what is queued, writes a last checkpoint, then releases the lease; later appends reject with ERR_AUDIT_UNAVAILABLE. */
  close(): Promise<void>;
}

export interface LedgerOptions {
  sql: Sql;
  signer: Signer;
  chain: string;
  clock: Clock;
  /** Group commit: flush at this many records or after this wait (defaults 256 and 0 ms). */
  batch?: Partial<GroupCommitOptions>;
  /** Called after each committed batch with its records, in chain order (checkpoints hang off this). */
  onCommit?: (records: readonly AppendedRecord[]) => void;
  /** Signed checkpoints (docs/ledger.md); none when absent. */
  checkpoints?: CheckpointOptions;
}

const CHAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function leaseName(chain: string): string {
  return `chain:${chain}`;
}

/** Takes the chain's lease, registers the key, creates the chain (chain_opened at seq 0) or resumes from its head. */
export async function openLedger(opts: LedgerOptions): Promise<Ledger> {
  const { sql, chain } = opts;
  let signer = opts.signer;
  if (!CHAIN_ID.test(chain)) {
    throw new LedgerError('ERR_RECORD_INVALID', `chain id must match ${CHAIN_ID.source}`, { path: '$.chain' });
  }
  let lease = await takeLease(sql, chain);
  let head: Head;
  let checkpointer: Checkpointer | null = null;
  const partitions = new PartitionMonths();
  try {
    head = await unavailableOnFailure(async () => {
      // This month's partition and the next, ahead of time (wall time: the injected clock is read for records only;
      // a record in any other month has its partition created by its batch).
      await partitions.ensure(sql, [new Date()]);
      await sql.query('INSERT INTO audit_keys (kid, public_key_pem) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [signer.kid, signer.publicKeyPem]);
      return sql.transaction(async (tx) => {
        await tx.query('INSERT INTO audit_chains (chain) VALUES ($1) ON CONFLICT (chain) DO NOTHING', [chain]);
        const locked = await lockHead(tx, chain);
        if (locked.seq !== null) return locked;
        const opened = await writeBatch(tx, { chain, clock: opts.clock, signer, partitions }, locked, [{ type: 'chain_opened', requestId: null, body: {}, index: {} }]);
        return opened.head;
      });
    });
    if (opts.checkpoints) checkpointer = await unavailableOnFailure(() => startCheckpointer(sql, () => signer, chain, head.seq ?? 0, opts.checkpoints ?? {}));
  } catch (error) {
    await lease.release();
    throw error;
  }

  // After a failure whose commit acknowledgement may have been lost, the stored head may be ahead of ours.
  let uncertain = false;
  let closed = false;
  // Pipelining: a batch is sealed after the one before it (from `tail`, where that one will leave the chain) while
  // that one writes; batches write in the order they were sealed. A batch whose base is no longer the committed head
  // when its turn comes (the one before failed) is sealed again from the head, inside its transaction.
  let tail: Head = head;
  let tailSigner = signer;
  let lastWrite: Promise<void> = Promise.resolve();
  const committer = createGroupCommitter<PendingRecord, AppendedRecord>(
    { maxRecords: opts.batch?.maxRecords ?? 256, maxWaitMs: opts.batch?.maxWaitMs ?? 0 },
    async (items, sealed) => {
      const previousWrite = lastWrite;
      let written!: () => void;
      lastWrite = new Promise<void>((resolve) => (written = resolve));
      try {
        let batch: SealedBatch | null = null;
        try {
          batch = await sealBatch({ chain, clock: opts.clock, signer: tailSigner, partitions }, tail, items);
          tail = batch.head;
          tailSigner = batch.signer;
        } catch {
          batch = null; // sealed again below, in order, where its error (if it recurs) fails the batch
        } finally {
          sealed();
        }
        await previousWrite;
        if (!lease.held) lease = await takeLease(sql, chain); // the lease connection died: take it again or stop
        const ctx = { chain, clock: opts.clock, signer, partitions };
        // The usual case, in one statement (one round trip): the batch was sealed from the committed head with the key in
        // force and brings no new key. Anything else (after a failure, a rotation) takes the transaction below.
        const direct = batch !== null && !uncertain && batch.newKeys.length === 0 && sameHead(batch.base, head) && batch.baseKid === signer.kid;
        const done = direct ? await appendDirect(sql, ctx, batch as SealedBatch) : await sql.transaction(async (tx) => {
          const stored = await lockHead(tx, chain);
          if (!sameHead(stored, head) && !(uncertain && (await onlyOurs(tx, chain, head, signer.kid)))) {
            throw new LedgerError('ERR_CHAIN_CONFLICT', `chain ${chain} was written by another writer (head at seq ${String(stored.seq)}, expected ${String(head.seq)})`);
          }
          const ready = batch !== null && sameHead(batch.base, stored) && batch.baseKid === signer.kid ? batch : await sealBatch(ctx, stored, items);
          await insertBatch(tx, ctx, ready);
          return ready;
        });
        head = done.head;
        signer = done.signer;
        uncertain = false;
        const committed = done.results.flatMap((r) => (r.ok ? [r.value] : []));
        if (committed.length > 0) {
          checkpointer?.observe(committed);
          opts.onCommit?.(committed);
        }
        return done.results;
      } catch (error) {
        uncertain = true;
        partitions.forget();
        tail = head; // batches sealed after this one are sealed again from the committed head
        tailSigner = signer;
        throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the audit record could not be committed', { cause: error });
      } finally {
        written();
      }
    },
  );

  return {
    chain,
    append(type, requestId, body, index = {}) {
      try {
        if (closed) throw new LedgerError('ERR_AUDIT_UNAVAILABLE', `the ledger for chain ${chain} is closed`);
        // Serialised once, here: the batch merges these members with the envelope and the seal.
        const members = checkBody(type, requestId, body, signer.kid);
        return committer.enqueue({ type, requestId, body, members, index });
      } catch (error) {
        return Promise.reject(error);
      }
    },
    rotateKey(next) {
      if (closed) return Promise.reject(new LedgerError('ERR_AUDIT_UNAVAILABLE', `the ledger for chain ${chain} is closed`));
      return committer.enqueue({ type: 'key_rotated', requestId: null, body: {}, index: {}, rotateTo: next });
    },
    recordRetention(body) {
      if (closed) return Promise.reject(new LedgerError('ERR_AUDIT_UNAVAILABLE', `the ledger for chain ${chain} is closed`));
      const { dropped_through_seq, dropped_through_hash, partitions: dropped, retention_months } = body;
      return committer.enqueue({ type: 'retention_applied', requestId: null, body: { dropped_through_seq, dropped_through_hash, partitions: [...dropped], retention_months }, index: {} });
    },
    checkpoint: async () => (checkpointer ? checkpointer.checkpoint() : null),
    async close() {
      closed = true;
      await committer.drain();
      await checkpointer?.close();
      await lease.release();
    },
  };
}

/** appendBatch, with the database's "the head moved" (PR004) reported as the conflict it is. */
async function appendDirect(sql: Sql, ctx: ChainContext, batch: SealedBatch): Promise<SealedBatch> {
  try {
    await appendBatch(sql, ctx, batch);
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code === 'PR004') {
      throw new LedgerError('ERR_CHAIN_CONFLICT', `chain ${ctx.chain} was written by another writer (head no longer at seq ${String(batch.base.seq)})`, { cause: error });
    }
    throw error;
  }
  return batch;
}

async function takeLease(sql: Sql, chain: string): Promise<Lease> {
  const lease = await unavailableOnFailure(() => sql.tryLease(leaseName(chain)));
  if (lease === null) {
    throw new LedgerError('ERR_CHAIN_LEASED', `chain ${chain} is held by another running Proctor; give each replica its own ledger.chain`);
  }
  return lease;
}

/** After an uncertain failure: the stored head may be ahead of ours only by records this writer's key signed. */
async function onlyOurs(tx: Sql, chain: string, head: Head, kid: string): Promise<boolean> {
  const { rows } = await tx.query<{ ours: unknown; others: unknown }>(
    `SELECT count(*) FILTER (WHERE seq = $2 AND hash = $3) AS ours, count(*) FILTER (WHERE seq > $2 AND kid <> $4) AS others
     FROM audit_records WHERE chain = $1 AND seq >= $2`,
    [chain, head.seq ?? 0, head.hash === null ? null : Buffer.from(head.hash), kid],
  );
  return Number(rows[0]?.ours) === 1 && Number(rows[0]?.others) === 0;
}

/** Checks an appended body and returns its canonical members. The record is schema-checked here, with the envelope
 * and seal fields the batch will give it in their final form (seq ≥ 1, a hex prev and hash, this key's kid): those
 * are built to satisfy the schema, so what is stored is exactly what was checked. */
function checkBody(type: RecordType, requestId: string | null, body: Record<string, JsonValue>, kid: string): Member[] {
  if (type === 'chain_opened') {
    throw new LedgerError('ERR_RECORD_INVALID', 'chain_opened records are written by openLedger only', { path: '$.type' });
  }
  if (type === 'key_rotated') {
    throw new LedgerError('ERR_RECORD_INVALID', 'key_rotated records are written by key rotation only', { path: '$.type' });
  }
  if (type === 'retention_applied') {
    throw new LedgerError('ERR_RECORD_INVALID', 'retention_applied records are written by retention only', { path: '$.type' });
  }
  if (type !== 'decision' && type !== 'outcome' && type !== 'policy_activated') {
    throw new LedgerError('ERR_RECORD_INVALID', `unknown record type ${String(type)}`, { path: '$.type' });
  }
  if (requestId !== null && typeof requestId !== 'string') {
    throw new LedgerError('ERR_RECORD_INVALID', 'request_id must be a string or null', { path: '$.request_id' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new LedgerError('ERR_RECORD_INVALID', 'body must be an object', { path: '$' });
  }
  for (const key of Object.keys(body)) {
    if (RESERVED_FIELDS.has(key)) {
      throw new LedgerError('ERR_RECORD_INVALID', `body may not set the envelope field ${key}`, { path: `$.${key}` });
    }
  }
  const members = canonicalMembers(body); // rejects non-JSON values, naming their path, before anything is queued
  const problem = schemaProblem({ ...body, v: 1, type, chain: 'c', seq: 1, ts: PLACEHOLDER_TS, prev: PLACEHOLDER_HASH, request_id: requestId, hash: PLACEHOLDER_HASH, kid, sig: PLACEHOLDER_SIG });
  if (problem !== null) throw new LedgerError('ERR_RECORD_INVALID', `record fails the schema: ${problem}`);
  return members;
}

const PLACEHOLDER_TS = '2000-01-01T00:00:00.000Z';
const PLACEHOLDER_HASH = '0'.repeat(64);
const PLACEHOLDER_SIG = 'A'.repeat(86);

/** Any failure other than an invalid record means nothing was durably written: ERR_AUDIT_UNAVAILABLE. */
async function unavailableOnFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'ERR_RECORD_INVALID') throw err;
    throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the audit record could not be committed', { cause: err });
  }
}
