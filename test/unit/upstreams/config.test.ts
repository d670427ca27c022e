// The upstream registry's configuration: kinds, credentials, headers, timeouts, routing and the assertion key, with
// every problem named by its path; older files (provider/timeout_ms) keep working.
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../../src/config/index.ts';

const env = {
  DATABASE_URL: 'postgres://u:p@db/proctor',
  SIGNING_KEY: 'pem',
  FP_KEY: 'x'.repeat(40),
  OPENAI_KEY: 'sk-openai',
  ANTHROPIC_KEY: 'sk-ant',
  ORG: 'org-1',
  ASSERT_KEY: 'assertion-pem',
};

function document(upstreams: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    database: { url: { env: 'DATABASE_URL' } },
    ledger: { chain: 'replica-1', signing_key: { env: 'SIGNING_KEY' } },
    identity: { issuers: [{ issuer: 'https://idp.example.com', audience: ['proctor'] }] },
    classification: { fingerprint_key: { env: 'FP_KEY' } },
    policy: { bundle: 'bundles/default.tar.gz' },
    upstreams,
    ...extra,
  };
}

const openai = {
  name: 'openai',
  kind: 'openai',
  base_url: 'https://api.openai.com/v1',
  credential: { env: 'OPENAI_KEY' },
  models: ['gpt-4o-mini', 'gpt-4.1-mini'],
};
const anthropic = {
  name: 'anthropic',
  kind: 'anthropic',
  base_url: 'https://api.anthropic.com/v1',
  credential: { env: 'ANTHROPIC_KEY' },
  models: ['*'],
};
const vllm = { name: 'vllm', kind: 'openai-compatible', base_url: 'http://vllm.internal:8000/v1', models: ['*'] };
const litellm = {
  name: 'litellm',
  kind: 'gateway',
  base_url: 'http://litellm:4000/v1',
  models: ['*'],
  gateway: { assertion: true },
};

