// What a restarted writer resumes its Merkle tree from (src/ledger/checkpointer.ts loadTree), and what a witness that
// went back costs it (src/ledger/witness.ts), on a real PostgreSQL. A stored audit_checkpoints row takes one INSERT and
// no key: the writer resumes only from a row whose note opens under its own key at the row's size and root, whose size
// is at most the chain's and whose frontier hashes to that root; every other row is reported (onRowRefused) and the
// tree starts from the next row it vouches for, or from the records. Work is counted, never timed: the record hashes
// the writer reads (rows of its `SELECT seq, hash FROM audit_records` pages), the rows it refuses, the witness's
// answers. The checkpoints signed after each restart are checked against the RFC 6962 root of the records.
import { createPublicKey, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate, type Sql, toBytes } from '../../src/db/index.ts';
import {
  type CheckpointOptions,
  generateSigningKey,
  loadSigner,
  openCheckpoint,
  openLedger,
  type RefusedCheckpointRow,
  signCheckpoint,
} from '../../src/ledger/index.ts';
import { rootOf, verifyConsistency } from '../../src/ledger/merkle.ts';
import { cosign, splitNote, witnessVerifierKey } from '../../src/ledger/witness-cosignature.ts';
import { verifyLedger } from '../../src/verify/verify.ts';
import { disableGuards } from '../helpers/ledger-tamper.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const deny = { decision: { allow: false, reasons: [], obligations: null } };
const clock = { now: () => new Date() };

let pg: ThrowawayPostgres;
let sql: Sql;

beforeAll(async () => {
  pg = await startPostgres();
  sql = connectPostgres(pg.superuserUrl);
  await migrate(sql);
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await pg?.destroy();
});

/** `sql` counting the record hashes its `SELECT seq, hash FROM audit_records` answers hand back. */
function counted(): { sql: Sql; hashes: () => number; frontierBytes: () => number } {
  let hashes = 0;
  let frontierBytes = 0; // of every `frontier` column handed back
  const reading: Sql = Object.create(sql) as Sql;
  reading.query = async (text, params, options) => {
    const result = await sql.query(text, params, options);
    if (text.startsWith('SELECT seq, hash FROM audit_records')) hashes += result.rows.length;
    for (const row of result.rows as { frontier?: unknown }[])
      if (row.frontier instanceof Uint8Array) frontierBytes += row.frontier.byteLength;
    return result as never;
  };
  return { sql: reading, hashes: () => hashes, frontierBytes: () => frontierBytes };
}

/** `n` records (with checkpoints as `checkpoints` says, none when null), then closed. */
async function append(chain: string, n: number, checkpoints: CheckpointOptions | null): Promise<void> {
  const ledger = await openLedger({ sql, signer, chain, clock, ...(checkpoints ? { checkpoints } : {}) });
  for (let i = 0; i < n; i++) await ledger.append('decision', `${chain}-${i}`, deny);
  await ledger.close();
}

async function plant(chain: string, size: number, note: string, frontier: Buffer, root = randomBytes(32)) {
  await sql.query(
    'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5)',
    [chain, size, root, frontier, note],
  );
}

async function leaves(chain: string): Promise<Uint8Array[]> {
  const { rows } = await sql.query<{ hash: unknown }>('SELECT hash FROM audit_records WHERE chain = $1 ORDER BY seq', [
    chain,
  ]);
  return rows.map((r) => toBytes(r.hash));
}

/** A restart that appends `n` records and checkpoints: what it refused, the hashes it read, and its checkpoint. */
async function restart(chain: string, n: number) {
  const reading = counted();
  const refused: RefusedCheckpointRow[] = [];
  const errors: unknown[] = [];
  const ledger = await openLedger({
    sql: reading.sql,
    signer,
    chain,
    clock,
    checkpoints: {
      everyRecords: 1000,
      everySeconds: 0,
      onRowRefused: (row) => refused.push(row),
      onError: (error) => errors.push(error),
    },
  });
  const loaded = reading.hashes();
  for (let i = 0; i < n; i++) await ledger.append('decision', `${chain}-after-${i}`, deny);
  const latest = await ledger.checkpoint();
  await ledger.close();
  const opened = openCheckpoint(latest?.note ?? '', [createPublicKey(key.publicKeyPem)]);
  const records = await leaves(chain);
  return {
    refused: refused.map((r) => [r.treeSize, r.reason]),
    loaded,
    errors,
    signedOverRecords: opened.size === records.length && Buffer.compare(opened.root, rootOf(records)) === 0,
  };
}

