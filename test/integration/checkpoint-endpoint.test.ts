// GET /v1/checkpoints/<chain>/latest serves the newest checkpoint note Proctor's key signed: the writer's own chain from
// its checkpointer's memory, any other from the database, never a note over MAX_NOTE_BYTES, one of a row past the
// chain's head (counted in bytes sent), nor one a database writer planted without the key (one INSERT).
import { createPublicKey, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, openPglite, type Sql } from '../../src/db/index.ts';
import { buildServer } from '../../src/http/index.ts';
import {
  generateSigningKey,
  latestCheckpoint,
  loadSigner,
  MAX_NOTE_BYTES,
  openCheckpoint,
  openLedger,
  type RefusedCheckpointRow,
  SERVED_CANDIDATES,
  servedCheckpoints,
  signCheckpoint,
} from '../../src/ledger/index.ts';
import type { RequestHandler } from '../../src/pipeline/index.ts';

describe('checkpoint endpoint', () => {
  it('serves the latest note as text, 404 for a chain without checkpoints or a malformed id', async () => {
    const sql = await openPglite();
    await migrate(sql);
    const key = generateSigningKey();
    const ledger = await openLedger({
      sql,
      signer: loadSigner(key.privateKeyPem),
      chain: 'web-1',
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 3, everySeconds: 0 },
    });
    await ledger.append('decision', 'a', {});
    await ledger.append('decision', 'b', {});
    await ledger.checkpoint(); // at 3 (a multiple of everyRecords)
    const app = buildServer({
      handler: {} as RequestHandler,
      bodyLimitBytes: 1024,
      latestCheckpoint: (chain) => latestCheckpoint(sql, chain, key.publicKeyPem),
    });
    try {
      const ok = await app.inject({ method: 'GET', url: '/v1/checkpoints/web-1/latest' });
      expect(ok.statusCode).toBe(200);
      expect(ok.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(openCheckpoint(ok.body, [createPublicKey(key.publicKeyPem)])).toMatchObject({
        origin: 'proctor/ledger/web-1',
        size: 3,
      });
      const none = await app.inject({ method: 'GET', url: '/v1/checkpoints/other/latest' });
      expect(none.statusCode).toBe(404);
      expect(none.json()).toMatchObject({ error: { code: 'ERR_NOT_FOUND' } });
      expect((await app.inject({ method: 'GET', url: '/v1/checkpoints/%20bad/latest' })).statusCode).toBe(404);
      // Rows one INSERT plants (no key needed): the newest within the chain with a note over MAX_NOTE_BYTES, and a
      // small one past the head. Neither is read nor sent; Proctor's own note (3 records) is, under the bound.
      await ledger.append('decision', 'c', {}); // 4 records, no checkpoint at 4 (not a multiple of 3)
      const plant =
        'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5)';
      await sql.query(plant, ['web-1', 4, randomBytes(32), randomBytes(32), 'x'.repeat(4 * MAX_NOTE_BYTES)]);
      await sql.query(plant, ['web-1', 1000, randomBytes(32), randomBytes(32), 'planted\n']);
      const served = await app.inject({ method: 'GET', url: '/v1/checkpoints/web-1/latest' });
      expect(served.statusCode).toBe(200);
      expect(served.rawPayload.byteLength).toBeLessThanOrEqual(MAX_NOTE_BYTES);
      expect(openCheckpoint(served.body, [createPublicKey(key.publicKeyPem)])).toMatchObject({ size: 3 });
    } finally {
      await app.close();
      await ledger.close();
      await sql.close();
    }
  }, 60_000); // the process's first PGlite start (an initdb): 28-31 s at load 18-20
});

const plant = 'INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ($1, $2, $3, $4, $5)';

/** A note shaped like Proctor's (its origin, the row's size, a root) under a made-up signature: no key needed. */
function forged(chain: string, size: number): string {
  return `proctor/ledger/${chain}\n${size}\n${randomBytes(32).toString('base64')}\n\n\u2014 proctor/ledger/${chain} ${randomBytes(68).toString('base64')}\n`;
}

