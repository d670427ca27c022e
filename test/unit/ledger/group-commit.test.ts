import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { toSafeInteger } from '../../../src/db/index.ts';
import type { Sql } from '../../../src/db/index.ts';
import { LedgerError } from '../../../src/ledger/errors.ts';
import { createGroupCommitter } from '../../../src/ledger/group-commit.ts';
import { generateSigningKey, loadSigner } from '../../../src/ledger/keys.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import { LEDGER_CHANNEL, type LedgerTraceMessage } from '../../../src/ledger/trace.ts';
import { verifyLedger } from '../../../src/verify/verify.ts';
import { DENY, steppingClock, storedBytes, withFreshDb } from './fixture.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
let sql: Sql;
withFreshDb((db) => {
  sql = db;
});

interface Probe {
  sql: Sql;
  transactions: number;
  /** While set, every INSERT INTO audit_records throws. */
  failInserts: boolean;
  /** While set, each transaction waits for it before it commits. */
  gate: Promise<void> | null;
  /** Called when a transaction starts waiting for the gate. */
  onHeld: () => void;
}

/** Event-loop turns, not wall-clock time: the committer schedules a flush with setImmediate (maxWaitMs 0), so after
 * a few turns whatever could start has started. */
async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i += 1) await new Promise((r) => setImmediate(r));
}

/** The batches `commit` was called with, and a promise for the n-th: batches are awaited, never waited for. */
function batchLog() {
  const started: number[][] = [];
  const waiting: { n: number; resolve: () => void }[] = [];
  return {
    started,
    push(items: number[]): void {
      started.push(items);
      for (const w of waiting.filter((x) => started.length >= x.n)) w.resolve();
    },
    until(n: number): Promise<void> {
      return started.length >= n ? Promise.resolve() : new Promise((resolve) => waiting.push({ n, resolve }));
    },
  };
}

/** A batch written in one statement (audit_append_batch, migration 007): its own transaction. */
const isDirectAppend = (text: string) => text.includes('audit_append_batch(');

/** The real database, wrapped: counts transactions (a one-statement batch is one), can fail inserts, can hold a commit
 * back (a one-statement batch runs inside a transaction here, so its commit can be held too). */
function probe(inner: Sql): Probe {
  const p: Probe = { sql: inner, transactions: 0, failInserts: false, gate: null, onHeld: () => undefined };
  p.sql = {
    query: <R>(text: string, params?: readonly unknown[]) =>
      !isDirectAppend(text)
        ? inner.query<R>(text, params)
        : inner.transaction(async (tx) => {
            p.transactions++;
            if (p.failInserts) throw new Error('disk full');
            const result = await tx.query<R>(text, params);
            if (p.gate) {
              p.onHeld();
              await p.gate;
            }
            return result;
          }),
    tryLease: (name) => inner.tryLease(name),
    close: () => inner.close(),
    transaction: (fn) =>
      inner.transaction(async (tx) => {
        p.transactions++;
        const result = await fn({
          ...tx,
          query: async (text, params) => {
            if (p.failInserts && text.trimStart().startsWith('INSERT INTO audit_records')) throw new Error('disk full');
            return tx.query(text, params);
          },
        });
        if (p.gate) {
          p.onHeld();
          await p.gate;
        }
        return result;
      }),
  };
  return p;
}

async function storedSeqs(chain: string): Promise<number[]> {
  const { rows } = await sql.query<{ seq: unknown }>('SELECT seq FROM audit_records WHERE chain = $1 ORDER BY seq', [
    chain,
  ]);
  return rows.map((r) => toSafeInteger(r.seq));
}

