// Where Proctor's peak RSS goes under the side-by-side load (issue #17; docs/performance.md, "Memory at peak"): Proctor
// launched as the side-by-side bench launches it (bench/side-by-side-targets.ts), with bench/memory-probe-preload.ts in
// every thread, then c=64 plain requests and c=32 streams from this process. Prints, at the peak RSS, each isolate's
// heap by space, the file-backed RSS and the native rest, with CPU and GC pauses a request; writes
// bench/results/memory-attribution.json. BENCH_MEM_VARIANTS: `;`-separated launches taken in turns, BENCH_MEM_ROUNDS
// times (node heap flags through NODE_OPTIONS, NAME=value words as environment, '' as launched; the word
// BENCH_SBS_PROCTOR_BIN=<checkout>/bin/proctor.js launches another checkout: before/after in one run);
// BENCH_MEM_SECONDS (8).
// `--snapshot` writes a heap snapshot of the event loop's isolate after the c=64 load (SIGUSR2; it raises the peak).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedLoop, summarise } from './side-by-side-load.ts';
import { peakRssMiB, pin, processCpuSeconds } from './side-by-side-proc.ts';
import { LOAD_CPU, proctorLaunch, startMock, startProctorTarget, warmCompileCache } from './side-by-side-targets.ts';

const seconds = Number(process.env.BENCH_MEM_SECONDS ?? 8);
const snapshot = process.argv.includes('--snapshot');

interface Isolate {
  thread: number;
  physical: number;
  used: number;
  malloced: number;
  external: number;
  array_buffers: number;
  spaces: Record<string, { used: number; committed: number }>;
}
interface Peak {
  rss: number;
  anon: number;
  file: number;
  os_threads: number;
  main: Isolate;
  workers: Isolate[];
}

/** The largest groups (type and constructor/name) of a heap snapshot by their objects' own size, in MiB. */
function snapshotGroups(file: string, top = 25): { group: string; count: number; mib: number }[] {
  const snap = JSON.parse(readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [
    number,
    number,
    number,
  ];
  const types = snap.snapshot.meta.node_types[0];
  const groups = new Map<string, { count: number; bytes: number }>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] as number] as string;
    const name =
      type === 'object' || type === 'native' || type === 'code' ? snap.strings[snap.nodes[i + nameAt] as number] : '';
    const key = `${type} ${(name ?? '').slice(0, 60)}`;
    const g = groups.get(key) ?? { count: 0, bytes: 0 };
    g.count += 1;
    g.bytes += snap.nodes[i + sizeAt] as number;
    groups.set(key, g);
  }
  return [...groups]
    .sort((a, b) => b[1].bytes - a[1].bytes)
    .slice(0, top)
    .map(([group, g]) => ({ group, count: g.count, mib: Math.round((g.bytes / 2 ** 20) * 10) / 10 }));
}

function table(peak: Peak, hwm: number): string {
  const row = (name: string, i: Isolate) => {
    const s = (k: string) => i.spaces[k] ?? { used: 0, committed: 0 };
    const young = s('new_space').committed;
    const old = s('old_space');
    const code = s('code_space');
    const lo = s('large_object_space');
    return `| ${name} | ${i.used} / ${i.physical} | ${young} | ${old.used} / ${old.committed} | ${lo.used} / ${lo.committed} | ${code.committed} | ${i.malloced} | ${i.external} (${i.array_buffers}) |`;
  };
  const heaps = [peak.main, ...peak.workers].reduce((sum, i) => sum + i.physical, 0);
  const buffers = [peak.main, ...peak.workers].reduce((sum, i) => sum + i.array_buffers, 0);
  return [
    `peak RSS (VmHWM) ${hwm} MiB; at the sampled peak RSS ${peak.rss}: anon ${peak.anon}, file-backed ${peak.file}; ${peak.os_threads} OS threads`,
    `V8 heaps committed ${Math.round(heaps)} MiB, array buffers ${Math.round(buffers)}, native rest (anon − heaps − buffers) ${Math.round(peak.anon - heaps - buffers)} MiB`,
    '',
    '| isolate | heap used / committed | young committed | old used / committed | large objects | code | V8 malloced | external (array buffers) |',
    '|---|---|---|---|---|---|---|---|',
    row('event loop', peak.main),
    ...peak.workers.map((w) => row(`worker ${w.thread}`, w)),
  ].join('\n');
}

type Mock = Awaited<ReturnType<typeof startMock>>;

