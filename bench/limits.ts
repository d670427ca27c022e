// The limits stage's cost per request on a throwaway PostgreSQL 15 (synchronous_commit on, fsync off): usage read,
// reserve and settle, each one statement and one round trip; one request at a time (the intrinsic cost), then paced
// at 250 and 1,000 requests/s (pool and CPU queueing included). Two shapes: every request
// with its own subject counters, and every request also holding one shared tenant counter (the hot-row worst case:
// all reservations lock the same row). Also the most reservations/s a closed loop of 64 reaches on the shared row.
// Run alone with `node bench/limits.ts` (JSON on stdout) or as part of `npm run bench`.
import { performance } from 'node:perf_hooks';
import { loadavg } from 'node:os';
import { connectPostgres, migrate, type Sql } from '../src/db/index.ts';
import { createLimiter, parsePricing, type Limiter, type ScopedLimit } from '../src/limits/index.ts';
import { startPostgres } from '../test/helpers/postgres.ts';

const SECONDS = Number(process.env.BENCH_LIMITS_SECONDS ?? 3);
const RATE = Number(process.env.BENCH_LIMITS_RPS ?? 1000);

const pricing = parsePricing(
  {
    version: 'bench',
    unknown_model: 'deny',
    upstreams: { up: { m: { input: 150_000, output: 600_000, cached_input: 75_000 } } },
  },
  'bench',
);
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

/** Counts statements sent, i.e. database round trips (each Sql.query is one). */
function counting(sql: Sql): { sql: Sql; count: () => number } {
  let n = 0;
  return {
    sql: {
      ...sql,
      query: (text, params) => {
        n += 1;
        return sql.query(text, params);
      },
    },
    count: () => n,
  };
}

async function oneRequest(limiter: Limiter, i: number, subjects: number) {
  const principal = {
    iss: 'https://idp.bench',
    sub: `user-${i % subjects}`,
    client_id: 'app',
    groups: ['eng'],
    tenant: 'acme',
  };
  const t0 = performance.now();
  await limiter.usage(principal);
  const t1 = performance.now();
  const r = await limiter.reserve({
    principal,
    upstreams: ['up'],
    model: 'm',
    promptTokens: 120,
    promptTokenMethod: 'bench',
    maxTokens: 256,
    limits: decisionLimits,
  });
  const t2 = performance.now();
  await limiter.settle(r, 'usage', { prompt_tokens: 118, completion_tokens: 90 }, 'up');
  const t3 = performance.now();
  return { usage: t1 - t0, reserve: t2 - t1, settle: t3 - t2, total: t3 - t0, reserveSettle: t3 - t1 };
}

async function pacedRun(sql: Sql, defaults: ScopedLimit[], label: string, rate = RATE) {
  const counted = counting(sql);
  const limiter = createLimiter({
    sql: counted.sql,
    pricing,
    defaults,
    reservationTtlSeconds: 900,
    defaultMaxTokens: 4096,
  });
  const samples: Awaited<ReturnType<typeof oneRequest>>[] = [];
  let failed = 0;
  const total = rate * SECONDS;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const delay = due - performance.now();
    if (delay > 1) await new Promise((r) => setTimeout(r, delay));
    pending.push(
      oneRequest(limiter, i, 500).then(
        (s) => void samples.push(s),
        () => void (failed += 1),
      ),
    );
  }
  await Promise.all(pending);
  const seconds = (performance.now() - start) / 1000;
  const sorted = (k: keyof (typeof samples)[number]) => samples.map((s) => s[k]).sort((a, b) => a - b);
  const rs = sorted('reserveSettle');
  const reserve = sorted('reserve');
  const settle = sorted('settle');
  const usage = sorted('usage');
  return {
    shape: label,
    offered_rps: rate,
    achieved_rps: Math.round(samples.length / seconds),
    requests: samples.length,
    failed,
    round_trips_per_request: Math.round((counted.count() / samples.length) * 100) / 100,
    reserve_plus_settle_p50_ms: pct(rs, 50),
    reserve_plus_settle_p99_ms: pct(rs, 99),
    reserve_p50_ms: pct(reserve, 50),
    reserve_p99_ms: pct(reserve, 99),
    settle_p50_ms: pct(settle, 50),
    settle_p99_ms: pct(settle, 99),
    usage_read_p50_ms: pct(usage, 50),
    usage_read_p99_ms: pct(usage, 99),
  };
}

