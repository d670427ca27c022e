// The writer against two REAL witnesses (litewitness, pinned in test/helpers/witness.ts): checkpoints across three
// ledger sessions are each cosigned by both, every later one through a consistency proof from the size the witness
// cosigned before (litewitness checks it: a wrong proof is 422); cosignatures are stored and verify under the
// witness keys, and the sink holds the cosigned notes. A witness that knows a larger size is reported as a rollback.
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { migrate, openPglite } from '../../src/db/index.ts';
import { exportPacket } from '../../src/evidence/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger, verifierKey } from '../../src/ledger/index.ts';
import type { Signer } from '../../src/ledger/index.ts';
import { checkCosignature, parseWitnessKey, witnessVerifierKey } from '../../src/ledger/witness-cosignature.ts';
import type { WitnessOptions } from '../../src/ledger/witness.ts';
import { startWitness } from '../helpers/witness.ts';
import type { RunningWitness } from '../helpers/witness.ts';

const CHAIN = 'w1';
const ORIGIN = `proctor/ledger/${CHAIN}`;
const clock = { now: () => new Date() };
const deny = { decision: { allow: false, reasons: [], obligations: null } };

let dir: string;
let sql: Sql;
let signer: Signer;
let witnesses: RunningWitness[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-witness-cosign-'));
  sql = await openPglite();
  await migrate(sql);
  signer = loadSigner(generateSigningKey().privateKeyPem);
  witnesses = await Promise.all([startWitness('witness.test/a'), startWitness('witness.test/b')]);
  for (const w of witnesses) await w.addLog(ORIGIN, verifierKey(ORIGIN, signer.publicKeyPem));
}, 300_000);

