// Ledger append speed on the throwaway PostgreSQL 15 with synchronous_commit = on (the cluster itself runs with
// fsync off, so these figures exclude the disk's flush latency; BENCH_DURABLE=1 turns fsync and full-page writes on,
// so every commit also waits for the disk's flush, as in production): appends/s and commit wait (append call → committed) p50/p99 for 1 and
// 4 chains at 1, 16 and 64 concurrent writers, and commit wait at a paced 1,000 records/s; then request-shaped runs
// (a decision, the upstream's wait, its outcome) with the database's own counters per 1,000 records
// (bench/ledger-requests.ts). `node bench/ledger.ts --cpu` measures, without a database, the ledger's CPU per record of
// requests shaped like the side-by-side bench's (bench/request-fixture.ts): the append's check (canonical members,
// storable columns, schema) and sealing (envelope, leaf hash, Ed25519, stored bytes) in batches of 32.
// Run alone with `node bench/ledger.ts` (JSON on stdout) or as part of `npm run bench`.
import { loadavg, tmpdir } from 'node:os';
import { performance } from 'node:perf_hooks';
import { connectPostgres, migrate } from '../src/db/index.ts';
import type { Sql } from '../src/db/index.ts';
import { generateSigningKey, loadSigner, openLedger } from '../src/ledger/index.ts';
import type { JsonValue, Ledger } from '../src/ledger/index.ts';
import { sealBatch } from '../src/ledger/chain-writer.ts';
import type { PendingRecord } from '../src/ledger/chain-writer.ts';
import { checkBody } from '../src/ledger/ledger.ts';
import { PartitionMonths } from '../src/ledger/partitions.ts';
import { toJsonObject } from '../src/pipeline/records.ts';
import { cpuPerCall } from './policy.ts';
import { requestFixtures } from './request-fixture.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { postgresCpuUs, postmasterOf, requestLoad } from './ledger-requests.ts';

const SECONDS = Number(process.env.BENCH_LEDGER_SECONDS ?? 3);
const DURABLE = process.env.BENCH_DURABLE === '1';
/** Comma-separated subset of runs, e.g. "1x64,4x64,paced,req64u20,req1" (default: all). */
const ONLY = process.env.BENCH_LEDGER_ONLY ? new Set(process.env.BENCH_LEDGER_ONLY.split(',')) : null;

// CPU time per record, of this process and of the PostgreSQL server (the postmaster and its children, from /proc): on
// a shared machine wall-clock rates vary with the load, CPU per record much less.
let postmaster = 0;
const serverCpuUs = () => postgresCpuUs(postmaster);

function cpuMeter() {
  const node = process.cpuUsage();
  const main = process.threadCpuUsage();
  const server = serverCpuUs();
  return (records: number) => {
    const used = process.cpuUsage(node);
    const loop = process.threadCpuUsage(main);
    return {
      // the event loop's thread (the limit of one replica), and the whole process (signing thread included)
      event_loop_cpu_us_per_record: Math.round((loop.user + loop.system) / Math.max(1, records)),
      node_cpu_us_per_record: Math.round((used.user + used.system) / Math.max(1, records)),
      postgres_cpu_us_per_record: Math.round((serverCpuUs() - server) / Math.max(1, records)),
    };
  };
}

const body = {
  principal: {
    iss: 'https://idp.example',
    sub: 'alice@example.com',
    client_id: 'app',
    groups: ['eng', 'finance'],
    tenant: 'acme',
    token_fingerprint: 'f'.repeat(43),
  },
  request: {
    api: 'openai.chat_completions',
    model: 'gpt-4o-mini',
    stream: false,
    max_tokens: 256,
    message_count: 3,
    body_sha256: 'a'.repeat(64),
  },
  classification: { finding_count: 2, types: { email: 1, iban: 1 }, categories: { pii: 1, financial: 1 } },
  policy: { revision: 'r42', sha256: 'b'.repeat(64) },
  decision: {
    allow: false,
    stage: 'policy',
    reasons: [{ code: 'ERR_POLICY_DENIED', message: 'financial data to an external model' }],
    obligations: null,
  },
};

const clock = { now: () => new Date() };

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 100) / 100;
}

async function closedLoop(sql: Sql, chains: number, writers: number, tag: string) {
  const signer = loadSigner(generateSigningKey().privateKeyPem);
  const ledgers: Ledger[] = [];
  let batches = 0;
  for (let c = 0; c < chains; c++)
    ledgers.push(
      await openLedger({ sql, signer, chain: `bench-${tag}-${c}`, clock, onCommit: () => void (batches += 1) }),
    );
  const waits: number[] = [];
  const meter = cpuMeter();
  const end = performance.now() + SECONDS * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const ledger = ledgers[w % chains] as Ledger;
      while (performance.now() < end) {
        const t0 = performance.now();
        await ledger.append('decision', `r${n++}`, body);
        waits.push(performance.now() - t0);
      }
    }),
  );
  const cpu = meter(waits.length);
  const committed = batches;
  await Promise.all(ledgers.map((l) => l.close()));
  waits.sort((a, b) => a - b);
  return {
    chains,
    writers,
    appends_per_s: Math.round(waits.length / SECONDS),
    commit_wait_p50_ms: pct(waits, 50),
    commit_wait_p99_ms: pct(waits, 99),
    records_per_batch: Math.round((waits.length / Math.max(1, committed)) * 10) / 10,
    ...cpu,
  };
}

