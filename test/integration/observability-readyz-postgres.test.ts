// Readiness against a real PostgreSQL: ready while it runs; 503 naming the database (and the chain's lease, whose
// connection died with it) while it is stopped, /livez still 200; ready again once it is back, the lease taken again
// by the probe itself (a replica out of the load balancer gets no traffic that could re-take it), and traffic flows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../../src/dev/dev-issuer.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { devIssuerEntry, echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let upstream: EchoUpstream;
let proctor: RunningProctor;
let token: string;
let base: string;

beforeAll(async () => {
  postgres = await startPostgres();
  const key = await generateDevIssuerKey();
  issuer = await startDevIssuer({ key, host: '127.0.0.1', port: 0 });
  upstream = await startEchoUpstream();
  const config = proctorConfig({
    server: { drain_seconds: 0 },
    database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 1000, statement_timeout_ms: 1000 },
    ledger: { chain: 'readyz-1' },
    issuers: [devIssuerEntry(issuer.issuer, 'proctor')],
    upstreams: [echoUpstream(upstream.url)],
    env: { DATABASE_URL: postgres.url },
  });
  proctor = await startProctor(config, { log: () => {} });
  base = proctor.url.replace(/\/v1$/, '');
  token = await mintDevToken({
    key,
    issuer: issuer.issuer,
    audience: 'proctor',
    sub: 'alice',
    groups: [],
    tenant: null,
    ttlSeconds: 300,
  });
});

afterAll(async () => {
  await proctor?.close();
  await upstream?.close();
  await issuer?.close();
  await postgres?.destroy();
});

async function readyz(): Promise<{
  status: number;
  body: { status: string; reasons?: { check: string; code: string }[] };
}> {
  const response = await fetch(`${base}/readyz`);
  return {
    status: response.status,
    body: (await response.json()) as { status: string; reasons?: { check: string; code: string }[] },
  };
}

describe('readiness with PostgreSQL', () => {
  it('is not ready while the database is stopped, and ready again when it is back', async () => {
    expect(await readyz()).toEqual({ status: 200, body: { status: 'ready' } });
    await postgres.stop();
    const stopped = await readyz();
    expect(stopped.status).toBe(503);
    expect(stopped.body.reasons?.map((r) => r.check)).toContain('database');
    expect((await fetch(`${base}/livez`)).status).toBe(200);
    await postgres.start();
    // A pooled connection the stop broke may fail one probe; a few probes in a row, no waiting between them.
    let again = await readyz();
    for (let attempt = 0; attempt < 5 && again.status !== 200; attempt += 1) again = await readyz();
    expect(again).toEqual({ status: 200, body: { status: 'ready' } });
    const answer = await fetch(`${proctor.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'back again' }] }),
    });
    expect(answer.status).toBe(200);
  });
});
