// Round 12 ops, what a witness can make Proctor read, after round 11's fix (a 409 size below what the witness cosigned
// is ERR_WITNESS_ROLLBACK): startWitnessing (src/ledger/witness.ts) still proves a checkpoint from any size a 409 names
// between the one it cosigned and the checkpoint's, and proofBetween takes that size's frontier from its stored row or,
// when no checkpoint is stored at that size, rebuilds the tree of the chain's first `old` records from the records. A
// witness is only ever sent checkpoints, so an honest one names a stored checkpoint's size; one that cosigned the
// chain's first 2,001 records and then answers each attempt with 409 and one more than the `old` it was sent (3
// attempts a checkpoint, the last two proven from a size with no row) makes Proctor read the chain's record hashes
// twice for each checkpoint, however few records it adds (measured: 4,032 for 10 new records; honest: 10). The real ledger into a throwaway PostgreSQL, a real HTTP witness (node:http); the
// ledger's Sql counts the record hashes its answers hand back (the real answers, unchanged). Counted, not timed.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { startWitness, type TestWitness, type WitnessedRestart, witnessedRestart } from './ledger-plants.ts';

const key = generateSigningKey();
const witnessKey = generateSigningKey();
const WITNESS = 'r12.example/witness-ahead';
const FIRST = 2000; // records the witness cosigns honestly
const LATER = 10; // records of the checkpoint it answers with sizes just past the one it cosigned

let pg: ThrowawayPostgres;
let sql: Sql;
let witness: TestWitness;
/** honest: cosigns what it is sent; ahead: 409 with one more than the `old` it was sent. */
let mode: 'honest' | 'ahead' = 'honest';

/** FIRST records cosigned by the honest witness, a restart with the witness in `then`, LATER records: the hashes the
 * second session read and the witness errors it reported. */
function session(chain: string, then: typeof mode): Promise<WitnessedRestart> {
  mode = 'honest';
  const setup = { privateKeyPem: key.privateKeyPem, witness, first: FIRST, later: LATER };
  return witnessedRestart(sql, chain, setup, () => (mode = then));
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
  witness = await startWitness(WITNESS, witnessKey.privateKeyPem, (old) => (mode === 'ahead' ? old + 1 : null));
}, 120_000);

afterAll(async () => {
  await witness?.close();
  await sql?.close();
  await pg?.destroy();
});

describe('a witness that answers with a size just past the one it was sent', () => {
  it(`control: an honest witness's next checkpoint, ${LATER} records later, reads about ${LATER} hashes`, async () => {
    const { hashes, codes } = await session('r12-witness-ahead-honest', 'honest');
    console.info(`honest: ${hashes} record hashes read after the restart, errors [${codes.join(', ')}]`);
    expect(codes).toEqual([]);
    expect(hashes).toBeLessThanOrEqual(4 * LATER);
  }, 60_000);

  // Closed (src/ledger/witness.ts grownTo): the tree at a 409 size with no row vouched for is grown from the newest
  // frontier below it (the one the witness cosigned, known), by the records in between: never from the first record.
  it(`an "ahead" witness's answers read no more hashes than the honest one's`, async () => {
    const { hashes, codes } = await session('r12-witness-ahead-lying', 'ahead');
    console.info(
      `ahead: ${hashes} record hashes read after the restart (chain ${FIRST + LATER}+), [${codes.join(', ')}]`,
    );
    expect(hashes).toBeLessThanOrEqual(4 * LATER);
  }, 60_000);
});
