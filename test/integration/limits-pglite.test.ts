// The limits stage on PGlite (the development stack's embedded Postgres): the same migration and functions, the same
// all-or-nothing reservations from leases, settlement, and expiry of a crashed replica's leases as on PostgreSQL; and
// `proctor usage`'s report on PGlite. One database for the file: starting PGlite costs ~4 s of CPU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usageReport } from '../../src/cli/usage.ts';
import { migrate, openPglite, type Sql } from '../../src/db/index.ts';
import {
  createLimiter,
  type DecisionLimits,
  LimitExceeded,
  type Limiter,
  loadPricingFile,
} from '../../src/limits/index.ts';
import { installDbClock } from '../helpers/db-clock.ts';

let sql: Sql;

beforeAll(async () => {
  sql = await openPglite();
  await migrate(sql);
  // Minute windows are the database's clock: stopped 10 s into a minute, the whole test runs inside one window.
  await installDbClock(sql, new Date('2026-01-01T00:00:10Z'), 'this');
}, 60_000);

afterAll(async () => {
  await sql?.close();
});

describe('limits on PGlite', () => {
  it("reserves all or nothing under concurrency, settles with actual usage, and lets a crashed replica's leases expire", async () => {
    const pricing = loadPricingFile(new URL('../../config/pricing.v1.yaml', import.meta.url).pathname);
    // A replica: a limiter of its own on the same database, with a configured group limit of 5 requests a minute.
    const replica = () =>
      createLimiter({
        sql,
        pricing,
        defaults: [{ scope: 'group', name: 'eng', requests_per_minute: 5 }],
        reservationTtlSeconds: 1,
        defaultMaxTokens: 10,
      });
    const limiter = replica();
    const principal = { iss: 'https://dev', sub: 'alice', client_id: null, groups: ['eng'], tenant: null };
    const reserve = (l: Limiter, limits: DecisionLimits | null) =>
      l.reserve({
        principal,
        upstreams: ['echo'],
        model: 'echo-1',
        promptTokens: 10,
        promptTokenMethod: 'test',
        maxTokens: null,
        limits,
      });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, () =>
        reserve(limiter, {
          tokens_per_minute: 1000,
          requests_per_minute: null,
          spend_micro_usd_per_day: null,
          spend_micro_usd_per_month: null,
        }),
      ),
    );
    const admitted = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(admitted).toHaveLength(5);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof LimitExceeded)).toHaveLength(15);
    // echo-1: 10 in at $1/M + 10 out at $2/M = 30 micro-USD estimated; settle 3 of them at 4 in + 2 out = 8 each
    for (const r of admitted.slice(0, 3))
      await limiter.settle(r, 'usage', { prompt_tokens: 4, completion_tokens: 2 }, 'echo');
    expect(await limiter.usage(principal)).toMatchObject({
      requests_this_minute: 5,
      spend_micro_usd_today: 3 * 8 + 2 * 30,
    });
    // The limiter "crashes" with two reservations unsettled; its settlements so far are written. Another replica
    // is refused while the crashed one's lease counts, and admitted for what is left once that lease expires.
    await limiter.flush();
    const other = replica();
    await expect(reserve(other, null)).rejects.toBeInstanceOf(LimitExceeded);
    // Expiry without waiting for the clock: the leases expire within their 1 s TTL; they are aged past it.
    const ttl = await sql.query<{ ok: boolean }>(
      `SELECT bool_and(expires_at <= now() + interval '1 second') AS ok FROM limit_leases`,
    );
    expect(ttl.rows[0]?.ok).toBe(true);
    await sql.query(`UPDATE limit_leases SET expires_at = now() - interval '1 millisecond'`);
    expect(await other.usage(principal)).toMatchObject({
      requests_this_minute: 3,
      spend_micro_usd_today: 24,
      tokens_this_minute: 18,
    });
    const retried = replica();
    const more = await Promise.allSettled(Array.from({ length: 5 }, () => reserve(retried, null)));
    expect(more.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
  });
});

describe('proctor usage on PGlite', () => {
  // The limits stage writes no ledger records, so the ledger is empty whichever test runs first.
  it('reports nothing for an empty ledger: no rows, totals 0', async () => {
    const report = await usageReport(sql, new Date('2026-01-01'), new Date('2027-01-01'), 'model');
    expect(report).toMatchObject({ by: 'model', rows: [], totals: { requests: 0, cost_micro_usd: 0 } });
  });
});
