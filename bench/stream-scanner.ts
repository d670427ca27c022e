// The stream scanner alone (no HTTP): cost per push and how much text is held before the first release, for prose
// with a few values in it, pushed in events of 1, 6 and 24 characters; with the built-in recognizers (all declare a
// partial) and with one custom recognizer that declares none (the fixed 256-character window applies).
// Then one hostile event through the relay (benchHostileEvent): an Anthropic `ping` carrying thousands of short
// strings (fields), or one value nested 10,000 objects deep (refused at the walk's depth limit; the figure the timed
// test in test/adversarial/streams.test.ts used to assert), with the event loop's longest stall while it is relayed
// (perf_hooks monitorEventLoopDelay max) and the CPU the process took (both threads), fields classified by a
// one-thread pool as the pipeline does. And the relay's CPU per ordinary chat stream (the echo upstream's 18 events,
// response rules on), in-process (benchRelayCpu).
// Run alone with `node bench/stream-scanner.ts` (JSON on stdout).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as wait } from 'node:timers/promises';
import {
  createClassifier,
  createClassifierPool,
  createStreamScanner,
  DEFAULT_RECOGNIZERS,
  type Classifier,
  type ClassifierPool,
} from '../src/classification/index.ts';
import { answerFrames } from '../src/dev/echo-answers.ts';
import { relayStream } from '../src/pipeline/stream-relay.ts';
import { adapterFor } from '../src/providers/index.ts';

const RUNS = Number(process.env.BENCH_SCANNER_RUNS ?? 20);
const TEXT =
  'Summarise the quarterly report for the north region. '.repeat(20) +
  'Contact jane.doe@contoso-mail.com or call +44 20 7946 0958 about card 4111 1111 1111 1111. '.repeat(5) +
  'The rest of the answer is ordinary prose again, sentence after sentence. '.repeat(20);

function chunksOf(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

function measure(classifier: Classifier, size: number) {
  const chunks = chunksOf(TEXT, size);
  let firstReleaseAfter = -1;
  const once = (record: boolean) => {
    const s = createStreamScanner({ classifier, path: 'choices[0].delta.content' });
    let pushed = 0;
    for (const c of chunks) {
      pushed += c.length;
      const out = s.push(c);
      if (record && firstReleaseAfter < 0 && out.text.length > 0) firstReleaseAfter = pushed;
    }
    s.end();
  };
  once(true);
  for (let i = 0; i < 3; i += 1) once(false); // warm-up
  const times: number[] = [];
  for (let r = 0; r < RUNS; r += 1) {
    const t0 = performance.now();
    once(false);
    times.push(((performance.now() - t0) * 1000) / chunks.length);
  }
  times.sort((a, b) => a - b);
  const at = (p: number) =>
    Math.round((times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? 0) * 10) / 10;
  return {
    event_chars: size,
    pushes: chunks.length,
    us_per_push_p50: at(0.5),
    us_per_push_max: at(1),
    chars_pushed_before_first_release: firstReleaseAfter,
  };
}

export function benchStreamScanner() {
  const fingerprintKey = new Uint8Array(32).fill(9);
  const builtIn = createClassifier({ fingerprintKey });
  const withoutPartial = createClassifier({
    fingerprintKey,
    recognizers: [
      ...DEFAULT_RECOGNIZERS,
      { type: 'EMPLOYEE_ID', category: 'CUSTOM', pattern: String.raw`\bEMP-\d{6}\b`, baseScore: 80 },
    ],
  });
  return {
    text_chars: TEXT.length,
    built_in_partials: [1, 6, 24].map((size) => measure(builtIn, size)),
    custom_without_partial: [1, 6, 24].map((size) => measure(withoutPartial, size)),
  };
}

/** One value `depth` objects deep, as JSON text (JSON.stringify of such an object overflows the stack). */
interface Nested {
  depth: number;
}

/**
 * An Anthropic stream whose second event is a `ping` carrying `x` (none when it is an empty list; `{"a":{"a":…"v"…}}`
 * when Nested); text before and after it.
 */
function hostileStream(x: readonly string[] | Nested): string {
  const ping = Array.isArray(x)
    ? JSON.stringify({ type: 'ping', x })
    : `{"type":"ping","x":${'{"a":'.repeat((x as Nested).depth)}"v"${'}'.repeat((x as Nested).depth)}}`;
  const events: [string, string][] = [
    [
      'message_start',
      { type: 'message_start', message: { id: 'm', type: 'message', role: 'assistant', model: 'x', content: [] } },
    ],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'hello ' } }],
    ['ping', null],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'world' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_stop', { type: 'message_stop' }],
  ]
    .filter(([name]) => name !== 'ping' || !Array.isArray(x) || x.length > 0)
    .map(([name, data]) => [name as string, name === 'ping' ? ping : JSON.stringify(data)]);
  return events.map(([name, data]) => `event: ${name}\ndata: ${data}\n\n`).join('');
}

async function relayOnce(sse: string, classifier: Classifier, pool: ClassifierPool) {
  const adapter = adapterFor('anthropic.messages');
  const request = { model: 'm', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'hi' }] };
  const parsed = adapter.parse(Buffer.from(JSON.stringify(request)));
  async function* upstream() {
    yield Buffer.from(sse, 'utf8');
  }
  return relayStream({
    events: upstream(),
    session: (adapter.openStream as NonNullable<typeof adapter.openStream>)(parsed),
    sink: { open: () => {}, write: async () => {}, end: () => {}, signal: new AbortController().signal },
    classifier,
    fieldClassifier: pool,
    rules: { redact: [], block: ['AWS_ACCESS_KEY'] },
    estimatedPromptTokens: 1,
  });
}