async function paced(sql: Sql, perSecond: number) {
  let batches = 0;
  const ledger = await openLedger({
    sql,
    signer: loadSigner(generateSigningKey().privateKeyPem),
    chain: `bench-paced-${perSecond}`,
    clock,
    onCommit: () => void (batches += 1),
  });
  const waits: number[] = [];
  const total = perSecond * SECONDS;
  const meter = cpuMeter();
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / perSecond;
    const delay = due - performance.now();
    if (delay > 1) await new Promise((r) => setTimeout(r, delay));
    const t0 = performance.now();
    pending.push(ledger.append('decision', `p${i}`, body).then(() => void waits.push(performance.now() - t0)));
  }
  await Promise.all(pending);
  const cpu = meter(total);
  const committed = batches;
  await ledger.close();
  waits.sort((a, b) => a - b);
  return {
    records_per_s: perSecond,
    commit_wait_p50_ms: pct(waits, 50),
    commit_wait_p99_ms: pct(waits, 99),
    records_per_batch: Math.round((total / Math.max(1, committed)) * 10) / 10,
    ...cpu,
  };
}

export async function benchLedger() {
  const pg = await startPostgres({ durable: DURABLE });
  // The throwaway cluster runs with synchronous_commit off; the figures are for durable commits.
  const admin = connectPostgres(pg.superuserUrl, { max: 1 });
  await admin.query('ALTER DATABASE proctor SET synchronous_commit = on');
  await admin.close();
  const sql = connectPostgres(pg.url, { max: 10 });
  const stats = connectPostgres(pg.superuserUrl, { max: 1 });
  try {
    await migrate(sql);
    const settings = await sql.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    postmaster = await postmasterOf(sql);
    const runs = [];
    for (const chains of [1, 4]) {
      for (const writers of [1, 16, 64])
        if (!ONLY || ONLY.has(`${chains}x${writers}`))
          runs.push(await closedLoop(sql, chains, writers, `${chains}x${writers}`));
    }
    // Request-shaped load with the database's counters (bench/ledger-requests.ts): a decision, the upstream's wait,
    // its outcome; req64u20: 64 clients, a 20 ms upstream (issue 17's c=64); req64: no wait; req1: one client. A
    // trailing d: ledger.outcome_commit flush_deferred (outcome-only batches commit without the WAL flush).
    const requests = [];
    for (const [name, writers, upstreamMs] of [
      ['req64u20', 64, 20],
      ['req64', 64, 0],
      ['req1', 1, 0],
      ['req64u20d', 64, 20],
      ['req1d', 1, 0],
    ] as const)
      if (!ONLY || ONLY.has(name))
        requests.push(
          await requestLoad({
            url: pg.url,
            admin: stats,
            postmaster,
            writers,
            upstreamMs,
            seconds: SECONDS,
            tag: name,
            outcomeCommit: name.endsWith('d') ? 'flush_deferred' : 'durable',
            dataDir: tmpdir(),
          }),
        );
    return {
      database: `postgresql-15 (throwaway, fsync ${DURABLE ? 'on' : 'off'})`,
      // which Ed25519 implementation signs (native addon when built; PROCTOR_ED25519_NATIVE=off forces node:crypto)
      signing_backend: loadSigner(generateSigningKey().privateKeyPem).backend,
      synchronous_commit: settings.rows[0]?.synchronous_commit ?? 'unknown',
      seconds_per_run: SECONDS,
      group_commit: { max_records: 256, max_wait_ms: 0 },
      runs,
      requests,
      paced_1000_per_s: !ONLY || ONLY.has('paced') ? await paced(sql, 1000) : null,
      load_average: loadavg().map((l) => Math.round(l * 100) / 100),
    };
  } finally {
    await stats.close();
    await sql.close();
    await pg.destroy();
  }
}

/** The ledger's CPU per record without a database: a request's decision and outcome, checked then sealed. */
export async function recordStageCpu(iterations = 20_000) {
  const { fixtures } = await requestFixtures();
  const signer = loadSigner(generateSigningKey().privateKeyPem);
  const bodies = fixtures.flatMap((f) => [
    {
      type: 'decision' as const,
      body: toJsonObject(f.decision),
      index: { subject: f.principal.sub, decision: 'allow' },
    },
    { type: 'outcome' as const, body: toJsonObject(f.outcome), index: { subject: f.principal.sub, decision: 'allow' } },
  ]);
  const at = (i: number) => bodies[i % bodies.length] as (typeof bodies)[number];
  const check = (i: number) => {
    const { type, body, index } = at(i);
    return checkBody(type, `req-${i}`, body, signer.kid, index);
  };
  const items: PendingRecord[] = Array.from({ length: 32 }, (_, i) => ({
    ...at(i),
    requestId: `req-${i}`,
    members: check(i),
  }));
  const ctx = { chain: 'bench-cpu', signer, clock, partitions: new PartitionMonths() };
  const base = { seq: 41, hash: new Uint8Array(32).fill(9) };
  const batches = Math.max(1, Math.round(iterations / items.length));
  await sealBatch(ctx, base, items); // warm-up
  const start = process.threadCpuUsage();
  for (let b = 0; b < batches; b++) await sealBatch(ctx, base, items);
  const used = process.threadCpuUsage(start);
  const per = (kind: 'decision' | 'outcome') => bodies.filter((b) => b.type === kind);
  const checkOf = (list: typeof bodies) =>
    cpuPerCall(iterations, (i) => {
      const { type, body, index } = list[i % list.length] as (typeof bodies)[number];
      return checkBody(type, 'r', body as Record<string, JsonValue>, signer.kid, index);
    });
  return {
    signing_backend: signer.backend,
    decision_check_us: checkOf(per('decision')),
    outcome_check_us: checkOf(per('outcome')),
    seal_us_per_record: Math.round(((used.user + used.system) / (batches * items.length)) * 100) / 100,
    batch_records: items.length,
  };
}

if (import.meta.main) {
  const result = process.argv.includes('--cpu') ? await recordStageCpu() : await benchLedger();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
