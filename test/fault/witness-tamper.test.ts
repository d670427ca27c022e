// `proctor verify --witness` against two REAL witnesses (litewitness) and a superuser on PostgreSQL 15, with no
// --state and no sink file: a clean ledger passes with the quorum (online too); deleted cosignatures are
// WITNESS_QUORUM_MISSING and an altered one WITNESS_COSIGNATURE_INVALID (exit 1); records cut below a cosigned
// checkpoint are CHAIN_ROLLED_BACK; and a tail deleted together with its checkpoints and cosignatures — which the
// database alone cannot show — is CHAIN_ROLLED_BACK once the witnesses are asked (--witness-url); a history rewritten
// with the ledger key itself is WITNESS_FORK (the witnesses cosigned another root for that size).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger, verifierKey } from '../../src/ledger/index.ts';
import { disableGuards } from '../helpers/ledger-tamper.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { ThrowawayPostgres } from '../helpers/postgres.ts';
import { startWitness } from '../helpers/witness.ts';
import type { RunningWitness } from '../helpers/witness.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
let pg: ThrowawayPostgres;
let dir: string;
let trustFile: string;
let witnesses: RunningWitness[] = [];

interface Finding {
  code: string;
  severity: string;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-witness-tamper-'));
  trustFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(trustFile, key.publicKeyPem);
  [pg, ...witnesses] = await Promise.all([
    startPostgres(),
    startWitness('witness.test/a'),
    startWitness('witness.test/b'),
  ]);
}, 600_000);

afterAll(async () => {
  await Promise.all(witnesses.map((w) => w.stop()));
  await pg?.destroy();
});

/** A database of its own with one chain written over two sessions, each checkpoint cosigned by both witnesses. */
async function ledgerOf(chain: string): Promise<{ sql: Sql; url: string; sizes: number[] }> {
  const admin = connectPostgres(pg.superuserUrl, { max: 1 });
  await admin.query(`CREATE DATABASE ${chain} OWNER proctor`);
  await admin.close();
  const url = pg.superuserUrl.replace(/\/proctor$/, `/${chain}`);
  const sql = connectPostgres(url, { max: 2 });
  await migrate(sql);
  const origin = `proctor/ledger/${chain}`;
  for (const w of witnesses) await w.addLog(origin, verifierKey(origin, signer.publicKeyPem));
  const errors: unknown[] = [];
  let t = Date.parse('2026-04-01T00:00:00.000Z');
  const clock = { now: () => new Date((t += 1000)) };
  for (const n of [6, 5]) {
    const ledger = await openLedger({
      sql,
      signer,
      chain,
      clock,
      checkpoints: {
        everyRecords: 1_000_000,
        everySeconds: 0,
        onError: (e) => errors.push(e),
        witnesses: { witnesses: witnesses.map((w) => ({ url: w.url, key: w.vkey, timeoutMs: 5000 })) },
      },
    });
    for (let i = 0; i < n; i++) {
      const body = {
        principal: {
          iss: 'https://idp.test',
          sub: 'carol',
          client_id: null,
          groups: [],
          tenant: null,
          token_fingerprint: 'f',
        },
        decision: { allow: false, reasons: [], obligations: null },
      };
      await ledger.append('decision', `${chain}-${n}-${i}`, body, { subject: 'carol', decision: 'deny' });
    }
    await ledger.checkpoint();
    await ledger.close();
  }
  expect(errors).toEqual([]);
  const { rows } = await sql.query('SELECT 1 FROM audit_witness_cosignatures');
  expect(rows.length).toBe(4); // two checkpoints, two witnesses
  const sizes = (
    await sql.query<{ tree_size: unknown }>('SELECT tree_size FROM audit_checkpoints ORDER BY tree_size')
  ).rows.map((r) => Number(r.tree_size));
  expect(sizes.length).toBe(2);
  await disableGuards(sql);
  await sql.query('ALTER TABLE audit_witness_cosignatures DISABLE TRIGGER USER');
  return { sql, url, sizes };
}

async function verify(url: string, ...extra: string[]): Promise<{ code: number; findings: Finding[] }> {
  let out = '';
  const args = [
    '--db',
    url,
    '--trust',
    trustFile,
    ...witnesses.flatMap((w) => ['--witness', w.vkey]),
    ...extra,
    '--json',
  ];
  const code = await runVerify(args, { stdout: (s) => (out += s), stderr: () => {}, env: {} });
  return { code, findings: (JSON.parse(out) as { findings: Finding[] }).findings };
}

const errors = (r: { findings: Finding[] }) =>
  [...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.code))].sort();
const online = () => witnesses.flatMap((w) => ['--witness-url', w.url]);