/** One hostile event relayed: wall time, CPU and the event loop's longest stall meanwhile. */
export async function benchHostileEvent() {
  const fingerprintKey = new Uint8Array(32).fill(9);
  const classifier = createClassifier({ fingerprintKey });
  const pool = createClassifierPool({ fingerprintKey, recognizers: [], local: classifier, size: 1 });
  try {
    // Warm: the thread's classifier and the scanner's RE2 automata are built once per process.
    await pool.classify(Array.from({ length: 4_000 }, (_, i) => ({ path: 'p', text: `warm ${i}` })));
    await relayOnce(hostileStream(['a', 'b']), classifier, pool);
    const cases: [string, string[] | Nested][] = [
      ['99,000 copies of one string (495 kB)', Array.from({ length: 99_000 }, () => 'ab')],
      ['19,000 copies of one string', Array.from({ length: 19_000 }, () => 'ab')],
      ['19,000 distinct short strings', Array.from({ length: 19_000 }, (_, i) => i.toString(36))],
      ['2,000 distinct short strings', Array.from({ length: 2_000 }, (_, i) => i.toString(36))],
      // Refused at the answer walk's depth limit (ANSWER_MAX_DEPTH): the cost is the parse and 64 levels of walk.
      ['one value nested 10,000 objects deep', { depth: 10_000 }],
    ];
    const out = [];
    for (const [name, strings] of cases) {
      const sse = hostileStream(strings);
      const delay = monitorEventLoopDelay({ resolution: 1 });
      delay.enable();
      await wait(20); // the monitor's first sample, so a stall from the start is measured
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const result = await relayOnce(sse, classifier, pool);
      const ms = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      await wait(20);
      delay.disable();
      out.push({
        event: name,
        event_bytes: sse.length,
        outcome: result.error ?? 'relayed',
        wall_ms: Math.round(ms),
        process_cpu_ms: Math.round((used.user + used.system) / 1000),
        event_loop_max_stall_ms: Math.round(delay.max / 1e6),
      });
    }
    return out;
  } finally {
    await pool.close();
  }
}

/**
 * CPU per relayed chat stream (the scanner, the field screen, the session), best and median of 5 rounds, with the
 * upstream's events arriving one a read (`cpu_us_per_stream_*`, an idle relay) and, in `by_events_a_read`, 4 a read
 * and the whole stream in one read (a busy relay finds several waiting: the relay judges a read's events together).
 */
export async function benchRelayCpu(streams = Number(process.env.BENCH_RELAY_STREAMS ?? 1500)) {
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(9) });
  const adapter = adapterFor('openai.chat_completions');
  const prompt = 'Summarise the quarterly report for the north region, in two sentences please.';
  const body = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: prompt }], stream: true };
  const parsed = adapter.parse(Buffer.from(JSON.stringify({ ...body, stream_options: { include_usage: true } })));
  const frames = answerFrames('chat', { ...body, stream_options: { include_usage: true } }, 'chatcmpl-1');
  const events = frames.map((f) => `${f.event ? `event: ${f.event}\n` : ''}data: ${f.data}\n\n`);
  const readsOf = (size: number) => {
    const reads: Buffer[] = [];
    for (let i = 0; i < events.length; i += size) reads.push(Buffer.from(events.slice(i, i + size).join('')));
    return reads;
  };
  const rules = { redact: ['EMAIL', 'PHONE_NUMBER'], block: ['AWS_ACCESS_KEY', 'US_SSN'] };
  const once = async (reads: readonly Buffer[]) => {
    async function* upstream() {
      yield* reads;
    }
    const sink = { open: () => {}, write: async () => {}, end: () => {}, signal: new AbortController().signal };
    const session = (adapter.openStream as NonNullable<typeof adapter.openStream>)(parsed);
    const result = await relayStream({
      events: upstream(),
      session,
      sink,
      classifier,
      rules,
      estimatedPromptTokens: 1,
    });
    if (result.error !== null) throw new Error(`the bench stream ended with ${result.error}`);
  };
  const measure = async (reads: readonly Buffer[]) => {
    for (let i = 0; i < 200; i += 1) await once(reads);
    const rounds: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const cpu = process.cpuUsage();
      for (let i = 0; i < streams / 5; i += 1) await once(reads);
      const used = process.cpuUsage(cpu);
      rounds.push((used.user + used.system) / (streams / 5));
    }
    rounds.sort((a, b) => a - b);
    return { best: Math.round(rounds[0] ?? 0), median: Math.round(rounds[2] ?? 0) };
  };
  const one = await measure(readsOf(1));
  return {
    events: frames.length,
    cpu_us_per_stream_best: one.best,
    cpu_us_per_stream_median: one.median,
    by_events_a_read: { 4: await measure(readsOf(4)), all: await measure(readsOf(events.length)) },
  };
}

if (import.meta.main) {
  const result = {
    scanner: benchStreamScanner(),
    relay_cpu: await benchRelayCpu(),
    hostile_event: await benchHostileEvent(),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
