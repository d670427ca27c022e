// One record's bad data never fails another's; outcomes are never dropped; an unacknowledged commit is resolved by
// reading the head, never written twice; a decision gives up at its deadline. PGlite, wrapped to refuse, lose or hold
// statements the way PostgreSQL and a network can; gates, not sleeps, order the steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toSafeInteger } from '../../../src/db/index.ts';
import type { Sql } from '../../../src/db/index.ts';
import type { LedgerError } from '../../../src/ledger/errors.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import type { AppendedRecord } from '../../../src/ledger/ledger.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import { freshDb, steppingClock } from './fixture.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const allow = { decision: { allow: true, reasons: [], obligations: null } };
const deny = { decision: { allow: false, reasons: [], obligations: null } };
/** A decision's body and the query columns that agree with it (verify checks them against the signed bytes). */
const as = (sub: string, verdict: 'allow' | 'deny') =>
  [
    { principal: { sub }, ...(verdict === 'allow' ? allow : deny) },
    { subject: sub, decision: verdict },
  ] as const;
let sql: Sql;

beforeAll(async () => {
  sql = await freshDb();
});
afterAll(async () => {
  await sql.close();
});

const isAppend = (text: string) => text.includes('audit_append_batch(');

/** A PostgreSQL refusal as pg reports it: an Error with a SQLSTATE. */
function refusal(code: string): Error {
  return Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code });
}

/** Wraps sql: `onAppend` sees each batch statement's subjects and may throw, or run the statement and then throw. */
function wrapped(
  onAppend: (subjects: readonly (string | null)[], run: () => Promise<unknown>) => Promise<unknown>,
): Sql {
  const wrapQuery =
    (inner: Sql) =>
    <R>(text: string, params?: readonly unknown[]) =>
      isAppend(text)
        ? (onAppend(params?.[6] as (string | null)[], () => inner.query(text, params)) as Promise<{ rows: R[] }>)
        : inner.query<R>(text, params);
  return {
    query: wrapQuery(sql),
    transaction: (fn) => sql.transaction((tx) => fn({ ...tx, query: wrapQuery(tx) })),
    tryLease: (name) => sql.tryLease(name),
    close: () => sql.close(),
  };
}

async function stored(chain: string): Promise<{ seq: number; type: string; request_id: string | null }[]> {
  const { rows } = await sql.query<{ seq: unknown; type: string; request_id: string | null }>(
    'SELECT seq, type, request_id FROM audit_records WHERE chain = $1 ORDER BY seq',
    [chain],
  );
  return rows.map((r) => ({ ...r, seq: toSafeInteger(r.seq) }));
}

const codeOf = (r: PromiseSettledResult<unknown>) => (r.status === 'rejected' ? (r.reason as LedgerError).code : 'ok');

async function clean(chain: string): Promise<void> {
  const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: [chain] });
  expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
}

describe('a record PostgreSQL would refuse', () => {
  it.each([
    ['a NUL in the subject column', 'eve\u0000', true],
    ['a lone surrogate in the subject column', 'eve\ud800', true],
    ['an over-long subject', 'e'.repeat(5000), true],
    ['a NUL in a body string', 'eve\u0000', false],
  ])('%s fails that record alone, before it reaches a batch', async (name, sub, column) => {
    const chain = `poison-pre-${name.split(' ').length}-${sub.length}-${String(column)}`;
    const ledger = await openLedger({ sql, signer, chain, clock: steppingClock(), batch: { maxWaitMs: 20 } });
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => {
        const [body, index] = as(i === 7 ? sub : `u${i}`, 'deny');
        return ledger.append('decision', `r${i}`, body, i === 7 && !column ? {} : index);
      }),
    );
    expect(results.map(codeOf)).toEqual(results.map((_, i) => (i === 7 ? 'ERR_RECORD_INVALID' : 'ok')));
    expect((await stored(chain)).length).toBe(20);
    await clean(chain);
    await ledger.close();
  });

  it('a backslash before "u0000" in a body string is not a NUL', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'poison-escaped', clock: steppingClock() });
    await expect(ledger.append('decision', 'r', { ...deny, note: 'C:\\u0000' })).resolves.toMatchObject({ seq: 1 });
    await ledger.close();
  });

  it('a batch the database refuses for one record is split until that record alone fails; the rest commit', async () => {
    let statements = 0;
    const db = wrapped(async (subjects, run) => {
      statements++;
      if (subjects.includes('poison')) throw refusal('22021');
      return run();
    });
    const ledger = await openLedger({
      sql: db,
      signer,
      chain: 'poison-split',
      clock: steppingClock(),
      batch: { maxWaitMs: 20 },
    });
    const decisions = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        ledger.append('decision', `r${i}`, ...as(i === 13 ? 'poison' : `u${i}`, 'allow')),
      ),
    );
    expect(decisions.map(codeOf)).toEqual(decisions.map((_, i) => (i === 13 ? 'ERR_RECORD_INVALID' : 'ok')));
    const reason = (decisions[13] as PromiseRejectedResult).reason as LedgerError;
    expect((reason.cause as { code?: string }).code).toBe('22021');
    expect(statements).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(20)));
    // Every committed decision gets its outcome, also when outcomes share a batch with another poison.
    const granted = decisions.flatMap((r, i) => (r.status === 'fulfilled' ? [[i, r.value] as const] : []));
    const outcomes = await Promise.allSettled([
      ...granted.map(([i, d]) =>
        ledger.append('outcome', `r${i}`, { decision_hash: d.hash, status: 200 }, as(`u${i}`, 'allow')[1]),
      ),
      ledger.append('decision', 'again', ...as('poison', 'deny')),
    ]);
    expect(outcomes.map(codeOf)).toEqual([...granted.map(() => 'ok'), 'ERR_RECORD_INVALID']);
    const rows = await stored('poison-split');
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i)); // no gap
    expect(rows.filter((r) => r.type === 'outcome').length).toBe(19);
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['poison-split'] })).findings).toEqual(
      [],
    );
    await ledger.close();
  });
});

