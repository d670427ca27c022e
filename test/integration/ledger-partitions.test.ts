// Monthly partitions and retention on a real PostgreSQL 15: the 004 → 005 conversion keeps every byte, rows land in
// their month, a fork across a month boundary is refused, the append-only triggers hold on every partition (also under
// session_replication_role = replica), the runtime role creates partitions through the writer but cannot drop,
// detach or truncate one, and `proctor ledger retention` lists, refuses and applies.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLedgerCli } from '../../src/cli/ledger.ts';
import { connectPostgres, migrate, toBytes, toSafeInteger } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger, sealRecord } from '../../src/ledger/index.ts';
import { verifyLedger } from '../../src/verify/index.ts';
import { chainAt as chainAtWith } from '../helpers/ledger-chain.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const deny = { decision: { allow: false, reasons: [], obligations: null } };
let pg: ThrowawayPostgres;
let admin: Sql;
let dir: string;

beforeAll(async () => {
  pg = await startPostgres();
  admin = connectPostgres(pg.superuserUrl, { max: 2 });
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-partitions-it-'));
});

afterAll(async () => {
  await admin?.close();
  await pg?.destroy();
});

/** A fresh database owned by `owner` (default: the unprivileged proctor user); returns its URL for that owner. */
async function database(name: string, owner = 'proctor'): Promise<string> {
  await admin.query(`CREATE DATABASE ${name} OWNER ${owner}`);
  const url = new URL(owner === 'postgres' ? pg.superuserUrl : pg.url);
  url.pathname = `/${name}`;
  return url.toString();
}

const chainAt = (sql: Sql, chain: string, stamps: string[]) => chainAtWith(sql, signer, chain, stamps);

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runLedgerCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {} });
  return { code, out, err };
}

describe('migration 005 on PostgreSQL', () => {
  it('converts a pre-005 ledger: every row in its month partition, bytes identical, triggers and grants in place', async () => {
    const url = await database('conv', 'postgres');
    const sql = connectPostgres(url, { max: 2 });
    const old = mkdtempSync(path.join(dir, 'mig-'));
    try {
      const source = new URL('../../migrations/', import.meta.url);
      for (const f of ['001_ledger.sql', '002_group_commit.sql', '003_checkpoints.sql', '004_roles.sql'])
        cpSync(new URL(f, source), path.join(old, f));
      await migrate(sql, pathToFileURL(`${old}/`));
      await sql.query("INSERT INTO audit_chains (chain) VALUES ('old')");
      let prev: string | null = null;
      for (const [seq, ts] of [
        '2025-11-30T23:59:59.999Z',
        '2025-12-01T00:00:00.000Z',
        '2026-02-14T08:00:00.000Z',
      ].entries()) {
        const sealed = await sealRecord(
          {
            v: 1,
            type: seq === 0 ? 'chain_opened' : 'decision',
            chain: 'old',
            seq,
            ts,
            prev,
            request_id: null,
            ...(seq === 0 ? {} : { note: 'ü\u2028"x"' }),
          },
          signer,
        );
        await sql.query(
          'INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)',
          [
            'old',
            seq,
            ts,
            sealed.record.type,
            prev === null ? null : Buffer.from(prev, 'hex'),
            Buffer.from(sealed.hash),
            signer.kid,
            Buffer.from(sealed.bytes),
          ],
        );
        await sql.query("UPDATE audit_chains SET head_seq = $1, head_hash = $2 WHERE chain = 'old'", [
          seq,
          Buffer.from(sealed.hash),
        ]);
        prev = sealed.record.hash;
      }
      const digest = "SELECT string_agg(encode(sha256(record), 'hex'), ',' ORDER BY seq) AS d FROM audit_records";
      const before = (await sql.query<{ d: string }>(digest)).rows[0]?.d;
      await migrate(sql);
      expect((await sql.query<{ d: string }>(digest)).rows[0]?.d).toBe(before);
      const parts = await sql.query<{ part: string }>(
        "SELECT tableoid::regclass::text AS part FROM audit_records WHERE chain = 'old' ORDER BY seq",
      );
      expect(parts.rows.map((r) => r.part)).toEqual([
        'audit_records_2025_11',
        'audit_records_2025_12',
        'audit_records_2026_02',
      ]);
      const kind = await sql.query<{ relkind: string }>("SELECT relkind FROM pg_class WHERE relname = 'audit_records'");
      expect(kind.rows[0]?.relkind).toBe('p');
      // Every partition carries the three guards, ENABLE ALWAYS ('A').
      const triggers = await sql.query<{ rel: string; tgname: string; tgenabled: string }>(
        `SELECT t.tgrelid::regclass::text AS rel, t.tgname, t.tgenabled FROM pg_trigger t
         WHERE t.tgrelid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = 'audit_records'::regclass) OR t.tgrelid = 'audit_records'::regclass`,
      );
      const rels = new Set(triggers.rows.map((r) => r.rel));
      expect(rels.size).toBeGreaterThanOrEqual(4);
      for (const rel of rels) {
        expect(
          triggers.rows
            .filter((r) => r.rel === rel)
            .map((r) => `${r.tgname}:${r.tgenabled}`)
            .sort(),
        ).toEqual(['audit_records_fork_guard:A', 'audit_records_no_truncate:A', 'audit_records_no_update_delete:A']);
      }
      const grants = await sql.query<{ grantee: string; privilege_type: string }>(
        "SELECT grantee, privilege_type FROM information_schema.role_table_grants WHERE table_name = 'audit_records' AND grantee LIKE 'proctor_%' ORDER BY 1, 2",
      );
      expect(grants.rows.map((g) => `${g.grantee}:${g.privilege_type}`)).toEqual([
        'proctor_auditor:SELECT',
        'proctor_runtime:INSERT',
        'proctor_runtime:SELECT',
      ]);
      const resumed = await openLedger({ sql, signer, chain: 'old', clock: { now: () => new Date() } });
      expect((await resumed.append('decision', 'after', deny)).record.prev).toBe(prev);
      await resumed.close();
    } finally {
      await sql.close();
    }
  });
});

