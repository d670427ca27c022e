// Round 10 ops, what an MCP request to a server Proctor does not proxy leaves behind: the MCP routes answer 404
// ERR_MCP_SERVER_UNKNOWN (src/mcp/proxy.ts) before identity, unrecorded by design (there is no server to record it
// for). docs/observability.md: every request is counted, and 404/405 answers the router gives are counted by
// proctor_unrouted_requests_total. Through the real server (startProctor with the development issuer, PGlite, the
// metrics listener, one MCP server configured): a caller probes server names; the oracle is the metrics scrape, read
// before and after. Counted at all is the control; counted by code (docs/observability.md: `none` on success) is not.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Sql } from '../../src/db/index.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../../src/dev/dev-issuer.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { devIssuerEntry, echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

const RESOURCE = 'https://proctor.test/mcp';
const PROBES = 40;
const lines: Record<string, unknown>[] = [];
let issuer: Awaited<ReturnType<typeof startDevIssuer>>;
let upstream: EchoUpstream;
let sql: Sql;
let proctor: RunningProctor;
let token: string;

beforeAll(async () => {
  const key = await generateDevIssuerKey();
  issuer = await startDevIssuer({ key, host: '127.0.0.1', port: 0 });
  upstream = await startEchoUpstream();
  sql = await openPglite();
  const config = proctorConfig({
    database: { pglite_dir: '/unused' },
    ledger: { chain: 'r10-ops-mcp' },
    issuers: [devIssuerEntry(issuer.issuer, RESOURCE)],
    upstreams: [echoUpstream(upstream.url)],
    sections: {
      metrics: { port: 0 },
      // Nothing listens on port 9: no call here reaches it (each is refused first).
      mcp: { resource: RESOURCE, servers: [{ name: 'crm', url: 'http://127.0.0.1:9/mcp', timeout_ms: 2000 }] },
    },
  });
  proctor = await startProctor(config, {
    sql,
    log: (level, message, fields = {}) => lines.push({ level, message, ...fields }),
  });
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
  await upstream?.close();
  await issuer?.close();
  await sql?.close();
});

const origin = () => proctor.url.replace(/\/v1$/, '');

/** The metrics listener's samples: `name{labels}` -> value. */
async function scrape(): Promise<Map<string, number>> {
  const text = await (await fetch(proctor.metricsUrl as string)).text();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(proctor_[a-z_]+(?:\{[^}]*\})?) ([0-9.e+]+)$/.exec(line);
    if (m) samples.set(m[1] as string, Number(m[2]));
  }
  return samples;
}

/** What the samples of `name` whose labels hold every one of `labels` grew by between two scrapes. */
function grown(before: Map<string, number>, after: Map<string, number>, name: string, ...labels: string[]): number {
  let sum = 0;
  for (const [key, value] of after)
    if (key.startsWith(`${name}{`) && labels.every((l) => key.includes(l))) sum += value - (before.get(key) ?? 0);
  return sum;
}

const counted = (before: Map<string, number>, after: Map<string, number>, ...labels: string[]) =>
  grown(before, after, 'proctor_requests_total', ...labels) +
  grown(before, after, 'proctor_unrouted_requests_total', ...labels);

function initialize(server: string, bearer: string | null) {
  return fetch(`${origin()}/mcp/${server}`, {
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

/** A refused caller without a token on the known server, then PROBES unknown server names with a good token. */
async function probe(): Promise<{ before: Map<string, number>; after: Map<string, number> }> {
  const before = await scrape();
  const missing = await initialize('crm', null);
  expect(missing.status).toBe(401);
  await missing.text();
  for (let k = 0; k < PROBES; k++) {
    const answer = await initialize(`probe-${k}`, token);
    expect(answer.status).toBe(404);
    const code = ((await answer.json()) as { error?: { data?: { code?: string } } }).error?.data?.code;
    expect(code).toBe('ERR_MCP_SERVER_UNKNOWN');
  }
  return { before, after: await scrape() };
}

describe('MCP refusals in the metrics', () => {
  it('control: a 401 on a known server and every unknown-server 404 are counted as requests', async () => {
    const { before, after } = await probe();
    expect(counted(before, after)).toBe(PROBES + 1);
  });

  it('a 401 and the unknown-server 404s are counted by their codes, not as successes', async () => {
    const { before, after } = await probe();
    const byCode = {
      missing: counted(before, after, 'code="ERR_TOKEN_MISSING"'),
      unknown: counted(before, after, 'code="ERR_MCP_SERVER_UNKNOWN"'),
      success: counted(before, after, 'code="none"'),
    };
    console.info(`1 + ${PROBES} MCP refusals counted by code: ${JSON.stringify(byCode)}`);
    expect(byCode).toEqual({ missing: 1, unknown: PROBES, success: 0 });
  });
});
