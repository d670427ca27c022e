// Crash safety: `bin/proctor.js serve` as a child process on the throwaway PostgreSQL, loaded with real requests,
// killed with SIGKILL mid-load and restarted, several times. After each kill the restarted replica must resume its
// chain (the lease died with the process), `verifyLedger` must find no error (decisions without outcomes are
// warnings: incomplete, not tampering), and every request the upstream saw must have a committed decision record.
// A second process on the same chain is refused while the first holds it.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { startEchoUpstream } from '../../src/dev/echo-upstream.ts';
import type { EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { verifyLedger } from '../../src/verify/index.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import type { RunningOidcProvider } from '../helpers/oidc-provider.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { listeningPort, stopChild } from '../helpers/child-port.ts';
import { echoUpstream } from '../helpers/proctor-config.ts';
import type { ThrowawayPostgres } from '../helpers/postgres.ts';

const AUDIENCE = 'https://proctor.kill9.test';
const ROUNDS = 4;
/** Proctor's 'proctor listening' log line, whatever the order of its fields; group 1 is the port. */
const LISTENING_LINE = /^(?=.*"proctor listening")(?=.*"url":"http:\/\/127\.0\.0\.1:(\d+)\/v1").*$/m;
const BIN = fileURLToPath(new URL('../../bin/proctor.js', import.meta.url));
const key = generateSigningKey();

let pg: ThrowawayPostgres;
let idp: RunningOidcProvider;
let upstream: EchoUpstream;
let sql: Sql;
let configFile: string;
/** The running child's base URL, from its "proctor listening" log line: each child binds a port of its own (0). */
let base = '';
let env: Record<string, string>;
let child: ChildProcess | null = null;

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.url, { max: 2 });
  idp = await startOidcProvider();
  upstream = await startEchoUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-kill9-'));
  configFile = path.join(dir, 'proctor.yaml');
  writeFileSync(
    configFile,
    JSON.stringify({
      server: { host: '127.0.0.1', port: 0 },
      database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 1000 },
      ledger: {
        chain: 'kill9',
        signing_key: { env: 'PROCTOR_SIGNING_KEY' },
        checkpoints: { every_records: 25, every_seconds: 1, sink_path: path.join(dir, 'checkpoints.jsonl') },
      },
      identity: { issuers: [{ issuer: idp.issuer, audience: [AUDIENCE], allow_insecure_http: true }] },
      classification: { fingerprint_key: { env: 'PROCTOR_FINGERPRINT_KEY' } },
      policy: { bundle: fileURLToPath(new URL('../../bundles/default.tar.gz', import.meta.url)) },
      upstreams: [
        echoUpstream(upstream.url, {
          kind: 'openai',
          credentialEnv: 'UPSTREAM_KEY',
          attributes: { zero_data_retention: true },
        }),
      ],
    }),
  );
  env = {
    ...(process.env as Record<string, string>),
    DATABASE_URL: pg.url,
    PROCTOR_SIGNING_KEY: key.privateKeyPem,
    PROCTOR_FINGERPRINT_KEY: 'k'.repeat(32),
    UPSTREAM_KEY: 'sk-kill9',
  };
}, 120_000);

afterAll(async () => {
  child?.kill('SIGKILL');
  await sql?.close();
  await upstream?.close();
  await idp?.close();
  await pg?.destroy();
});

/** Proctor as a child process, once it has said where it listens (port 0: the system chose it) and /healthz answers. */
async function startChild(): Promise<ChildProcess> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const { port, output } = await listeningPort(proc, LISTENING_LINE, 30_000);
  base = `http://127.0.0.1:${port}`;
  const up = await fetch(`${base}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
  if (up) return proc;
  await stopChild(proc);
  throw new Error(`proctor listens but /healthz failed: ${output().slice(-2000)}`);
}

async function load(token: string, stop: { done: boolean }): Promise<void> {
  while (!stop.done) {
    await fetch(`${base}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hello' }] }),
      signal: AbortSignal.timeout(5000),
    }).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );
  }
}

describe('kill -9 under load', () => {
  it(`resumes and verifies after each of ${ROUNDS} kills; every forwarded request has its committed decision`, async () => {
    // One subject per worker: the default policy allows 60 requests a minute per subject, enforced before forwarding.
    const tokens = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        idp.tokenFor({ audience: AUDIENCE, sub: `load-${i}`, groups: ['eng'], ttlSeconds: 600 }),
      ),
    );
    for (let round = 0; round < ROUNDS; round++) {
      child = await startChild();
      const stop = { done: false };
      const workers = tokens.map((token) => load(token, stop));
      // killed once the load has forwarded a number of requests that differs by round (not after a time: a loaded
      // machine forwards fewer in it), so each kill lands at another point of the chain's life
      const killAt = upstream.received.length + 30 + round * 15;
      await expect
        .poll(() => upstream.received.length, { timeout: 60_000, interval: 5 })
        .toBeGreaterThanOrEqual(killAt);
      const exited = new Promise((r) => child?.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      child = null;
      stop.done = true;
      await Promise.all(workers);

      const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['kill9'] });
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(report.findings.every((f) => f.code === 'DECISION_WITHOUT_OUTCOME')).toBe(true);
      const seen = [
        ...new Set(
          upstream.received
            .map((r) => r.headers['x-proctor-request-id'])
            .filter((id): id is string => typeof id === 'string'),
        ),
      ];
      const { rows } = await sql.query<{ request_id: string }>(
        "SELECT request_id FROM audit_records WHERE chain = 'kill9' AND type = 'decision' AND request_id = ANY($1)",
        [seen],
      );
      expect(new Set(rows.map((r) => r.request_id)).size).toBe(seen.length);
    }
    expect(upstream.received.length).toBeGreaterThan(ROUNDS * 10); // the load really ran (210 by the kill points alone)
    // The last restart resumes too, and serves the chain's latest signed checkpoint.
    child = await startChild();
    const cp = await fetch(`${base}/v1/checkpoints/kill9/latest`);
    expect(cp.status).toBe(200);
    expect((await cp.text()).startsWith('proctor/ledger/kill9\n')).toBe(true);
  }, 240_000);

  it('a second process configured with the same chain refuses to start with ERR_CHAIN_LEASED', async () => {
    child ??= await startChild();
    const second = spawn(process.execPath, [BIN, 'serve', '--config', configFile], {
      env: { ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    second.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('ERR_CHAIN_LEASED');
    expect((await fetch(`${base}/healthz`)).ok).toBe(true); // the holder is unaffected
  }, 60_000);
});
