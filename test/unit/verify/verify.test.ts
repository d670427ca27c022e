import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sql } from '../../../src/db/index.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import { sealRecord } from '../../../src/ledger/record.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import type { VerifyReport } from '../../../src/verify/report.ts';
import { dropUniqueness } from '../../helpers/ledger-tamper.ts';
import { asMaliciousDba, freshDb, rewriteBytes, steppingClock, storedBytes, writeChain } from '../ledger/fixture.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const intruder = generateSigningKey();
let sql: Sql;

beforeAll(async () => {
  sql = await freshDb();
});
afterAll(async () => {
  await sql.close();
});

const verify = (chain: string, trustedKeys = [key.publicKeyPem], pageSize?: number) =>
  verifyLedger({ sql, trustedKeys, chains: [chain], ...(pageSize ? { pageSize } : {}) });

const codes = (report: VerifyReport) => report.findings.map((f) => `${f.code}@${f.seq ?? '-'}`).sort();

describe('a clean chain', () => {
  it('verifies, with a summary per chain', async () => {
    await writeChain(sql, signer, 'clean', 3);
    const report = await verify('clean');
    expect(report).toMatchObject({ ok: true, inconclusive: false, findings: [] });
    expect(report.chains).toEqual([
      {
        chain: 'clean',
        records: 7,
        first_seq: 0,
        last_seq: 6,
        first_ts: '2026-01-01T00:00:01.000Z',
        last_ts: '2026-01-01T00:00:07.000Z',
        head_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        signatures_checked: 7,
        checkpoint: null,
        trimmed_through: null,
      },
    ]);
  });

  it('gives the same verdict whatever the page size', async () => {
    await writeChain(sql, signer, 'paged', 5);
    for (const pageSize of [1, 2, 3, 11, 5000])
      expect((await verify('paged', [key.publicKeyPem], pageSize)).ok).toBe(true);
  });

  it('verifies every chain when none is named', async () => {
    await writeChain(sql, signer, 'all-a', 1);
    const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem] });
    expect(report.chains.map((c) => c.chain)).toEqual(expect.arrayContaining(['clean', 'paged', 'all-a']));
  });
});

