// classification.max_findings, threads, queue_limit and thread_startup_timeout_ms: resolved with their defaults (256
// kept findings, threads chosen from the cores, 16 waiting, 60 s to start a thread); out-of-range values (a start-up
// bound under 1 s or over 10 minutes) and unknown fields are ERR_CONFIG_INVALID at start.
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../../src/config/index.ts';

const env = { DATABASE_URL: 'postgres://u:p@db/proctor', SIGNING_KEY: 'pem', FP_KEY: 'x'.repeat(40) };

function resolve(classification: Record<string, unknown>) {
  return resolveConfig(
    {
      database: { url: { env: 'DATABASE_URL' } },
      ledger: { chain: 'replica-1', signing_key: { env: 'SIGNING_KEY' } },
      identity: { issuers: [{ issuer: 'https://idp.example.com', audience: ['proctor'] }] },
      classification: { fingerprint_key: { env: 'FP_KEY' }, ...classification },
      policy: { bundle: 'bundles/default.tar.gz' },
      upstreams: [{ name: 'openai', provider: 'openai', base_url: 'https://api.openai.com/v1/', models: ['*'] }],
    },
    { env, baseDir: '/etc/proctor' },
  );
}

function code(classification: Record<string, unknown>): string {
  try {
    resolve(classification);
  } catch (error) {
    if (error instanceof ConfigError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('classification cost settings', () => {
  it('default to 256 kept findings, threads from the cores, 16 waiting and 60 s to start a thread', () => {
    expect(resolve({}).classification).toMatchObject({
      maxFindings: 256,
      threads: null,
      queueLimit: 16,
      threadStartupMs: 60_000,
    });
    expect(
      resolve({ max_findings: 1000, threads: 2, queue_limit: 0, thread_startup_timeout_ms: 1000 }).classification,
    ).toMatchObject({ maxFindings: 1000, threads: 2, queueLimit: 0, threadStartupMs: 1000 });
    expect(resolve({ thread_startup_timeout_ms: 600_000 }).classification.threadStartupMs).toBe(600_000);
  });

  it('refuse values out of range and unknown fields', () => {
    for (const bad of [
      { max_findings: 0 },
      { threads: 0 },
      { queue_limit: -1 },
      { max_findings: 1.5 },
      { thread_startup_timeout_ms: 999 },
      { thread_startup_timeout_ms: 600_001 },
      { thread_startup_timeout_ms: 1500.5 },
      { workers: 2 },
    ]) {
      expect(code(bad)).toBe('ERR_CONFIG_INVALID');
    }
  });
});