/** One Proctor launched with `flags` added to NODE_OPTIONS, through both loads; its figures at the peak. */
async function measure(mock: Mock, flags: string) {
  const probeDir = mkdtempSync(path.join(tmpdir(), 'proctor-memory-probe-'));
  const preload = fileURLToPath(new URL('./memory-probe-preload.ts', import.meta.url));
  const before = process.env.NODE_OPTIONS;
  // A variant's NAME=value words are Proctor's environment (e.g. glibc's MALLOC_* tunables), the rest node flags.
  const words = flags.split(' ').filter(Boolean);
  const env = words.filter((w) => /^[A-Z_]+=/.test(w)).map((w) => w.split('=') as [string, string]);
  for (const [name, value] of env) process.env[name] = value;
  const nodeFlags = words.filter((w) => !/^[A-Z_]+=/.test(w)).join(' ');
  process.env.NODE_OPTIONS = `${before ?? ''} ${nodeFlags}`.trim();
  warmCompileCache(); // a flag such as --minor-ms changes the cache's key; heap sizes do not
  const heap = snapshot ? ` --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${probeDir}` : '';
  process.env.NODE_OPTIONS = `${before ?? ''} ${nodeFlags} --import=${preload}${heap}`.trim();
  process.env.MEMORY_PROBE_DIR = probeDir;
  const target = await startProctorTarget(mock.url, 1);
  for (const [name] of env) delete process.env[name];
  if (before === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = before;
  const idle = peakRssMiB(target.pid);
  type Gc = { minor: number; minor_ms: number; major: number; major_ms: number };
  const gcNow = () => (JSON.parse(readFileSync(path.join(probeDir, 'thread-0.json'), 'utf8')) as { gc: Gc }).gc;
  const load = async (concurrency: number, stream: boolean) => {
    let cpu = 0;
    let gc = gcNow();
    const slice = await closedLoop({
      url: target.url,
      concurrency,
      stream,
      warmupSeconds: 2,
      seconds,
      headers: (i) => target.headers(i, 1),
      onWindow: (edge) => {
        cpu = processCpuSeconds(target.pid) - (edge === 'end' ? cpu : 0);
        const now = gcNow();
        if (edge === 'start') gc = now;
        else
          gc = {
            minor: now.minor - gc.minor,
            minor_ms: now.minor_ms - gc.minor_ms,
            major: now.major - gc.major,
            major_ms: now.major_ms - gc.major_ms,
          };
      },
    });
    const result = summarise([slice], stream);
    const perRequest = (v: number) => Math.round((v * 1e6) / Math.max(1, result.requests));
    // The event loop's GC pauses in the measured window (wall time, ms) and a request's share (µs).
    return {
      ...result,
      cpu_us_per_request: perRequest(cpu),
      gc,
      gc_us_per_request: perRequest((gc.minor_ms + gc.major_ms) / 1000),
    };
  };
  try {
    await mock.configure(20, 2);
    const c64 = await load(64, false);
    if (snapshot) {
      process.kill(target.pid, 'SIGUSR2');
      for (let i = 0; i < 600 && !readdirSync(probeDir).some((f) => f.endsWith('.heapsnapshot')); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 3000)); // written in full
    }
    await mock.configure(0, 2);
    const streams = await load(32, true);
    const hwm = peakRssMiB(target.pid);
    const peak = JSON.parse(readFileSync(path.join(probeDir, 'peak.json'), 'utf8')) as Peak;
    const file = readdirSync(probeDir).find((f) => f.endsWith('.heapsnapshot'));
    const groups = file ? snapshotGroups(path.join(probeDir, file)) : [];
    return { flags, idle_rss_mib: idle, peak_rss_mib: hwm, c64, streams, peak, groups };
  } finally {
    await target.close();
  }
}

async function main() {
  pin(process.pid, LOAD_CPU);
  const mock = await startMock();
  // BENCH_MEM_VARIANTS: node flags for Proctor, `;`-separated ('' = as launched), each measured BENCH_MEM_ROUNDS times
  // in turns.
  const variants = (process.env.BENCH_MEM_VARIANTS ?? '').split(';');
  const rounds = Number(process.env.BENCH_MEM_ROUNDS ?? 1);
  const runs: Awaited<ReturnType<typeof measure>>[] = [];
  try {
    for (let round = 0; round < rounds; round++)
      for (const flags of variants) {
        const run = await measure(mock, flags);
        runs.push(run);
        const { c64, streams } = run;
        const line = `[${flags}] c=64 ${c64.rps} rps, ${c64.cpu_us_per_request} µs CPU a request, GC ${c64.gc_us_per_request} µs ${JSON.stringify(c64.gc)} (${c64.errors} errors); streams ${streams.rps}/s, ${streams.cpu_us_per_request} µs, GC ${streams.gc_us_per_request} (${streams.errors} errors)`;
        process.stdout.write(
          `${line}\nRSS after start ${run.idle_rss_mib} MiB\n${table(run.peak, run.peak_rss_mib)}\n`,
        );
        for (const g of run.groups) process.stdout.write(`${g.mib} MiB  ${g.count}  ${g.group}\n`);
      }
  } finally {
    await mock.close();
  }
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  const result = { limit_mib: proctorLaunch.memoryLimitMiB, load_average: readFileSync('/proc/loadavg', 'utf8'), runs };
  writeFileSync(path.join(out, 'memory-attribution.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    '\n| flags | peak RSS MiB | c=64 rps | CPU µs a request | GC µs a request | streams/s | CPU µs a stream | GC µs a stream |\n|---|---|---|---|---|---|---|---|\n',
  );
  for (const r of runs)
    process.stdout.write(
      `| ${r.flags || '(as launched)'} | ${r.peak_rss_mib} | ${r.c64.rps} | ${r.c64.cpu_us_per_request} | ${r.c64.gc_us_per_request} | ${r.streams.rps} | ${r.streams.cpu_us_per_request} | ${r.streams.gc_us_per_request} |\n`,
    );
}

await main();