describe('tampering', () => {
  it('a changed value in a stored record: RECORD_HASH_MISMATCH (and the signature no longer matches)', async () => {
    await writeChain(sql, signer, 'flip', 2);
    await rewriteBytes(sql, 'flip', 1, (t) => t.replace('"sub":"alice"', '"sub":"mallory"'));
    const report = await verify('flip');
    expect(report.ok).toBe(false);
    expect(codes(report)).toEqual(['RECORD_HASH_MISMATCH@1', 'RECORD_SIGNATURE_INVALID@1']);
  });

  it('a flipped byte that breaks the canonical form: RECORD_NOT_CANONICAL', async () => {
    await writeChain(sql, signer, 'flip-2', 2);
    await rewriteBytes(sql, 'flip-2', 2, (t) => t.replace('"status":200', '"status": 200'));
    // The unreadable record was decision 1's outcome, so that decision now reads as open (a warning).
    expect(codes(await verify('flip-2'))).toEqual(['DECISION_WITHOUT_OUTCOME@1', 'RECORD_NOT_CANONICAL@2']);
  });

  it('a forged signature: RECORD_SIGNATURE_INVALID', async () => {
    await writeChain(sql, signer, 'sig', 1);
    await rewriteBytes(sql, 'sig', 1, (t) =>
      t.replace(/"sig":"(.)/, (_m, c: string) => `"sig":"${c === 'A' ? 'B' : 'A'}`),
    );
    expect(codes(await verify('sig'))).toEqual(['RECORD_SIGNATURE_INVALID@1']);
  });

  it('a deleted middle record: CHAIN_SEQ_GAP (and the outcome of the deleted decision is an orphan)', async () => {
    await writeChain(sql, signer, 'gap', 3);
    await asMaliciousDba(sql, async () => {
      await sql.query("DELETE FROM audit_records WHERE chain = 'gap' AND seq = 3");
    });
    const report = await verify('gap');
    expect(codes(report)).toEqual(['CHAIN_SEQ_GAP@4', 'OUTCOME_WITHOUT_DECISION@4']);
    expect(report.findings.find((f) => f.code === 'CHAIN_SEQ_GAP')?.message).toContain('3..3');
  });

  it('a gap longer than a page is one finding', async () => {
    await writeChain(sql, signer, 'long-gap', 5);
    await asMaliciousDba(sql, async () => {
      await sql.query("DELETE FROM audit_records WHERE chain = 'long-gap' AND seq BETWEEN 1 AND 8");
    });
    const report = await verify('long-gap', [key.publicKeyPem], 2);
    expect(codes(report)).toEqual(['CHAIN_SEQ_GAP@9']);
    expect(report.findings[0]?.message).toContain('1..8');
    expect(report.chains[0]?.records).toBe(3);
  });

  it('a deleted decision and its outcome: one gap, nothing else', async () => {
    await writeChain(sql, signer, 'gap-2', 2);
    await asMaliciousDba(sql, async () => {
      await sql.query("DELETE FROM audit_records WHERE chain = 'gap-2' AND seq IN (1, 2)");
    });
    const report = await verify('gap-2');
    expect(codes(report)).toEqual(['CHAIN_SEQ_GAP@3']);
    expect(report.findings[0]?.message).toContain('1..2');
  });

  it('two records swapped: CHAIN_REORDERED, and nothing else (the decision/outcome pair still pairs up)', async () => {
    await writeChain(sql, signer, 'swap', 3);
    await asMaliciousDba(sql, async () => {
      await sql.query("UPDATE audit_records SET seq = 1000 WHERE chain = 'swap' AND seq = 3");
      await sql.query("UPDATE audit_records SET seq = 3 WHERE chain = 'swap' AND seq = 4");
      await sql.query("UPDATE audit_records SET seq = 4 WHERE chain = 'swap' AND seq = 1000");
    });
    expect(codes(await verify('swap'))).toEqual(['CHAIN_REORDERED@3']);
  });

  it('a truncated tail: CHAIN_HEAD_MISMATCH', async () => {
    await writeChain(sql, signer, 'tail', 2);
    await asMaliciousDba(sql, async () => {
      await sql.query("DELETE FROM audit_records WHERE chain = 'tail' AND seq >= 3");
    });
    expect(codes(await verify('tail'))).toEqual(['CHAIN_HEAD_MISMATCH@4']);
  });

  it('an index column rewritten: RECORD_INDEX_MISMATCH', async () => {
    await writeChain(sql, signer, 'index', 1);
    await asMaliciousDba(sql, async () => {
      await sql.query(
        "UPDATE audit_records SET request_id = 'someone-else', ts = ts + interval '1 hour' WHERE chain = 'index' AND seq = 1",
      );
    });
    const report = await verify('index');
    expect(codes(report)).toEqual(['RECORD_INDEX_MISMATCH@1']);
    expect(report.findings[0]?.message).toMatch(/request_id, ts$/);
  });

  it('records signed by a key that is not trusted: RECORD_KEY_UNTRUSTED, once per key', async () => {
    await writeChain(sql, signer, 'untrusted', 2);
    const report = await verify('untrusted', [intruder.publicKeyPem]);
    expect(codes(report)).toEqual(['RECORD_KEY_UNTRUSTED@0']);
    expect(report.findings[0]?.message).toContain('5 record(s)');
    expect(report.findings[0]?.message).toContain(key.kid);
  });

  it('a record forged with another key and inserted at the head: RECORD_KEY_UNTRUSTED and CHAIN_HEAD_MISMATCH', async () => {
    const ledger = await writeChain(sql, signer, 'forged', 1);
    const last = await ledger.append('decision', 'real', {
      decision: { allow: false, reasons: [], obligations: null },
    });
    const forged = await sealRecord(
      {
        v: 1,
        type: 'decision',
        chain: 'forged',
        seq: last.seq + 1,
        ts: '2026-01-01T01:00:00.000Z',
        prev: last.hash,
        request_id: 'fake',
        decision: { allow: false, reasons: [], obligations: null },
      },
      loadSigner(intruder.privateKeyPem),
    );
    await sql.query(
      "INSERT INTO audit_records (chain, seq, ts, type, request_id, prev, hash, kid, record) VALUES ('forged', $1, $2, 'decision', 'fake', $3, $4, $5, $6)",
      [forged.record.seq, forged.record.ts, Buffer.from(last.hash, 'hex'), forged.hash, intruder.kid, forged.bytes],
    );
    // Without the head moving, verify stops at the committed head; an attacker who moves it too is caught by the key.
    expect(codes(await verify('forged'))).toEqual([]);
    await asMaliciousDba(sql, async () => {
      await sql.query("UPDATE audit_chains SET head_seq = $1, head_hash = $2 WHERE chain = 'forged'", [
        forged.record.seq,
        forged.hash,
      ]);
    });
    expect(codes(await verify('forged'))).toEqual([`RECORD_KEY_UNTRUSTED@${forged.record.seq}`]);
  });

  it('a duplicated record (constraints dropped): RECORD_DUPLICATE', async () => {
    const own = await freshDb();
    try {
      await writeChain(own, signer, 'dup', 1);
      const bytes = await storedBytes(own, 'dup', 1);
      await dropUniqueness(own);
      await own.query("INSERT INTO audit_records SELECT * FROM audit_records WHERE chain = 'dup' AND seq = 1");
      const report = await verifyLedger({ sql: own, trustedKeys: [key.publicKeyPem], chains: ['dup'], pageSize: 2 });
      expect(codes(report)).toEqual(['RECORD_DUPLICATE@1']);
      expect(bytes.length).toBeGreaterThan(0);
    } finally {
      await own.close();
    }
  });
});

describe('decisions and outcomes', () => {
  it('an allowed decision without outcome is a warning: incomplete, not tampering', async () => {
    const ledger = await writeChain(sql, signer, 'open-decision', 1);
    await ledger.append('decision', 'crashed', { decision: { allow: true, reasons: [], obligations: null } });
    const report = await verify('open-decision');
    expect(report.ok).toBe(true);
    expect(report.findings).toEqual([
      expect.objectContaining({ code: 'DECISION_WITHOUT_OUTCOME', severity: 'warning', seq: 3 }),
    ]);
  });

  it('a denial needs no outcome, but may have one', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'denied', clock: steppingClock() });
    const deny = await ledger.append('decision', 'd1', {
      decision: { allow: false, reasons: [{ code: 'X' }], obligations: null },
    });
    await ledger.append('decision', 'd2', { decision: { allow: false, reasons: [], obligations: null } });
    await ledger.append('outcome', 'd1', { decision_hash: deny.hash, status: 403 });
    expect(codes(await verify('denied'))).toEqual([]);
  });

  it('an outcome whose decision_hash names nothing, a non-decision, or a later record is an error', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'orphan', clock: steppingClock() });
    await ledger.append('outcome', 'o1', { decision_hash: 'ab'.repeat(32), status: 200 });
    const outcome = await ledger.append('outcome', 'o2', {});
    await ledger.append('outcome', 'o3', { decision_hash: outcome.hash });
    expect(codes(await verify('orphan'))).toEqual([
      'OUTCOME_WITHOUT_DECISION@1',
      'OUTCOME_WITHOUT_DECISION@2',
      'OUTCOME_WITHOUT_DECISION@3',
    ]);
  });
});

describe('inconclusive', () => {
  it('without a trusted key nothing is proven (but broken hashes are still errors)', async () => {
    await writeChain(sql, signer, 'no-key', 1);
    const report = await verify('no-key', []);
    expect(report).toMatchObject({ ok: false, inconclusive: true });
    expect(codes(report)).toEqual(['VERIFY_NO_TRUSTED_KEY@-']);
    await rewriteBytes(sql, 'no-key', 1, (t) => t.replace('"sub":"alice"', '"sub":"bob"'));
    expect(codes(await verify('no-key', []))).toEqual(['RECORD_HASH_MISMATCH@1', 'VERIFY_NO_TRUSTED_KEY@-']);
  });

  it('a chain without records is inconclusive', async () => {
    const report = await verify('never-written');
    expect(report).toMatchObject({ ok: false, inconclusive: true });
    expect(codes(report)).toEqual(['VERIFY_NO_RECORDS@-']);
  });

  it('a database without chains is inconclusive', async () => {
    const own = await freshDb();
    try {
      const report = await verifyLedger({ sql: own, trustedKeys: [key.publicKeyPem] });
      expect(report).toMatchObject({ ok: false, inconclusive: true, chains: [] });
    } finally {
      await own.close();
    }
  });

  it('an unreadable trusted key is ERR_KEY_INVALID', async () => {
    await expect(verifyLedger({ sql, trustedKeys: ['nope'] })).rejects.toMatchObject({ code: 'ERR_KEY_INVALID' });
  });
});
