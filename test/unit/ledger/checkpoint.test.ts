// Signed notes against the golang.org/x/mod/sumdb/note reference vector (PeterNeumann), checkpoint notes, and the
// ledger's checkpoints end to end on PGlite: written every N records, resumed after a restart, appended to the
// sink file, and used by verify to catch a truncated chain.
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../../src/db/index.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import { rootOf } from '../../../src/ledger/merkle.ts';
import { witnessVerifierKey } from '../../../src/ledger/witness-cosignature.ts';
import { checkpointBody, openCheckpoint, signCheckpoint, signNote, verifierKey } from '../../../src/ledger/note.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import { asMaliciousDba, freshDb, steppingClock } from './fixture.ts';

const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const deny = { decision: { allow: false, reasons: [], obligations: null } };
const SIG =
  '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';

function peterNeumann() {
  const seed = Buffer.from(SKEY.split('+').slice(4).join('+'), 'base64').subarray(1);
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return loadSigner(
    createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ type: 'pkcs8', format: 'pem' }).toString(),
  );
}

describe('signed notes', () => {
  it('reproduces the Go reference note byte for byte, and its verifier key', async () => {
    const signer = peterNeumann();
    expect(await signNote(TEXT, 'PeterNeumann', signer)).toBe(`${TEXT}\n${SIG}`);
    expect(verifierKey('PeterNeumann', signer.publicKeyPem)).toBe(VKEY);
  });

  it('writes a C2SP checkpoint and opens it only with the signing key', async () => {
    const key = generateSigningKey();
    const signer = loadSigner(key.privateKeyPem);
    const root = new Uint8Array(32).fill(7);
    const note = await signCheckpoint({ origin: 'proctor/ledger/a', size: 12, root }, signer);
    expect(
      note.startsWith(`proctor/ledger/a\n12\n${Buffer.from(root).toString('base64')}\n\n\u2014 proctor/ledger/a `),
    ).toBe(true);
    expect(checkpointBody({ origin: 'proctor/ledger/a', size: 12, root })).toBe(
      note.slice(0, note.indexOf('\n\n') + 1),
    );
    const opened = openCheckpoint(note, [createPublicKey(key.publicKeyPem)]);
    expect({ ...opened, root: Buffer.from(opened.root).toString('hex') }).toEqual({
      origin: 'proctor/ledger/a',
      size: 12,
      root: '07'.repeat(32),
    });
    expect(() => openCheckpoint(note, [createPublicKey(generateSigningKey().publicKeyPem)])).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    );
    expect(() => openCheckpoint(note.replace('\n12\n', '\n13\n'), [createPublicKey(key.publicKeyPem)])).toThrow(
      expect.objectContaining({ code: 'ERR_KEY_INVALID' }),
    );
    expect(() => openCheckpoint(note.replace('\n12\n', '\n012\n'), [createPublicKey(key.publicKeyPem)])).toThrow(
      expect.objectContaining({ code: 'ERR_RECORD_NOT_CANONICAL' }),
    );
  });
});

