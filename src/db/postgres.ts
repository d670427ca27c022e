// Sql over a pg.Pool. A stopped or unreachable server MUST fail fast (connection timeout), never hang, and an
// idle client's error MUST NOT crash the process (the pool drops the client; the next query reconnects).
// A transaction owns one pooled client; a client that failed mid-transaction is destroyed, not reused.
import pg from 'pg';
import type { PoolClient } from 'pg';
import { DbError, withSavepoint } from './sql.ts';
import type { Sql } from './sql.ts';

export interface PostgresOptions {
  /** Milliseconds to wait for a new connection (default 2000). */
  connectTimeoutMs?: number;
  /** Pool size (default 10). */
  max?: number;
  /** Client-side limit per query in milliseconds (default none). */
  queryTimeoutMs?: number;
}

export function connectPostgres(url: string, opts: PostgresOptions = {}): Sql {
  const pool = new pg.Pool({
    connectionString: url,
    connectionTimeoutMillis: opts.connectTimeoutMs ?? 2000,
    max: opts.max ?? 10,
    ...(opts.queryTimeoutMs === undefined ? {} : { query_timeout: opts.queryTimeoutMs }),
  });
  // Without a listener an idle client's error (server restart, network cut) is an uncaught 'error' event.
  pool.on('error', () => undefined);
  let closed = false;

  const sql: Sql = {
    async query<R>(text: string, params?: readonly unknown[]) {
      const result = await pool.query(text, params && params.length > 0 ? [...params] : undefined);
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
    async query<R>(text: string, params?: readonly unknown[]) {
      const result = await client.query(text, params && params.length > 0 ? [...params] : undefined);
      return { rows: result.rows as R[] };
    },
    transaction: (fn) => withSavepoint(tx, depth, () => fn(clientSql(client, depth + 1))),
    async close() {
      throw new DbError('ERR_DB_MISUSE', 'close() is not available inside a transaction');
    },
  };
  return tx;
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
