// The lease table's life cycle on PGlite with an injected clock: a hot lease admits with no statement, an idle one
// gives its headroom back, one past its local expiry is granted again before anything is taken from it, and a closed
// limiter leaves no lease behind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPglite, type Sql } from '../../../src/db/index.ts';
import { createLimiter, parsePricing } from '../../../src/limits/index.ts';

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
    version: 'p',
    unknown_model: 'deny',
    upstreams: { up: { m: { input: 1_000_000, output: 1_000_000, cached_input: 0 } } },
  },
  'test',
);
let n = 0;

function harness() {
  n += 1;
  let t = Date.now();
  const statements = { n: 0 };
  const counted: Sql = {
    ...sql,
    query: (text, params) => {
      statements.n += 1;
      return sql.query(text, params);
    },
  };
  const limiter = createLimiter({
    sql: counted,
    pricing,
    defaults: [],
    reservationTtlSeconds: 60,
    defaultMaxTokens: 10,
    now: () => t,
    leases: { flushIntervalMs: 60_000, idleMs: 2000 },
  });
  const principal = { iss: 'https://idp.test', sub: `lease-${n}`, client_id: null, groups: [], tenant: null };
  const ask = (maxTokens = 10) =>
    limiter.reserve({
      principal,
      upstreams: ['up'],
      model: 'm',
      promptTokens: 10,
      promptTokenMethod: 'test',
      maxTokens,
      limits: {
        tokens_per_minute: null,
        requests_per_minute: null,
        spend_micro_usd_per_day: 1_000_000,
        spend_micro_usd_per_month: null,
      },
    });
  const leased = async () => {
    const { rows } = await sql.query<{ amount: number }>(
      `SELECT coalesce(sum(amount), 0)::int AS amount FROM limit_leases WHERE scope_key = $1`,
      [JSON.stringify(['subject', principal.iss, principal.sub])],
    );
    return Number(rows[0]?.amount);
  };
  return { limiter, ask, leased, statements, advance: (ms: number) => (t += ms) };
}

describe('lease life cycle', () => {
  it('admits from a lease with no statement, and gives it back when idle', async () => {
    const h = harness();
    // One grant of 2,010 micro-USD (10 prompt + 2,000 output tokens), given back whole by a settlement of nothing.
    await h.limiter.settle(await h.ask(2000), 'none', null, null);
    await h.limiter.flush();
    expect(await h.leased()).toBe(2010);
    const before = h.statements.n;
    for (let i = 0; i < 50; i += 1) {
      const r = await h.ask();
      await h.limiter.settle(r, 'usage', { prompt_tokens: 10, completion_tokens: 10 }, 'up');
    }
    expect(h.statements.n).toBe(before); // 50 requests, no statement
    await h.limiter.flush();
    expect(h.statements.n).toBe(before + 1); // one sync wrote all 50 settlements
    expect(await h.leased()).toBe(2010 - 50 * 20);
    h.advance(2500);
    await h.limiter.flush();
    expect(await h.leased()).toBe(0);
    await h.limiter.close();
  });

  it('grants a lease past its local expiry again before taking from it', async () => {
    const h = harness();
    await h.limiter.settle(await h.ask(2000), 'none', null, null);
    const r = await h.ask(); // in flight across the expiry
    h.advance(60_000);
    const before = h.statements.n;
    const again = await h.ask();
    expect(h.statements.n).toBeGreaterThan(before);
    // What is in flight stays leased: the request before the expiry and the one after it.
    expect(await h.leased()).toBeGreaterThanOrEqual(2 * 20);
    await h.limiter.settle(r, 'none', null, null);
    await h.limiter.settle(again, 'none', null, null);
    await h.limiter.close();
    expect(await h.leased()).toBe(0);
  });
});
