// One batch of records written to a chain inside the caller's transaction: lock the head row FOR UPDATE (the fork
// guard, also across processes), build, seal and INSERT each record after the head, move the head once.
// A record that is invalid (ERR_RECORD_INVALID) is refused alone and takes no seq; any other error fails the batch.
import type { JsonValue } from './canonical.ts';
import { LedgerError } from './errors.ts';
import type { Signer } from './keys.ts';
import { sealRecord } from './record.ts';
import { rotationRecord } from './rotation.ts';
import type { AuditRecord, RecordType, UnsignedRecord } from './record.ts';
import type { ItemResult } from './group-commit.ts';
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
  bytes: Uint8Array;
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

export interface PendingRecord {
  type: RecordType;
  requestId: string | null;
  body: Record<string, JsonValue>;
  index: RecordIndex;
  /** key_rotated only: the key that signs from the next record on (it counter-signs this one). */
  rotateTo?: Signer;
}

export interface ChainContext {
  chain: string;
  signer: Signer;
  clock: Clock;
}

export async function lockHead(tx: Sql, chain: string): Promise<Head> {
  const { rows } = await tx.query<{ head_seq: unknown; head_hash: unknown }>(
    'SELECT head_seq, head_hash FROM audit_chains WHERE chain = $1 FOR UPDATE',
    [chain],
  );
  const row = rows[0];
  if (!row) throw new LedgerError('ERR_AUDIT_UNAVAILABLE', `chain ${chain} has no head row`);
  return { seq: row.head_seq === null ? null : toSafeInteger(row.head_seq), hash: row.head_hash === null ? null : toBytes(row.head_hash) };
}

export function sameHead(a: Head, b: Head): boolean {
  return a.seq === b.seq && (a.hash === null ? b.hash === null : b.hash !== null && Buffer.compare(a.hash, b.hash) === 0);
}

const COLUMNS = 12;

/** Writes records after `head` (already locked by the caller's transaction). Returns per-record results and the new head. */
export async function writeBatch(
  tx: Sql,
  ctx: ChainContext,
  head: Head,
  items: readonly PendingRecord[],
): Promise<{ results: ItemResult<AppendedRecord>[]; head: Head; signer: Signer }> {
  const results: ItemResult<AppendedRecord>[] = [];
  const params: unknown[] = [];
  let current = head;
  let signer = ctx.signer;
  for (const item of items) {
    const seq = current.seq === null ? 0 : current.seq + 1;
    const now = ctx.clock.now();
    if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
      results.push({ ok: false, error: new LedgerError('ERR_RECORD_INVALID', 'the clock returned an invalid date', { path: '$.ts' }) });
      continue;
    }
    const prev = current.hash === null ? null : Buffer.from(current.hash).toString('hex');
    let unsigned: UnsignedRecord = { ...item.body, v: 1, type: item.type, chain: ctx.chain, seq, ts: now.toISOString(), prev, request_id: item.requestId };
    let sealed;
    try {
      if (item.rotateTo) unsigned = await rotationRecord(unsigned, signer, item.rotateTo);
      sealed = await sealRecord(unsigned, signer);
    } catch (error) {
      if (error instanceof LedgerError && error.code === 'ERR_RECORD_INVALID') {
        results.push({ ok: false, error });
        continue;
      }
      throw error;
    }
    params.push(
      ctx.chain, seq, unsigned.ts, item.type, item.requestId, item.index.subject ?? null, item.index.decision ?? null,
      item.index.policyVersion ?? null, current.hash === null ? null : Buffer.from(current.hash), Buffer.from(sealed.hash),
      signer.kid, Buffer.from(sealed.bytes),
    );
    results.push({ ok: true, value: { chain: ctx.chain, seq, hash: sealed.record.hash, bytes: sealed.bytes, record: sealed.record } });
    current = { seq, hash: sealed.hash };
    if (item.rotateTo) {
      signer = item.rotateTo;
      await tx.query('INSERT INTO audit_keys (kid, public_key_pem) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [signer.kid, signer.publicKeyPem]);
    }
  }
  const rows = params.length / COLUMNS;
  if (rows > 0) {
    const values = Array.from({ length: rows }, (_, r) => `(${Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`).join(', ')})`);
    await tx.query(
      `INSERT INTO audit_records (chain, seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record)
       VALUES ${values.join(', ')}`,
      params,
    );
    await tx.query('UPDATE audit_chains SET head_seq = $2, head_hash = $3, updated_at = now() WHERE chain = $1', [
      ctx.chain,
      current.seq,
      Buffer.from(current.hash as Uint8Array),
    ]);
  }
  return { results, head: current, signer };
}
