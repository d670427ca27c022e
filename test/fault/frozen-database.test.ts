// A frozen database (the PostgreSQL 15 postmaster and every backend stopped with SIGSTOP: connections accepted by the
// kernel, nothing answered) must not hang requests: each gets a 503 within the configured statement timeout's bound,
// and nothing reaches the upstream. When the database resumes (SIGCONT) the ledger recovers by itself: requests are
// answered again, every request the upstream saw has its decision and its outcome, and `proctor verify` passes.
// The freeze is wall-clock by nature: bounds are asserted generously and the measured latencies are printed.
import { readdirSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main as cli } from '../../src/cli/main.ts';
import { connectPostgres, type Sql } from '../../src/db/index.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { generateSigningKey, loadSigner, openLedger, type LedgerError } from '../../src/ledger/index.ts';
import { verifyLedger } from '../../src/verify/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startOidcProvider, type RunningOidcProvider } from '../helpers/oidc-provider.ts';
import { startPostgres, type ThrowawayPostgres } from '../helpers/postgres.ts';
import { echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.frozen.test';
const STATEMENT_TIMEOUT_MS = 1000;
const CHAIN = 'frozen';
const key = generateSigningKey();
let postgres: ThrowawayPostgres;
let idp: RunningOidcProvider;
let echo: EchoUpstream;
let admin: Sql;
let keyFile: string;
let proctor: RunningProctor | null = null;
let frozen: number[] = [];

beforeAll(async () => {
  postgres = await startPostgres();
  admin = connectPostgres(postgres.superuserUrl, { max: 1 });
  idp = await startOidcProvider();
  echo = await startEchoUpstream();
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-frozen-'));
  keyFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(keyFile, key.publicKeyPem);
  const config = proctorConfig({
    database: {
      url: { env: 'DATABASE_URL' },
      connect_timeout_ms: STATEMENT_TIMEOUT_MS,
      statement_timeout_ms: STATEMENT_TIMEOUT_MS,
    },
    ledger: { chain: CHAIN },
    issuers: [{ issuer: idp.issuer, audience: [AUDIENCE], allow_insecure_http: true }],
    upstreams: [
      echoUpstream(echo.url, {
        credentialEnv: 'UPSTREAM_KEY',
        models: ['echo-1'],
        attributes: { zero_data_retention: true },
      }),
    ],
    env: { DATABASE_URL: postgres.url, UPSTREAM_KEY: 'sk-echo' },
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
  proctor = await startProctor(config, { log: () => {} });
}, 120_000);

afterAll(async () => {
  resume();
  await proctor?.close();
  await admin?.close();
  await echo?.close();
  await idp?.close();
  await postgres?.destroy();
});

/** The postmaster (parent of the server's own processes) and all its children, from /proc. */
async function serverProcesses(): Promise<number[]> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity');
  const parentOf = (pid: number) =>
    Number(
      readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /s, '')
        .split(' ')[1],
    );
  const postmaster = parentOf(rows[0]?.pid ?? 0);
  const children = readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => {
      try {
        return parentOf(pid) === postmaster;
      } catch {
        return false; // the process ended while we looked
      }
    });
  return [postmaster, ...children];
}

function resume(): void {
  for (const pid of frozen) process.kill(pid, 'SIGCONT');
  frozen = [];
}

