// `npm run bench -- --side-by-side` (or BENCH=side-by-side): Proctor beside a bare passthrough and Portkey's gateway,
// in one run on one machine (issue #17). This process (the closed-loop load generator) and the mock upstream run on
// one core; the targets on the other, Proctor with its PostgreSQL 15 (fsync on), so Proctor's figures are Proctor plus
// its database. All targets are up at once and take turns in short slices, so a machine shared with other work
// loads each of them alike. Prints the table in markdown with the ratios and targets, and writes JSON to
// bench/results/side-by-side.json. `--profile` instead runs Proctor alone at c=64 under `node --cpu-prof` and prints
// where its CPU goes (bench/side-by-side-profile.ts). Durations and layout: the BENCH_SBS_* variables below.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedLoop, type LoadSlice, summarise } from './side-by-side-load.ts';
import { profileMarkdown, summariseProfile } from './side-by-side-profile.ts';
import {
  childrenOf,
  cpusAllowed,
  peakRssMiB,
  pgTestFsync,
  pin,
  postgresCpuSeconds,
  processCpuSeconds,
  timeFdatasync,
  type FsyncTiming,
} from './side-by-side-proc.ts';
import { type RunFigures, type Scenario, sideBySideReport, type TargetRun } from './side-by-side-report.ts';
import {
  LOAD_CPU,
  proctorLaunch,
  startBare,
  startMock,
  startPortkeyTarget,
  startProctorTarget,
  type Target,
  warmCompileCache,
} from './side-by-side-targets.ts';

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
export const settings = {
  seconds: number('BENCH_SBS_SECONDS', 8),
  /** Each scenario's measured time per target is cut into this many slices, the targets taking turns. */
  rounds: number('BENCH_SBS_ROUNDS', 4),
  warmupSeconds: number('BENCH_SBS_WARMUP_SECONDS', 2),
  sliceWarmupSeconds: number('BENCH_SBS_SLICE_WARMUP_SECONDS', 0.5),
  /** proctor_deferred: Proctor again with `ledger.outcome_commit: flush_deferred` (docs/ledger.md). */
  targets: (process.env.BENCH_SBS_TARGETS ?? 'bare,portkey,proctor,proctor_deferred').split(',') as Target['name'][],
  subjects: number('BENCH_SBS_SUBJECTS', 1000),
  delayMs: number('BENCH_SBS_DELAY_MS', 20),
  streamDelayMs: number('BENCH_SBS_STREAM_DELAY_MS', 2),
  fsyncCalls: number('BENCH_SBS_FSYNC_CALLS', 1000),
  pgTestFsyncSeconds: number('BENCH_SBS_PG_TEST_FSYNC_SECONDS', 1),
};

interface ScenarioOptions {
  target: Target | null;
  /** Where the load goes: the target, or the mock itself (the baseline). */
  url: string;
  /** The mock's process: its CPU and this one's make the load core's busy share. */
  mockPid: number;
  concurrency: number;
  stream: boolean;
  subjects: number;
}

/** One (target, scenario) pair over its slices: the raw figures and the CPU used in the measured windows. */
interface Tally {
  options: ScenarioOptions;
  slices: LoadSlice[];
  windows: [number, number][];
  cpu: number[];
}

function tally(options: ScenarioOptions): Tally {
  return { options, slices: [], windows: [], cpu: [0, 0, 0] };
}

/** One slice of a scenario: its warm-up, then its measured window, whose CPU readings are added to the tally. */
async function slice(t: Tally, warmupSeconds: number, seconds: number): Promise<void> {
  const o = t.options;
  const cpuNow = () => [
    o.target ? processCpuSeconds(o.target.pid) : 0,
    o.target?.postmaster ? postgresCpuSeconds(o.target.postmaster) : 0,
    processCpuSeconds(process.pid) + processCpuSeconds(o.mockPid),
  ];
  const window: [number, number] = [0, 0];
  let before = [0, 0, 0];
  t.slices.push(
    await closedLoop({
      url: o.url,
      concurrency: o.concurrency,
      stream: o.stream,
      warmupSeconds,
      seconds,
      headers: (i) => o.target?.headers(i, o.subjects) ?? { 'content-type': 'application/json' },
      onWindow(edge) {
        window[edge === 'start' ? 0 : 1] = Number(process.hrtime.bigint() / 1000n);
        if (edge === 'start') before = cpuNow();
        else t.cpu = cpuNow().map((v, i) => (t.cpu[i] ?? 0) + v - (before[i] ?? 0));
      },
    }),
  );
  t.windows.push(window);
}

