// The ledger under request-shaped load, with the database's own counters: `writers` closed-loop clients each append a
// decision, wait `upstreamMs` (the upstream's answer), append its outcome, and start again. Reported per 1,000 records
// and per request (a decision and its outcome): statements and round trips the ledger sent, commits
// (pg_stat_database.xact_commit), WAL bytes (pg_current_wal_lsn), tuples inserted / updated / HOT-updated / left dead
// per table (pg_stat_user_tables), CPU of every PostgreSQL process (/proc) and of this Node process, and records per
// batch; with `outcomeCommit` flush_deferred (the req*d runs) outcome-only batches commit without the flush. Run from
// bench/ledger.ts (BENCH_LEDGER_ONLY=req64,req64u20,req1,req1d).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectPostgres } from '../src/db/index.ts';
import type { Sql } from '../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../src/ledger/index.ts';
import type { JsonValue, OutcomeCommit } from '../src/ledger/index.ts';
import { timeFdatasync } from './side-by-side-proc.ts';

const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** CPU (µs) of the postmaster and all its children, from /proc. Backends that exit take theirs with them: read it
 * while the run's connections are still open. */
export function postgresCpuUs(postmaster: number): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited between the listing and the read
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === postmaster || Number(pid) === postmaster)
      ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_US;
}

