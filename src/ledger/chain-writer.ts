// One batch of records for a chain, in two steps. sealBatch (no I/O but signing) builds each record after a given
// head — seq, prev, ts, the canonical bytes, the leaf hash — then signs them all at once (natively, or with
// node:crypto half on the signing thread when the batch is large). appendBatch (alone) or insertBatch (inside the
// caller's transaction, new keys first) creates any missing month partition, then writes the rows with one statement
// that locks the head row FOR UPDATE (the fork guard, also across processes), checks it is at the batch's base and
// moves it once. Bodies of decision/outcome/policy_activated records arrive already serialised and schema-checked (at
// append): their bytes are the body members merged with the envelope and the seal (record-text.ts), never serialised
// again. A record that is invalid (ERR_RECORD_INVALID) is refused alone and takes no seq; any other error fails the
// batch.
import { canonicalString } from './canonical.ts';
import type { JsonValue } from './canonical.ts';
import { LedgerError } from './errors.ts';
import type { Signer } from './keys.ts';
import { leafHashOfText, sealRecord, signingMessage } from './record.ts';
import { rotationRecord } from './rotation.ts';
import { envelope, joinMembers, mergeMembers, sealMembers, withSeal } from './record-text.ts';
import type { Member } from './record-text.ts';
import type { AuditRecord, RecordType, UnsignedRecord } from './record.ts';
import type { ItemResult } from './group-commit.ts';
import type { PartitionMonths } from './partitions.ts';
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';

export interface Clock {
  now(): Date;
}

export interface AppendedRecord {
  chain: string;
  seq: number;
  /** The record's leaf hash, hex: what an outcome's decision_hash names. */
  hash: string;
  /** Exactly the stored bytes. */
  bytes: Uint8Array;
  /** The record, parsed from `bytes` (so it always matches them). */
  record: AuditRecord;
}

/** Query columns stored beside the record bytes; they are not part of what is signed. */
export interface RecordIndex {
  subject?: string | null;
  decision?: string | null;
  policyVersion?: string | null;
}

export interface Head {
  seq: number | null;
  hash: Uint8Array | null;
}

/** One append's fate, shared by the ledger's waiter and the writer. */
export interface Ticket {
  /** Retried until committed (outcome records): never abandoned for unavailability. */
  durable: boolean;
  /** The waiter was told "not committed" (deadline, failed batch): not written if not yet sent; reported if it was. */
  abandoned: boolean;
  /** Set once the record is known committed (by its batch, or by adopting a batch that carried it). */
  committed: AppendedRecord | null;
  /** Called when a candidate batch that carried this record is found committed. */
  adopt(record: AppendedRecord): void;
}

export interface PendingRecord {
  type: RecordType;
  requestId: string | null;
  body: Record<string, JsonValue>;
  /** The body's canonical members, sorted, taken (and schema-checked) when it was appended; absent: seal from
   * `body`. */
  members?: Member[];
  index: RecordIndex;
  /** key_rotated only: the key that signs from the next record on (it counter-signs this one). */
  rotateTo?: Signer;
  /** The append's fate, shared with its waiter (src/ledger/batch-writer.ts); absent for admin records. */
  ticket?: Ticket;
}

export interface ChainContext {
  chain: string;
  signer: Signer;
  clock: Clock;
  /** Months known to have a partition; the batch creates any other it writes into before its INSERT. */
  partitions: PartitionMonths;
}

export interface SealedBatch {
  /** The head this batch continues, and the signer in force there. */
  base: Head;
  baseKid: string;
  /** The head after it, and the signer in force after it (a key_rotated record changes it). */
  head: Head;
  signer: Signer;
  results: ItemResult<AppendedRecord>[];
  /** The rows to store, in seq order (base + 1, base + 2, ...), and each row's ts. */
  rows: SealedRow[];
  stamps: Date[];
  /** Keys a key_rotated record in this batch brought in. */
  newKeys: Signer[];
}

/** A record as stored: its query columns, leaf hash and canonical bytes (seq and prev follow from its place). */
export interface SealedRow {
  ts: string;
  type: RecordType;
  requestId: string | null;
  subject: string | null;
  decision: string | null;
  policyVersion: string | null;
  hash: Uint8Array;
  kid: string;
  bytes: Uint8Array;
}

export async function lockHead(tx: Sql, chain: string): Promise<Head> {
  const { rows } = await tx.query<{ head_seq: unknown; head_hash: unknown }>(
    'SELECT head_seq, head_hash FROM audit_chains WHERE chain = $1 FOR UPDATE',
    [chain],
  );
  const row = rows[0];
  if (!row) throw new LedgerError('ERR_AUDIT_UNAVAILABLE', `chain ${chain} has no head row`);
  return {
    seq: row.head_seq === null ? null : toSafeInteger(row.head_seq),
    hash: row.head_hash === null ? null : toBytes(row.head_hash),
  };
}

