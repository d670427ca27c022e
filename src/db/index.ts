// The database layer's public surface: the Sql seam, its two implementations, and migrations.
export { DbError, leaseKey, toBytes, toSafeInteger } from './sql.ts';
export type { DbErrorCode, Lease, QueryOptions, Sql } from './sql.ts';
export { connectPostgres } from './postgres.ts';
export type { PostgresOptions } from './postgres.ts';
export { openPglite } from './pglite.ts';
export { ensureSchema, migrate, schemaStatus } from './migrate.ts';
export type { SchemaStatus } from './migrate.ts';
