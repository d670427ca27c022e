import { readdirSync } from 'node:fs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbError, migrate, openPglite, toBytes, toSafeInteger } from '../../../src/db/index.ts';
import type { Sql } from '../../../src/db/index.ts';

let sql: Sql;
let schemas = 0;

beforeAll(async () => {
  sql = await openPglite();
});
afterAll(async () => {
  await sql.close();
});

/** PGlite is one connection: a fresh schema on the search path isolates each test. */
async function freshSchema(): Promise<string> {
  const name = `t${++schemas}`;
  await sql.query(`CREATE SCHEMA ${name}; SET search_path TO ${name}`);
  return name;
}

function migrationsDir(files: Record<string, string>): URL {
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-migrations-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return pathToFileURL(`${dir}/`);
}

async function tables(schema: string): Promise<string[]> {
  const { rows } = await sql.query<{ table_name: string }>(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1',
    [schema],
  );
  return rows.map((r) => r.table_name);
}

describe('transactions', () => {
  it('commit when fn resolves and roll back when it throws', async () => {
    const schema = await freshSchema();
    await sql.query('CREATE TABLE t (x int)');
    await sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1)', [1]);
    });
    await expect(
      sql.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1)', [2]);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect((await sql.query<{ x: number }>('SELECT x FROM t')).rows).toEqual([{ x: 1 }]);
    expect(schema).toMatch(/^t\d+$/);
  });

  it('nest as savepoints: an inner failure rolls back the inner work only', async () => {
    await freshSchema();
    await sql.query('CREATE TABLE t (x int)');
    await sql.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES (1)');
      await tx
        .transaction(async (inner) => {
          await inner.query('INSERT INTO t VALUES (2)');
          throw new Error('inner');
        })
        .catch(() => undefined);
      await tx.transaction(async (inner) => {
        await inner.query('INSERT INTO t VALUES (3)');
      });
    });
    expect((await sql.query<{ x: number }>('SELECT x FROM t ORDER BY x')).rows).toEqual([{ x: 1 }, { x: 3 }]);
  });

  it('close() inside a transaction is a misuse', async () => {
    await expect(sql.transaction((tx) => tx.close())).rejects.toMatchObject({ code: 'ERR_DB_MISUSE' });
  });
});

describe('query', () => {
  it('runs several statements without parameters, returning the last result', async () => {
    await freshSchema();
    const { rows } = await sql.query('CREATE TABLE m (x int); INSERT INTO m VALUES (7); SELECT x FROM m');
    expect(rows).toEqual([{ x: 7 }]);
  });

  it('returns bytea and int8 in forms the normalisers accept', async () => {
    const { rows } = await sql.query<{ b: unknown; n: unknown }>(
      "SELECT '\\x00ff'::bytea AS b, 9007199254740991::int8 AS n",
    );
    expect([...toBytes(rows[0]?.b)]).toEqual([0, 255]);
    expect(toSafeInteger(rows[0]?.n)).toBe(9007199254740991);
    expect(toSafeInteger('42')).toBe(42);
    expect(toSafeInteger(42n)).toBe(42);
    expect(() => toSafeInteger('9007199254740993')).toThrow(DbError);
    expect(() => toBytes('00ff')).toThrow(DbError);
  });
});

describe('migrate', () => {
  it('applies the project migrations once (idempotent)', async () => {
    const schema = await freshSchema();
    await migrate(sql);
    await migrate(sql);
    expect(await tables(schema)).toEqual(
      expect.arrayContaining(['audit_chains', 'audit_keys', 'audit_records', 'schema_migrations']),
    );
    const { rows } = await sql.query<{ version: string; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
    const files = readdirSync(new URL('../../../migrations/', import.meta.url))
      .filter((f) => f.endsWith('.sql'))
      .sort();
    expect(rows.map((r) => `${r.version}_${r.name}.sql`)).toEqual(files);
    expect(rows[0]).toEqual({ version: '001', name: 'ledger' });
  });

  it('applies files in order and only the new ones', async () => {
    const schema = await freshSchema();
    const files: Record<string, string> = {
      '002_b.sql': 'CREATE TABLE b (x int REFERENCES a (x));',
      '001_a.sql': 'CREATE TABLE a (x int PRIMARY KEY);',
    };
    await migrate(sql, migrationsDir(files));
    await migrate(sql, migrationsDir({ ...files, '003_c.sql': 'CREATE TABLE c (x int);' }));
    expect(await tables(schema)).toEqual(['a', 'b', 'c', 'schema_migrations']);
  });

  it('refuses an applied migration whose file changed', async () => {
    await freshSchema();
    await migrate(sql, migrationsDir({ '001_a.sql': 'CREATE TABLE a (x int);' }));
    await expect(migrate(sql, migrationsDir({ '001_a.sql': 'CREATE TABLE a (x bigint);' }))).rejects.toMatchObject({
      code: 'ERR_MIGRATION_MODIFIED',
    });
  });

  it('rolls a failing migration back entirely and reports ERR_MIGRATION_FAILED', async () => {
    const schema = await freshSchema();
    const err = await migrate(
      sql,
      migrationsDir({ '001_a.sql': 'CREATE TABLE a (x int); SELECT no_such_function();' }),
    ).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_MIGRATION_FAILED' });
    expect((err as DbError).cause).toBeDefined();
    expect(await tables(schema)).toEqual([]); // schema_migrations was created in the same, rolled-back transaction
  });

  it('refuses badly named files', async () => {
    await freshSchema();
    await expect(migrate(sql, migrationsDir({ 'one.sql': 'SELECT 1' }))).rejects.toMatchObject({
      code: 'ERR_MIGRATION_FAILED',
    });
  });
});
