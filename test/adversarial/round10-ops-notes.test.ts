// Round 10 ops, the cost to an auditor of a crafted checkpoint note: openCheckpoint (src/ledger/note.ts), which
// `proctor verify` runs on every note it is handed (the database's checkpoints, a --checkpoints sink, a packet's
// checkpoints.jsonl), takes a note of any size, any number of extension lines in its body and any number of
// signature lines, and checks the signature of every line that names the origin under a pinned key's 4-byte hash
// (which is public: a hash of the origin and the key). Each check hashes the whole body, so a note of n bytes split
// into a body and signature lines costs ~n²/360 bytes hashed. Counted, not timed: the pinned keys are handed over as
// an array whose iterations are counted (openCheckpoint walks the keys once for each signature line it checks; every
// crafted line carries the key's real hash, so each walk is one Ed25519 verification over the body). Through the CLI
// (runVerify --checkpoints and --db, the key pinned): a crafted note is never accepted; CPU printed only.
// Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment naming the fix; attacks that held are controls.
import { createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runVerify } from '../../src/cli/verify.ts';
import { connectPostgres, migrate, type Sql } from '../../src/db/index.ts';
import { generateSigningKey, loadSigner, openCheckpoint, signCheckpoint } from '../../src/ledger/index.ts';
import { noteKeyHash } from '../../src/ledger/note.ts';
import { denials } from '../helpers/ledger-chain.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';

const ORIGIN = 'proctor.test/r10-notes';
const key = generateSigningKey();
const publicKey = createPublicKey(key.publicKeyPem);

/** A checkpoint note of ~`bytes`: half extension lines in its body (none when `extended` is false: the sink's
 * parseNote takes a body of 3 lines only), the rest signature lines under the pinned key's hash (random signatures
 * with a canonical S), so that every line is checked over the whole body. */
function crafted(bytes: number, extended = true): { note: string; bodyBytes: number; signatureLines: number } {
  const head = `${ORIGIN}\n1\n${randomBytes(32).toString('base64')}\n`;
  const extension = extended ? `${'x'.repeat(79)}\n`.repeat(Math.ceil(bytes / 2 / 80)) : '';
  const hash = Buffer.from(noteKeyHash(ORIGIN, publicKey));
  const lines: string[] = [];
  let length = 0;
  while (length < (extended ? bytes / 2 : bytes)) {
    // S (the signature's second half, little-endian) below 2^252, under the group order: a verifier that rejects a
    // larger S before hashing (OpenSSL does) must hash this body to reject this one.
    const signature = randomBytes(64);
    signature[63] = (signature[63] as number) & 0x0f;
    const line = `\u2014 ${ORIGIN} ${Buffer.concat([hash, signature]).toString('base64')}\n`;
    lines.push(line);
    length += line.length;
  }
  const body = head + extension;
  return { note: `${body}\n${lines.join('')}`, bodyBytes: Buffer.byteLength(body), signatureLines: lines.length };
}

/** The pinned keys as an array that counts how often openCheckpoint walks it (once a signature line it checks). */
function countedKeys(keys: KeyObject[]): { keys: KeyObject[]; walks: () => number } {
  let walks = 0;
  const counted = [...keys];
  Object.defineProperty(counted, Symbol.iterator, {
    value: function* walk() {
      walks += 1;
      yield* keys;
    },
  });
  return { keys: counted, walks: () => walks };
}

/** openCheckpoint over `note` with the key pinned: accepted or not, and the signature checks it ran. */
function opened(note: string): { accepted: boolean; checks: number } {
  const { keys, walks } = countedKeys([publicKey]);
  let accepted = false;
  try {
    openCheckpoint(note, keys);
    accepted = true;
  } catch {
    accepted = false;
  }
  return { accepted, checks: walks() };
}

