// The database layer's public surface: the Sql seam, its two implementations, and migrations.
import type { Sql } from './sql.ts';
export { DbError, leaseKey, toBytes, toSafeInteger } from './sql.ts';
export type { DbErrorCode, Lease, QueryOptions, Sql } from './sql.ts';
export { connectPostgres } from './postgres.ts';
export type { PostgresOptions } from './postgres.ts';
export { ensureSchema, migrate, schemaStatus } from './migrate.ts';
export type { SchemaStatus } from './migrate.ts';

/** PGlite (dev, tests, the CLI's --pglite), loaded when opened: `serve` on PostgreSQL never loads its wasm module. */
export async function openPglite(dataDir?: string): Promise<Sql> {
  return (await import('./pglite.ts')).openPglite(dataDir);
}
