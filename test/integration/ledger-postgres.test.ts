// The ledger on a real PostgreSQL 15: the same migrations as PGlite, concurrent appenders, two writers on one
// chain (refused by the lease), the append-only triggers, a stopped server, and the `proctor verify` exit codes.
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { generateSigningKey, LedgerError, loadSigner, openLedger } from '../../src/ledger/index.ts';
import { verifyLedger } from '../../src/verify/index.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const clock = { now: () => new Date() };
const allow = { decision: { allow: true, reasons: [], obligations: null } };
let pg: ThrowawayPostgres;
let sql: Sql;
let admin: Sql;
let trustFile: string;
let otherTrustFile: string;

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.url, { connectTimeoutMs: 1000 });
  admin = connectPostgres(pg.superuserUrl, { max: 2 });
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-ledger-it-'));
  trustFile = path.join(dir, 'trusted.pem');
  otherTrustFile = path.join(dir, 'other.pem');
  writeFileSync(trustFile, key.publicKeyPem);
  writeFileSync(otherTrustFile, generateSigningKey().publicKeyPem);
});

afterAll(async () => {
  await sql?.close();
  await admin?.close();
  await pg?.destroy();
});

async function verifyCli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runVerify(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err };
}

describe('migrations on PostgreSQL 15', () => {
  it('serialise concurrent migrators and apply once', async () => {
    const others = [connectPostgres(pg.url), connectPostgres(pg.url)];
    try {
      await Promise.all([migrate(sql), ...others.map((o) => migrate(o))]);
    } finally {
      await Promise.all(others.map((o) => o.close()));
    }
    const { rows } = await sql.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version');
    const files = readdirSync(new URL('../../migrations/', import.meta.url))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(rows.map((r) => r.version)).toEqual(files.map((f) => f.slice(0, 3)));
  });
});

describe('roles (migration 004)', () => {
  it('a superuser migrator creates proctor_runtime (append, read) and proctor_auditor (read only)', async () => {
    await admin.query('CREATE DATABASE proctor_roles');
    const url = new URL(pg.superuserUrl);
    url.pathname = '/proctor_roles';
    const su = connectPostgres(url.toString(), { max: 1 });
    try {
      await migrate(su);
      const ledger = await openLedger({ sql: su, signer, chain: 'it-roles', clock });
      await ledger.close();
      const as = (role: string, statement: string) =>
        su.transaction(async (tx) => {
          await tx.query(`SET LOCAL ROLE ${role}`);
          return tx.query(statement);
        });
      await expect(as('proctor_runtime', 'SELECT count(*) FROM audit_records')).resolves.toBeDefined();
      await expect(as('proctor_runtime', "UPDATE audit_records SET request_id = 'x'")).rejects.toMatchObject({
        code: '42501',
      });
      await expect(as('proctor_runtime', 'DELETE FROM audit_records')).rejects.toMatchObject({ code: '42501' });
      await expect(as('proctor_runtime', 'TRUNCATE audit_records')).rejects.toMatchObject({ code: '42501' });
      await expect(as('proctor_auditor', 'SELECT count(*) FROM audit_checkpoints')).resolves.toBeDefined();
      await expect(
        as('proctor_auditor', "INSERT INTO audit_keys (kid, public_key_pem) VALUES ('k', 'p')"),
      ).rejects.toMatchObject({ code: '42501' });
    } finally {
      await su.close();
    }
  });
});