describe('outcomes are held until committed', () => {
  it('an outcome whose batch fails is retried; past its wait it reports ERR_AUDIT_PENDING and is still written once', async () => {
    let down = false;
    let failed!: () => void;
    const firstFailure = new Promise<void>((resolve) => (failed = resolve));
    const db = wrapped(async (_subjects, run) => {
      if (down) {
        failed();
        throw new Error('connection terminated');
      }
      return run();
    });
    const committed: AppendedRecord[] = [];
    let outcomeCommitted!: () => void;
    const outcomeIn = new Promise<void>((resolve) => (outcomeCommitted = resolve));
    const ledger = await openLedger({
      sql: db,
      signer,
      chain: 'held-1',
      clock: steppingClock(),
      timing: { outcomeWaitMs: 0, retryFirstMs: 1, retryMaxMs: 2 },
      onCommit: (records) => {
        committed.push(...records);
        if (records.some((r) => r.record.type === 'outcome')) outcomeCommitted();
      },
    });
    const d = await ledger.append('decision', 'r1', ...as('alice', 'allow'));
    down = true;
    const outcome = ledger.append('outcome', 'r1', { decision_hash: d.hash, status: 200 }, as('alice', 'allow')[1]);
    expect(
      await outcome.then(
        () => 'ok',
        (e: LedgerError) => e.code,
      ),
    ).toBe('ERR_AUDIT_PENDING');
    await firstFailure;
    expect(codeOf((await Promise.allSettled([ledger.append('decision', 'r2', deny)]))[0]!)).toBe(
      'ERR_AUDIT_UNAVAILABLE',
    );
    down = false;
    await outcomeIn;
    const rows = await stored('held-1');
    expect(rows.filter((r) => r.type === 'outcome').map((r) => r.request_id)).toEqual(['r1']);
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['held-1'] })).findings).toEqual([]);
    await ledger.close();
  });

  it('while too many outcomes await a retry, new decisions are refused (bounded memory)', async () => {
    let down = false;
    const db = wrapped(async (_s, run) => {
      if (down) throw new Error('connection terminated');
      return run();
    });
    const ledger = await openLedger({
      sql: db,
      signer,
      chain: 'held-2',
      clock: steppingClock(),
      timing: { outcomeWaitMs: 0, retryFirstMs: 1, retryMaxMs: 2, maxRetryingOutcomes: 1, closeWaitMs: 0 },
    });
    const d = await ledger.append('decision', 'r1', allow);
    down = true;
    await ledger.append('outcome', 'r1', { decision_hash: d.hash, status: 200 }).catch(() => undefined);
    // The first attempt has failed once the outcome counts as retrying: decisions are then refused without a batch.
    let code = '';
    for (let i = 0; i < 1000 && code !== 'ERR_AUDIT_UNAVAILABLE-refused'; i++) {
      const err = (await ledger.append('decision', `probe${i}`, deny).catch((e: unknown) => e)) as LedgerError;
      code = `${err.code}-${err.cause === undefined ? 'refused' : 'failed'}`;
    }
    expect(code).toBe('ERR_AUDIT_UNAVAILABLE-refused');
    await ledger.close();
  });
});

