// Selects the records an export discloses by their signed content, never by the unsigned columns beside them: every
// row of every chain is read in seq order, its bytes MUST hash to its hash column and its columns MUST agree with
// its bytes (the verifier's rules, src/ledger/verify-columns.ts), else the export is refused
// (ERR_EXPORT_LEDGER_INCONSISTENT): a relabelled column can neither hide a record nor add one. Outcomes follow
// their decision: an outcome is selected exactly when the decision its decision_hash names was selected. A selection
// larger than maxRecords is refused. Time is linear in the ledger; memory holds the selection, the leaf hashes of
// the chain being scanned and a bounded window of recent decisions.
import type { KeyObject } from 'node:crypto';
import { inspectRecord, sqlSource } from '../verify/index.ts';
import type { Hash, JsonValue, QueryColumns } from '../ledger/index.ts';
import type { LedgerSource, RecordRow } from '../verify/index.ts';
import { columnsDiffer } from '../ledger/index.ts';
import type { Sql } from '../db/index.ts';
import { EvidenceError } from './errors.ts';
import type { PacketQuery } from './packet.ts';

export interface SelectedRecord {
  chain: string;
  seq: number;
  bytes: Uint8Array;
  record: Record<string, JsonValue>;
}

/** One chain as scanned: what matched, its leaf hashes (recomputed from the bytes) and its key_rotated records. */
export interface ChainScan {
  chain: string;
  selected: SelectedRecord[];
  /** Leaf hashes of seqs first..first+hashes.length-1, in order, each recomputed from the stored bytes. */
  hashes: Hash[];
  /** The seq of the chain's first stored record (0 unless retention trimmed it). */
  first: number;
  rotations: SelectedRecord[];
}

const PAGE = 2000;
const NO_KEYS = new Map<string, KeyObject>();
const decoder = new TextDecoder();
/** Decisions remembered for their outcomes' column check (as in verify's pairing). */
const RECENT = 65_536;

/** Every chain, scanned in turn; the selection across chains is bounded by maxRecords. */
export async function* scanLedger(sql: Sql, query: PacketQuery, maxRecords: number): AsyncGenerator<ChainScan> {
  const source = sqlSource(sql);
  const budget = { left: maxRecords };
  for (const chain of await source.listChains()) yield await scanChain(source, chain, query, budget);
}

/** The records matching `query` in every chain, in (chain, seq) order (replay uses this; export scans per chain). */
export async function selectRecords(sql: Sql, query: PacketQuery, maxRecords: number): Promise<SelectedRecord[]> {
  const out: SelectedRecord[] = [];
  for await (const scan of scanLedger(sql, query, maxRecords)) out.push(...scan.selected);
  return out;
}

