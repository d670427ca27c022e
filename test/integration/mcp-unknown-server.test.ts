// An MCP request to a server Proctor does not proxy, through the real server (startProctor, PGlite, the metrics
// listener, one MCP server configured): answered 404 ERR_MCP_SERVER_UNKNOWN before its token is read, never a ledger
// record (docs/mcp.md#errors: there is no server to record it for, and the caller is not identified), and counted in
// proctor_requests_total{api="mcp"} by its code (the JSON-RPC error's data.code), with no label holding the name asked
// for; a 401 on the configured server is counted by its code too, and neither is counted as a success.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Sql } from '../../src/db/index.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../../src/dev/dev-issuer.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { devIssuerEntry, echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

const RESOURCE = 'https://proctor.test/mcp';
let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let sql: Sql;
let proctor: RunningProctor;
let token: string;

beforeAll(async () => {
  const key = await generateDevIssuerKey();
  issuer = await startDevIssuer({ key, host: '127.0.0.1', port: 0 });
  sql = await openPglite();
  proctor = await startProctor(
    proctorConfig({
      database: { pglite_dir: '/unused' },
      ledger: { chain: 'mcp-unknown-server' },
      issuers: [devIssuerEntry(issuer.issuer, RESOURCE)],
      upstreams: [echoUpstream('http://127.0.0.1:1/v1')],
      sections: {
        metrics: { port: 0 },
        // Nothing listens on port 9: no request here reaches it (each is refused first).
        mcp: { resource: RESOURCE, servers: [{ name: 'crm', url: 'http://127.0.0.1:9/mcp', timeout_ms: 2000 }] },
      },
    }),
    { sql, log: () => {} },
  );
  token = await mintDevToken({
    key,
    issuer: issuer.issuer,
    audience: RESOURCE,
    sub: 'prober',
    groups: [],
    tenant: null,
    ttlSeconds: 300,
  });
}, 120_000);

afterAll(async () => {
  await proctor?.close();
  await issuer?.close();
  await sql?.close();
});

function initialize(server: string, bearer: string | null) {
  return fetch(`${proctor.url.replace(/\/v1$/, '')}/mcp/${server}`, {
    method: 'POST',
    headers: {
      ...(bearer ? { authorization: `Bearer ${bearer}` } : {}),
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } },
    }),
  });
}

async function mcpSeries(): Promise<Map<string, number>> {
  const text = await (await fetch(proctor.metricsUrl as string)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(proctor_requests_total\{api="mcp"[^}]*\}) (\d+)$/.exec(line);
    if (m) series.set(m[1] as string, Number(m[2]));
  }
  return series;
}

async function records(): Promise<number> {
  const { rows } = await sql.query<{ n: number | string }>('SELECT count(*) AS n FROM audit_records');
  return Number(rows[0]?.n);
}

describe('MCP requests to an unknown server', () => {
  it('are answered 404, never recorded, and counted by code without the name asked for', async () => {
    const recordsBefore = await records();
    for (const name of ['probe-a', 'probe-b', 'probe-c']) {
      const answer = await initialize(name, token);
      expect(answer.status).toBe(404);
      const body = (await answer.json()) as { error?: { data?: { code?: string } } };
      expect(body.error?.data?.code).toBe('ERR_MCP_SERVER_UNKNOWN');
    }
    // Unknown before identity: no token is needed to be told so, and nothing is recorded either way.
    const anonymous = await initialize('probe-d', null);
    expect(anonymous.status).toBe(404);
    await anonymous.text();
    expect(await records()).toBe(recordsBefore);
    // A 401 on the configured server is recorded (a denial), and counted by its code.
    const missing = await initialize('crm', null);
    expect(missing.status).toBe(401);
    await missing.text();
    expect(await records()).toBe(recordsBefore + 1);

    const series = await mcpSeries();
    const sum = (code: string) =>
      [...series].filter(([key]) => key.includes(`code="${code}"`)).reduce((n, [, v]) => n + v, 0);
    expect({
      unknown: sum('ERR_MCP_SERVER_UNKNOWN'),
      missing: sum('ERR_TOKEN_MISSING'),
      success: sum('none'),
    }).toEqual({ unknown: 4, missing: 1, success: 0 });
    expect([...series.keys()].join('\n')).not.toContain('probe-');
  });
});