describe('rows planted at sizes the writer then checkpoints (review s13 ops)', () => {
  let sql: Sql; // one database, a chain a test
  beforeAll(async () => {
    sql = await openPglite();
    await migrate(sql);
  }, 60_000);
  afterAll(async () => {
    await sql?.close();
  });

  it("the writer reports each, and neither its own chain's note nor a verified row's is ever the planted one", async () => {
    const key = generateSigningKey();
    const trusted = [createPublicKey(key.publicKeyPem)];
    const refused: RefusedCheckpointRow[] = [];
    const ledger = await openLedger({
      sql,
      signer: loadSigner(key.privateKeyPem),
      chain: 'web-2',
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 1, everySeconds: 0, onRowRefused: (row) => refused.push(row) },
    });
    const own = servedCheckpoints(sql, key.publicKeyPem, ledger);
    const others = servedCheckpoints(sql, key.publicKeyPem, null); // a replica of another chain: rows only
    try {
      await ledger.append('decision', 'a', {});
      await ledger.checkpoint(); // 2 records, Proctor's row at 2
      // Planted ahead of the head: forged notes at 3..5, and Proctor's own genuine note of 2 replayed at 6.
      for (let size = 3; size <= 5; size++)
        await sql.query(plant, ['web-2', size, randomBytes(32), randomBytes(32), forged('web-2', size)]);
      const replay = (await own('web-2')) ?? '';
      await sql.query(plant, ['web-2', 6, randomBytes(32), randomBytes(32), replay]);
      for (const id of ['e', 'f', 'g', 'h']) await ledger.append('decision', id, {});
      await ledger.checkpoint(); // 6 records: the writer reached every planted size
      expect(refused.map((r) => [r.treeSize, r.reason])).toEqual(
        [3, 4, 5, 6].map((size) => [size, 'a row stored at this size before this checkpoint kept it out']),
      );
      // The own chain: the note the writer signed at 6, not the row stored there.
      const mine = await own('web-2');
      expect(mine).not.toBe(replay);
      expect(openCheckpoint(mine ?? '', trusted)).toMatchObject({ origin: 'proctor/ledger/web-2', size: 6 });
      // From rows: every planted one skipped (the replayed note opens, but at another size than its row's); the newest
      // row Proctor's key signed for its own size (2) is served.
      const fromRows = await others('web-2');
      expect(openCheckpoint(fromRows ?? '', trusted)).toMatchObject({ origin: 'proctor/ledger/web-2', size: 2 });
      // A note of the right size and origin signed by another key is skipped too.
      await ledger.append('decision', 'i', {}); // 7 records: Proctor's row at 7
      await ledger.append('decision', 'j', {}); // 8 records, row at 8
      const stranger = loadSigner(generateSigningKey().privateKeyPem);
      const root = randomBytes(32);
      const foreign = await signCheckpoint({ origin: 'proctor/ledger/web-2', size: 9, root }, stranger);
      await sql.query(plant, ['web-2', 9, root, randomBytes(32), foreign]);
      await ledger.append('decision', 'k', {}); // 9 records: refused at 9
      await ledger.checkpoint();
      expect(openCheckpoint((await own('web-2')) ?? '', trusted).size).toBe(9);
      expect(openCheckpoint((await others('web-2')) ?? '', trusted).size).toBe(8);
    } finally {
      await ledger.close();
    }
  });

  it(`from rows, ${SERVED_CANDIDATES} planted rows newer than every genuine one answer 404, never a planted note`, async () => {
    const key = generateSigningKey();
    const ledger = await openLedger({
      sql,
      signer: loadSigner(key.privateKeyPem),
      chain: 'web-3',
      clock: { now: () => new Date() },
      checkpoints: { everyRecords: 1000, everySeconds: 0 },
    });
    const others = servedCheckpoints(sql, key.publicKeyPem, null);
    try {
      await ledger.checkpoint(); // 1 record, Proctor's row at 1
      for (let i = 0; i < SERVED_CANDIDATES; i++) await ledger.append('decision', `r${i}`, {});
      for (let size = 2; size <= SERVED_CANDIDATES + 1; size++)
        await sql.query(plant, ['web-3', size, randomBytes(32), randomBytes(32), forged('web-3', size)]);
      expect(await others('web-3')).toBeNull();
      // The own chain's checkpointer still has its note (the one at 1; the next one at close).
      expect(openCheckpoint(ledger.latestCheckpoint?.()?.note ?? '', [createPublicKey(key.publicKeyPem)]).size).toBe(1);
    } finally {
      await ledger.close();
    }
  });
});