afterAll(async () => {
  await Promise.all(witnesses.map((w) => w.stop()));
  await sql?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function session(records: number, opts: WitnessOptions, errors: unknown[]): Promise<void> {
  const ledger = await openLedger({
    sql,
    signer,
    chain: CHAIN,
    clock,
    checkpoints: {
      everyRecords: 1_000_000,
      everySeconds: 0,
      sinkPath: path.join(dir, 'sink.jsonl'),
      witnesses: opts,
      onError: (e) => errors.push(e),
    },
  });
  for (let i = 0; i < records; i++) await ledger.append('decision', `r-${i}`, deny);
  await ledger.checkpoint();
  await ledger.close(); // settles the witness submissions
}

describe('checkpoints cosigned by real witnesses', () => {
  it('cosigns every checkpoint through consistency proofs, stores and sinks the cosignatures', async () => {
    const opts: WitnessOptions = {
      witnesses: witnesses.map((w) => ({ url: w.url, key: w.vkey, timeoutMs: 5000 })),
      quorum: 2,
    };
    const errors: unknown[] = [];
    for (const n of [5, 6, 13]) await session(n, opts, errors);
    expect(errors).toEqual([]);
    const { rows } = await sql.query<{ tree_size: unknown; witness: string; line: string }>(
      'SELECT tree_size, witness, line FROM audit_witness_cosignatures ORDER BY witness, tree_size',
    );
    const sizes = (
      await sql.query<{ tree_size: unknown }>(
        'SELECT tree_size FROM audit_checkpoints WHERE chain = $1 ORDER BY tree_size',
        [CHAIN],
      )
    ).rows.map((r) => Number(r.tree_size));
    expect(sizes.length).toBe(3);
    for (const w of witnesses) {
      const mine = rows.filter((r) => r.witness === w.vkey);
      expect(mine.map((r) => Number(r.tree_size))).toEqual(sizes);
    }
    const sink = readFileSync(path.join(dir, 'sink.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { tree_size: number; note: string });
    const cosigned = sink.filter((e) => e.note.includes('witness.test/'));
    expect(cosigned.map((e) => e.tree_size)).toEqual(sizes);
    for (const e of cosigned) {
      for (const w of witnesses) expect(checkCosignature(e.note, parseWitnessKey(w.vkey)).status).toBe('valid');
    }
  }, 120_000);

  it('carries the cosignatures in evidence packets, which verify --witness checks offline', async () => {
    const exporter = generateSigningKey();
    const result = await exportPacket({
      sql,
      exporterKey: createPrivateKey(exporter.privateKeyPem),
      exportedBy: 'auditor@test',
      exportedAt: new Date(),
      query: {
        subjects: [],
        groups: [],
        tenants: [],
        clients: [],
        request_ids: [],
        from: null,
        to: null,
        decision: null,
        policy_versions: [],
        types: ['decision'],
        until_checkpoint: false,
      },
    });
    const packet = path.join(dir, 'packet.tar.gz');
    writeFileSync(packet, result.bytes);
    writeFileSync(path.join(dir, 'ledger.pem'), signer.publicKeyPem);
    writeFileSync(path.join(dir, 'exporter.pem'), exporter.publicKeyPem);
    const verify = async (...extra: string[]) => {
      let out = '';
      const args = [
        packet,
        '--trust',
        path.join(dir, 'ledger.pem'),
        '--trust-exporter',
        path.join(dir, 'exporter.pem'),
        ...extra,
        '--json',
      ];
      const code = await runVerify(args, { stdout: (t) => (out += t), stderr: () => {}, env: {} });
      return { code, codes: (JSON.parse(out) as { findings: { code: string }[] }).findings.map((f) => f.code) };
    };
    const pinned = witnesses.flatMap((w) => ['--witness', w.vkey]);
    expect(await verify(...pinned)).toEqual({ code: 0, codes: [] });
    // A third pinned witness that never cosigned: the quorum of all three is not met.
    const stranger = witnessVerifierKey('witness.test/c', generateSigningKey().publicKeyPem);
    const r = await verify(...pinned, '--witness', stranger);
    expect(r).toEqual({ code: 1, codes: ['WITNESS_QUORUM_MISSING'] });
    expect((await verify(...pinned, '--witness', stranger, '--witness-quorum', '2')).code).toBe(0);
  }, 60_000);

  it('verify --checkpoints <sink> --witness checks the cosigned notes of the sink alone', async () => {
    const verify = async (...extra: string[]) => {
      let out = '';
      const args = [
        '--checkpoints',
        path.join(dir, 'sink.jsonl'),
        '--trust',
        path.join(dir, 'ledger.pem'),
        ...extra,
        '--json',
      ];
      const code = await runVerify(args, { stdout: (t) => (out += t), stderr: () => {}, env: {} });
      return { code, codes: (JSON.parse(out) as { findings: { code: string }[] }).findings.map((f) => f.code) };
    };
    writeFileSync(path.join(dir, 'ledger.pem'), signer.publicKeyPem);
    const pinned = witnesses.flatMap((w) => ['--witness', w.vkey]);
    expect(await verify(...pinned)).toEqual({ code: 0, codes: [] });
    const stranger = witnessVerifierKey('witness.test/c', generateSigningKey().publicKeyPem);
    expect(await verify(...pinned, '--witness', stranger)).toEqual({ code: 1, codes: ['WITNESS_QUORUM_MISSING'] });
  }, 60_000);

  it('reports a witness that knows a larger size as a rollback, and stores nothing for it', async () => {
    const fresh = await openPglite();
    await migrate(fresh);
    const errors: { code?: string }[] = [];
    const ledger = await openLedger({
      sql: fresh,
      signer,
      chain: CHAIN,
      clock,
      checkpoints: {
        everyRecords: 1_000_000,
        everySeconds: 0,
        witnesses: { witnesses: [{ url: witnesses[0]?.url ?? '', key: witnesses[0]?.vkey ?? '', timeoutMs: 5000 }] },
        onError: (e) => errors.push(e as { code?: string }),
      },
    });
    for (let i = 0; i < 3; i++) await ledger.append('decision', `r-${i}`, deny);
    await ledger.checkpoint();
    await ledger.close();
    expect(errors.map((e) => e.code)).toContain('ERR_WITNESS_ROLLBACK');
    const { rows } = await fresh.query('SELECT 1 FROM audit_witness_cosignatures');
    expect(rows).toEqual([]);
    await fresh.close();
  }, 60_000);

  it('a writer that lost its cosignature rows resumes from the size the witness names; a lost checkpoint is loud', async () => {
    const newest = async () =>
      Number((await sql.query<{ n: unknown }>('SELECT max(tree_size) AS n FROM audit_checkpoints')).rows[0]?.n);
    const cosigned = async () =>
      (await sql.query<{ tree_size: unknown }>('SELECT tree_size FROM audit_witness_cosignatures')).rows.map((r) =>
        Number(r.tree_size),
      );
    const opts: WitnessOptions = { witnesses: witnesses.map((w) => ({ url: w.url, key: w.vkey, timeoutMs: 5000 })) };
    await sql.query('ALTER TABLE audit_witness_cosignatures DISABLE TRIGGER USER');
    await sql.query('ALTER TABLE audit_checkpoints DISABLE TRIGGER USER');
    // Cosignature rows lost: old 0 is answered 409 <size>, and the proof starts there (its stored frontier).
    let before = await newest();
    await sql.query('DELETE FROM audit_witness_cosignatures');
    const errors: { code?: string }[] = [];
    await session(2, opts, errors);
    expect(errors).toEqual([]);
    expect((await cosigned()).filter((size) => size > before)).toEqual([before + 2, before + 2]);
    // The newest checkpoint lost too: resubmitting the one before it is a rollback to the witnesses, said loudly; the
    // next checkpoint is still cosigned, its proof rebuilt from the records.
    before = await newest();
    await sql.query('DELETE FROM audit_witness_cosignatures');
    await sql.query('DELETE FROM audit_checkpoints WHERE tree_size = $1', [before]);
    await session(2, opts, errors);
    expect(errors.map((e) => e.code)).toContain('ERR_WITNESS_ROLLBACK');
    expect((await cosigned()).filter((size) => size > before)).toEqual([before + 2, before + 2]);
  }, 60_000);
});
