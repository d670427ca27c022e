// The limits stage per request on a throwaway PostgreSQL 15 (synchronous_commit on, fsync off), as the pipeline runs
// it: admit, reserve, settle. A closed loop of 64 for a few seconds, on one replica and on eight (eight limiters, each
// with a pool of its own), for one hot subject (every request on the same counters: a service account) and for 1,000
// subjects. For each: requests/s, the cycle's p50/p99, statements sent per request, and the rows the limits tables
// took per request (n_tup_ins + n_tup_upd + n_tup_del of limit_* in pg_stat_user_tables, read after the replicas'
// connections closed, which flushes their statistics) and the dead tuples left. Then the stage's CPU a request: one
// limiter, one hot subject, its leases warm, cycles one at a time (a fresh principal each, as the identity cache hands
// out, and the prompt counted as the pipeline counts it). Run alone with `node bench/limits.ts` (JSON on stdout) or as
// part of `npm run bench`.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { connectPostgres, migrate, type Sql } from '../src/db/index.ts';
import { countPromptTokens, createLimiter, parsePricing, type Limiter } from '../src/limits/index.ts';
import { startPostgres } from '../test/helpers/postgres.ts';

const SECONDS = Number(process.env.BENCH_LIMITS_SECONDS ?? 3);
const WORKERS = 64;

const pricing = parsePricing(
  {
    version: 'bench',
    unknown_model: 'deny',
    upstreams: { up: { m: { input: 150_000, output: 600_000, cached_input: 75_000 } } },
  },
  'bench',
);
// Limited on every metric (so every counter is leased), far above what the run can use.
const decisionLimits = {
  tokens_per_minute: 1e12,
  requests_per_minute: 1e9,
  spend_micro_usd_per_day: 1e12,
  spend_micro_usd_per_month: 1e13,
};

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 1000) / 1000;
}

/** Counts statements sent (each Sql.query is one round trip). */
function counting(sql: Sql, counter: { n: number }): Sql {
  return {
    ...sql,
    query: (text, params) => {
      counter.n += 1;
      return sql.query(text, params);
    },
  };
}

/** Rows written to the limits tables so far, and dead tuples now (statistics as flushed by closed connections). */
async function rowStats(admin: Sql): Promise<{ written: number; dead: number }> {
  await admin.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await admin.query<{ written: string; dead: string }>(
    `SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0) AS written, coalesce(sum(n_dead_tup), 0) AS dead
       FROM pg_stat_user_tables WHERE relname LIKE 'limit\\_%'`,
  );
  return { written: Number(rows[0]?.written), dead: Number(rows[0]?.dead) };
}