export function sameHead(a: Head, b: Head): boolean {
  return (
    a.seq === b.seq && (a.hash === null ? b.hash === null : b.hash !== null && Buffer.compare(a.hash, b.hash) === 0)
  );
}

const TS = /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z$/;
const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

function appended(chain: string, seq: number, hash: string, bytes: Uint8Array): AppendedRecord {
  let parsed: AuditRecord | undefined;
  return {
    chain,
    seq,
    hash,
    bytes,
    get record() {
      parsed ??= JSON.parse(decoder.decode(bytes)) as AuditRecord;
      return parsed;
    },
  };
}

/** A record whose signature is still to be made: its index in the batch, members so far (and their text, joined by
 * commas: what was hashed, between braces), hash and signer. */
interface Unsigned {
  at: number;
  members: Member[];
  text: string;
  hash: Uint8Array;
  hashHex: string;
  signer: Signer;
  seq: number;
  /** Its row, whose bytes are set once it is signed. */
  row: SealedRow;
}

/** Builds and signs records after `base`. No database access. */
export async function sealBatch(ctx: ChainContext, base: Head, items: readonly PendingRecord[]): Promise<SealedBatch> {
  const results: (ItemResult<AppendedRecord> | null)[] = [];
  const stamps: Date[] = [];
  const newKeys: Signer[] = [];
  const unsigned: Unsigned[] = [];
  const rows: SealedRow[] = [];
  let current = base;
  let signer = ctx.signer;
  const chainText = canonicalString(ctx.chain);
  let lastHash: Uint8Array | null = null; // the fast path's last hash and its hex (the next record's prev)
  let lastHex = '';
  for (const [at, item] of items.entries()) {
    const seq = current.seq === null ? 0 : current.seq + 1;
    const now = ctx.clock.now();
    const ts = now instanceof Date && !Number.isNaN(now.getTime()) ? now.toISOString() : '';
    if (!TS.test(ts)) {
      results.push({
        ok: false,
        error: new LedgerError('ERR_RECORD_INVALID', 'the clock returned an invalid date', { path: '$.ts' }),
      });
      continue;
    }
    const prev =
      current.hash === null ? null : current.hash === lastHash ? lastHex : Buffer.from(current.hash).toString('hex');
    const columns = {
      ts,
      type: item.type,
      requestId: item.requestId,
      subject: item.index.subject ?? null,
      decision: item.index.decision ?? null,
      policyVersion: item.index.policyVersion ?? null,
    };
    if (item.members && !item.rotateTo && seq > 0) {
      // Fast path: envelope members merged with the body's, hashed now, signed below with the rest of the batch.
      const members = mergeMembers(envelope(chainText, item.type, seq, ts, prev, item.requestId), item.members);
      const text = joinMembers(members);
      const hash = leafHashOfText(`{${text}}`);
      lastHash = hash;
      lastHex = Buffer.from(hash).toString('hex');
      const row = { ...columns, hash, kid: signer.kid, bytes: EMPTY }; // bytes once signed, below
      unsigned.push({ at, members, text, hash, hashHex: lastHex, signer, seq, row });
      results.push(null);
      rows.push(row);
      stamps.push(now);
      current = { seq, hash };
      continue;
    }
    let record: UnsignedRecord = {
      ...item.body,
      v: 1,
      type: item.type,
      chain: ctx.chain,
      seq,
      ts,
      prev,
      request_id: item.requestId,
    };
    let sealed;
    try {
      if (item.rotateTo) record = await rotationRecord(record, signer, item.rotateTo);
      sealed = await sealRecord(record, signer);
    } catch (error) {
      if (error instanceof LedgerError && error.code === 'ERR_RECORD_INVALID') {
        results.push({ ok: false, error });
        continue;
      }
      throw error;
    }
    results.push({ ok: true, value: appended(ctx.chain, seq, sealed.record.hash, sealed.bytes) });
    rows.push({ ...columns, hash: sealed.hash, kid: signer.kid, bytes: sealed.bytes });
    stamps.push(now);
    current = { seq, hash: sealed.hash };
    if (item.rotateTo) {
      signer = item.rotateTo;
      newKeys.push(signer);
    }
  }

  // Sign what the fast path left, grouped by key (a rotation inside the batch changes the key).
  const signatures = new Map<Unsigned, Uint8Array>();
  for (const key of new Set(unsigned.map((u) => u.signer))) {
    const mine = unsigned.filter((u) => u.signer === key);
    const messages = mine.map((u) => signingMessage(u.hash));
    const sigs = key.signMany ? await key.signMany(messages) : await Promise.all(messages.map((m) => key.sign(m)));
    mine.forEach((u, i) => signatures.set(u, sigs[i] as Uint8Array));
  }
  for (const u of unsigned) {
    const sig = signatures.get(u);
    if (sig?.length !== 64) throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the signer returned no Ed25519 signature');
    const bytes = encoder.encode(withSeal(u.members, u.text, sealMembers(u.hashHex, u.signer, sig)));
    results[u.at] = { ok: true, value: appended(ctx.chain, u.seq, u.hashHex, bytes) }; // one result per item, in order
    u.row.bytes = bytes;
  }
  return {
    base,
    baseKid: ctx.signer.kid,
    head: current,
    signer,
    results: results as ItemResult<AppendedRecord>[],
    rows,
    stamps,
    newKeys,
  };
}