describe('a crafted checkpoint note', () => {
  it('control: a genuine note is accepted after one signature check', async () => {
    const note = await signCheckpoint(
      { origin: ORIGIN, size: 1, root: new Uint8Array(randomBytes(32)) },
      loadSigner(key.privateKeyPem, null),
    );
    expect(opened(note)).toEqual({ accepted: true, checks: 1 });
  });

  it('a 256 KB note of signature lines is refused after at most one check per pinned key', () => {
    const { note, bodyBytes, signatureLines } = crafted(256 * 1024);
    const { accepted, checks } = opened(note);
    console.info(
      `note ${note.length} bytes: body ${bodyBytes}, ${signatureLines} signature lines; ${checks} checks, ` +
        `${((checks * bodyBytes) / 1e6).toFixed(0)} MB hashed`,
    );
    expect(accepted).toBe(false);
    expect(checks).toBeLessThanOrEqual(1);
  });

  // The sink path reads a note only if its body is the 3 lines parseNote takes: the cost there is one Ed25519
  // verification a signature line, linear (~100 bytes a line), unbounded in the sink's size.
  it('control: verify --checkpoints never accepts a note of many signature lines (its CPU printed at two sizes)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proctor-r10-notes-'));
    const trust = path.join(dir, 'ledger.pub.pem');
    writeFileSync(trust, key.publicKeyPem);
    for (const bytes of [256 * 1024, 512 * 1024]) {
      const sink = path.join(dir, `sink-${bytes}.jsonl`);
      writeFileSync(sink, `${JSON.stringify({ chain: 'r10-notes', note: crafted(bytes, false).note })}\n`);
      let out = '';
      const cpu = process.cpuUsage();
      const code = await runVerify(['--checkpoints', sink, '--trust', trust, '--json'], {
        stdout: (s) => (out += s),
        stderr: () => {},
        env: {},
      });
      const used = process.cpuUsage(cpu);
      console.info(
        `verify --checkpoints, a ${bytes}-byte note: exit ${code}, ${((used.user + used.system) / 1e3).toFixed(0)} ms CPU`,
      );
      expect(code).not.toBe(0);
      expect((JSON.parse(out) as { ok: boolean }).ok).toBe(false);
    }
  }, 120_000);
});

/** Note sizes a database administrator puts in audit_checkpoints (an INSERT: the table is append-only, not sealed). */
const DB_NOTES: Record<string, number> = { 'notes-half': 512 * 1024, 'notes-one': 1024 * 1024 };
let pg: ThrowawayPostgres;
let sql: Sql;

describe('a crafted checkpoint note in the database', () => {
  beforeAll(async () => {
    pg = await startPostgres();
    sql = connectPostgres(pg.superuserUrl);
    await migrate(sql);
    for (const [chain, bytes] of Object.entries(DB_NOTES)) {
      await denials(sql, loadSigner(key.privateKeyPem), chain, 3);
      await sql.query(
        'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, 3, $2, $3, $4)',
        [chain, randomBytes(32), Buffer.alloc(0), crafted(bytes).note],
      );
    }
  }, 120_000);
  afterAll(async () => {
    await sql?.close();
    await pg?.destroy();
  });

  // Reached through `proctor verify --db` (verify/checkpoints.ts opens every stored note): the CPU of two sizes is
  // printed (the bytes hashed grow four times when the note doubles), the verdict asserted.
  it('control: verify --db reports the crafted note CHECKPOINT_INVALID, exit 1, never a pass', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'proctor-r10-notes-db-'));
    const trust = path.join(dir, 'ledger.pub.pem');
    writeFileSync(trust, key.publicKeyPem);
    for (const [chain, bytes] of Object.entries(DB_NOTES)) {
      let out = '';
      const cpu = process.cpuUsage();
      const args = ['--db', pg.superuserUrl, '--trust', trust, '--chain', chain, '--json'];
      const code = await runVerify(args, { stdout: (s) => (out += s), stderr: () => {}, env: {} });
      const used = process.cpuUsage(cpu);
      const { findings } = JSON.parse(out) as { findings: { code: string; severity: string }[] };
      const errors = findings.filter((f) => f.severity === 'error').map((f) => f.code);
      console.info(
        `verify --db, a ${bytes}-byte note: exit ${code}, ${errors}, ${((used.user + used.system) / 1e3).toFixed(0)} ms CPU`,
      );
      expect(code).toBe(1);
      expect(errors).toContain('CHECKPOINT_INVALID');
    }
  }, 300_000);
});
