// The mcp configuration section: defaults, Proctor's own credential per server as a secret reference, and the checks
// beyond the JSON Schema (https resource and servers, loopback http only, unique names, no query in the resource).
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../../src/config/index.ts';
import { resourceMetadata } from '../../../src/mcp/index.ts';

const env = { DATABASE_URL: 'postgres://u:p@db/proctor', SIGNING_KEY: 'pem', FP_KEY: 'x'.repeat(40), CRM: 'tok' };

function resolve(mcp: Record<string, unknown> | undefined) {
  return resolveConfig(
    {
      database: { url: { env: 'DATABASE_URL' } },
      ledger: { chain: 'replica-1', signing_key: { env: 'SIGNING_KEY' } },
      identity: { issuers: [{ issuer: 'https://idp.example.com', audience: ['proctor'] }] },
      classification: { fingerprint_key: { env: 'FP_KEY' } },
      policy: { bundle: 'bundles/default.tar.gz' },
      upstreams: [{ name: 'openai', provider: 'openai', base_url: 'https://api.openai.com/v1/', models: ['*'] }],
      ...(mcp === undefined ? {} : { mcp }),
    },
    { env, baseDir: '/etc/proctor' },
  );
}

function problems(mcp: Record<string, unknown>): string {
  try {
    resolve(mcp);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return 'resolved';
}

const server = { name: 'crm', url: 'https://crm.example.com/mcp', credential: { env: 'CRM' } };

describe('mcp configuration', () => {
  it('is off without the section, and resolves defaults and the credential reference', () => {
    expect(resolve(undefined).mcp).toBeNull();
    const mcp = resolve({ resource: 'https://proctor.example.com/mcp/', servers: [server] }).mcp;
    expect(mcp).toEqual({
      resource: 'https://proctor.example.com/mcp',
      authorizationServers: ['https://idp.example.com'],
      scopesSupported: [],
      servers: [
        {
          name: 'crm',
          url: 'https://crm.example.com/mcp',
          credential: 'tok',
          region: null,
          baa: false,
          zeroDataRetention: false,
          timeoutMs: 60_000,
          limits: [],
        },
      ],
      maxSessions: 10_000,
      sessionIdleSeconds: 3600,
    });
    expect(resourceMetadata(mcp as NonNullable<typeof mcp>)).toMatchObject({
      url: 'https://proctor.example.com/.well-known/oauth-protected-resource/mcp',
      paths: ['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'],
      document: { resource: 'https://proctor.example.com/mcp', authorization_servers: ['https://idp.example.com'] },
    });
  });

  it('refuses plain http off loopback, a resource with a query, duplicate names, bad names and unknown keys', () => {
    expect(problems({ resource: 'http://proctor.example.com/mcp', servers: [server] })).toContain('/mcp/resource');
    expect(problems({ resource: 'https://p.example.com/mcp?x=1', servers: [server] })).toContain('/mcp/resource');
    expect(
      problems({ resource: 'https://p.example.com/mcp', servers: [{ ...server, url: 'http://crm.example.com/mcp' }] }),
    ).toContain('/mcp/servers/0/url');
    expect(problems({ resource: 'https://p.example.com/mcp', servers: [server, server] })).toContain('used twice');
    expect(problems({ resource: 'https://p.example.com/mcp', servers: [{ ...server, name: 'CRM/x' }] })).toContain(
      '/mcp/servers/0/name',
    );
    expect(problems({ resource: 'https://p.example.com/mcp', servers: [{ ...server, token: 'inline' }] })).toContain(
      "'token'",
    );
    expect(
      problems({ resource: 'http://127.0.0.1:8080/mcp', servers: [{ ...server, url: 'http://127.0.0.1:3001/mcp' }] }),
    ).toBe('resolved');
  });

  it('resolves request limits per caller or for everyone, on the server or a tool, one limit per bucket', () => {
    const limits = [
      { per: 'caller', requests_per_minute: 60 },
      { per: 'everyone', tool: 'delete_customer', requests_per_minute: 5 },
    ];
    const mcp = resolve({ resource: 'https://p.example.com/mcp', servers: [{ ...server, limits }] }).mcp;
    expect(mcp?.servers[0]?.limits).toEqual([
      { per: 'caller', tool: null, requestsPerMinute: 60 },
      { per: 'everyone', tool: 'delete_customer', requestsPerMinute: 5 },
    ]);
    const at = (l: unknown[]) =>
      problems({ resource: 'https://p.example.com/mcp', servers: [{ ...server, limits: l }] });
    expect(at([...limits, { per: 'caller', requests_per_minute: 1 }])).toContain('/mcp/servers/0/limits/2');
    expect(at([{ per: 'tenant', requests_per_minute: 1 }])).toContain('/mcp/servers/0/limits/0/per');
    expect(at([{ per: 'caller', tool: 'a b', requests_per_minute: 1 }])).toContain('/mcp/servers/0/limits/0/tool');
    expect(at([{ per: 'caller' }])).toContain('requests_per_minute');
  });
});