async function closedLoop(url: string, admin: Sql, label: string, replicas: number, subjects: number) {
  const before = await rowStats(admin);
  const statements = { n: 0 };
  const pools = Array.from({ length: replicas }, () => connectPostgres(url, { max: 2, asyncCommit: true }));
  const limiters: Limiter[] = pools.map((pool) =>
    createLimiter({
      sql: counting(pool, statements),
      pricing,
      defaults: [],
      reservationTtlSeconds: 900,
      defaultMaxTokens: 4096,
    }),
  );
  const latencies: number[] = [];
  let failed = 0;
  let i = 0;
  const start = performance.now();
  const end = start + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: WORKERS }, async (_, w) => {
      const limiter = limiters[w % replicas] as Limiter;
      while (performance.now() < end) {
        const principal = {
          iss: 'https://idp.bench',
          sub: `user-${i++ % subjects}`,
          client_id: null,
          groups: [],
          tenant: null,
        };
        const t0 = performance.now();
        try {
          await limiter.admit(principal);
          const r = await limiter.reserve({
            principal,
            upstreams: ['up'],
            model: 'm',
            promptTokens: 120,
            promptTokenMethod: 'bench',
            maxTokens: 256,
            limits: decisionLimits,
            admitted: true,
          });
          await limiter.settle(r, 'usage', { prompt_tokens: 118, completion_tokens: 90 }, 'up');
          latencies.push(performance.now() - t0);
        } catch {
          failed += 1; // counted: a bench that fails requests says so in its figures
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  for (const l of limiters) await l.close();
  for (const p of pools) await p.close();
  const after = await rowStats(admin);
  const requests = latencies.length;
  latencies.sort((a, b) => a - b);
  const per = (n: number) => Math.round((n / Math.max(1, requests)) * 10_000) / 10_000;
  return {
    shape: label,
    replicas,
    subjects,
    requests,
    failed,
    requests_per_s: Math.round(requests / seconds),
    admit_reserve_settle_p50_ms: pct(latencies, 50),
    admit_reserve_settle_p99_ms: pct(latencies, 99),
    statements_per_request: per(statements.n),
    rows_written_per_request: per(after.written - before.written),
    dead_tuples_after: after.dead,
  };
}

/** CPU µs of one admit + prompt count + reserve + settle, in 5 slices of `cycles` (after a warm-up), and the
 * prompt count alone: the side-by-side bench's request shape (two short messages), one hot subject. */
async function cpuPerRequest(url: string, cycles = 20_000) {
  const pool = connectPostgres(url, { max: 2, asyncCommit: true });
  const limiter = createLimiter({
    sql: pool,
    pricing,
    defaults: [],
    reservationTtlSeconds: 900,
    defaultMaxTokens: 4096,
  });
  const texts = [
    'You are a helpful assistant.',
    'Summarise the quarterly report for the north region in two sentences.',
  ];
  const shape = { model: 'm', texts, messages: 2, toolCalls: 0, conservativeEstimate: 40 };
  const cycle = async () => {
    const principal = { iss: 'https://idp.bench', sub: 'user-0', client_id: null, groups: ['eng'], tenant: null };
    await limiter.admit(principal);
    const prompt = countPromptTokens(shape);
    const r = await limiter.reserve({
      principal,
      upstreams: ['up'],
      model: 'm',
      promptTokens: prompt.tokens,
      promptTokenMethod: prompt.method,
      maxTokens: 64,
      limits: decisionLimits,
      admitted: true,
    });
    await limiter.settle(r, 'usage', { prompt_tokens: 23, completion_tokens: 21 }, 'up');
  };
  const cpuUs = (start: NodeJS.CpuUsage, n: number) => {
    const used = process.cpuUsage(start);
    return Math.round(((used.user + used.system) / n) * 10) / 10;
  };
  try {
    for (let i = 0; i < 3000; i++) await cycle();
    const slices: number[] = [];
    for (let k = 0; k < 5; k++) {
      const start = process.cpuUsage();
      for (let i = 0; i < cycles; i++) await cycle();
      slices.push(cpuUs(start, cycles));
    }
    const start = process.cpuUsage();
    for (let i = 0; i < cycles; i++) countPromptTokens(shape);
    return { cycle_cpu_us_slices: slices, prompt_count_cpu_us: cpuUs(start, cycles) };
  } finally {
    await limiter.close();
    await pool.close();
  }
}

export async function benchLimits() {
  const pg = await startPostgres();
  const admin = connectPostgres(pg.superuserUrl, { max: 1 });
  await admin.query('ALTER DATABASE proctor SET synchronous_commit = on');
  const sql = connectPostgres(pg.url, { max: 1 });
  await migrate(sql);
  await sql.close();
  try {
    return {
      database: 'postgresql-15 (throwaway, fsync off, synchronous_commit on)',
      seconds_per_run: SECONDS,
      workers: WORKERS,
      /** 1-minute load average when the run ended: other work on the machine slows every round trip. */
      load_average_1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      runs: [
        await closedLoop(pg.url, admin, 'one hot subject', 1, 1),
        await closedLoop(pg.url, admin, 'one hot subject', 8, 1),
        await closedLoop(pg.url, admin, '1,000 subjects', 8, 1000),
      ],
      cpu_per_request: await cpuPerRequest(pg.url),
    };
  } finally {
    await admin.close();
    await pg.destroy();
  }
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(await benchLimits(), null, 2)}\n`);
