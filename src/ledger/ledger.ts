// The append-only, signed, hash-chained audit ledger: one chain per writer, its head row locked FOR UPDATE in
// every append transaction, so even two writers on one chain cannot fork it (and the unique constraints make a
// fork a hard error). append() MUST NOT resolve before its row is committed and MUST reject with
// ERR_AUDIT_UNAVAILABLE on any database failure, with nothing half-written.
// Group commit (several records per transaction) is a later step: it replaces appendQueued's one-record transaction.
import { canonicalize } from './canonical.ts';
import type { JsonValue } from './canonical.ts';
import { LedgerError } from './errors.ts';
import type { Signer } from './keys.ts';
import { RESERVED_FIELDS, sealRecord } from './record.ts';
import type { AuditRecord, RecordType, UnsignedRecord } from './record.ts';
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

export interface Ledger {
  readonly chain: string;
  /** MUST NOT resolve until the record's row is committed. MUST reject (LedgerError ERR_AUDIT_UNAVAILABLE, cause attached) on any database error; nothing is half-written. Invalid bodies reject with ERR_RECORD_INVALID. */
  append(type: RecordType, requestId: string | null, body: Record<string, JsonValue>, index?: RecordIndex): Promise<AppendedRecord>;
}

export interface LedgerOptions {
  sql: Sql;
  signer: Signer;
  chain: string;
  clock: Clock;
}

const CHAIN_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

interface Head {
  seq: number | null;
  hash: Uint8Array | null;
}

/** Registers the key, creates the chain (its chain_opened record is seq 0) or resumes it from the committed head. */
export async function openLedger(opts: LedgerOptions): Promise<Ledger> {
  const { sql, signer, chain } = opts;
  if (!CHAIN_ID.test(chain)) {
    throw new LedgerError('ERR_RECORD_INVALID', `chain id must match ${CHAIN_ID.source}`, { path: '$.chain' });
  }
  await unavailableOnFailure(async () => {
    await sql.query('INSERT INTO audit_keys (kid, public_key_pem) VALUES ($1, $2) ON CONFLICT (kid) DO NOTHING', [
      signer.kid,
      signer.publicKeyPem,
    ]);
    await sql.transaction(async (tx) => {
      await tx.query('INSERT INTO audit_chains (chain) VALUES ($1) ON CONFLICT (chain) DO NOTHING', [chain]);
      const head = await lockHead(tx, chain);
      if (head.seq === null) await write(tx, opts, head, 'chain_opened', null, {}, {});
    });
  });

  let tail: Promise<unknown> = Promise.resolve();
  return {
    chain,
    append(type, requestId, body, index = {}) {
      // One process appends in call order; the head lock orders it against other processes.
      const run = () => appendOnce(opts, type, requestId, body, index);
      const result = tail.then(run, run);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

async function appendOnce(
  opts: LedgerOptions,
  type: RecordType,
  requestId: string | null,
  body: Record<string, JsonValue>,
  index: RecordIndex,
): Promise<AppendedRecord> {
  checkBody(type, requestId, body);
  return unavailableOnFailure(() =>
    opts.sql.transaction(async (tx) => write(tx, opts, await lockHead(tx, opts.chain), type, requestId, body, index)),
  );
}

function checkBody(type: RecordType, requestId: string | null, body: Record<string, JsonValue>): void {
  if (type === 'chain_opened') {
    throw new LedgerError('ERR_RECORD_INVALID', 'chain_opened records are written by openLedger only', { path: '$.type' });
  }
  if (type !== 'decision' && type !== 'outcome') {
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
  canonicalize(body); // rejects non-JSON values, naming their path, before a transaction is opened
}

async function lockHead(tx: Sql, chain: string): Promise<Head> {
  const { rows } = await tx.query<{ head_seq: unknown; head_hash: unknown }>(
    'SELECT head_seq, head_hash FROM audit_chains WHERE chain = $1 FOR UPDATE',
    [chain],
  );
  const row = rows[0];
  if (!row) throw new LedgerError('ERR_AUDIT_UNAVAILABLE', `chain ${chain} has no head row`);
  return { seq: row.head_seq === null ? null : toSafeInteger(row.head_seq), hash: row.head_hash === null ? null : toBytes(row.head_hash) };
}

async function write(
  tx: Sql,
  opts: LedgerOptions,
  head: Head,
  type: RecordType,
  requestId: string | null,
  body: Record<string, JsonValue>,
  index: RecordIndex,
): Promise<AppendedRecord> {
  const seq = head.seq === null ? 0 : head.seq + 1;
  const prev = head.hash === null ? null : Buffer.from(head.hash).toString('hex');
  const now = opts.clock.now();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) {
    throw new LedgerError('ERR_RECORD_INVALID', 'the clock returned an invalid date', { path: '$.ts' });
  }
  const unsigned: UnsignedRecord = { ...body, v: 1, type, chain: opts.chain, seq, ts: now.toISOString(), prev, request_id: requestId };
  const sealed = await sealRecord(unsigned, opts.signer);
  await tx.query(
    `INSERT INTO audit_records (chain, seq, ts, type, request_id, subject, decision, policy_version, prev, hash, kid, record)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      opts.chain,
      seq,
      unsigned.ts,
      type,
      requestId,
      index.subject ?? null,
      index.decision ?? null,
      index.policyVersion ?? null,
      head.hash === null ? null : Buffer.from(head.hash),
      Buffer.from(sealed.hash),
      opts.signer.kid,
      Buffer.from(sealed.bytes),
    ],
  );
  await tx.query('UPDATE audit_chains SET head_seq = $2, head_hash = $3, updated_at = now() WHERE chain = $1', [
    opts.chain,
    seq,
    Buffer.from(sealed.hash),
  ]);
  return { chain: opts.chain, seq, hash: sealed.record.hash, bytes: sealed.bytes, record: sealed.record };
}

/** Any failure other than an invalid record means the record was not durably written: ERR_AUDIT_UNAVAILABLE. */
async function unavailableOnFailure<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof LedgerError && err.code === 'ERR_RECORD_INVALID') throw err;
    throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the audit record could not be committed', { cause: err });
  }
}
