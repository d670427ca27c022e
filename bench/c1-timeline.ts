// `node bench/c1-timeline.ts`: where one request's added latency goes at c=1 (issue 17). Proctor as the side-by-side
// bench launches it (bin/proctor.js serve, PostgreSQL 15 with fsync on, both pinned to one core; the mock upstream at
// 0 ms and this closed loop on the other), with bench/c1-timeline-hooks.ts preloaded: every request's marks (received,
// ledger enqueue / batch / sealed / committed, each SQL statement sent and acknowledged, upstream sent / first byte /
// done, reply sent) are split into steps, and each step's p50 / p99 printed per target. BENCH_C1_ROOTS=name=dir,...
// runs the trees given (e.g. a `git worktree` of the commit before a change beside this one), taking turns in slices,
// so a before/after pair shares the machine's moments; BENCH_C1_MODES=durable,flush_deferred (ledger.outcome_commit).
// BENCH_C1_STREAMS=32 adds, each round, streams at that concurrency (the mock at 2 ms an event): first byte added over
// the bare mock's, each stream's received → headers flushed in Proctor, and per second the event loop's utilisation,
// its delay and GC pauses (where a stream's first byte waits: in a queue, in GC, or in the pipeline).
// Writes bench/results/c1-timeline.json.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { closedLoop, type LoadSlice, percentile, summarise } from './side-by-side-load.ts';
import { postgresCpuSeconds, processCpuSeconds, timeFdatasync, type FsyncTiming } from './side-by-side-proc.ts';
import type { Written } from './c1-timeline-hooks.ts';
import { startMock, type Target } from './side-by-side-targets.ts';

const number = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const here = fileURLToPath(new URL('..', import.meta.url));
const settings = {
  seconds: number('BENCH_C1_SECONDS', 4),
  rounds: number('BENCH_C1_ROUNDS', 3),
  warmupSeconds: number('BENCH_C1_WARMUP_SECONDS', 1),
  roots: (process.env.BENCH_C1_ROOTS ?? `now=${here}`).split(',').map((pair) => pair.split('=') as [string, string]),
  modes: (process.env.BENCH_C1_MODES ?? 'durable').split(',') as ('durable' | 'flush_deferred')[],
  /** Streams at this concurrency too (the mock at 2 ms an event), each round after the c=1 slices; 0: none. */
  streams: number('BENCH_C1_STREAMS', 0),
};

interface Run {
  name: string;
  target: Target;
  marksFile: string;
  slices: LoadSlice[];
  windows: [number, number][];
  cpu: [number, number];
  streamSlices: LoadSlice[];
  streamWindows: [number, number][];
}

type StartTarget = (
  upstreamUrl: string,
  subjects: number,
  options: { outcomeCommit?: 'durable' | 'flush_deferred' },
) => Promise<Target>;

async function startRun(name: string, root: string, mode: 'durable' | 'flush_deferred', upstream: string) {
  const { startProctorTarget } = (await import(
    pathToFileURL(path.join(root, 'bench/side-by-side-targets.ts')).href
  )) as { startProctorTarget: StartTarget };
  const marksFile = path.join(mkdtempSync(path.join(tmpdir(), 'proctor-c1-')), 'marks.json');
  const saved = { ...process.env };
  process.env.NODE_OPTIONS = `--import ${fileURLToPath(new URL('./c1-timeline-hooks.ts', import.meta.url))}`;
  process.env.PROCTOR_TIMELINE_FILE = marksFile;
  try {
    const target = await startProctorTarget(upstream, 1000, { outcomeCommit: mode });
    return {
      name,
      target,
      marksFile,
      slices: [],
      windows: [],
      cpu: [0, 0],
      streamSlices: [],
      streamWindows: [],
    } as Run;
  } finally {
    process.env = saved;
  }
}

/** One slice at c=1 against `url`; for a run, its window (epoch ms) and the CPU of Proctor and its PostgreSQL. */
async function slice(url: string, headers: (i: number) => Record<string, string>, run: Run | null, streams = 0) {
  let before = [0, 0];
  const window: [number, number] = [0, 0];
  const cpuNow = () =>
    run ? [processCpuSeconds(run.target.pid), postgresCpuSeconds(run.target.postmaster as number)] : [0, 0];
  const result = await closedLoop({
    url,
    concurrency: streams || 1,
    stream: streams > 0,
    warmupSeconds: settings.warmupSeconds,
    seconds: settings.seconds,
    headers,
    onWindow(edge) {
      window[edge === 'start' ? 0 : 1] = performance.timeOrigin + performance.now();
      if (streams > 0) return;
      if (edge === 'start') before = cpuNow();
      else if (run) run.cpu = cpuNow().map((v, i) => (run.cpu[i] ?? 0) + v - (before[i] ?? 0)) as [number, number];
    },
  });
  if (run && streams > 0) {
    run.streamSlices.push(result);
    run.streamWindows.push(window);
  } else if (run) {
    run.slices.push(result);
    run.windows.push(window);
  }
  return result;
}

