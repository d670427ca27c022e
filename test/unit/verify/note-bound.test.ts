// Checkpoint notes are bounded (MAX_NOTE_BYTES, src/ledger/note.ts): openCheckpoint refuses a larger note unread and
// tries each pinned key on one signature line at most; `proctor verify` never fetches a stored note over the bound
// (the database hands over its size only) and reports it CHECKPOINT_INVALID naming its size, as it does a sink's; an
// export whose records a note over the bound anchors fails with ERR_EXPORT_LEDGER_INCONSISTENT. The notes are crafted
// as a DBA (an INSERT: audit_checkpoints is append-only, not sealed) or a sink's writer could: 16 KiB + 1 and 4 MiB.
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../../src/db/index.ts';
import { exportPacket } from '../../../src/evidence/index.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import { MAX_NOTE_BYTES, noteKeyHash, openCheckpoint } from '../../../src/ledger/note.ts';
import { sqlSource } from '../../../src/verify/source.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import { freshDb, steppingClock } from '../ledger/fixture.ts';

const key = generateSigningKey();
const publicKey = createPublicKey(key.publicKeyPem);
const deny = { decision: { allow: false, reasons: [], obligations: null } };
let sql: Sql;

beforeAll(async () => {
  sql = await freshDb();
});
afterAll(async () => {
  await sql.close();
});

/** A chain of `records` denials (after its chain_opened record) with one genuine checkpoint over all of them; its
 * signed note. */
async function chainWithCheckpoint(chain: string, records: number): Promise<string> {
  const ledger = await openLedger({
    sql,
    signer: loadSigner(key.privateKeyPem),
    chain,
    clock: steppingClock(),
    checkpoints: { everyRecords: 1000, everySeconds: 0 },
  });
  for (let i = 0; i < records; i++) await ledger.append('decision', `r-${chain}-${i}`, deny);
  const written = await ledger.checkpoint();
  await ledger.close();
  return written?.note ?? '';
}

/** `note` padded with signature lines under the key's (public) hash to at least `bytes`. */
function padded(note: string, bytes: number, origin: string): string {
  const hash = Buffer.from(noteKeyHash(origin, publicKey));
  const line = `\u2014 ${origin} ${Buffer.concat([hash, randomBytes(64)]).toString('base64')}\n`;
  return note + line.repeat(Math.ceil((bytes - Buffer.byteLength(note)) / Buffer.byteLength(line)));
}

async function insertCheckpoint(chain: string, treeSize: number, note: string): Promise<void> {
  await sql.query(
    'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5)',
    [chain, treeSize, randomBytes(32), Buffer.alloc(0), note],
  );
}

describe('openCheckpoint', () => {
  it('refuses a note over MAX_NOTE_BYTES before reading it, and opens the genuine one', async () => {
    const note = await chainWithCheckpoint('note-open', 2);
    const origin = note.slice(0, note.indexOf('\n'));
    expect(openCheckpoint(note, [publicKey]).size).toBe(3);
    const over = padded(note, MAX_NOTE_BYTES + 1, origin);
    expect(Buffer.byteLength(over)).toBeGreaterThan(MAX_NOTE_BYTES);
    expect(() => openCheckpoint(over, [publicKey])).toThrow(/larger than 16384 bytes/);
  });

  it('tries a key on one signature line at most: a genuine line after a bad one under the same key is not taken', async () => {
    const note = await chainWithCheckpoint('note-once', 1);
    const split = note.indexOf('\n\n') + 2;
    const origin = note.slice(0, note.indexOf('\n'));
    const bad = padded(note.slice(0, split), split + 1, origin);
    const badFirst = bad + note.slice(split);
    expect(() => openCheckpoint(badFirst, [publicKey])).toThrow('no trusted key signed this checkpoint');
  });
});

describe('verify and export with a checkpoint note over the bound', () => {
  it('verify reports a stored note over the bound CHECKPOINT_INVALID with its size, never fetching it', async () => {
    const chain = 'note-big-db';
    const note = await chainWithCheckpoint(chain, 4);
    const origin = note.slice(0, note.indexOf('\n'));
    const clean = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: [chain] });
    expect(clean).toMatchObject({ ok: true, findings: [] });
    const sizes = { 1: MAX_NOTE_BYTES + 1, 2: 4 * 2 ** 20 };
    for (const [treeSize, bytes] of Object.entries(sizes)) {
      await insertCheckpoint(chain, Number(treeSize), padded(note, bytes, origin));
    }
    const stored = await sqlSource(sql).checkpoints(chain);
    expect(stored.map((c) => ({ size: c.size, note: c.note.length, oversized: c.oversized }))).toEqual([
      { size: 1, note: 0, oversized: expect.any(Number) },
      { size: 2, note: 0, oversized: expect.any(Number) },
      { size: 5, note: note.length, oversized: undefined },
    ]);
    expect((stored[1]?.oversized ?? 0) >= 4 * 2 ** 20).toBe(true);
    const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: [chain] });
    expect(report.ok).toBe(false);
    const invalid = report.findings.filter((f) => f.code === 'CHECKPOINT_INVALID');
    expect(invalid.map((f) => f.seq)).toEqual([0, 1]);
    expect(invalid[1]?.message).toMatch(/tree size 2 has a note of \d+ bytes, over the 16384/);
    // The genuine checkpoint still anchors the chain.
    expect(report.chains[0]?.checkpoint).toMatchObject({ size: 5 });
  });

  it('verify reports a sink note over the bound CHECKPOINT_INVALID with its size', async () => {
    const chain = 'note-big-sink';
    const note = await chainWithCheckpoint(chain, 2);
    const origin = note.slice(0, note.indexOf('\n'));
    const report = await verifyLedger({
      sql,
      trustedKeys: [key.publicKeyPem],
      chains: [chain],
      checkpoints: [{ chain, note: padded(note, 2 ** 20, origin) }],
    });
    expect(report.ok).toBe(false);
    expect(report.findings.map((f) => f.code)).toEqual(['CHECKPOINT_INVALID']);
    expect(report.findings[0]?.message).toMatch(/a checkpoint from the sink has a note of \d+ bytes, over the 16384/);
  });

  it('export fails with ERR_EXPORT_LEDGER_INCONSISTENT when a note over the bound anchors a record', async () => {
    const chain = 'note-big-export';
    const note = await chainWithCheckpoint(chain, 4);
    await insertCheckpoint(chain, 2, padded(note, MAX_NOTE_BYTES + 1, note.slice(0, note.indexOf('\n'))));
    const exporter = generateSigningKey();
    await expect(
      exportPacket({
        sql,
        exporterKey: createPrivateKey(exporter.privateKeyPem),
        exportedBy: 'auditor@test',
        exportedAt: new Date(),
        query: {
          subjects: [],
          groups: [],
          tenants: [],
          clients: [],
          request_ids: [`r-${chain}-0`],
          from: null,
          to: null,
          decision: null,
          policy_versions: [],
          types: ['decision'],
          until_checkpoint: false,
        },
      }),
    ).rejects.toMatchObject({
      code: 'ERR_EXPORT_LEDGER_INCONSISTENT',
      message: expect.stringMatching(/over the 16384/),
    });
  });
});
