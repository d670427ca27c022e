// Round 13 ops, the in-memory PGlite copy (src/db/pglite.ts, 9b8b813): a process's first in-memory database is dumped
// (its files as initdb left them) and every later one starts from that dump. Can one database's data reach another?
// The dump is taken before the first database is handed out, so nothing written reaches it; databases opened at once
// (before the dump exists) each run initdb. Control: a database opened after the first holds a table and a row sees
// neither, and what it writes does not reach the first. Counted rows, not time (one initdb and one copy: 2 opens).
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite, type Sql } from '../../src/db/index.ts';

const opened: Sql[] = [];

async function open(): Promise<Sql> {
  const sql = await openPglite();
  opened.push(sql);
  return sql;
}

async function tables(sql: Sql): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
  );
  return rows.map((r) => r.name);
}

afterAll(async () => {
  for (const sql of opened) await sql.close();
});

describe('in-memory PGlite databases started from the first one’s files', () => {
  it('control: what the first database holds never reaches a later one, nor the reverse', async () => {
    const first = await open();
    await first.query('CREATE TABLE leaked (secret text)');
    await first.query("INSERT INTO leaked VALUES ('from-first')");
    expect(await tables(first)).toEqual(['leaked']);

    // The next one, written the moment it is handed out.
    const later = await open();
    expect(await tables(later)).toEqual([]);
    await later.query('CREATE TABLE mine (who text)');
    await later.query("INSERT INTO mine VALUES ('later')");
    expect(await tables(later)).toEqual(['mine']);
    const { rows } = await first.query<{ secret: string }>('SELECT secret FROM leaked');
    expect(rows.map((r) => r.secret)).toEqual(['from-first']);
    expect(await tables(first)).toEqual(['leaked']);
  }, 60_000);
});
