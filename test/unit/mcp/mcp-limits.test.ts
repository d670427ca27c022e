// The MCP proxy's limits stage against a real limiter on PGlite (fakes only for the ledger and upstream): a limiter
// that cannot answer fails closed (503, recorded at reserve, nothing forwarded); a subject default is enforced at
// admission; listings are not counted. End to end with PostgreSQL and the SDK: test/integration/mcp-limits.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPglite, type Sql } from '../../../src/db/index.ts';
import { createLimiter, parsePricing, type Limiter, type ScopedLimit } from '../../../src/limits/index.ts';
import { defaultEngine, harness } from '../../helpers/mcp-harness.ts';
import { installDbClock } from '../../helpers/db-clock.ts';

let sql: Sql;
const limiters: Limiter[] = [];
beforeAll(async () => {
  sql = await openPglite();
  await migrate(sql);
  // Minute windows are the database's clock: stopped 10 s into a minute, every test here runs inside one window.
  await installDbClock(sql, new Date('2026-01-01T00:00:10Z'), 'this');
}, 60_000);
afterAll(async () => {
  for (const l of limiters) await l.close();
  await sql?.close();
});

const pricing = parsePricing({ version: 'p1', unknown_model: 'deny', upstreams: {} }, 'test');
function limiter(defaults: ScopedLimit[] = []): Limiter {
  const l = createLimiter({ sql, pricing, defaults, reservationTtlSeconds: 60, defaultMaxTokens: 16 });
  limiters.push(l);
  return l;
}
const call = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'lookup', arguments: { q: 'x' } },
});

describe('MCP limits stage', () => {
  it('fails closed when the limiter cannot answer: 503 with retry-after, a denial at reserve, nothing forwarded', async () => {
    const closed = limiter();
    await closed.close();
    const h = harness(await defaultEngine(), { limits: closed });
    const reply = await h.handle(call(1), await h.session());
    expect(reply.status).toBe(503);
    expect(reply.headers['retry-after']).toBe('1');
    expect(reply.body).toMatchObject({ error: { code: -32603, data: { code: 'ERR_LIMITS_UNAVAILABLE' } } });
    expect(h.appended).toHaveLength(1);
    expect(h.appended[0]?.body).toMatchObject({
      decision: { allow: false, stage: 'reserve', reasons: [{ code: 'ERR_LIMITS_UNAVAILABLE' }] },
    });
    expect(h.calls).toEqual([]);
  });

  it('fails closed with a limiter that cannot hold MCP calls (a wrapper without reserveRequests)', async () => {
    const { reserveRequests: _, ...wrapper } = limiter();
    const h = harness(await defaultEngine(), { limits: wrapper as Limiter });
    const reply = await h.handle(call(1), await h.session());
    expect(reply.status).toBe(503);
    expect(h.appended.map((a) => a.body['decision'])).toMatchObject([{ allow: false, stage: 'reserve' }]);
    expect(h.calls).toEqual([]);
  });

  it('releases what it held when the decision cannot be recorded (nothing forwarded, the tool limit not used up)', async () => {
    const shared = limiter();
    const serverLimits = [{ per: 'caller' as const, tool: 'lookup', requestsPerMinute: 1 }];
    const failing = harness(await defaultEngine(), { limits: shared, serverLimits, failAppend: 'decision' });
    const refused = await failing.handle(call(1), await failing.session());
    expect(refused.body).toMatchObject({ error: { data: { code: 'ERR_AUDIT_UNAVAILABLE' } } });
    expect(failing.calls).toEqual([]);
    const h = harness(await defaultEngine(), { limits: shared, serverLimits });
    const session = await h.session();
    expect((await h.handle(call(2), session)).body).toMatchObject({ result: { content: [{ text: 'found' }] } });
    expect((await h.handle(call(3), session)).body).toMatchObject({
      error: { data: { code: 'ERR_LIMIT_EXCEEDED', limit: { scope: 'mcp_tool_subject', name: 'crm/lookup' } } },
    });
    expect(h.calls).toEqual(['lookup']);
  });

  it('enforces a subject default on listings as on calls, and settles an allowed call as one request', async () => {
    const h = harness(await defaultEngine(), {
      limits: limiter([{ scope: 'subject', requests_per_minute: 2 }]),
      sub: 'sam', // a subject of its own: the counters are the database's, shared by every limiter here
    });
    const session = await h.session();
    const listed = await h.handle({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} }, session);
    expect(listed.body).toMatchObject({ result: { tools: [{ name: 'lookup' }] } });
    const first = await h.handle(call(2), session);
    expect(first.body).toMatchObject({ result: { content: [{ text: 'found' }] } });
    expect(first.headers['x-ratelimit-limit-requests']).toBe('2');
    expect(first.headers['x-ratelimit-remaining-requests']).toBe('0');
    const outcome = h.appended.findLast((a) => a.type === 'outcome');
    expect(outcome?.body).toMatchObject({
      cost_micro_usd: 0,
      settlement: { basis: 'estimate', requests: 1, tokens: 0, price_entry: 'requests-only' },
    });
    const refused = {
      code: -32029,
      data: { code: 'ERR_LIMIT_EXCEEDED', limit: { scope: 'subject', limit: 2, used: 2 } },
    };
    for (const message of [call(3), { jsonrpc: '2.0', id: 4, method: 'tools/list', params: {} }]) {
      const second = await h.handle(message, session);
      expect(second.status).toBe(200);
      expect(Number(second.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(second.body).toMatchObject({ error: refused });
      expect(h.appended.at(-1)?.body).toMatchObject({ decision: { allow: false, stage: 'reserve' } });
    }
    expect(h.calls).toEqual(['lookup']);
  });
});
