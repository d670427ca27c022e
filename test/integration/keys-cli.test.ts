// `proctor keys generate|export|rotate` on an on-disk PGlite, and `proctor verify --trust <keyring>` afterwards:
// the rotation is followed from the first key, and the keyring's validity windows are enforced.
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKeysCli } from '../../src/cli/keys.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { migrate, openPglite } from '../../src/db/index.ts';
import { loadSigner, openLedger, parseKeyring } from '../../src/ledger/index.ts';

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: { stdout: (s: string) => void (out.stdout += s), stderr: (s: string) => void (out.stderr += s), env: {} },
  };
}

describe('proctor keys', () => {
  it('generates, exports, rotates; verify follows the rotation and enforces the keyring windows', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proctor-keys-'));
    const keyring = path.join(dir, 'keyring.json');
    const db = path.join(dir, 'db');
    for (const name of ['k1', 'k2'])
      expect(await runKeysCli(['generate', '--out', path.join(dir, name), '--keyring', keyring], io().io)).toBe(0);
    expect(statSync(path.join(dir, 'k1', 'ledger-key.pem')).mode & 0o777).toBe(0o600);
    expect(await runKeysCli(['generate', '--out', path.join(dir, 'k1')], io().io)).toBe(2); // never overwrites

    const exported = io();
    expect(
      await runKeysCli(
        ['export', '--key', path.join(dir, 'k1', 'ledger-key.pem'), '--format', 'vkey', '--chain', 'kc'],
        exported.io,
      ),
    ).toBe(0);
    expect(exported.out.stdout).toMatch(/^proctor\/ledger\/kc\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}=?\n$/);

    const sql = await openPglite(db);
    await migrate(sql);
    const k1 = loadSigner(readFileSync(path.join(dir, 'k1', 'ledger-key.pem'), 'utf8'));
    const ledger = await openLedger({ sql, signer: k1, chain: 'kc', clock: { now: () => new Date() } });
    await ledger.append('decision', 'a', { decision: { allow: false, reasons: [], obligations: null } });
    await ledger.close();
    await sql.close();

    // The keyring as generated has both keys open from their creation; rotate closes k1's window.
    const rotated = io();
    const args = [
      'rotate',
      '--pglite',
      db,
      '--chain',
      'kc',
      '--old',
      path.join(dir, 'k1', 'ledger-key.pem'),
      '--new',
      path.join(dir, 'k2', 'ledger-key.pem'),
      '--keyring',
      keyring,
    ];
    expect(await runKeysCli(args, rotated.io)).toBe(0);
    expect(rotated.out.stdout).toContain('key_rotated at seq 2');
    const ring = parseKeyring(readFileSync(keyring, 'utf8'));
    expect(ring.keys[0]?.not_after).not.toBeNull();

    const pub1 = path.join(dir, 'k1', 'ledger-key.pub.pem');
    expect(await runVerify(['--pglite', db, '--trust', pub1], io().io)).toBe(0);
    expect(await runVerify(['--pglite', db, '--trust', keyring], io().io)).toBe(0);

    // A keyring whose window for k1 ended before the chain began: every k1 record is outside it.
    const early = {
      version: 1,
      keys: ring.keys.map((k, i) =>
        i === 0 ? { ...k, not_before: '2000-01-01T00:00:00.000Z', not_after: '2000-01-02T00:00:00.000Z' } : k,
      ),
    };
    const earlyFile = path.join(dir, 'early.json');
    writeFileSync(earlyFile, JSON.stringify(early));
    const failed = io();
    expect(await runVerify(['--pglite', db, '--trust', earlyFile, '--json'], failed.io)).toBe(1);
    expect((JSON.parse(failed.out.stdout) as { findings: { code: string }[] }).findings.map((f) => f.code)).toContain(
      'RECORD_KEY_OUTSIDE_WINDOW',
    );
  });
});
