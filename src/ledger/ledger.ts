// The append-only, signed, hash-chained audit ledger: one chain per writer, held exclusively through a lease
// (ERR_CHAIN_LEASED for a second holder); concurrent appends are group-committed, one transaction per batch, and each
// batch locks the chain's head row FOR UPDATE and checks it is where this writer left it (ERR_CHAIN_CONFLICT if not),
// so a fork cannot be stored. append() MUST NOT resolve before its row is committed, and flushed to disk unless
// outcomeCommit is flush_deferred and its batch holds outcomes only. A decision's append gives up after
// timing.appendTimeoutMs (ERR_AUDIT_UNAVAILABLE: nothing may be forwarded); an outcome is held and retried until
// committed (ERR_AUDIT_PENDING tells its waiter it is late, not lost). One record's bad data fails that record alone
// (src/ledger/batch-writer.ts); a batch whose commit went unacknowledged is resolved by the next write's head read.
import { canonicalMembers } from './canonical.ts';
import type { JsonValue, MemberNotes } from './canonical.ts';
import { LedgerError } from './errors.ts';
import type { Signer } from './keys.ts';
import { RESERVED_FIELDS, schemaProblem, storableProblem } from './record.ts';
import type { RecordType } from './record.ts';
import { lockHead, writeBatch } from './chain-writer.ts';
import type { AppendedRecord, Clock, Head, PendingRecord, RecordIndex } from './chain-writer.ts';
import type { Member } from './record-text.ts';
import { batchCommit } from './batch-writer.ts';
import type { OutcomeCommit, WriterState } from './batch-writer.ts';
import { createWaiters, DEFAULT_TIMING } from './append-waiters.ts';
import type { LedgerTiming } from './append-waiters.ts';
import { defaultOrigin, startCheckpointer } from './checkpointer.ts';
import { queryColumns } from './verify-columns.ts';
import type { CheckpointOptions, Checkpointer, StoredCheckpoint } from './checkpointer.ts';
import { createGroupCommitter } from './group-commit.ts';
import { PartitionMonths } from './partitions.ts';
import { traceLedger } from './trace.ts';
import type { GroupCommitOptions } from './group-commit.ts';
import type { Lease, Sql } from '../db/index.ts';

export type { AppendedRecord, Clock, RecordIndex } from './chain-writer.ts';
export { DEFAULT_TIMING } from './append-waiters.ts';
export type { LedgerTiming } from './append-waiters.ts';
export type { OutcomeCommit } from './batch-writer.ts';

/** What a retention_applied record says: the chain's records 0..dropped_through_seq went with these partitions. */
export interface RetentionBody {
  dropped_through_seq: number;
  dropped_through_hash: string;
  partitions: string[];
  retention_months: number;
}

export interface Ledger {
  readonly chain: string;
  /** MUST NOT resolve until the record's row is committed. Invalid records (bodies, or values PostgreSQL would refuse)
   * reject with ERR_RECORD_INVALID, alone. A decision (any type but outcome) MUST reject with ERR_AUDIT_UNAVAILABLE on
   * a database error, a lost lease, a moved chain or timing.appendTimeoutMs passing: nothing is acknowledged that was
   * not committed (one committed after all is reported to onAbandoned). An outcome is never given up while the process
   * runs: retried until committed; past timing.outcomeWaitMs it rejects with ERR_AUDIT_PENDING and is still written. */
  append(
    type: RecordType,
    requestId: string | null,
    body: Record<string, JsonValue>,
    index?: RecordIndex,
    options?: AppendOptions,
  ): Promise<AppendedRecord>;
  /** Appends a key_rotated record (signed by the current key, counter-signed by `next`); later records are signed by
   * `next`. Resolves once committed. */
  rotateKey(next: Signer): Promise<AppendedRecord>;
  /** Appends a retention_applied record (retention only: docs/ledger.md). Resolves once committed. */
  recordRetention(body: RetentionBody): Promise<AppendedRecord>;
  /** Writes a signed checkpoint now if records were committed since the last; null without checkpoints configured. */
  checkpoint(): Promise<StoredCheckpoint | null>;
  /** The newest checkpoint this writer signed (or vouched for at start); null before one or without checkpoints. */
  latestCheckpoint?(): StoredCheckpoint | null;
  /** Its checkpoints' origin (the note's first line and key name). */
  readonly checkpointOrigin?: string;
  /** Resolves true while this writer holds its chain's lease, false once closed; a lease whose connection died is taken
   * again first (in turn with batch writes). Rejects with the take's error (ERR_CHAIN_LEASED,
   * ERR_AUDIT_UNAVAILABLE). */
  holdsLease?(): Promise<boolean>;
  /** Gives held outcomes up to timing.closeWaitMs, settles what is queued, writes a last checkpoint, then releases the
   * lease; later appends reject with ERR_AUDIT_UNAVAILABLE. */
  close(): Promise<void>;
}

