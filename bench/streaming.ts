// Streaming through Proctor versus straight to the local upstream (streams paced at a fixed delay per event, as a
// model would): time to the first event and to the first answer text, p50/p99, at moderate concurrency; then many
// concurrent streams at once, each checked to finish with its final event, with the longest silence between two
// events any client saw. Every stage is on (JWT, classification, policy, signed records on PostgreSQL or PGlite, the
// hold-back scanner). Run alone with `node bench/streaming.ts` (JSON on stdout) or as part of `npm run bench`;
// `node bench/streaming.ts --against <tree>`: the side-by-side's streams through another checkout's Proctor and this
// one's, in turns in one run (benchStreamsAgainst).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { PER_SUBJECT, startBenchStack } from './stack.ts';

const STREAMS = Number(process.env.BENCH_STREAMS ?? 200);
// One stream at a time: the added time to first token, not queueing (the wide run below measures load).
const CONCURRENCY = Number(process.env.BENCH_STREAM_CONCURRENCY ?? 1);
const WIDE = Number(process.env.BENCH_WIDE_STREAMS ?? 512);
const DELAY_MS = Number(process.env.BENCH_STREAM_DELAY_MS ?? 2);
// ~360 characters of answer (60 events of 6): with the built-in recognizers text is released as it arrives, one word
// behind (first text minus first event is what the hold-back costs).
const PROMPT = 'Summarise the quarterly report for the north region. '.repeat(6).trim();

interface StreamTiming {
  first_event_ms: number;
  first_text_ms: number;
  total_ms: number;
  max_gap_ms: number;
  completed: boolean;
}

async function oneStream(
  url: string,
  headers: Record<string, string>,
  body: string,
  dispatcher: Agent,
): Promise<StreamTiming> {
  const t0 = performance.now();
  const res = await request(url, { method: 'POST', headers, body, dispatcher });
  let firstEvent = -1;
  let firstText = -1;
  let last = -1;
  let maxGap = 0;
  let tail = '';
  for await (const chunk of res.body) {
    const now = performance.now();
    if (firstEvent < 0) firstEvent = now - t0;
    if (last >= 0) maxGap = Math.max(maxGap, now - last);
    last = now;
    const text = (chunk as Buffer).toString('utf8');
    if (firstText < 0 && /"content":"[^"]/.test(text)) firstText = now - t0;
    tail = (tail + text).slice(-64);
  }
  if (process.env.BENCH_DEBUG && !(res.statusCode === 200 && tail.includes('[DONE]')))
    process.stderr.write(`stream not completed: ${res.statusCode} ${tail}\n`);
  return {
    first_event_ms: firstEvent,
    first_text_ms: firstText,
    total_ms: performance.now() - t0,
    max_gap_ms: maxGap,
    completed: res.statusCode === 200 && tail.includes('[DONE]'),
  };
}

async function run(
  count: number,
  concurrency: number,
  url: string,
  headers: (i: number) => Record<string, string>,
  body: string,
): Promise<StreamTiming[]> {
  const dispatcher = new Agent({ connections: concurrency });
  const out: StreamTiming[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next;
        next += 1;
        out.push(await oneStream(url, headers(i), body, dispatcher));
      }
    }),
  );
  await dispatcher.close();
  return out;
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0) * 100) / 100;
}

function summary(timings: StreamTiming[]) {
  const first = timings.map((t) => t.first_event_ms);
  const text = timings.map((t) => t.first_text_ms);
  return {
    streams: timings.length,
    completed: timings.filter((t) => t.completed).length,
    first_event_p50_ms: pct(first, 50),
    first_event_p99_ms: pct(first, 99),
    first_text_p50_ms: pct(text, 50),
    first_text_p99_ms: pct(text, 99),
    total_p50_ms: pct(
      timings.map((t) => t.total_ms),
      50,
    ),
    max_gap_ms: pct(
      timings.map((t) => t.max_gap_ms),
      100,
    ),
  };
}

