// Preloaded into a Proctor under bench/c1-timeline.ts (NODE_OPTIONS=--import): high-resolution marks of each request's
// way through the process, from node's own diagnostics channels (HTTP server, undici), the ledger's (src/ledger/
// trace.ts) and pg's queries (the pg client's query method wrapped, this benchmark only); for streams, each one's
// received → headers flushed, and per second the event loop's utilisation and delay and GC pauses. Marks stay in
// memory; on SIGUSR2 they are written as JSON to PROCTOR_TIMELINE_FILE. Main thread only; nothing at all without that variable.
import { subscribe } from 'node:diagnostics_channel';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

/** What the hooks write: the c=1 marks, each stream's received → headers flushed (epoch ms), and per second the event
 * loop's utilisation, delay (ms) and GC pauses (ms). */
export interface Written {
  marks: [string, number][];
  streams: { received: number; headers: number }[];
  seconds: {
    at: number;
    elu: number;
    delayP50: number;
    delayP99: number;
    delayMax: number;
    gcMs: number;
    gcMax: number;
  }[];
}

const file = process.env.PROCTOR_TIMELINE_FILE;
if (isMainThread && file) {
  const marks: Written['marks'] = [];
  const mark = (name: string) => marks.push([name, performance.timeOrigin + performance.now()]); // epoch ms, µs precision
  subscribe('http.server.request.start', () => mark('received'));
  subscribe('http.server.response.finish', () => mark('reply_sent'));
  subscribe('undici:client:sendHeaders', () => mark('upstream_sent'));
  subscribe('undici:request:headers', () => mark('upstream_first_byte'));
  subscribe('undici:request:trailers', () => mark('upstream_done'));
  subscribe('proctor:ledger', (m) => {
    const { event, type } = m as { event: string; type: string };
    mark(`ledger_${event}:${type}`);
  });
  type Query = (this: unknown, ...args: unknown[]) => unknown;
  const pg = createRequire(import.meta.url)('pg') as { Client: { prototype: { query: Query } } };
  const query = pg.Client.prototype.query;
  const tagOf = (config: unknown): string => {
    const text = typeof config === 'string' ? config : ((config as { text?: string } | null)?.text ?? '?');
    const fn = /audit_append_batch|[a-z_]+\(/.exec(text)?.[0];
    return (fn ?? text.split(/\s+/).slice(0, 2).join('_')).replace(/\($/, '').slice(0, 32);
  };
  pg.Client.prototype.query = function (this: unknown, ...args: unknown[]) {
    const tag = tagOf(args[0]);
    mark(`sql_sent:${tag}`);
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function')
      // the pool's query passes one (and then gets no promise back)
      args[last] = (error: unknown, ...rest: unknown[]) => {
        mark(`sql_${error ? 'error' : 'ack'}:${tag}`);
        return (callback as (...a: unknown[]) => unknown)(error, ...rest);
      };
    const result = query.apply(this, args);
    if (result instanceof Promise)
      result.then(
        () => mark(`sql_ack:${tag}`),
        () => mark(`sql_error:${tag}`),
      );
    return result;
  };
  // Streams (BENCH_C1_STREAMS): each stream's time from received to its headers flushed (the relay's first write
  // follows at once), and per second the event loop's utilisation, its delay (p50 / p99 / max) and GC pauses.
  const streams: Written['streams'] = [];
  const receivedAt = new WeakMap<object, number>();
  subscribe('http.server.request.start', (m) => {
    receivedAt.set((m as { response: object }).response, performance.now());
  });
  const http = createRequire(import.meta.url)('node:http') as {
    ServerResponse: { prototype: { flushHeaders(): void } };
  };
  const flush = http.ServerResponse.prototype.flushHeaders;
  http.ServerResponse.prototype.flushHeaders = function (this: object) {
    const at = receivedAt.get(this);
    if (at !== undefined)
      streams.push({ received: performance.timeOrigin + at, headers: performance.timeOrigin + performance.now() });
    return flush.call(this);
  };
  const seconds: Written['seconds'] = [];
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let gcMs = 0;
  let gcMax = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcMs += e.duration;
      gcMax = Math.max(gcMax, e.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  let elu = performance.eventLoopUtilization();
  setInterval(() => {
    const now = performance.eventLoopUtilization();
    seconds.push({
      at: performance.timeOrigin + performance.now(),
      elu: performance.eventLoopUtilization(now, elu).utilization,
      delayP50: delay.percentile(50) / 1e6,
      delayP99: delay.percentile(99) / 1e6,
      delayMax: delay.max / 1e6,
      gcMs,
      gcMax,
    });
    elu = now;
    delay.reset();
    gcMs = 0;
    gcMax = 0;
  }, 1000).unref();
  process.on('SIGUSR2', () => writeFileSync(file, JSON.stringify({ marks, streams, seconds })));
}
