// Shared by the ledger unit tests: an in-memory PGlite with migrations (one a test file: withFreshDb), a stepping
// clock, a denial's body, a writer of decision/outcome pairs, and the moves of a malicious DBA (triggers off, rewrite,
// triggers on).
import { afterAll, beforeAll } from 'vitest';
import { migrate, openPglite, toBytes } from '../../../src/db/index.ts';
import type { Sql } from '../../../src/db/index.ts';
import { openLedger } from '../../../src/ledger/ledger.ts';
import type { Clock, Ledger } from '../../../src/ledger/ledger.ts';
import type { Signer } from '../../../src/ledger/keys.ts';

export async function freshDb(): Promise<Sql> {
  const sql = await openPglite();
  await migrate(sql);
  return sql;
}

/** One fresh database for a test file: opened before its tests (handed to `use`), closed after them. */
export function withFreshDb(use: (sql: Sql) => void): void {
  let sql: Sql | undefined;
  beforeAll(async () => {
    sql = await freshDb();
    use(sql);
  });
  afterAll(async () => {
    await sql?.close();
  });
}

/** The body of a denied decision, the record most ledger tests append. */
export const DENY = { decision: { allow: false, reasons: [], obligations: null } };

/** Starts at 2026-01-01T00:00:00Z and moves one second per reading. */
export function steppingClock(start = Date.parse('2026-01-01T00:00:00.000Z')): Clock {
  let t = start;
  return { now: () => new Date((t += 1000)) };
}

/** Opens `chain` and writes `pairs` allowed decisions, each followed by its outcome: 1 + 2·pairs records. */
export async function writeChain(sql: Sql, signer: Signer, chain: string, pairs: number): Promise<Ledger> {
  const ledger = await openLedger({ sql, signer, chain, clock: steppingClock() });
  for (let i = 0; i < pairs; i++) {
    const requestId = `req-${chain}-${i}`;
    const decision = await ledger.append(
      'decision',
      requestId,
      {
        principal: {
          iss: 'https://idp.example',
          sub: 'alice',
          client_id: null,
          groups: ['eng'],
          tenant: null,
          token_fingerprint: 'f',
        },
        decision: { allow: true, reasons: [], obligations: null },
      },
      { subject: 'alice', decision: 'allow' },
    );
    await ledger.append('outcome', requestId, {
      decision_hash: decision.hash,
      status: 200,
      latency_ms: 5,
      usage: { input_tokens: 3, output_tokens: 4 },
    });
  }
  return ledger;
}

/** Runs fn with the append-only triggers disabled, as a malicious DBA (table owner) can. */
export async function asMaliciousDba(sql: Sql, fn: () => Promise<void>): Promise<void> {
  await sql.query('ALTER TABLE audit_records DISABLE TRIGGER USER; ALTER TABLE audit_chains DISABLE TRIGGER USER');
  try {
    await fn();
  } finally {
    await sql.query(`
      SELECT audit_records_arm_guards();
      ALTER TABLE audit_chains ENABLE ALWAYS TRIGGER audit_chains_forward_only;
      ALTER TABLE audit_chains ENABLE ALWAYS TRIGGER audit_chains_no_truncate`);
  }
}

export async function storedBytes(sql: Sql, chain: string, seq: number): Promise<Uint8Array> {
  const { rows } = await sql.query<{ record: unknown }>(
    'SELECT record FROM audit_records WHERE chain = $1 AND seq = $2',
    [chain, seq],
  );
  if (!rows[0]) throw new Error(`no record ${chain}/${seq}`);
  return toBytes(rows[0].record);
}

export async function rewriteBytes(
  sql: Sql,
  chain: string,
  seq: number,
  edit: (text: string) => string,
): Promise<void> {
  const text = new TextDecoder().decode(await storedBytes(sql, chain, seq));
  const edited = edit(text);
  if (edited === text) throw new Error('the edit changed nothing');
  await asMaliciousDba(sql, async () => {
    await sql.query('UPDATE audit_records SET record = $3 WHERE chain = $1 AND seq = $2', [
      chain,
      seq,
      new TextEncoder().encode(edited),
    ]);
  });
}