/** One stream at a time, direct and through Proctor taking turns, so both see the same machine at the same moments. */
async function runPaired(
  count: number,
  direct: string,
  proctor: string,
  headers: (i: number) => Record<string, string>,
  body: string,
): Promise<[StreamTiming[], StreamTiming[]]> {
  const agents = [new Agent({ connections: 1 }), new Agent({ connections: 1 })] as const;
  const out: [StreamTiming[], StreamTiming[]] = [[], []];
  for (let i = 0; i < count; i++) {
    out[0].push(await oneStream(direct, headers(i), body, agents[0]));
    out[1].push(await oneStream(proctor, headers(i), body, agents[1]));
  }
  await Promise.all(agents.map((a) => a.close()));
  return out;
}

export async function benchStreaming() {
  // BENCH_PROCTOR_PROCESS=1: Proctor in a process of its own (its own pools from a PostgreSQL config, as deployed);
  // default: in this process, beside the client and the upstream (on two cores, three busy processes contend more).
  const stack = await startBenchStack(
    'bench-stream',
    { stream: () => ({ delayMs: DELAY_MS }) },
    { process: process.env.BENCH_PROCTOR_PROCESS === '1' },
  );
  const subjects = await stack.tokens(STREAMS + WIDE, 'stream');
  const body = JSON.stringify({
    model: 'echo-1',
    max_tokens: 256,
    stream: true,
    messages: [{ role: 'user', content: PROMPT }],
  });
  const headers = (offset: number) => (i: number) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${subjects[Math.floor((offset + i) / PER_SUBJECT)]}`,
  });
  try {
    const [directRuns, throughRuns] =
      CONCURRENCY === 1 && process.env.BENCH_PAIRED !== '0'
        ? await runPaired(
            STREAMS,
            `${stack.upstreamUrl}/chat/completions`,
            `${stack.proctorUrl}/chat/completions`,
            headers(0),
            body,
          )
        : [
            await run(STREAMS, CONCURRENCY, `${stack.upstreamUrl}/chat/completions`, headers(0), body),
            await run(STREAMS, CONCURRENCY, `${stack.proctorUrl}/chat/completions`, headers(0), body),
          ];
    const direct = summary(directRuns);
    const through = summary(throughRuns);
    const wide = summary(await run(WIDE, WIDE, `${stack.proctorUrl}/chat/completions`, headers(STREAMS), body));
    return {
      database: stack.database,
      fsync: stack.fsync,
      proctor_process: stack.proctorProcess,
      paired: CONCURRENCY === 1 && process.env.BENCH_PAIRED !== '0',
      event_delay_ms: DELAY_MS,
      answer_chars: `echo: ${PROMPT}`.length,
      concurrency: CONCURRENCY,
      direct,
      proctor: through,
      added_first_event_p50_ms: Math.round((through.first_event_p50_ms - direct.first_event_p50_ms) * 100) / 100,
      added_first_event_p99_ms: Math.round((through.first_event_p99_ms - direct.first_event_p99_ms) * 100) / 100,
      added_first_text_p50_ms: Math.round((through.first_text_p50_ms - direct.first_text_p50_ms) * 100) / 100,
      added_first_text_p99_ms: Math.round((through.first_text_p99_ms - direct.first_text_p99_ms) * 100) / 100,
      concurrent: { ...wide, concurrency: WIDE },
    };
  } finally {
    await stack.close();
  }
}

/**
 * `--against <tree>`: the side-by-side's stream scenario (c=32, the mock's 16-event chat stream, 2 ms an event, launched
 * as production with PostgreSQL fsync on) through a bare passthrough, Proctor from `<tree>` (another checkout, e.g. the
 * commit before a change, with node_modules) and Proctor from this tree, in rotating turns in one run: first byte
 * added over the bare mock's (p50/p99), streams a second, and Proctor's and PostgreSQL's CPU a stream, with the ratios
 * of this tree to the other. BENCH_AGAINST_SLICES (6) slices of BENCH_AGAINST_SECONDS (2) each per target.
 */
export async function benchStreamsAgainst(tree: string) {
  const { closedLoop, summarise } = await import('./side-by-side-load.ts');
  const { pin, postgresCpuSeconds, processCpuSeconds } = await import('./side-by-side-proc.ts');
  const here = await import('./side-by-side-targets.ts');
  const other = (await import(path.resolve(tree, 'bench/side-by-side-targets.ts'))) as typeof here;
  const slices = Number(process.env.BENCH_AGAINST_SLICES ?? 6);
  const seconds = Number(process.env.BENCH_AGAINST_SECONDS ?? 2);
  pin(process.pid, here.LOAD_CPU);
  here.warmCompileCache();
  const mock = await here.startMock();
  await mock.configure(0, Number(process.env.BENCH_SBS_STREAM_DELAY_MS ?? 2));
  const targets = [
    { name: 'bare', target: await here.startBare(mock.url) },
    { name: 'against', target: await other.startProctorTarget(mock.url, 1) },
    { name: 'this', target: await here.startProctorTarget(mock.url, 1) },
  ].map((t) => ({ ...t, slices: [] as Awaited<ReturnType<typeof closedLoop>>[], cpu: 0, pg: 0 }));
  const direct: Awaited<ReturnType<typeof closedLoop>>[] = [];
  const load = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  const loadBefore = load();
  try {
    for (let s = 0; s < slices; s += 1) {
      const json = () => ({ 'content-type': 'application/json' });
      direct.push(
        await closedLoop({ url: mock.url, concurrency: 32, stream: true, warmupSeconds: 0.5, seconds, headers: json }),
      );
      for (let k = 0; k < targets.length; k += 1) {
        const t = targets[(k + s) % targets.length] as (typeof targets)[number];
        let cpu = 0;
        let pg = 0;
        const now = () => [
          processCpuSeconds(t.target.pid),
          t.target.postmaster ? postgresCpuSeconds(t.target.postmaster) : 0,
        ];
        t.slices.push(
          await closedLoop({
            url: t.target.url,
            concurrency: 32,
            stream: true,
            warmupSeconds: s === 0 ? 2 : 0.5,
            seconds,
            headers: (i) => t.target.headers(i, 1),
            onWindow(edge) {
              const [c = 0, p = 0] = now();
              if (edge === 'start') [cpu, pg] = [c, p];
              else [t.cpu, t.pg] = [t.cpu + c - cpu, t.pg + p - pg];
            },
          }),
        );
      }
    }
  } finally {
    for (const t of targets) await t.target.close();
    await mock.close();
  }
  const base = summarise(direct, true);
  const added = (ms: number | null, baseline: number | null) => Math.round(((ms ?? 0) - (baseline ?? 0)) * 100) / 100;
  const figures = Object.fromEntries(
    targets.map((t) => {
      const r = summarise(t.slices, true);
      const perStream = (sec: number) => Math.round((sec * 1e6) / Math.max(1, r.requests));
      return [
        t.name,
        {
          streams: r.requests,
          errors: r.errors,
          streams_per_second: r.rps,
          first_byte_added_p50_ms: added(r.first_byte_p50_ms, base.first_byte_p50_ms),
          first_byte_added_p99_ms: added(r.first_byte_p99_ms, base.first_byte_p99_ms),
          cpu_us_per_stream: perStream(t.cpu),
          postgres_cpu_us_per_stream: perStream(t.pg),
        },
      ];
    }),
  );
  const ratio = (key: string) => {
    const [a, b] = [figures.this?.[key as 'streams'], figures.against?.[key as 'streams']];
    return a === undefined || b === undefined || b === 0 ? null : Math.round((a / b) * 100) / 100;
  };
  return {
    against_tree: path.resolve(tree),
    load_average: [loadBefore, load()],
    direct_first_byte_ms: { p50: base.first_byte_p50_ms, p99: base.first_byte_p99_ms },
    ...figures,
    this_over_against: Object.fromEntries(
      ['streams_per_second', 'first_byte_added_p50_ms', 'first_byte_added_p99_ms', 'cpu_us_per_stream'].map((k) => [
        k,
        ratio(k),
      ]),
    ),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const against = process.argv.indexOf('--against');
  const tree = against > 0 ? process.argv[against + 1] : undefined;
  const result = tree === undefined ? await benchStreaming() : await benchStreamsAgainst(tree);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
