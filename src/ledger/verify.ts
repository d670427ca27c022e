// Verifies the ledger in a database against public keys pinned out of band (never keys read from the database):
// per record canonical bytes, schema, hash, signature and index columns; per chain links, contiguous seq, head;
// across records, decision/outcome pairing. Rows are streamed in pages, memory stays bounded by open decisions.
// This is the oracle fault tests use; the CLI (src/cli/verify.ts) is a thin shell over it.
import type { KeyObject } from 'node:crypto';
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { parseCanonical } from './canonical.ts';
import type { JsonValue } from './canonical.ts';
import { LedgerError } from './errors.ts';
import { FindingLog } from './findings.ts';
import type { VerifyFinding } from './findings.ts';
import { kidOf, publicKeyFromPem } from './keys.ts';
import { recomputeHash, schemaProblem, signatureValid } from './record.ts';
import { withinWindow } from './keyring.ts';
import type { KeyWindow } from './keyring.ts';
import { rotatedKey } from './rotation.ts';
import { CheckpointCheck } from './verify-checkpoints.ts';
import type { ExternalCheckpoint } from './verify-checkpoints.ts';

export interface ChainSummary {
  chain: string;
  records: number;
  first_ts: string | null;
  last_ts: string | null;
  head_hash: string | null;
}

export interface VerifyReport {
  /** No error findings and not inconclusive. */
  ok: boolean;
  /** Nothing could be proven: no trusted key, or no records (in a requested chain). */
  inconclusive: boolean;
  chains: ChainSummary[];
  findings: VerifyFinding[];
}

export interface VerifyOptions {
  sql: Sql;
  /** SPKI PEM Ed25519 public keys, pinned out of band. */
  trustedKeys: string[];
  /** Only these chains (default: every chain in the database). */
  chains?: string[];
  /** Validity windows by kid (from a keyring): a record signed outside its key's window is RECORD_KEY_OUTSIDE_WINDOW. */
  keyWindows?: Map<string, KeyWindow>;
  /** Checkpoint notes kept outside the database (the sink file), checked like the stored ones. */
  checkpoints?: ExternalCheckpoint[];
  pageSize?: number;
  onProgress?: (progress: { chain: string; records: number }) => void;
}