function scenarioOf(t: Tally): Scenario {
  const result = summarise(t.slices, t.options.stream);
  const [cpu = 0, pg = 0, load = 0] = t.cpu;
  const perRequest = (seconds: number) => Math.round((seconds * 1e6) / Math.max(1, result.requests));
  return {
    windows_us: t.windows,
    concurrency: t.options.concurrency,
    subjects: t.options.subjects,
    ...result,
    target_cpu_us_per_request: perRequest(cpu),
    postgres_cpu_us_per_request: t.options.target?.postmaster ? perRequest(pg) : null,
    load_core_busy: Math.round((load / result.seconds) * 100) / 100,
  };
}

type Mock = Awaited<ReturnType<typeof startMock>>;

/** A scenario for the given targets (null: the bare mock), `settings.rounds` slices each, the targets taking turns
 * (in a rotating order) so that every one of them sees the machine as it was at the same moments. */
async function interleaved(
  mock: Mock,
  targets: (Target | null)[],
  shape: { concurrency: number; stream: boolean; subjects: number; delayMs: number },
): Promise<Scenario[]> {
  await mock.configure(shape.delayMs, settings.streamDelayMs);
  const tallies = targets.map((target) => tally({ target, url: target?.url ?? mock.url, mockPid: mock.pid, ...shape }));
  const seconds = settings.seconds / settings.rounds;
  for (let round = 0; round < settings.rounds; round++) {
    for (let k = 0; k < tallies.length; k++) {
      const t = tallies[(k + round) % tallies.length] as Tally;
      // The first slice of each warms up longer: connections, JIT, the database's caches.
      await slice(t, round === 0 ? settings.warmupSeconds : settings.sliceWarmupSeconds, seconds);
    }
  }
  return tallies.map(scenarioOf);
}

async function runAll(mock: Mock, targets: Target[]) {
  const proctor = targets.find((t) => t.name === 'proctor') ?? null;
  const plain = { stream: false, subjects: 1 };
  const c1 = await interleaved(mock, [null, ...targets], { ...plain, concurrency: 1, delayMs: 0 });
  const c64 = await interleaved(mock, targets, { ...plain, concurrency: 64, delayMs: settings.delayMs });
  const spread = proctor
    ? await interleaved(mock, [proctor], {
        stream: false,
        subjects: settings.subjects,
        concurrency: 64,
        delayMs: settings.delayMs,
      })
    : [];
  const stream = await interleaved(mock, [null, ...targets], {
    stream: true,
    subjects: 1,
    concurrency: 32,
    delayMs: 0,
  });
  const runs: Partial<Record<Target['name'], TargetRun>> = {};
  targets.forEach((target, i) => {
    runs[target.name] = {
      cpus: {
        target: cpusAllowed(target.pid),
        postgres: target.postmaster
          ? [...new Set([target.postmaster, ...childrenOf(target.postmaster)].map(cpusAllowed))]
          : null,
      },
      c1: c1[i + 1] as Scenario,
      c64: c64[i] as Scenario,
      c64_spread: target === proctor ? (spread[0] ?? null) : null,
      stream_c32: stream[i + 1] as Scenario,
      peak_rss_mib: peakRssMiB(target.pid),
    };
  });
  return { direct: { c1: c1[0] as Scenario, stream_c32: stream[0] as Scenario }, runs };
}

