// Dense-prompt cost (docs/performance.md, "Bounded cost"): prompts packed with US SSNs (64 KiB, 1 MiB, 4 MB) sent one
// at a time through the real stack (bench/stack.ts: JWT, classification, wasm policy, signed records in PostgreSQL),
// then ten 4 MB prompts at once while /healthz is polled (from a thread of its own). For each: wall time, and in
// Proctor's own process (on PostgreSQL; in this one on PGlite) the most RSS added while it ran and the event loop's
// delay (dense-probe.ts). Run alone (`node bench/dense-prompt.ts`) or from bench/run.ts; on a shared machine, keep
// Proctor and the client off each other's core: `BENCH_PROCTOR_CPUS=0 taskset -c 1 node bench/dense-prompt.ts`.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { Agent, request } from 'undici';
import { createProbe, remoteProbe } from './dense-probe.ts';
import { startBenchStack } from './stack.ts';

const SIZES: readonly [string, number][] = [
  ['64kb', 64 * 1024],
  ['1mb', 1024 * 1024],
  ['4mb', 4_000_000],
];
const AT_ONCE = 10;

/** `bytes` of prose with a distinct valid SSN every 32 bytes or so ("ssn 123-45-6789; "), as a pasted HR export. */
export function densePrompt(bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  for (let i = 0; length < bytes; i += 1) {
    const area = String(100 + (i % 565)).padStart(3, '0');
    const group = String(10 + (i % 89)).padStart(2, '0');
    const serial = String(1000 + (i % 8999)).padStart(4, '0');
    const part = `employee ${i} ssn ${area}-${group}-${serial}; `;
    parts.push(part);
    length += part.length;
  }
  return parts.join('').slice(0, bytes);
}

const round = (n: number) => Math.round(n * 10) / 10;