function problems(doc: unknown): readonly string[] {
  try {
    resolveConfig(doc, { env, baseDir: '/etc/proctor' });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('upstream configuration', () => {
  it('resolves kinds, credentials, headers, timeouts, routing and the assertion key', () => {
    const config = resolveConfig(
      document(
        [
          {
            ...openai,
            headers: { 'openai-organization': { env: 'ORG' }, 'openai-project': 'proj-1' },
            timeouts: { connect_ms: 2000, first_byte_ms: 30000, total_ms: 90000 },
          },
          anthropic,
          vllm,
          litellm,
        ],
        {
          routing: {
            routes: [
              { model: 'gpt-4o*', upstreams: ['openai', 'litellm'] },
              { model: 'claude-*', api: 'anthropic', upstreams: ['anthropic'] },
            ],
            default: ['vllm'],
            retry: { max_attempts: 2 },
          },
          assertions: { issuer: 'https://proctor.example.com', signing_key: { env: 'ASSERT_KEY' }, ttl_seconds: 30 },
        },
      ),
      { env, baseDir: '/etc/proctor' },
    );
    expect(config.upstreams.map((u) => [u.name, u.kind, u.apis])).toEqual([
      ['openai', 'openai', ['openai']],
      ['anthropic', 'anthropic', ['anthropic']],
      ['vllm', 'openai-compatible', ['openai']],
      ['litellm', 'gateway', ['openai']],
    ]);
    expect(config.upstreams[0]).toMatchObject({
      credential: 'sk-openai',
      headers: { 'openai-organization': 'org-1', 'openai-project': 'proj-1' },
      timeouts: { connectMs: 2000, firstByteMs: 30000, totalMs: 90000 },
      gateway: null,
    });
    expect(config.upstreams[2]).toMatchObject({
      credential: null,
      timeouts: { connectMs: 10000, firstByteMs: 120000, totalMs: 600000 },
    });
    expect(config.upstreams[3]?.gateway).toEqual({
      decisionId: true,
      assertion: true,
      subjectHeader: null,
      product: 'generic',
      servedBy: {},
    });
    expect(config.routing).toEqual({
      routes: [
        { model: 'gpt-4o*', api: null, upstreams: ['openai', 'litellm'] },
        { model: 'claude-*', api: 'anthropic', upstreams: ['anthropic'] },
      ],
      default: ['vllm'],
      retry: { maxAttempts: 2, backoffMs: 100, maxRetryAfterMs: 2000 },
    });
    expect(config.assertions).toEqual({
      issuer: 'https://proctor.example.com',
      signingKeyPem: 'assertion-pem',
      ttlSeconds: 30,
    });
    expect(Object.isFrozen(config.routing.routes[0]?.upstreams)).toBe(true);
  });

  it('keeps older files working: provider is the old name of kind, timeout_ms of timeouts.first_byte_ms', () => {
    const config = resolveConfig(
      document([{ name: 'old', provider: 'openai', base_url: 'https://x.test/v1', models: ['*'], timeout_ms: 5000 }]),
      { env, baseDir: '/' },
    );
    expect(config.upstreams[0]).toMatchObject({ kind: 'openai', apis: ['openai'], timeouts: { firstByteMs: 5000 } });
    expect(config.routing).toEqual({
      routes: [],
      default: null,
      retry: { maxAttempts: 3, backoffMs: 100, maxRetryAfterMs: 2000 },
    });
    expect(config.assertions).toBeNull();
  });

  it('names a route or default that refers to an unknown upstream', () => {
    expect(
      problems(
        document([openai, vllm], {
          routing: { routes: [{ model: 'gpt-4o-mini', upstreams: ['openai', 'azure'] }], default: ['nowhere'] },
        }),
      ),
    ).toEqual([
      "/routing/routes/0/upstreams/1: unknown upstream 'azure' (configured: openai, vllm)",
      "/routing/default/0: unknown upstream 'nowhere' (configured: openai, vllm)",
    ]);
  });

  it('names a kind that cannot serve an API, in apis and in routes', () => {
    expect(problems(document([{ ...openai, apis: ['openai', 'anthropic'] }]))).toEqual([
      '/upstreams/0/apis/1: an upstream of kind openai cannot serve the anthropic API',
    ]);
    expect(
      problems(
        document([openai, anthropic], {
          routing: { routes: [{ model: 'claude-*', api: 'anthropic', upstreams: ['anthropic', 'openai'] }] },
        }),
      ),
    ).toEqual([
      "/routing/routes/0/upstreams/1: upstream 'openai' (kind openai) does not serve the anthropic API (it serves: openai)",
    ]);
  });

  it('names a literal route model the upstream does not serve, and a route that an earlier one shadows', () => {
    expect(problems(document([openai], { routing: { routes: [{ model: 'o3', upstreams: ['openai'] }] } }))).toEqual([
      "/routing/routes/0/upstreams/0: upstream 'openai' does not serve model 'o3' (its models: gpt-4o-mini, gpt-4.1-mini)",
    ]);
    expect(
      problems(
        document([vllm], {
          routing: {
            routes: [
              { model: 'gpt-*', upstreams: ['vllm'] },
              { model: 'gpt-4o*', upstreams: ['vllm'] },
            ],
          },
        }),
      ),
    ).toEqual(["/routing/routes/1/model: never used: route 0 ('gpt-*') matches every model this one does"]);
  });

  it('refuses reserved headers, kind-specific keys on the wrong kind, and assertions without a key', () => {
    expect(
      problems(
        document([
          { ...vllm, headers: { authorization: 'Bearer x', 'x-proctor-decision-id': 'forged', 'x-tenant': 'ok' } },
        ]),
      ),
    ).toEqual([
      '/upstreams/0/headers/authorization: Proctor sets this header itself; it cannot be configured',
      '/upstreams/0/headers/x-proctor-decision-id: Proctor sets this header itself; it cannot be configured',
    ]);
    expect(problems(document([{ ...vllm, gateway: { decision_id: true }, anthropic_version: '2023-06-01' }]))).toEqual([
      '/upstreams/0/anthropic_version: only an upstream of kind anthropic takes it',
      '/upstreams/0/gateway: only an upstream of kind gateway forwards attribution headers',
    ]);
    expect(problems(document([litellm]))).toEqual([
      '/upstreams/0/gateway/assertion: needs /assertions (the key that signs the assertion)',
    ]);
    expect(
      problems(
        document([
          { ...litellm, gateway: { subject_header: 'x-api-key' } },
          { ...litellm, name: 'l2', headers: { 'x-user': 'fixed' }, gateway: { subject_header: 'x-user' } },
        ]),
      ),
    ).toEqual([
      "/upstreams/0/gateway/subject_header: 'x-api-key' is a header Proctor or this upstream's headers already set",
      "/upstreams/1/gateway/subject_header: 'x-user' is a header Proctor or this upstream's headers already set",
    ]);
  });

  it('requires a kind, refuses both spellings, and checks timeouts against each other', () => {
    expect(problems(document([{ name: 'x', base_url: 'https://x.test/v1', models: ['*'] }]))).toEqual([
      "/upstreams/0: must have required property 'kind'",
    ]);
    expect(problems(document([{ ...openai, provider: 'openai' }]))).toEqual([
      "/upstreams/0/provider: the deprecated name of 'kind'; give only 'kind'",
    ]);
    expect(problems(document([{ ...openai, timeouts: { first_byte_ms: 5000, total_ms: 1000 } }]))).toEqual([
      '/upstreams/0/timeouts: first_byte_ms (5000) exceeds total_ms (1000)',
    ]);
  });

  it('rejects unknown kinds, bad header names and an assertion lifetime over 60 s through the schema, with paths', () => {
    const all = problems(
      document([{ ...openai, kind: 'bedrock', headers: { 'Bad Header': 'x' } }], {
        assertions: { signing_key: { env: 'ASSERT_KEY' }, ttl_seconds: 600 },
      }),
    ).join('\n');
    expect(all).toContain('/upstreams/0/kind');
    expect(all).toContain('/upstreams/0/headers');
    expect(all).toContain('/assertions/ttl_seconds');
  });
});