async function startTarget(name: Target['name'], mock: Mock, profileDir?: string): Promise<Target> {
  if (name === 'bare') return startBare(mock.url);
  if (name === 'portkey') return startPortkeyTarget(mock.url);
  if (name === 'proctor_deferred')
    return startProctorTarget(mock.url, settings.subjects, { outcomeCommit: 'flush_deferred' });
  return startProctorTarget(mock.url, settings.subjects, profileDir ? { cpuProfileDir: profileDir } : {});
}

function measureDisk(dir: string): { fdatasync: FsyncTiming; pg_test_fsync: ReturnType<typeof pgTestFsync> } {
  const bin = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';
  return {
    fdatasync: timeFdatasync(dir, settings.fsyncCalls),
    pg_test_fsync: settings.pgTestFsyncSeconds > 0 ? pgTestFsync(bin, dir, settings.pgTestFsyncSeconds) : null,
  };
}

function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

export async function runSideBySide() {
  pin(process.pid, LOAD_CPU);
  const mock = await startMock();
  const started = new Date().toISOString();
  const loadBefore = loadAverage();
  const targets: Target[] = [];
  try {
    if (settings.targets.some((name) => name.startsWith('proctor'))) warmCompileCache();
    for (const name of settings.targets) targets.push(await startTarget(name, mock));
    // The disk is timed where PostgreSQL keeps its WAL, before any load.
    const dataDir = targets.find((t) => t.dataDir)?.dataDir;
    const disk = measureDisk(dataDir ? path.dirname(dataDir) : tmpdir());
    const { direct, runs } = await runAll(mock, targets);
    const result: RunFigures & Record<string, unknown> = {
      when: started,
      load_average_before: loadBefore,
      load_average_after: loadAverage(),
      settings,
      layout: {
        load_generator_and_mock_cpu: LOAD_CPU,
        target_cpu: 1 - LOAD_CPU,
        node: process.versions.node,
        postgres: 'PostgreSQL 15, fsync on, synchronous_commit on, pinned with Proctor',
        proctor_launch: proctorLaunch,
      },
      disk,
      direct,
      targets: runs,
    };
    const report = sideBySideReport(result);
    return { ...result, ratios: report.ratios, targets_met: report.targets, markdown: report.markdown };
  } finally {
    for (const target of targets) await target.close();
    await mock.close();
  }
}

/** Proctor alone at c=64 (one hot subject) under `node --cpu-prof`; the summaries of every thread's profile. */
export async function profileProctor() {
  pin(process.pid, LOAD_CPU);
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-cpu-prof-'));
  const mock = await startMock();
  try {
    warmCompileCache();
    const target = await startTarget('proctor', mock, dir);
    let load: Scenario;
    try {
      const shape = { concurrency: 64, stream: false, subjects: 1, delayMs: settings.delayMs };
      [load] = (await interleaved(mock, [target], shape)) as [Scenario];
    } finally {
      await target.close(); // the profile is written as the process exits
    }
    // One file per thread: the event loop's has the lowest thread id (…<pid>.0.…), the workers' follow.
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.cpuprofile'))
      .sort();
    const summaries = files
      .map((f) => ({ file: path.join(dir, f), ...summariseProfile(path.join(dir, f), load.windows_us) }))
      .filter((summary) => summary.busy_ms > 0); // threads idle under this load (e.g. the signing thread)
    return { load, profiles: summaries };
  } finally {
    await mock.close();
  }
}

/** The command: `--profile` profiles Proctor; otherwise the whole side-by-side run. Prints markdown, writes JSON. */
export async function sideBySideMain(argv: string[]): Promise<void> {
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  if (argv.includes('--profile')) {
    const { load, profiles } = await profileProctor();
    writeFileSync(path.join(out, 'side-by-side-profile.json'), `${JSON.stringify({ load, profiles }, null, 2)}\n`);
    process.stdout.write(`Proctor at c=64: ${load.rps} rps, p50 ${load.p50_ms} ms, ${load.errors} errors\n`);
    for (const p of profiles) process.stdout.write(`\n${p.file}\n${profileMarkdown(p)}\n`);
    return;
  }
  const result = await runSideBySide();
  writeFileSync(path.join(out, 'side-by-side.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${result.markdown}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await sideBySideMain(process.argv);