interface Row {
  seq: unknown;
  ts: unknown;
  type: unknown;
  request_id: unknown;
  prev: unknown;
  hash: unknown;
  record: unknown;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export async function verifyLedger(opts: VerifyOptions): Promise<VerifyReport> {
  const trusted = new Map<string, KeyObject>();
  for (const pem of opts.trustedKeys) trusted.set(kidOf(pem), publicKeyFromPem(pem));
  const log = new FindingLog();
  const chains: ChainSummary[] = [];
  let inconclusive = false;
  if (trusted.size === 0) {
    inconclusive = true;
    log.add('VERIFY_NO_TRUSTED_KEY', '', null, 'no trusted public key given: signatures were not checked');
  }
  try {
    for (const chain of opts.chains ?? (await listChains(opts.sql))) {
      const summary = await verifyChain(opts, chain, trusted, log);
      log.closeChain(chain);
      chains.push(summary);
      if (summary.records === 0) {
        inconclusive = true;
        log.add('VERIFY_NO_RECORDS', chain, null, 'chain has no records');
      }
    }
  } catch (err) {
    if (err instanceof LedgerError) throw err;
    throw new LedgerError('ERR_AUDIT_UNAVAILABLE', 'the ledger could not be read', { cause: err });
  }
  if (chains.length === 0) {
    inconclusive = true;
    log.add('VERIFY_NO_RECORDS', '', null, 'the database holds no audit chains');
  }
  return { ok: log.errorCount === 0 && !inconclusive, inconclusive, chains, findings: log.findings };
}

async function listChains(sql: Sql): Promise<string[]> {
  // Distinct chains of audit_records by a loose index scan (a plain DISTINCT reads every row), plus heads.
  const { rows } = await sql.query<{ chain: string }>(`
    WITH RECURSIVE c AS (
      (SELECT chain FROM audit_records ORDER BY chain LIMIT 1)
      UNION ALL
      SELECT (SELECT r.chain FROM audit_records r WHERE r.chain > c.chain ORDER BY r.chain LIMIT 1) FROM c WHERE c.chain IS NOT NULL
    )
    SELECT chain FROM c WHERE chain IS NOT NULL UNION SELECT chain FROM audit_chains ORDER BY 1`);
  return rows.map((r) => r.chain);
}

async function verifyChain(opts: VerifyOptions, chain: string, trusted: Map<string, KeyObject>, log: FindingLog): Promise<ChainSummary> {
  const { sql } = opts;
  const pageSize = opts.pageSize ?? 5000;
  // Read the head first: records appended after this moment are beyond it and left for the next run.
  const headRows = await sql.query<{ head_seq: unknown; head_hash: unknown }>(
    'SELECT head_seq, head_hash FROM audit_chains WHERE chain = $1',
    [chain],
  );
  const headRow = headRows.rows[0];
  const headSeq = headRow && headRow.head_seq !== null ? toSafeInteger(headRow.head_seq) : null;
  const headHash = headRow && headRow.head_hash !== null ? hex(toBytes(headRow.head_hash)) : null;

  // Pinned keys, plus keys rotated in by a trusted key (from the rotation on); keys rotated out are retired.
  const chainTrusted = new Map(trusted);
  const retired = new Set<string>();
  const checkpoints = await CheckpointCheck.load(sql, chain, trusted.size > 0 ? () => [...chainTrusted.values()] : null, opts.checkpoints ?? [], log);
  let records = 0;
  let firstTs: string | null = null;
  let lastTs: string | null = null;
  let lastSeq = -1;
  let lastHashes: string[] = []; // hashes the record(s) at lastSeq may be known by; recomputed first
  const openDecisions = new Map<string, number>(); // decision hash -> seq, until its outcome is seen
  const untrusted = new Map<string, { first: number; count: number }>();
  // Pages are seq ranges, not row counts, so rows sharing a seq (duplicates) always land in the same page.
  const upper = headRow ? (headSeq ?? -1) : Number.MAX_SAFE_INTEGER;
  let after = -1;

  while (after < upper) {
    const until = Math.min(after + pageSize, upper);
    const { rows } = await sql.query<Row>(
      `SELECT seq, ts, type, request_id, prev, hash, record FROM audit_records
       WHERE chain = $1 AND seq > $2 AND seq <= $3 ORDER BY seq, hash`,
      [chain, after, until],
    );
    if (rows.length === 0) {
      // A long gap: jump to the next record instead of walking empty ranges.
      const next = await sql.query<{ seq: unknown }>('SELECT min(seq) AS seq FROM audit_records WHERE chain = $1 AND seq > $2 AND seq <= $3', [chain, until, upper]);
      const seq = next.rows[0]?.seq;
      if (seq === null || seq === undefined) break;
      after = toSafeInteger(seq) - 1;
      continue;
    }
    after = until;
    for (const row of rows) {
      const seq = toSafeInteger(row.seq);
      const columnHash = toBytes(row.hash);
      records++;
      const duplicate = seq === lastSeq;
      const contiguous = seq === lastSeq + 1;
      if (duplicate) log.add('RECORD_DUPLICATE', chain, seq, 'a second record with this seq');
      else if (!contiguous) log.add('CHAIN_SEQ_GAP', chain, seq, `records ${lastSeq + 1}..${seq - 1} are missing`);

      const record = parseRecord(toBytes(row.record), chain, seq, log);
      let hash = hex(columnHash);
      if (record) {
        const problem = schemaProblem(record);
        if (problem !== null) log.add('RECORD_SCHEMA_INVALID', chain, seq, problem);
        hash = hex(recomputeHash(record));
        if (record.hash !== hash) log.add('RECORD_HASH_MISMATCH', chain, seq, 'the recomputed hash differs from the recorded one');
        const signed = checkSignature(record, hash, chainTrusted, retired, untrusted, chain, seq, log);
        if (record.type === 'key_rotated' && signed) followRotation(record, chainTrusted, retired, chain, seq, log);
        if (signed && !withinWindow(opts.keyWindows?.get(String(record.kid)), record.ts)) {
          log.add('RECORD_KEY_OUTSIDE_WINDOW', chain, seq, `signed by ${String(record.kid)} outside its keyring validity window`);
        }
        checkIndex(record, row, chain, seq, log);
        if (contiguous && seq > 0 && !lastHashes.includes(String(record.prev))) {
          log.add('CHAIN_LINK_BROKEN', chain, seq, `prev does not name the hash of record ${seq - 1}`);
        }
        // Outcomes name the hash the writer returned: the claimed one (equal to the recomputed one unless altered).
        pairDecisions(record, typeof record.hash === 'string' ? record.hash : hash, seq, openDecisions);
        if (record.type === 'outcome' && !(await outcomeHasDecision(sql, chain, seq, record.decision_hash, openDecisions))) {
          log.add('OUTCOME_WITHOUT_DECISION', chain, seq, 'decision_hash names no earlier decision in this chain');
        }
      }
      const ts = typeof record?.ts === 'string' ? record.ts : row.ts instanceof Date ? row.ts.toISOString() : null;
      firstTs ??= ts;
      lastTs = ts ?? lastTs;
      // The column hash is a candidate too, so one altered record is one finding, not also a broken link after it.
      const candidates = hash === hex(columnHash) ? [hash] : [hash, hex(columnHash)];
      if (checkpoints.active && !duplicate) checkpoints.leaf(Buffer.from(hash, 'hex'));
      lastHashes = duplicate ? [...lastHashes, ...candidates] : candidates;
      lastSeq = seq;
    }
    opts.onProgress?.({ chain, records });
  }

  checkpoints.finish();
  for (const [kid, { first, count }] of untrusted) {
    log.add('RECORD_KEY_UNTRUSTED', chain, first, `${count} record(s) from seq ${first} are signed by ${kid}, which is not trusted`);
  }
  if (records > 0 && !headRow) {
    log.add('CHAIN_HEAD_MISMATCH', chain, null, 'the chain has records but no head row');
  } else if (headRow && headSeq !== (records > 0 ? lastSeq : null)) {
    const last = records > 0 ? `seq ${lastSeq}` : 'none';
    log.add('CHAIN_HEAD_MISMATCH', chain, headSeq, `the head names seq ${String(headSeq)} but the last record is ${last}: the tail is missing`);
  } else if (headHash !== null && !lastHashes.includes(headHash)) {
    log.add('CHAIN_HEAD_MISMATCH', chain, headSeq, 'the head hash differs from the hash of the last record');
  }
  for (const [, seq] of openDecisions) {
    log.add('DECISION_WITHOUT_OUTCOME', chain, seq, 'an allowed decision has no outcome record (incomplete, not tampering)');
  }
  return { chain, records, first_ts: firstTs, last_ts: lastTs, head_hash: records > 0 ? (lastHashes[0] ?? null) : null };
}

function parseRecord(bytes: Uint8Array, chain: string, seq: number, log: FindingLog): Record<string, JsonValue> | null {
  try {
    const value = parseCanonical(bytes);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value;
    log.add('RECORD_SCHEMA_INVALID', chain, seq, 'the record is not a JSON object');
  } catch {
    log.add('RECORD_NOT_CANONICAL', chain, seq, 'the stored bytes are not canonical JSON (RFC 8785)');
  }
  return null;
}

function checkSignature(
  record: Record<string, JsonValue>,
  hash: string,
  trusted: Map<string, KeyObject>,
  retired: Set<string>,
  untrusted: Map<string, { first: number; count: number }>,
  chain: string,
  seq: number,
  log: FindingLog,
): boolean {
  if (trusted.size === 0) return false; // reported once as VERIFY_NO_TRUSTED_KEY
  const kid = typeof record.kid === 'string' ? record.kid : '(no kid)';
  if (retired.has(kid)) {
    log.add('RECORD_KEY_RETIRED', chain, seq, `signed by ${kid}, which a key_rotated record earlier in this chain retired`);
    return false;
  }
  const key = trusted.get(kid);
  if (!key) {
    const seen = untrusted.get(kid);
    untrusted.set(kid, seen ? { first: seen.first, count: seen.count + 1 } : { first: seq, count: 1 });
    return false;
  }
  if (typeof record.sig !== 'string' || !signatureValid(Buffer.from(hash, 'hex'), record.sig, key)) {
    log.add('RECORD_SIGNATURE_INVALID', chain, seq, `the signature does not verify under ${kid}`);
    return false;
  }
  return true;
}

/** A key_rotated record signed by a trusted key brings its new key in, if the new key counter-signed it. */
function followRotation(record: Record<string, JsonValue>, trusted: Map<string, KeyObject>, retired: Set<string>, chain: string, seq: number, log: FindingLog): void {
  const rotated = rotatedKey(record);
  if (rotated === null) {
    log.add('KEY_ROTATION_INVALID', chain, seq, 'the key_rotated record is not counter-signed by the key it names; that key is not trusted');
    return;
  }
  trusted.set(rotated.kid, rotated.key);
  retired.add(String(record.kid));
}

function checkIndex(record: Record<string, JsonValue>, row: Row, chain: string, seq: number, log: FindingLog): void {
  const differs: string[] = [];
  if (record.chain !== chain) differs.push('chain');
  if (record.seq !== seq) differs.push('seq');
  if (record.hash !== hex(toBytes(row.hash))) differs.push('hash');
  if (record.prev !== (row.prev === null ? null : hex(toBytes(row.prev)))) differs.push('prev');
  if (record.type !== row.type) differs.push('type');
  if (record.request_id !== row.request_id) differs.push('request_id');
  if (typeof record.ts !== 'string' || !(row.ts instanceof Date) || Date.parse(record.ts) !== row.ts.getTime()) differs.push('ts');
  if (differs.length > 0) log.add('RECORD_INDEX_MISMATCH', chain, seq, `index column(s) disagree with the record: ${differs.join(', ')}`);
}

/** Allowed decisions wait for their outcome; a denial is complete on its own. */
function pairDecisions(record: Record<string, JsonValue>, hash: string, seq: number, open: Map<string, number>): void {
  if (record.type !== 'decision') return;
  const decision = record.decision;
  const denied = typeof decision === 'object' && decision !== null && !Array.isArray(decision) && decision.allow === false;
  if (!denied) open.set(hash, seq);
}

async function outcomeHasDecision(
  sql: Sql,
  chain: string,
  seq: number,
  decisionHash: JsonValue | undefined,
  open: Map<string, number>,
): Promise<boolean> {
  if (typeof decisionHash !== 'string' || !/^[0-9a-f]{64}$/.test(decisionHash)) return false;
  if (open.delete(decisionHash)) return true;
  // Not an open allowed decision: a denial, or a second outcome. Look it up rather than remember every decision.
  const { rows } = await sql.query<{ seq: unknown; type: unknown }>(
    'SELECT seq, type FROM audit_records WHERE chain = $1 AND hash = $2',
    [chain, Buffer.from(decisionHash, 'hex')],
  );
  const found = rows[0];
  return found !== undefined && found.type === 'decision' && toSafeInteger(found.seq) < seq;
}