describe('group commit', () => {
  it('commits concurrent appends in few transactions, in call order, as one contiguous chain', async () => {
    const p = probe(sql);
    const ledger = await openLedger({
      sql: p.sql,
      signer,
      chain: 'gc-order',
      clock: steppingClock(),
      batch: { maxRecords: 16 },
    });
    const before = p.transactions;
    const appended = await Promise.all(Array.from({ length: 100 }, (_, i) => ledger.append('decision', `r${i}`, DENY)));
    expect(appended.map((a) => a.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(appended.map((a) => a.record.request_id)).toEqual(Array.from({ length: 100 }, (_, i) => `r${i}`));
    appended.slice(1).forEach((a, i) => expect(a.record.prev).toBe(appended[i]?.hash));
    expect(p.transactions - before).toBeGreaterThanOrEqual(7); // batches of at most 16
    expect(p.transactions - before).toBeLessThanOrEqual(10);
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['gc-order'] })).findings).toEqual([]);
    await ledger.close();
  });

  it('does not resolve an append before its transaction has committed', async () => {
    const p = probe(sql);
    const ledger = await openLedger({ sql: p.sql, signer, chain: 'gc-wait', clock: steppingClock() });
    let open!: () => void;
    p.gate = new Promise<void>((resolve) => (open = resolve));
    const held = new Promise<void>((resolve) => (p.onHeld = resolve));
    let settled = false;
    const pending = ledger.append('decision', 'held', DENY).finally(() => (settled = true));
    await held; // its transaction is written and waits to commit
    await turns();
    expect(settled).toBe(false); // (PGlite has one connection, so the table cannot be read until the commit)
    open();
    expect((await pending).seq).toBe(1);
    expect(await storedSeqs('gc-wait')).toEqual([0, 1]);
    await ledger.close();
  });

  it('a failed batch rejects every waiter with ERR_AUDIT_UNAVAILABLE, stores nothing, and the tail rolls back', async () => {
    const p = probe(sql);
    const ledger = await openLedger({
      sql: p.sql,
      signer,
      chain: 'gc-fail',
      clock: steppingClock(),
      batch: { maxWaitMs: 20 },
    });
    await ledger.append('decision', 'before', DENY);
    p.failInserts = true;
    const failed = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => ledger.append('decision', `lost${i}`, DENY)),
    );
    for (const r of failed) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason as LedgerError;
      expect(reason).toBeInstanceOf(LedgerError);
      expect(reason.code).toBe('ERR_AUDIT_UNAVAILABLE');
      expect(reason.cause).toBeInstanceOf(Error);
    }
    expect(await storedSeqs('gc-fail')).toEqual([0, 1]);
    p.failInserts = false;
    const after = await Promise.all([
      ledger.append('decision', 'after0', DENY),
      ledger.append('decision', 'after1', DENY),
    ]);
    expect(after.map((a) => a.seq)).toEqual([2, 3]); // the failed batch's seqs were never used
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['gc-fail'] })).findings).toEqual([]);
    await ledger.close();
  });

  it('an invalid record is refused alone; the rest of its batch commits without a gap', async () => {
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'gc-mixed',
      clock: steppingClock(),
      batch: { maxWaitMs: 20 },
    });
    const results = await Promise.allSettled([
      ledger.append('decision', 'a', DENY),
      ledger.append('outcome', 'b', { decision_hash: 'not-a-hash' }), // passes the queue check, fails the schema
      ledger.append('decision', 'c', DENY),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(((results[1] as PromiseRejectedResult).reason as LedgerError).code).toBe('ERR_RECORD_INVALID');
    expect(results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.seq] : []))).toEqual([1, 2]);
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['gc-mixed'] })).findings).toEqual([]);
    await ledger.close();
  });

  it('a writer that finds its chain moved by someone else refuses to write (ERR_CHAIN_CONFLICT), so nothing forks', async () => {
    // A broken lease (two holders) is simulated by a Sql whose leases are always granted.
    const leaky: Sql = { ...sql, tryLease: async () => ({ held: true, release: async () => undefined }) };
    const a = await openLedger({ sql: leaky, signer, chain: 'gc-conflict', clock: steppingClock() });
    const b = await openLedger({ sql: leaky, signer, chain: 'gc-conflict', clock: steppingClock() });
    await a.append('decision', 'a1', DENY);
    const err = (await b.append('decision', 'b1', DENY).catch((e: unknown) => e)) as LedgerError;
    expect(err.code).toBe('ERR_AUDIT_UNAVAILABLE');
    expect((err.cause as LedgerError).code).toBe('ERR_CHAIN_CONFLICT');
    expect(await storedSeqs('gc-conflict')).toEqual([0, 1]);
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['gc-conflict'] })).findings).toEqual(
      [],
    );
  });

  it('publishes its steps on proctor:ledger: queued, batch, sealed, committed, or failed; type and count only', async () => {
    const p = probe(sql);
    const ledger = await openLedger({ sql: p.sql, signer, chain: 'gc-trace', clock: steppingClock() });
    const seen: string[] = [];
    const listener = (message: unknown) => {
      const m = message as LedgerTraceMessage;
      seen.push(`${m.event} ${m.type} ${m.records}${Object.keys(m).length === 3 ? '' : ' (more fields)'}`);
    };
    subscribe(LEDGER_CHANNEL, listener);
    try {
      await ledger.append('decision', 'r1', DENY);
      p.failInserts = true;
      await expect(ledger.append('decision', 'r2', DENY)).rejects.toMatchObject({ code: 'ERR_AUDIT_UNAVAILABLE' });
      p.failInserts = false;
    } finally {
      unsubscribe(LEDGER_CHANNEL, listener);
    }
    expect(seen).toEqual([
      'enqueue decision 1',
      'batch decision 1',
      'sealed decision 1',
      'committed decision 1',
      'enqueue decision 1',
      'batch decision 1',
      'sealed decision 1',
      'failed decision 1',
    ]);
    await ledger.close();
  });

  it('takes policy_activated records', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'gc-policy', clock: steppingClock() });
    const r = await ledger.append('policy_activated', null, {
      policy: { revision: 'r1', sha256: 'ab'.repeat(32) },
      source: 'bundles/default.tar.gz',
      shadow: null,
    });
    expect(r.record.type).toBe('policy_activated');
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['gc-policy'] })).findings).toEqual([]);
    await ledger.close();
  });
});