describe('appending', () => {
  it('50 concurrent appends from one ledger make a contiguous chain that verifies, each committed when it resolves', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'it-concurrent', clock });
    const appended = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const record = await ledger.append('decision', `r${i}`, {
          decision: { allow: false, reasons: [], obligations: null },
        });
        const seen = await admin.query("SELECT 1 FROM audit_records WHERE chain = 'it-concurrent' AND seq = $1", [
          record.seq,
        ]);
        expect(seen.rows).toHaveLength(1);
        return record.seq;
      }),
    );
    expect(appended).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['it-concurrent'] });
    expect(report).toMatchObject({ ok: true, findings: [], chains: [{ records: 51 }] });
  });

  it('a batch is one prepared statement: parsed once per connection, then only bound and run', async () => {
    const one = connectPostgres(pg.url, { max: 1 }); // the ledger's batches and the check below share one session
    try {
      const ledger = await openLedger({ sql: one, signer, chain: 'it-prepared', clock });
      const denied = { decision: { allow: false, reasons: [], obligations: null } };
      for (let i = 0; i < 3; i++) await ledger.append('decision', `p${i}`, denied);
      const prepared = await one.query<{ name: string; statement: string }>(
        'SELECT name, statement FROM pg_prepared_statements',
      );
      expect(prepared.rows).toEqual([
        { name: 'proctor_audit_append_batch', statement: expect.stringContaining('audit_append_batch($1') },
      ]);
      await ledger.close();
      const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['it-prepared'] });
      expect(report).toMatchObject({ ok: true, findings: [], chains: [{ records: 4 }] });
    } finally {
      await one.close();
    }
  });

  it('a second process on the same chain is refused (ERR_CHAIN_LEASED) until the holder goes; then it resumes', async () => {
    const second = connectPostgres(pg.url);
    try {
      const a = await openLedger({ sql, signer, chain: 'it-two-writers', clock });
      const first = await a.append('decision', 'w0', { decision: { allow: false, reasons: [], obligations: null } });
      const refused = await openLedger({ sql: second, signer, chain: 'it-two-writers', clock }).catch(
        (e: unknown) => e,
      );
      expect((refused as LedgerError).code).toBe('ERR_CHAIN_LEASED');
      await a.close();
      const b = await openLedger({ sql: second, signer, chain: 'it-two-writers', clock });
      const next = await b.append('decision', 'w1', { decision: { allow: false, reasons: [], obligations: null } });
      expect([first.seq, next.seq]).toEqual([1, 2]);
      expect(next.record.prev).toBe(first.hash);
      await b.close();
      const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['it-two-writers'] });
      expect(report).toMatchObject({ ok: true, findings: [], chains: [{ records: 3 }] });
    } finally {
      await second.close();
    }
  });

  it('several replicas on one database each keep their own chain, concurrently', async () => {
    const ledgers = await Promise.all(
      ['it-rep-a', 'it-rep-b', 'it-rep-c'].map((chain) => openLedger({ sql, signer, chain, clock })),
    );
    await Promise.all(
      ledgers.flatMap((l) =>
        Array.from({ length: 30 }, (_, i) =>
          l.append('decision', `x${i}`, { decision: { allow: false, reasons: [], obligations: null } }),
        ),
      ),
    );
    await Promise.all(ledgers.map((l) => l.close()));
    const report = await verifyLedger({
      sql,
      trustedKeys: [key.publicKeyPem],
      chains: ['it-rep-a', 'it-rep-b', 'it-rep-c'],
    });
    expect(report).toMatchObject({ ok: true, findings: [] });
    expect(report.chains.map((c) => c.records)).toEqual([31, 31, 31]);
  });

  it('append-only triggers hold on PostgreSQL, also under session_replication_role = replica', async () => {
    await openLedger({ sql, signer, chain: 'it-triggers', clock });
    for (const statement of [
      "UPDATE audit_records SET request_id = 'x'",
      'DELETE FROM audit_records',
      'TRUNCATE audit_records',
    ]) {
      await expect(sql.query(statement)).rejects.toMatchObject({ code: 'PR001' });
      await expect(
        admin.transaction(async (tx) => {
          await tx.query("SET LOCAL session_replication_role = 'replica'");
          await tx.query(statement);
        }),
      ).rejects.toMatchObject({ code: 'PR001' });
    }
    await expect(
      sql.query("UPDATE audit_chains SET head_seq = 0, head_hash = NULL WHERE chain = 'it-triggers'"),
    ).rejects.toMatchObject({
      code: 'PR002',
    });
  });
});

