// The moves of a malicious superuser against the ledger tables, for verify's tamper tests: every guard trigger off
// (on the partitioned audit_records, each partition, audit_chains and audit_checkpoints), and uniqueness dropped so
// rows can be duplicated. Works on PostgreSQL and PGlite, before and after the ledger is partitioned.
import type { Sql } from '../../src/db/index.ts';

const TABLES = `SELECT c.oid::regclass::text AS rel FROM pg_class c
  WHERE c.relkind IN ('r', 'p') AND (c.relname LIKE 'audit\\_records%' OR c.relname IN ('audit_chains', 'audit_checkpoints'))`;

/** Disables every user trigger on the ledger tables; they stay off for this database. */
export async function disableGuards(sql: Sql): Promise<void> {
  const { rows } = await sql.query<{ rel: string }>(TABLES);
  for (const { rel } of rows) await sql.query(`ALTER TABLE ${rel} DISABLE TRIGGER USER`);
}

/** Drops every unique constraint and unique index on audit_records and its partitions. */
export async function dropUniqueness(sql: Sql): Promise<void> {
  await disableGuards(sql);
  const { rows } = await sql.query<{ rel: string; con: string; partitioned: boolean }>(`
    SELECT con.conrelid::regclass::text AS rel, con.conname AS con, c.relkind = 'p' AS partitioned FROM pg_constraint con
    JOIN pg_class c ON c.oid = con.conrelid
    WHERE c.relname LIKE 'audit\\_records%' AND con.contype IN ('p', 'u') AND con.conparentid = 0`);
  for (const { rel, con } of rows) await sql.query(`ALTER TABLE ${rel} DROP CONSTRAINT ${con}`);
  const idx = await sql.query<{ idx: string }>(`
    SELECT i.indexrelid::regclass::text AS idx FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
    WHERE c.relname LIKE 'audit\\_records%' AND i.indisunique AND NOT EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)`);
  for (const { idx: name } of idx.rows) await sql.query(`DROP INDEX IF EXISTS ${name}`);
}
