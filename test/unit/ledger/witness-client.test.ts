// The add-checkpoint client and the writer's submissions, with fake witnesses (injected fetch): answers are classified
// strictly (409 only as text/x.tlog.size, a cosignature only under the pinned key), every call is bounded by its
// timeout, and a witness that never answers delays no append: it is reported (ERR_WITNESS_UNREACHABLE) and retried.
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../../../src/ledger/index.ts';
import { addCheckpoint, addCheckpointBody } from '../../../src/ledger/witness-client.ts';
import type { FetchLike } from '../../../src/ledger/witness-client.ts';
import { cosign, splitNote, witnessVerifierKey } from '../../../src/ledger/witness-cosignature.ts';
import { freshDb, steppingClock } from './fixture.ts';

const answer =
  (status: number, body: string, type = 'text/plain'): FetchLike =>
  async () =>
    new Response(body, { status, headers: { 'content-type': type } });
const hanging: FetchLike = (_url, init) =>
  new Promise((_resolve, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));

describe('addCheckpoint', () => {
  it('sends old size, proof lines, a blank line and the note', () => {
    expect(addCheckpointBody(3, [new Uint8Array(32)], 'n\n')).toBe(
      `old 3\n${Buffer.alloc(32).toString('base64')}\n\nn\n`,
    );
    expect(addCheckpointBody(0, [], 'n\n')).toBe('old 0\n\nn\n');
  });

  it('classifies answers', async () => {
    expect(await addCheckpoint('http://w', 0, [], 'n\n', 1000, answer(200, '\u2014 w AAAA\n'))).toEqual({
      kind: 'cosigned',
      lines: ['\u2014 w AAAA'],
    });
    expect(await addCheckpoint('http://w', 0, [], 'n\n', 1000, answer(409, '42\n', 'text/x.tlog.size'))).toEqual({
      kind: 'conflict',
      knownSize: 42,
    });
    expect(await addCheckpoint('http://w', 0, [], 'n\n', 1000, answer(422, 'bad proof\u0000\n'))).toEqual({
      kind: 'refused',
      status: 422,
      reason: 'bad proof?',
    });
  });

  it('refuses malformed answers and bounds the wait', async () => {
    const bad = [
      answer(409, '42\n'),
      answer(409, 'x\n', 'text/x.tlog.size'),
      answer(409, '99999999999999999999\n', 'text/x.tlog.size'),
      answer(200, 'no newline'),
    ];
    for (const f of bad)
      await expect(addCheckpoint('http://w', 0, [], 'n\n', 1000, f)).rejects.toMatchObject({
        code: 'ERR_WITNESS_BAD_ANSWER',
      });
    await expect(addCheckpoint('http://w', 0, [], 'n\n', 50, hanging)).rejects.toMatchObject({
      code: 'ERR_WITNESS_UNREACHABLE',
    });
    await expect(addCheckpoint('http://w', 0, [], 'n\n', 1000, answer(200, 'x'.repeat(70_000)))).rejects.toMatchObject({
      code: 'ERR_WITNESS_UNREACHABLE',
    });
  });
});

describe('submissions from the writer', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const witnessPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const vkey = witnessVerifierKey('witness.test/fake', publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const signer = loadSigner(generateSigningKey().privateKeyPem);
  // One database for the file (starting PGlite costs ~4 s of CPU, three of them neared the test timeout on a loaded
  // machine); each test writes a chain of its own and reads back only its cosignatures.
  let sql: Sql;
  beforeAll(async () => {
    sql = await freshDb();
  }, 60_000);
  afterAll(async () => {
    await sql?.close();
  });
  let chains = 0;

  async function run(fetch: FetchLike) {
    chains += 1;
    const chain = `c${chains}`;
    const errors: { code?: string }[] = [];
    const ledger = await openLedger({
      sql,
      signer,
      chain,
      clock: steppingClock(),
      checkpoints: {
        everyRecords: 1_000_000,
        everySeconds: 0,
        onError: (e) => errors.push(e as { code?: string }),
        witnesses: { witnesses: [{ url: 'http://w', key: vkey, timeoutMs: 100 }], fetch },
      },
    });
    const body = { decision: { allow: false, reasons: [], obligations: null } };
    await ledger.append('decision', 'r-1', body);
    await ledger.checkpoint();
    await ledger.append('decision', 'r-2', body); // while the submission is in flight
    await ledger.close();
    const { rows } = await sql.query<{ tree_size: unknown }>(
      'SELECT tree_size FROM audit_witness_cosignatures WHERE chain = $1 ORDER BY tree_size',
      [chain],
    );
    return { codes: errors.map((e) => e.code), stored: rows.map((r) => Number(r.tree_size)) };
  }

  it('a witness that never answers delays no append and is reported', async () => {
    const r = await run(hanging);
    expect(r.stored).toEqual([]);
    expect(r.codes).toContain('ERR_WITNESS_UNREACHABLE');
  });

  it('a cosignature under another key is refused, not stored', async () => {
    const other = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const forged: FetchLike = async (_url, init) =>
      new Response(`${cosign(noteBody(init.body), 'witness.test/fake', other, 1)}\n`, { status: 200 });
    const r = await run(forged);
    expect(r.stored).toEqual([]);
    expect(r.codes).toContain('ERR_WITNESS_COSIGNATURE_INVALID');
  });

  it('a valid cosignature is stored', async () => {
    const good: FetchLike = async (_url, init) =>
      new Response(`${cosign(noteBody(init.body), 'witness.test/fake', witnessPem, 1)}\n`, { status: 200 });
    const r = await run(good);
    expect(r.codes).toEqual([]);
    expect(r.stored.length).toBe(2); // the checkpoint asked for, and the one close() writes
  });
});

function noteBody(request: string): string {
  return splitNote(request.slice(request.indexOf('\n\n') + 2)).body;
}
