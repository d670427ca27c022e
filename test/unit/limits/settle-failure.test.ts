// A settlement the limiter could not take (it was closed) comes back recorded: false with the error as its cause, for
// the log; the cause never reaches the outcome record's `settlement` (settleFor strips it). A settlement needs no
// database: it is written with the next sync, and kept until one succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPglite, type Sql } from '../../../src/db/index.ts';
import { createLimiter, parsePricing } from '../../../src/limits/index.ts';
import { settleFor } from '../../../src/pipeline/limits-stage.ts';

let sql: Sql;
beforeAll(async () => {
  sql = await openPglite();
  await migrate(sql);
}, 60_000);
afterAll(async () => {
  await sql?.close();
});

const pricing = parsePricing(
  {
    version: 'p1',
    unknown_model: 'deny',
    upstreams: { echo: { 'echo-1': { input: 1_000_000, output: 2_000_000, cached_input: 0 } } },
  },
  'test',
);
const principal = { iss: 'https://idp.test', sub: 'settle-failure', client_id: null, groups: [], tenant: null };
const reserveInput = {
  principal,
  upstreams: ['echo'],
  model: 'echo-1',
  promptTokens: 10,
  promptTokenMethod: 'test',
  maxTokens: 5,
  limits: null,
};

describe('settlement failure', () => {
  it('a limiter closed before the settlement keeps the cause, out of the record', async () => {
    const limiter = createLimiter({ sql, pricing, defaults: [], reservationTtlSeconds: 60, defaultMaxTokens: 10 });
    const reservation = await limiter.reserve(reserveInput);
    await limiter.close();
    const settled = await settleFor(limiter, reservation, {
      usage: null,
      upstreamStatus: 200,
      error: null,
      upstream: 'echo',
    });
    expect(settled.fields.settlement.recorded).toBe(false);
    expect(settled.cause).toMatchObject({ code: 'ERR_LIMITS_UNAVAILABLE' });
    expect(Object.hasOwn(settled.fields.settlement, 'cause')).toBe(false);
  });

  it('has no cause when the limiter took it, and needs no database for it', async () => {
    let down = false;
    const flaky: Sql = {
      ...sql,
      query: (text, params) => (down ? Promise.reject(new Error('connection terminated')) : sql.query(text, params)),
    };
    const limiter = createLimiter({
      sql: flaky,
      pricing,
      defaults: [],
      reservationTtlSeconds: 60,
      defaultMaxTokens: 10,
    });
    const reservation = await limiter.reserve(reserveInput);
    down = true;
    const settlement = await limiter.settle(reservation, 'usage', { prompt_tokens: 4, completion_tokens: 2 }, 'echo');
    expect(settlement.recorded).toBe(true);
    expect(Object.hasOwn(settlement, 'cause')).toBe(false);
    // Kept in memory while the database is gone, written once it is back.
    await expect(limiter.flush()).rejects.toMatchObject({ code: 'ERR_LIMITS_UNAVAILABLE' });
    down = false;
    await limiter.flush();
    const { rows } = await sql.query<{ tokens: number }>(
      "SELECT tokens FROM limit_counters WHERE scope_key = $1 AND period = 'minute' ORDER BY window_start DESC LIMIT 1",
      [JSON.stringify(['subject', principal.iss, principal.sub])],
    );
    expect(Number(rows[0]?.tokens)).toBe(6);
    await limiter.close();
  });
});