describe('ledger checkpoints', () => {
  const key = generateSigningKey();
  const signer = loadSigner(key.privateKeyPem);
  let sql: Sql;
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-cp-'));
  beforeAll(async () => {
    sql = await freshDb();
  });
  afterAll(async () => {
    await sql.close();
  });

  async function checkpointRows(chain: string) {
    const { rows } = await sql.query<{ tree_size: unknown; root_hash: unknown }>(
      'SELECT tree_size, root_hash FROM audit_checkpoints WHERE chain = $1 ORDER BY tree_size',
      [chain],
    );
    return rows.map((r) => Number(r.tree_size));
  }

  async function leaves(chain: string) {
    const { rows } = await sql.query<{ hash: Uint8Array }>(
      'SELECT hash FROM audit_records WHERE chain = $1 ORDER BY seq',
      [chain],
    );
    return rows.map((r) => new Uint8Array(r.hash));
  }

  it('writes a checkpoint every N records, to the table and the sink, over the RFC 6962 root of the chain', async () => {
    const sink = path.join(dir, 'cp-every.jsonl');
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'cp-every',
      clock: steppingClock(),
      checkpoints: { everyRecords: 5, everySeconds: 0, sinkPath: sink },
    });
    for (let i = 0; i < 12; i++) await ledger.append('decision', `r${i}`, {});
    await ledger.checkpoint(); // waits for queued checkpoint writes; writes one for the 13th record
    expect(await checkpointRows('cp-every')).toEqual([5, 10, 13]);
    const lines = readFileSync(sink, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { chain: string; tree_size: number; note: string });
    expect(lines.map((l) => l.tree_size)).toEqual([5, 10, 13]);
    const opened = openCheckpoint(lines[2]?.note ?? '', [createPublicKey(key.publicKeyPem)]);
    expect(opened.origin).toBe('proctor/ledger/cp-every');
    expect(Buffer.from(opened.root).toString('hex')).toBe(
      Buffer.from(rootOf(await leaves('cp-every'))).toString('hex'),
    );
    await ledger.close();
  });

  it('checkpoints at every multiple of N records also when they commit in batches (the sizes a restart looks up)', async () => {
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'cp-aligned',
      clock: steppingClock(),
      checkpoints: { everyRecords: 5, everySeconds: 0 },
    });
    await Promise.all(Array.from({ length: 23 }, (_, i) => ledger.append('decision', `r${i}`, {})));
    await ledger.close();
    const sizes = await checkpointRows('cp-aligned');
    expect(sizes.filter((size) => size % 5 === 0)).toEqual([5, 10, 15, 20]);
    expect(sizes.at(-1)).toBe(24);
  });

  it('publishes a checkpoint only after its row committed: a refused row reaches neither the sink nor a witness', async () => {
    const sink = path.join(dir, 'cp-order.jsonl');
    let refuse = true;
    const gated: Sql = {
      ...sql,
      query: (text, params, options) =>
        refuse && text.startsWith('INSERT INTO audit_checkpoints')
          ? Promise.reject(new Error('the database refused the checkpoint row'))
          : sql.query(text, params, options),
      transaction: (fn) => sql.transaction(fn),
    };
    const asked: boolean[] = []; // per witness request: was the checkpoint's row already committed?
    const fetch = async () => {
      asked.push((await checkpointRows('cp-order')).length > 0);
      throw new Error('witness down'); // a failure is reported and retried; only the order matters here
    };
    const witness = { url: 'https://w.example', key: witnessVerifierKey('w.example/w', key.publicKeyPem) };
    const ledger = await openLedger({
      sql: gated,
      signer,
      chain: 'cp-order',
      clock: steppingClock(),
      checkpoints: {
        everyRecords: 1000,
        everySeconds: 0,
        sinkPath: sink,
        onError: () => undefined,
        witnesses: { witnesses: [{ ...witness, timeoutMs: 1000 }], fetch },
      },
    });
    await ledger.append('decision', 'r0', {});
    await expect(ledger.checkpoint()).rejects.toThrow('refused the checkpoint row');
    expect(existsSync(sink)).toBe(false);
    expect(asked).toEqual([]);
    refuse = false;
    expect(await ledger.checkpoint()).toMatchObject({ treeSize: 2 });
    expect(readFileSync(sink, 'utf8').trim().split('\n')).toHaveLength(1);
    await ledger.close(); // waits for the witness round
    expect(asked.length).toBeGreaterThan(0);
    expect(asked.every(Boolean)).toBe(true);
  });

  it('a restarted writer resumes its tree from the last checkpoint', async () => {
    const opts = { everyRecords: 4, everySeconds: 0 };
    const a = await openLedger({ sql, signer, chain: 'cp-resume', clock: steppingClock(), checkpoints: opts });
    for (let i = 0; i < 6; i++) await a.append('decision', `a${i}`, deny);
    await a.close(); // last checkpoint at 7
    const b = await openLedger({ sql, signer, chain: 'cp-resume', clock: steppingClock(), checkpoints: opts });
    for (let i = 0; i < 5; i++) await b.append('decision', `b${i}`, deny);
    const latest = await b.checkpoint();
    expect(latest?.treeSize).toBe(12);
    const opened = openCheckpoint(latest?.note ?? '', [createPublicKey(key.publicKeyPem)]);
    expect(Buffer.from(opened.root).toString('hex')).toBe(
      Buffer.from(rootOf(await leaves('cp-resume'))).toString('hex'),
    );
    await b.close();
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['cp-resume'] })).findings).toEqual([]);
  });

  it('verify reports CHAIN_TRUNCATED when the tail and the head are cut back behind a checkpoint', async () => {
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'cp-cut',
      clock: steppingClock(),
      checkpoints: { everyRecords: 1000, everySeconds: 0 },
    });
    for (let i = 0; i < 6; i++)
      await ledger.append('decision', `r${i}`, { decision: { allow: false, reasons: [], obligations: null } });
    await ledger.close();
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['cp-cut'] })).findings).toEqual([]);
    await asMaliciousDba(sql, async () => {
      await sql.query("DELETE FROM audit_records WHERE chain = 'cp-cut' AND seq > 3");
      await sql.query(
        "UPDATE audit_chains SET head_seq = 3, head_hash = (SELECT hash FROM audit_records WHERE chain = 'cp-cut' AND seq = 3) WHERE chain = 'cp-cut'",
      );
    });
    const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['cp-cut'] });
    expect(report.findings.map((f) => f.code)).toEqual(['CHAIN_TRUNCATED']);
  });

  it.each(['UPDATE audit_checkpoints SET note = note', 'DELETE FROM audit_checkpoints', 'TRUNCATE audit_checkpoints'])(
    'stored checkpoints are append-only, also under session_replication_role = replica: %s',
    async (statement) => {
      await expect(sql.query(statement)).rejects.toMatchObject({ code: 'PR001' });
      await expect(
        sql.transaction(async (tx) => {
          await tx.query("SET LOCAL session_replication_role = 'replica'");
          await tx.query(statement);
        }),
      ).rejects.toMatchObject({ code: 'PR001' });
    },
  );

  it('verify reports CHECKPOINT_MISMATCH for a rewritten record under a checkpoint, and CHECKPOINT_INVALID for a forged note', async () => {
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'cp-forge',
      clock: steppingClock(),
      checkpoints: { everyRecords: 3, everySeconds: 0 },
    });
    for (let i = 0; i < 3; i++)
      await ledger.append('decision', `r${i}`, { decision: { allow: false, reasons: [], obligations: null } });
    await ledger.close();
    const other = loadSigner(generateSigningKey().privateKeyPem);
    const forged = await signCheckpoint(
      { origin: 'proctor/ledger/cp-forge', size: 2, root: new Uint8Array(32) },
      other,
    );
    await sql.query(
      "INSERT INTO audit_checkpoints (chain, tree_size, root_hash, frontier, note) VALUES ('cp-forge', 2, $1, $2, $3)",
      [Buffer.alloc(32), Buffer.alloc(32), forged],
    );
    const sink = [
      {
        chain: 'cp-forge',
        note: await signCheckpoint(
          { origin: 'proctor/ledger/cp-forge', size: 3, root: new Uint8Array(32).fill(1) },
          signer,
        ),
      },
    ];
    const report = await verifyLedger({
      sql,
      trustedKeys: [key.publicKeyPem],
      chains: ['cp-forge'],
      checkpoints: sink,
    });
    expect(report.findings.map((f) => f.code).sort()).toEqual(['CHECKPOINT_INVALID', 'CHECKPOINT_MISMATCH']);
  });
});
