// A real MCP stack for tests: a throwaway PostgreSQL, a real OIDC provider, the checked-in OPA bundle, Proctor with
// its MCP proxy, and @modelcontextprotocol/server-everything in its Streamable HTTP mode as a child process on
// loopback (the upstream), whose environment holds a planted secret (its get-env tool returns it). The official SDK
// client connects through Proctor with the caller's token; Proctor reaches the upstream with its own credential.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pg from 'pg';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { runExport } from '../../src/cli/export.ts';
import { runReplay } from '../../src/cli/replay.ts';
import { LISTEN_PRELOAD, LISTENING, listeningPort, stopChild } from './child-port.ts';
import { installDbClock } from './db-clock.ts';
import { startPostgres } from './postgres.ts';
import { startOidcProvider } from './oidc-provider.ts';
import { proctorConfig } from './proctor-config.ts';

export const MCP_RESOURCE = 'https://proctor.test/mcp';
/** The LLM APIs' audience: a token for it is a token for another resource here. */
export const LLM_AUDIENCE = 'https://proctor.test';
/** In the upstream's environment only; its get-env tool hands it back in a result. */
export const PLANTED_KEY = 'AKIAQ7ZR4HLXW2B5NC3D';

/** What reached the upstream server: each HTTP request's method, Authorization header and body. */
export interface UpstreamSeen {
  method: string;
  authorization: string | undefined;
  body: string;
}

export interface ReplaySummary {
  decisions: number;
  replayed: number;
  reproduced: number;
  mismatches: unknown[];
  skipped: Record<string, number>;
}

export interface McpStack {
  base: string;
  /** Every request the upstream server received (through the recording pass-through in front of it). */
  upstreamSeen: UpstreamSeen[];
  proctor: RunningProctor;
  db: pg.Pool;
  /** A token for the MCP resource (or `audience`), for subject `sub` in `groups`. */
  token(options?: { sub?: string; groups?: string[]; audience?: string }): Promise<string>;
  /** The official SDK client, connected through Proctor to server `server` with `token`. */
  connect(token: string, server?: string): Promise<Client>;
  /** Every record of a request id, in chain order. */
  records(requestId: string): Promise<Record<string, unknown>[]>;
  /** The records written since `seq`, in chain order. */
  recordsAfter(seq: number): Promise<{ seq: number; record: Record<string, unknown> }[]>;
  lastSeq(): Promise<number>;
  verify(): Promise<{ code: number; report: { ok: boolean; findings: { code: string; severity: string }[] } }>;
  /** `proctor export` of the whole chain, `proctor verify` of the packet, `proctor replay` of the packet. */
  evidence(): Promise<{ exported: number; verified: number; replayed: number; replay: ReplaySummary; report: string }>;
  close(): Promise<void>;
}

/** `serverLimits`: the upstream server's `limits` (as written in the configuration file); `dbClock`: the database's
 * now() stopped at this instant (db-clock.ts), so limit windows do not move under the test; `hold`: awaited before a
 * request (its body) goes on to the upstream server, once it is in `upstreamSeen`. */