describe('an unacknowledged commit', () => {
  it('is found committed by the next write: adopted, never written twice; an allowed decision gets a "not forwarded" outcome', async () => {
    let loseAck = false;
    const db = wrapped(async (_s, run) => {
      const result = await run();
      if (loseAck) {
        loseAck = false;
        throw new Error('Query read timeout'); // committed, but the answer never came
      }
      return result;
    });
    const abandoned: AppendedRecord[] = [];
    const ledger = await openLedger({
      sql: db,
      signer,
      chain: 'ack-1',
      clock: steppingClock(),
      batch: { maxWaitMs: 20 },
      timing: { outcomeWaitMs: 0, retryFirstMs: 1, retryMaxMs: 2 },
      onAbandoned: (r) => abandoned.push(r),
    });
    const d = await ledger.append('decision', 'r0', allow);
    loseAck = true;
    const lost = await Promise.allSettled([
      ledger.append('decision', 'r1', allow),
      ledger.append('outcome', 'r0', { decision_hash: d.hash, status: 200 }),
    ]);
    expect(lost.map(codeOf)).toEqual(['ERR_AUDIT_UNAVAILABLE', 'ERR_AUDIT_PENDING']);
    const next = await ledger.append('decision', 'r2', deny);
    expect(next.seq).toBe(4); // after the adopted batch (seqs 2 and 3)
    expect(abandoned.map((r) => r.record.request_id)).toEqual(['r1']);
    await ledger.close();
    // The held outcome (r0) was resolved as committed, not written again; r1's decision, committed while its client
    // was told 503, has the outcome saying nothing was forwarded.
    const rows = await stored('ack-1');
    expect(rows.map((r) => `${r.type}:${r.request_id}`)).toEqual([
      'chain_opened:null',
      'decision:r0',
      'decision:r1',
      'outcome:r0',
      'decision:r2',
      'outcome:r1',
    ]);
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['ack-1'] })).findings).toEqual([]);
  });

  it('that did not commit leaves no trace: the next write continues the committed head', async () => {
    let drop = false;
    const db = wrapped(async (_s, run) => {
      if (drop) {
        drop = false;
        throw new Error('connection terminated'); // sent, never run
      }
      return run();
    });
    const ledger = await openLedger({ sql: db, signer, chain: 'ack-2', clock: steppingClock() });
    await ledger.append('decision', 'r0', deny);
    drop = true;
    expect(codeOf((await Promise.allSettled([ledger.append('decision', 'r1', deny)]))[0]!)).toBe(
      'ERR_AUDIT_UNAVAILABLE',
    );
    expect((await ledger.append('decision', 'r2', deny)).seq).toBe(2);
    await clean('ack-2');
    await ledger.close();
  });
});

describe('a decision has a deadline', () => {
  it('rejects at appendTimeoutMs while its batch is held; a queued one is never written, a sent one is reported', async () => {
    let hold: Promise<void> | null = null;
    let release!: () => void;
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const db = wrapped(async (_s, run) => {
      if (hold) {
        entered();
        await hold;
      }
      return run();
    });
    const abandoned: AppendedRecord[] = [];
    const ledger = await openLedger({
      sql: db,
      signer,
      chain: 'deadline-1',
      clock: steppingClock(),
      timing: { appendTimeoutMs: 50 },
      onAbandoned: (r) => abandoned.push(r),
    });
    hold = new Promise<void>((resolve) => (release = resolve));
    const sent = ledger.append('decision', 'sent', deny);
    await inside;
    const queued = ledger.append('decision', 'queued', deny);
    const results = await Promise.allSettled([sent, queued]);
    expect(results.map(codeOf)).toEqual(['ERR_AUDIT_UNAVAILABLE', 'ERR_AUDIT_UNAVAILABLE']);
    // Both settled while the statement is still held (release() runs after): bounded by the deadline, not by it.
    hold = null;
    release();
    expect((await ledger.append('decision', 'after', deny)).seq).toBe(2);
    expect(abandoned.map((r) => r.record.request_id)).toEqual(['sent']);
    expect((await stored('deadline-1')).map((r) => r.request_id)).toEqual([null, 'sent', 'after']);
    await ledger.close();
  });
});
