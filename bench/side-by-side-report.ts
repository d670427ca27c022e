// The side-by-side bench's report: issue #17's table in markdown, the ratios taken within the one run (so they hold on
// a noisy machine better than absolute figures), and each of the issue's targets as pass or fail. Added latency is the
// target's percentile minus the bare mock's at the same concurrency; the disk's flush is fdatasync timed by the bench.
import type { LoadResult } from './side-by-side-load.ts';
import type { FsyncTiming } from './side-by-side-proc.ts';

/** One scenario: its load figures, and the CPU the target (and its database) spent per answered request. */
export interface Scenario extends LoadResult {
  /** The measured windows (one a slice) in µs of the monotonic clock (CPU profiles share it). */
  windows_us: [number, number][];
  concurrency: number;
  subjects: number;
  target_cpu_us_per_request: number;
  postgres_cpu_us_per_request: number | null;
  /** Share of the load core the generator and the mock used (near 1: the figures are the load core's, not the
   * target's). */
  load_core_busy: number;
}

export interface TargetRun {
  /** The CPUs the target, and its PostgreSQL server's processes, were allowed to run on during the run. */
  cpus: { target: string; postgres: string[] | null };
  c1: Scenario;
  c64: Scenario;
  c64_spread: Scenario | null;
  stream_c32: Scenario;
  peak_rss_mib: number;
}

export interface RunFigures {
  load_average_before: number[];
  load_average_after: number[];
  settings: { seconds: number; rounds: number; subjects: number; delayMs: number; streamDelayMs: number };
  disk: { fdatasync: FsyncTiming; pg_test_fsync: { ops_per_s: number; mean_us: number } | null };
  direct: { c1: Scenario; stream_c32: Scenario };
  targets: Partial<Record<TargetName, TargetRun>>;
}

type TargetName = 'bare' | 'portkey' | 'proctor' | 'proctor_deferred';

const r2 = (n: number) => Math.round(n * 100) / 100;
const NAMES = {
  bare: 'bare fastify + undici passthrough',
  portkey: 'Portkey gateway 1.15.2',
  proctor: 'Proctor, one hot subject',
  proctor_deferred: 'Proctor, outcome_commit flush_deferred, one hot subject',
} as const satisfies Record<TargetName, string>;

/** Added latency of a run over the bare mock: c=1 p50/p99 and the streamed first byte at c=32 p50/p99 (ms). */
function added(run: TargetRun, direct: RunFigures['direct']) {
  return {
    c1_p50: r2(run.c1.p50_ms - direct.c1.p50_ms),
    c1_p99: r2(run.c1.p99_ms - direct.c1.p99_ms),
    stream_p50: r2((run.stream_c32.first_byte_p50_ms ?? 0) - (direct.stream_c32.first_byte_p50_ms ?? 0)),
    stream_p99: r2((run.stream_c32.first_byte_p99_ms ?? 0) - (direct.stream_c32.first_byte_p99_ms ?? 0)),
  };
}

function cpuCell(s: Scenario): string {
  return s.postgres_cpu_us_per_request === null
    ? `${s.target_cpu_us_per_request}`
    : `${s.target_cpu_us_per_request} + ${s.postgres_cpu_us_per_request} = ${s.target_cpu_us_per_request + s.postgres_cpu_us_per_request}`;
}

/** A Proctor run's ratios against the peers in the same run, and issue #17's targets as pass or FAIL. */
function againstTargets(run: RunFigures, proctor: TargetRun | undefined) {
  const { bare, portkey } = run.targets;
  const fsync = run.disk.fdatasync;
  const p = proctor ? added(proctor, run.direct) : null;
  const cpu64 = proctor ? proctor.c64.target_cpu_us_per_request + (proctor.c64.postgres_cpu_us_per_request ?? 0) : null;
  const ratios = {
    proctor_over_portkey_rps: proctor && portkey ? r2(proctor.c64.rps / portkey.c64.rps) : null,
    proctor_over_bare_rps: proctor && bare ? r2(proctor.c64.rps / bare.c64.rps) : null,
    proctor_spread_over_portkey_rps:
      proctor?.c64_spread && portkey ? r2(proctor.c64_spread.rps / portkey.c64.rps) : null,
    proctor_spread_over_bare_rps: proctor?.c64_spread && bare ? r2(proctor.c64_spread.rps / bare.c64.rps) : null,
    proctor_c1_added_p50_minus_fsync_p50_ms: p ? r2(p.c1_p50 - fsync.p50_us / 1000) : null,
    proctor_c1_added_p99_minus_fsync_p99_ms: p ? r2(p.c1_p99 - fsync.p99_us / 1000) : null,
    proctor_plus_postgres_cpu_us_per_request_c64: cpu64,
  };
  const check = (value: number | null, ok: (v: number) => boolean) =>
    value === null ? 'not measured' : ok(value) ? 'pass' : 'FAIL';
  const targets = {
    'rps at c=64 ≥ 1.5 × Portkey': check(ratios.proctor_over_portkey_rps, (v) => v >= 1.5),
    'rps at c=64 ≥ 0.8 × bare': check(ratios.proctor_over_bare_rps, (v) => v >= 0.8),
    'Proctor + PostgreSQL CPU at c=64 ≤ 400 µs/request': check(cpu64, (v) => v <= 400),
    'c=1 added p50 ≤ fsync p50 + 0.7 ms': check(ratios.proctor_c1_added_p50_minus_fsync_p50_ms, (v) => v <= 0.7),
    'c=1 added p99 ≤ fsync p99 + 1.5 ms': check(ratios.proctor_c1_added_p99_minus_fsync_p99_ms, (v) => v <= 1.5),
    'stream first byte added at c=32, p99 ≤ 10 ms': check(p?.stream_p99 ?? null, (v) => v <= 10),
    'peak RSS ≤ 250 MiB': check(proctor?.peak_rss_mib ?? null, (v) => v <= 250),
  };
  return { ratios, targets };
}