/** Each request's marks (from one `received` to the next), keeping those received inside a measured window. */
function requestsOf(marks: [string, number][], windows: [number, number][]): [string, number][][] {
  const requests: [string, number][][] = [];
  let current: [string, number][] | null = null;
  for (const m of marks) {
    if (m[0] === 'received') {
      current = windows.some(([a, b]) => m[1] >= a && m[1] <= b) ? [] : null;
      if (current) requests.push(current);
    }
    current?.push(m);
  }
  return requests;
}

/** The steps of the most common mark sequence: each step's p50 / p99 (ms) over the requests that follow it. */
function timeline(requests: [string, number][][]) {
  const label = (r: [string, number][]) => {
    const seen = new Map<string, number>();
    return r.map(([name]) => {
      const n = (seen.get(name) ?? 0) + 1;
      seen.set(name, n);
      return n === 1 ? name : `${name}#${n}`;
    });
  };
  const bySignature = new Map<string, [string, number][][]>();
  for (const r of requests) {
    const key = label(r).join(' ');
    bySignature.set(key, [...(bySignature.get(key) ?? []), r]);
  }
  const [signature, same] = [...bySignature.entries()].sort((a, b) => b[1].length - a[1].length)[0] ?? ['', []];
  const labels = signature.split(' ');
  const steps = labels.slice(1).map((to, i) => {
    const deltas = same.map((r) => ((r[i + 1] as [string, number])[1] - (r[i] as [string, number])[1]) * 1000);
    deltas.sort((a, b) => a - b);
    return { step: `${labels[i]} → ${to}`, p50_us: percentile(deltas, 0.5), p99_us: percentile(deltas, 0.99) };
  });
  const totals = same.map((r) => ((r.at(-1) as [string, number])[1] - (r[0] as [string, number])[1]) * 1000);
  totals.sort((a, b) => a - b);
  const total = { p50_us: percentile(totals, 0.5), p99_us: percentile(totals, 0.99) };
  return { requests: requests.length, following: same.length, steps, total };
}

/** A run's streams: client first byte over the bare mock's, and the hooks' per-stream and per-second readings inside
 * its stream windows. */
function streamsOf(written: Written, run: Run) {
  const inside = (t: number) => run.streamWindows.some(([a, b]) => t >= a && t <= b);
  const load = summarise(run.streamSlices, true);
  const bare = summarise(streamBaseline, true);
  const spans = written.streams
    .filter((s) => inside(s.received))
    .map((s) => s.headers - s.received)
    .sort((a, b) => a - b);
  const seconds = written.seconds.filter((s) => inside(s.at - 500));
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    first_byte_added_p50_ms: round((load.first_byte_p50_ms ?? 0) - (bare.first_byte_p50_ms ?? 0)),
    first_byte_added_p99_ms: round((load.first_byte_p99_ms ?? 0) - (bare.first_byte_p99_ms ?? 0)),
    streams: load.requests,
    errors: load.errors,
    received_to_headers_p50_ms: percentile(spans, 0.5),
    received_to_headers_p99_ms: percentile(spans, 0.99),
    elu_by_second: seconds.map((s) => round(s.elu)),
    delay_p99_ms_by_second: seconds.map((s) => round(s.delayP99)),
    delay_max_ms: round(Math.max(0, ...seconds.map((s) => s.delayMax))),
    gc_ms_per_second: round(seconds.reduce((sum, s) => sum + s.gcMs, 0) / Math.max(1, seconds.length)),
    gc_max_ms: round(Math.max(0, ...seconds.map((s) => s.gcMax))),
  };
}