async function scanChain(
  source: LedgerSource,
  chain: string,
  query: PacketQuery,
  budget: { left: number },
): Promise<ChainScan> {
  const scan: ChainScan = { chain, selected: [], hashes: [], first: 0, rotations: [] };
  const chosenDecisions = new Set<string>();
  // Query columns of recent decisions, and of allowed ones until their outcome comes (a long stream's may be far on).
  const decisions = new Map<string, QueryColumns | null>();
  const awaiting = new Map<string, QueryColumns | null>();
  const refuse = (seq: number, why: string): never => {
    throw new EvidenceError(
      'ERR_EXPORT_LEDGER_INCONSISTENT',
      `chain ${chain} seq ${seq}: ${why}; run proctor verify on this database`,
    );
  };
  let next: number | null = null;
  let after = -1;
  for (;;) {
    let rows: RecordRow[] = await source.rows(chain, after, after + PAGE);
    if (rows.length === 0) {
      const jump = await source.nextSeq(chain, after + PAGE, Number.MAX_SAFE_INTEGER);
      if (jump === null) break;
      rows = await source.rows(chain, jump - 1, jump - 1 + PAGE);
    }
    for (const row of rows) {
      // Contiguous from the first stored record: a record missing under the scan could be one the query wanted.
      if (next === null) scan.first = row.seq;
      else if (row.seq !== next)
        refuse(next, row.seq < next ? 'two records share this seq' : `records ${next}..${row.seq - 1} are missing`);
      next = row.seq + 1;
      const facts = inspectRecord(row, chain, NO_KEYS, false, undefined, false);
      if (facts.form !== 'ok') refuse(row.seq, 'the stored bytes are not a canonical record');
      if (facts.claimedHash !== facts.hash || facts.hash !== row.hash)
        refuse(row.seq, 'the stored bytes do not hash to the recorded hash');
      if (facts.signedSeq !== row.seq) refuse(row.seq, `the record was signed as seq ${String(facts.signedSeq)}`);
      if (facts.index.length > 0)
        refuse(row.seq, `index column(s) disagree with the signed record: ${facts.index.join(', ')}`);
      const record = JSON.parse(decoder.decode(row.bytes)) as Record<string, JsonValue>; // canonical: inspected above
      if (record.type === 'decision') {
        decisions.set(facts.hash, facts.columns);
        if (decisions.size > RECENT) decisions.delete(decisions.keys().next().value as string);
        if (facts.allow === true) awaiting.set(facts.hash, facts.columns);
      } else if (record.type === 'outcome' && typeof record.decision_hash === 'string') {
        const decided = awaiting.get(record.decision_hash) ?? decisions.get(record.decision_hash);
        awaiting.delete(record.decision_hash);
        const differs = decided && facts.columns ? columnsDiffer(decided, facts.columns) : [];
        if (differs.length > 0)
          refuse(row.seq, `index column(s) disagree with the decision this outcome names: ${differs.join(', ')}`);
      }
      scan.hashes.push(Buffer.from(facts.hash, 'hex'));
      if (record.type === 'key_rotated') scan.rotations.push({ chain, seq: row.seq, bytes: row.bytes, record });
      if (!matches(record, query, chain, chosenDecisions)) continue;
      if (record.type === 'decision') chosenDecisions.add(facts.hash);
      scan.selected.push({ chain, seq: row.seq, bytes: row.bytes, record });
      if (--budget.left < 0) {
        throw new EvidenceError(
          'ERR_EXPORT_TOO_LARGE',
          'more records match than --max-records allows; narrow the filters or raise --max-records',
        );
      }
    }
    after = (rows[rows.length - 1] as RecordRow).seq;
  }
  return scan;
}

function matches(record: Record<string, JsonValue>, q: PacketQuery, chain: string, chosen: Set<string>): boolean {
  if (typeof record.type !== 'string' || !(q.types as string[]).includes(record.type)) return false;
  if (record.chain !== chain) return false;
  const ts = typeof record.ts === 'string' ? record.ts : '';
  if ((q.from !== null && ts < q.from) || (q.to !== null && ts >= q.to)) return false;
  if (q.request_ids.length > 0 && !(typeof record.request_id === 'string' && q.request_ids.includes(record.request_id)))
    return false;
  if (record.type === 'outcome') {
    // Principal, decision and policy filters were applied to the decision; the outcome follows it.
    return typeof record.decision_hash === 'string' && chosen.has(record.decision_hash);
  }
  const principal = asObject(record.principal);
  const hasPrincipalFilter =
    q.subjects.length + q.groups.length + q.tenants.length + q.clients.length + q.request_ids.length > 0;
  if (record.type !== 'decision') {
    // chain_opened, policy_activated, key_rotated: only time, type and policy version apply.
    if (hasPrincipalFilter || q.decision !== null) return false;
    return q.policy_versions.length === 0 || policyMatches(record.policy, q.policy_versions);
  }
  if (q.groups.length > 0) {
    const groups = Array.isArray(principal?.groups) ? principal.groups : [];
    if (!groups.some((g) => typeof g === 'string' && q.groups.includes(g))) return false;
  }
  if (q.tenants.length > 0 && !(typeof principal?.tenant === 'string' && q.tenants.includes(principal.tenant)))
    return false;
  if (q.clients.length > 0 && !(typeof principal?.client_id === 'string' && q.clients.includes(principal.client_id)))
    return false;
  if (q.subjects.length > 0 && !(typeof principal?.sub === 'string' && q.subjects.includes(principal.sub)))
    return false;
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