describe('partitions on PostgreSQL', () => {
  let sql: Sql;
  let su: Sql; // the superuser on the same database
  beforeAll(async () => {
    const url = await database('parts');
    sql = connectPostgres(url, { max: 4 });
    const suUrl = new URL(url);
    suUrl.username = 'postgres';
    su = connectPostgres(suUrl.toString(), { max: 2 });
    await migrate(sql);
  });
  afterAll(async () => {
    await sql.close();
    await su.close();
  });

  it('rows land in the partition of their UTC month, created ahead of time or by the batch', async () => {
    await chainAt(sql, 'pg-part', ['2026-03-31T23:59:59.998Z', '2026-04-01T00:00:00.000Z', '2026-06-15T00:00:00.000Z']);
    const { rows } = await sql.query<{ seq: unknown; part: string }>(
      "SELECT seq, tableoid::regclass::text AS part FROM audit_records WHERE chain = 'pg-part' ORDER BY seq",
    );
    expect(rows.map((r) => [toSafeInteger(r.seq), r.part])).toEqual([
      [0, 'audit_records_2026_03'],
      [1, 'audit_records_2026_03'],
      [2, 'audit_records_2026_04'],
      [3, 'audit_records_2026_06'],
    ]);
  });

  it('a fork across a month boundary is refused (PR003), through the parent and straight into a partition', async () => {
    const [, mar] = await chainAt(sql, 'pg-fork', ['2026-03-31T23:59:59.000Z', '2026-04-01T00:00:01.000Z']);
    const forge = (table: string, seq: number, prev: string, ts: string, fill: number) =>
      su.query(
        `INSERT INTO ${table} (chain, seq, ts, type, prev, hash, kid, record) VALUES ('pg-fork', $1, $2, 'decision', $3, $4, 'k', '\\x00')`,
        [seq, ts, Buffer.from(prev, 'hex'), Buffer.alloc(32, fill)],
      );
    const head = await sql.query<{ hash: unknown }>(
      "SELECT hash FROM audit_records WHERE chain = 'pg-fork' AND seq = 1",
    );
    const seq1 = Buffer.from(toBytes(head.rows[0]?.hash)).toString('hex');
    // seq 2 is stored in April; a second seq 2 in March (another partition, so no unique index sees both)
    await expect(forge('audit_records', 2, seq1, '2026-03-31T23:59:59.500Z', 1)).rejects.toMatchObject({
      code: 'PR003',
    });
    await expect(forge('audit_records_2026_03', 2, seq1, '2026-03-31T23:59:59.500Z', 2)).rejects.toMatchObject({
      code: 'PR003',
    });
    // the right continuation of the last record, in March: accepted by the guard ...
    await forge('audit_records', 3, mar?.hash as string, '2026-03-30T00:00:00.000Z', 3);
    // ... and a second continuation of that record, in April, is refused: seq 3 is taken (in another partition)
    await expect(forge('audit_records', 3, mar?.hash as string, '2026-04-02T00:00:00.000Z', 4)).rejects.toMatchObject({
      code: 'PR003',
    });
    // ... and so is a second start of the chain, in a month that holds none of its rows
    await expect(
      su.query(
        "INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record) VALUES ('pg-fork', 0, '2026-06-01T00:00:00Z', 'chain_opened', NULL, $1, 'k', '\\x00')",
        [Buffer.alloc(32, 5)],
      ),
    ).rejects.toMatchObject({ code: 'PR003' });
    const { rows } = await sql.query<{ n: unknown }>("SELECT count(*) AS n FROM audit_records WHERE chain = 'pg-fork'");
    expect(toSafeInteger(rows[0]?.n)).toBe(4);
  });

  it('two concurrent continuations of one head in different months: the second waits for the chain tail row and is refused', async () => {
    const [last] = await chainAt(sql, 'pg-race', ['2026-03-31T23:59:59.000Z']);
    const row = (ts: string, fill: number) => [2, ts, Buffer.from(last?.hash as string, 'hex'), Buffer.alloc(32, fill)];
    const text =
      "INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record) VALUES ('pg-race', $1, $2, 'decision', $3, $4, 'k', '\\x00')";
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inserted!: () => void;
    const firstInserted = new Promise<void>((r) => (inserted = r));
    const first = su.transaction(async (tx) => {
      await tx.query(text, row('2026-03-31T23:59:59.500Z', 1));
      inserted();
      await held; // keeps the chain's tail row locked (the guard moved it) until the second insert is waiting
    });
    await firstInserted;
    // the second insert's outcome, caught at once (it must not settle before the first transaction ends)
    let settled = false;
    const second = su
      .query(text, row('2026-04-01T00:00:00.500Z', 2))
      .then(
        () => 'stored',
        (error: unknown) => error,
      )
      .finally(() => void (settled = true));
    // wait until the second insert really waits for a lock (its guard's UPDATE of the tail row)
    for (let i = 0; ; i++) {
      const waiting = await admin.query<{ n: unknown }>(
        "SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%pg-race%'",
      );
      if (toSafeInteger(waiting.rows[0]?.n) === 1) break;
      if (i === 200) throw new Error('the second insert never waited for the first transaction');
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(settled).toBe(false);
    release();
    await first;
    expect(await second).toMatchObject({ code: 'PR003' });
  });

  it('the guard checks a statement as a whole (migration 009): within it, against the tail, for every chain it touches', async () => {
    const [a] = await chainAt(sql, 'pg-stmt-a', ['2026-03-31T23:59:59.000Z']);
    const [b] = await chainAt(sql, 'pg-stmt-b', ['2026-03-31T23:59:59.000Z']);
    type Row = [chain: string, seq: number, ts: string, prev: Buffer, fill: number];
    const insert = (rows: Row[]) =>
      su.query(
        `INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record)
         SELECT c, s, t, 'decision', p, h, 'k', '\\x00' FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::bytea[], $5::bytea[]) AS u(c, s, t, p, h)`,
        [
          rows.map((r) => r[0]),
          rows.map((r) => r[1]),
          rows.map((r) => r[2]),
          rows.map((r) => r[3]),
          rows.map((r) => Buffer.alloc(32, 100 + r[4])),
        ], // hashes no other test uses
      );
    const stored = async (chain: string) =>
      (
        await sql.query<{ seq: unknown }>('SELECT seq FROM audit_records WHERE chain = $1 ORDER BY seq', [chain])
      ).rows.map((r) => toSafeInteger(r.seq));
    const tail = async (chain: string) =>
      toSafeInteger(
        (await su.query<{ seq: unknown }>('SELECT seq FROM audit_chain_tails WHERE chain = $1', [chain])).rows[0]?.seq,
      );
    const aHash = Buffer.from(a?.hash as string, 'hex');
    const bHash = Buffer.from(b?.hash as string, 'hex');
    const march = '2026-03-31T23:59:59.500Z';
    const april = '2026-04-01T00:00:00.500Z';
    // the same seq twice in one statement, in two months (no unique index sees both): refused, nothing stored
    await expect(
      insert([
        ['pg-stmt-a', 2, march, aHash, 1],
        ['pg-stmt-a', 2, april, aHash, 2],
      ]),
    ).rejects.toMatchObject({ code: 'PR003' });
    // a broken link in the middle, across the month boundary
    await expect(
      insert([
        ['pg-stmt-a', 2, march, aHash, 3],
        ['pg-stmt-a', 3, april, Buffer.alloc(32, 9), 4],
      ]),
    ).rejects.toMatchObject({ code: 'PR003' });
    // two chains in one statement, one of them not continuing its tail: the whole statement is refused
    await expect(
      insert([
        ['pg-stmt-a', 2, march, aHash, 5],
        ['pg-stmt-b', 3, march, bHash, 6],
      ]),
    ).rejects.toMatchObject({ code: 'PR003' });
    expect(await stored('pg-stmt-a')).toEqual([0, 1]);
    expect(await stored('pg-stmt-b')).toEqual([0, 1]);
    expect([await tail('pg-stmt-a'), await tail('pg-stmt-b')]).toEqual([1, 1]);
    // both continuing, rows given out of order and across months: stored, and each tail moved to its chain's last row
    await insert([
      ['pg-stmt-a', 3, april, Buffer.alloc(32, 107), 8],
      ['pg-stmt-b', 2, march, bHash, 10],
      ['pg-stmt-a', 2, march, aHash, 7],
    ]);
    expect(await stored('pg-stmt-a')).toEqual([0, 1, 2, 3]);
    expect(await stored('pg-stmt-b')).toEqual([0, 1, 2]);
    expect([await tail('pg-stmt-a'), await tail('pg-stmt-b')]).toEqual([3, 2]);
    // other ways to insert are checked the same: INSERT … ON CONFLICT DO NOTHING, and COPY
    // (straight into a partition too)
    const gap = `'pg-stmt-b', 9, '${april}', 'decision', '\\x${'6e'.repeat(32)}', '\\x${'6f'.repeat(32)}', 'k', '\\x00'`;
    await expect(
      su.query(
        `INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record) VALUES (${gap}) ON CONFLICT DO NOTHING`,
      ),
    ).rejects.toMatchObject({ code: 'PR003' });
    const csv = `pg-stmt-b,9,${april},decision,\\\\x${'6e'.repeat(32)},\\\\x${'6f'.repeat(32)},k,\\\\x00`;
    for (const table of ['audit_records', 'audit_records_2026_04']) {
      await expect(
        su.query(
          `COPY ${table} (chain, seq, ts, type, prev, hash, kid, record) FROM PROGRAM 'printf "%s\\n" "${csv}"' WITH (FORMAT csv)`,
        ),
      ).rejects.toMatchObject({ code: 'PR003' });
    }
    expect(await stored('pg-stmt-b')).toEqual([0, 1, 2]);
    // and the guard fires under session_replication_role = replica too (ENABLE ALWAYS)
    await expect(
      su.transaction(async (tx) => {
        await tx.query("SET LOCAL session_replication_role = 'replica'");
        await tx.query(
          "INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record) VALUES ('pg-stmt-b', 9, $1, 'decision', $2, $3, 'k', '\\x00')",
          [april, Buffer.alloc(32, 110), Buffer.alloc(32, 111)],
        );
      }),
    ).rejects.toMatchObject({ code: 'PR003' });
  });

  it('the one-statement batch append (migrations 007, 010) writes only from the head it names, derives seq and prev, slices the packed bytes', async () => {
    const [, last] = await chainAt(sql, 'pg-direct', ['2026-03-10T00:00:00.000Z', '2026-03-10T00:00:01.000Z']);
    const lastHash = Buffer.from(last?.hash as string, 'hex');
    const before = await sql.query<{ hash: unknown }>(
      "SELECT hash FROM audit_records WHERE chain = 'pg-direct' AND seq = 1",
    );
    const seq1Hash = Buffer.from(toBytes(before.rows[0]?.hash));
    type Call = { rows: { fill: number; record: string }[]; extraTs?: boolean; hashes?: Buffer; lengths?: number[] };
    const call = (baseSeq: number | null, baseHash: Buffer | null, c: Call) =>
      sql.query(
        'SELECT audit_append_batch($1, $2, $3, $4::timestamptz[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::bytea, $12::bytea, $13::integer[]) AS head',
        [
          'pg-direct',
          baseSeq,
          baseHash,
          [...c.rows.map(() => '2026-03-10T00:00:02.000Z'), ...(c.extraTs ? ['2026-03-10T00:00:03.000Z'] : [])],
          c.rows.map(() => 'decision'),
          c.rows.map(() => null),
          c.rows.map(() => null),
          c.rows.map(() => null),
          c.rows.map(() => null),
          c.rows.map(() => signer.kid),
          c.hashes ?? Buffer.concat(c.rows.map((r) => Buffer.alloc(32, r.fill))),
          Buffer.concat(c.rows.map((r) => Buffer.from(r.record))),
          c.lengths ?? c.rows.map((r) => Buffer.byteLength(r.record)),
        ],
      );
    const count = async () =>
      toSafeInteger(
        (await sql.query<{ n: unknown }>("SELECT count(*) AS n FROM audit_records WHERE chain = 'pg-direct'")).rows[0]
          ?.n,
      );
    const one = [{ fill: 7, record: '{"a":1}' }];
    // a writer whose idea of the head is stale (seq 1, not 2) is refused before anything is written: PR004
    await expect(call(1, seq1Hash, { rows: one })).rejects.toMatchObject({ code: 'PR004' });
    await expect(call(null, null, { rows: one })).rejects.toMatchObject({ code: 'PR004' });
    // malformed input, each refused clearly (22023): columns of different lengths, no rows, hash bytes that are not
    // 32 a row, record lengths that do not add up or are not positive, a head seq without its hash
    await expect(call(2, lastHash, { rows: one, extraTs: true })).rejects.toMatchObject({
      code: '22023',
      message: expect.stringContaining('every column needs 1 values'),
    });
    await expect(call(2, lastHash, { rows: [] })).rejects.toMatchObject({
      code: '22023',
      message: expect.stringContaining('no rows'),
    });
    await expect(call(2, lastHash, { rows: one, hashes: Buffer.alloc(31) })).rejects.toMatchObject({
      code: '22023',
      message: expect.stringContaining('1 rows need 32 hash bytes, got 31'),
    });
    const two = [
      { fill: 8, record: '{"b":"ü"}' },
      { fill: 9, record: '{"c":[1,2,3]}' },
    ];
    await expect(call(2, lastHash, { rows: two, lengths: [5, 5] })).rejects.toMatchObject({
      code: '22023',
      message: expect.stringContaining('add up'),
    });
    await expect(call(2, lastHash, { rows: two, lengths: [0, 23] })).rejects.toMatchObject({
      code: '22023',
      message: expect.stringContaining('positive'),
    });
    await expect(call(2, null, { rows: one })).rejects.toMatchObject({
      code: '22023',
      message: expect.stringContaining('a head is a seq and a 32-byte hash'),
    });
    expect(await count()).toBe(3); // nothing of any refused call was stored
    // the right continuation is stored and the head moved onto it, in one statement: seqs 3 and 4, each prev the hash
    // before it, each record's bytes its own slice of the packed bytes
    const stored = await call(2, lastHash, { rows: two });
    expect(toSafeInteger(stored.rows[0]?.head)).toBe(4);
    const rows = await sql.query<{ seq: unknown; prev: unknown; hash: unknown; record: unknown }>(
      "SELECT seq, prev, hash, record FROM audit_records WHERE chain = 'pg-direct' AND seq > 2 ORDER BY seq",
    );
    expect(
      rows.rows.map((r) => [
        toSafeInteger(r.seq),
        Buffer.from(toBytes(r.prev)).toString('hex'),
        Buffer.from(toBytes(r.hash)).toString('hex'),
        Buffer.from(toBytes(r.record)).toString(),
      ]),
    ).toEqual([
      [3, lastHash.toString('hex'), Buffer.alloc(32, 8).toString('hex'), '{"b":"ü"}'],
      [4, Buffer.alloc(32, 8).toString('hex'), Buffer.alloc(32, 9).toString('hex'), '{"c":[1,2,3]}'],
    ]);
    const head = await sql.query<{ head_seq: unknown; head_hash: unknown }>(
      "SELECT head_seq, head_hash FROM audit_chains WHERE chain = 'pg-direct'",
    );
    expect(toSafeInteger(head.rows[0]?.head_seq)).toBe(4);
    expect(Buffer.from(toBytes(head.rows[0]?.head_hash)).equals(Buffer.alloc(32, 9))).toBe(true);
    // a batch of one (migration 014 inserts it with VALUES): the same checks, and the same row as the general path
    await expect(call(4, Buffer.alloc(32, 9), { rows: one, lengths: [0] })).rejects.toMatchObject({
      code: '22023',
      message: expect.stringContaining('positive'),
    });
    await expect(call(4, Buffer.alloc(32, 9), { rows: one, lengths: [8] })).rejects.toMatchObject({ code: '22023' });
    expect(toSafeInteger((await call(4, Buffer.alloc(32, 9), { rows: one })).rows[0]?.head)).toBe(5);
    // an array of another shape (here from 0) is read as unnest reads it, in the general path: its value is kept
    const shaped = await sql.query(
      'SELECT audit_append_batch($1, 5, $2, $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bytea, $11::bytea, $12::integer[]) AS head',
      [
        'pg-direct',
        Buffer.alloc(32, 7),
        ['2026-03-10T00:00:02.000Z'],
        ['decision'],
        '[0:0]={req-0}',
        [null],
        [null],
        [null],
        [signer.kid],
        Buffer.alloc(32, 11),
        Buffer.from('{"d":4}'),
        [7],
      ],
    );
    expect(toSafeInteger(shaped.rows[0]?.head)).toBe(6);
    const ones = await sql.query<{ seq: unknown; prev: unknown; request_id: unknown; record: unknown }>(
      "SELECT seq, prev, request_id, record FROM audit_records WHERE chain = 'pg-direct' AND seq > 4 ORDER BY seq",
    );
    expect(
      ones.rows.map((r) => [
        toSafeInteger(r.seq),
        Buffer.from(toBytes(r.prev)).toString('hex'),
        r.request_id,
        Buffer.from(toBytes(r.record)).toString(),
      ]),
    ).toEqual([
      [5, Buffer.alloc(32, 9).toString('hex'), null, '{"a":1}'],
      [6, Buffer.alloc(32, 7).toString('hex'), 'req-0', '{"d":4}'],
    ]);
  });

  it.each([
    "UPDATE audit_records_2026_03 SET request_id = 'x'",
    'DELETE FROM audit_records_2026_04',
    'TRUNCATE audit_records_2026_06',
    "DELETE FROM audit_records WHERE ts < '2026-05-01'",
  ])('%s is refused (PR001), also for a superuser under session_replication_role = replica', async (statement) => {
    await expect(sql.query(statement)).rejects.toMatchObject({ code: 'PR001' });
    await expect(
      su.transaction(async (tx) => {
        await tx.query("SET LOCAL session_replication_role = 'replica'");
        await tx.query(statement);
      }),
    ).rejects.toMatchObject({ code: 'PR001' });
  });
});

describe('the runtime role', () => {
  it('creates the partitions it needs through the writer, and cannot drop, detach or truncate any', async () => {
    const url = await database('runtime', 'postgres');
    const owner = connectPostgres(url, { max: 1 });
    await migrate(owner);
    await owner.query(
      'DO $$ BEGIN CREATE ROLE proctor_app LOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$; GRANT proctor_runtime TO proctor_app',
    );
    const appUrl = new URL(url);
    appUrl.username = 'proctor_app';
    const app = connectPostgres(appUrl.toString(), { max: 2 });
    try {
      await chainAt(app, 'rt', ['2027-05-10T00:00:00.000Z']); // no partition for May 2027 until the writer makes one
      const { rows } = await app.query<{ part: string }>(
        "SELECT tableoid::regclass::text AS part FROM audit_records WHERE chain = 'rt' LIMIT 1",
      );
      expect(rows[0]?.part).toBe('audit_records_2027_05');
      for (const statement of [
        'DROP TABLE audit_records_2027_05',
        'ALTER TABLE audit_records DETACH PARTITION audit_records_2027_05',
        'TRUNCATE audit_records_2027_05',
        'ALTER TABLE audit_records_2027_05 DISABLE TRIGGER USER',
        "CREATE TABLE audit_records_x PARTITION OF audit_records FOR VALUES FROM ('2030-01-01') TO ('2030-02-01')",
        // the fork guard's tails (migration 008) are written by the guard alone
        "UPDATE audit_chain_tails SET seq = 0 WHERE chain = 'rt'",
        "DELETE FROM audit_chain_tails WHERE chain = 'rt'",
        "INSERT INTO audit_chain_tails (chain, seq, hash) VALUES ('x', 5, '\\x00')",
        'SELECT * FROM audit_chain_tails',
      ]) {
        await expect(app.query(statement), statement).rejects.toMatchObject({ code: '42501' });
      }
      const plan = await cli(['retention', '--db', appUrl.toString()]); // the runtime role may look
      expect(plan.code).toBe(0);
      expect(plan.out).toContain('kept     audit_records_2027_05');
    } finally {
      await app.close();
      await owner.close();
    }
  });
});

async function keyFile(): Promise<string> {
  const file = path.join(dir, 'ledger-key.pem');
  writeFileSync(file, key.privateKeyPem, { mode: 0o600 });
  return file;
}

describe('proctor ledger retention', () => {
  it('dry run lists; --apply writes retention_applied and drops exactly the expired partitions', async () => {
    const url = await database('ret');
    const sql = connectPostgres(url, { max: 2 });
    try {
      await migrate(sql);
      const old = new Date();
      old.setUTCMonth(old.getUTCMonth() - 9, 5);
      const keepTs = new Date();
      keepTs.setUTCMonth(keepTs.getUTCMonth() - 2, 5);
      const records = await chainAt(sql, 'pg-ret', [old.toISOString(), keepTs.toISOString()]);
      const oldPart = `audit_records_${old.toISOString().slice(0, 7).replace('-', '_')}`;

      const dry = await cli(['retention', '--db', url]);
      expect(dry.code).toBe(0);
      expect(dry.out).toContain(`expired  ${oldPart} (2 records)`);
      expect(dry.out).toContain('chain pg-ret: loses its records through seq 1');
      expect(dry.out).toContain('dry run: nothing dropped');
      const json = JSON.parse((await cli(['retention', '--db', url, '--json'])).out);
      expect(json).toMatchObject({
        applied: false,
        months: 6,
        chains: [{ chain: 'pg-ret', droppedThroughSeq: 1, droppedThroughHash: records[0]?.hash }],
      });

      const short = await cli(['retention', '--db', url, '--months', '3']);
      expect(short.code).toBe(0);
      expect(short.err).toMatch(/^WARNING: --months 3 keeps less than/);

      const applied = await cli(['retention', '--db', url, '--apply', '--key', await keyFile(), '--json']);
      expect(applied.err).toBe('');
      expect(applied.code).toBe(0);
      const result = JSON.parse(applied.out);
      expect(result.dropped).toContain(oldPart);
      expect(result.records).toEqual([{ chain: 'pg-ret', seq: 3, hash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
      const left = await sql.query<{ seq: unknown; type: string; record: unknown }>(
        "SELECT seq, type, record FROM audit_records WHERE chain = 'pg-ret' ORDER BY seq",
      );
      expect(left.rows.map((r) => [toSafeInteger(r.seq), r.type])).toEqual([
        [2, 'decision'],
        [3, 'retention_applied'],
      ]);
      const stored = JSON.parse(Buffer.from(toBytes(left.rows[1]?.record)).toString('utf8'));
      expect(stored).toMatchObject({
        dropped_through_seq: 1,
        dropped_through_hash: records[0]?.hash,
        retention_months: 6,
        partitions: result.dropped,
      });
      const tables = await sql.query<{ n: unknown }>('SELECT count(*) AS n FROM pg_class WHERE relname = $1', [
        oldPart,
      ]);
      expect(toSafeInteger(tables.rows[0]?.n)).toBe(0);
      // The trimmed chain still verifies: the retention_applied record accounts for the missing start.
      const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['pg-ret'] });
      expect(report.ok).toBe(true);
      expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    } finally {
      await sql.close();
    }
  });

  it.each([
    [['retention'], '--db'],
    [['retention', '--db', 'postgres://x/y', '--pglite', '/tmp'], '--pglite'],
    [['retention', '--db', 'mysql://x/y'], '--db'],
    [['retention', '--db', 'postgres://x/y', '--months', '0'], '--months'],
    [['retention', '--db', 'postgres://x/y', '--months', 'six'], '--months'],
    [['retention', '--db', 'postgres://x/y', '--apply'], '--key'],
    [['retention', '--db', 'postgres://x/y', '--key', '/k.pem'], '--key'],
    [['retention', '--db', 'postgres://x/y', '--bogus'], '--bogus'],
    [['compact'], 'compact'],
  ])('exit 2 on a usage error, naming what was wrong: %j', async (args, flag) => {
    const { code, err } = await cli(args);
    expect(code).toBe(2);
    expect(err).toContain(flag);
  });
});
