// ledger.outcome_commit on a real PostgreSQL 15 with fsync on: with flush_deferred, a batch of outcome records only
// commits with synchronous_commit off (set in its own statement), every other batch waits for the WAL flush; the next
// statement on that connection is back to the session's setting; and outcomes a database crash lost are stored again,
// byte for byte, by the next write. A deferred constraint trigger on the head row reports the setting in force at
// each commit and the WAL position just before its commit record; the WAL writer is slowed to 10 s, so an unflushed
// commit stays unflushed while the test looks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPostgres, migrate } from '../../src/db/index.ts';
import type { Sql } from '../../src/db/index.ts';
import { generateSigningKey, LedgerError, loadSigner, openLedger } from '../../src/ledger/index.ts';
import type { JsonValue, Ledger } from '../../src/ledger/index.ts';
import { verifyLedger } from '../../src/verify/index.ts';
import { startPostgres } from '../helpers/postgres.ts';
import type { ThrowawayPostgres } from '../helpers/postgres.ts';

const key = generateSigningKey();
const signer = loadSigner(key.privateKeyPem);
const clock = { now: () => new Date() };
let pg: ThrowawayPostgres;
let sql: Sql;
let admin: Sql;

beforeAll(async () => {
  pg = await startPostgres({ durable: true });
  admin = connectPostgres(pg.superuserUrl, { max: 1 });
  await admin.query("ALTER SYSTEM SET wal_writer_delay = '10s'");
  await admin.query('SELECT pg_reload_conf()');
  sql = connectPostgres(pg.url, { max: 1 }); // one connection: the statement after a deferred one runs on it
  await migrate(sql);
  await admin.query('CREATE TABLE commit_probe (id bigserial PRIMARY KEY, setting text NOT NULL, lsn pg_lsn NOT NULL)');
  await admin.query(`CREATE FUNCTION probe_commit() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $$
    BEGIN
      INSERT INTO commit_probe (setting, lsn)
        VALUES (current_setting('synchronous_commit'), pg_current_wal_insert_lsn());
      RETURN NULL;
    END $$`);
  await admin.query(`CREATE CONSTRAINT TRIGGER probe_commit AFTER UPDATE ON audit_chains
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION probe_commit()`);
});

afterAll(async () => {
  await sql?.close();
  await admin?.close();
  await pg?.destroy();
});

const decisionBody = { decision: { allow: true, reasons: [], obligations: null } };
function outcomeBody(decisionHash: string): Record<string, JsonValue> {
  return {
    decision_hash: decisionHash,
    status: 200,
    upstream: 'mock',
    upstream_status: 200,
    attempts: [],
    latency_ms: 1,
    usage: null,
    error: null,
    response_classification: null,
    response_action: 'none',
  };
}

/** The setting the batch's transaction committed under, and whether the WAL is flushed past its commit record. */
async function lastCommit(): Promise<{ setting: string; flushed: boolean }> {
  const { rows } = await admin.query<{ setting: string; flushed: boolean }>(
    `SELECT setting, pg_current_wal_flush_lsn() > lsn AS flushed FROM commit_probe ORDER BY id DESC LIMIT 1`,
  );
  const row = rows[0];
  if (!row) throw new Error('no commit probed');
  return row;
}

async function requests(ledger: Ledger, n: number) {
  type Seen = { setting: string; flushed: boolean }[];
  const seen: { decisions: Seen; outcomes: Seen } = { decisions: [], outcomes: [] };
  for (let i = 0; i < n; i++) {
    const decision = await ledger.append('decision', `r${i}`, decisionBody);
    seen.decisions.push(await lastCommit());
    await ledger.append('outcome', `r${i}`, outcomeBody(decision.hash));
    seen.outcomes.push(await lastCommit());
  }
  return seen;
}