export interface AppendOptions {
  /** A shorter deadline than timing.appendTimeoutMs for this append (what is left of a request's database budget);
   * ignored for outcomes, which are never given up. */
  timeoutMs?: number;
}

export interface LedgerOptions {
  sql: Sql;
  signer: Signer;
  chain: string;
  clock: Clock;
  /** Group commit: flush at this many records or after this wait (defaults 256 and 0 ms). */
  batch?: Partial<GroupCommitOptions>;
  /** `durable` (default): every commit waits for the WAL flush. `flush_deferred`: a batch holding outcome records only
   * commits without waiting for it (a later flushed commit, or PostgreSQL's WAL writer, flushes it); every other batch,
   * and every checkpoint, waits as before (docs/ledger.md, "Outcome commits"). */
  outcomeCommit?: OutcomeCommit;
  /** Outcome records a PostgreSQL crash lost after their commit without a flush, stored again byte for byte
   * (flush_deferred only): the database lost acknowledged commits, which its operator should know. */
  onRestored?: (records: readonly AppendedRecord[]) => void;
  /** Called after each committed batch with its records, in chain order (checkpoints hang off this). */
  onCommit?: (records: readonly AppendedRecord[]) => void;
  /** Signed checkpoints (docs/ledger.md); none when absent. */
  checkpoints?: CheckpointOptions;
  /** Deadlines and retries (defaults: DEFAULT_TIMING; docs/ledger.md). */
  timing?: Partial<LedgerTiming>;
  /** A record whose append was reported as failed turned out committed (its statement ran past the deadline, or an
   * unacknowledged batch was found committed). For a decision, nothing was forwarded: the caller records that. */
  onAbandoned?: (record: AppendedRecord) => void;
}

const CHAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export function leaseName(chain: string): string {
  return `chain:${chain}`;
}

