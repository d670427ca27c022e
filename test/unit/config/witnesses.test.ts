// ledger.witnesses and ledger.witness_quorum: resolved with their defaults; a key that is not a cosignature verifier
// key, a URL that is not http(s) and unknown fields are configuration errors (ERR_CONFIG_INVALID), caught at start.
// Also ledger.outcome_commit, the ledger section's other durability setting (its default and its two values).
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../../../src/config/index.ts';

const env = { DATABASE_URL: 'postgres://u:p@db/proctor', SIGNING_KEY: 'pem', FP_KEY: 'x'.repeat(40) };
const VKEY = `witness.example/w1+0a1b2c3d+${Buffer.concat([Buffer.from([4]), Buffer.alloc(32, 9)]).toString('base64')}`;

function resolve(ledger: Record<string, unknown>) {
  return resolveConfig(
    {
      database: { url: { env: 'DATABASE_URL' } },
      ledger: { chain: 'replica-1', signing_key: { env: 'SIGNING_KEY' }, ...ledger },
      identity: { issuers: [{ issuer: 'https://idp.example.com', audience: ['proctor'] }] },
      classification: { fingerprint_key: { env: 'FP_KEY' } },
      policy: { bundle: 'bundles/default.tar.gz' },
      upstreams: [{ name: 'openai', provider: 'openai', base_url: 'https://api.openai.com/v1/', models: ['*'] }],
    },
    { env, baseDir: '/etc/proctor' },
  );
}

function code(ledger: Record<string, unknown>): string {
  try {
    resolve(ledger);
  } catch (error) {
    if (error instanceof ConfigError) return error.code;
    throw error;
  }
  return 'resolved';
}

describe('ledger.witnesses', () => {
  it('defaults to none, and resolves witnesses with a 5 s timeout', () => {
    expect(resolve({}).ledger.witnesses).toEqual([]);
    expect(resolve({}).ledger.witnessQuorum).toBeNull();
    const config = resolve({ witnesses: [{ url: 'https://w.example', key: VKEY }], witness_quorum: 1 });
    expect(config.ledger.witnesses).toEqual([{ url: 'https://w.example', key: VKEY, timeoutMs: 5000 }]);
    expect(config.ledger.witnessQuorum).toBe(1);
  });

  it('refuses bad keys, URLs and fields', () => {
    const w = { url: 'https://w.example', key: VKEY };
    const bad = [
      { witnesses: [{ ...w, key: 'witness.example/w1+0a1b2c3d+AAAA' }] },
      { witnesses: [{ ...w, url: 'file:///etc/passwd' }] },
      { witnesses: [{ ...w, extra: 1 }] },
      { witnesses: [w], witness_quorum: 0 },
      { witnesses: [w], witness_quorum: 2 },
    ];
    for (const ledger of bad) expect(code(ledger)).toBe('ERR_CONFIG_INVALID');
  });
});

describe('ledger.outcome_commit', () => {
  it('defaults to durable, takes flush_deferred, refuses anything else', () => {
    expect(resolve({}).ledger.outcomeCommit).toBe('durable');
    expect(resolve({ outcome_commit: 'flush_deferred' }).ledger.outcomeCommit).toBe('flush_deferred');
    for (const value of ['off', 'async', true, null])
      expect(code({ outcome_commit: value })).toBe('ERR_CONFIG_INVALID');
  });
});
