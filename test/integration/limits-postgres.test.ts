// The limits stage against a real PostgreSQL 15: concurrent reservations against tight token and spend limits, two
// limiters on two pools sharing one database, expiry of unsettled reservations, settlement with actual and partial
// (aborted stream) usage, and failing closed when the store is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import {
  createLimiter,
  LimitExceeded,
  LimitsError,
  parsePricing,
  type Limiter,
  type LimiterOptions,
  type Reservation,
} from '../../src/limits/index.ts';
import { settleFor } from '../../src/pipeline/limits-stage.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { installDbClock } from '../helpers/db-clock.ts';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let sqlA: Sql;
let sqlB: Sql;

const pricing = parsePricing(
  {
    version: 'test-1',
    unknown_model: 'deny',
    upstreams: { up: { m: { input: 1_000_000, output: 3_000_000, cached_input: 500_000 } } },
  },
  'test',
);

let n = 0;
/** A fresh subject per test, so tests do not share counters. */
function principal(tenant: string | null = null) {
  n += 1;
  return {
    iss: 'https://issuer.test',
    sub: `user-${n}-${Date.now()}`,
    client_id: null,
    groups: [] as string[],
    tenant,
  };
}

function limiter(sql: Sql, extra: Partial<LimiterOptions> = {}): Limiter {
  return createLimiter({ sql, pricing, defaults: [], reservationTtlSeconds: 60, defaultMaxTokens: 100, ...extra });
}

const limits = (
  v: Partial<
    Record<
      'tokens_per_minute' | 'requests_per_minute' | 'spend_micro_usd_per_day' | 'spend_micro_usd_per_month',
      number | null
    >
  >,
) => ({
  tokens_per_minute: null,
  requests_per_minute: null,
  spend_micro_usd_per_day: null,
  spend_micro_usd_per_month: null,
  ...v,
});

beforeAll(async () => {
  postgres = await startPostgres();
  // As in production: commits wait for the WAL flush, except on the limits stage's own pool (asyncCommit, as
  // startProctor opens it); sqlB is such a pool, so the two-pool tests mix both kinds.
  const admin = connectPostgres(postgres.superuserUrl, { max: 1 });
  await admin.query('ALTER DATABASE proctor SET synchronous_commit = on');
  // Minute windows are the database's clock: stopped 10 s into a minute, every burst here is inside one window, so
  // the limit under test is the only thing deciding.
  await installDbClock(admin, new Date('2026-01-01T00:00:10Z'), { database: 'proctor' });
  await admin.close();
  sqlA = await connectPostgres(postgres.url, { max: 8 });
  sqlB = await connectPostgres(postgres.url, { max: 8, asyncCommit: true });
  await migrate(sqlA);
}, 120_000);

afterAll(async () => {
  await sqlA?.close();
  await sqlB?.close();
  await postgres?.destroy();
});

async function burst(
  limiters: Limiter[],
  count: number,
  make: () => Parameters<Limiter['reserve']>[0],
): Promise<{ admitted: Reservation[]; refused: LimitExceeded[] }> {
  const results = await Promise.allSettled(
    Array.from({ length: count }, (_, i) => limiters[i % limiters.length]!.reserve(make())),
  );
  const admitted: Reservation[] = [];
  const refused: LimitExceeded[] = [];
  for (const r of results) {
    if (r.status === 'fulfilled') admitted.push(r.value);
    else if (r.reason instanceof LimitExceeded) refused.push(r.reason);
    else throw r.reason;
  }
  return { admitted, refused };
}

