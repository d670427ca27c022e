// Round 11 ops, a database administrator without the signing key against the checkpointer: at start-up,
// startCheckpointer (src/ledger/checkpointer.ts loadTree) takes the chain's tree from the newest audit_checkpoints row
// (its tree_size and frontier) as it stands, opening neither its note nor the records it claims to cover. One INSERT
// (the table is append-only, not insert-only: the guards block UPDATE, DELETE and TRUNCATE) of a row far past the
// chain's head, before a restart, and the restarted writer takes that size for its tree: every record it commits after
// is skipped by observe() (seq is not the tree's size), and no checkpoint is signed, stored or written to the sink
// again. SECURITY.md (database administrator) says a tail deleted with its checkpoints is caught against the auditor's
// sink. Chains written by the real ledger (every_records 1, a sink file) into a throwaway PostgreSQL; the tail is
// deleted with every guard trigger off; the oracle is `proctor verify --db --checkpoints <sink>` with the key pinned.
// A row one leaf past the newest checkpoint with made-up frontier hashes instead: the writer extends it and signs
// roots the records do not have (the control chain's restart signs none such: its only error is the cut tail).
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../src/ledger/index.ts';
import { disableGuards } from '../helpers/ledger-tamper.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { plantRow } from './ledger-plants.ts';

const key = generateSigningKey();
const BEFORE = 3; // records before the restart
const AFTER = 5; // records after it
const KEPT = BEFORE + 1; // the tail the administrator keeps: seq 0..KEPT-1
const deny = { decision: { allow: false, reasons: [], obligations: null } };

let pg: ThrowawayPostgres;
let sql: Sql;
let dir = '';
let trust = '';
/** Each chain's sink lines written after the restart. */
const sinkAfterRestart = new Map<string, number>();

const sinkOf = (chain: string) => path.join(dir, `${chain}.jsonl`);
const sinkLines = (chain: string) => {
  try {
    return readFileSync(sinkOf(chain), 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
  } catch {
    return 0;
  }
};

/** The size of the row the administrator plants in `forged` (one past the newest stored checkpoint), by chain. */
const plantedSize = new Map<string, number>();

/** BEFORE records, a restart (after the administrator's INSERT: `far` past the head, or `near`: one leaf past the
 * newest checkpoint, with a frontier of made-up hashes), AFTER records. */
async function write(chain: string, planted: 'none' | 'far' | 'near'): Promise<void> {
  const open = () =>
    openLedger({
      sql,
      signer: loadSigner(key.privateKeyPem),
      chain,
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 1, everySeconds: 0, sinkPath: sinkOf(chain) },
    });
  let ledger = await open();
  for (let i = 0; i < BEFORE; i++) await ledger.append('decision', `before-${i}`, deny);
  await ledger.close();
  if (planted === 'near') {
    const { rows } = await sql.query<{ n: unknown }>(
      'SELECT max(tree_size) AS n FROM audit_checkpoints WHERE chain = $1',
      [chain],
    );
    const size = Number(rows[0]?.n) + 1;
    const hashes = size.toString(2).replaceAll('0', '').length; // one a set bit of the size
    plantedSize.set(chain, size);
    await plantRow(sql, chain, size, hashes);
  }
  // 2^40 records: one perfect subtree, so the frontier is one hash. The note is not a note; nothing reads it before it
  // is used.
  if (planted === 'far') await plantRow(sql, chain, 2 ** 40);
  const lines = sinkLines(chain);
  ledger = await open();
  for (let i = 0; i < AFTER; i++) await ledger.append('decision', `after-${i}`, deny);
  await ledger.close();
  sinkAfterRestart.set(chain, sinkLines(chain) - lines);
}

/** The administrator deletes the tail past KEPT and every checkpoint past it (with the planted row), and moves the
 * chain's head back to the last record kept. */
async function truncate(chain: string): Promise<void> {
  await sql.query('DELETE FROM audit_records WHERE chain = $1 AND seq >= $2', [chain, KEPT]);
  await sql.query('DELETE FROM audit_checkpoints WHERE chain = $1 AND tree_size > $2', [chain, KEPT]);
  await sql.query(
    'UPDATE audit_chains SET head_seq = $2, ' +
      'head_hash = (SELECT hash FROM audit_records WHERE chain = $1 AND seq = $2) WHERE chain = $1',
    [chain, KEPT - 1],
  );
}

async function verify(chain: string): Promise<{ code: number; errors: string[] }> {
  let out = '';
  const args = ['--db', pg.superuserUrl, '--trust', trust, '--chain', chain, '--checkpoints', sinkOf(chain), '--json'];
  const code = await runVerify(args, { stdout: (s) => (out += s), stderr: () => {}, env: {} });
  const { findings } = JSON.parse(out) as { findings: { code: string; severity: string }[] };
  return { code, errors: findings.filter((f) => f.severity === 'error').map((f) => f.code) };
}

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
  dir = mkdtempSync(path.join(tmpdir(), 'proctor-r11-checkpoints-'));
  trust = path.join(dir, 'ledger.pub.pem');
  writeFileSync(trust, key.publicKeyPem);
  await write('r11-control', 'none');
  await write('r11-planted', 'far');
  await write('r11-forged', 'near');
  await disableGuards(sql);
  // The administrator takes the planted row out again; no record is touched.
  await sql.query('DELETE FROM audit_checkpoints WHERE chain = $1 AND tree_size = $2', [
    'r11-forged',
    plantedSize.get('r11-forged'),
  ]);
  await truncate('r11-control');
  await truncate('r11-planted');
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

describe('a checkpoint row planted past the head before a restart', () => {
  it(`control: no row planted: the ${AFTER} records after a restart are checkpointed, the cut caught`, async () => {
    expect(sinkAfterRestart.get('r11-control')).toBe(AFTER);
    const { code, errors } = await verify('r11-control');
    console.info(`control: exit ${code}, errors ${errors.join(', ')}`);
    expect(code).toBe(1);
  }, 60_000);

  // Closed (src/ledger/checkpoint-resume.ts loadTree): a row past the chain's head is reported and never resumed from.
  it('the records after a restart are still checkpointed, so the cut tail is caught', async () => {
    const after = sinkAfterRestart.get('r11-planted');
    const { code, errors } = await verify('r11-planted');
    console.info(`planted: ${after} sink lines after the restart; verify exit ${code}, errors ${errors.join(', ')}`);
    expect(after).toBe(AFTER);
    expect(code).toBe(1);
  }, 60_000);
});

describe('a checkpoint row planted one leaf past the newest checkpoint, with a made-up frontier', () => {
  // Closed (src/ledger/checkpoint-resume.ts loadTree): a stored row is resumed from only when its note opens under the
  // writer's key at its size and root, its size is at most the chain's and its frontier reproduces that root.
  it('the records after a restart are checkpointed over their own hashes: verify passes', async () => {
    const { code, errors } = await verify('r11-forged');
    console.info(
      `forged: ${sinkAfterRestart.get('r11-forged')} sink lines after the restart; verify exit ${code}`,
      `errors ${errors.join(', ')}`,
    );
    expect(errors).toEqual([]);
    expect(code).toBe(0);
  }, 60_000);
});
