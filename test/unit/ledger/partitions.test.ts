// Monthly partitions on PGlite (the same migrations as PostgreSQL): rows land in their month's partition, partitions
// are created ahead of time and on demand, the fork guard holds across months and straight into a partition, and the
// append-only triggers hold on every partition (also under session_replication_role = replica).
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { migrate, openPglite, toBytes, toSafeInteger } from '../../../src/db/index.ts';
import type { Sql } from '../../../src/db/index.ts';
import {
  generateSigningKey,
  loadSigner,
  monthOf,
  openLedger,
  partitionName,
  sealRecord,
} from '../../../src/ledger/index.ts';
import { monthStart } from '../../../src/ledger/partitions.ts';
import { DENY, steppingClock, withFreshDb } from './fixture.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
let sql: Sql;
withFreshDb((db) => {
  sql = db;
});

async function partitions(db: Sql = sql): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_records'::regclass ORDER BY 1",
  );
  return rows.map((r) => r.name);
}

/** A clock that reads `at` until moved. */
function settableClock(at: string) {
  let t = Date.parse(at);
  return { now: () => new Date((t += 1)), set: (iso: string) => void (t = Date.parse(iso)) };
}

describe('monthly partitions', () => {
  it('names partitions by UTC month', () => {
    expect(partitionName(new Date('2026-03-31T23:59:59.999Z'))).toBe('audit_records_2026_03');
    expect(monthOf(new Date('2026-12-01T00:00:00.000Z'))).toBe('2026-12');
    expect(monthStart(new Date('2026-12-15T10:00:00.000Z'), 1).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(monthStart(new Date('2026-01-15T10:00:00.000Z'), -6).toISOString()).toBe('2025-07-01T00:00:00.000Z');
  });

  it('opening a ledger creates this month and the next ahead of time; each record lands in its month', async () => {
    const now = new Date();
    const clock = settableClock('2026-02-27T12:00:00.000Z');
    const ledger = await openLedger({ sql, signer, chain: 'part-1', clock });
    expect(await partitions()).toEqual(expect.arrayContaining([partitionName(now), partitionName(monthStart(now, 1))]));
    await ledger.append('decision', 'feb', DENY);
    clock.set('2026-04-02T00:00:00.000Z'); // April: no partition yet; the batch creates it (and May's) first
    await ledger.append('decision', 'apr', DENY);
    await ledger.close();
    const { rows } = await sql.query<{ seq: unknown; part: string }>(
      "SELECT seq, tableoid::regclass::text AS part FROM audit_records WHERE chain = 'part-1' ORDER BY seq",
    );
    expect(rows.map((r) => [toSafeInteger(r.seq), r.part])).toEqual([
      [0, 'audit_records_2026_02'],
      [1, 'audit_records_2026_02'],
      [2, 'audit_records_2026_04'],
    ]);
    expect(await partitions()).toEqual(
      expect.arrayContaining([
        'audit_records_2026_02',
        'audit_records_2026_03',
        'audit_records_2026_04',
        'audit_records_2026_05',
      ]),
    );
  });

  it('refuses a fork across a month boundary: same seq, same prev, a gap, or a row past the head (PR003)', async () => {
    const clock = settableClock('2026-01-31T23:59:59.000Z');
    const ledger = await openLedger({ sql, signer, chain: 'fork-x', clock });
    const first = await ledger.append('decision', 'jan', DENY); // seq 1, January
    clock.set('2026-02-01T00:00:00.500Z');
    const second = await ledger.append('decision', 'feb', DENY); // seq 2, February
    await ledger.close();
    const insert = (db: Sql, table: string, seq: number, prev: string, ts: string, fill: number) =>
      db.query(
        `INSERT INTO ${table} (chain, seq, ts, type, prev, hash, kid, record) VALUES ('fork-x', $1, $2, 'decision', $3, $4, 'k', '\\x00')`,
        [seq, ts, Buffer.from(prev, 'hex'), new Uint8Array(32).fill(fill)],
      );
    // seq 2 again, in another month than the stored seq 2: no per-partition index sees it; the guard does.
    await expect(insert(sql, 'audit_records', 2, first.hash, '2026-03-05T00:00:00.000Z', 1)).rejects.toMatchObject({
      code: 'PR003',
    });
    // the same prev as stored seq 2 (in February), written in January
    await expect(insert(sql, 'audit_records', 3, first.hash, '2026-01-20T00:00:00.000Z', 2)).rejects.toMatchObject({
      code: 'PR003',
    });
    // straight into a partition, bypassing the parent's statement trigger: the partition's own guard refuses it
    await expect(
      insert(sql, 'audit_records_2026_03', 2, first.hash, '2026-03-05T00:00:00.000Z', 3),
    ).rejects.toMatchObject({ code: 'PR003' });
    // a gap
    await expect(insert(sql, 'audit_records', 4, second.hash, '2026-02-02T00:00:00.000Z', 4)).rejects.toMatchObject({
      code: 'PR003',
    });
    // the right continuation is accepted (the guard does not need the head moved); a second one at the same place, in
    // another month, is not; continuing from the last stored row is, even past the head
    await insert(sql, 'audit_records', 3, second.hash, '2026-02-02T00:00:00.000Z', 5);
    await expect(insert(sql, 'audit_records', 3, second.hash, '2026-03-02T00:00:00.000Z', 6)).rejects.toMatchObject({
      code: 'PR003',
    });
    await expect(insert(sql, 'audit_records', 4, second.hash, '2026-03-02T00:00:00.000Z', 7)).rejects.toMatchObject({
      code: 'PR003',
    });
    await insert(sql, 'audit_records', 4, Buffer.alloc(32, 5).toString('hex'), '2026-03-02T00:00:00.000Z', 8);
    // several rows in one statement: each must follow the one before it
    const two = (seqB: number) =>
      sql.query(
        `INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record) VALUES
         ('fork-x', 5, '2026-03-03T00:00:00.000Z', 'decision', $1, $2, 'k', '\\x00'), ('fork-x', $3, '2026-02-03T00:00:00.000Z', 'decision', $2, $4, 'k', '\\x00')`,
        [Buffer.alloc(32, 8), Buffer.alloc(32, 9), seqB, Buffer.alloc(32, 10)],
      );
    await expect(two(5)).rejects.toMatchObject({ code: 'PR003' });
    await two(6);
    const { rows } = await sql.query<{ n: unknown }>("SELECT count(*) AS n FROM audit_records WHERE chain = 'fork-x'");
    expect(toSafeInteger(rows[0]?.n)).toBe(7);
    const dup = await sql.query<{ n: unknown }>(
      "SELECT count(*) AS n FROM (SELECT seq FROM audit_records WHERE chain = 'fork-x' GROUP BY seq HAVING count(*) > 1) d",
    );
    expect(toSafeInteger(dup.rows[0]?.n)).toBe(0);
  });

  it.each([
    ['UPDATE', "UPDATE audit_records_2026_02 SET request_id = 'x'"],
    ['DELETE', 'DELETE FROM audit_records_2026_02'],
    ['TRUNCATE', 'TRUNCATE audit_records_2026_02'],
    ['UPDATE through the parent', "UPDATE audit_records SET request_id = 'x' WHERE ts < '2026-03-01'"],
  ])('reject %s on a partition, also under session_replication_role = replica', async (_op, statement) => {
    await expect(sql.query(statement)).rejects.toMatchObject({ code: 'PR001' });
    await expect(
      sql.transaction(async (tx) => {
        await tx.query("SET LOCAL session_replication_role = 'replica'");
        await tx.query(statement);
      }),
    ).rejects.toMatchObject({ code: 'PR001' });
  });
});

describe('migration 005 on a ledger written before it', () => {
  it('moves every row into its month partition with byte-identical records; the chain resumes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proctor-mig-'));
    const db = await openPglite();
    try {
      const source = new URL('../../../migrations/', import.meta.url);
      for (const f of ['001_ledger.sql', '002_group_commit.sql', '003_checkpoints.sql', '004_roles.sql'])
        cpSync(new URL(f, source), path.join(dir, f));
      await migrate(db, pathToFileURL(`${dir}/`));
      // Rows as the pre-005 writer stored them: a chain across two months.
      await db.query("INSERT INTO audit_chains (chain) VALUES ('old')");
      let prev: string | null = null;
      const stamps = ['2025-12-31T23:59:59.999Z', '2026-01-01T00:00:00.000Z', '2026-01-15T00:00:00.000Z'];
      for (const [seq, ts] of stamps.entries()) {
        const sealed = await sealRecord(
          {
            v: 1,
            type: seq === 0 ? 'chain_opened' : 'decision',
            chain: 'old',
            seq,
            ts,
            prev,
            request_id: null,
            ...(seq === 0 ? {} : { note: 'é\u2028' }),
          },
          signer,
        );
        await db.query(
          'INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            'old',
            seq,
            ts,
            sealed.record.type,
            prev === null ? null : Buffer.from(prev, 'hex'),
            sealed.hash,
            signer.kid,
            sealed.bytes,
          ],
        );
        await db.query("UPDATE audit_chains SET head_seq = $1, head_hash = $2 WHERE chain = 'old'", [seq, sealed.hash]);
        prev = sealed.record.hash;
      }
      const before = await db.query<{ seq: unknown; record: unknown }>(
        "SELECT seq, record FROM audit_records WHERE chain = 'old' ORDER BY seq",
      );
      await migrate(db); // 005 and later
      const after = await db.query<{ seq: unknown; record: unknown; part: string }>(
        "SELECT seq, record, tableoid::regclass::text AS part FROM audit_records WHERE chain = 'old' ORDER BY seq",
      );
      expect(after.rows.map((r) => r.part)).toEqual([
        'audit_records_2025_12',
        'audit_records_2026_01',
        'audit_records_2026_01',
      ]);
      expect(after.rows.map((r) => Buffer.from(toBytes(r.record)).toString('hex'))).toEqual(
        before.rows.map((r) => Buffer.from(toBytes(r.record)).toString('hex')),
      );
      const resumed = await openLedger({
        sql: db,
        signer,
        chain: 'old',
        clock: steppingClock(Date.parse('2026-01-16T00:00:00.000Z')),
      });
      expect((await resumed.append('decision', 'next', DENY)).record.prev).toBe(prev);
      await resumed.close();
      await expect(db.query('DELETE FROM audit_records_2025_12')).rejects.toMatchObject({ code: 'PR001' });
    } finally {
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
