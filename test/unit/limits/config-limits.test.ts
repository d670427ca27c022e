// limits in the configuration: defaults (the shipped pricing table, 900 s TTL, 4096 output tokens), relative pricing
// paths, and every problem named with its path: a TTL shorter than an upstream's total timeout, a name on a non-group
// default, an unknown scope or key.
import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { ConfigError, resolveConfig } from '../../../src/config/index.ts';

const env = { DATABASE_URL: 'postgres://u:p@db/proctor', SIGNING_KEY: 'pem', FP_KEY: 'x'.repeat(40) };
const doc = (limits?: unknown, timeouts?: unknown) => ({
  database: { url: { env: 'DATABASE_URL' } },
  ledger: { chain: 'c', signing_key: { env: 'SIGNING_KEY' } },
  identity: { issuers: [{ issuer: 'https://idp.contoso.io', audience: ['proctor'] }] },
  classification: { fingerprint_key: { env: 'FP_KEY' } },
  policy: { bundle: 'bundles/default.tar.gz' },
  upstreams: [
    {
      name: 'openai',
      provider: 'openai',
      base_url: 'https://api.openai.com/v1',
      models: ['*'],
      ...(timeouts ? { timeouts } : {}),
    },
  ],
  ...(limits === undefined ? {} : { limits }),
});

function problemsOf(document: unknown): readonly string[] {
  try {
    resolveConfig(document, { env, baseDir: '/etc/proctor' });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('limits configuration', () => {
  it('defaults to the shipped pricing table, a 900 s reservation TTL and a 4096-token output reservation', () => {
    const config = resolveConfig(doc(), { env, baseDir: '/etc/proctor' });
    expect(config.limits).toEqual({
      pricingFile: fileURLToPath(new URL('../../../config/pricing.v1.yaml', import.meta.url)),
      reservationTtlSeconds: 900,
      defaultMaxTokens: 4096,
      defaults: [],
    });
  });

  it('resolves a relative pricing file against the configuration folder and keeps the defaults it is given', () => {
    const config = resolveConfig(
      doc({
        pricing: 'prices.yaml',
        default_max_tokens: 512,
        defaults: [{ scope: 'group', name: 'eng', requests_per_minute: 10 }],
      }),
      { env, baseDir: '/etc/proctor' },
    );
    expect(config.limits).toMatchObject({
      pricingFile: '/etc/proctor/prices.yaml',
      defaultMaxTokens: 512,
      defaults: [{ scope: 'group', name: 'eng', requests_per_minute: 10 }],
    });
  });

  it('names every problem with its path', () => {
    expect(problemsOf(doc({ reservation_ttl_seconds: 60 }))).toContainEqual(
      expect.stringMatching(/^\/limits\/reservation_ttl_seconds: 60s is shorter than upstream 'openai' total timeout/),
    );
    expect(problemsOf(doc({ defaults: [{ scope: 'tenant', name: 'acme', tokens_per_minute: 1 }] }))).toContain(
      '/limits/defaults/0/name: only a group default can name its bucket',
    );
    expect(problemsOf(doc({ defaults: [{ scope: 'planet', tokens_per_minute: 1 }] }))).toContainEqual(
      expect.stringMatching(/^\/limits\/defaults\/0\/scope: /),
    );
    expect(problemsOf(doc({ defaults: [{ scope: 'tenant', tokens_per_minute: -1 }] }))).toContainEqual(
      expect.stringMatching(/^\/limits\/defaults\/0\/tokens_per_minute: /),
    );
    expect(problemsOf(doc({ budget: 5 }))).toContain("/limits: must NOT have additional properties 'budget'");
  });
});
