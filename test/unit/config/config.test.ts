import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, loadConfigFile, resolveConfig } from '../../../src/config/index.ts';
import { validateConfigDocument } from '../../../src/config/schema.ts';

const KEY = 'x'.repeat(40);

function document(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    database: { url: { env: 'DATABASE_URL' } },
    ledger: { chain: 'replica-1', signing_key: { env: 'SIGNING_KEY' } },
    identity: { issuers: [{ issuer: 'https://idp.example.com', audience: ['proctor'] }] },
    classification: { fingerprint_key: { env: 'FP_KEY' } },
    policy: { bundle: 'bundles/default.tar.gz' },
    upstreams: [{ name: 'openai', provider: 'openai', base_url: 'https://api.openai.com/v1/', models: ['*'] }],
    ...overrides,
  };
}

const env = { DATABASE_URL: 'postgres://u:p@db/proctor', SIGNING_KEY: 'pem', FP_KEY: KEY };

function problems(
  doc: unknown,
  environment: Record<string, string> = env,
): { code: string; problems: readonly string[] } {
  try {
    resolveConfig(doc, { env: environment, baseDir: '/etc/proctor' });
  } catch (error) {
    if (error instanceof ConfigError) return { code: error.code, problems: error.problems };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('resolves defaults, secrets and paths, and freezes the result', () => {
    const config = resolveConfig(document(), { env, baseDir: '/etc/proctor' });
    expect(config.server).toEqual({
      host: '127.0.0.1',
      port: 8080,
      bodyLimitBytes: 4 * 1024 * 1024,
      bodyBytesInFlight: 32 * 1024 * 1024,
      requestTimeoutMs: 30_000,
      clientWriteTimeoutMs: 30_000,
      clientMinReadBytesPerSecond: 4096,
      maxConnectionsPerAddress: 256,
      maxConnections: 8192,
      drainSeconds: 25,
      logLevel: 'info',
    });
    expect(config.metrics).toBeNull();
    expect(config.database).toEqual({
      kind: 'postgres',
      url: env.DATABASE_URL,
      connectTimeoutMs: 2000,
      statementTimeoutMs: 2000,
      idleInTransactionTimeoutMs: 5000,
      poolSize: 10,
      migrations: 'apply',
    });
    expect(config.policy).toEqual({
      bundle: '/etc/proctor/bundles/default.tar.gz',
      shadowBundle: null,
      pollIntervalSeconds: 30,
      signingKeyPem: null,
    });
    expect(config.upstreams[0]).toMatchObject({
      baseUrl: 'https://api.openai.com/v1',
      credential: null,
      baa: false,
      zeroDataRetention: false,
    });
    expect(config.identity.issuers[0]).toMatchObject({
      algorithms: ['RS256', 'PS256', 'ES256', 'EdDSA'],
      clockSkewSeconds: 30,
      groupsClaim: 'groups',
      tenantClaim: null,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.upstreams[0])).toBe(true);
    expect(() => {
      (config.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('rejects unknown keys with their path', () => {
    const result = problems(document({ server: { port: 8080, hots: 'x' } }));
    expect(result.code).toBe('ERR_CONFIG_INVALID');
    expect(result.problems.join('\n')).toContain("/server: must NOT have additional properties 'hots'");
  });

  it('refuses a budget of bodies in flight smaller than the largest body', () => {
    const server = { body_limit_bytes: 8 * 1024 * 1024, max_body_bytes_in_flight: 4 * 1024 * 1024 };
    expect(problems(document({ server })).problems).toEqual([
      '/server/max_body_bytes_in_flight: less than body_limit_bytes (no body that large could arrive)',
    ]);
  });

  it('refuses a share of one client smaller than the largest body, and passes a given one on', () => {
    const server = { body_limit_bytes: 8 * 1024 * 1024, max_body_bytes_per_client: 4 * 1024 * 1024 };
    expect(problems(document({ server })).problems).toEqual([
      '/server/max_body_bytes_per_client: less than body_limit_bytes (no body that large could arrive)',
    ]);
  });

  it('takes connection caps from 0 (no cap) up, and refuses a negative one', () => {
    const server = { max_connections_per_address: 0, max_connections: 100 };
    expect(resolveConfig(document({ server }), { env, baseDir: '/etc/proctor' }).server).toMatchObject({
      maxConnectionsPerAddress: 0,
      maxConnections: 100,
    });
    expect(problems(document({ server: { max_connections_per_address: -1 } })).problems).toEqual([
      '/server/max_connections_per_address: must be >= 0',
    ]);
  });

  it('lists every problem at once', () => {
    const result = problems(document({ ledger: { chain: 'bad chain!', signing_key: 'inline-secret' }, upstreams: [] }));
    const all = result.problems.join('\n');
    expect(all).toContain('/ledger/chain');
    expect(all).toContain('/ledger/signing_key');
    expect(all).toContain('/upstreams');
  });

  it('never takes secrets inline', () => {
    expect(problems(document({ classification: { fingerprint_key: KEY } })).problems.join('\n')).toContain(
      '/classification/fingerprint_key',
    );
  });

  it('names a missing secret without printing any secret', () => {
    const result = problems(document(), { ...env, SIGNING_KEY: '' });
    expect(result.code).toBe('ERR_CONFIG_SECRET');
    expect(result.problems).toEqual(['/ledger/signing_key: secret environment variable SIGNING_KEY is not set']);
    expect(result.problems.join('')).not.toContain(KEY);
  });

  it('requires a fingerprint key of at least 32 bytes', () => {
    expect(problems(document(), { ...env, FP_KEY: 'short' }).problems).toEqual([
      '/classification/fingerprint_key: must be at least 32 bytes',
    ]);
  });

  it('accepts plain-http issuers only on loopback with allow_insecure_http', () => {
    const issuer = (url: string, allow: boolean) =>
      document({ identity: { issuers: [{ issuer: url, audience: ['p'], allow_insecure_http: allow }] } });
    expect(() => resolveConfig(issuer('http://127.0.0.1:9000', true), { env, baseDir: '/' })).not.toThrow();
    expect(problems(issuer('http://127.0.0.1:9000', false)).problems[0]).toContain('/identity/issuers/0/issuer');
    expect(problems(issuer('http://idp.internal', true)).problems[0]).toContain('/identity/issuers/0/issuer');
  });

  it('rejects duplicate upstream names and algorithms outside the allowlist', () => {
    const u = { name: 'a', provider: 'openai', base_url: 'https://x.test/v1', models: ['*'] };
    expect(problems(document({ upstreams: [u, u] })).problems).toEqual([
      "/upstreams/1/name: duplicate upstream name 'a'",
    ]);
    const hs = document({
      identity: { issuers: [{ issuer: 'https://i.test', audience: ['p'], algorithms: ['HS256'] }] },
    });
    expect(problems(hs).problems.join('\n')).toContain('/identity/issuers/0/algorithms/0');
  });

  it('reads secrets from files relative to the configuration file, and reports unreadable files', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proctor-config-'));
    writeFileSync(path.join(dir, 'fp.key'), `${KEY}\n`);
    writeFileSync(
      path.join(dir, 'proctor.yaml'),
      [
        'database: { pglite_dir: data }',
        'ledger: { chain: c1, signing_key: { file: missing.pem } }',
        'identity: { issuers: [{ issuer: "https://idp.example.com", audience: [proctor] }] }',
        'classification: { fingerprint_key: { file: fp.key } }',
        'policy: { bundle: b.tar.gz }',
        'upstreams: [{ name: u, provider: openai, base_url: "https://x.test/v1", models: ["*"] }]',
      ].join('\n'),
    );
    try {
      loadConfigFile(path.join(dir, 'proctor.yaml'), {});
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        '/ledger/signing_key: secret file missing.pem cannot be read (ENOENT)',
      ]);
    }
    writeFileSync(path.join(dir, 'missing.pem'), 'pem');
    const config = loadConfigFile(path.join(dir, 'proctor.yaml'), {});
    expect(config.database).toEqual({ kind: 'pglite', dataDir: path.join(dir, 'data') });
    expect(Buffer.from(config.classification.fingerprintKey).toString()).toBe(KEY);
  });

  it('reports a file that is not YAML or not there', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proctor-config-'));
    writeFileSync(path.join(dir, 'bad.yaml'), 'a: [');
    expect(() => loadConfigFile(path.join(dir, 'bad.yaml'), {})).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_INVALID' }),
    );
    expect(() => loadConfigFile(path.join(dir, 'none.yaml'), {})).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG_UNREADABLE' }),
    );
  });

  it.each(['config/proctor.example.yaml', 'deploy/compose/proctor.yaml'])(
    'ships %s valid against the schema',
    (file) => {
      const doc: unknown = parseYaml(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8'));
      expect(() => validateConfigDocument(doc, (p) => new Error(p.join('\n')))).not.toThrow();
    },
  );
});
