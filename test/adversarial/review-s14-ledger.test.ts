// Review s14 (R2, attacker's review of session 14's changes), the restarted checkpoint writer's resume
// (src/ledger/checkpointer.ts loadTree, 9c32554: rows at or below the head are tried newest first, 4 then pages of 64,
// up to MAX_CANDIDATES 1,024, before the tree is rebuilt from the chain's first record). A database writer without the
// signing key INSERTs rows at the next sizes past the head in one statement; each keeps the running writer's own
// checkpoint at its size out, so once the chain has grown past them the newest rows at or below the head are all
// planted. The real ledger into a throwaway PostgreSQL; the ledger's Sql counts the record hashes and checkpoint rows
// its answers hand back at the third start (ledger-plants.ts countingReads), and the third writer's next checkpoint is
// checked against the RFC 6962 root of the chain's records. Counted, not timed.
import { createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql, toBytes } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';
import { rootOf } from '../../src/ledger/merkle.ts';
import { openCheckpoint } from '../../src/ledger/note.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { countingReads, plantPastHead } from './ledger-plants.ts';

const key = generateSigningKey();
const FIRST = 1000; // records before the INSERT; the last genuine checkpoint is at this size
const deny = { decision: { allow: false, reasons: [], obligations: null } };

let pg: ThrowawayPostgres;
let sql: Sql;

interface ThirdStart {
  /** Record hashes and checkpoint rows the third start read to resume its tree. */
  hashes: number;
  rows: number;
  /** Whether the third writer's next checkpoint is over the chain's own records. */
  own: boolean;
}

/**
 * FIRST records; `planted` rows at the next sizes past the head in one INSERT; a restart and `later` records (the chain
 * grows over that many planted rows); a third start: what it read to resume its tree, and its next checkpoint's root.
 */
async function thirdStart(chain: string, planted: number, later: number): Promise<ThirdStart> {
  const open = (on: Sql) =>
    openLedger({
      sql: on,
      signer: loadSigner(key.privateKeyPem),
      chain,
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 1000, everySeconds: 0, onRowRefused: () => {} },
    });
  let ledger = await open(sql);
  await Promise.all(Array.from({ length: FIRST }, (_, i) => ledger.append('decision', `first-${i}`, deny)));
  await ledger.close();
  await plantPastHead(sql, chain, planted);
  ledger = await open(sql);
  await Promise.all(Array.from({ length: later }, (_, i) => ledger.append('decision', `later-${i}`, deny)));
  await ledger.close();
  const reading = countingReads(sql);
  ledger = await open(reading.sql);
  const read = { hashes: reading.hashes(), rows: reading.checkpointRows() };
  await ledger.append('decision', 'third', deny);
  const note = (await ledger.checkpoint())?.note ?? '';
  await ledger.close();
  const { rows } = await sql.query<{ hash: unknown }>('SELECT hash FROM audit_records WHERE chain = $1 ORDER BY seq', [
    chain,
  ]);
  const root = openCheckpoint(note, [createPublicKey(key.publicKeyPem)]).root;
  const own = Buffer.compare(root, rootOf(rows.map((r) => toBytes(r.hash)))) === 0;
  console.info(`${planted} planted, ${later} later: ${read.hashes} record hashes and ${read.rows} rows read`);
  return { ...read, own };
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

describe('checkpoint rows planted past the head, more than loadTree looks through', () => {
  it('control: 1,000 planted: the third start reads no more than the records since the genuine checkpoint', async () => {
    const r = await thirdStart('s14-resume-1000', 1000, 1000);
    expect(r.hashes).toBeLessThanOrEqual(1000 + 2);
    expect(r.own).toBe(true);
  }, 60_000);

  // Closed (src/ledger/checkpoint-resume.ts loadTree): the writer checkpoints at every multiple of everyRecords, and
  // past MAX_CANDIDATES (1,024) rows examined newest first a restart looks only at those sizes (named in the query,
  // so rows planted between them are never read): it resumes from the genuine row at 1,000. Rows past the head cost 8.
  it.each([1100, 20_000])(
    '%i planted, 1,100 later: the third start reads the records since the genuine checkpoint, 1,024 rows and a page',
    async (planted) => {
      const r = await thirdStart(`s14-resume-${planted}`, planted, 1100);
      expect(r.hashes).toBeLessThanOrEqual(1100 + 2);
      expect(r.rows).toBeLessThanOrEqual(1024 + 1);
      expect(r.own).toBe(true);
    },
    60_000,
  );
});