const withoutCheckpoints = null;
const everyRecord = { everyRecords: 1, everySeconds: 0 };

describe('the stored row a restarted writer resumes its tree from', () => {
  it('rows past the head are refused and reported; the tree resumes from the newest genuine row, reading none', async () => {
    await append('cpr-past', 5, everyRecord); // rows 1..6
    await plant('cpr-past', 2 ** 40, 'not a checkpoint\n', randomBytes(32));
    await plant('cpr-past', 7, 'not a checkpoint\n', randomBytes(32 * 3));
    const before = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['cpr-past'] });
    expect(before.findings.filter((f) => f.code === 'CHECKPOINT_INVALID').length).toBe(2);
    const r = await restart('cpr-past', 3);
    expect(r.refused).toEqual([
      [7, "past the chain's 6 records"],
      [2 ** 40, "past the chain's 6 records"],
    ]);
    expect(r.loaded).toBe(0);
    expect(r.signedOverRecords).toBe(true);
    expect(r.errors).toEqual([]);
  });

  it('a row at the head under another key is refused; the tree resumes from the row before it', async () => {
    await append('cpr-key', 2, everyRecord); // rows 1..3
    await append('cpr-key', 3, withoutCheckpoints); // 6 records
    const other = loadSigner(generateSigningKey().privateKeyPem);
    const root = randomBytes(32);
    const note = await signCheckpoint({ origin: 'proctor/ledger/cpr-key', size: 6, root }, other);
    await plant('cpr-key', 6, note, randomBytes(64), root);
    const r = await restart('cpr-key', 2);
    expect(r.refused).toEqual([
      [6, "its note does not open under the writer's key (planted, or signed by a key rotated away)"],
    ]);
    expect(r.loaded).toBe(3); // seq 3, 4, 5: the records after row 3, not the chain
    expect(r.signedOverRecords).toBe(true);
  });

  it("a genuine note over a made-up frontier is refused: the writer never extends a frontier it can't vouch for", async () => {
    await append('cpr-frontier', 2, everyRecord); // rows 1..3
    await append('cpr-frontier', 3, withoutCheckpoints); // 6 records
    const root = rootOf(await leaves('cpr-frontier'));
    const note = await signCheckpoint({ origin: 'proctor/ledger/cpr-frontier', size: 6, root }, signer);
    await plant('cpr-frontier', 6, note, randomBytes(64), Buffer.from(root));
    const r = await restart('cpr-frontier', 2);
    expect(r.refused).toEqual([[6, 'its frontier does not hash to its root']]);
    expect(r.loaded).toBe(3);
    expect(r.signedOverRecords).toBe(true);
  });

  it('with no row vouched for, the tree is rebuilt from the records; oversized columns are refused unread', async () => {
    await append('cpr-none', 4, withoutCheckpoints); // 5 records, no row
    await plant('cpr-none', 5, 'not a checkpoint\n', randomBytes(32 * 60)); // 60 hashes: no size has that many
    await plant('cpr-none', 4, `${'x'.repeat(20_000)}\n`, randomBytes(32));
    await plant('cpr-none', 3, 'not a checkpoint\n', randomBytes(64));
    const r = await restart('cpr-none', 1);
    expect(r.refused).toEqual([
      [5, 'its frontier is over 1696 bytes'],
      [4, 'its note is over 16384 bytes'],
      [3, "its note does not open under the writer's key (planted, or signed by a key rotated away)"],
    ]);
    expect(r.loaded).toBe(5);
    expect(r.signedOverRecords).toBe(true);
  });

  it('a row planted at a size the running writer then reaches keeps its checkpoint out of the table: reported', async () => {
    await append('cpr-ahead', 2, withoutCheckpoints); // 3 records
    const refused: RefusedCheckpointRow[] = [];
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'cpr-ahead',
      clock,
      checkpoints: { everyRecords: 1000, everySeconds: 0, onRowRefused: (row) => refused.push(row) },
    });
    await plant('cpr-ahead', 5, 'not a checkpoint\n', randomBytes(64)); // after the start: not seen by loadTree
    for (let i = 0; i < 2; i++) await ledger.append('decision', `ahead-${i}`, deny);
    const latest = await ledger.checkpoint();
    await ledger.close();
    expect(latest?.treeSize).toBe(5);
    expect(refused.map((r) => [r.treeSize, r.reason])).toEqual([
      [5, 'a row stored at this size before this checkpoint kept it out'],
    ]);
  });

  it('without onRowRefused, a refused row goes to onError (never silently)', async () => {
    await append('cpr-onerror', 1, withoutCheckpoints);
    await plant('cpr-onerror', 9, 'not a checkpoint\n', randomBytes(32 * 2));
    const errors: string[] = [];
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'cpr-onerror',
      clock,
      checkpoints: { everyRecords: 1000, everySeconds: 0, onError: (e) => errors.push(String(e)) },
    });
    await ledger.close();
    expect(errors).toEqual(["Error: checkpoint row of 9 records of cpr-onerror refused: past the chain's 2 records"]);
  });
});

