// The database's clock, injected for tests. Limit windows and lease expiry are the database's now() (docs/limits.md:
// every replica counts in the same windows), so a test whose requests must share one minute window sets that clock
// instead of waiting for a fresh minute. test_clock.now() shadows pg_catalog.now() for every session whose
// search_path names test_clock before pg_catalog; column defaults were bound to pg_catalog.now() when their tables
// were created and keep the real clock. Nothing in src/ knows of it.
import type { Sql } from '../../src/db/index.ts';

/** A connection that can run a statement: the project's Sql, or a pg Pool or Client. */
type Queryable = Pick<Sql, 'query'> | { query(text: string, params?: unknown[]): Promise<unknown> };

const SEARCH_PATH = '"$user", public, test_clock, pg_catalog';

export interface DbClock {
  /** Sets what now() returns from the next statement on (a whole transaction sees one value, as with the real one). */
  set(at: Date): Promise<void>;
}

/**
 * Installs test_clock.now(), stopped at `at`, in the database `admin` is connected to (it MUST be allowed to create a
 * schema). `sessions`: `this` sets the search_path on `admin`'s own session (PGlite has one); a database name sets it
 * for every session opened on that database from now on (ALTER DATABASE: open the application's pool afterwards).
 */
export async function installDbClock(
  admin: Queryable,
  at: Date,
  sessions: 'this' | { database: string },
): Promise<DbClock> {
  const run = (text: string, params?: unknown[]) =>
    (admin.query as (t: string, p?: unknown[]) => Promise<unknown>)(text, params);
  await run('CREATE SCHEMA test_clock');
  await run('CREATE TABLE test_clock.instant (at timestamptz NOT NULL)');
  await run('INSERT INTO test_clock.instant (at) VALUES ($1)', [at.toISOString()]);
  await run(
    "CREATE FUNCTION test_clock.now() RETURNS timestamptz LANGUAGE sql STABLE AS 'SELECT at FROM test_clock.instant'",
  );
  await run('GRANT USAGE ON SCHEMA test_clock TO PUBLIC');
  await run('GRANT SELECT ON test_clock.instant TO PUBLIC');
  if (sessions === 'this') await run(`SET search_path = ${SEARCH_PATH}`);
  else await run(`ALTER DATABASE "${sessions.database.replaceAll('"', '""')}" SET search_path = ${SEARCH_PATH}`);
  return {
    async set(next) {
      await run('UPDATE test_clock.instant SET at = $1', [next.toISOString()]);
    },
  };
}
