// Shadow-disagreement summary over decision records in [since, until): how often the candidate policy decided
// differently from the active one, grouped by (active, candidate, allow → allow) and by reason codes gained or lost.
// Reads records through src/db and parses them with the ledger's canonical parser; never prints record contents.
import { existsSync } from 'node:fs';
import { connectPostgres, openPglite, toBytes } from '../db/index.ts';
import type { Sql } from '../db/index.ts';
import { parseCanonical } from '../ledger/index.ts';

export interface ShadowChange {
  active: string;
  shadow: string;
  active_allow: boolean;
  shadow_allow: boolean;
  count: number;
}

export interface ShadowReport {
  since: string;
  until: string;
  chain: string | null;
  /** Decision records the policy stage decided in the window. */
  decisions: number;
  disagreements: number;
  by_change: ShadowChange[];
  /** Reason codes the candidate adds (it would deny for them) or drops, counted over disagreements. */
  reasons_added: Record<string, number>;
  reasons_removed: Record<string, number>;
  /** Disagreements in allow-to-allow decisions whose obligations differ (routing, redaction, limits). */
  obligations_changed: number;
}

const PAGE = 1000;

export async function shadowReport(
  sql: Sql,
  window: { since: Date; until: Date; chain: string | null },
): Promise<ShadowReport> {
  const report: ShadowReport = {
    since: window.since.toISOString(),
    until: window.until.toISOString(),
    chain: window.chain,
    decisions: 0,
    disagreements: 0,
    by_change: [],
    reasons_added: {},
    reasons_removed: {},
    obligations_changed: 0,
  };
  const changes = new Map<string, ShadowChange>();
  let after = { chain: '', seq: -1 };
  // Keyset pages in (chain, seq) order: bounded memory whatever the window holds.
  for (;;) {
    const { rows } = await queryPage(
      `SELECT chain, seq, record FROM audit_records
        WHERE type = 'decision' AND ts >= $1 AND ts < $2 AND ($3::text IS NULL OR chain = $3)
          AND (chain, seq) > ($4, $5)
        ORDER BY chain, seq LIMIT ${PAGE}`,
      [report.since, report.until, window.chain, after.chain, after.seq],
      sql,
    );
    for (const row of rows) tally(parseCanonical(toBytes(row.record)), report, changes);
    const last = rows.at(-1);
    if (last === undefined || rows.length < PAGE) break;
    after = { chain: last.chain, seq: Number(last.seq) };
  }
  report.by_change = [...changes.values()].sort((a, b) => b.count - a.count);
  return report;
}

type Page = { rows: { chain: string; seq: number | string; record: unknown }[] };

async function queryPage(text: string, params: unknown[], sql: Sql): Promise<Page> {
  try {
    return await sql.query<Page['rows'][number]>(text, params);
  } catch (error) {
    // 42P01 undefined_table: the database holds no Proctor ledger (wrong --db or --pglite).
    if ((error as { code?: string }).code === '42P01')
      throw Object.assign(new Error('this database holds no audit ledger (no audit_records table)'), {
        code: 'ERR_NO_LEDGER',
      });
    throw error;
  }
}

interface RecordedDecision {
  allow: boolean;
  reasons: { code: string }[];
  obligations?: unknown;
}

function tally(value: unknown, report: ShadowReport, changes: Map<string, ShadowChange>): void {
  const record = value as {
    policy?: { revision?: string } | null;
    decision?: (RecordedDecision & { stage?: string }) | null;
    shadow?: { revision: string; decision: RecordedDecision } | null;
  };
  if (record.decision?.stage !== 'decide' || !record.policy) return;
  report.decisions += 1;
  const shadow = record.shadow;
  if (!shadow) return;
  report.disagreements += 1;
  const active = record.decision;
  const key = JSON.stringify([record.policy.revision, shadow.revision, active.allow, shadow.decision.allow]);
  const change = changes.get(key) ?? {
    active: record.policy.revision ?? '',
    shadow: shadow.revision,
    active_allow: active.allow,
    shadow_allow: shadow.decision.allow,
    count: 0,
  };
  change.count += 1;
  changes.set(key, change);
  const before = new Set(active.reasons.map((r) => r.code));
  const after = new Set(shadow.decision.reasons.map((r) => r.code));
  for (const code of after) if (!before.has(code)) report.reasons_added[code] = (report.reasons_added[code] ?? 0) + 1;
  for (const code of before)
    if (!after.has(code)) report.reasons_removed[code] = (report.reasons_removed[code] ?? 0) + 1;
  if (active.allow && shadow.decision.allow) report.obligations_changed += 1;
}

export function formatShadowReport(report: ShadowReport): string {
  const lines = [
    `shadow report ${report.since} .. ${report.until}${report.chain ? ` (chain ${report.chain})` : ''}`,
    `decisions      ${report.decisions}`,
    `disagreements  ${report.disagreements}` +
      `${report.decisions > 0 ? ` (${((100 * report.disagreements) / report.decisions).toFixed(2)}%)` : ''}`,
  ];
  for (const c of report.by_change) {
    lines.push(
      `  ${c.active} -> ${c.shadow}: ${c.active_allow ? 'allow' : 'deny'} -> ${c.shadow_allow ? 'allow' : 'deny'}  ` +
        `${c.count}`,
    );
  }
  const codes = (label: string, counts: Record<string, number>) => {
    const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
    if (entries.length > 0) lines.push(`${label} ${entries.map(([code, n]) => `${code} (${n})`).join(', ')}`);
  };
  codes('candidate adds   ', report.reasons_added);
  codes('candidate drops  ', report.reasons_removed);
  if (report.obligations_changed > 0) lines.push(`both allow, different obligations  ${report.obligations_changed}`);
  return `${lines.join('\n')}\n`;
}

export async function openReportSql(
  values: { db?: string; pglite?: string },
  env: Record<string, string | undefined>,
  usage: (message: string) => Error,
): Promise<Sql> {
  if (values.db !== undefined && values.pglite !== undefined) throw usage('give --db or --pglite, not both');
  if (values.pglite !== undefined) {
    // Opening a PGlite directory that does not exist would create an empty database: refuse instead.
    if (!existsSync(values.pglite)) throw usage(`--pglite ${values.pglite}: no such directory`);
    return openPglite(values.pglite);
  }
  const url = values.db ?? env.DATABASE_URL;
  if (!url) throw usage('--db <postgres url> (or $DATABASE_URL) or --pglite <dir> is required');
  return connectPostgres(url, { max: 2 });
}
