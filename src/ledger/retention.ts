// Retention: drops whole monthly partitions of audit_records (never rows) that ended before the retention window,
// which is `months` whole months before the current one (so at least `months` months are always kept, and never the
// current or previous month). Fewer than DEFAULT_RETENTION_MONTHS needs the caller's explicit consent. Before dropping,
// each chain that loses records gets a signed retention_applied record (through its lease, so its replica MUST be
// stopped or the chain is refused with ERR_CHAIN_LEASED) naming the last seq and hash removed; a chain whose dropped
// records are not exactly its oldest ones (a clock that went backwards) refuses the whole run (ERR_RETENTION_REFUSED).
import { toBytes, toSafeInteger } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { LedgerError } from './errors.ts';
import type { Signer } from './keys.ts';
import { openLedger } from './ledger.ts';
import type { AppendedRecord, Clock, Ledger } from './ledger.ts';
import { monthStart, PARTITION_NAME } from './partitions.ts';

export const DEFAULT_RETENTION_MONTHS = 6;

export interface RetentionOptions {
  /** Whole months kept before the current month (integer ≥ 1). */
  months: number;
  /** Consent to fewer than DEFAULT_RETENTION_MONTHS months (the CLI gives it for an explicit --months, loudly). */
  allowShort?: boolean;
  /** The present (default: now). */
  now?: Date;
}

export interface RetentionPartition {
  name: string;
  /** First instant (inclusive) and end (exclusive) of its month, RFC 3339 UTC. */
  from: string;
  to: string;
  rows: number;
}

export interface RetentionChain {
  chain: string;
  droppedThroughSeq: number;
  droppedThroughHash: string;
  droppedRecords: number;
}

export interface RetentionPlan {
  months: number;
  /** Partitions that end at or before this instant are dropped. */
  cutoff: string;
  drop: RetentionPartition[];
  /** Partitions kept: managed ones inside the window, and any whose name is not audit_records_YYYY_MM. */
  keep: string[];
  chains: RetentionChain[];
}

export interface RetentionResult {
  plan: RetentionPlan;
  /** The retention_applied records written, one per trimmed chain. */
  records: AppendedRecord[];
  dropped: string[];
}

function refuse(message: string): LedgerError {
  return new LedgerError('ERR_RETENTION_REFUSED', message);
}