/** One request at a time: the intrinsic cost of each statement, without queueing for connections or CPU. */
async function sequential(sql: Sql) {
  const limiter = createLimiter({ sql, pricing, defaults: [], reservationTtlSeconds: 900, defaultMaxTokens: 4096 });
  const samples: Awaited<ReturnType<typeof oneRequest>>[] = [];
  for (let i = 0; i < 200; i++) await oneRequest(limiter, i, 500); // warm the connections' plan caches
  for (let i = 0; i < 1000; i++) samples.push(await oneRequest(limiter, i, 500));
  const sorted = (k: keyof (typeof samples)[number]) => samples.map((s) => s[k]).sort((a, b) => a - b);
  const [rs, reserve, settle, usage] = [sorted('reserveSettle'), sorted('reserve'), sorted('settle'), sorted('usage')];
  return {
    requests: samples.length,
    reserve_plus_settle_p50_ms: pct(rs, 50),
    reserve_plus_settle_p99_ms: pct(rs, 99),
    reserve_p50_ms: pct(reserve, 50),
    settle_p50_ms: pct(settle, 50),
    usage_read_p50_ms: pct(usage, 50),
  };
}

async function closedLoopSharedRow(sql: Sql) {
  const limiter = createLimiter({
    sql,
    pricing,
    defaults: [{ scope: 'tenant', tokens_per_minute: 1e12 }],
    reservationTtlSeconds: 900,
    defaultMaxTokens: 4096,
  });
  const end = performance.now() + SECONDS * 1000;
  let done = 0;
  let i = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (performance.now() < end) {
        const principal = {
          iss: 'https://idp.bench',
          sub: `user-${i++ % 500}`,
          client_id: null,
          groups: [],
          tenant: 'acme',
        };
        const r = await limiter.reserve({
          principal,
          upstreams: ['up'],
          model: 'm',
          promptTokens: 120,
          promptTokenMethod: 'bench',
          maxTokens: 256,
          limits: decisionLimits,
        });
        await limiter.settle(r, 'usage', { prompt_tokens: 118, completion_tokens: 90 }, 'up');
        done += 1;
      }
    }),
  );
  return { writers: 64, reserve_settle_pairs_per_s: Math.round(done / SECONDS) };
}

export async function benchLimits() {
  const pg = await startPostgres();
  const admin = connectPostgres(pg.superuserUrl, { max: 1 });
  await admin.query('ALTER DATABASE proctor SET synchronous_commit = on');
  await admin.close();
  const sql = connectPostgres(pg.url, { max: 10 });
  try {
    await migrate(sql);
    const alone = await sequential(sql);
    const closed = await closedLoopSharedRow(sql);
    return {
      database: 'postgresql-15 (throwaway, fsync off, synchronous_commit on)',
      seconds_per_run: SECONDS,
      pool_size: 10,
      /** 1-minute load average when the run ended: other work on the machine slows every round trip. */
      load_average_1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      one_at_a_time: alone,
      paced: [
        await pacedRun(sql, [], 'own subject counters (3 rows locked)', 250),
        await pacedRun(sql, [], 'own subject counters (3 rows locked)'),
        await pacedRun(
          sql,
          [{ scope: 'tenant', tokens_per_minute: 1e12, spend_micro_usd_per_day: 1e12 }],
          'plus one shared tenant minute and day counter (hot rows)',
        ),
      ],
      closed_loop_shared_row: closed,
    };
  } finally {
    await sql.close();
    await pg.destroy();
  }
}

if (import.meta.main) process.stdout.write(`${JSON.stringify(await benchLimits(), null, 2)}\n`);