async function ask(token: string): Promise<{ status: number; ms: number; code: string | null; id: string | null }> {
  const started = performance.now();
  const r = await fetch(`${proctor?.url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hello' }] }),
    signal: AbortSignal.timeout(30_000),
  });
  const body = (await r.json()) as { error?: { code?: string } };
  return {
    status: r.status,
    ms: Math.round(performance.now() - started),
    code: body.error?.code ?? null,
    id: r.headers.get('x-proctor-request-id'),
  };
}

describe('a frozen database', () => {
  it('answers 503 within the timeout, forwards nothing, and recovers when the database resumes', async () => {
    const tokens = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        idp.tokenFor({ audience: AUDIENCE, sub: `frozen-${i}`, groups: ['eng'], ttlSeconds: 600 }),
      ),
    );
    expect((await ask(tokens[0] as string)).status).toBe(200); // warm: keys fetched, pools connected

    const pids = await serverProcesses();
    const seenBefore = echo.received.length;
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    frozen = pids;
    let during: Awaited<ReturnType<typeof ask>>[];
    try {
      during = await Promise.all(tokens.map((t) => ask(t)));
      during.push(await ask(tokens[1] as string)); // one more once the first wave has failed: no slower
    } finally {
      resume();
    }
    console.log(
      `frozen database: ${pids.length} processes stopped; 503 after ${during.map((r) => r.ms).join(', ')} ms (statement timeout ${STATEMENT_TIMEOUT_MS} ms)`,
    );
    // Fail closed fast: every answer came while the database was still stopped (resume() runs only after them), so
    // Proctor's own deadline ended each wait, not the database; no wall-clock bound (a busy CI box stretches it).
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(['ERR_AUDIT_UNAVAILABLE', 'ERR_LIMITS_UNAVAILABLE']).toContain(r.code);
    }
    expect(echo.received.length).toBe(seenBefore); // nothing forwarded while frozen

    // Resumed: the ledger recovers by itself (at most a request or two meet connections the freeze broke).
    let answered = 0;
    for (let i = 0; i < 10 && answered < 3; i++)
      if ((await ask(tokens[i % tokens.length] as string)).status === 200) answered++;
    expect(answered).toBe(3);

    await proctor?.close();
    proctor = null;
    const ids = new Set(echo.received.map((r) => String(r.headers['x-proctor-request-id'])));
    const { rows } = await admin.query<{ request_id: string; type: string }>(
      'SELECT request_id, type FROM audit_records WHERE chain = $1 AND request_id = ANY($2)',
      [CHAIN, [...ids]],
    );
    for (const id of ids)
      expect(
        rows
          .filter((r) => r.request_id === id)
          .map((r) => r.type)
          .sort(),
      ).toEqual(['decision', 'outcome']);
    const out: string[] = [];
    const status = await cli(['verify', '--db', postgres.url, '--trust', keyFile], {
      stdout: (s) => void out.push(s),
      stderr: (s) => void out.push(s),
      env: {},
    });
    expect(out.join('')).not.toMatch(/"severity":\s*"error"|ERR_|DECISION_WITHOUT_OUTCOME/);
    expect([0, 3]).toContain(status);
  }, 120_000);

  it('the ledger alone: appends fail within the deadline while frozen, held outcomes and unacknowledged batches are settled after', async () => {
    const sql = connectPostgres(postgres.url, {
      max: 4,
      connectTimeoutMs: STATEMENT_TIMEOUT_MS,
      statementTimeoutMs: STATEMENT_TIMEOUT_MS,
      queryTimeoutMs: STATEMENT_TIMEOUT_MS,
    });
    const committed: string[] = [];
    let outcomeIn!: () => void;
    const outcomeCommitted = new Promise<void>((resolve) => (outcomeIn = resolve));
    const ledger = await openLedger({
      sql,
      signer: loadSigner(key.privateKeyPem),
      chain: 'frozen-ledger',
      clock: { now: () => new Date() },
      timing: {
        appendTimeoutMs: STATEMENT_TIMEOUT_MS,
        outcomeWaitMs: STATEMENT_TIMEOUT_MS,
        retryFirstMs: 20,
        retryMaxMs: 200,
      },
      onCommit: (records) => {
        for (const r of records) committed.push(`${r.record.type}:${String(r.record.request_id)}`);
        if (records.some((r) => r.record.type === 'outcome' && r.record.request_id === 'held')) outcomeIn();
      },
    });
    // The pool's sessions carry the server-side timeouts.
    const settings = await sql.query<{ statement: string; idle: string }>(
      "SELECT current_setting('statement_timeout') AS statement, current_setting('idle_in_transaction_session_timeout') AS idle",
    );
    expect(settings.rows[0]).toEqual({ statement: '1s', idle: '1min' });
    const decision = { principal: { sub: 'frozen' }, decision: { allow: true, reasons: [], obligations: null } };
    const index = { subject: 'frozen', decision: 'allow' };
    const held = await ledger.append('decision', 'held', decision, index);
    const pids = await serverProcesses();
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    frozen = pids;
    let results: { code: string; ms: number }[];
    try {
      const started = performance.now();
      const settle = (p: Promise<unknown>) =>
        p
          .then(
            () => 'ok',
            (e: LedgerError) => e.code,
          )
          .then((code) => ({ code, ms: Math.round(performance.now() - started) }));
      results = await Promise.all([
        ...Array.from({ length: 5 }, (_, i) => settle(ledger.append('decision', `frozen-${i}`, decision, index))),
        settle(ledger.append('outcome', 'held', { decision_hash: held.hash, status: 200 }, index)),
      ]);
    } finally {
      resume();
    }
    console.log(`frozen ledger: ${results.map((r) => `${r.code} after ${r.ms} ms`).join('; ')}`);
    expect(results.map((r) => r.code)).toEqual([
      ...Array.from({ length: 5 }, () => 'ERR_AUDIT_UNAVAILABLE'),
      'ERR_AUDIT_PENDING',
    ]);
    // Each append settled while the database was still stopped (resume() runs after them): bounded by the ledger's
    // deadline, not by the database. The times are logged above, not asserted (a busy CI box stretches them).
    // Resumed: the held outcome is written by its retries, and new appends commit.
    await outcomeCommitted;
    const after = await ledger.append('decision', 'after', decision, index);
    await ledger.append('outcome', 'after', { decision_hash: after.hash, status: 200 }, index);
    await ledger.close();
    expect(committed.filter((c) => c === 'outcome:held')).toEqual(['outcome:held']);
    // A decision whose batch committed after its waiter gave up has the outcome saying nothing was forwarded.
    const report = await verifyLedger({ sql: admin, trustedKeys: [key.publicKeyPem], chains: ['frozen-ledger'] });
    expect(report.findings.filter((f) => f.severity === 'error' || f.code === 'DECISION_WITHOUT_OUTCOME')).toEqual([]);
    await sql.close();
  }, 60_000);
});
