// The identity knobs as written in proctor.yaml reach the authenticator as main.ts passes them (spread, typ null →
// undefined), with the documented defaults; a bad value is refused by the schema or by identity's own validation.
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../../src/config/index.ts';
import { createAuthenticator, IdentityConfigError } from '../../../src/identity/index.ts';

const env = {
  DATABASE_URL: 'postgres://u:p@db/proctor',
  SIGNING_KEY: 'pem',
  FP_KEY: 'x'.repeat(40),
  INTROSPECT: 's3cret',
};

function documentWith(issuer: Record<string, unknown>): Record<string, unknown> {
  return {
    database: { url: { env: 'DATABASE_URL' } },
    ledger: { chain: 'replica-1', signing_key: { env: 'SIGNING_KEY' } },
    identity: { issuers: [{ issuer: 'https://idp.example.com', audience: ['proctor'], ...issuer }] },
    classification: { fingerprint_key: { env: 'FP_KEY' } },
    policy: { bundle: 'bundles/default.tar.gz' },
    upstreams: [{ name: 'openai', provider: 'openai', base_url: 'https://api.openai.com/v1/', models: ['*'] }],
  };
}

function issuersOf(issuer: Record<string, unknown>) {
  const config = resolveConfig(documentWith(issuer), { env, baseDir: '/etc/proctor' });
  return config.identity.issuers.map((i) => ({ ...i, requiredTyp: i.requiredTyp ?? undefined }));
}

describe('identity settings in the configuration file', () => {
  it('resolves strict defaults', () => {
    const [issuer] = issuersOf({});
    expect(issuer).toMatchObject({
      subjectClaim: 'sub',
      groupsClaim: 'groups',
      audiencePolicy: 'exactly-ours',
      maxTokenAgeSeconds: 86_400,
      maxTokenLifetimeSeconds: 86_400,
      maxTokenBytes: 8192,
      allowedClients: null,
      introspection: null,
      jwks: { cacheMaxAgeSeconds: 600, cooldownSeconds: 30, timeoutMs: 5000 },
      dpop: { proofMaxAgeSeconds: 60, origins: [], required: false },
    });
    expect(() => createAuthenticator({ issuers: issuersOf({}) })).not.toThrow();
  });

  it('passes every knob through, the introspection secret resolved', () => {
    const issuers = issuersOf({
      claims: { subject: 'oid', groups: ['realm_access.roles', 'resource_access.proctor.roles'], tenant: 'tid' },
      audience_policy: 'any',
      max_token_age_seconds: 3600,
      max_token_lifetime_seconds: 7200,
      max_token_bytes: 16_384,
      allowed_clients: ['web'],
      jwks: { cache_max_age_seconds: 60, cooldown_seconds: 5, timeout_ms: 2000 },
      introspection: {
        client_id: 'proctor-rs',
        client_secret: { env: 'INTROSPECT' },
        cache_seconds: 10,
        token_prefix: 'at_',
      },
      dpop: {
        algorithms: ['ES256'],
        proof_max_age_seconds: 30,
        origins: ['https://proctor.example.com'],
        required: true,
      },
    });
    expect(issuers[0]).toMatchObject({
      subjectClaim: 'oid',
      groupsClaim: ['realm_access.roles', 'resource_access.proctor.roles'],
      tenantClaim: 'tid',
      audiencePolicy: 'any',
      maxTokenAgeSeconds: 3600,
      maxTokenLifetimeSeconds: 7200,
      maxTokenBytes: 16_384,
      allowedClients: ['web'],
      jwks: { cacheMaxAgeSeconds: 60, cooldownSeconds: 5, timeoutMs: 2000 },
      introspection: { clientId: 'proctor-rs', clientSecret: 's3cret', cacheSeconds: 10, tokenPrefix: 'at_' },
      dpop: { algorithms: ['ES256'], proofMaxAgeSeconds: 30, origins: ['https://proctor.example.com'], required: true },
    });
    expect(() => createAuthenticator({ issuers })).not.toThrow();
  });

  it.each([
    ['an unknown audience policy', { audience_policy: 'some' }],
    ['a max token age under a minute', { max_token_age_seconds: 5 }],
    ['a token size above 64 KiB', { max_token_bytes: 100_000 }],
    ['a JWKS cache above a day', { jwks: { cache_max_age_seconds: 100_000 } }],
    ['introspection without a secret', { introspection: { client_id: 'x' } }],
    ['an unknown dpop key', { dpop: { nonce: true } }],
  ])('refuses %s', (_name, issuer) => {
    expect(() => issuersOf(issuer)).toThrow(ConfigError);
  });

  it('refuses a DPoP origin with a path (identity validation)', () => {
    expect(() =>
      createAuthenticator({ issuers: issuersOf({ dpop: { origins: ['https://proctor.example.com/v1'] } }) }),
    ).toThrow(IdentityConfigError);
  });
});
