// Round 13 ops, a database writer without the signing key against evidence export (src/evidence/export.ts, what
// `proctor export` runs). loadCheckpoints reads every audit_checkpoints row of a chain as it is stored: the largest is
// the packet's latest checkpoint and the smallest covering a record is its anchor, each taken for what its columns say.
// The writer's restart and the public latest note skip a row whose note does not open under the key at its size and
// root (docs/ledger.md: "a planted row is skipped, never sent"); export does not. One INSERT (the role's right, no key):
// - a row past the head: every export of the chain is refused (ERR_EXPORT_LEDGER_INCONSISTENT), for good (the table is
//   append-only);
// - a row between two genuine checkpoints, its root the true root of the records below it (the record hashes are in
//   the table: no key needed) and a note that is no note: the packet anchors the records below it to that row and its
//   own pre-signing check fails (CHECKPOINT_INVALID), so every packet of those records fails an auditor's verify;
// - audit_witness_cosignatures rows (no witness key needed) at a genuine checkpoint's size: every line is joined into
//   the packet's note unverified; 9 lines of 2,000 characters push the note past MAX_NOTE_BYTES and every export
//   anchored there is refused (ERR_EXPORT_LEDGER_INCONSISTENT).
// The real ledger into a throwaway PostgreSQL; exportPacket as `proctor export` calls it, keys pinned (--trust).
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { exportPacket } from '../../src/evidence/index.ts';
import type { PacketQuery } from '../../src/evidence/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { rootOf } from './round13-ops-helpers.ts';

const key = generateSigningKey();
const exporter = generateKeyPairSync('ed25519');
const deny = { decision: { allow: false, reasons: [], obligations: null } };
const query: PacketQuery = {
  subjects: [],
  groups: [],
  tenants: [],
  clients: [],
  request_ids: [],
  from: null,
  to: null,
  decision: null,
  policy_versions: [],
  types: ['decision'],
  until_checkpoint: false,
};

let pg: ThrowawayPostgres;
let sql: Sql;

/** A chain of 30 decisions, a checkpoint every 10 records and one at the head. */
async function chainOf(chain: string): Promise<void> {
  const ledger = await openLedger({
    sql,
    signer: loadSigner(key.privateKeyPem),
    chain,
    clock: { now: () => new Date() },
    checkpoints: { everyRecords: 10, everySeconds: 0 },
  });
  for (let i = 0; i < 30; i++) await ledger.append('decision', `${chain}-${i}`, deny);
  await ledger.close();
}

async function plant(chain: string, size: number, root: Buffer): Promise<void> {
  await sql.query(
    'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $3, $4)',
    [chain, size, root, 'not a checkpoint\n'],
  );
}

/** The export of every decision of `chain` (by request id: other chains are not read for checkpoints): its error code, or the packet's error findings. */
async function exported(chain: string): Promise<{ error: string | null; errors: string[] }> {
  try {
    const result = await exportPacket({
      sql,
      exporterKey: exporter.privateKey,
      exportedBy: 'round13 auditor',
      exportedAt: new Date(),
      query: { ...query, request_ids: Array.from({ length: 30 }, (_, i) => `${chain}-${i}`) },
      trust: { ledgerKeys: [key.publicKeyPem], exporterKeys: [] },
    });
    const mine = result.manifest.chains.some((c) => c.chain === chain);
    return {
      error: mine ? null : 'chain not in packet',
      errors: result.verdict.findings.filter((f) => f.severity === 'error').map((f) => `${f.chain}:${f.code}`),
    };
  } catch (error) {
    return { error: String((error as { code?: unknown }).code ?? error), errors: [] };
  }
}

/** Witness rows at `size` of `chain`: `count` lines of `length` characters under made-up witness keys. */
async function plantWitnessLines(chain: string, size: number, count: number, length: number): Promise<void> {
  await sql.query(
    'INSERT INTO audit_witness_cosignatures (chain, tree_size, witness, line, cosigned_at) ' +
      "SELECT $1, $2, 'w' || i || '.example+00000000+AAAA', " +
      "'\u2014 w' || i || '.example ' || repeat('A', $3), now() FROM generate_series(1, $4) AS i",
    [chain, size, length, count],
  );
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

describe('evidence export after one INSERT by a database writer without the key', () => {
  it('control: an untouched chain exports, its packet checks clean under the pinned key', async () => {
    await chainOf('r13-export-clean');
    const got = await exported('r13-export-clean');
    expect(got).toEqual({ error: null, errors: [] });
  }, 60_000);

  // Closed (src/evidence/export.ts loadCheckpoints): a row is a checkpoint only when its note opens under a pinned or
  // registered ledger key at its own size and root; others are left out (proctor verify still reports them).
  it('a row planted past the head does not stop the export of the chain', async () => {
    await chainOf('r13-export-ahead');
    const { rows } = await sql.query<{ n: number }>(
      'SELECT max(seq)::int + 1 AS n FROM audit_records WHERE chain = $1',
      ['r13-export-ahead'],
    );
    await plant('r13-export-ahead', (rows[0]?.n ?? 0) + 5, Buffer.alloc(32, 7));
    const got = await exported('r13-export-ahead');
    console.info(`row past the head: ${JSON.stringify(got)}`);
    expect(got.error).toBeNull();
  }, 60_000);

  // Closed (src/evidence/export.ts loadCheckpoints): same check; the root matches, the note does not open.
  it('a row with the true root and no signed note between two checkpoints leaves the packet clean', async () => {
    await chainOf('r13-export-between');
    await plant('r13-export-between', 15, await rootOf(sql, 'r13-export-between', 15));
    const got = await exported('r13-export-between');
    console.info(`row between checkpoints: ${JSON.stringify(got)}`);
    expect(got.error).toBeNull();
    expect(got.errors.filter((e) => e.startsWith('r13-export-between:'))).toEqual([]);
  }, 60_000);

  // Closed (src/evidence/export.ts loadCheckpoints): stored lines that would take a note past MAX_NOTE_BYTES are left
  // out, the note kept. Left: without the witnesses' keys the exporter cannot tell a planted line from a genuine one,
  // so long planted lines still strip the genuine cosignatures from the packet's note.
  it('witness rows planted at a genuine checkpoint neither stop the export nor enter the packet', async () => {
    await chainOf('r13-export-witness');
    await plantWitnessLines('r13-export-witness', 10, 9, 2000);
    const got = await exported('r13-export-witness');
    console.info(`9 witness lines of 2,000 characters: ${JSON.stringify(got)}`);
    expect(got.error).toBeNull();
  }, 60_000);
});
