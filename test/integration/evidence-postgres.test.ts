// Export and packet verification against a real PostgreSQL 15 (bigint as text, bytea as Buffer, timestamptz):
// `proctor export --db` pages through more records than one page holds across two chains, and the packet verifies.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/cli/export.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { ThrowawayPostgres } from '../helpers/postgres.ts';

let pg: ThrowawayPostgres;
let sql: Sql;
const dir = mkdtempSync(path.join(tmpdir(), 'proctor-evidence-pg-'));
const ledgerKey = generateSigningKey();
const exporterKey = generateSigningKey();

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.url);
  await migrate(sql);
  for (const chain of ['pg-a', 'pg-b']) {
    const ledger = await openLedger({
      sql,
      signer: loadSigner(ledgerKey.privateKeyPem),
      chain,
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 500, everySeconds: 0 },
    });
    const appends = [];
    for (let i = 0; i < 1300; i++) {
      const sub = i % 3 === 0 ? 'erin' : 'frank';
      appends.push(
        ledger.append(
          'decision',
          `${chain}-${i}`,
          {
            principal: { iss: 'https://idp', sub, client_id: null, groups: ['ops'], tenant: null },
            decision: { allow: false, stage: 'decide', reasons: [{ code: 'R', message: 'no' }], obligations: null },
          },
          { subject: sub, decision: 'deny' },
        ),
      );
    }
    await Promise.all(appends);
    await ledger.close(); // writes a last checkpoint
  }
  writeFileSync(path.join(dir, 'ledger.pub.pem'), ledgerKey.publicKeyPem);
  writeFileSync(path.join(dir, 'exporter.pem'), exporterKey.privateKeyPem);
  writeFileSync(path.join(dir, 'exporter.pub.pem'), exporterKey.publicKeyPem);
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

describe('evidence packets on PostgreSQL', () => {
  it('exports one subject across two chains and the packet verifies offline', async () => {
    const out = path.join(dir, 'erin.tar.gz');
    let text = '';
    let err = '';
    const code = await runExport(
      [
        '--db',
        pg.url,
        '--key',
        path.join(dir, 'exporter.pem'),
        '--exported-by',
        'pg test',
        '--out',
        out,
        '--subject',
        'erin',
        '--trust',
        path.join(dir, 'ledger.pub.pem'),
      ],
      { stdout: (s) => (text += s), stderr: (s) => (err += s), env: {} },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(text).toContain('868 records (868 decisions: 0 allowed, 868 denied; 0 outcomes) from 2 chain(s)');
    expect(text).toContain('check before signing: VERIFIED');
    let verified = '';
    const v = await runVerify(
      [out, '--trust', path.join(dir, 'ledger.pub.pem'), '--trust-exporter', path.join(dir, 'exporter.pub.pem')],
      { stdout: (s) => (verified += s), stderr: () => {}, env: {} },
    );
    expect(verified).toContain('chain pg-a: 434 records');
    expect(verified).toContain('verdict: OK: verified');
    expect(v).toBe(0);
  }, 60_000);
});
