// The embedded path on disk: a PGlite data directory survives close/reopen, the chain resumes from its committed
// head, and `proctor verify --pglite <dir>` checks it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { migrate, openPglite } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'proctor-pglite-it-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ledger on an on-disk PGlite', () => {
  it('resumes after a reopen and verifies with --pglite', async () => {
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
    const code = await runVerify(['--pglite', data, '--trust', trust], { stdout: (s) => (out += s), stderr: () => {}, env: {} });
    expect(out).toContain('chain embedded: 3 records');
    expect(out).toContain('verdict: OK');
    expect(code).toBe(0);
  });
});
