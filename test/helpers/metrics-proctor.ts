// Proctor started in-process for the suites whose oracle is the metrics scrape: the development issuer, PGlite, the
// echo upstream, the metrics listener, one caller's token and every log line kept. With `mcpResource`, the MCP proxy
// is configured too, with one server `crm` that nothing listens for (port 9): each call these suites make is refused
// before it could reach it. `scrape` reads the listener's samples; `initialize` posts an MCP initialize request.
import { openPglite, type Sql } from '../../src/db/index.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../../src/dev/dev-issuer.ts';
import { startEchoUpstream } from '../../src/dev/echo-upstream.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { devIssuerEntry, echoUpstream, proctorConfig } from './proctor-config.ts';

export interface MetricsProctorOptions {
  /** The ledger's chain name. */
  chain: string;
  /** The token's subject. */
  sub: string;
  /** The MCP resource (also the token's audience); absent: no MCP section, audience `proctor`. */
  mcpResource?: string;
}

export interface MetricsProctor {
  proctor: RunningProctor;
  sql: Sql;
  /** A token of `sub` for the configured audience (300 s). */
  token: string;
  /** Every line logged, fields spread. */
  lines: Record<string, unknown>[];
  /** The listener's samples: `name{labels}` -> value. */
  scrape(): Promise<Map<string, number>>;
  /** An MCP initialize request to /mcp/<server>, with `Bearer <bearer>` when given. */
  initialize(server: string, bearer: string | null): Promise<Response>;
  close(): Promise<void>;
}

export async function startMetricsProctor(options: MetricsProctorOptions): Promise<MetricsProctor> {
  const audience = options.mcpResource ?? 'proctor';
  const key = await generateDevIssuerKey();
  const issuer = await startDevIssuer({ key, host: '127.0.0.1', port: 0 });
  const upstream = await startEchoUpstream();
  const sql = await openPglite();
  const lines: Record<string, unknown>[] = [];
  const mcp =
    options.mcpResource === undefined
      ? {}
      : {
          mcp: {
            resource: options.mcpResource,
            servers: [{ name: 'crm', url: 'http://127.0.0.1:9/mcp', timeout_ms: 2000 }],
          },
        };
  const config = proctorConfig({
    database: { pglite_dir: '/unused' },
    ledger: { chain: options.chain },
    issuers: [devIssuerEntry(issuer.issuer, audience)],
    upstreams: [echoUpstream(upstream.url)],
    sections: { metrics: { port: 0 }, ...mcp },
  });
  const proctor = await startProctor(config, {
    sql,
    log: (level, message, fields = {}) => lines.push({ level, message, ...fields }),
  });
  const token = await mintDevToken({
    key,
    issuer: issuer.issuer,
    audience,
    sub: options.sub,
    groups: [],
    tenant: null,
    ttlSeconds: 300,
  });
  const origin = proctor.url.replace(/\/v1$/, '');
  return {
    proctor,
    sql,
    token,
    lines,
    scrape: async () => samplesOf(await (await fetch(proctor.metricsUrl as string)).text()),
    initialize: (server, bearer) =>
      fetch(`${origin}/mcp/${server}`, {
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
      }),
    close: async () => {
      await proctor.close();
      await upstream.close();
      await issuer.close();
      await sql.close();
    },
  };
}

/** A Prometheus text exposition's samples of Proctor's metrics: `name{labels}` -> value. */
function samplesOf(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(proctor_[a-z_]+(?:\{[^}]*\})?) ([0-9.e+]+)$/.exec(line);
    if (m) samples.set(m[1] as string, Number(m[2]));
  }
  return samples;
}
