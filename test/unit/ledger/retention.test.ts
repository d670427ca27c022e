// Retention on PGlite: which partitions expire (never the current or previous month, never inside the window), the
// signed retention_applied record each trimmed chain gets before the drop, and the refusals (short window without
// consent, a chain whose old records are not its oldest, a chain held by a running replica).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toSafeInteger } from '../../../src/db/index.ts';
import type { Sql } from '../../../src/db/index.ts';
import {
  applyRetention,
  generateSigningKey,
  type LedgerError,
  loadSigner,
  openLedger,
  planRetention,
  schemaProblem,
  signatureValid,
  publicKeyFromPem,
} from '../../../src/ledger/index.ts';
import type { AppendedRecord, Ledger } from '../../../src/ledger/index.ts';
import { chainAt as chainAtWith } from '../../helpers/ledger-chain.ts';
import { freshDb } from './fixture.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const NOW = new Date('2026-11-15T12:00:00.000Z');
let sql: Sql;

beforeEach(async () => {
  sql = await freshDb();
});
afterEach(async () => {
  await sql.close();
});

/** Writes one record at each ts (the chain opens at the first), closes the ledger, returns the records. */
const chainAt = (chain: string, stamps: string[]) => chainAtWith(sql, signer, chain, stamps);

async function partitions(): Promise<string[]> {
  const { rows } = await sql.query<{ name: string }>(
    "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'audit_records'::regclass ORDER BY 1",
  );
  return rows.map((r) => r.name);
}

async function seqs(chain: string): Promise<number[]> {
  const { rows } = await sql.query<{ seq: unknown }>('SELECT seq FROM audit_records WHERE chain = $1 ORDER BY seq', [
    chain,
  ]);
  return rows.map((r) => toSafeInteger(r.seq));
}

describe('planRetention', () => {
  it('expires partitions that ended before the window (6 whole months before the current one) and says what each chain loses', async () => {
    const a = await chainAt('ret-a', [
      '2026-01-10T00:00:00.000Z',
      '2026-03-10T00:00:00.000Z',
      '2026-05-01T00:00:00.000Z',
      '2026-11-01T00:00:00.000Z',
    ]);
    await chainAt('ret-b', ['2026-10-20T00:00:00.000Z']); // nothing old: untouched
    const plan = await planRetention(sql, { months: 6, now: NOW });
    expect(plan.cutoff).toBe('2026-05-01T00:00:00.000Z');
    expect(plan.drop.map((p) => [p.name, p.rows])).toEqual([
      ['audit_records_2026_01', 2], // chain_opened + the January record
      ['audit_records_2026_02', 0],
      ['audit_records_2026_03', 1],
      ['audit_records_2026_04', 0],
    ]);
    expect(plan.keep).toContain('audit_records_2026_05');
    expect(plan.keep).toContain('audit_records_2026_10');
    expect(plan.chains).toEqual([
      { chain: 'ret-a', droppedThroughSeq: 2, droppedThroughHash: a[1]?.hash, droppedRecords: 3 },
    ]);
    expect(await partitions()).toContain('audit_records_2026_01'); // a plan drops nothing
  });

  it('never expires the current or previous month, whatever --months says', async () => {
    await chainAt('ret-c', ['2026-09-30T00:00:00.000Z', '2026-10-31T23:59:59.000Z', '2026-11-02T00:00:00.000Z']);
    const plan = await planRetention(sql, { months: 1, allowShort: true, now: NOW });
    expect(plan.drop.map((p) => p.name)).toEqual(['audit_records_2026_09']);
    expect(plan.keep).toEqual(expect.arrayContaining(['audit_records_2026_10', 'audit_records_2026_11']));
  });

  it.each<[{ months: number; allowShort?: boolean }, string]>([
    [{ months: 5 }, 'below 6 months without consent'],
    [{ months: 0, allowShort: true }, 'zero months'],
    [{ months: 2.5, allowShort: true }, 'a fraction'],
  ])('refuses %j (%s) with ERR_RETENTION_REFUSED', async (opts) => {
    await expect(planRetention(sql, { ...opts, now: NOW })).rejects.toMatchObject({ code: 'ERR_RETENTION_REFUSED' });
  });

  it('refuses when a chain’s expired records are not its oldest (a clock that went backwards): nothing is dropped', async () => {
    await chainAt('ret-back', ['2026-06-01T00:00:00.000Z', '2026-01-05T00:00:00.000Z']);
    const err = await planRetention(sql, { months: 6, now: NOW }).catch((e: unknown) => e);
    expect((err as LedgerError).code).toBe('ERR_RETENTION_REFUSED');
    await expect(applyRetention(sql, { months: 6, now: NOW, signer, clock: { now: () => NOW } })).rejects.toMatchObject(
      { code: 'ERR_RETENTION_REFUSED' },
    );
    expect(await seqs('ret-back')).toEqual([0, 1, 2]);
  });
});