describe('ledger.outcome_commit', () => {
  it('flush_deferred: an outcome-only batch commits with synchronous_commit off; a decision flushes', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'deferred', clock, outcomeCommit: 'flush_deferred' });
    try {
      const seen = await requests(ledger, 6);
      expect(seen.decisions).toEqual(Array.from({ length: 6 }, () => ({ setting: 'on', flushed: true })));
      expect(seen.outcomes.map((o) => o.setting)).toEqual(Array.from({ length: 6 }, () => 'off'));
      // The WAL writer flushes at most once per wal_writer_delay (10 s): at most one outcome was flushed by it.
      expect(seen.outcomes.filter((o) => !o.flushed).length).toBeGreaterThanOrEqual(5);
      // The setting was the statement's transaction's only: the next statement on the connection is durable again.
      const { rows } = await sql.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
      expect(rows[0]?.synchronous_commit).toBe('on');
    } finally {
      await ledger.close();
    }
  });

  it('durable (the default): every batch, outcomes included, waits for the flush', async () => {
    const ledger = await openLedger({ sql, signer, chain: 'durable', clock });
    try {
      const seen = await requests(ledger, 3);
      expect([...seen.decisions, ...seen.outcomes]).toEqual(
        Array.from({ length: 6 }, () => ({ setting: 'on', flushed: true })),
      );
    } finally {
      await ledger.close();
    }
  });

  it('outcomes a database crash lost are stored again, byte for byte, before the next record', async () => {
    const chain = 'crashed';
    const restored: number[] = [];
    const onRestored = (records: readonly { seq: number }[]) => restored.push(...records.map((r) => r.seq));
    const ledger = await openLedger({ sql, signer, chain, clock, outcomeCommit: 'flush_deferred', onRestored });
    let lost = 0;
    try {
      for (let round = 0; round < 3; round++) {
        const decision = await ledger.append('decision', `c${round}`, decisionBody);
        const outcome = await ledger.append('outcome', `c${round}`, outcomeBody(decision.hash));
        await crashPostgres();
        const head = await admin.query<{ head_seq: string }>('SELECT head_seq FROM audit_chains WHERE chain = $1', [
          chain,
        ]);
        const took = Number(head.rows[0]?.head_seq) < outcome.seq; // the crash took the unflushed outcome
        if (took) lost += 1;
        // Even rounds: the ledger's first statement meets the cut connection (unacknowledged: the next write locks the
        // head). Odd rounds: the pool has reconnected, so the one-statement write meets a head behind its base (PR004).
        if (round % 2 === 1) await sql.query('SELECT 1').catch(() => undefined);
        const next =
          round % 2 === 1
            ? await ledger.append('decision', `d${round}`, decisionBody)
            : await afterCrash(() => ledger.append('decision', `d${round}`, decisionBody));
        expect(next.seq).toBe(outcome.seq + 1);
        expect(restored.includes(outcome.seq)).toBe(took); // reported exactly when stored again
        const stored = await admin.query<{ record: Buffer }>(
          'SELECT record FROM audit_records WHERE chain = $1 AND seq = $2',
          [chain, outcome.seq],
        );
        expect(Buffer.from(stored.rows[0]?.record ?? []).equals(Buffer.from(outcome.bytes))).toBe(true);
        await ledger.append('outcome', `d${round}`, outcomeBody(next.hash));
      }
    } finally {
      await ledger.close();
    }
    const report = await verifyLedger({ sql, trustedKeys: [key.publicKeyPem], chains: [chain] });
    expect(report).toMatchObject({ ok: true, findings: [], chains: [{ records: 13 }] });
    // The WAL writer writes at most once per 10 s here: the rounds' crashes take their outcome with them.
    expect(lost).toBeGreaterThanOrEqual(2);
  });
});

/** The first statement on a pooled connection the crash cut fails (a 503 for its request); the next one reconnects. */
async function afterCrash<T>(append: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await append();
    } catch (error) {
      if (attempt === 3 || !(error instanceof LedgerError) || error.code !== 'ERR_AUDIT_UNAVAILABLE') throw error;
    }
  }
}

/** SIGKILL of one backend: the postmaster ends every session and reinitialises shared memory (WAL not yet written
 * out is gone) and replays the WAL on disk. Resolves once the crash has ended this test's own session and the server
 * accepts queries again. */
async function crashPostgres(): Promise<void> {
  const victim = connectPostgres(pg.superuserUrl, { max: 1 });
  const { rows } = await victim.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  process.kill(Number(rows[0]?.pid), 'SIGKILL');
  await victim.close().catch(() => undefined);
  const deadline = Date.now() + 30_000;
  const poll = async (until: 'down' | 'up') => {
    for (;;) {
      const up = await admin.query('SELECT 1').then(
        () => true,
        () => false,
      );
      if (up === (until === 'up')) return;
      if (Date.now() > deadline) throw new Error(`PostgreSQL not ${until} after its crash`);
      await new Promise((resolve) => setTimeout(resolve, 20)); // polling the server's state, not timing the test
    }
  };
  await poll('down');
  await poll('up');
}
