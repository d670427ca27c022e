// The side-by-side bench's closed-loop load generator: `concurrency` callers, each sending its next request as soon as
// its last one is answered, for a warm-up (not counted) and then `seconds` measured: one slice. Slices of the same
// scenario taken at different moments are pooled (`summarise`): plain requests report throughput and latency,
// streamed ones the time to the first byte of the body (and whether the stream ended with [DONE]). Every answer is
// read to its end; any status but 200, or a stream cut short, counts as an error.
import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface LoadOptions {
  /** Base URL with /v1. */
  url: string;
  concurrency: number;
  warmupSeconds: number;
  seconds: number;
  stream: boolean;
  headers(i: number): Record<string, string>;
  /** Called when the warm-up ends and again when the measured window ends (CPU readings). */
  onWindow?(edge: 'start' | 'end'): void;
}

/** One slice's raw figures. */
export interface LoadSlice {
  seconds: number;
  /** Answers completed in the measured window (latencies: those sent in it, too). */
  completed: number;
  latencies: number[];
  firstBytes: number[];
  errors: number;
  errorKinds: Record<string, number>;
  firstError: string | null;
}

export interface LoadResult {
  /** Answers completed in the measured window (latencies: those sent in it, too). */
  requests: number;
  errors: number;
  /** Errors by status ("0" for a connection error, "200 cut" for a stream without [DONE]), and one answer's start. */
  error_kinds: Record<string, number>;
  first_error: string | null;
  seconds: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** First byte of a streamed body; null for plain requests. */
  first_byte_p50_ms: number | null;
  first_byte_p99_ms: number | null;
}

const PROMPT = 'Summarise the quarterly report for the north region in two sentences, please.';

export function percentile(sorted: number[], p: number): number {
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN) * 100) / 100;
}

export async function closedLoop(options: LoadOptions): Promise<LoadSlice> {
  const url = new URL(options.url);
  const pool = new Pool(url.origin, { connections: options.concurrency, pipelining: 1 });
  const path = `${url.pathname.replace(/\/$/, '')}/chat/completions`;
  const body = JSON.stringify({
    model: 'echo-1',
    max_tokens: 64,
    stream: options.stream,
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: PROMPT },
    ],
  });
  const latencies: number[] = [];
  const firstBytes: number[] = [];
  let errors = 0;
  const errorKinds: Record<string, number> = {};
  let firstError: string | null = null;
  let completed = 0;
  let sent = 0;
  let measuring = false;
  let stopping = false;
  const one = async () => {
    const counted = measuring;
    const t0 = performance.now();
    let first = -1;
    let tail = '';
    let head = '';
    let status = 0;
    try {
      const res = await pool.request({ method: 'POST', path, headers: options.headers(sent++), body });
      status = res.statusCode;
      for await (const chunk of res.body) {
        if (first < 0) first = performance.now() - t0;
        const text = (chunk as Buffer).toString('latin1');
        if (head.length < 300) head += text.slice(0, 300);
        if (options.stream) tail = (tail + text).slice(-32);
      }
    } catch (err) {
      status = 0; // a reset or refused connection: counted as an error below, the loop goes on
      head = String(err);
    }
    if (!measuring) return;
    completed += 1;
    if (!counted) return;
    latencies.push(performance.now() - t0);
    if (status !== 200 || (options.stream && !tail.includes('[DONE]'))) {
      errors += 1;
      const kind = status === 200 ? '200 cut' : String(status);
      errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      firstError ??= `${kind}: ${head.slice(0, 300)}`;
    } else if (options.stream) firstBytes.push(first);
  };
  const caller = async () => {
    while (!stopping) await one();
  };
  const callers = Array.from({ length: options.concurrency }, caller);
  await new Promise((resolve) => setTimeout(resolve, options.warmupSeconds * 1000));
  options.onWindow?.('start');
  measuring = true;
  const start = performance.now();
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  measuring = false;
  const seconds = (performance.now() - start) / 1000;
  options.onWindow?.('end');
  stopping = true;
  await Promise.all(callers);
  await pool.close();
  return { seconds, completed, latencies, firstBytes, errors, errorKinds, firstError };
}

/** Several slices of one scenario pooled: throughput over their summed windows, percentiles over every request. */
export function summarise(slices: LoadSlice[], stream: boolean): LoadResult {
  const latencies = slices.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const firstBytes = slices.flatMap((s) => s.firstBytes).sort((a, b) => a - b);
  const seconds = slices.reduce((sum, s) => sum + s.seconds, 0);
  const requests = slices.reduce((sum, s) => sum + s.completed, 0);
  const errorKinds: Record<string, number> = {};
  for (const s of slices) for (const [k, n] of Object.entries(s.errorKinds)) errorKinds[k] = (errorKinds[k] ?? 0) + n;
  return {
    requests,
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    error_kinds: errorKinds,
    first_error: slices.find((s) => s.firstError !== null)?.firstError ?? null,
    seconds: Math.round(seconds * 100) / 100,
    rps: Math.round(requests / seconds),
    p50_ms: percentile(latencies, 0.5),
    p99_ms: percentile(latencies, 0.99),
    first_byte_p50_ms: stream ? percentile(firstBytes, 0.5) : null,
    first_byte_p99_ms: stream ? percentile(firstBytes, 0.99) : null,
  };
}
