// Sql over PGlite (PostgreSQL in WebAssembly, one connection): the embedded default for first runs and demos.
// PGlite serialises everything on its single connection, so inside transaction(fn) fn MUST use tx, never the
// outer Sql (that would wait for the transaction to end: a deadlock).
import { PGlite } from '@electric-sql/pglite';
import type { Transaction } from '@electric-sql/pglite';
import { DbError, withSavepoint } from './sql.ts';
import type { Lease, Sql } from './sql.ts';

type Runner = Pick<Transaction, 'query' | 'exec'>;

/**
 * An empty cluster's files as initdb leaves them, taken from the first in-memory database a process opens (before
 * anyone writes to it): a later in-memory database starts from them instead of running initdb again (4.3 s -> 0.9 s
 * a database here; a test process opens one per test in places). It holds PostgreSQL's own empty catalogs, no data.
 */
let emptyCluster: Promise<Blob | undefined> | undefined;

async function inMemory(): Promise<PGlite> {
  const files = emptyCluster === undefined ? undefined : await emptyCluster;
  if (files !== undefined) {
    try {
      return await PGlite.create({ loadDataDir: files });
    } catch {
      // an unreadable copy: initdb as the first time did
    }
  }
  const db = await PGlite.create();
  emptyCluster ??= db.dumpDataDir('none').then(
    (blob) => blob,
    () => undefined,
  );
  await emptyCluster;
  return db;
}

/** Opens (creating if absent) a PGlite database in dataDir, or in memory when dataDir is undefined. */
export async function openPglite(dataDir?: string): Promise<Sql> {
  const db = dataDir === undefined ? await inMemory() : await PGlite.create(dataDir);
  const leased = new Set<string>();
  return {
    query: (text, params) => run(db, text, params),
    transaction: (fn) => db.transaction((tx) => fn(txSql(tx, 1))),
    // PGlite runs in this process alone, so an in-process lease excludes every other writer.
    async tryLease(name) {
      if (db.closed) throw new DbError('ERR_DB_MISUSE', 'the database is closed');
      if (leased.has(name)) return null;
      leased.add(name);
      let released = false;
      const lease: Lease = {
        get held() {
          return !released && !db.closed;
        },
        async release() {
          if (released) return;
          released = true;
          leased.delete(name);
        },
      };
      return lease;
    },
    async close() {
      if (!db.closed) await db.close();
    },
  };
}

function txSql(tx: Transaction, depth: number): Sql {
  const sql: Sql = {
    query: (text, params) => run(tx, text, params),
    transaction: (fn) => withSavepoint(sql, depth, () => fn(txSql(tx, depth + 1))),
    tryLease: async () => {
      throw new DbError('ERR_DB_MISUSE', 'tryLease() is not available inside a transaction');
    },
    async close() {
      throw new DbError('ERR_DB_MISUSE', 'close() is not available inside a transaction');
    },
  };
  return sql;
}

/** Like pg: with parameters one statement (extended protocol), without them possibly several (simple protocol). */
async function run<R>(db: Runner, text: string, params?: readonly unknown[]): Promise<{ rows: R[] }> {
  if (params && params.length > 0) {
    const result = await db.query<R>(text, [...params]);
    return { rows: result.rows };
  }
  const results = await db.exec(text);
  const last = results[results.length - 1];
  return { rows: (last?.rows ?? []) as R[] };
}
