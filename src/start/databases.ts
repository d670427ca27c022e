// The server's database connections: the ledger's and the requests' pool (or the caller's connection), the limits
// stage's own small pool, and the schema check before anything is served. Invariant: every pool has the timeouts of
// docs/configuration.md, so a frozen database fails requests fast and never hangs them.
import type { DatabaseSettings } from '../config/index.ts';
import { connectPostgres, ensureSchema, openPglite, type Sql } from '../db/index.ts';
import type { Log } from '../pipeline/index.ts';
import type { Closer } from './closers.ts';

/** Connections of the limits stage: its syncs run one at a time (docs/limits.md), housekeeping beside them. */
const LIMITS_POOL_SIZE = 2;

export interface Databases {
  sql: Sql;
  /** The limits stage's connection: a pool of its own with asyncCommit on PostgreSQL; `sql` when given or on PGlite. */
  limitsSql: Sql;
}

/**
 * Opens the connections the caller did not pass; each one opened is pushed onto `closers`. Lease grants and settlement
 * batches commit without waiting for their own WAL flush: a grant is followed, before anything it admitted is
 * forwarded, by that request's decision record, committed synchronously, whose flush covers the grant's
 * (docs/limits.md). They run on a small pool of their own, never on a request's critical path.
 */
export async function openDatabases(
  db: DatabaseSettings,
  given: { sql?: Sql; limitsSql?: Sql },
  closers: Closer[],
): Promise<Databases> {
  const ownSql = given.sql ? null : await openDatabase(db);
  const sql = given.sql ?? (ownSql as Sql);
  if (ownSql) closers.push({ part: 'database', close: () => ownSql.close() });
  const own =
    given.sql || given.limitsSql || db.kind !== 'postgres'
      ? null
      : {
          limits: connectPostgres(db.url, { ...poolTimeouts(db), max: LIMITS_POOL_SIZE, asyncCommit: true }),
        };
  if (own) closers.push({ part: 'limits database', close: () => own.limits.close() });
  return { sql, limitsSql: given.limitsSql ?? own?.limits ?? sql };
}

/**
 * PGlite (embedded) always migrates; PostgreSQL as configured (check: the runtime role, after `proctor migrate`), on
 * a connection of its own with the tools' timeouts (DDL may take longer than a request's statement timeout) unless
 * the caller passed its connection (`ownConnection` false). Then a warning when commits do not wait for the disk.
 */
export async function prepareSchema(db: DatabaseSettings, sql: Sql, ownConnection: boolean, log: Log): Promise<void> {
  const migrator =
    db.kind === 'postgres' && ownConnection
      ? connectPostgres(db.url, { max: 1, connectTimeoutMs: db.connectTimeoutMs })
      : null;
  try {
    await ensureSchema(migrator ?? sql, db.kind === 'postgres' ? db.migrations : 'apply');
  } finally {
    await migrator?.close();
  }
  // Decision records and checkpoints rely on a flushed commit (docs/ledger.md): say so loudly when the ledger's
  // sessions commit without one, e.g. synchronous_commit = off set for the server, database or role.
  if (db.kind === 'postgres') {
    const { rows } = await sql.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    if (rows[0]?.synchronous_commit === 'off')
      log(
        'error',
        'PostgreSQL commits without waiting for the disk (synchronous_commit = off): a crash can lose decision ' +
          'records of traffic already forwarded; set it to on for the ledger role',
        {},
      );
  }
}

async function openDatabase(db: DatabaseSettings): Promise<Sql> {
  return db.kind === 'postgres'
    ? connectPostgres(db.url, { ...poolTimeouts(db), max: db.poolSize })
    : openPglite(db.dataDir);
}

/** Every pool's timeouts (docs/configuration.md): a frozen database fails requests fast, never hangs them. */
function poolTimeouts(db: {
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}) {
  // The client gives up when the server would: a frozen server (one that answers nothing) fails as fast as a slow one.
  return {
    connectTimeoutMs: db.connectTimeoutMs,
    statementTimeoutMs: db.statementTimeoutMs,
    idleInTransactionTimeoutMs: db.idleInTransactionTimeoutMs,
    queryTimeoutMs: db.statementTimeoutMs,
  };
}
