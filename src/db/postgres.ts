// Sql over a pg.Pool. A stopped, unreachable or frozen server MUST fail fast, never hang: every connection has a
// connect timeout, a server-side statement_timeout and idle_in_transaction_session_timeout, and a client-side query
// timeout a little longer than the statement timeout (for a server that answers nothing at all). An idle client's error
// MUST NOT crash the process (the pool drops the client; the next query reconnects). A transaction owns one pooled
// client; a client that failed mid-transaction is destroyed, not reused.
import pg from 'pg';
import type { PoolClient } from 'pg';
import { DbError, leaseKey, withSavepoint } from './sql.ts';
import type { Lease, QueryOptions, Sql } from './sql.ts';

export interface PostgresOptions {
  /** Milliseconds to wait for a new connection, or for a free one in a full pool (default 2000). */
  connectTimeoutMs?: number;
  /** Pool size (default 10). */
  max?: number;
  /** Server-side statement_timeout in milliseconds (default 600000; 0: none); serve: database.statement_timeout_ms. */
  statementTimeoutMs?: number;
  /** Server-side idle_in_transaction_session_timeout in milliseconds (default 60000; 0: none). */
  idleInTransactionTimeoutMs?: number;
  /** Client-side limit per query in milliseconds: a server that does not answer at all (default: the statement
   * timeout plus 1000; 0 with no statement timeout: none). */
  queryTimeoutMs?: number;
  /**
   * Commit without waiting for the WAL flush (synchronous_commit = off for this pool's sessions). Only for statements
   * whose durability a later synchronous commit implies: WAL is flushed in order, so once a later commit is durable,
   * so is every earlier one (the limits stage: a lease grant is followed, before anything it admits is forwarded, by
   * that request's decision record; a lost settlement batch loses no headroom, which its lease already counted as
   * used: docs/limits.md). Default false.
   */
  asyncCommit?: boolean;
}

/** Defaults for tools (migrate, verify, export: long scans and DDL on large ledgers) and serve's start-up migrations.
 * Serve's request pools pass their configured, tight ones (database.*_timeout_ms). */
export const POSTGRES_DEFAULTS = {
  connectTimeoutMs: 2000,
  statementTimeoutMs: 600_000,
  idleInTransactionTimeoutMs: 60_000,
} as const;

/** The timeouts a connection is opened with (pg passes them as startup parameters: no extra round trip). */
export function timeoutSettings(opts: PostgresOptions): {
  connectionTimeoutMillis: number;
  statement_timeout?: number;
  idle_in_transaction_session_timeout?: number;
  query_timeout?: number;
} {
  const statement = opts.statementTimeoutMs ?? POSTGRES_DEFAULTS.statementTimeoutMs;
  const idle = opts.idleInTransactionTimeoutMs ?? POSTGRES_DEFAULTS.idleInTransactionTimeoutMs;
  const query = opts.queryTimeoutMs ?? (statement > 0 ? statement + 1000 : 0);
  return {
    connectionTimeoutMillis: opts.connectTimeoutMs ?? POSTGRES_DEFAULTS.connectTimeoutMs,
    ...(statement > 0 ? { statement_timeout: statement } : {}),
    ...(idle > 0 ? { idle_in_transaction_session_timeout: idle } : {}),
    ...(query > 0 ? { query_timeout: query } : {}),
  };
}

export function connectPostgres(url: string, opts: PostgresOptions = {}): Sql {
  const timeouts = timeoutSettings(opts);
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.max ?? 10,
    ...timeouts,
    ...(opts.asyncCommit ? { options: '-c synchronous_commit=off' } : {}),
  });
  // Without a listener an idle client's error (server restart, network cut) is an uncaught 'error' event.
  pool.on('error', () => undefined);
  let closed = false;

  const sql: Sql = {
    async query<R>(text: string, params?: readonly unknown[], options?: QueryOptions) {
      const result = await pool.query(statement(text, params, options));
      return { rows: result.rows as R[] };
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A checked-out client whose socket dies emits 'error'; unhandled, that would crash the process.
      let socketError: Error | undefined;
      const onError = (err: Error) => {
        socketError = err;
      };
      client.on('error', onError);
      const release = (err?: Error) => {
        client.removeListener('error', onError);
        client.release(err ?? socketError);
      };
      try {
        await client.query('BEGIN');
      } catch (err) {
        release(asError(err));
        throw err;
      }
      try {
        const result = await fn(clientSql(client, 1));
        await client.query('COMMIT');
        release();
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
          release();
        } catch (rollbackErr) {
          release(asError(rollbackErr));
        }
        throw err;
      }
    },
    async tryLease(name) {
      // A dedicated client outside the pool: the lock lives exactly as long as this session.
      const client = new pg.Client({
        connectionString: url,
        connectionTimeoutMillis: timeouts.connectionTimeoutMillis,
        keepAlive: true,
      });
      let alive = true;
      client.on('error', () => {
        alive = false;
      });
      client.on('end', () => {
        alive = false;
      });
      await client.connect();
      let got: unknown;
      try {
        got = (await client.query<{ got: unknown }>('SELECT pg_try_advisory_lock($1::bigint) AS got', [leaseKey(name)]))
          .rows[0]?.got;
      } catch (err) {
        await client.end().catch(() => undefined);
        throw err;
      }
      if (got !== true) {
        await client.end().catch(() => undefined);
        return null;
      }
      let released = false;
      const lease: Lease = {
        get held() {
          return alive && !released;
        },
        async release() {
          if (released) return;
          released = true;
          await client.end().catch(() => undefined); // ending the session frees the lock
        },
      };
      return lease;
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  return sql;
}

function clientSql(client: PoolClient, depth: number): Sql {
  const tx: Sql = {
    async query<R>(text: string, params?: readonly unknown[], options?: QueryOptions) {
      const result = await client.query(statement(text, params, options));
      return { rows: result.rows as R[] };
    },
    transaction: (fn) => withSavepoint(tx, depth, () => fn(clientSql(client, depth + 1))),
    tryLease: async () => {
      throw new DbError('ERR_DB_MISUSE', 'tryLease() is not available inside a transaction');
    },
    async close() {
      throw new DbError('ERR_DB_MISUSE', 'close() is not available inside a transaction');
    },
  };
  return tx;
}

/** pg's query config; a named one is parsed once per connection (pg keeps it prepared there) and then only bound. */
function statement(text: string, params: readonly unknown[] | undefined, options?: QueryOptions): pg.QueryConfig {
  const values = params && params.length > 0 ? [...params] : undefined;
  return options?.name && values ? { name: options.name, text, values } : { text, ...(values ? { values } : {}) };
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
