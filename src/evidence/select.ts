// Selects the records an export discloses: index columns narrow the scan (type, ts, subject, request_id), then the
// verified record content decides what has no column (group, tenant, client, decision, policy version). Outcomes
// follow their decision: an outcome is selected exactly when the decision its decision_hash names was selected.
// Records are read in (chain, seq) order, in pages, and a selection larger than maxRecords is refused. The export
// adds each such chain's key_rotated records (selectRotations) whatever the filters, outside that bound.
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { parseCanonical } from '../ledger/index.ts';
import type { JsonValue } from '../ledger/index.ts';
import { EvidenceError } from './errors.ts';
import type { PacketQuery } from './packet.ts';

export interface SelectedRecord {
  chain: string;
  seq: number;
  bytes: Uint8Array;
  record: Record<string, JsonValue>;
}

const PAGE = 2000;

export async function selectRecords(sql: Sql, query: PacketQuery, maxRecords: number): Promise<SelectedRecord[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  where.push(`type IN (${query.types.map(param).join(', ')})`);
  if (query.from !== null) where.push(`ts >= ${param(query.from)}`);
  if (query.to !== null) where.push(`ts < ${param(query.to)}`);
  // Outcomes carry the subject column too; other record types have no principal and do not match a subject filter.
  if (query.subjects.length > 0) where.push(`subject IN (${query.subjects.map(param).join(', ')})`);
  if (query.request_ids.length > 0) where.push(`request_id IN (${query.request_ids.map(param).join(', ')})`);
  const base = where.join(' AND ');

  const selected: SelectedRecord[] = [];
  const chosenDecisions = new Set<string>(); // chain \0 decision hash
  let after: { chain: string; seq: number } | null = null;
  for (;;) {
    const pageParams = [...params];
    let cursor = '';
    if (after !== null) {
      pageParams.push(after.chain, after.seq);
      cursor = ` AND (chain > $${pageParams.length - 1} OR (chain = $${pageParams.length - 1} AND seq > $${pageParams.length}))`;
    }
    const { rows } = await sql.query<{ chain: string; seq: unknown; record: unknown }>(
      `SELECT chain, seq, record FROM audit_records WHERE ${base}${cursor} ORDER BY chain, seq LIMIT ${PAGE}`,
      pageParams,
    );
    for (const row of rows) {
      const seq = toSafeInteger(row.seq);
      const bytes = toBytes(row.record);
      const record = recordOf(row.chain, seq, bytes);
      if (!matches(record, query, row.chain, chosenDecisions)) continue;
      if (record.type === 'decision' && typeof record.hash === 'string') chosenDecisions.add(`${row.chain}\u0000${record.hash}`);
      selected.push({ chain: row.chain, seq, bytes, record });
      if (selected.length > maxRecords) {
        throw new EvidenceError('ERR_EXPORT_TOO_LARGE', `more than ${maxRecords} records match; narrow the filters or raise --max-records`);
      }
    }
    const last = rows[rows.length - 1];
    if (rows.length < PAGE || last === undefined) break;
    after = { chain: last.chain, seq: toSafeInteger(last.seq) };
  }
  return selected;
}

/** The key_rotated records of `chain` at `seqs` (seqs whose type column says key_rotated); the signed bytes must agree. */
export async function selectRotations(sql: Sql, chain: string, seqs: readonly number[]): Promise<SelectedRecord[]> {
  const out: SelectedRecord[] = [];
  for (let i = 0; i < seqs.length; i += 500) {
    const page = seqs.slice(i, i + 500);
    const { rows } = await sql.query<{ seq: unknown; record: unknown }>(
      `SELECT seq, record FROM audit_records WHERE chain = $1 AND seq IN (${page.map((_, j) => `$${j + 2}`).join(', ')}) ORDER BY seq`,
      [chain, ...page],
    );
    for (const row of rows) {
      const seq = toSafeInteger(row.seq);
      const bytes = toBytes(row.record);
      const record = recordOf(chain, seq, bytes);
      if (record.type !== 'key_rotated' || record.chain !== chain || record.seq !== seq) {
        throw new EvidenceError('ERR_EXPORT_LEDGER_INCONSISTENT', `chain ${chain} seq ${seq}: the type, chain or seq column disagrees with the signed record; run proctor verify on this database`);
      }
      out.push({ chain, seq, bytes, record });
    }
    if (rows.length !== page.length) {
      throw new EvidenceError('ERR_EXPORT_LEDGER_INCONSISTENT', `chain ${chain} has no single key_rotated record at one of seqs ${page.join(', ')}; run proctor verify on this database`);
    }
  }
  return out;
}

function recordOf(chain: string, seq: number, bytes: Uint8Array): Record<string, JsonValue> {
  try {
    const value = parseCanonical(bytes);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value;
  } catch {
    throw new EvidenceError('ERR_EXPORT_LEDGER_INCONSISTENT', `chain ${chain} seq ${seq} is not a canonical record; run proctor verify on this database`);
  }
}

function matches(record: Record<string, JsonValue>, q: PacketQuery, chain: string, chosen: Set<string>): boolean {
  if (record.type === 'outcome') {
    // Principal and decision filters were applied to the decision; the outcome follows it.
    return typeof record.decision_hash === 'string' && chosen.has(`${chain}\u0000${record.decision_hash}`);
  }
  const principal = asObject(record.principal);
  const hasPrincipalFilter = q.subjects.length + q.groups.length + q.tenants.length + q.clients.length + q.request_ids.length > 0;
  if (record.type !== 'decision') {
    // chain_opened, policy_activated, key_rotated: only time, type and policy version apply.
    if (hasPrincipalFilter || q.decision !== null) return false;
    return q.policy_versions.length === 0 || policyMatches(record.policy, q.policy_versions);
  }
  if (q.groups.length > 0) {
    const groups = Array.isArray(principal?.groups) ? principal.groups : [];
    if (!groups.some((g) => typeof g === 'string' && q.groups.includes(g))) return false;
  }
  if (q.tenants.length > 0 && !(typeof principal?.tenant === 'string' && q.tenants.includes(principal.tenant))) return false;
  if (q.clients.length > 0 && !(typeof principal?.client_id === 'string' && q.clients.includes(principal.client_id))) return false;
  if (q.subjects.length > 0 && !(typeof principal?.sub === 'string' && q.subjects.includes(principal.sub))) return false;
  if (q.decision !== null) {
    const allow = asObject(record.decision)?.allow;
    if (allow !== (q.decision === 'allow')) return false;
  }
  return q.policy_versions.length === 0 || policyMatches(record.policy, q.policy_versions);
}

function policyMatches(policy: JsonValue | undefined, wanted: string[]): boolean {
  const p = asObject(policy);
  if (typeof p?.revision !== 'string' || typeof p.sha256 !== 'string') return false;
  const names = [p.revision, p.sha256, `${p.revision}@sha256:${p.sha256}`];
  return wanted.some((w) => names.includes(w));
}

export function asObject(v: JsonValue | undefined): Record<string, JsonValue> | null {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;
}
