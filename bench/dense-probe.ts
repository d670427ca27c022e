// What the dense-prompt bench measures inside the process that runs Proctor: the most RSS added since `start` (sampled
// every 2 ms on a thread of its own, so a blocked event loop cannot hide a peak) and the event loop's delay
// (perf_hooks.monitorEventLoopDelay). Used in-process, or in Proctor's own process over IPC (dense-prompt-proctor.ts).
import { readFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

type IntervalHistogram = ReturnType<typeof monitorEventLoopDelay>;
import { Worker } from 'node:worker_threads';

export interface ProbeReading {
  rss_added_mib: number;
  rss_peak_mib: number;
  event_loop_delay_max_ms: number;
  event_loop_delay_p99_ms: number;
  /** The longest garbage-collection pause and its kind (major = mark-compact). */
  gc_max_ms: number;
  gc_max_kind: string;
  gc_major_count: number;
  /** Every collection's pause added up, by kind (ms), and the heap's size when the reading started. */
  gc_total_ms: Record<string, number>;
  heap_used_mib: number;
  /** CPU time of the event loop's thread alone (Linux: /proc/self/task/<pid>/schedstat, in ns), not wall time: what
   * Proctor costs the event loop whatever else the machine is doing; null elsewhere. */
  event_loop_thread_cpu_ms: number | null;
  /** Time the event loop's thread was ready to run but waited for a CPU (schedstat's second field): the share of its
   * delay that other threads and processes caused, not its own work; null elsewhere. */
  event_loop_thread_runqueue_ms: number | null;
}

/** The main thread's time on a CPU and waiting for one, in ms (schedstat, ns), or null where /proc is not there. */
function mainThreadSched(): { cpu: number; wait: number } | null {
  try {
    const [cpu, wait] = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ').map(Number);
    return { cpu: (cpu ?? 0) / 1e6, wait: (wait ?? 0) / 1e6 };
  } catch {
    return null;
  }
}

export interface Probe {
  start(): Promise<void>;
  stop(): Promise<ProbeReading>;
  close(): Promise<void>;
}

const MiB = 2 ** 20;
const round = (n: number) => Math.round(n * 10) / 10;

/** Why a collection ran, from its flags (external memory pressure, forced, all available garbage, idle). */
function flagNames(flags: number): string {
  const names = [
    [constants.NODE_PERFORMANCE_GC_FLAGS_ALL_EXTERNAL_MEMORY, 'external-memory'],
    [constants.NODE_PERFORMANCE_GC_FLAGS_FORCED, 'forced'],
    [constants.NODE_PERFORMANCE_GC_FLAGS_ALL_AVAILABLE_GARBAGE, 'all-garbage'],
    [constants.NODE_PERFORMANCE_GC_FLAGS_SCHEDULE_IDLE, 'idle'],
  ] as const;
  const set = names.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name);
  return set.length === 0 ? '' : ` (${set.join(', ')})`;
}

export function createProbe(): Probe {
  const worker = new Worker(
    `
    const { parentPort } = require('node:worker_threads');
    let peak = process.memoryUsage.rss();
    setInterval(() => { const r = process.memoryUsage.rss(); if (r > peak) peak = r; }, 2);
    parentPort.on('message', (m) => { if (m === 'reset') peak = process.memoryUsage.rss(); parentPort.postMessage(peak); });
  `,
    { eval: true },
  );
  worker.unref();
  const ask = (m: string) =>
    new Promise<number>((resolve) => {
      worker.once('message', resolve);
      worker.postMessage(m);
    });
  let before = 0;
  let schedBefore: { cpu: number; wait: number } | null = null;
  let delay: IntervalHistogram | null = null;
  let gc = { max: 0, kind: 'none', major: 0 };
  let gcTotal: Record<string, number> = {};
  let heapUsed = 0;
  const kinds: Record<number, string> = {
    [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
    [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
    [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
    [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
  };
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const detail = (e as { detail?: { kind?: number; flags?: number } }).detail;
      const kind = kinds[detail?.kind ?? -1] ?? 'other';
      if (kind === 'major') gc.major += 1;
      gcTotal[kind] = (gcTotal[kind] ?? 0) + e.duration;
      if (e.duration > gc.max) gc = { ...gc, max: e.duration, kind: `${kind}${flagNames(detail?.flags ?? 0)}` };
    }
  });
  return {
    async start() {
      (globalThis as { gc?: () => void }).gc?.(); // a settled heap as the baseline (node --expose-gc)
      await ask('reset');
      before = process.memoryUsage.rss();
      schedBefore = mainThreadSched();
      delay = monitorEventLoopDelay({ resolution: 5 });
      delay.enable();
      gc = { max: 0, kind: 'none', major: 0 };
      gcTotal = {};
      heapUsed = process.memoryUsage().heapUsed;
      observer.observe({ entryTypes: ['gc'] });
    },
    async stop() {
      delay?.disable();
      await new Promise((resolve) => setImmediate(resolve)); // the last gc entries are delivered
      observer.disconnect();
      const peak = await ask('peak');
      const h = delay as IntervalHistogram;
      const sched = mainThreadSched();
      return {
        rss_added_mib: round((peak - before) / MiB),
        rss_peak_mib: round(peak / MiB),
        event_loop_delay_max_ms: round(h.max / 1e6),
        event_loop_delay_p99_ms: round(h.percentile(99) / 1e6),
        gc_max_ms: round(gc.max),
        gc_max_kind: gc.kind,
        gc_major_count: gc.major,
        gc_total_ms: Object.fromEntries(Object.entries(gcTotal).map(([kind, ms]) => [kind, round(ms)])),
        heap_used_mib: round(heapUsed / MiB),
        event_loop_thread_cpu_ms: schedBefore && sched ? round(sched.cpu - schedBefore.cpu) : null,
        event_loop_thread_runqueue_ms: schedBefore && sched ? round(sched.wait - schedBefore.wait) : null,
      };
    },
    close: async () => void (await worker.terminate()),
  };
}

/** The probe of a child process that runs dense-prompt-proctor.ts, over its IPC channel. */
export function remoteProbe(child: {
  send(message: unknown): boolean;
  once(event: 'message', listener: (m: unknown) => void): unknown;
}): Probe {
  const ask = (kind: string) =>
    new Promise<unknown>((resolve) => {
      child.once('message', resolve);
      child.send({ kind });
    });
  return {
    start: async () => void (await ask('start')),
    stop: async () => (await ask('stop')) as ProbeReading,
    close: async () => {},
  };
}