/** Takes the chain's lease, registers the key, creates the chain (chain_opened at seq 0) or resumes from its head. */
export async function openLedger(opts: LedgerOptions): Promise<Ledger> {
  const { sql, chain } = opts;
  const signer = opts.signer;
  if (!CHAIN_ID.test(chain)) {
    throw new LedgerError('ERR_RECORD_INVALID', `chain id must match ${CHAIN_ID.source}`, { path: '$.chain' });
  }
  const lease = await takeLease(sql, chain);
  let head: Head;
  let current: WriterState | null = null; // the writer's state, once open: the checkpointer signs with its key
  let checkpointer: Checkpointer | null = null;
  const partitions = new PartitionMonths();
  try {
    head = await unavailableOnFailure(async () => {
      // This month's partition and the next, ahead of time (wall time: the injected clock is read for records only;
      // a record in any other month has its partition created by its batch).
      await partitions.ensure(sql, [new Date()]);
      await sql.query('INSERT INTO audit_keys (kid, public_key_pem) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [
        signer.kid,
        signer.publicKeyPem,
      ]);
      return sql.transaction(async (tx) => {
        await tx.query('INSERT INTO audit_chains (chain) VALUES ($1) ON CONFLICT (chain) DO NOTHING', [chain]);
        const locked = await lockHead(tx, chain);
        if (locked.seq !== null) return locked;
        const opened = await writeBatch(tx, { chain, clock: opts.clock, signer, partitions }, locked, [
          { type: 'chain_opened', requestId: null, body: {}, index: {} },
        ]);
        return opened.head;
      });
    });
    const signing = () => current?.signer ?? signer;
    if (opts.checkpoints) {
      checkpointer = await unavailableOnFailure(() =>
        startCheckpointer(sql, signing, chain, head.seq ?? 0, opts.checkpoints ?? {}),
      );
    }
  } catch (error) {
    await lease.release();
    throw error;
  }

  let closed = false;
  const timing = { ...DEFAULT_TIMING, ...opts.timing };
  const st: WriterState = {
    sql,
    chain,
    clock: opts.clock,
    partitions,
    lease,
    takeLease: () => takeLease(sql, chain),
    head,
    signer,
    tail: head,
    tailSigner: signer,
    lastWrite: Promise.resolve(),
    candidates: [],
    outcomeCommit: opts.outcomeCommit ?? 'durable',
    deferred: [],
    ...(opts.onRestored ? { restored: opts.onRestored } : {}),
    observe(records) {
      checkpointer?.observe(records);
      opts.onCommit?.(records);
    },
  };
  current = st;
  // Pipelining: a batch is sealed after the one before it (from `tail`, where that one will leave the chain) while
  // that one writes; batches write in the order they were sealed (src/ledger/batch-writer.ts).
  const committer = createGroupCommitter<PendingRecord, AppendedRecord>(
    {
      maxRecords: opts.batch?.maxRecords ?? 256,
      maxWaitMs: opts.batch?.maxWaitMs ?? 0,
      ...(opts.batch?.pipelineMin === undefined ? {} : { pipelineMin: opts.batch.pipelineMin }),
    },
    batchCommit(st),
    (item) => item.type !== 'outcome', // decisions first when more wait than a batch takes (group-commit.ts)
  );
  const waiters = createWaiters({ committer, timing, onAbandoned: (record) => abandoned(record) });
  // A decision committed after its waiter was told it was not (so nothing was forwarded for it) gets the outcome that
  // says so, held like any outcome: the chain never shows an allowed decision whose fate it does not tell.
  function abandoned(record: AppendedRecord): void {
    opts.onAbandoned?.(record);
    const { type, decision, request_id: requestId } = record.record;
    const allowed =
      typeof decision === 'object' && decision !== null && !Array.isArray(decision) && decision.allow === true;
    if (type !== 'decision' || !allowed || closed) return;
    const columns = queryColumns(record.record) ?? { subject: null, decision: null, policy_version: null };
    const body = {
      decision_hash: record.hash,
      status: 503,
      upstream: 'none',
      upstream_status: null,
      attempts: [],
      latency_ms: 0,
      usage: null,
      error: 'ERR_AUDIT_UNAVAILABLE',
      response_classification: null,
      response_action: 'none',
    };
    const item: PendingRecord = {
      type: 'outcome',
      requestId,
      body,
      members: canonicalMembers(body),
      index: {
        subject: columns.subject,
        decision: columns.decision,
        policyVersion: columns.policy_version,
      },
    };
    waiters.durable(item).catch(() => undefined); // late is fine; given up only when the process ends
  }

  const refuse = (why: string) => Promise.reject(new LedgerError('ERR_AUDIT_UNAVAILABLE', why));
  return {
    chain,
    append(type, requestId, body, index = {}, options = {}) {
      try {
        if (closed) return refuse(`the ledger for chain ${chain} is closed`);
        // Serialised once, here: the batch merges these members with the envelope and the seal.
        const members = checkBody(type, requestId, body, st.signer.kid, index);
        const item: PendingRecord = { type, requestId, body, members, index };
        traceLedger('enqueue', type);
        if (type === 'outcome') return waiters.durable(item);
        if (type === 'decision' && waiters.retrying >= timing.maxRetryingOutcomes) {
          return refuse(
            `${waiters.retrying} outcome records await a retry; no new decision is taken until they are committed`,
          );
        }
        return waiters.bounded(item, Math.max(0, Math.min(timing.appendTimeoutMs, options.timeoutMs ?? Infinity)));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    rotateKey(next) {
      if (closed) return refuse(`the ledger for chain ${chain} is closed`);
      return committer.enqueue({ type: 'key_rotated', requestId: null, body: {}, index: {}, rotateTo: next });
    },
    recordRetention(body) {
      if (closed) return refuse(`the ledger for chain ${chain} is closed`);
      const { dropped_through_seq, dropped_through_hash, partitions: dropped, retention_months } = body;
      return committer.enqueue({
        type: 'retention_applied',
        requestId: null,
        body: { dropped_through_seq, dropped_through_hash, partitions: [...dropped], retention_months },
        index: {},
      });
    },
    checkpoint: async () => (checkpointer ? checkpointer.checkpoint() : null),
    latestCheckpoint: () => checkpointer?.latest() ?? null,
    checkpointOrigin: opts.checkpoints?.origin ?? defaultOrigin(chain),
    async holdsLease() {
      if (closed) return false;
      if (st.lease.held) return true;
      const previousWrite = st.lastWrite;
      let written!: () => void;
      st.lastWrite = new Promise<void>((resolve) => (written = resolve));
      try {
        await previousWrite;
        if (!st.lease.held) st.lease = await st.takeLease();
        return true;
      } finally {
        written();
      }
    },
    async close() {
      closed = true;
      await waiters.release(timing.closeWaitMs); // held outcomes get this long; then the process is ending
      await committer.drain();
      await checkpointer?.close();
      await st.lease.release();
    },
  };
}

async function takeLease(sql: Sql, chain: string): Promise<Lease> {
  const lease = await unavailableOnFailure(() => sql.tryLease(leaseName(chain)));
  if (lease === null) {
    throw new LedgerError(
      'ERR_CHAIN_LEASED',
      `chain ${chain} is held by another running Proctor; give each replica its own ledger.chain`,
    );
  }
  return lease;
}

/** Checks an appended body and returns its canonical members. The record is schema-checked here, with the envelope
 * and seal fields the batch will give it in their final form (seq ≥ 1, a hex prev and hash, this key's kid): those
 * are built to satisfy the schema, so what is stored is exactly what was checked. Exported for bench/ledger.ts. */
export function checkBody(
  type: RecordType,
  requestId: string | null,
  body: Record<string, JsonValue>,
  kid: string,
  index: RecordIndex,
): Member[] {
  if (type === 'chain_opened') {
    throw new LedgerError('ERR_RECORD_INVALID', 'chain_opened records are written by openLedger only', {
      path: '$.type',
    });
  }
  if (type === 'key_rotated') {
    throw new LedgerError('ERR_RECORD_INVALID', 'key_rotated records are written by key rotation only', {
      path: '$.type',
    });
  }
  if (type === 'retention_applied') {
    throw new LedgerError('ERR_RECORD_INVALID', 'retention_applied records are written by retention only', {
      path: '$.type',
    });
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
  const notes: MemberNotes = { nulKey: null };
  // Rejects non-JSON values, naming their path, before anything is queued.
  const members = canonicalMembers(body, notes);
  const columns = {
    request_id: requestId,
    subject: index.subject,
    decision: index.decision,
    policy_version: index.policyVersion,
  };
  const refused = storableProblem(columns, members, notes);
  if (refused !== null) throw refused;
  const problem = schemaProblem({
    ...body,
    v: 1,
    type,
    chain: 'c',
    seq: 1,
    ts: PLACEHOLDER_TS,
    prev: PLACEHOLDER_HASH,
    request_id: requestId,
    hash: PLACEHOLDER_HASH,
    kid,
    sig: PLACEHOLDER_SIG,
  });
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
