// Round 13 ops, a database writer without the signing key against the public latest checkpoint
// (GET /v1/checkpoints/<chain>/latest, src/ledger/checkpoint-notes.ts servedCheckpoints, wired in src/main.ts as
// `servedCheckpoints(sql, signer.publicKeyPem, ledger)`) when two chains share one `ledger.checkpoints.origin` (one key
// signs every chain). The own chain is served from the checkpointer's memory once it signed or vouched for a checkpoint;
// before that (a fresh chain's first `everySeconds`, 60 by default, or `everyRecords`, 1,000) its note comes from the
// newest audit_checkpoints rows whose note opens under the key for the origin at the row's size and root. loadTree binds
// a row to this chain's records under a shared origin (round12-ops-origin); this read does not: chain B's genuine rows,
// copied by one INSERT into chain A at sizes A has reached, are served as A's latest checkpoint, a root A's records do
// not have. With the default origins (proctor/ledger/<chain>) the same copy is refused.
// The real ledger into a throwaway PostgreSQL; the oracle is the RFC 6962 root of A's own record hashes (merkle.ts).
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger, servedCheckpoints } from '../../src/ledger/index.ts';
import { openCheckpoint } from '../../src/ledger/note.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { rootOf } from './round13-ops-helpers.ts';
import { createPublicKey } from 'node:crypto';

const key = generateSigningKey();
const SHARED = 'audit.example.com/proctor';
const deny = { decision: { allow: false, reasons: [], obligations: null } };

let pg: ThrowawayPostgres;
let sql: Sql;
/** What A's public latest note was after the copy, by chain A: its size and whether its root is A's own. */
const served = new Map<string, { size: number; own: boolean } | null>();
/** What A's replica served as chain B's latest note (B's writer closed: its genuine rows only). */
const other = new Map<string, string | null>();

function open(chain: string, origin: string | undefined, everyRecords: number) {
  return openLedger({
    sql,
    signer: loadSigner(key.privateKeyPem),
    chain,
    clock: { now: () => new Date() },
    checkpoints: { everyRecords, everySeconds: 0, ...(origin === undefined ? {} : { origin }) },
  });
}

/** Chain B: 12 records, a row at every size. Chain A running (20 records, no checkpoint yet): B's rows copied into A;
 * A's public latest note read as main.ts serves it. */
async function attack(a: string, b: string, origin: string | undefined): Promise<void> {
  const writerB = await open(b, origin, 1);
  for (let i = 0; i < 12; i++) await writerB.append('decision', `${b}-${i}`, deny);
  await writerB.close();
  const writerA = await open(a, origin, 1000);
  for (let i = 0; i < 20; i++) await writerA.append('decision', `${a}-${i}`, deny);
  await sql.query(
    'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) ' +
      'SELECT $1, tree_size, root_hash, frontier, note FROM audit_checkpoints WHERE chain = $2',
    [a, b],
  );
  const read = servedCheckpoints(sql, key.publicKeyPem, writerA);
  other.set(b, await read(b));
  const note = await read(a);
  if (note === null) served.set(a, null);
  else {
    const opened = openCheckpoint(note, [createPublicKey(key.publicKeyPem)]);
    served.set(a, {
      size: opened.size,
      own: Buffer.compare(Buffer.from(opened.root), await rootOf(sql, a, opened.size)) === 0,
    });
  }
  await writerA.close();
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
  await attack('r13-own-a', 'r13-own-b', undefined);
  await attack('r13-shared-a', 'r13-shared-b', SHARED);
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

describe("another chain's genuine checkpoint rows copied into a chain before its first checkpoint", () => {
  it("control: default origins: the copied rows are not served as A's latest note", () => {
    console.info(`own origins: ${JSON.stringify(served.get('r13-own-a'))}`);
    expect(served.has('r13-own-a')).toBe(true);
    expect(served.get('r13-own-a')).toBeNull();
  });

  // Closed (src/ledger/checkpoint-notes.ts latestCheckpoint): under an origin that does not name the chain, the newest
  // row whose note opens is served only when its frontier's last subtree is this chain's records (ofThisChain).
  it("one origin for every chain: A's latest note, if any, is a root of A's own records", () => {
    const got = served.get('r13-shared-a');
    console.info(`shared origin: ${JSON.stringify(got)}`);
    expect(served.has('r13-shared-a')).toBe(true);
    expect(got === null || got?.own).toBe(true);
  });

  it("control: default origins: another chain's genuine note is served by this replica", () => {
    expect(other.get('r13-own-b')).toEqual(expect.stringContaining('proctor/ledger/r13-own-b\n13\n'));
  });

  // Closed (src/ledger/checkpoint-notes.ts servedCheckpoints): every chain is read under the replica's configured origin
  // when it is a shared one (bound to the chain's records as above).
  it("one origin for every chain: another chain's genuine note is served by this replica", () => {
    console.info(`shared origin, chain B from A's replica: ${JSON.stringify(other.get('r13-shared-b'))}`);
    expect(other.get('r13-shared-b')).toEqual(expect.stringContaining(`${SHARED}\n13\n`));
  });
});
