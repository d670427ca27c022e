// Round 7 ops, the auditor's side: a database administrator replaces a signed record's bytes with bytes built to make
// `proctor verify` crash, hang or pass (nesting two million levels deep, 300,000 members, bytes that are not UTF-8,
// numbers past any float, a 40 MB string). Each is a finding and exit 1, never a crash or a pass, with the public key
// only. Chains written by the real ledger into a throwaway PostgreSQL, tampered with every guard trigger off.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner } from '../../src/ledger/index.ts';
import { denials } from '../helpers/ledger-chain.ts';
import { disableGuards } from '../helpers/ledger-tamper.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
/** Bytes put in place of a chain's last record (seq 2), by chain. */
const HOSTILE: Record<string, () => Buffer> = {
  deep: () => Buffer.from(`{"a":${'['.repeat(2_000_000)}${']'.repeat(2_000_000)}}`),
  wide: () => Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: 300_000 }, (_, k) => [`k${k}`, k])))),
  'not-utf8': () => Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
  numbers: () => Buffer.from(`{"a":1e999999,"b":${'9'.repeat(100_000)}}`),
  long: () => Buffer.from(`{"a":"${'x'.repeat(40 * 2 ** 20)}"}`),
};

let pg: ThrowawayPostgres;
let sql: Sql;
let trust = '';
beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
  trust = path.join(mkdtempSync(path.join(tmpdir(), 'proctor-r7-verify-')), 'ledger.pub.pem');
  writeFileSync(trust, key.publicKeyPem);
  for (const chain of Object.keys(HOSTILE)) await denials(sql, loadSigner(key.privateKeyPem), chain, 3);
  await disableGuards(sql);
}, 120_000);
afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

async function verify(chain: string): Promise<{ code: number; errors: string[] }> {
  let out = '';
  const args = ['--db', pg.superuserUrl, '--trust', trust, '--chain', chain, '--json'];
  const code = await runVerify(args, { stdout: (s) => (out += s), stderr: () => {}, env: {} });
  const { findings } = JSON.parse(out) as { findings: { code: string; severity: string }[] };
  return { code, errors: findings.filter((f) => f.severity === 'error').map((f) => f.code) };
}

describe('a record replaced by hostile bytes', () => {
  for (const [chain, bytes] of Object.entries(HOSTILE)) {
    it(`control: ${chain}: a finding and exit 1, never a crash or a pass`, async () => {
      const update = 'UPDATE audit_records SET record = $1 WHERE chain = $2 AND seq = 2 RETURNING seq';
      expect((await sql.query(update, [bytes(), chain])).rows).toHaveLength(1);
      const { code, errors } = await verify(chain);
      expect(code).toBe(1);
      expect(errors.some((e) => e === 'RECORD_NOT_CANONICAL' || e === 'RECORD_HASH_MISMATCH')).toBe(true);
    }, 60_000);
  }
});
