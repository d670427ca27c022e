// A settlement the counters could not take comes back recorded: false with the database error as its cause, for the
// log; the cause never reaches the outcome record's `settlement` (settleFor strips it).
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
  it('keeps the database error as the cause, out of the record', async () => {
    const down = Object.assign(new Error('connection terminated'), { code: '57P01' });
    const settleSql: Sql = {
      ...sql,
      query: async () => {
        throw down;
      },
    };
    const limiter = createLimiter({
      sql,
      settleSql,
      pricing,
      defaults: [],
      reservationTtlSeconds: 60,
      defaultMaxTokens: 10,
    });
    const reservation = await limiter.reserve(reserveInput);
    const settled = await settleFor(limiter, reservation, {
      usage: null,
      upstreamStatus: 200,
      error: null,
      upstream: 'echo',
    });
    expect(settled.fields.settlement.recorded).toBe(false);
    expect(settled.cause).toBe(down);
    expect(Object.hasOwn(settled.fields.settlement, 'cause')).toBe(false);
  });

  it('has no cause when the counters took it', async () => {
    const limiter = createLimiter({ sql, pricing, defaults: [], reservationTtlSeconds: 60, defaultMaxTokens: 10 });
    const reservation = await limiter.reserve(reserveInput);
    const settlement = await limiter.settle(reservation, 'usage', { prompt_tokens: 4, completion_tokens: 2 }, 'echo');
    expect(settlement.recorded).toBe(true);
    expect(Object.hasOwn(settlement, 'cause')).toBe(false);
  });
});