/** The postmaster's pid: the parent of a backend. */
export async function postmasterOf(sql: Sql): Promise<number> {
  const { rows } = await sql.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  return Number(readFileSync(`/proc/${rows[0]?.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
}

interface TableStats {
  ins: number;
  upd: number;
  hot: number;
  dead: number;
}

interface DbSnapshot {
  commits: number;
  wal: bigint;
  tables: Map<string, TableStats>;
}

/** Partitions of audit_records are summed under that name. */
async function snapshot(admin: Sql): Promise<DbSnapshot> {
  await admin.query('SELECT pg_stat_force_next_flush()');
  const db = await admin.query<{ commits: string; lsn: string }>(
    `SELECT xact_commit::text AS commits, (pg_current_wal_lsn() - '0/0')::text AS lsn
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  const rel = await admin.query<{ name: string; ins: string; upd: string; hot: string; dead: string }>(
    `SELECT CASE WHEN relname LIKE 'audit\\_records\\_%' THEN 'audit_records' ELSE relname END AS name,
       sum(n_tup_ins)::text AS ins, sum(n_tup_upd)::text AS upd, sum(n_tup_hot_upd)::text AS hot,
       sum(n_dead_tup)::text AS dead
     FROM pg_stat_user_tables WHERE relname LIKE 'audit%' GROUP BY 1`,
  );
  return {
    commits: Number(db.rows[0]?.commits),
    wal: BigInt(db.rows[0]?.lsn ?? '0'),
    tables: new Map(
      rel.rows.map((r) => [
        r.name,
        { ins: Number(r.ins), upd: Number(r.upd), hot: Number(r.hot), dead: Number(r.dead) },
      ]),
    ),
  };
}

/** Counts what goes to the server: statements sent, and round trips (a transaction adds BEGIN and COMMIT). */
function counted(sql: Sql, n: { statements: number; transactions: number }): Sql {
  const wrap = (s: Sql): Sql => ({
    query(text, params, options) {
      n.statements += 1;
      return s.query(text, params, options);
    },
    transaction(fn) {
      n.transactions += 1;
      return s.transaction((tx) => fn(wrap(tx)));
    },
    tryLease: (name) => s.tryLease(name),
    close: () => s.close(),
  });
  return wrap(sql);
}

const decisionBody: Record<string, JsonValue> = {
  principal: {
    iss: 'https://idp.example',
    sub: 'alice@example.com',
    client_id: 'app',
    groups: ['eng', 'finance'],
    tenant: 'acme',
    token_fingerprint: 'f'.repeat(43),
  },
  request: {
    api: 'openai.chat_completions',
    model: 'gpt-4o-mini',
    stream: false,
    max_tokens: 256,
    message_count: 3,
    body_sha256: 'a'.repeat(64),
  },
  classification: { finding_count: 2, types: { email: 1, iban: 1 }, categories: { pii: 1, financial: 1 } },
  policy: { revision: 'r42', sha256: 'b'.repeat(64) },
  decision: { allow: true, stage: 'decide', reasons: [], obligations: null },
};

function outcomeBody(decisionHash: string, latencyMs: number): Record<string, JsonValue> {
  return {
    decision_hash: decisionHash,
    status: 200,
    upstream: 'mock',
    upstream_status: 200,
    attempts: [],
    latency_ms: latencyMs,
    usage: { prompt_tokens: 12, completion_tokens: 40, total_tokens: 52 },
    error: null,
    response_classification: { finding_count: 0, types: {} },
    response_action: 'none',
  };
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 100) / 100;
}

const per = (value: number, records: number, unit = 1000) => Math.round((value * unit * 10) / records) / 10;

export interface RequestLoadOptions {
  /** A fresh pool for the run (closed at its end, so the backends' statistics are flushed before they are read). */
  url: string;
  /** A superuser connection that reads the statistics. */
  admin: Sql;
  postmaster: number;
  writers: number;
  upstreamMs: number;
  seconds: number;
  tag: string;
  /** ledger.outcome_commit (default durable). */
  outcomeCommit?: OutcomeCommit;
  /** Where the cluster's data lives: the disk's fdatasync is timed there just before the run. */
  dataDir?: string;
}

export async function requestLoad(o: RequestLoadOptions) {
  const n = { statements: 0, transactions: 0 };
  const pool = connectPostgres(o.url, { max: 10 });
  const sql = counted(pool, n);
  let batches = 0;
  const ledger = await openLedger({
    sql,
    signer: loadSigner(generateSigningKey().privateKeyPem),
    chain: `bench-${o.tag}`,
    clock: { now: () => new Date() },
    onCommit: () => void (batches += 1),
    outcomeCommit: o.outcomeCommit ?? 'durable',
    ...(process.env.BENCH_PIPELINE_MIN ? { batch: { pipelineMin: Number(process.env.BENCH_PIPELINE_MIN) } } : {}),
  });
  await ledger.append('decision', 'warm-up', decisionBody); // plans cached, partitions known
  const fsync = o.dataDir ? timeFdatasync(o.dataDir, 200) : null; // this disk's flush, just before the run
  const before = await snapshot(o.admin);
  const started = { statements: n.statements, transactions: n.transactions, batches };
  const node = process.cpuUsage();
  const pgCpu = postgresCpuUs(o.postmaster);
  const decisionWaits: number[] = [];
  const outcomeWaits: number[] = [];
  const ledgerWaits: number[] = []; // a request's decision and outcome commit waits together
  const end = performance.now() + o.seconds * 1000;
  let next = 0;
  await Promise.all(
    Array.from({ length: o.writers }, async () => {
      while (performance.now() < end) {
        const id = `q${next++}`;
        const t0 = performance.now();
        const decision = await ledger.append('decision', id, decisionBody, { subject: 'alice@example.com' });
        const t1 = performance.now();
        decisionWaits.push(t1 - t0);
        if (o.upstreamMs > 0) await sleep(o.upstreamMs);
        const t2 = performance.now();
        await ledger.append('outcome', id, outcomeBody(decision.hash, Math.round(t2 - t0)), { decision: 'allow' });
        outcomeWaits.push(performance.now() - t2);
        ledgerWaits.push(t1 - t0 + performance.now() - t2);
      }
    }),
  );
  const pgUs = postgresCpuUs(o.postmaster) - pgCpu;
  const used = process.cpuUsage(node);
  const statements = n.statements - started.statements + 2 * (n.transactions - started.transactions);
  const committedBatches = batches - started.batches;
  await ledger.close();
  await pool.close(); // the backends exit and flush their statistics
  await sleep(200);
  const after = await snapshot(o.admin);
  const records = decisionWaits.length + outcomeWaits.length;
  const tables: Record<string, Record<string, number>> = {};
  for (const [name, a] of after.tables) {
    const b = before.tables.get(name) ?? { ins: 0, upd: 0, hot: 0, dead: 0 };
    if (a.ins === b.ins && a.upd === b.upd) continue;
    tables[name] = {
      ins: per(a.ins - b.ins, records),
      upd: per(a.upd - b.upd, records),
      hot_upd: per(a.hot - b.hot, records),
      dead_after: a.dead,
    };
  }
  decisionWaits.sort((a, b) => a - b);
  outcomeWaits.sort((a, b) => a - b);
  ledgerWaits.sort((a, b) => a - b);
  const requests = outcomeWaits.length;
  return {
    writers: o.writers,
    upstream_ms: o.upstreamMs,
    outcome_commit: o.outcomeCommit ?? 'durable',
    requests_per_s: Math.round(requests / o.seconds),
    records,
    records_per_batch: Math.round((records / Math.max(1, committedBatches)) * 10) / 10,
    decision_commit_wait_p50_ms: pct(decisionWaits, 50),
    decision_commit_wait_p99_ms: pct(decisionWaits, 99),
    outcome_commit_wait_p50_ms: pct(outcomeWaits, 50),
    outcome_commit_wait_p99_ms: pct(outcomeWaits, 99),
    // what the ledger adds to a request (issue 17's c=1 target is read against the disk's fdatasync)
    request_ledger_wait_p50_ms: pct(ledgerWaits, 50),
    request_ledger_wait_p99_ms: pct(ledgerWaits, 99),
    disk_fdatasync_p50_ms: fsync === null ? null : Math.round(fsync.p50_us / 10) / 100,
    disk_fdatasync_p99_ms: fsync === null ? null : Math.round(fsync.p99_us / 10) / 100,
    per_1000_records: {
      statements: per(statements, records),
      batches: per(committedBatches, records),
      // the statistics connection's own few are in here too
      commits: per(after.commits - before.commits, records),
      wal_kib: per(Number(after.wal - before.wal) / 1024, records),
      tables,
    },
    per_request_us: {
      postgres_cpu: Math.round(pgUs / Math.max(1, requests)),
      node_cpu: Math.round((used.user + used.system) / Math.max(1, requests)),
    },
  };
}