describe('pipelined batches and the signing thread', () => {
  it('a batch sealed while the one before it was writing is sealed again when that one fails: no gap, no fork', async () => {
    // Batch 1 is held just before COMMIT and then fails; batch 2 is sealed meanwhile, after batch 1's seqs.
    let gate: Promise<void> | null = null;
    let failCommits = 0;
    const holding = <T>(fn: (tx: Sql) => Promise<T>) =>
      sql.transaction(async (tx) => {
        const result = await fn(tx);
        if (gate) await gate;
        if (failCommits > 0) {
          failCommits -= 1;
          throw new Error('commit lost');
        }
        return result;
      });
    const held: Sql = {
      ...sql,
      query: <R>(text: string, params?: readonly unknown[]) =>
        isDirectAppend(text) ? holding((tx) => tx.query<R>(text, params)) : sql.query<R>(text, params),
      transaction: holding,
    };
    let sealings = 0;
    let twoSealed!: () => void;
    const bothSealed = new Promise<void>((resolve) => (twoSealed = resolve));
    const counting = {
      ...signer,
      signMany: (m: readonly Uint8Array[]) => {
        sealings += 1;
        if (sealings === 2) twoSealed();
        return signer.signMany!(m);
      },
    };
    const ledger = await openLedger({
      sql: held,
      signer: counting,
      chain: 'gc-pipe',
      clock: steppingClock(),
      batch: { maxRecords: 20 },
    });
    let open!: () => void;
    gate = new Promise<void>((resolve) => (open = resolve));
    failCommits = 1;
    const first = Array.from({ length: 20 }, (_, i) => ledger.append('decision', `a${i}`, DENY));
    const second = Array.from({ length: 20 }, (_, i) => ledger.append('decision', `b${i}`, DENY));
    await bothSealed; // batch 2 sealed while batch 1 is held
    gate = null;
    open(); // batch 1 fails; batch 2, which waited for it, is sealed again and commits

    expect((await Promise.allSettled(first)).every((r) => r.status === 'rejected')).toBe(true);
    const later = await Promise.all(second);
    expect(sealings).toBe(3); // batch 2 sealed again from the committed head
    expect(later.map((r) => r.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1)); // batch 1's seqs, reused
    expect(await storedSeqs('gc-pipe')).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['gc-pipe'] })).findings).toEqual([]);
    await ledger.close();
  });

  it('large batches are signed on the signing thread; every record is exactly its stored bytes and verifies', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'gc-thread', clock: steppingClock() });
    const appended = await Promise.all(
      Array.from({ length: 300 }, (_, i) => ledger.append('decision', `t${i}`, { ...DENY, n: i })),
    );
    await ledger.close();
    for (const a of appended) {
      expect(a.record).toEqual(JSON.parse(new TextDecoder().decode(a.bytes)));
      expect(Buffer.from(await storedBytes(sql, 'gc-thread', a.seq))).toEqual(Buffer.from(a.bytes));
    }
    expect((await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: ['gc-thread'] })).findings).toEqual([]);
  });

  it('signMany on and off the thread gives the same signatures as sign', async () => {
    const messages = Array.from({ length: 40 }, (_, i) => new TextEncoder().encode(`message ${i}`));
    const one = await Promise.all(messages.map((m) => signer.sign(m)));
    const many = await signer.signMany!(messages); // 40 >= the thread threshold
    const few = await signer.signMany!(messages.slice(0, 3));
    expect(many.map((s) => Buffer.from(s).toString('hex'))).toEqual(one.map((s) => Buffer.from(s).toString('hex')));
    expect(few.map((s) => Buffer.from(s).toString('hex'))).toEqual(
      one.slice(0, 3).map((s) => Buffer.from(s).toString('hex')),
    );
  });

  it('a body changed after append does not change the record: it was serialised and checked at append', async () => {
    const ledger = await openLedger({
      sql,
      signer,
      chain: 'gc-snapshot',
      clock: steppingClock(),
      batch: { maxWaitMs: 20 },
    });
    const body = { decision: { allow: false, reasons: [] as { code: string }[], obligations: null } };
    const pending = ledger.append('decision', 'snap', body);
    body.decision.reasons.push({ code: 'LATE' });
    const r = await pending;
    expect(r.record.decision).toEqual({ allow: false, reasons: [], obligations: null });
    expect(Buffer.from(await storedBytes(sql, 'gc-snapshot', r.seq))).toEqual(Buffer.from(r.bytes));
    await ledger.close();
  });
});

