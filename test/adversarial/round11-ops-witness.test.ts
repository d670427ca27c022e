// Round 11 ops, what a witness can make Proctor read: startWitnessing (src/ledger/witness.ts) proves a new checkpoint
// from the size a witness says it knows (a 409 text/x.tlog.size), whatever the database says the witness already
// cosigned: a size below that makes proofBetween rebuild the tree from the records, and each of up to three answers
// a checkpoint is another read. A witness that has cosigned the chain's first 2,001 records answers every later
// checkpoint with 409 "1", then "2", then "1": Proctor proves from each, reading every record hash of the chain twice
// a checkpoint, a witness, however few records the checkpoint adds (measured: 4,032 hashes for 10 new records). The
// real ledger into a throwaway PostgreSQL, a real HTTP witness (node:http, cosigning with its own Ed25519 key until it
// turns); the ledger's Sql counts the record hashes its answers hand back (the real answers, unchanged). Counted.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { startWitness, type TestWitness, witnessedRestart } from './ledger-plants.ts';

const key = generateSigningKey();
const witnessKey = generateSigningKey();
const WITNESS = 'r11.example/witness';
const FIRST = 2000; // records the witness cosigns honestly
const LATER = 10; // records of the checkpoint it answers with a smaller size

let pg: ThrowawayPostgres;
let sql: Sql;
let witness: TestWitness;
/** honest: cosigns what it is sent; regressing: 409 with a size below what it cosigned, another each answer. */
let mode: 'honest' | 'regressing' = 'honest';

/** FIRST records cosigned by the honest witness, a restart with the witness in `then`, LATER records: the hashes the
 * second session read. */
async function session(chain: string, then: typeof mode): Promise<number> {
  mode = 'honest';
  const setup = { privateKeyPem: key.privateKeyPem, witness, first: FIRST, later: LATER };
  return (await witnessedRestart(sql, chain, setup, () => (mode = then))).hashes;
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
  witness = await startWitness(WITNESS, witnessKey.privateKeyPem, () =>
    mode === 'regressing' ? (witness.requests() % 2) + 1 : null,
  );
}, 120_000);

afterAll(async () => {
  await witness?.close();
  await sql?.close();
  await pg?.destroy();
});

describe('a witness that answers with a size below the one it cosigned', () => {
  it(`control: an honest witness's next checkpoint, ${LATER} records later, reads about ${LATER} hashes`, async () => {
    const hashes = await session('r11-witness-honest', 'honest');
    const { rows } = await sql.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM audit_witness_cosignatures WHERE chain = 'r11-witness-honest'",
    );
    console.info(`honest: ${hashes} record hashes read after the restart, ${rows[0]?.n} cosignatures stored`);
    expect(rows[0]?.n).toBe(2);
    expect(hashes).toBeLessThanOrEqual(4 * LATER);
  }, 120_000);

  // Closed (src/ledger/witness.ts): a 409 size below what the witness cosigned is ERR_WITNESS_ROLLBACK, never a
  // size to prove from.
  it(`a regressing witness's answers read no more hashes than the honest one's`, async () => {
    const hashes = await session('r11-witness-regressing', 'regressing');
    console.info(`regressing: ${hashes} record hashes read after the restart (the chain holds ${FIRST + LATER}+)`);
    expect(hashes).toBeLessThanOrEqual(4 * LATER);
  }, 120_000);
});