export async function startMcpStack(
  options: { serverLimits?: unknown[]; dbClock?: Date; hold?: (body: string) => Promise<void> } = {},
): Promise<McpStack> {
  const postgres = await startPostgres();
  const db = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2, connectionTimeoutMillis: 5000 });
  db.on('error', () => {});
  if (options.dbClock) await installDbClock(db, options.dbClock, { database: 'proctor' });
  const idp = await startOidcProvider();
  const everything = await startEverything();
  const upstream = await startRecorder(everything.url, options.hold);
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-mcp-'));
  const key = generateSigningKey();
  const trustFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(trustFile, key.publicKeyPem);
  const config = proctorConfig({
    server: { body_limit_bytes: 65536 },
    database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 2000 },
    ledger: { chain: 'mcp-1', checkpoints: { every_records: 1 } },
    issuers: [{ issuer: idp.issuer, audience: [LLM_AUDIENCE], algorithms: ['RS256'], allow_insecure_http: true }],
    upstreams: [{ name: 'echo', kind: 'openai', base_url: 'http://127.0.0.1:9', models: ['*'] }],
    sections: {
      mcp: {
        resource: MCP_RESOURCE,
        servers: [
          {
            name: 'everything',
            url: upstream.url,
            credential: { env: 'MCP_UPSTREAM_KEY' },
            timeout_ms: 20_000,
            ...(options.serverLimits ? { limits: options.serverLimits } : {}),
          },
        ],
      },
    },
    env: { DATABASE_URL: postgres.url, MCP_UPSTREAM_KEY: 'proctor-own-mcp-credential' },
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
  const proctor = await startProctor(config, { log: () => {} });
  const base = proctor.url.replace(/\/v1$/, '');
  const clients: Client[] = [];
  const parse = (row: { record: Buffer }) => JSON.parse(Buffer.from(row.record).toString('utf8'));
  return {
    base,
    upstreamSeen: upstream.seen,
    proctor,
    db,
    token: (o = {}) =>
      idp.tokenFor({ audience: o.audience ?? MCP_RESOURCE, sub: o.sub ?? 'alice', groups: o.groups ?? ['eng'] }),
    async connect(token, server = 'everything') {
      const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp/${server}`), {
        requestInit: { headers: { authorization: `Bearer ${token}` } },
      });
      const client = new Client({ name: 'mcp-test', version: '1' });
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async records(requestId) {
      const { rows } = await db.query('SELECT record FROM audit_records WHERE request_id = $1 ORDER BY seq', [
        requestId,
      ]);
      return rows.map(parse);
    },
    async recordsAfter(seq) {
      const { rows } = await db.query(
        "SELECT seq, record FROM audit_records WHERE seq > $1 AND chain = 'mcp-1' ORDER BY seq",
        [seq],
      );
      return rows.map((r) => ({ seq: Number(r.seq), record: parse(r) }));
    },
    async lastSeq() {
      const { rows } = await db.query(
        "SELECT coalesce(max(seq), 0)::int AS n FROM audit_records WHERE chain = 'mcp-1'",
      );
      return rows[0].n as number;
    },
    async verify() {
      let out = '';
      const code = await runVerify(['--db', postgres.superuserUrl, '--trust', trustFile, '--json'], {
        stdout: (s) => (out += s),
        stderr: () => {},
        env: {},
      });
      return { code, report: JSON.parse(out) };
    },
    async evidence() {
      const exporter = generateSigningKey();
      const exporterKey = path.join(dir, 'exporter.pem');
      const exporterPub = path.join(dir, 'exporter.pub.pem');
      writeFileSync(exporterKey, exporter.privateKeyPem);
      writeFileSync(exporterPub, exporter.publicKeyPem);
      const packet = path.join(dir, `packet-${Date.now()}.tar.gz`);
      let errors = '';
      const io = { stdout: () => {}, stderr: (t: string) => (errors += t), env: {} };
      const bundles = fileURLToPath(new URL('../../bundles/', import.meta.url));
      const db = ['--db', postgres.superuserUrl];
      const exported = await runExport(
        [
          ...db,
          '--key',
          exporterKey,
          '--exported-by',
          'mcp test',
          '--out',
          packet,
          '--include-bundles',
          bundles,
          '--until-checkpoint',
        ],
        io,
      );
      if (exported !== 0) throw new Error(`export failed: ${errors}`);
      const verified = await runVerify([packet, '--trust', trustFile, '--trust-exporter', exporterPub, '--json'], io);
      let out = '';
      const replayed = await runReplay([packet, '--bundles', bundles, '--json'], { ...io, stdout: (t) => (out += t) });
      const { readPacket } = await import('../../src/evidence/index.ts');
      const report = readPacket(readFileSync(packet)).get('report.html')?.toString('utf8') ?? '';
      return { exported, verified, replayed, replay: JSON.parse(out) as ReplaySummary, report };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => {})));
      await proctor.close();
      await upstream.close();
      await everything.close();
      await idp.close();
      await db.end();
      await postgres.stop();
    },
  };
}

/** server-everything on loopback, on the port the system chose when it bound it (LISTEN_PRELOAD reports it). */
async function startEverything(): Promise<{ url: string; close(): Promise<void> }> {
  const entry = fileURLToPath(import.meta.resolve('@modelcontextprotocol/server-everything/dist/index.js'));
  const child: ChildProcess = spawn(process.execPath, ['--import', LISTEN_PRELOAD, entry, 'streamableHttp'], {
    env: { PATH: process.env['PATH'] ?? '', PORT: '0', PLANTED_AWS_KEY: PLANTED_KEY },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const { port } = await listeningPort(child, LISTENING, 30_000);
  return { url: `http://127.0.0.1:${port}/mcp`, close: () => stopChild(child) };
}

/** A pass-through to `target` that records what the upstream receives (responses, SSE included, piped as they come). */
async function startRecorder(
  target: string,
  hold?: (body: string) => Promise<void>,
): Promise<{ url: string; seen: UpstreamSeen[]; close(): Promise<void> }> {
  const seen: UpstreamSeen[] = [];
  const to = new URL(target);
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method ?? '', authorization: req.headers.authorization, body: body.toString('utf8') });
      await hold?.(body.toString('utf8'));
      const headers = { ...req.headers, host: to.host };
      const out = httpRequest(
        { host: to.hostname, port: to.port, path: to.pathname, method: req.method, headers },
        (up) => {
          res.writeHead(up.statusCode ?? 502, up.headers);
          up.pipe(res);
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
