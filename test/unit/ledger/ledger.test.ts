import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBytes, toSafeInteger } from '../../../src/db/index.ts';
import type { Sql } from '../../../src/db/index.ts';
import { parseCanonical } from '../../../src/ledger/canonical.ts';
import { LedgerError } from '../../../src/ledger/errors.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import { asMaliciousDba, freshDb, steppingClock } from './fixture.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
let sql: Sql;

beforeAll(async () => {
  sql = await freshDb();
});
afterAll(async () => {
  await sql.close();
});

async function rows(chain: string) {
  const { rows } = await sql.query<{
    seq: unknown;
    request_id: string | null;
    record: unknown;
    subject: string | null;
    decision: string | null;
    policy_version: string | null;
  }>(
    'SELECT seq, request_id, record, subject, decision, policy_version FROM audit_records WHERE chain = $1 ORDER BY seq',
    [chain],
  );
  return rows.map((r) => ({ ...r, seq: toSafeInteger(r.seq), record: toBytes(r.record) }));
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof LedgerError)) throw new Error('expected a LedgerError');
  return err.code;
}

describe('openLedger', () => {
  it('opens a new chain with a chain_opened record at seq 0 and registers the key', async () => {
    await openLedger({ sql, signer, chain: 'open-1', clock: steppingClock() });
    const [first, ...rest] = await rows('open-1');
    expect(rest).toHaveLength(0);
    expect(parseCanonical(first!.record)).toMatchObject({
      type: 'chain_opened',
      seq: 0,
      prev: null,
      chain: 'open-1',
      kid: key.kid,
    });
    const keys = await sql.query<{ public_key_pem: string }>('SELECT public_key_pem FROM audit_keys WHERE kid = $1', [
      key.kid,
    ]);
    expect(keys.rows[0]?.public_key_pem).toBe(key.publicKeyPem);
  });

  it('holds the chain exclusively: a second opener gets ERR_CHAIN_LEASED; after close a new writer resumes from the head', async () => {
    const a = await openLedger({ sql, signer, chain: 'resume-1', clock: steppingClock() });
    const first = await a.append('decision', 'r1', { decision: { allow: false, reasons: [], obligations: null } });
    expect(await codeOf(openLedger({ sql, signer, chain: 'resume-1', clock: steppingClock() }))).toBe(
      'ERR_CHAIN_LEASED',
    );
    await a.close();
    expect(await codeOf(a.append('decision', 'late', {}))).toBe('ERR_AUDIT_UNAVAILABLE');
    const b = await openLedger({ sql, signer, chain: 'resume-1', clock: steppingClock() });
    const second = await b.append('decision', 'r2', { decision: { allow: false, reasons: [], obligations: null } });
    expect([first.seq, second.seq]).toEqual([1, 2]);
    expect(second.record.prev).toBe(first.hash);
    expect((await rows('resume-1')).map((r) => r.seq)).toEqual([0, 1, 2]);
    await b.close();
  });

  it('refuses a malformed chain id', async () => {
    expect(await codeOf(openLedger({ sql, signer, chain: 'bad chain', clock: steppingClock() }))).toBe(
      'ERR_RECORD_INVALID',
    );
  });
});

describe('append', () => {
  it('resolves with the committed record: its bytes are the stored bytes, ts comes from the clock', async () => {
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'append-1',
      clock: steppingClock(Date.parse('2030-05-06T07:08:09.010Z')),
    });
    const appended = await ledger.append(
      'decision',
      'req-1',
      { decision: { allow: true, reasons: [], obligations: null } },
      { subject: 'alice', decision: 'allow', policyVersion: 'rev@sha256:00' },
    );
    const stored = (await rows('append-1'))[1]!;
    expect(Buffer.from(stored.record).equals(Buffer.from(appended.bytes))).toBe(true);
    expect(appended.record.ts).toBe('2030-05-06T07:08:11.010Z'); // the second reading: openLedger took the first
    expect(stored).toMatchObject({
      request_id: 'req-1',
      subject: 'alice',
      decision: 'allow',
      policy_version: 'rev@sha256:00',
    });
  });

  it('keeps call order for concurrent appends and yields a contiguous chain', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'order-1', clock: steppingClock() });
    const appended = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        ledger.append('decision', `r${i}`, { decision: { allow: false, reasons: [], obligations: null } }),
      ),
    );
    expect(appended.map((a) => a.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    const stored = await rows('order-1');
    expect(stored.map((r) => r.request_id)).toEqual([null, ...Array.from({ length: 30 }, (_, i) => `r${i}`)]);
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['order-1'] })).ok).toBe(true);
  });

  it.each([
    ['an envelope field in the body', { seq: 7 }],
    ['a float', { latency_ms: 1.5 }],
    ['a lone surrogate', { error: '\ud800' }],
    ['a schema violation', { decision_hash: 'nope' }],
  ])('rejects %s with ERR_RECORD_INVALID and writes nothing', async (name, body) => {
    const chain = `invalid-${name.replaceAll(' ', '-')}`;
    const ledger = await openLedger({ sql, signer, chain, clock: steppingClock() });
    const before = (await rows(chain)).length;
    expect(await codeOf(ledger.append('outcome', 'r', body as never))).toBe('ERR_RECORD_INVALID');
    expect((await rows(chain)).length).toBe(before);
    expect((await ledger.append('decision', 'ok', {})).seq).toBe(before); // the queue goes on
  });

  it('refuses chain_opened and unknown types', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'types-1', clock: steppingClock() });
    expect(await codeOf(ledger.append('chain_opened', null, {}))).toBe('ERR_RECORD_INVALID');
    expect(await codeOf(ledger.append('bogus' as never, null, {}))).toBe('ERR_RECORD_INVALID');
    expect(await codeOf(ledger.append('key_rotated', null, {}))).toBe('ERR_RECORD_INVALID');
  });

  it('rejects with ERR_AUDIT_UNAVAILABLE when the database is gone', async () => {
    const own = await freshDb();
    const ledger = await openLedger({ sql: own, signer, chain: 'gone-1', clock: steppingClock() });
    await own.close();
    expect(await codeOf(ledger.append('decision', 'r', {}))).toBe('ERR_AUDIT_UNAVAILABLE');
    expect(await codeOf(openLedger({ sql: own, signer, chain: 'gone-2', clock: steppingClock() }))).toBe(
      'ERR_AUDIT_UNAVAILABLE',
    );
  });
});

