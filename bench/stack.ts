// The whole Proctor stack for end-to-end benchmarks: a local upstream, the development OIDC issuer, a throwaway
// PostgreSQL 15 cluster (PGlite where PostgreSQL is not installed), the default policy bundle and generated keys.
// Every stage is on, as in production. The default policy allows 60 requests per minute per subject, so callers
// spread load over `tokens(n)` subjects (limits are still reserved and settled for every request).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../src/config/index.ts';
import { connectPostgres, openPglite, type Sql } from '../src/db/index.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../src/dev/dev-issuer.ts';
import { startEchoUpstream, type EchoOptions } from '../src/dev/echo-upstream.ts';
import { generateSigningKey } from '../src/ledger/index.ts';
import { startProctor } from '../src/main.ts';
import { startPostgres } from '../test/helpers/postgres.ts';

const bundlePath = fileURLToPath(new URL('../bundles/default.tar.gz', import.meta.url));
export const PER_SUBJECT = 50;

export interface BenchStack {
  database: 'postgresql-15' | 'pglite';
  /** Whether Proctor runs in a process of its own. */
  proctorProcess: boolean;
  /** That process, with an IPC channel (for an `entry` that reports measurements over it); null when in this one. */
  proctorChild: ChildProcess | null;
  /** PostgreSQL's fsync setting (BENCH_DURABLE=1 turns it on); null on PGlite. */
  fsync: 'on' | 'off' | null;
  sql: Sql;
  upstreamUrl: string;
  proctorUrl: string;
  publicKeyPem: string;
  /** Access tokens for enough subjects that `requests` requests stay under the per-subject rate limit. */
  tokens(requests: number, prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export interface BenchStackOptions {
  /** Run Proctor in a child process of its own, with its own pools from a PostgreSQL config, as deployed (PostgreSQL
   * only; on PGlite it stays in this process). Default false. */
  process?: boolean;
  /** That process's module (default bench/proctor-process.ts); it runs with --expose-gc and an IPC channel. */
  entry?: URL;
}

/** Starts bench/proctor-process.ts with this configuration; resolves with its base URL and a stop function. */
async function proctorProcess(
  doc: Record<string, unknown>,
  env: Record<string, string>,
  entry?: URL,
): Promise<{ url: string; child: ChildProcess; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', fileURLToPath(entry ?? new URL('./proctor-process.ts', import.meta.url))],
    {
      env: { ...process.env, PROCTOR_BENCH_CONFIG: JSON.stringify({ doc, env }) },
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve(line.trim());
    });
    child.once('exit', (code) => reject(new Error(`the Proctor process exited (code ${code}) before it listened`)));
  });
  return {
    url,
    child,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export async function startBenchStack(
  chain: string,
  upstreamOptions: EchoOptions = {},
  options: BenchStackOptions = {},
): Promise<BenchStack> {
  const upstream = await startEchoUpstream(upstreamOptions);
  const issuerKey = await generateDevIssuerKey();
  const issuer = await startDevIssuer({ key: issuerKey, port: 0 });
  let database: BenchStack['database'] = 'postgresql-15';
  let postgres: Awaited<ReturnType<typeof startPostgres>> | null = null;
  let sql: Sql;
  let limitsSql: Sql | undefined; // as startProctor opens them from a postgres config: pools of their own, asyncCommit
  try {
    // BENCH_DURABLE=1: fsync on (each synchronous commit waits for the disk, as in production); else fsync off. Either
    // way the ledger commits synchronously (as in production) and the limits pool asynchronously (as startProctor).
    postgres = await startPostgres({ durable: process.env.BENCH_DURABLE === '1' });
    const admin = connectPostgres(postgres.superuserUrl, { max: 1 });
    await admin.query('ALTER DATABASE proctor SET synchronous_commit = on');
    await admin.close();
    sql = connectPostgres(postgres.url, { max: 10 });
    limitsSql = connectPostgres(postgres.url, { max: 2, asyncCommit: true });
  } catch {
    database = 'pglite';
    sql = await openPglite(mkdtempSync(path.join(tmpdir(), `proctor-bench-${chain}-`)));
  }
  const key = generateSigningKey();
  const doc = {
    // Every bench client is one loopback address: the wide streaming run opens 512 connections from it.
    server: { host: '127.0.0.1', port: 0, max_connections_per_address: 0 },
    database: { pglite_dir: 'unused' } as Record<string, unknown>,
    ledger: { chain, signing_key: { env: 'KEY' } },
    identity: {
      issuers: [
        { issuer: issuer.issuer, audience: ['proctor'], algorithms: ['ES256', 'EdDSA'], allow_insecure_http: true },
      ],
    },
    classification: { fingerprint_key: { env: 'FP' } },
    policy: { bundle: bundlePath },
    upstreams: [
      {
        name: 'echo',
        kind: 'openai-compatible',
        base_url: upstream.url,
        models: ['*'],
        attributes: { zero_data_retention: true },
      },
    ],
  };
  const env: Record<string, string> = { KEY: key.privateKeyPem, FP: 'f'.repeat(32) };
  const separate = options.process === true && postgres !== null;
  const proctor = separate
    ? await proctorProcess(
        { ...doc, database: { url: { env: 'DATABASE_URL' }, pool_size: Number(process.env.BENCH_POOL_SIZE ?? 10) } },
        { ...env, DATABASE_URL: (postgres as NonNullable<typeof postgres>).url },
        options.entry,
      )
    : await startProctor(resolveConfig(doc, { env, baseDir: process.cwd() }), {
        sql,
        ...(limitsSql ? { limitsSql } : {}),
        log: () => {},
      });
  return {
    database,
    proctorProcess: separate,
    proctorChild: 'child' in proctor ? proctor.child : null,
    fsync: postgres === null ? null : process.env.BENCH_DURABLE === '1' ? 'on' : 'off',
    sql,
    upstreamUrl: upstream.url,
    proctorUrl: proctor.url,
    publicKeyPem: key.publicKeyPem,
    tokens: (requests, prefix) =>
      Promise.all(
        Array.from({ length: Math.ceil(requests / PER_SUBJECT) + 1 }, (_, i) =>
          mintDevToken({
            key: issuerKey,
            issuer: issuer.issuer,
            audience: 'proctor',
            sub: `${prefix}-${i}`,
            groups: ['eng'],
            ttlSeconds: 3600,
          }),
        ),
      ),
    async close() {
      await proctor.close();
      await limitsSql?.close();
      await sql.close();
      await postgres?.stop();
      await issuer.close();
      await upstream.close();
    },
  };
}
