// Key rotation: a key_rotated record signed by the old key and counter-signed by the new; verify follows it only
// from a trusted key, retires the old key, and rejects a rotation the new key did not counter-sign.
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../../src/db/index.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import { asMaliciousDba, DENY, rewriteBytes, steppingClock, withFreshDb } from './fixture.ts';

let sql: Sql;
withFreshDb((db) => {
  sql = db;
});

async function rotatedChain(chain: string) {
  const oldKey = generateSigningKey();
  const newKey = generateSigningKey();
  const ledger = await openLedger({
    sql,
    signer: loadSigner(oldKey.privateKeyPem),
    chain,
    clock: steppingClock(),
    checkpoints: { everyRecords: 1000, everySeconds: 0 },
  });
  await ledger.append('decision', 'before', DENY);
  const rotation = await ledger.rotateKey(loadSigner(newKey.privateKeyPem));
  const after = await ledger.append('decision', 'after', DENY);
  await ledger.close(); // the last checkpoint is signed by the new key
  return { oldKey, newKey, rotation, after };
}

describe('key rotation', () => {
  it('writes key_rotated signed by the old key; later records are signed by the new key', async () => {
    const { oldKey, newKey, rotation, after } = await rotatedChain('rot-1');
    expect(rotation.record).toMatchObject({
      type: 'key_rotated',
      kid: oldKey.kid,
      old_kid: oldKey.kid,
      new_kid: newKey.kid,
    });
    expect(after.record.kid).toBe(newKey.kid);
    const report = await verifyLedger({ sql, trustedKeys: [oldKey.publicKeyPem], chains: ['rot-1'] });
    expect(report.findings).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('is not followed from an untrusted key: only the pinned new key is then trusted', async () => {
    const { newKey } = await rotatedChain('rot-2');
    const report = await verifyLedger({ sql, trustedKeys: [newKey.publicKeyPem], chains: ['rot-2'] });
    expect(report.findings.map((f) => f.code)).toEqual(['RECORD_KEY_UNTRUSTED']);
  });

  it('a rotation without a valid counter-signature introduces no key', async () => {
    const { oldKey, rotation } = await rotatedChain('rot-3');
    const forgedSig = `${rotation.record.counter_sig === 'A'.repeat(86) ? 'B' : 'A'}${'A'.repeat(85)}`;
    await asMaliciousDba(sql, () =>
      rewriteBytes(sql, 'rot-3', rotation.seq, (t) => t.replace(String(rotation.record.counter_sig), forgedSig)),
    );
    const codes = (await verifyLedger({ sql, trustedKeys: [oldKey.publicKeyPem], chains: ['rot-3'] })).findings.map(
      (f) => f.code,
    );
    expect(codes).toContain('RECORD_HASH_MISMATCH'); // the old key's signature no longer covers it
    expect(codes).toContain('RECORD_KEY_UNTRUSTED'); // so the new key is not trusted
  });

  it('the old key may not sign after it was rotated out', async () => {
    const oldKey = generateSigningKey();
    const newKey = generateSigningKey();
    const a = await openLedger({
      sql,
      signer: loadSigner(oldKey.privateKeyPem),
      chain: 'rot-4',
      clock: steppingClock(),
    });
    await a.rotateKey(loadSigner(newKey.privateKeyPem));
    await a.close();
    const b = await openLedger({
      sql,
      signer: loadSigner(oldKey.privateKeyPem),
      chain: 'rot-4',
      clock: steppingClock(),
    });
    await b.append('decision', 'stale', DENY);
    await b.close();
    const codes = (
      await verifyLedger({ sql, trustedKeys: [oldKey.publicKeyPem, newKey.publicKeyPem], chains: ['rot-4'] })
    ).findings.map((f) => f.code);
    expect(codes).toEqual(['RECORD_KEY_RETIRED']);
  });
});