describe('append-only triggers', () => {
  it.each([
    ['UPDATE', "UPDATE audit_records SET request_id = 'x' WHERE chain = 'trig-1'"],
    ['DELETE', "DELETE FROM audit_records WHERE chain = 'trig-1'"],
    ['TRUNCATE', 'TRUNCATE audit_records'],
  ])('reject %s on audit_records, also under session_replication_role = replica', async (_op, statement) => {
    const ledger = await openLedger({ sql, signer, chain: 'trig-1', clock: steppingClock() });
    await expect(sql.query(statement)).rejects.toMatchObject({ code: 'PR001' });
    await expect(
      sql.transaction(async (tx) => {
        await tx.query("SET LOCAL session_replication_role = 'replica'");
        await tx.query(statement);
      }),
    ).rejects.toMatchObject({ code: 'PR001' });
    expect((await rows('trig-1')).length).toBe(1);
    await ledger.close();
  });

  it('chain heads only move forward onto a stored record and are never deleted', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'trig-2', clock: steppingClock() });
    await ledger.append('decision', 'a', {});
    await expect(sql.query("UPDATE audit_chains SET head_seq = 5 WHERE chain = 'trig-2'")).rejects.toMatchObject({
      code: 'PR002',
    });
    await expect(
      sql.query(
        "UPDATE audit_chains SET head_seq = 0, head_hash = (SELECT hash FROM audit_records WHERE chain = 'trig-2' AND seq = 0) WHERE chain = 'trig-2'",
      ),
    ).rejects.toMatchObject({ code: 'PR002' });
    await expect(sql.query("UPDATE audit_chains SET head_hash = '\\x00' WHERE chain = 'trig-2'")).rejects.toMatchObject(
      { code: 'PR002' },
    );
    await expect(
      sql.query("UPDATE audit_chains SET head_seq = NULL, head_hash = NULL WHERE chain = 'trig-2'"),
    ).rejects.toMatchObject({ code: 'PR002' });
    await expect(sql.query("DELETE FROM audit_chains WHERE chain = 'trig-2'")).rejects.toMatchObject({ code: 'PR002' });
    await expect(sql.query('TRUNCATE audit_chains')).rejects.toMatchObject({ code: 'PR002' });
  });

  it('a second record for the same seq or the same prev is a hard error (no fork)', async () => {
    await openLedger({ sql, signer, chain: 'fork-1', clock: steppingClock() });
    const copy = (seq: number, prev: Uint8Array | null, hash: number) =>
      sql.query(
        `INSERT INTO audit_records (chain, seq, ts, type, prev, hash, kid, record) VALUES ('fork-1', $1, now(), 'decision', $2, $3, 'k', '\\x00')`,
        [seq, prev, new Uint8Array(32).fill(hash)],
      );
    const headHash = (
      await sql.query<{ hash: unknown }>("SELECT hash FROM audit_records WHERE chain = 'fork-1' AND seq = 0")
    ).rows[0]!.hash;
    await copy(1, toBytes(headHash), 1);
    // In the same month, the partition's unique indexes refuse a second seq or prev (23505) ...
    await expect(copy(1, new Uint8Array(32).fill(9), 2)).rejects.toMatchObject({ code: '23505' });
    await expect(copy(2, toBytes(headHash), 3)).rejects.toMatchObject({ code: '23505' });
    // ... the fork guard a row that collides with nothing but does not continue the
    // chain: a gap, a broken link (PR003),
    await expect(copy(3, new Uint8Array(32).fill(1), 4)).rejects.toMatchObject({ code: 'PR003' });
    await expect(copy(2, new Uint8Array(32).fill(9), 5)).rejects.toMatchObject({ code: 'PR003' });
    const stored = await sql.query<{ seq: string }>(
      "SELECT seq FROM audit_records WHERE chain = 'fork-1' ORDER BY seq",
    );
    expect(stored.rows.map((r) => Number(r.seq))).toEqual([0, 1]);
    // ... and with the guard switched off, the unique indexes still refuse a second seq or prev in its month.
    await asMaliciousDba(sql, async () => {
      await expect(copy(1, new Uint8Array(32).fill(9), 2)).rejects.toMatchObject({ code: '23505' });
      await expect(copy(2, toBytes(headHash), 3)).rejects.toMatchObject({ code: '23505' });
    });
  });
});
