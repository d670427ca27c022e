// `node bench/ledger-one-record.ts`: what one-record batches (every record at one request at a time) cost PostgreSQL
// with audit_append_batch as migration 010 wrote it and as migration 014 does, in one throwaway cluster, the two
// taking turns (the function is replaced between turns; a warm-up lets its plans be made again). Each turn appends
// BENCH_ONE_N decisions, each followed by its outcome, one at a time; reported per record: PostgreSQL CPU (every
// server process, /proc) and wall time. fsync off unless BENCH_DURABLE=1, so the CPU is not hidden behind the disk.
// Writes bench/results/ledger-one-record.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { connectPostgres } from '../src/db/index.ts';
import { migrate } from '../src/db/migrate.ts';
import { generateSigningKey, loadSigner, openLedger } from '../src/ledger/index.ts';
import { startPostgres } from '../test/helpers/postgres.ts';
import { postgresCpuUs, postmasterOf } from './ledger-requests.ts';

const N = Number(process.env.BENCH_ONE_N ?? 1000);
const ROUNDS = Number(process.env.BENCH_ONE_ROUNDS ?? 6);
/** The CREATE FUNCTION audit_append_batch statement of a migration, as CREATE OR REPLACE. */
function appendFunction(migration: string): string {
  const text = readFileSync(new URL(`../migrations/${migration}`, import.meta.url), 'utf8');
  const start = text.search(/CREATE (OR REPLACE )?FUNCTION audit_append_batch\(/);
  const end = text.indexOf('$$;', start) + 3;
  return text.slice(start, end).replace(/^CREATE (OR REPLACE )?FUNCTION/, 'CREATE OR REPLACE FUNCTION');
}
const variants = {
  '010': appendFunction('010_append_batch_packed.sql'),
  '014': appendFunction('014_append_batch_one_record.sql'),
};

const pg = await startPostgres({ durable: process.env.BENCH_DURABLE === '1' });
const admin = connectPostgres(pg.superuserUrl, { max: 1 });
await admin.query('ALTER DATABASE proctor SET synchronous_commit = on');
const sql = connectPostgres(pg.url, { max: 4 });
const out: Record<string, { postgres_cpu_us_per_record: number[]; wall_us_per_record: number[] }> = {};
try {
  await migrate(sql);
  const postmaster = await postmasterOf(sql);
  const signer = loadSigner(generateSigningKey().privateKeyPem);
  const ledger = await openLedger({ sql, signer, chain: 'one', clock: { now: () => new Date() } });
  const body = {
    principal: { iss: 'https://idp.example', sub: 'alice', groups: ['eng'], token_fingerprint: 'f'.repeat(43) },
    request: {
      api: 'openai.chat_completions',
      model: 'm',
      stream: false,
      message_count: 2,
      body_sha256: 'a'.repeat(64),
    },
    classification: { finding_count: 0, types: {}, categories: {} },
    policy: { revision: 'r', sha256: 'b'.repeat(64) },
    decision: { allow: true, stage: 'decide', reasons: [], obligations: null },
  };
  const index = { subject: 'alice', decision: 'allow', policyVersion: 'r' };
  let id = 0;
  const request = async () => {
    const decision = await ledger.append('decision', `r${++id}`, body, index);
    const outcome = { decision_hash: decision.hash, status: 200, upstream: 'mock', upstream_status: 200, attempts: [] };
    const rest = { latency_ms: 1, usage: null, error: null, response_classification: null, response_action: 'none' };
    await ledger.append('outcome', `r${id}`, { ...outcome, ...rest }, index);
  };
  for (let round = 0; round < ROUNDS; round++) {
    const names = Object.keys(variants) as (keyof typeof variants)[];
    for (const name of round % 2 === 0 ? names : names.reverse()) {
      await admin.query(variants[name]);
      for (let i = 0; i < 100; i++) await request();
      const cpu = postgresCpuUs(postmaster);
      const t0 = performance.now();
      for (let i = 0; i < N; i++) await request();
      const wall = ((performance.now() - t0) * 1000) / (2 * N);
      const entry = (out[name] ??= { postgres_cpu_us_per_record: [], wall_us_per_record: [] });
      entry.postgres_cpu_us_per_record.push(Math.round((postgresCpuUs(postmaster) - cpu) / (2 * N)));
      entry.wall_us_per_record.push(Math.round(wall));
    }
  }
  await ledger.close();
} finally {
  await sql.close();
  await admin.close();
  await pg.destroy();
}
const result = {
  when: new Date().toISOString(),
  fsync: process.env.BENCH_DURABLE === '1',
  n: N,
  rounds: ROUNDS,
  runs: out,
};
console.log(JSON.stringify(result, null, 2));
const file = fileURLToPath(new URL('./results/ledger-one-record.json', import.meta.url));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