const mock = await startMock();
await mock.configure(0, 0);
const runs: Run[] = [];
const baseline: LoadSlice[] = [];
const streamBaseline: LoadSlice[] = [];
const fsync: FsyncTiming[] = [];
try {
  for (const [name, root] of settings.roots)
    for (const mode of settings.modes)
      runs.push(await startRun(mode === 'durable' ? name : `${name}+${mode}`, root, mode, mock.url));
  const json = { 'content-type': 'application/json' };
  for (let round = 0; round < settings.rounds; round++) {
    fsync.push(timeFdatasync(runs[0]?.target.dataDir as string, 300));
    baseline.push(await slice(mock.url, () => json, null));
    const order = round % 2 === 0 ? runs : [...runs].reverse();
    for (const run of order) await slice(run.target.url, (i) => run.target.headers(i, 1), run);
    if (settings.streams > 0) {
      await mock.configure(0, 2);
      streamBaseline.push(await slice(mock.url, () => json, null, settings.streams));
      for (const run of order) await slice(run.target.url, (i) => run.target.headers(i, 1), run, settings.streams);
      await mock.configure(0, 0);
    }
  }
  for (const run of runs) process.kill(run.target.pid, 'SIGUSR2');
  const bare = summarise(baseline, false);
  const report = [];
  for (const run of runs) {
    while (!existsSync(run.marksFile)) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 200)); // written synchronously: let the write finish
    const written = JSON.parse(readFileSync(run.marksFile, 'utf8')) as Written;
    const { marks } = written;
    const load = summarise(run.slices, false);
    const perRequest = (s: number) => Math.round((s * 1e6) / Math.max(1, load.requests));
    report.push({
      name: run.name,
      requests: load.requests,
      errors: load.errors,
      added_p50_ms: Math.round((load.p50_ms - bare.p50_ms) * 100) / 100,
      added_p99_ms: Math.round((load.p99_ms - bare.p99_ms) * 100) / 100,
      // Per round, against the bare mock's slice of the same round: the spread a noisy machine leaves.
      added_p50_ms_by_round: run.slices.map((s, i) => {
        const p50 = (slices: LoadSlice[]) => summarise(slices, false).p50_ms;
        return Math.round((p50([s]) - p50([baseline[i] as LoadSlice])) * 100) / 100;
      }),
      proctor_cpu_us_per_request: perRequest(run.cpu[0]),
      postgres_cpu_us_per_request: perRequest(run.cpu[1]),
      timeline: timeline(requestsOf(marks, run.windows)),
      streams: settings.streams > 0 ? streamsOf(written, run) : null,
    });
  }
  const fsyncP = (key: 'p50_us' | 'p99_us') => fsync.map((f) => f[key]).join(' · ');
  console.log(
    `bare mock c=1 p50 / p99: ${bare.p50_ms} / ${bare.p99_ms} ms; fdatasync p50 ${fsyncP('p50_us')} µs, p99 ${fsyncP('p99_us')} µs`,
  );
  for (const r of report) {
    if (r.streams) {
      const s = r.streams;
      console.log(
        `\n## ${r.name}: streams at c=${settings.streams}: first byte added p50 / p99 ${s.first_byte_added_p50_ms} / ${s.first_byte_added_p99_ms} ms; ` +
          `in Proctor received → headers flushed p50 / p99 ${s.received_to_headers_p50_ms} / ${s.received_to_headers_p99_ms} ms; ` +
          `event loop utilisation ${s.elu_by_second.join(' · ')}; loop delay p99 by second ${s.delay_p99_ms_by_second.join(' · ')} ms (max ${s.delay_max_ms} ms); ` +
          `GC ${s.gc_ms_per_second} ms a second, longest pause ${s.gc_max_ms} ms`,
      );
    }
    console.log(`\n## ${r.name}: added p50 / p99 ${r.added_p50_ms} / ${r.added_p99_ms} ms, ${r.requests} requests`);
    console.log(`added p50 by round: ${r.added_p50_ms_by_round.join(' · ')} ms`);
    console.log(
      `CPU per request: Proctor ${r.proctor_cpu_us_per_request} µs + PostgreSQL ${r.postgres_cpu_us_per_request} µs`,
    );
    const t = r.timeline;
    console.log(
      `in Proctor (received → last mark) p50 / p99 ${t.total.p50_us} / ${t.total.p99_us} µs, ${t.following}/${t.requests} requests\n`,
    );
    console.log('| step | p50 µs | p99 µs |\n|---|---|---|');
    for (const s of t.steps) console.log(`| ${s.step} | ${s.p50_us} | ${s.p99_us} |`);
  }
  const out = fileURLToPath(new URL('./results/c1-timeline.json', import.meta.url));
  mkdirSync(path.dirname(out), { recursive: true });
  const when = new Date().toISOString();
  writeFileSync(out, `${JSON.stringify({ when, settings, bare, fsync, runs: report }, null, 2)}\n`);
} finally {
  for (const run of runs) {
    await run.target.close();
    rmSync(path.dirname(run.marksFile), { recursive: true, force: true });
  }
  await mock.close();
}
