// The embedded path on disk: a PGlite data directory survives close/reopen, the chain resumes from its committed
// head, and `proctor verify --pglite <dir>` checks it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runLedgerCli } from '../../src/cli/ledger.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { migrate, openPglite } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'proctor-pglite-it-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Each test opens its on-disk database three or four times (the test, then the CLI, then the test again: reopening is
// what is tested), ~1-2 s of CPU each and 7 s for the first test alone: 60 s, not 30, so a loaded CI box does not
// time them out.
const REOPENS_TIMEOUT_MS = 60_000;

describe('proctor ledger retention --config on PGlite', () => {
  it(
    'takes the database, signing key and retention_months from the configuration file',
    async () => {
      const key = generateSigningKey();
      const data = path.join(dir, 'retention-db');
      const sql = await openPglite(data);
      await migrate(sql);
      const old = new Date();
      old.setUTCMonth(old.getUTCMonth() - 10, 3);
      const ledger = await openLedger({
        sql,
        signer: loadSigner(key.privateKeyPem),
        chain: 'cfg',
        clock: { now: () => old },
      });
      await ledger.append('decision', 'old', { decision: { allow: false, reasons: [], obligations: null } });
      await ledger.close();
      await sql.close();
      const keyFile = path.join(dir, 'cfg-key.pem');
      writeFileSync(keyFile, key.privateKeyPem, { mode: 0o600 });
      const config = path.join(dir, 'proctor.yaml');
      const doc = (months: number) =>
        JSON.stringify({
          database: { pglite_dir: data },
          ledger: { chain: 'cfg', signing_key: { file: keyFile }, retention_months: months },
          identity: { issuers: [{ issuer: 'https://idp.example', audience: ['proctor'] }] },
          classification: { fingerprint_key: { env: 'FP_KEY' } },
          policy: { bundle: fileURLToPath(new URL('../../bundles/default.tar.gz', import.meta.url)) },
          upstreams: [
            {
              name: 'echo',
              provider: 'openai',
              base_url: 'http://127.0.0.1:9/v1',
              credential: { env: 'UP_KEY' },
              models: ['*'],
            },
          ],
        });
      const env = { FP_KEY: 'k'.repeat(32), UP_KEY: 'x' };
      const run = async (args: string[]) => {
        let out = '';
        let err = '';
        const code = await runLedgerCli(args, { stdout: (t) => (out += t), stderr: (t) => (err += t), env });
        return { code, out, err };
      };
      writeFileSync(config, doc(12));
      const keptAll = await run(['retention', '--config', config, '--apply']);
      expect(keptAll).toMatchObject({ code: 0, err: '' });
      expect(keptAll.out).toContain('retention: 12 whole months');
      expect(keptAll.out).toContain('nothing to drop');
      writeFileSync(config, doc(5));
      expect((await run(['retention', '--config', config])).code).toBe(1); // below 6 in the file: ERR_CONFIG_INVALID
      writeFileSync(config, doc(6));
      const applied = await run(['retention', '--config', config, '--apply', '--json']);
      expect(applied.err).toBe('');
      const result = JSON.parse(applied.out);
      expect(result).toMatchObject({ applied: true, months: 6, chains: [{ chain: 'cfg', droppedThroughSeq: 1 }] });
      expect(result.records).toHaveLength(1);
      const after = await openPglite(data);
      try {
        const { rows } = await after.query<{ kid: string; type: string }>(
          "SELECT kid, type FROM audit_records WHERE chain = 'cfg' ORDER BY seq",
        );
        expect(rows).toEqual([{ kid: key.kid, type: 'retention_applied' }]);
      } finally {
        await after.close();
      }
    },
    REOPENS_TIMEOUT_MS,
  );
});

describe('ledger on an on-disk PGlite', () => {
  it(
    'resumes after a reopen and verifies with --pglite',
    async () => {
      const key = generateSigningKey();
      const signer = loadSigner(key.privateKeyPem);
      const data = path.join(dir, 'db');
      const clock = { now: () => new Date() };

      const first = await openPglite(data);
      await migrate(first);
      const a = await openLedger({ sql: first, signer, chain: 'embedded', clock });
      const decision = await a.append('decision', 'r1', { decision: { allow: true, reasons: [], obligations: null } });
      await first.close();

      const second = await openPglite(data);
      await migrate(second);
      const b = await openLedger({ sql: second, signer, chain: 'embedded', clock });
      const outcome = await b.append('outcome', 'r1', { decision_hash: decision.hash, status: 200 });
      expect(outcome.seq).toBe(2);
      expect(outcome.record.prev).toBe(decision.hash);
      await second.close();

      const trust = path.join(dir, 'key.pub.pem');
      writeFileSync(trust, key.publicKeyPem);
      let out = '';
      const code = await runVerify(['--pglite', data, '--trust', trust], {
        stdout: (s) => (out += s),
        stderr: () => {},
        env: {},
      });
      expect(out).toContain('chain embedded: 3 records');
      expect(out).toContain('verdict: OK');
      expect(code).toBe(0);

      // Retention runs on PGlite too: a dry run over this month's partitions expires nothing.
      out = '';
      const dry = await runLedgerCli(['retention', '--pglite', data], {
        stdout: (s) => (out += s),
        stderr: () => {},
        env: {},
      });
      expect(dry).toBe(0);
      expect(out).toContain(`kept     audit_records_${new Date().toISOString().slice(0, 7).replace('-', '_')}`);
      expect(out).toContain('dry run: nothing dropped');
    },
    REOPENS_TIMEOUT_MS,
  );
});