describe('a witness whose 409 names a size below what it cosigned', () => {
  const witnessKey = generateSigningKey();
  const WITNESS = 'cpr.example/witness';
  let server: Server;
  let url = '';
  /** honest: cosigns; back: 409 with size 1; ahead: one 409 with the size it is sent + 1, then honest. */
  let mode: 'honest' | 'back' | 'ahead' = 'honest';
  let answers = 0;
  /** The roots it cosigned, by origin and size: a proof from one of them is checked (422 when it does not hold). */
  const roots = new Map<string, Uint8Array>();
  /** The newest size it cosigned, by origin: a request from an older size gets 409 with it. */
  const newest = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      let text = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (text += chunk));
      request.on('end', () => {
        answers += 1;
        const old = Number(/^old (\d+)\n/.exec(text)?.[1]);
        if (mode === 'back' || mode === 'ahead') {
          const size = mode === 'back' ? 1 : old + 1;
          if (mode === 'ahead') mode = 'honest';
          response.writeHead(409, { 'content-type': 'text/x.tlog.size' }).end(`${size}\n`);
          return;
        }
        const note = text.slice(text.indexOf('\n\n') + 2);
        const [origin, size, root] = splitNote(note).body.split('\n');
        const proof = text.slice(0, text.indexOf('\n\n')).split('\n').slice(1);
        const latest = newest.get(origin ?? '') ?? 0;
        if (old < latest) {
          response.writeHead(409, { 'content-type': 'text/x.tlog.size' }).end(`${latest}\n`); // as C2SP says
          return;
        }
        const from = roots.get(`${origin} ${old}`);
        const newRoot = Buffer.from(root ?? '', 'base64');
        const hashes = proof.map((h) => Buffer.from(h, 'base64'));
        if (from && !verifyConsistency(old, Number(size), hashes, from, newRoot)) {
          response.writeHead(422, { 'content-type': 'text/plain' }).end('consistency proof does not hold\n');
          return;
        }
        roots.set(`${origin} ${size}`, newRoot);
        newest.set(origin ?? '', Number(size));
        const line = cosign(splitNote(note).body, WITNESS, witnessKey.privateKeyPem, 1_700_000_000);
        response.writeHead(200, { 'content-type': 'text/plain' }).end(`${line}\n`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  async function session(chain: string, n: number, then: typeof mode) {
    mode = then;
    answers = 0;
    const reading = counted();
    const codes: string[] = [];
    const ledger = await openLedger({
      sql: reading.sql,
      signer,
      chain,
      clock,
      checkpoints: {
        everyRecords: 1_000_000,
        everySeconds: 0,
        onError: (e) => codes.push(String((e as { code?: unknown }).code)),
        witnesses: { witnesses: [{ url, key: witnessVerifierKey(WITNESS, witnessKey.publicKeyPem), timeoutMs: 5000 }] },
      },
    });
    await Promise.all(Array.from({ length: n }, (_, i) => ledger.append('decision', `${chain}-${i}`, deny)));
    await ledger.close();
    const { rows } = await sql.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM audit_witness_cosignatures WHERE chain = $1',
      [chain],
    );
    return { codes, answers, hashes: reading.hashes(), frontierBytes: reading.frontierBytes(), cosigned: rows[0]?.n };
  }

  it('is ERR_WITNESS_ROLLBACK at its first answer: no retry, no tree rebuilt from the records', async () => {
    expect(await session('cpr-w-back', 200, 'honest')).toMatchObject({ codes: [], answers: 1, cosigned: 1 });
    const back = await session('cpr-w-back', 3, 'back');
    expect(back.codes).toEqual(['ERR_WITNESS_ROLLBACK', 'ERR_WITNESS_QUORUM_MISSING']);
    expect(back.answers).toBe(1);
    expect(back.hashes).toBeLessThanOrEqual(3); // the proof's new leaves, never the chain's 201
    expect(back.cosigned).toBe(1);
  });

  it('control: a size between the one it cosigned and the checkpoint is still proven from', async () => {
    expect(await session('cpr-w-ahead', 20, 'honest')).toMatchObject({ codes: [], answers: 1, cosigned: 1 });
    const ahead = await session('cpr-w-ahead', 3, 'ahead');
    expect(ahead).toMatchObject({ codes: [], answers: 2, cosigned: 2 });
    // 409 "22", a size with no row: its tree grown from the frontier at 21 (one record), never from the chain's first.
    expect(ahead.hashes).toBeLessThanOrEqual(2 * 3 + 1);
  });

  it('a cosignature row planted far ahead (a genuine line copied to 2^40) is reported, and the witness still sent', async () => {
    expect(await session('cpr-w-far', 3, 'honest')).toMatchObject({ codes: [], answers: 1, cosigned: 1 });
    await sql.query(
      'INSERT INTO audit_witness_cosignatures (chain, tree_size, witness, line, cosigned_at) ' +
        'SELECT chain, $2, witness, line, cosigned_at FROM audit_witness_cosignatures WHERE chain = $1',
      ['cpr-w-far', 2 ** 40],
    );
    // Taken as what the witness cosigned, it stopped every later submission and counted towards the quorum (silence).
    const next = await session('cpr-w-far', 3, 'honest');
    expect(next).toMatchObject({ codes: ['ERR_WITNESS_COSIGNATURE_INVALID'], answers: 1, cosigned: 3 });
  });

  it('a 409 naming a size whose planted row holds a 16 MiB frontier: none of it read, the proof from the records', async () => {
    expect(await session('cpr-w-big', 5, 'honest')).toMatchObject({ codes: [], answers: 1, cosigned: 1 }); // at 6
    await plant('cpr-w-big', 7, 'planted\n', Buffer.alloc(16 * 2 ** 20)); // refused past the head at the restart
    const big = await session('cpr-w-big', 3, 'ahead'); // the witness answers 409 "7" to the proof from 6
    expect(big).toMatchObject({ answers: 2, cosigned: 2 });
    expect(big.codes).not.toContain('ERR_WITNESS_REFUSED');
    expect(big.frontierBytes).toBeLessThanOrEqual(4 * 53 * 32);
  });

  it("a planted row where the writer's checkpoint was cosigned never feeds a proof: the witness still cosigns", async () => {
    expect(await session('cpr-w-kept', 2, 'honest')).toMatchObject({ codes: [], answers: 1, cosigned: 1 }); // at 3
    // At 6 (two set bits: a frontier of two hashes that fits), made up: the writer's checkpoint at 6 is kept out.
    await plant('cpr-w-kept', 6, 'planted\n', randomBytes(64));
    expect(await session('cpr-w-kept', 3, 'honest')).toMatchObject({ answers: 1, cosigned: 2 });
    // The restart finds the witness's line at 6 over the planted frontier's root: reported, not trusted; the witness
    // answers 409 "6", and the proof from 6 is built from the records, not from the planted frontier (422 before).
    const after = await session('cpr-w-kept', 2, 'honest');
    expect(after.codes.filter((c) => c.startsWith('ERR_WITNESS'))).toEqual(['ERR_WITNESS_COSIGNATURE_INVALID']);
    expect(after).toMatchObject({ answers: 2, cosigned: 3 });
  });
});

it('a guard-free DBA cannot make the writer resume from a rewritten genuine row either', async () => {
  // Delete the genuine newest row and INSERT it again with another frontier (guards off): refused, like a planted one.
  await append('cpr-rewrite', 4, everyRecord); // rows 1..5
  await disableGuards(sql);
  const { rows } = await sql.query<{ root_hash: unknown; note: string }>(
    "SELECT root_hash, note FROM audit_checkpoints WHERE chain = 'cpr-rewrite' AND tree_size = 5",
  );
  await sql.query("DELETE FROM audit_checkpoints WHERE chain = 'cpr-rewrite' AND tree_size = 5");
  await plant('cpr-rewrite', 5, rows[0]?.note ?? '', randomBytes(64), Buffer.from(toBytes(rows[0]?.root_hash)));
  const r = await restart('cpr-rewrite', 1);
  expect(r.refused).toEqual([[5, 'its frontier does not hash to its root']]);
  expect(r.loaded).toBe(1); // from row 4
  expect(r.signedOverRecords).toBe(true);
});
