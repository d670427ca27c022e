// GET /v1/checkpoints/<chain>/latest serves the newest signed checkpoint note of a chain from the database.
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { migrate, openPglite } from '../../src/db/index.ts';
import { buildServer } from '../../src/http/index.ts';
import {
  generateSigningKey,
  latestCheckpoint,
  loadSigner,
  openCheckpoint,
  openLedger,
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
      checkpoints: { everyRecords: 2, everySeconds: 0 },
    });
    await ledger.append('decision', 'a', {});
    await ledger.append('decision', 'b', {});
    await ledger.checkpoint();
    const app = buildServer({
      handler: {} as RequestHandler,
      bodyLimitBytes: 1024,
      latestCheckpoint: (chain) => latestCheckpoint(sql, chain),
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
    } finally {
      await app.close();
      await ledger.close();
      await sql.close();
    }
  });
});
