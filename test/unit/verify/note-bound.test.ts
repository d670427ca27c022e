// Checkpoint notes are bounded (MAX_NOTE_BYTES, src/ledger/note.ts): openCheckpoint refuses a larger note unread and
// tries each pinned key on one signature line at most; `proctor verify` never fetches a stored note over the bound
// (the database hands over its size only) and reports it CHECKPOINT_INVALID naming its size, as it does a sink's; an
// export leaves such a row out (src/evidence/export.ts loadCheckpoints: never a checkpoint Proctor wrote). The notes
// are crafted as a DBA (an INSERT: audit_checkpoints is append-only, not sealed) or a sink's writer could: 16 KiB + 1
// and 4 MiB.
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CliUsageError } from '../../../src/cli/usage-error.ts';
import { MAX_SINK_LINE_BYTES, readCheckpointSink } from '../../../src/cli/verify-args.ts';
import { describe, expect, it } from 'vitest';
import type { Sql } from '../../../src/db/index.ts';
import { exportPacket } from '../../../src/evidence/index.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import { MAX_NOTE_BYTES, noteKeyHash, openCheckpoint } from '../../../src/ledger/note.ts';
import { MAX_FRONTIER_BYTES, sqlSource } from '../../../src/verify/source.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import { DENY, steppingClock, withFreshDb } from '../ledger/fixture.ts';

const key = generateSigningKey();
const publicKey = createPublicKey(key.publicKeyPem);
let sql: Sql;
withFreshDb((db) => {
  sql = db;
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
  for (let i = 0; i < records; i++) await ledger.append('decision', `r-${chain}-${i}`, DENY);
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

  it('verify never fetches a stored frontier longer than any genuine one: it is read as none', async () => {
    const chain = 'frontier-big-db';
    const note = await chainWithCheckpoint(chain, 4);
    const frontier = randomBytes(4 * 2 ** 20);
    await sql.query(
      'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5)',
      [chain, 2, randomBytes(32), frontier, note],
    );
    const stored = await sqlSource(sql).checkpoints(chain);
    // 4 MiB stored; 0 bytes of it fetched (the genuine row's frontier, at most MAX_FRONTIER_BYTES, is)
    expect(stored.map((c) => ({ size: c.size, frontier: c.frontier?.length ?? null }))).toEqual([
      { size: 2, frontier: null },
      { size: 5, frontier: 2 },
    ]);
    expect(2 * 32).toBeLessThanOrEqual(MAX_FRONTIER_BYTES);
    const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: [chain] });
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

  it('reads a sink a chunk at a time: a line over the bound is an entry of its size, never held, then CHECKPOINT_INVALID', async () => {
    const chain = 'note-big-sink-file';
    const note = await chainWithCheckpoint(chain, 2);
    const dir = mkdtempSync(path.join(tmpdir(), 'sink-'));
    const file = path.join(dir, 'checkpoints.jsonl');
    const big = JSON.stringify({ chain, tree_size: 3, note: 'x'.repeat(4 * 2 ** 20) });
    // lines across the reader's 64 KiB chunks, a blank one, the last without its line break
    const filler = Array.from({ length: 10 }, (_, k) => JSON.stringify({ chain: 'other', note: `${k}`.repeat(8000) }));
    writeFileSync(
      file,
      [JSON.stringify({ chain, note }), ...filler, big, '', JSON.stringify({ chain, note })].join('\n'),
    );
    const entries = readCheckpointSink(file);
    expect(entries.map((e) => [e.chain, e.note.length, e.oversized, e.where])).toEqual([
      [chain, note.length, undefined, 'checkpoints.jsonl:1'],
      ...filler.map((_, k) => ['other', 8000, undefined, `checkpoints.jsonl:${k + 2}`]),
      [chain, 0, Buffer.byteLength(big), 'checkpoints.jsonl:12'],
      [chain, note.length, undefined, 'checkpoints.jsonl:14'],
    ]);
    expect(Buffer.byteLength(big)).toBeGreaterThan(MAX_SINK_LINE_BYTES);
    const report = await verifyLedger({
      sql,
      trustedKeys: [key.publicKeyPem],
      chains: [chain],
      checkpoints: entries.filter((e) => e.chain === chain),
    });
    expect(report.findings.map((f) => f.code)).toEqual(['CHECKPOINT_INVALID']);
    expect(report.findings[0]?.message).toMatch(/a checkpoint from the sink has a note of \d+ bytes, over the 16384/);
    // a line over the bound that does not name its chain first is refused as a line that is not JSON is
    writeFileSync(file, `{"note": "${'x'.repeat(MAX_SINK_LINE_BYTES)}", "chain": "${chain}"}\n`);
    expect(() => readCheckpointSink(file)).toThrow(CliUsageError);
    rmSync(dir, { recursive: true });
  });

  it('export leaves a note over the bound out (never fetched): the record is anchored to the next checkpoint', async () => {
    const chain = 'note-big-export';
    const note = await chainWithCheckpoint(chain, 4);
    await insertCheckpoint(chain, 2, padded(note, MAX_NOTE_BYTES + 1, note.slice(0, note.indexOf('\n'))));
    const exporter = generateSigningKey();
    const result = await exportPacket({
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
    });
    expect(result.verdict.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(result.manifest.counts.checkpoints).toBeGreaterThan(0);
    expect(result.manifest.chains.map((c) => c.checkpoint_size)).toEqual([4 + 1]);
  });
});
