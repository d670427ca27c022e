// An MCP request to a server Proctor does not proxy, through the real server (startProctor, PGlite, the metrics
// listener, one MCP server configured): answered 404 ERR_MCP_SERVER_UNKNOWN before its token is read, never a ledger
// record (docs/mcp.md#errors: there is no server to record it for, and the caller is not identified), and counted in
// proctor_requests_total{api="mcp"} by its code (the JSON-RPC error's data.code), with no label holding the name asked
// for; a 401 on the configured server is counted by its code too, and neither is counted as a success.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type MetricsProctor, startMetricsProctor } from '../helpers/metrics-proctor.ts';

let stack: MetricsProctor;

beforeAll(async () => {
  stack = await startMetricsProctor({
    chain: 'mcp-unknown-server',
    sub: 'prober',
    mcpResource: 'https://proctor.test/mcp',
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
});

/** The samples of proctor_requests_total for the MCP API. */
async function mcpSeries(): Promise<Map<string, number>> {
  const samples = await stack.scrape();
  return new Map([...samples].filter(([key]) => key.startsWith('proctor_requests_total{api="mcp"')));
}

async function records(): Promise<number> {
  const { rows } = await stack.sql.query<{ n: number | string }>('SELECT count(*) AS n FROM audit_records');
  return Number(rows[0]?.n);
}

describe('MCP requests to an unknown server', () => {
  it('are answered 404, never recorded, and counted by code without the name asked for', async () => {
    const recordsBefore = await records();
    for (const name of ['probe-a', 'probe-b', 'probe-c']) {
      const answer = await stack.initialize(name, stack.token);
      expect(answer.status).toBe(404);
      const body = (await answer.json()) as { error?: { data?: { code?: string } } };
      expect(body.error?.data?.code).toBe('ERR_MCP_SERVER_UNKNOWN');
    }
    // Unknown before identity: no token is needed to be told so, and nothing is recorded either way.
    const anonymous = await stack.initialize('probe-d', null);
    expect(anonymous.status).toBe(404);
    await anonymous.text();
    expect(await records()).toBe(recordsBefore);
    // A 401 on the configured server is recorded (a denial), and counted by its code.
    const missing = await stack.initialize('crm', null);
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
