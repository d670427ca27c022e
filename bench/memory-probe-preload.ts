// Loaded with `--import` into Proctor's process by bench/memory-attribution.ts: every thread (the event loop's and each
// worker's) writes its isolate's heap figures to MEMORY_PROBE_DIR every 100 ms; the event loop's thread also reads
// the process's RSS (anonymous and file-backed) and, at each new peak, writes the figures of every thread at that
// moment to peak.json. Bench only: never loaded by Proctor itself.
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';
import { isMainThread, threadId } from 'node:worker_threads';

const dir = process.env.MEMORY_PROBE_DIR;
const MiB = 2 ** 20;
const mib = (n: number) => Math.round((n / MiB) * 10) / 10;

/** This thread's garbage collections so far: count and pause time (ms), young generation and full. */
const gc = { minor: 0, minor_ms: 0, major: 0, major_ms: 0 };
const MINOR = constants.NODE_PERFORMANCE_GC_MINOR;

function isolate() {
  const spaces: Record<string, { used: number; committed: number }> = {};
  for (const s of getHeapSpaceStatistics())
    spaces[s.space_name] = { used: mib(s.space_used_size), committed: mib(s.physical_space_size) };
  const h = getHeapStatistics();
  const { external, arrayBuffers, heapUsed } = process.memoryUsage();
  return {
    thread: threadId,
    at: Date.now(),
    used: mib(heapUsed),
    physical: mib(h.total_physical_size),
    malloced: mib(h.malloced_memory),
    peak_malloced: mib(h.peak_malloced_memory),
    external: mib(external),
    array_buffers: mib(arrayBuffers),
    gc,
    spaces,
  };
}

function status() {
  const text = readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), hwm: kb('VmHWM'), anon: kb('RssAnon'), file: kb('RssFile'), threads: text };
}

/** Written whole or not at all: the bench reads these files while the threads rewrite them. */
function publish(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

if (dir !== undefined) {
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const minor = (entry as { detail?: { kind?: number } }).detail?.kind === MINOR;
      gc[minor ? 'minor' : 'major'] += 1;
      gc[minor ? 'minor_ms' : 'major_ms'] += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  let peak = 0;
  const timer = setInterval(() => {
    const mine = isolate();
    publish(path.join(dir, `thread-${threadId}.json`), JSON.stringify(mine));
    if (!isMainThread) return;
    const s = status();
    if (s.rss <= peak) return;
    peak = s.rss;
    const others = readdirSync(dir)
      .filter((f) => f.startsWith('thread-') && f.endsWith('.json') && f !== `thread-${threadId}.json`)
      .map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as ReturnType<typeof isolate>)
      .filter((w) => mine.at - w.at < 1000); // a thread that has exited
    const threads = Number(/^Threads:\s+(\d+)/m.exec(s.threads)?.[1] ?? 0);
    const at = { rss: s.rss, anon: s.anon, file: s.file, os_threads: threads, main: mine, workers: others };
    publish(path.join(dir, 'peak.json'), JSON.stringify({ when: Date.now(), ...at }, null, 1));
  }, 100);
  timer.unref();
}