/**
 * Writes a sealed batch in one statement (migrations/010_append_batch_packed.sql): it locks the head row, which must
 * still be at batch.base (SQLSTATE PR004 otherwise, nothing written), inserts the rows (the statement passes the fork
 * guard) and moves the head. Outside a transaction the statement is its own; a batch that brings in a new key must be
 * written with insertBatch, inside one, so the key's audit_keys row commits with it.
 */
export async function appendBatch(sql: Sql, ctx: ChainContext, batch: SealedBatch, flush: Flush): Promise<void> {
  if (batch.newKeys.length > 0)
    throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'a batch with a key rotation is written by insertBatch');
  if (flush === 'deferred' && batch.rows.some((r) => r.type !== 'outcome'))
    throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'only a batch of outcome records may commit without a flush');
  await writeRows(sql, ctx, batch, flush);
}

/** How a one-statement batch commits: `durable` waits for the WAL flush (the session's synchronous_commit, `on` by
 * default); `deferred` sets synchronous_commit off for that statement's own transaction (set_config(..., true), in
 * the same statement: no round trip), so its commit is acknowledged before the flush (docs/ledger.md, "Outcome
 * commits"). Outcome-only batches only: appendBatch refuses any other. */
export type Flush = 'durable' | 'deferred';

/** Writes a sealed batch inside the caller's transaction (head row already locked at batch.base), new keys first. */
export async function insertBatch(tx: Sql, ctx: ChainContext, batch: SealedBatch): Promise<void> {
  for (const key of batch.newKeys) {
    await tx.query('INSERT INTO audit_keys (kid, public_key_pem) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [
      key.kid,
      key.publicKeyPem,
    ]);
  }
  await writeRows(tx, ctx, batch);
}

/** The batch statement is prepared once per connection: its parse and plan cost the server as much as a one-record
 * batch's insert (docs/performance.md, "Cheap rows"). */
const APPEND_STATEMENT = { name: 'proctor_audit_append_batch' } as const;
const APPEND_DEFERRED_STATEMENT = { name: 'proctor_audit_append_batch_deferred' } as const;
const APPEND_CALL =
  'audit_append_batch($1, $2, $3, $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], ' +
  '$10::text[], $11::bytea, $12::bytea, $13::integer[])';
/** Per statement: the setting is local to the statement's implicit transaction and read when it commits. */
const APPEND_TEXT: Record<Flush, string> = {
  durable: `SELECT ${APPEND_CALL}`,
  deferred: `SELECT ${APPEND_CALL} FROM set_config('synchronous_commit', 'off', true)`,
};

async function writeRows(sql: Sql, ctx: ChainContext, batch: SealedBatch, flush: Flush = 'durable'): Promise<void> {
  const { rows } = batch;
  if (rows.length === 0) return;
  await ctx.partitions.ensure(sql, batch.stamps);
  // Column arrays for the short text columns; the hashes and the record bytes packed into one bytea each (a bytea
  // parameter travels in binary, a bytea array as hex text), with each record's length. Seq and prev are not sent:
  // the function derives them from the base (migrations/010_append_batch_packed.sql).
  const hashes = Buffer.allocUnsafe(rows.length * 32);
  rows.forEach((r, i) => hashes.set(r.hash, i * 32));
  await sql.query(
    APPEND_TEXT[flush],
    [
      ctx.chain,
      batch.base.seq,
      batch.base.hash === null ? null : Buffer.from(batch.base.hash),
      rows.map((r) => r.ts),
      rows.map((r) => r.type),
      rows.map((r) => r.requestId),
      rows.map((r) => r.subject),
      rows.map((r) => r.decision),
      rows.map((r) => r.policyVersion),
      rows.map((r) => r.kid),
      hashes,
      Buffer.concat(rows.map((r) => r.bytes)),
      rows.map((r) => r.bytes.length),
    ],
    flush === 'durable' ? APPEND_STATEMENT : APPEND_DEFERRED_STATEMENT,
  );
}

/** Seals and writes records after `head` (already locked by the caller's transaction). */
export async function writeBatch(
  tx: Sql,
  ctx: ChainContext,
  head: Head,
  items: readonly PendingRecord[],
): Promise<{ results: ItemResult<AppendedRecord>[]; head: Head; signer: Signer }> {
  const batch = await sealBatch(ctx, head, items);
  await insertBatch(tx, ctx, batch);
  return { results: batch.results, head: batch.head, signer: batch.signer };
}