describe('createGroupCommitter', () => {
  it('flushes at maxRecords without waiting, and after maxWaitMs otherwise', async () => {
    const batches: number[][] = [];
    const c = createGroupCommitter<number, number>({ maxRecords: 3, maxWaitMs: 10_000 }, async (items) => {
      batches.push(items);
      return items.map((value) => ({ ok: true as const, value }));
    });
    expect(await Promise.all([c.enqueue(1), c.enqueue(2), c.enqueue(3)])).toEqual([1, 2, 3]);
    expect(batches).toEqual([[1, 2, 3]]);
    const quick = createGroupCommitter<number, number>({ maxRecords: 100, maxWaitMs: 5 }, async (items) => {
      batches.push(items);
      return items.map((value) => ({ ok: true as const, value }));
    });
    expect(await Promise.all([quick.enqueue(4), quick.enqueue(5)])).toEqual([4, 5]);
    expect(batches).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('after a batch of one, an append to an idle committer starts its batch before the next turn; after a larger one, the turn gathers', async () => {
    const batches: number[][] = [];
    const c = createGroupCommitter<number, number>({ maxRecords: 100, maxWaitMs: 0 }, async (items) => {
      batches.push(items);
      return items.map((value) => ({ ok: true as const, value }));
    });
    await c.enqueue(1); // the first batch waits for the turn, as before
    // The last batch held one item: the next starts in a microtask, before a turn could pass.
    let turned = false;
    setImmediate(() => (turned = true));
    const two = c.enqueue(2);
    await Promise.resolve();
    await Promise.resolve();
    expect(batches).toEqual([[1], [2]]);
    expect(turned).toBe(false);
    await two;
    // Appends made together still share a batch; after it (two items) a lone append waits for the turn again, and
    // what is appended later in that turn joins it.
    await Promise.all([c.enqueue(3), c.enqueue(4)]);
    const five = c.enqueue(5);
    await Promise.resolve();
    const six = c.enqueue(6);
    expect(await Promise.all([five, six])).toEqual([5, 6]);
    expect(batches).toEqual([[1], [2], [3, 4], [5, 6]]);
  });

  it('keeps one batch in flight; what arrives meanwhile is the next batch', async () => {
    const log = batchLog();
    const batches = log.started;
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const c = createGroupCommitter<number, number>({ maxRecords: 100, maxWaitMs: 0 }, async (items) => {
      log.push(items);
      if (batches.length === 1) await first;
      return items.map((value) => ({ ok: true as const, value }));
    });
    const a = c.enqueue(1);
    await log.until(1);
    const rest = [c.enqueue(2), c.enqueue(3), c.enqueue(4)];
    await turns();
    expect(batches).toEqual([[1]]);
    release();
    expect(await Promise.all([a, ...rest])).toEqual([1, 2, 3, 4]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
    await c.drain();
  });
  it('a few items wait for the batch in flight; enough of them start the next batch while it writes', async () => {
    const log = batchLog();
    const started = log.started;
    const gates: (() => void)[] = [];
    const c = createGroupCommitter<number, number>(
      { maxRecords: 100, maxWaitMs: 0, pipelineMin: 3 },
      async (items, sealed) => {
        log.push(items);
        sealed();
        await new Promise<void>((r) => gates.push(r));
        return items.map((value) => ({ ok: true as const, value }));
      },
    );
    const all = [c.enqueue(1)];
    await log.until(1);
    all.push(c.enqueue(2), c.enqueue(3));
    await turns();
    expect(started).toEqual([[1]]); // 2 waiting < 3: they wait
    all.push(c.enqueue(4));
    await log.until(2);
    expect(started).toEqual([[1], [2, 3, 4]]); // 3 waiting: sealed while [1] writes
    while (gates.length > 0) gates.shift()?.();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4]);
    await c.drain();
  });

  it('when more wait than a batch takes, urgent items go first, each group in its order', async () => {
    const log = batchLog();
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const c = createGroupCommitter<number, number>(
      { maxRecords: 3, maxWaitMs: 0 },
      async (items) => {
        log.push(items);
        if (log.started.length === 1) await first;
        return items.map((value) => ({ ok: true as const, value }));
      },
      (n) => n % 2 === 0, // even: urgent (a decision), odd: an outcome
    );
    const all = [c.enqueue(0)];
    await log.until(1);
    all.push(...[1, 3, 5, 2, 7, 4].map((n) => c.enqueue(n))); // six wait for three places
    await turns();
    release();
    expect(await Promise.all(all)).toEqual([0, 1, 3, 5, 2, 7, 4]);
    expect(log.started).toEqual([[0], [2, 4, 1], [3, 5, 7]]);
    const plain = createGroupCommitter<number, number>(
      { maxRecords: 3, maxWaitMs: 10_000 },
      async (items) => {
        log.push(items);
        return items.map((value) => ({ ok: true as const, value }));
      },
      (n) => n % 2 === 0,
    );
    await Promise.all([plain.enqueue(1), plain.enqueue(2), plain.enqueue(3)]); // one batch's worth: order kept
    expect(log.started.at(-1)).toEqual([1, 2, 3]);
    await c.drain();
  });

  it('with sealed() called, the next batch starts while this one writes, at most two in flight', async () => {
    const log = batchLog();
    const started = log.started;
    const gates: (() => void)[] = [];
    const c = createGroupCommitter<number, number>(
      { maxRecords: 2, maxWaitMs: 0, pipelineMin: 1 },
      async (items, sealed) => {
        log.push(items);
        sealed();
        await new Promise<void>((r) => gates.push(r));
        return items.map((value) => ({ ok: true as const, value }));
      },
    );
    const all = [1, 2, 3, 4, 5, 6].map((n) => c.enqueue(n));
    await log.until(2);
    await turns();
    expect(started).toEqual([
      [1, 2],
      [3, 4],
    ]); // the third batch waits for a slot
    gates.shift()?.();
    await log.until(3);
    expect(started).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    while (gates.length > 0) gates.shift()?.();
    expect(await Promise.all(all)).toEqual([1, 2, 3, 4, 5, 6]);
    await c.drain();
  });
});