describe('limits on PostgreSQL', () => {
  it('an asyncCommit pool commits without waiting for the WAL flush; a default pool waits', async () => {
    const setting = async (sql: Sql) =>
      (await sql.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit;
    expect(await setting(sqlA)).toBe('on');
    expect(await setting(sqlB)).toBe('off');
    expect(
      await sqlB.transaction(
        async (tx) =>
          (await tx.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]?.synchronous_commit,
      ),
    ).toBe('off');
  });

  it('64 concurrent requests against a tight token limit admit no more than the limit holds', async () => {
    const l = limiter(sqlA);
    const p = principal();
    // estimate per request: 400 prompt + 600 output = 1000 tokens; limit 10 500 → exactly 10 fit
    const { admitted, refused } = await burst([l], 64, () => ({
      principal: p,
      upstreams: ['up'],
      model: 'm',
      promptTokens: 400,
      promptTokenMethod: 'test',
      maxTokens: 600,
      limits: limits({ tokens_per_minute: 10_500 }),
    }));
    expect(admitted).toHaveLength(10);
    expect(refused).toHaveLength(54);
    expect(admitted.reduce((sum, r) => sum + r.estimate.tokens, 0)).toBeLessThanOrEqual(10_500);
    for (const e of refused) {
      expect(e.code).toBe('ERR_LIMIT_EXCEEDED');
      expect(e.limit).toMatchObject({ scope: 'subject', metric: 'tokens', period: 'minute', limit: 10_500 });
      expect(Number(e.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(e.headers['x-ratelimit-remaining-tokens']).toBe('500');
    }
    // settle with actual usage (less than estimated): the room comes back for the rest of the minute
    for (const r of admitted) await l.settle(r, 'usage', { prompt_tokens: 300, completion_tokens: 200 }, 'up');
    const usage = await l.usage(p);
    expect(usage.tokens_this_minute).toBe(5000);
    expect(usage.requests_this_minute).toBe(10);
    // cost of each: ceil((300 * 1e6 + 200 * 3e6) / 1e6) = 900 micro-USD
    expect(usage.spend_micro_usd_today).toBe(9000);
  });

  it('64 concurrent requests against a spend limit never pass it', async () => {
    const l = limiter(sqlA);
    const p = principal();
    // estimate: 100 prompt at $1/M + 100 output at $3/M = 400 micro-USD; limit 5000 → 12 fit
    const { admitted } = await burst([l], 64, () => ({
      principal: p,
      upstreams: ['up'],
      model: 'm',
      promptTokens: 100,
      promptTokenMethod: 'test',
      maxTokens: 100,
      limits: limits({ spend_micro_usd_per_day: 5000 }),
    }));
    expect(admitted).toHaveLength(12);
    expect(admitted.reduce((sum, r) => sum + r.estimate.spend_micro_usd, 0)).toBeLessThanOrEqual(5000);
    // actual usage equal to the estimate: settled spend stays within the limit
    await Promise.all(admitted.map((r) => l.settle(r, 'usage', { prompt_tokens: 100, completion_tokens: 100 }, 'up')));
    expect((await l.usage(p)).spend_micro_usd_today).toBe(4800);
    await expect(
      l.reserve({
        principal: p,
        upstreams: ['up'],
        model: 'm',
        promptTokens: 100,
        promptTokenMethod: 'test',
        maxTokens: 100,
        limits: limits({ spend_micro_usd_per_day: 5000 }),
      }),
    ).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
      limit: { metric: 'spend', period: 'day', used: 4800, requested: 400 },
    });
  });

  it('two limiters on two pools share one limit', async () => {
    const tenant = `acme-${Date.now()}`;
    // different subjects, one tenant limit from configuration on both instances
    const shared = { defaults: [{ scope: 'tenant' as const, requests_per_minute: 7 }] };
    const a2 = limiter(sqlA, shared);
    const b2 = limiter(sqlB, shared);
    const { admitted } = await burst([a2, b2], 64, () => ({
      principal: principal(tenant),
      upstreams: ['up'],
      model: 'm',
      promptTokens: 1,
      promptTokenMethod: 'test',
      maxTokens: 1,
      limits: null,
    }));
    expect(admitted).toHaveLength(7);
    // Each replica reports the usage it sees (its own requests, and the others' as last synced): never more than 7.
    const used = admitted.flatMap((r) => r.limits.filter((l) => l.scope === 'tenant').map((l) => l.used));
    expect(used).toHaveLength(7);
    expect(Math.max(...used)).toBeLessThanOrEqual(7);
  });

  it('syncs of two replicas on shared counters never deadlock', async () => {
    const shared = {
      defaults: [
        { scope: 'tenant' as const, tokens_per_minute: 1e12 },
        { scope: 'group' as const, spend_micro_usd_per_day: 1e12 },
      ],
    };
    const a = limiter(sqlA, shared);
    const b = limiter(sqlB, shared);
    const tenant = `t-${Date.now()}`;
    // Every reservation and settlement is followed by a sync of its replica: grants, settlements and returns on the
    // same tenant and group counters, from two pools at once.
    const run = async (l: Limiter) => {
      const p = { ...principal(tenant), groups: ['g1', 'g2'] };
      const r = await l.reserve({
        principal: p,
        upstreams: ['up'],
        model: 'm',
        promptTokens: 5,
        promptTokenMethod: 'test',
        maxTokens: 5,
        limits: null,
      });
      await l.flush();
      await l.settle(r, 'usage', { prompt_tokens: 1, completion_tokens: 1 }, 'up');
      await l.flush();
      return r;
    };
    const results = await Promise.allSettled(Array.from({ length: 160 }, (_, i) => run(i % 2 === 0 ? a : b)));
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    await a.close();
    await b.close();
    const { rows } = await sqlA.query<{ tokens: string; leased: string }>(
      `SELECT (SELECT sum(tokens) FROM limit_counters WHERE scope_key = $1 AND period = 'minute') AS tokens,
        (SELECT coalesce(sum(amount), 0) FROM limit_leases WHERE scope_key = $1) AS leased`,
      [JSON.stringify(['tenant', tenant])],
    );
    expect(rows[0]).toMatchObject({ tokens: '320', leased: '0' });
  });

  it("a crashed replica's lease counts until it expires, then its headroom is another's", async () => {
    const crashed = limiter(sqlA);
    const other = limiter(sqlB);
    const p = principal();
    const ask = (l: Limiter) =>
      l.reserve({
        principal: p,
        upstreams: ['up'],
        model: 'm',
        promptTokens: 10,
        promptTokenMethod: 'test',
        maxTokens: 10,
        limits: limits({ spend_micro_usd_per_month: 50 }),
      });
    await ask(crashed); // 40 micro-USD leased, never settled nor returned: the replica is gone
    await expect(ask(other)).rejects.toBeInstanceOf(LimitExceeded);
    // Expiry without waiting for the clock: the lease expires within its TTL; it is aged past it.
    const key = JSON.stringify(['subject', p.iss, p.sub]);
    const ttl = await sqlA.query<{ ok: boolean }>(
      `SELECT bool_and(expires_at <= now() + interval '60 seconds') AS ok FROM limit_leases WHERE scope_key = $1`,
      [key],
    );
    expect(ttl.rows[0]?.ok).toBe(true);
    await sqlA.query(`UPDATE limit_leases SET expires_at = now() - interval '1 millisecond' WHERE scope_key = $1`, [
      key,
    ]);
    const again = limiter(sqlB);
    await expect(ask(again)).resolves.toMatchObject({ estimate: { spend_micro_usd: 40 } });
    await expect(ask(again)).rejects.toBeInstanceOf(LimitExceeded);
  });

  it('bills a stream by its usage, an aborted stream by its partial usage, and a cut stream without usage by the estimate', async () => {
    const l = limiter(sqlA);
    const p = principal();
    const reserve = () =>
      l.reserve({
        principal: p,
        upstreams: ['up'],
        model: 'm',
        promptTokens: 100,
        promptTokenMethod: 'test',
        maxTokens: 1000,
        limits: null,
      });
    // finished stream: usage from the final chunk
    const full = await settleFor(l, await reserve(), {
      usage: { prompt_tokens: 90, completion_tokens: 500, total_tokens: 590 },
      upstreamStatus: 200,
      error: null,
      upstream: 'up',
    });
    expect(full.fields).toMatchObject({
      cost_micro_usd: 1590,
      pricing_version: 'test-1',
      settlement: { basis: 'usage', tokens: 590, recorded: true },
    });
    // client abort: the streaming path reports what was streamed so far, marked estimated
    const aborted = await settleFor(l, await reserve(), {
      usage: { prompt_tokens: 90, completion_tokens: 37, total_tokens: 127, estimated: true },
      upstreamStatus: 200,
      error: 'ERR_CLIENT_DISCONNECTED',
      upstream: 'up',
    });
    expect(aborted.fields).toMatchObject({
      cost_micro_usd: 201,
      settlement: { basis: 'usage_estimated', prompt_tokens: 90, completion_tokens: 37 },
    });
    // cut without any usage: the whole estimate (never zero)
    const cut = await settleFor(l, await reserve(), {
      usage: null,
      upstreamStatus: 200,
      error: 'ERR_UPSTREAM_STREAM_TRUNCATED',
      upstream: 'up',
    });
    expect(cut.fields).toMatchObject({ cost_micro_usd: 3100, settlement: { basis: 'estimate', tokens: 1100 } });
    // upstream refused (no work done): one request, no tokens
    const refused = await settleFor(l, await reserve(), {
      usage: null,
      upstreamStatus: 429,
      error: 'ERR_UPSTREAM_ERROR',
      upstream: 'up',
    });
    expect(refused.fields).toMatchObject({ cost_micro_usd: 0, settlement: { basis: 'none', requests: 1, tokens: 0 } });
    const usage = await l.usage(p);
    expect(usage.spend_micro_usd_today).toBe(1590 + 201 + 3100);
    expect(usage.requests_this_minute).toBe(4);
  });

  it('says so when one request alone is larger than the limit', async () => {
    const l = limiter(sqlA);
    await expect(
      l.reserve({
        principal: principal(),
        upstreams: ['up'],
        model: 'm',
        promptTokens: 900,
        promptTokenMethod: 'test',
        maxTokens: 200,
        limits: limits({ tokens_per_minute: 1000 }),
      }),
    ).rejects.toMatchObject({
      code: 'ERR_LIMIT_EXCEEDED',
      message: expect.stringContaining('this request alone needs 1100'),
      limit: { used: 0, requested: 1100 },
    });
  });

  it('admits from its leases and settles with no statement: the pool can be held meanwhile', async () => {
    const pool = connectPostgres(postgres.url, { max: 1 });
    let release: (() => void) | undefined;
    try {
      const l = limiter(pool);
      const p = principal();
      const ask = (who = p, maxTokens = 1) =>
        l.reserve({
          principal: who,
          upstreams: ['up'],
          model: 'm',
          promptTokens: 1,
          promptTokenMethod: 'test',
          maxTokens,
          limits: limits({ spend_micro_usd_per_day: 1_000_000, tokens_per_minute: 1000 }),
        });
      // Its counters read and its leases granted for 101 tokens, all of them given back by the settlement.
      await l.settle(await ask(p, 100), 'none', null, null);
      let taken!: () => void;
      const holding = new Promise<void>((resolve) => (taken = resolve));
      const held = pool.transaction(
        async () =>
          new Promise<void>((resolve) => {
            release = resolve;
            taken();
          }),
      );
      await holding; // the pool's only connection is now taken
      for (let i = 0; i < 3; i += 1) {
        const r = await ask();
        expect((await l.settle(r, 'usage', { prompt_tokens: 1, completion_tokens: 0 }, 'up')).recorded).toBe(true);
      }
      expect(await l.usage(p)).toMatchObject({ tokens_this_minute: 3, requests_this_minute: 4 });
      // A subject new to this replica needs its counters read: it waits for the pool.
      let waiting = true;
      const fresh = ask(principal()).finally(() => (waiting = false));
      await new Promise((r) => setImmediate(r));
      expect(waiting).toBe(true);
      release?.();
      await held;
      await l.settle(await fresh, 'released', null, null);
      await l.close();
    } finally {
      release?.(); // never leave the pool's one connection held
      await pool.close();
    }
  });

  it('settles a reservation once only', async () => {
    const l = limiter(sqlA);
    const r = await l.reserve({
      principal: principal(),
      upstreams: ['up'],
      model: 'm',
      promptTokens: 1,
      promptTokenMethod: 'test',
      maxTokens: 1,
      limits: null,
    });
    await l.settle(r, 'released', null, null);
    await expect(l.settle(r, 'usage', { prompt_tokens: 1, completion_tokens: 1 }, 'up')).rejects.toMatchObject({
      code: 'ERR_LIMITS_INVALID',
    });
  });

  it('denies an unpriced model and fails closed when the store is unreachable', async () => {
    const l = limiter(sqlA);
    await expect(
      l.reserve({
        principal: principal(),
        upstreams: ['up'],
        model: 'unknown',
        promptTokens: 1,
        promptTokenMethod: 'test',
        maxTokens: 1,
        limits: null,
      }),
    ).rejects.toMatchObject({ code: 'ERR_MODEL_NOT_PRICED' });
    const gone = await connectPostgres('postgres://proctor@127.0.0.1:1/proctor', { connectTimeoutMs: 500, max: 1 });
    try {
      const dead = limiter(gone);
      await expect(
        dead.reserve({
          principal: principal(),
          upstreams: ['up'],
          model: 'm',
          promptTokens: 1,
          promptTokenMethod: 'test',
          maxTokens: 1,
          limits: null,
        }),
      ).rejects.toSatisfy((e: unknown) => e instanceof LimitsError && e.code === 'ERR_LIMITS_UNAVAILABLE');
      await expect(dead.usage(principal())).rejects.toMatchObject({ code: 'ERR_LIMITS_UNAVAILABLE' });
    } finally {
      await gone.close();
    }
  });
});
