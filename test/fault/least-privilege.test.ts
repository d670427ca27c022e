// Least privilege on a real PostgreSQL 15: the schema owner runs `proctor migrate`; Proctor then serves as a login
// role that holds nothing but proctor_runtime (database.migrations: check), records decisions and outcomes, and
// `proctor verify` passes. A database behind the build refuses to start with ERR_SCHEMA_BEHIND, naming the fix.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cli } from '../../src/cli/main.ts';
import { connectPostgres } from '../../src/db/index.ts';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor } from '../../src/main.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { startEchoUpstream } from '../../src/dev/echo-upstream.ts';
import { echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';
let postgres: ThrowawayPostgres;
let runtimeUrl: string;

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    io: { stdout: (s: string) => void out.push(s), stderr: (s: string) => void err.push(s), env: {} },
  };
}

beforeAll(async () => {
  postgres = await startPostgres();
  // The DBA's part: the NOLOGIN roles the migrations grant to, and a login role that is nothing but proctor_runtime.
  const admin = connectPostgres(postgres.superuserUrl, { max: 1 });
  await admin.query('CREATE ROLE proctor_runtime NOLOGIN');
  await admin.query('CREATE ROLE proctor_auditor NOLOGIN');
  await admin.query('CREATE ROLE proctor_app LOGIN IN ROLE proctor_runtime');
  await admin.close();
  runtimeUrl = postgres.url.replace('postgres://proctor@', 'postgres://proctor_app@');
}, 120_000);

afterAll(async () => {
  await postgres?.destroy();
});

describe('least privilege', () => {
  it('serve as proctor_runtime refuses a database whose schema is behind, naming `proctor migrate`', async () => {
    const { config, idp, echo } = await stackConfig();
    try {
      await expect(startProctor(config, { log: () => {} })).rejects.toMatchObject({ code: 'ERR_SCHEMA_BEHIND' });
    } finally {
      await idp.close();
      await echo.close();
    }
  });

  it('proctor migrate as the owner applies every migration once; --status then reports none pending', async () => {
    const first = io();
    expect(await cli(['migrate', '--db', postgres.url, '--json'], first.io)).toBe(0);
    const report = JSON.parse(first.out.join('')) as { applied_now: string[]; pending: string[] };
    expect(report.applied_now.length).toBeGreaterThan(5);
    expect(report.pending).toEqual([]);
    const again = io();
    expect(await cli(['migrate', '--db', postgres.url, '--status'], again.io)).toBe(0);
    expect(again.out.join('')).toContain('pending: none');
  });

  it('the runtime role holds no CREATE on the schema, so it could not apply one', async () => {
    const admin = connectPostgres(postgres.superuserUrl, { max: 1 });
    const privileges = await admin.query<{ create: boolean }>(
      "SELECT has_schema_privilege('proctor_app', 'public', 'CREATE') AS create",
    );
    await admin.close();
    expect(privileges.rows[0]?.create).toBe(false);
  });

  it('serve as a role holding only proctor_runtime records decisions and outcomes, and verify passes', async () => {
    const { config, idp, echo, keyFile } = await stackConfig();
    const proctor = await startProctor(config, { log: () => {} });
    try {
      const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'least-privilege' });
      const response = await fetch(`${proctor.url}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hello' }] }),
      });
      expect(response.status).toBe(200);
      await response.arrayBuffer();
    } finally {
      await proctor.close();
      await idp.close();
      await echo.close();
    }
    const check = io();
    const status = await cli(['verify', '--db', postgres.url, '--trust', keyFile], check.io);
    expect(check.err.join('')).not.toMatch(/ERR_|error/i);
    expect([0, 3]).toContain(status);
  });
});

async function stackConfig() {
  const idp = await startOidcProvider();
  const echo = await startEchoUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-leastpriv-'));
  const key = generateSigningKey();
  const keyFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(keyFile, key.publicKeyPem);
  const config = proctorConfig({
    database: { url: { env: 'DATABASE_URL' }, migrations: 'check' },
    ledger: { chain: `least-privilege-${Date.now()}` },
    issuers: [{ issuer: idp.issuer, audience: [AUDIENCE], allow_insecure_http: true }],
    upstreams: [echoUpstream(echo.url, { credentialEnv: 'UPSTREAM_KEY', models: ['echo-1'], attributes: {} })],
    env: { DATABASE_URL: runtimeUrl, UPSTREAM_KEY: 'sk-echo' },
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
  return { config, idp, echo, keyFile };
}