describe('verify --witness, no state file', () => {
  it('passes a clean ledger with the quorum, offline and online', async () => {
    const { sql, url } = await ledgerOf('clean');
    expect(await verify(url)).toEqual({ code: 0, findings: [] });
    expect(await verify(url, ...online())).toEqual({ code: 0, findings: [] });
    expect((await verify(url, '--witness-quorum', '1')).code).toBe(0);
    await sql.close();
  }, 120_000);

  it('cosignatures deleted: WITNESS_QUORUM_MISSING', async () => {
    const { sql, url, sizes } = await ledgerOf('nocosig');
    await sql.query('DELETE FROM audit_witness_cosignatures WHERE tree_size = $1', [sizes[1]]);
    const r = await verify(url);
    expect(r.code).toBe(1);
    expect(errors(r)).toEqual(['WITNESS_QUORUM_MISSING']);
    await sql.query('DELETE FROM audit_witness_cosignatures');
    expect(errors(await verify(url))).toEqual(['WITNESS_QUORUM_MISSING']);
    await sql.close();
  }, 120_000);

  it('a cosignature altered: WITNESS_COSIGNATURE_INVALID, even when the quorum is met without it', async () => {
    const { sql, url, sizes } = await ledgerOf('altered');
    const w = witnesses[0] as RunningWitness;
    const { rows } = await sql.query<{ line: string }>(
      'SELECT line FROM audit_witness_cosignatures WHERE witness = $1 AND tree_size = $2',
      [w.vkey, sizes[1]],
    );
    const line = rows[0]?.line ?? '';
    const blob = Buffer.from(line.split(' ')[2] ?? '', 'base64');
    blob[20] = (blob[20] ?? 0) ^ 1; // inside the signature
    await sql.query('UPDATE audit_witness_cosignatures SET line = $1 WHERE line = $2', [
      `${line.split(' ').slice(0, 2).join(' ')} ${blob.toString('base64')}`,
      line,
    ]);
    const r = await verify(url, '--witness-quorum', '1');
    expect(r.code).toBe(1);
    expect(errors(r)).toEqual(['WITNESS_COSIGNATURE_INVALID']);
    await sql.close();
  }, 120_000);

  it('records cut below the cosigned size: CHAIN_ROLLED_BACK', async () => {
    const { sql, url, sizes } = await ledgerOf('cutrecords');
    const keep = (sizes[1] ?? 0) - 3; // records 0 .. keep-1 stay
    await sql.query("DELETE FROM audit_records WHERE chain = 'cutrecords' AND seq >= $1", [keep]);
    await sql.query(
      "UPDATE audit_chains SET head_seq = $1, head_hash = (SELECT hash FROM audit_records WHERE chain = 'cutrecords' AND seq = $1) WHERE chain = 'cutrecords'",
      [keep - 1],
    );
    const r = await verify(url);
    expect(r.code).toBe(1);
    expect(errors(r)).toContain('CHAIN_ROLLED_BACK');
    await sql.close();
  }, 120_000);

  it('a tail deleted with its checkpoints and cosignatures: only the witnesses can tell, and they do', async () => {
    const { sql, url, sizes } = await ledgerOf('cuttail');
    const keep = sizes[0] ?? 0; // back to the first cosigned checkpoint, as if nothing came after
    await sql.query("DELETE FROM audit_records WHERE chain = 'cuttail' AND seq >= $1", [keep]);
    await sql.query("DELETE FROM audit_checkpoints WHERE chain = 'cuttail' AND tree_size > $1", [keep]);
    await sql.query("DELETE FROM audit_witness_cosignatures WHERE chain = 'cuttail' AND tree_size > $1", [keep]);
    await sql.query(
      "UPDATE audit_chains SET head_seq = $1, head_hash = (SELECT hash FROM audit_records WHERE chain = 'cuttail' AND seq = $1) WHERE chain = 'cuttail'",
      [keep - 1],
    );
    expect((await verify(url)).code).toBe(0); // the database alone is a consistent, cosigned, shorter chain
    const r = await verify(url, ...online());
    expect(r.code).toBe(1);
    expect(errors(r)).toEqual(['CHAIN_ROLLED_BACK']);
    await sql.close();
  }, 120_000);

  it('a history rewritten by a holder of the ledger key: the witnesses saw another root (WITNESS_FORK)', async () => {
    const { sql, url, sizes } = await ledgerOf('forked');
    const keep = sizes[0] ?? 0;
    await sql.query("DELETE FROM audit_records WHERE chain = 'forked' AND seq >= $1", [keep]);
    await sql.query("DELETE FROM audit_checkpoints WHERE chain = 'forked' AND tree_size > $1", [keep]);
    await sql.query("DELETE FROM audit_witness_cosignatures WHERE chain = 'forked' AND tree_size > $1", [keep]);
    const head = "(SELECT hash FROM audit_records WHERE chain = 'forked' AND seq = $1)";
    await sql.query(`UPDATE audit_chains SET head_seq = $1, head_hash = ${head} WHERE chain = 'forked'`, [keep - 1]);
    await sql.query(`UPDATE audit_chain_tails SET seq = $1, hash = ${head} WHERE chain = 'forked'`, [keep - 1]);
    // Same key, same number of records, other contents: a signed, self-consistent history the witnesses never saw.
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'forked',
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 1_000_000, everySeconds: 0 },
    });
    for (let i = keep; i < (sizes[1] ?? 0); i++)
      await ledger.append('decision', `forged-${i}`, { decision: { allow: false, reasons: [], obligations: null } });
    await ledger.checkpoint();
    await ledger.close();
    expect(errors(await verify(url))).toEqual(['WITNESS_QUORUM_MISSING']);
    const r = await verify(url, ...online());
    expect(r.code).toBe(1);
    expect(errors(r)).toEqual(['WITNESS_FORK', 'WITNESS_QUORUM_MISSING']);
    await sql.close();
  }, 120_000);
});