type Checked = ReturnType<typeof againstTargets>;

/** Ratio and target tables: one column a Proctor run (durable outcomes, and flush_deferred when it ran). */
function ratioTables(durable: Checked, deferred: Checked | null): string[] {
  const cell = (v: number | string | null) => (v === null ? 'not measured' : String(v));
  const table = <K extends string>(
    title: string,
    a: Record<K, number | string | null>,
    b: Record<K, number | string | null> | null,
  ) => [
    b ? `| ${title} | durable | flush_deferred |` : `| ${title} | value |`,
    b ? '|---|---|---|' : '|---|---|',
    ...(Object.keys(a) as K[]).map((k) => `| ${k} | ${cell(a[k])} |${b ? ` ${cell(b[k])} |` : ''}`),
  ];
  return [
    ...table('ratio (one run)', durable.ratios, deferred?.ratios ?? null),
    '',
    ...table('issue #17 target', durable.targets, deferred?.targets ?? null),
  ];
}

export function sideBySideReport(run: RunFigures) {
  const { proctor } = run.targets;
  const deferredRun = run.targets.proctor_deferred;
  const fsync = run.disk.fdatasync;
  const rows: string[] = [];
  for (const name of ['bare', 'portkey', 'proctor', 'proctor_deferred'] as const) {
    const t = run.targets[name];
    if (!t) continue;
    const a = added(t, run.direct);
    const errors = t.c1.errors + t.c64.errors + t.stream_c32.errors;
    rows.push(
      `| ${NAMES[name]} | ${a.c1_p50} / ${a.c1_p99} ms | ` +
        `${t.c64.rps.toLocaleString('en')}, p50 ${t.c64.p50_ms} ms | ${a.stream_p50} / ${a.stream_p99} ms | ` +
        `${t.peak_rss_mib} MiB | ${cpuCell(t.c64)} | ${t.c64.load_core_busy} | ${errors} |`,
    );
    if (t.c64_spread)
      rows.push(
        `| Proctor, ${run.settings.subjects.toLocaleString('en')} subjects | | ` +
          `${t.c64_spread.rps.toLocaleString('en')}, p50 ${t.c64_spread.p50_ms} ms | | | ${cpuCell(t.c64_spread)} | ` +
          `${t.c64_spread.load_core_busy} | ${t.c64_spread.errors} |`,
      );
  }
  const durable = againstTargets(run, proctor);
  const deferred = deferredRun ? againstTargets(run, deferredRun) : null;
  const ratios = {
    ...durable.ratios,
    ...(deferred
      ? Object.fromEntries(
          Object.entries(deferred.ratios).map(([k, v]) => [k.replace(/^proctor_/, 'proctor_deferred_'), v]),
        )
      : {}),
  };
  const targets = deferred ? { durable: durable.targets, flush_deferred: deferred.targets } : durable.targets;
  const pg = run.disk.pg_test_fsync;
  const markdown = [
    `Side by side (${run.settings.seconds} s measured per target and scenario, in ${run.settings.rounds} slices taken ` +
      'in turns; ' +
      `mock ${run.settings.delayMs} ms at c=64, 0 ms at c=1, streams ${run.settings.streamDelayMs} ms an event; ` +
      `load average ${run.load_average_before.join(' ')} before, ${run.load_average_after.join(' ')} after)`,
    '',
    'load core busy: the CPU the generator and the mock used in the windows, in cores (near 1: the load side, not ' +
      'the target, may be what limits the figures).',
    '',
    '| target | c=1 added p50 / p99 | rps at c=64 (ideal ' +
      `${Math.round((64 * 1000) / Math.max(1, run.settings.delayMs)).toLocaleString('en')}) | ` +
      'stream first byte added, c=32 p50 / p99 | RSS peak | CPU µs/request at c=64 (target + PostgreSQL) | ' +
      'load core busy at c=64 | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `Bare mock: c=1 p50 ${run.direct.c1.p50_ms} / p99 ${run.direct.c1.p99_ms} ms; stream first byte at c=32 ` +
      `p50 ${run.direct.stream_c32.first_byte_p50_ms} / p99 ${run.direct.stream_c32.first_byte_p99_ms} ms.`,
    `Disk (PostgreSQL's data directory): ${fsync.calls} × (8 KiB write + fdatasync) timed here: p50 ` +
      `${r2(fsync.p50_us / 1000)} ms, p99 ${r2(fsync.p99_us / 1000)} ms` +
      (pg ? `; pg_test_fsync fdatasync mean ${r2(pg.mean_us / 1000)} ms (${pg.ops_per_s} ops/s).` : '.'),
    proctor
      ? `Proctor CPU per request: c=1 ${proctor.c1.target_cpu_us_per_request} µs + PostgreSQL ` +
        `${proctor.c1.postgres_cpu_us_per_request} µs; c=64 ${cpuCell(proctor.c64)} µs; streamed c=32 ` +
        `${cpuCell(proctor.stream_c32)} µs.`
      : '',
    '',
    ...ratioTables(durable, deferred),
  ].join('\n');
  return { ratios, targets, markdown };
}
