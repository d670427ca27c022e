// Applies migrations/NNN_name.sql in order, each in its own transaction, recording it in schema_migrations.
// Idempotent; concurrent migrators (several replicas starting at once) are serialised by a transaction-scoped
// advisory lock. An applied migration whose file has since changed is an error, never silently skipped.
// `ensureSchema` is what a server runs at start: it only reads schema_migrations when nothing is pending, so a server
// can run as the least-privilege runtime role once the owner has run `proctor migrate`.
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

const MIGRATIONS_DIR = new URL('../../migrations/', import.meta.url);

export async function migrate(sql: Sql, dir: URL = MIGRATIONS_DIR): Promise<void> {
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
              `migration ${migration.version}_${migration.name} was applied with different contents; ` +
                'add a new migration instead',
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
      throw new DbError('ERR_MIGRATION_FAILED', `migration ${migration.version}_${migration.name} failed`, {
        cause: err,
      });
    }
  }
}

export interface SchemaStatus {
  /** Versions applied, in order. */
  applied: string[];
  /** Migrations this build has that the database has not applied, in order (`NNN_name`). */
  pending: string[];
}

/** What the database has applied against what this build ships; throws ERR_MIGRATION_MODIFIED on a changed file. */
export async function schemaStatus(sql: Sql, dir: URL = MIGRATIONS_DIR): Promise<SchemaStatus> {
  const migrations = await readMigrations(dir);
  const exists = await sql.query<{ present: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS present",
  );
  const rows = exists.rows[0]?.present
    ? (await sql.query<{ version: string; sha256: string }>('SELECT version, sha256 FROM schema_migrations')).rows
    : [];
  const applied = new Map(rows.map((r) => [r.version, r.sha256]));
  for (const m of migrations) {
    const sha = applied.get(m.version);
    if (sha !== undefined && sha !== m.sha256) {
      throw new DbError(
        'ERR_MIGRATION_MODIFIED',
        `migration ${m.version}_${m.name} was applied with different contents; add a new migration instead`,
      );
    }
  }
  return {
    applied: migrations.filter((m) => applied.has(m.version)).map((m) => m.version),
    pending: migrations.filter((m) => !applied.has(m.version)).map((m) => `${m.version}_${m.name}`),
  };
}

/**
 * At start: nothing pending is fine with any grants; pending migrations are applied in `apply` mode (the schema
 * owner's connection) and refused in `check` mode with ERR_SCHEMA_BEHIND, which names what is missing and the fix.
 * A role without the rights to apply (42501) gets the same clear error, never a bare "permission denied".
 */
export async function ensureSchema(
  sql: Sql,
  mode: 'apply' | 'check',
  dir: URL = MIGRATIONS_DIR,
): Promise<SchemaStatus> {
  const status = await schemaStatus(sql, dir);
  if (status.pending.length === 0) return status;
  const pending = `${status.pending.length} migration(s) pending (${status.pending.join(', ')})`;
  const behind = `the database schema is behind this build: ${pending}; run 'proctor migrate' as the schema owner`;
  if (mode === 'check') throw new DbError('ERR_SCHEMA_BEHIND', behind);
  try {
    await migrate(sql, dir);
  } catch (error) {
    if (findCode(error) === '42501')
      throw new DbError('ERR_SCHEMA_BEHIND', `${behind} (this role may not apply them)`, { cause: error });
    throw error;
  }
  return schemaStatus(sql, dir);
}

/** The SQLSTATE of an error or of one of its causes. */
function findCode(error: unknown): string | undefined {
  for (
    let e: unknown = error, depth = 0;
    e !== null && typeof e === 'object' && depth < 8;
    e = (e as { cause?: unknown }).cause, depth += 1
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
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
    migrations.push({
      version: match[1],
      name: match[2],
      text,
      sha256: createHash('sha256').update(text).digest('hex'),
    });
  }
  return migrations;
}