/** What retention would drop now, and what each chain would lose. Reads only. */
export async function planRetention(sql: Sql, opts: RetentionOptions): Promise<RetentionPlan> {
  const { months } = opts;
  if (!Number.isSafeInteger(months) || months < 1 || months > 1200)
    throw refuse(`retention months must be an integer from 1 to 1200, got ${String(months)}`);
  if (months < DEFAULT_RETENTION_MONTHS && opts.allowShort !== true) {
    throw refuse(`retention below ${DEFAULT_RETENTION_MONTHS} months needs explicit consent (got ${months})`);
  }
  const now = opts.now ?? new Date();
  if (Number.isNaN(now.getTime())) throw refuse('the present is not a valid date');
  const cutoff = monthStart(now, -months);
  const { rows } = await sql.query<{ name: string }>(
    'SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid ' +
      "WHERE i.inhparent = 'audit_records'::regclass ORDER BY c.relname",
  );
  const drop: RetentionPartition[] = [];
  const keep: string[] = [];
  for (const { name } of rows) {
    const m = PARTITION_NAME.exec(name);
    const from = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1)) : null;
    const to = from ? monthStart(from, 1) : null;
    if (from && to && to.getTime() <= cutoff.getTime())
      drop.push({ name, from: from.toISOString(), to: to.toISOString(), rows: 0 });
    else keep.push(name);
  }
  const chains = new Map<string, { max: number; min: number; count: number }>();
  for (const part of drop) {
    // The name comes from pg_class and matched PARTITION_NAME: safe to quote into the statement.
    const per = await sql.query<{ chain: string; lo: unknown; hi: unknown; n: unknown }>(
      `SELECT chain, min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM "${part.name}" GROUP BY chain`,
    );
    for (const r of per.rows) {
      const lo = toSafeInteger(r.lo);
      const hi = toSafeInteger(r.hi);
      const n = toSafeInteger(r.n);
      part.rows += n;
      const seen = chains.get(r.chain);
      chains.set(
        r.chain,
        seen
          ? { min: Math.min(seen.min, lo), max: Math.max(seen.max, hi), count: seen.count + n }
          : { min: lo, max: hi, count: n },
      );
    }
  }
  const names = drop.map((p) => p.name);
  const trimmed: RetentionChain[] = [];
  for (const [chain, { min, max, count }] of [...chains].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    // Only a chain's oldest records may go: 0..max all in the dropped partitions, none of them kept elsewhere.
    const kept = await sql.query<{ n: unknown }>(
      'SELECT count(*) AS n FROM audit_records ' +
        'WHERE chain = $1 AND seq <= $2 AND NOT (tableoid::regclass::text = ANY($3))',
      [chain, max, names],
    );
    if (toSafeInteger(kept.rows[0]?.n) !== 0 || count !== max - min + 1) {
      throw refuse(
        `chain ${chain}: the records in the expired partitions are not exactly its oldest ones ` +
          '(a clock that went backwards?); nothing dropped',
      );
    }
    const last = await sql.query<{ hash: unknown }>('SELECT hash FROM audit_records WHERE chain = $1 AND seq = $2', [
      chain,
      max,
    ]);
    const hash = last.rows[0]?.hash;
    if (hash === undefined) throw refuse(`chain ${chain}: record ${max} vanished while planning; nothing dropped`);
    trimmed.push({
      chain,
      droppedThroughSeq: max,
      droppedThroughHash: Buffer.from(toBytes(hash)).toString('hex'),
      droppedRecords: count,
    });
  }
  return { months, cutoff: cutoff.toISOString(), drop, keep, chains: trimmed };
}

/**
 * Applies retention: plans, opens every trimmed chain (taking its lease), appends its signed retention_applied record,
 * then drops the expired partitions in one transaction after checking nothing changed in them. `signer` MUST be the
 * chains' current signing key. Drops nothing if any step before the drop fails.
 */
export async function applyRetention(
  sql: Sql,
  opts: RetentionOptions & { signer: Signer; clock: Clock },
): Promise<RetentionResult> {
  const plan = await planRetention(sql, opts);
  if (plan.drop.length === 0) return { plan, records: [], dropped: [] };
  const ledgers: Ledger[] = [];
  const records: AppendedRecord[] = [];
  try {
    for (const c of plan.chains)
      ledgers.push(await openLedger({ sql, signer: opts.signer, chain: c.chain, clock: opts.clock }));
    const partitions = plan.drop.map((p) => p.name);
    for (const [i, c] of plan.chains.entries()) {
      const ledger = ledgers[i] as Ledger;
      records.push(
        await ledger.recordRetention({
          dropped_through_seq: c.droppedThroughSeq,
          dropped_through_hash: c.droppedThroughHash,
          partitions,
          retention_months: plan.months,
        }),
      );
    }
    await sql.transaction(async (tx) => {
      for (const part of plan.drop) {
        await tx.query(`LOCK TABLE "${part.name}" IN ACCESS EXCLUSIVE MODE`);
        const { rows } = await tx.query<{ n: unknown }>(`SELECT count(*) AS n FROM "${part.name}"`);
        if (toSafeInteger(rows[0]?.n) !== part.rows)
          throw refuse(`partition ${part.name} changed while retention ran; nothing dropped`);
      }
      for (const part of plan.drop) await tx.query(`DROP TABLE "${part.name}"`);
    });
  } finally {
    await Promise.all(ledgers.map((l) => l.close()));
  }
  return { plan, records, dropped: plan.drop.map((p) => p.name) };
}