describe('applyRetention', () => {
  it('appends a signed retention_applied record to each trimmed chain, then drops exactly the expired partitions', async () => {
    const a = await chainAt('ret-a', [
      '2026-01-10T00:00:00.000Z',
      '2026-03-10T00:00:00.000Z',
      '2026-06-01T00:00:00.000Z',
    ]);
    const b = await chainAt('ret-b', ['2026-02-10T00:00:00.000Z', '2026-07-10T00:00:00.000Z']);
    await chainAt('ret-new', ['2026-11-01T00:00:00.000Z']);
    const result = await applyRetention(sql, { months: 6, now: NOW, signer, clock: { now: () => NOW } });
    expect(result.dropped).toEqual([
      'audit_records_2026_01',
      'audit_records_2026_02',
      'audit_records_2026_03',
      'audit_records_2026_04',
    ]);
    expect(await partitions()).not.toEqual(expect.arrayContaining(['audit_records_2026_01']));
    expect(await partitions()).toEqual(
      expect.arrayContaining(['audit_records_2026_06', 'audit_records_2026_07', 'audit_records_2026_11']),
    );
    expect(result.records.map((r) => [r.chain, r.seq])).toEqual([
      ['ret-a', 4],
      ['ret-b', 3],
    ]);
    const ra = result.records[0] as AppendedRecord;
    expect(ra.record).toMatchObject({
      type: 'retention_applied',
      prev: a[2]?.hash,
      dropped_through_seq: 2,
      dropped_through_hash: a[1]?.hash,
      partitions: result.dropped,
      retention_months: 6,
    });
    expect(schemaProblem(ra.record)).toBeNull();
    expect(signatureValid(Buffer.from(ra.hash, 'hex'), ra.record.sig, publicKeyFromPem(key.publicKeyPem))).toBe(true);
    expect(result.records[1]?.record).toMatchObject({ dropped_through_seq: 1, dropped_through_hash: b[0]?.hash });
    expect(await seqs('ret-a')).toEqual([3, 4]);
    expect(await seqs('ret-b')).toEqual([2, 3]);
    expect(await seqs('ret-new')).toEqual([0, 1]);
    // Run again: nothing left to drop, no new record.
    const again = await applyRetention(sql, { months: 6, now: NOW, signer, clock: { now: () => NOW } });
    expect([again.dropped, again.records]).toEqual([[], []]);
  });

  it('refuses a chain whose replica is running (ERR_CHAIN_LEASED) and drops nothing', async () => {
    await chainAt('ret-live', ['2026-01-10T00:00:00.000Z', '2026-11-01T00:00:00.000Z']);
    const running: Ledger = await openLedger({ sql, signer, chain: 'ret-live', clock: { now: () => NOW } });
    try {
      await expect(
        applyRetention(sql, { months: 6, now: NOW, signer, clock: { now: () => NOW } }),
      ).rejects.toMatchObject({ code: 'ERR_CHAIN_LEASED' });
      expect(await partitions()).toContain('audit_records_2026_01');
      expect(await seqs('ret-live')).toEqual([0, 1, 2]);
    } finally {
      await running.close();
    }
  });

  it('retention_applied is written by retention only', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'ret-api', clock: { now: () => NOW } });
    const err = await ledger.append('retention_applied', null, {}).catch((e: unknown) => e);
    expect((err as LedgerError).code).toBe('ERR_RECORD_INVALID');
    await ledger.close();
  });
});
