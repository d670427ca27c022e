// Proctor in front of an upstream gateway, with real parts: a throwaway PostgreSQL, a real OIDC provider, the
// checked-in policy bundle and an Ed25519 assertion key. The gateway (started by the test) forwards to `echo`, a local
// upstream that records what reached it, so a test can see which headers the gateway received and passed on.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import pg from 'pg';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startEchoUpstream, type EchoOptions, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { ASSERTION_TYP } from '../../src/upstreams/index.ts';
import { startPostgres } from './postgres.ts';
import { startOidcProvider } from './oidc-provider.ts';
import { oidcIssuerEntry, proctorConfig } from './proctor-config.ts';

export const AUDIENCE = 'https://proctor.test';
export const ASSERTION_ISSUER = 'https://proctor.test/assertions';

export interface GatewayStack {
  echo: EchoUpstream;
  idp: Awaited<ReturnType<typeof startOidcProvider>>;
  proctor: RunningProctor | null;
  /** Starts Proctor with this gateway upstream (the config document's upstreams[0], name `gateway`). */
  startProctor(gateway: Record<string, unknown>, env: Record<string, string>): Promise<RunningProctor>;
  records(requestId: string): Promise<Record<string, unknown>[]>;
  /** Verifies an assertion against the JWKS Proctor publishes, for audience `gateway`. */
  verifyAssertion(jws: string): Promise<JWTPayload>;
  verifyLedger(): Promise<number>;
  close(): Promise<void>;
}

/** `echo`: options for the local upstream (a test standing in for a gateway that cannot run here sets headers). */
export async function startGatewayStack(echoOptions: EchoOptions = {}): Promise<GatewayStack> {
  const postgres = await startPostgres();
  const db = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2, connectionTimeoutMillis: 2000 });
  db.on('error', () => {});
  const idp = await startOidcProvider();
  const echo = await startEchoUpstream(echoOptions);
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-gw-'));
  const ledgerKey = generateSigningKey();
  const trustFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(trustFile, ledgerKey.publicKeyPem);
  const assertionKey = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  writeFileSync(
    path.join(dir, 'pricing.yaml'),
    'version: "gateway-test"\nunknown_model: { price_as: flat }\ndefaults:\n  flat: { input: 1000000, output: 2000000, cached_input: 500000 }\nupstreams: {}\n',
  );

  const stack: GatewayStack = {
    echo,
    idp,
    proctor: null,
    async startProctor(gateway, env) {
      const config = proctorConfig({
        database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 1000 },
        ledger: { chain: 'gateway-1' },
        issuers: [{ ...oidcIssuerEntry(idp.issuer, AUDIENCE), claims: { tenant: 'tenant' } }],
        upstreams: [
          { name: 'gateway', kind: 'gateway', models: ['*'], attributes: { zero_data_retention: true }, ...gateway },
        ],
        sections: {
          assertions: { issuer: ASSERTION_ISSUER, signing_key: { env: 'PROCTOR_ASSERTION_KEY' }, ttl_seconds: 60 },
          limits: { pricing: 'pricing.yaml' },
        },
        env: { DATABASE_URL: postgres.url, PROCTOR_ASSERTION_KEY: assertionKey, ...env },
        signingKeyPem: ledgerKey.privateKeyPem,
        baseDir: dir,
      });
      stack.proctor = await startProctor(config, { log: () => {} });
      return stack.proctor;
    },
    async records(requestId) {
      const { rows } = await db.query('SELECT record FROM audit_records WHERE request_id = $1 ORDER BY seq', [
        requestId,
      ]);
      return rows.map((r) => JSON.parse(Buffer.from(r.record as Buffer).toString('utf8')) as Record<string, unknown>);
    },
    async verifyAssertion(jws) {
      const origin = new URL(stack.proctor?.url ?? '').origin;
      const response = await fetch(`${origin}/.well-known/proctor-assertion-jwks.json`);
      if (!response.ok) throw new Error(`JWKS endpoint answered ${response.status}`);
      const jwks = (await response.json()) as { keys: [] };
      const { payload } = await jwtVerify(jws, createLocalJWKSet(jwks), {
        issuer: ASSERTION_ISSUER,
        audience: 'gateway',
        typ: ASSERTION_TYP,
        algorithms: ['EdDSA'],
        maxTokenAge: 60,
      });
      return payload;
    },
    async verifyLedger() {
      return runVerify(['--db', postgres.superuserUrl, '--trust', trustFile, '--json'], {
        stdout: () => {},
        stderr: () => {},
        env: {},
      });
    },
    async close() {
      await stack.proctor?.close();
      await echo.close();
      await idp.close();
      await db.end();
      await postgres.stop();
    },
  };
  return stack;
}
