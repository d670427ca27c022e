// Serve says so when PostgreSQL would commit the ledger without waiting for the disk (synchronous_commit = off):
// decision records and checkpoints rely on a flushed commit (docs/ledger.md). A durable server gets no such line.
import { afterAll, describe, expect, it } from 'vitest';
import { startProctor } from '../../src/main.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { proctorConfig } from '../helpers/proctor-config.ts';

const clusters: ThrowawayPostgres[] = [];
afterAll(async () => {
  for (const c of clusters) await c.destroy();
});

async function errorLinesOf(durable: boolean): Promise<string[]> {
  const pg = await startPostgres({ durable }); // not durable: fsync and synchronous_commit off, as tests run
  clusters.push(pg);
  const config = proctorConfig({
    database: { url: { env: 'DATABASE_URL' } },
    ledger: { chain: 'durability' },
    issuers: [{ issuer: 'https://idp.invalid', audience: ['https://proctor.test'] }],
    upstreams: [{ name: 'echo', kind: 'openai', base_url: 'http://127.0.0.1:9/v1', models: ['*'] }],
    env: { DATABASE_URL: pg.url },
  });
  const lines: string[] = [];
  const proctor = await startProctor(config, {
    log: (level, message) => {
      if (level === 'error') lines.push(message);
    },
  });
  await proctor.close();
  return lines;
}

describe('the ledger durability check at start-up', () => {
  it('logs an error when the ledger would commit without a flush, and nothing when it would not', async () => {
    expect((await errorLinesOf(false)).some((m) => m.includes('synchronous_commit = off'))).toBe(true);
    expect((await errorLinesOf(true)).some((m) => m.includes('synchronous_commit'))).toBe(false);
  }, 120_000);
});
