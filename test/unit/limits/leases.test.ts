// The lease table's life cycle on PGlite with an injected clock: a hot lease admits with no statement, an idle one
// gives its headroom back, one past its local expiry is granted again before anything is taken from it, and a closed
// limiter leaves no lease behind; and a single replica is refused only when the limit would be passed.
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

/** A limiter on one subject with a spend limit per day, its statements counted; `hold()` holds the next sync statement
 * until `open()` (and resolves once that statement has started). */
function harness(spendPerDay = 1_000_000) {
  n += 1;
  let t = Date.now();
  const statements = { n: 0 };
  let gate: { started: () => void; opened: Promise<void> } | null = null;
  let open = () => {};
  const counted: Sql = {
    ...sql,
    query: async (text, params) => {
      statements.n += 1;
      const held = text.includes('proctor_limit_sync') ? gate : null;
      if (held) {
        gate = null;
        held.started();
        await held.opened;
      }
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
        spend_micro_usd_per_day: spendPerDay,
        spend_micro_usd_per_month: null,
      },
    });
  const hold = () =>
    new Promise<void>((started) => {
      gate = { started, opened: new Promise<void>((resolve) => (open = resolve)) };
    });
  const leased = async () => {
    const { rows } = await sql.query<{ amount: number }>(
      `SELECT coalesce(sum(amount), 0)::int AS amount FROM limit_leases WHERE scope_key = $1`,
      [JSON.stringify(['subject', principal.iss, principal.sub])],
    );
    return Number(rows[0]?.amount);
  };
  return { limiter, ask, leased, statements, hold, open: () => open(), advance: (ms: number) => (t += ms) };
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

describe('a single replica well under its limit is never refused', () => {
  it('takes a request from what settled while its grant was refused (the lease already held the whole limit)', async () => {
    // Limit 1,000 micro-USD a day, 1 per token: 600 + 400 in flight lease all of it.
    const h = harness(1000);
    const a = await h.ask(590);
    const b = await h.ask(390);
    expect(await h.leased()).toBe(1000);
    // The next request is short and asks for a grant; while that statement runs, 600 of the 1,000 come back here.
    const started = h.hold();
    const c = h.ask(90);
    await started;
    await h.limiter.settle(a, 'none', null, null);
    h.open();
    // The database refused more headroom (the lease holds the limit), but 400 + 100 are within it.
    const taken = await c;
    // Nor is the next one refused for that refusal.
    const d = await h.ask(90);
    expect(await h.leased()).toBeLessThanOrEqual(1000);
    for (const r of [b, taken, d]) await h.limiter.settle(r, 'none', null, null);
    await h.limiter.close();
    expect(await h.leased()).toBe(0);
  });

  it('admits sequential and concurrent requests within the limit, and refuses the one past it', async () => {
    const h = harness(1000);
    for (let round = 0; round < 5; round += 1) {
      // 20 of 50 in flight at once, the whole limit of 1,000; each round ends with their settlements (nothing billed).
      const batch = await Promise.all(Array.from({ length: 20 }, () => h.ask(40)));
      await Promise.all(batch.map((r) => h.limiter.settle(r, 'none', null, null)));
      const one = await h.ask(40);
      await h.limiter.settle(one, 'none', null, null);
    }
    const full = await Promise.all(Array.from({ length: 20 }, () => h.ask(40)));
    await expect(h.ask(0)).rejects.toMatchObject({ code: 'ERR_LIMIT_EXCEEDED' });
    for (const r of full) await h.limiter.settle(r, 'none', null, null);
    await h.limiter.close();
    expect(await h.leased()).toBe(0);
  });
});

describe('leases.idleMs: 0', () => {
  it('gives headroom back at the first sync nobody waits on, never a grant before its request has taken it', async () => {
    // Each reading of the injected clock is a millisecond later: every lease is idle (0 ms) at the next sync. Admit
    // reads the subject's minute; reserve then needs grants on the minute (tokens) and the day (spend) in turn.
    let t = Date.now();
    const limiter = createLimiter({
      sql,
      pricing,
      defaults: [{ scope: 'subject', requests_per_minute: 5, tokens_per_minute: 100_000 }],
      reservationTtlSeconds: 60,
      defaultMaxTokens: 10,
      now: () => (t += 1),
      leases: { flushIntervalMs: 60_000, idleMs: 0 },
    });
    const principal = { iss: 'https://idp.test', sub: 'lease-idle-0', client_id: null, groups: [], tenant: null };
    try {
      await limiter.admit(principal);
      // A dropped grant ping-ponged between the two counters until the rounds ran out: ERR_LIMIT_EXCEEDED, first request.
      const r = await limiter.reserve({
        principal,
        upstreams: ['up'],
        model: 'm',
        promptTokens: 10,
        promptTokenMethod: 'test',
        maxTokens: 10,
        admitted: true,
        limits: {
          tokens_per_minute: null,
          requests_per_minute: null,
          spend_micro_usd_per_day: 1_000_000,
          spend_micro_usd_per_month: null,
        },
      });
      await limiter.settle(r, 'usage', { prompt_tokens: 10, completion_tokens: 10 }, 'up');
      await limiter.flush();
      await limiter.flush();
      const { rows } = await sql.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM limit_leases WHERE scope_key = $1',
        [JSON.stringify(['subject', principal.iss, principal.sub])],
      );
      expect(rows[0]?.n).toBe(0); // nothing in flight, nobody waiting: every lease given back
    } finally {
      await limiter.close();
    }
  });
});
