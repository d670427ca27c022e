// Round 11 ops, what a checkpoint row's frontier costs the auditor: 5af3d0e bounds a stored note at 16 KiB (a note over
// it is never fetched: sqlSource selects its size only), but the same row's frontier, which the table checks only to
// be whole 32-byte hashes, is fetched whole for every checkpoint (src/verify/source.ts checkpoints(): SELECT frontier,
// then one hex string a hash). A tree of any size up to 2^53 has at most 53 frontier hashes (one a set bit of its
// size), so 53 × 32 bytes bound every genuine one. A database administrator without the signing key inserts one row
// with a 16 MiB frontier; verifyLedger reads the database through sqlSource over a Sql that counts the frontier bytes
// its rows hand back (the real PostgreSQL answers; nothing is changed on the way). Counted, not timed.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';
import { sqlSource, verifyLedger } from '../../src/verify/index.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
const RECORDS = 3;
/** The most frontier bytes any genuine checkpoint holds: one hash a set bit of a size below 2^53. */
const MAX_FRONTIER = 53 * 32;
const PLANTED = 16 * 2 ** 20;

let pg: ThrowawayPostgres;
let sql: Sql;

/** `sql` whose query results are counted: the bytes of every `frontier` column handed back. */
function counted(base: Sql): { sql: Sql; frontierBytes: () => number } {
  let bytes = 0;
  const sql: Sql = Object.create(base) as Sql;
  sql.query = async (text, params, options) => {
    const result = await base.query(text, params, options);
    for (const row of result.rows as Record<string, unknown>[]) {
      const f = row['frontier'];
      if (f instanceof Uint8Array) bytes += f.byteLength;
      else if (typeof f === 'string') bytes += f.length;
    }
    return result as never;
  };
  return { sql, frontierBytes: () => bytes };
}

async function verify(chain: string) {
  const { sql: reading, frontierBytes } = counted(sql);
  const report = await verifyLedger({ source: sqlSource(reading), trustedKeys: [key.publicKeyPem], chains: [chain] });
  return { ok: report.ok, frontierBytes: frontierBytes() };
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
  for (const chain of ['r11-frontier-control', 'r11-frontier-planted']) {
    const ledger = await openLedger({
      sql,
      signer: loadSigner(key.privateKeyPem),
      chain,
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 1, everySeconds: 0 },
    });
    for (let i = 0; i < RECORDS; i++)
      await ledger.append('decision', `r-${i}`, { decision: { allow: false, reasons: [], obligations: null } });
    await ledger.close();
  }
  // INSERT is what the guards leave an administrator (UPDATE, DELETE and TRUNCATE are blocked).
  await sql.query(
    'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5)',
    ['r11-frontier-planted', 2 ** 40, randomBytes(32), randomBytes(PLANTED), 'not a checkpoint\n'],
  );
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

describe("a checkpoint row's frontier, read by proctor verify --db", () => {
  it(`control: a genuine chain's checkpoints hand verify at most ${MAX_FRONTIER} frontier bytes each`, async () => {
    const { ok, frontierBytes } = await verify('r11-frontier-control');
    expect(ok).toBe(true);
    expect(frontierBytes).toBeGreaterThan(0);
    expect(frontierBytes).toBeLessThanOrEqual(RECORDS * MAX_FRONTIER);
  }, 60_000);

  // Closed (b6640bb, src/verify/source.ts): checkpoints() selected every row's frontier whole, as it once did the
  // note; it now fetches it only when octet_length(frontier) <= 53 * 32 and reports the row otherwise.
  it(`a planted row's ${PLANTED / 2 ** 20} MiB frontier is not fetched: the same bound holds`, async () => {
    const { ok, frontierBytes } = await verify('r11-frontier-planted');
    console.info(`planted: verify ok ${ok}, ${frontierBytes} frontier bytes fetched`);
    expect(ok).toBe(false);
    expect(frontierBytes).toBeLessThanOrEqual((RECORDS + 1) * MAX_FRONTIER);
  }, 60_000);
});
