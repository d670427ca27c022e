// Round 13 ops, a database writer without any key against `proctor verify --witness` (src/verify/witness.ts
// storedCosigned): a checkpoint's stored witness lines are joined into its note only while note and lines together
// stay within MAX_NOTE_BYTES (16 KiB); past it every line is dropped and "the note is checked without them: it then
// lacks their quorum". audit_witness_cosignatures takes an INSERT from anyone with the role (the writer stores only
// lines it verified; the table checks a line's length only, 2,048): 9 rows of 2,000-character lines under made-up
// witness names at the newest checkpoint's size drop the genuine cosignature of the pinned witness with them, and the
// auditor's verify reports that checkpoint as lacking the quorum (WITNESS_QUORUM_MISSING, exit 1): a cosigned chain made
// to look uncosigned, its witness anchor gone, by one statement and no key.
// The real ledger into a throwaway PostgreSQL; the genuine line is cosigned with a witness key as a tlog-witness would.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';
import { cosign, splitNote, witnessVerifierKey } from '../../src/ledger/witness-cosignature.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
const witness = generateKeyPairSync('ed25519');
const WITNESS_NAME = 'witness.example';
const witnessPem = witness.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
const vkey = witnessVerifierKey(WITNESS_NAME, witness.publicKey.export({ format: 'pem', type: 'spki' }).toString());
const deny = { decision: { allow: false, reasons: [], obligations: null } };

let pg: ThrowawayPostgres;
let sql: Sql;
let trustFile: string;

/** A chain of 12 decisions whose checkpoint at the head the pinned witness cosigned (stored as the writer stores it). */
async function cosignedChain(chain: string): Promise<number> {
  const ledger = await openLedger({
    sql,
    signer: loadSigner(key.privateKeyPem),
    chain,
    clock: { now: () => new Date() },
    checkpoints: { everyRecords: 1000, everySeconds: 0 },
  });
  for (let i = 0; i < 12; i++) await ledger.append('decision', `${chain}-${i}`, deny);
  await ledger.close(); // a checkpoint at the head
  const { rows } = await sql.query<{ size: number; note: string }>(
    'SELECT tree_size::int AS size, note FROM audit_checkpoints WHERE chain = $1 ORDER BY tree_size DESC LIMIT 1',
    [chain],
  );
  const head = rows[0];
  if (head === undefined) throw new Error('no checkpoint');
  const line = cosign(splitNote(head.note).body, WITNESS_NAME, witnessPem, Math.floor(Date.now() / 1000));
  await sql.query(
    'INSERT INTO audit_witness_cosignatures (chain, tree_size, witness, line, cosigned_at) VALUES ($1, $2, $3, $4, now())',
    [chain, head.size, vkey, line],
  );
  return head.size;
}

/** proctor verify --witness of one chain: its exit code and the codes of its error findings. */
async function verifyWitnessed(chain: string): Promise<{ code: number; errors: string[] }> {
  let out = '';
  const code = await runVerify(
    ['--db', pg.superuserUrl, '--trust', trustFile, '--chain', chain, '--witness', vkey, '--workers', '0', '--json'],
    { stdout: (s) => (out += s), stderr: () => {}, env: {}, stderrIsTTY: false },
  );
  const report = JSON.parse(out) as { findings: { code: string; severity: string }[] };
  return { code, errors: report.findings.filter((f) => f.severity === 'error').map((f) => f.code) };
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
  trustFile = path.join(mkdtempSync(path.join(tmpdir(), 'r13-verify-witness-')), 'ledger.pem');
  writeFileSync(trustFile, key.publicKeyPem);
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

describe('witness lines planted beside a genuine cosignature', () => {
  it('control: a chain whose newest checkpoint the pinned witness cosigned verifies clean with --witness', async () => {
    await cosignedChain('r13-witness-clean');
    expect(await verifyWitnessed('r13-witness-clean')).toEqual({ code: 0, errors: [] });
  }, 60_000);

  // Closed (src/verify/witness.ts storedCosigned): only rows stored under a pinned witness's verifier key are joined
  // (and bounded), so lines no pinned key signed never displace one it did.
  it('9 rows of 2,000-character lines under other names leave the pinned cosignature counted', async () => {
    const size = await cosignedChain('r13-witness-junk');
    await sql.query(
      'INSERT INTO audit_witness_cosignatures (chain, tree_size, witness, line, cosigned_at) ' +
        "SELECT $1, $2, 'w' || i || '.example+00000000+AAAA', " +
        "'\u2014 w' || i || '.example ' || repeat('A', 2000), now() FROM generate_series(1, 9) AS i",
      ['r13-witness-junk', size],
    );
    const got = await verifyWitnessed('r13-witness-junk');
    console.info(`9 planted lines: ${JSON.stringify(got)}`);
    expect(got).toEqual({ code: 0, errors: [] });
  }, 60_000);
});