describe('proctor verify (runVerify)', () => {
  it('exit 0 on a clean chain, with a human summary that names no record contents', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'it-cli', clock });
    const decision = await ledger.append('decision', 'secret-request-id', {
      ...allow,
      principal: {
        iss: 'i',
        sub: 'carol@example.com',
        client_id: null,
        groups: [],
        tenant: null,
        token_fingerprint: 'f',
      },
    });
    await ledger.append('outcome', 'secret-request-id', { decision_hash: decision.hash, status: 200, latency_ms: 1 });
    const { code, out } = await verifyCli(['--db', pg.url, '--trust', trustFile, '--chain', 'it-cli']);
    expect(code).toBe(0);
    expect(out).toContain('chain it-cli: 3 records');
    expect(out).toMatch(/verdict: OK/);
    expect(out).not.toContain('carol');
    expect(out).not.toContain('secret-request-id');
    const json = await verifyCli(['--db', pg.url, '--trust', trustFile, '--chain', 'it-cli', '--json']);
    // A chain without a trusted checkpoint is said to be unanchored (a warning): nothing else is found.
    const report = JSON.parse(json.out) as { ok: boolean; inconclusive: boolean; findings: { code: string }[] };
    expect(report).toMatchObject({ ok: true, inconclusive: false });
    expect(report.findings.map((f) => f.code)).toEqual(['VERIFY_TAIL_UNANCHORED']);
  });

  it('exit 3 when inconclusive: no trusted key, or an empty chain', async () => {
    expect((await verifyCli(['--db', pg.url, '--chain', 'it-cli'])).code).toBe(3);
    expect((await verifyCli(['--db', pg.url, '--trust', trustFile, '--chain', 'it-nothing-here'])).code).toBe(3);
  });

  it('exit 1 on an integrity failure: an untrusted key, or a record rewritten by a DBA', async () => {
    const untrusted = await verifyCli(['--db', pg.url, '--trust', otherTrustFile, '--chain', 'it-cli', '--json']);
    expect(untrusted.code).toBe(1);
    const codes = JSON.parse(untrusted.out).findings.map((f: { code: string }) => f.code) as string[];
    expect(codes.filter((c) => c !== 'VERIFY_TAIL_UNANCHORED')).toEqual(['RECORD_KEY_UNTRUSTED']);
    await admin.query('ALTER TABLE audit_records DISABLE TRIGGER USER');
    try {
      await admin.query(
        "UPDATE audit_records SET record = convert_to(replace(convert_from(record, 'UTF8'), '\"status\":200', '\"status\":201'), 'UTF8') WHERE chain = 'it-cli' AND seq = 2",
      );
    } finally {
      await admin.query('SELECT audit_records_arm_guards()');
    }
    const tampered = await verifyCli(['--db', pg.url, '--trust', trustFile, '--chain', 'it-cli']);
    expect(tampered.code).toBe(1);
    expect(tampered.out).toMatch(/ERROR RECORD_HASH_MISMATCH \(chain it-cli seq 2\)/);
    expect(tampered.out).toMatch(/verdict: FAILED/);
    expect((await verifyCli(['--db', pg.superuserUrl, '--trust', trustFile])).code).toBe(1); // every chain
  });

  it.each([
    [['--db', 'postgres://x/y', '--trust', '/no/such/file'], '--trust'],
    [['--db', 'postgres://x/y', '--bogus'], '--bogus'],
    [['--trust'], '--trust'],
    [['--db', 'mysql://x/y'], '--db'],
    [['--db', 'postgres://x/y', '--pglite', '/tmp'], '--pglite'],
    [['--pglite', '/no/such/dir'], '--pglite'],
    [[], '--db'],
  ])('exit 2 on a usage error, naming the flag: %j', async (args, flag) => {
    const { code, err } = await verifyCli(args);
    expect(code).toBe(2);
    expect(err).toContain(flag);
  });

  it('exit 2 for a trust file that holds no Ed25519 public key', async () => {
    const bad = path.join(path.dirname(trustFile), 'private.pem');
    writeFileSync(bad, key.privateKeyPem);
    expect((await verifyCli(['--db', pg.url, '--trust', bad])).code).toBe(2);
  });
});

describe('database down', () => {
  it('append rejects with ERR_AUDIT_UNAVAILABLE within a few seconds, and the chain resumes and verifies after a restart', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'it-outage', clock });
    await ledger.append('decision', 'before', allow);
    await pg.stop();
    try {
      // Rejected while the database is still down (pg.start() runs after): the ledger's deadline ends the wait.
      const err = await ledger.append('decision', 'during', allow).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LedgerError);
      expect((err as LedgerError).code).toBe('ERR_AUDIT_UNAVAILABLE');
      expect((await verifyCli(['--db', pg.url, '--trust', trustFile])).code).toBe(3);
    } finally {
      await pg.start();
    }
    const after = await ledger.append('decision', 'after', allow);
    expect(after.seq).toBe(2);
    const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['it-outage'] });
    expect(report.ok).toBe(true);
    expect(report.findings.map((f) => f.code)).toEqual(['DECISION_WITHOUT_OUTCOME', 'DECISION_WITHOUT_OUTCOME']);
  });
});
