// Streaming through Proctor versus straight to the local upstream (streams paced at a fixed delay per event, as a
// model would): time to the first event and to the first answer text, p50/p99, at moderate concurrency; then many
// concurrent streams at once, each checked to finish with its final event, with the longest silence between two
// events any client saw. Every stage is on (JWT, classification, policy, signed records on PostgreSQL or PGlite, the
// hold-back scanner). Run alone with `node bench/streaming.ts` (JSON on stdout) or as part of `npm run bench`.
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

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${JSON.stringify(await benchStreaming(), null, 2)}\n`);
}
