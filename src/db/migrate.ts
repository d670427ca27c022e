// Applies migrations/NNN_name.sql in order, each in its own transaction, recording it in schema_migrations.
// Idempotent; concurrent migrators (several replicas starting at once) are serialised by a transaction-scoped
// advisory lock. An applied migration whose file has since changed is an error, never silently skipped.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { DbError } from './sql.ts';
import type { Sql } from './sql.ts';

/** Arbitrary, fixed: the advisory lock key all Proctor migrators agree on. */
const MIGRATION_LOCK_KEY = 7_204_311_958;

interface MigrationFile {
  version: string;
  name: string;
  text: string;
  sha256: string;
}

export async function migrate(sql: Sql, dir: URL = new URL('../../migrations/', import.meta.url)): Promise<void> {
  for (const migration of await readMigrations(dir)) {
    try {
      await sql.transaction(async (tx) => {
        await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
        await tx.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
          version text PRIMARY KEY, name text NOT NULL, sha256 text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now())`);
        const applied = await tx.query<{ sha256: string }>('SELECT sha256 FROM schema_migrations WHERE version = $1', [
          migration.version,
        ]);
        const row = applied.rows[0];
        if (row) {
          if (row.sha256 !== migration.sha256) {
            throw new DbError(
              'ERR_MIGRATION_MODIFIED',
              `migration ${migration.version}_${migration.name} was applied with different contents; add a new migration instead`,
            );
          }
          return;
        }
        await tx.query(migration.text);
        await tx.query('INSERT INTO schema_migrations (version, name, sha256) VALUES ($1, $2, $3)', [
          migration.version,
          migration.name,
          migration.sha256,
        ]);
      });
    } catch (err) {
      if (err instanceof DbError) throw err;
      throw new DbError('ERR_MIGRATION_FAILED', `migration ${migration.version}_${migration.name} failed`, { cause: err });
    }
  }
}

async function readMigrations(dir: URL): Promise<MigrationFile[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations: MigrationFile[] = [];
  for (const file of files) {
    const match = /^(\d{3})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match?.[1] || !match[2]) {
      throw new DbError('ERR_MIGRATION_FAILED', `migration file name ${file} is not NNN_name.sql`);
    }
    if (migrations.some((m) => m.version === match[1])) {
      throw new DbError('ERR_MIGRATION_FAILED', `two migrations share version ${match[1]}`);
    }
    const text = await readFile(new URL(file, dir), 'utf8');
    migrations.push({ version: match[1], name: match[2], text, sha256: createHash('sha256').update(text).digest('hex') });
  }
  return migrations;
}
