// Probes through the real transport (app.inject): /livez and /healthz answer while the process runs, /readyz answers
// 503 with a reason per failed check (a hanging check fails at its deadline), and from the start of a drain readiness
// is 503 and API requests are refused with ERR_SHUTTING_DOWN in the API's shape, probes still answered.
import { describe, expect, it } from 'vitest';
import { buildServer, createDrain } from '../../../src/http/index.ts';
import { createHealth, readinessChecks, type ReadinessCheck } from '../../../src/observability/index.ts';
import type { RequestHandler } from '../../../src/pipeline/index.ts';

const handler = {
  handle: async () => ({ status: 200, headers: {}, body: { ok: true } }),
  reject: async () => ({ status: 400, headers: {}, body: {} }),
  listModels: async () => ({ status: 200, headers: {}, body: { object: 'list', data: [] } }),
  newRequestId: () => 'r',
} as unknown as RequestHandler;

function serverWith(checks: ReadinessCheck[]) {
  const health = createHealth({ checks, timeoutMs: 50 });
  return { health, app: buildServer({ handler, bodyLimitBytes: 4096, health, drain: createDrain() }) };
}

describe('probes', () => {
  it('answers live and ready when every check passes', async () => {
    const { app } = serverWith([{ name: 'database', run: async () => [] }]);
    for (const url of ['/livez', '/healthz']) expect((await app.inject({ url })).statusCode).toBe(200);
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
    expect((await app.inject({ method: 'POST', url: '/readyz' })).statusCode).toBe(405);
  });

  it('answers 503 with a stable code per failed check, a thrown code and a hanging check included', async () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const { app } = serverWith(
      readinessChecks({
        sql: { query: async () => Promise.reject(refused) },
        ledger: { holdsLease: async () => false },
        policy: { current: () => ({ active: null }) },
        authenticator: {
          checkIssuers: async () => [{ issuer: 'https://idp.example', error: { code: 'ERR_IDP_UNAVAILABLE' } }],
        },
      }).concat([{ name: 'stuck', run: () => new Promise<never>(() => {}) }]),
    );
    const response = await app.inject({ url: '/readyz' });
    expect(response.statusCode).toBe(503);
    const body = response.json() as { status: string; reasons: { check: string; code: string; subject?: string }[] };
    expect(body.status).toBe('not_ready');
    expect(body.reasons).toEqual([
      { check: 'database', code: 'ECONNREFUSED' },
      { check: 'ledger', code: 'ERR_CHAIN_LEASE_LOST' },
      { check: 'policy', code: 'ERR_POLICY_UNAVAILABLE' },
      { check: 'identity', code: 'ERR_IDP_UNAVAILABLE', subject: 'https://idp.example' },
      { check: 'stuck', code: 'ERR_CHECK_TIMEOUT' },
    ]);
    expect(response.body).not.toContain('10.0.0.1'); // the cause's message is never echoed
    expect((await app.inject({ url: '/livez' })).statusCode).toBe(200);
  });

  it('turns not ready at the start of a drain and refuses API requests in their shape', async () => {
    const { app, health } = serverWith([{ name: 'database', run: async () => [] }]);
    health.startDrain();
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toEqual({ status: 'not_ready', reasons: [{ check: 'drain', code: 'ERR_SHUTTING_DOWN' }] });
    expect((await app.inject({ url: '/livez' })).statusCode).toBe(200);
    const chat = await app.inject({
      method: 'POST',
      url: '/v1/chat/completions',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(chat.statusCode).toBe(503);
    expect(chat.headers.connection).toBe('close');
    expect((chat.json() as { error: { code: string } }).error.code).toBe('ERR_SHUTTING_DOWN');
    const messages = await app.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(messages.statusCode).toBe(503);
    expect(messages.json()).toMatchObject({ type: 'error' }); // Anthropic's error shape
  });
});