export async function runDensePrompt(): Promise<Record<string, unknown>> {
  const stack = await startBenchStack(
    'dense',
    {},
    { process: true, entry: new URL('./dense-prompt-proctor.ts', import.meta.url) },
  );
  // What Proctor's process prints once it listens (--trace-gc lines, with BENCH_V8_FLAGS_SERVING) goes to stderr.
  stack.proctorChild?.stdout?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
  const tokens = await stack.tokens(50 * 20, 'dense'); // a subject of its own for each request
  const origin = new URL(stack.proctorUrl).origin;
  const dispatcher = new Agent({ connections: AT_ONCE + 2, bodyTimeout: 120_000, headersTimeout: 120_000 });
  const probe = stack.proctorChild ? remoteProbe(stack.proctorChild) : createProbe();
  let subject = 0;
  // Bodies are built before the clock starts: the client shares this event loop with Proctor.
  const bodyOf = (text: string) =>
    JSON.stringify({ model: 'echo-1', max_tokens: 16, messages: [{ role: 'user', content: text }] });
  const send = async (body: string) => {
    const t0 = performance.now();
    const res = await request(`${stack.proctorUrl}/chat/completions`, {
      method: 'POST',
      dispatcher,
      body,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[subject++ % tokens.length]}` },
    });
    const answer = (await res.body.json()) as { error?: { code?: string } };
    return {
      ms: performance.now() - t0,
      status: res.statusCode,
      code: answer.error?.code ?? null,
      bodyBytes: body.length,
    };
  };
  try {
    await send(bodyOf('warm-up: ssn 123-45-6789'));
    await send(bodyOf(densePrompt(256 * 1024))); // starts the classification threads' code paths
    // The same readings over 2 s with no request: what the machine alone costs the event loop (other processes), and
    // /healthz polled as below, so the figures with the prompts have a baseline taken in the same run.
    await probe.start();
    const idlePoller = healthPoller(origin);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleHealth = await idlePoller.stop();
    const idle = { ...(await probe.stop()), healthz: healthSummary(idleHealth), machine: machineLoad() };
    const one: Record<string, unknown> = {};
    for (const [name, bytes] of SIZES) {
      const body = bodyOf(densePrompt(bytes));
      await probe.start();
      const r = await send(body);
      one[name] = {
        prompt_bytes: bytes,
        body_bytes: r.bodyBytes,
        status: r.status,
        code: r.code,
        ms: Math.round(r.ms),
        ...(await probe.stop()),
      };
    }
    // Ten 4 MB prompts at once, /healthz polled every 10 ms meanwhile, from a thread of its own: the client's event
    // loop, busy writing 40 MB of bodies, would otherwise add its own stalls to what it measures (they are reported
    // apart, as the client's event-loop delay).
    const body = bodyOf(densePrompt(4_000_000));
    await probe.start();
    const poller = healthPoller(origin);
    const clientDelay = monitorEventLoopDelay({ resolution: 5 });
    clientDelay.enable();
    const t0 = performance.now();
    const results = await Promise.all(Array.from({ length: AT_ONCE }, () => send(body)));
    const allMs = performance.now() - t0;
    clientDelay.disable();
    const health = await poller.stop();
    const reading = await probe.stop();
    const statuses: Record<string, number> = {};
    for (const r of results)
      statuses[`${r.status}${r.code ? ` ${r.code}` : ''}`] =
        (statuses[`${r.status}${r.code ? ` ${r.code}` : ''}`] ?? 0) + 1;
    return {
      database: stack.database,
      proctor_process: stack.proctorProcess ? 'own' : 'this one (the client shares its event loop)',
      idle_2s: idle,
      one_at_a_time: one,
      ten_at_once: {
        prompt_bytes: 4_000_000,
        statuses,
        all_answered_ms: Math.round(allMs),
        slowest_ms: Math.round(Math.max(...results.map((r) => r.ms))),
        ...reading,
        healthz: healthSummary(health),
        machine: machineLoad(),
        client_event_loop_delay_max_ms: round(clientDelay.max / 1e6),
        process_alive: true,
      },
    };
  } finally {
    await probe.close();
    await dispatcher.close();
    await stack.close();
  }
}

/** How busy the machine was: its 1-minute load average and the share of the last 10 s in which some runnable task waited for a
 * CPU (Linux PSI, /proc/pressure/cpu); null where PSI is not there. A /healthz stall that Proctor's and the client's
 * event loops show at once (their delay maxima match) is the machine's, not Proctor's. */
function machineLoad(): { load_1m: number; cpu_pressure_some_avg10: number | null } {
  let pressure: number | null = null;
  try {
    const some = readFileSync('/proc/pressure/cpu', 'utf8').match(/^some avg10=([\d.]+)/m);
    pressure = some ? Number(some[1]) : null;
  } catch {
    pressure = null;
  }
  return { load_1m: round(loadavg()[0] ?? 0), cpu_pressure_some_avg10: pressure };
}

/** Poll round trips (ms) as counts and percentiles. */
function healthSummary(times: readonly number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  return {
    polls: sorted.length,
    p50_ms: round(sorted[Math.floor(sorted.length / 2)] ?? 0),
    p99_ms: round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
    max_ms: round(sorted[sorted.length - 1] ?? 0),
    over_50_ms: sorted.filter((ms) => ms > 50).length,
  };
}

/** GET /healthz every 10 ms on a thread of its own (one kept-alive connection) until `stop`, which gives each poll's
 * round trip in ms. */
function healthPoller(origin: string): { stop(): Promise<number[]> } {
  const worker = new Worker(
    `
    const { parentPort, workerData } = require('node:worker_threads');
    const http = require('node:http');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const times = [];
    let running = true;
    parentPort.once('message', () => (running = false));
    const poll = () => {
      if (!running) return parentPort.postMessage(times);
      const t0 = performance.now();
      http.get(workerData + '/healthz', { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          times.push(performance.now() - t0);
          setTimeout(poll, 10);
        });
      });
    };
    poll();
  `,
    { eval: true, workerData: origin },
  );
  return {
    stop: () =>
      new Promise((resolve) => {
        worker.once('message', (times: number[]) => void worker.terminate().then(() => resolve(times)));
        worker.postMessage('stop');
      }),
  };
}

/** The dense-prompt bench in a fresh process (with --expose-gc), as bench/run.ts calls it. */
export function benchDensePrompt(): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the dense-prompt bench exited with code ${code}: the process did not survive`));
      else resolve((JSON.parse(out) as { dense_prompt: Record<string, unknown> }).dense_prompt);
    });
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.stdout.write(`${JSON.stringify({ dense_prompt: await runDensePrompt() }, null, 2)}\n`);
}
