// CPU of one whole request on Proctor's event loop (issue 17), in µs of that thread's CPU per answered request: the
// real server (fastify, request scopes and the access line to a pino destination, identity with a remembered token,
// parse, classify, policy, route, forward over undici, the answer screen, the outcome, the reply), composed as
// src/main.ts composes it, except the ledger (appends resolve at once: bench/ledger.ts measures it) and the limits
// (test/helpers/memory-limiter.ts: bench/limits.ts measures the real one). A worker thread runs the 0 ms mock upstream
// and a closed loop of `c` callers (c=64, the side-by-side's request); `--bare` measures a fastify + undici passthrough
// (bench/passthrough.ts's) the same way, the floor. `--against <tree>` runs this file in another checkout and this one
// in turns (same shapes, same minutes) and prints both with their ratio. JSON on stdout.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, openSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import Fastify from 'fastify';
import { pino } from 'pino';
import { Pool } from 'undici';
import type { RequestSink } from '../src/observability/index.ts';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const at = args.indexOf(name);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const settings = {
  concurrency: flag('--c', 64),
  warmup: flag('--warmup', 3000),
  requests: flag('--requests', 12_000),
  bare: args.includes('--bare'),
  /** `--stages`: the CPU of the stages other benches measure alone, taken here in the whole request (each call's own
   * thread CPU; the readings add ≈ 1 µs a call). */
  stages: args.includes('--stages'),
  /** `--log-level warn`: no access line (what one costs, by difference). */
  logLevel: args.includes('--log-level') ? String(args[args.indexOf('--log-level') + 1]) : null,
};
const PROMPT = 'Summarise the quarterly report for the north region in two sentences, please.';

interface Driven {
  /** µs of the worker thread's CPU while it drove them (mock and callers): taken off the process's CPU. */
  cpuUs: number;
  requests: number;
  errors: number;
  firstError: string | null;
}

/** The worker: the mock upstream (the echo upstream's chat answer, at once) and the closed loop. */
async function worker(): Promise<void> {
  const { answerJson } = await import('../src/dev/echo-answers.ts');
  let sequence = 0;
  const mock = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      sequence += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify(answerJson('chat', body, `mock${sequence.toString(36)}`)));
    });
  });
  await new Promise<void>((resolve) => mock.listen(0, '127.0.0.1', resolve));
  const port = parentPort as NonNullable<typeof parentPort>;
  port.postMessage({ upstream: `http://127.0.0.1:${(mock.address() as AddressInfo).port}/v1` });
  const { url, headers, concurrency } = await new Promise<{
    url: string;
    headers: Record<string, string>;
    concurrency: number;
  }>((resolve) => port.once('message', resolve));
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: concurrency, pipelining: 1 });
  const body = JSON.stringify({
    model: 'echo-1',
    max_tokens: 64,
    stream: false,
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: PROMPT },
    ],
  });
  const drive = async (count: number): Promise<Driven> => {
    let left = count;
    const cpu = process.threadCpuUsage();
    const out: Driven = { cpuUs: 0, requests: 0, errors: 0, firstError: null };
    const caller = async () => {
      while (left > 0) {
        left -= 1;
        const res = await pool.request({ method: 'POST', path: `${target.pathname}/chat/completions`, headers, body });
        const text = await res.body.text();
        out.requests += 1;
        if (res.statusCode !== 200) {
          out.errors += 1;
          out.firstError ??= `${res.statusCode}: ${text.slice(0, 300)}`;
        }
      }
    };
    await Promise.all(Array.from({ length: concurrency }, caller));
    const used = process.threadCpuUsage(cpu);
    out.cpuUs = used.user + used.system;
    return out;
  };
  port.on('message', (message: { drive: number } | { stop: true }) => {
    if ('stop' in message) {
      void pool.close().then(() => mock.close(() => port.close()));
      return;
    }
    void drive(message.drive).then((driven) => port.postMessage(driven));
  });
}

/** The bare passthrough on this thread (bench/passthrough.ts's handler). */
async function startBare(upstreamUrl: string) {
  const upstream = new URL(upstreamUrl);
  const pool = new Pool(upstream.origin, { connections: 256 });
  const app = Fastify({ logger: false });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/v1/*', async (req, reply) => {
    const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
    if (req.headers.authorization) headers.authorization = req.headers.authorization;
    const res = await pool.request({ method: 'POST', path: req.url, headers, body: req.body as Buffer });
    reply.code(res.statusCode);
    const type = res.headers['content-type'];
    if (typeof type === 'string') reply.header('content-type', type);
    return reply.send(res.body);
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url: `${address}/v1`,
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    close: async () => {
      await app.close();
      await pool.close();
    },
  };
}

/** µs of this thread's CPU in each wrapped call (its synchronous part: a cached token, a classify call), by stage. */
const stageCpu = new Map<string, number>();
function cpuOf<A extends unknown[], R>(stage: string, fn: (...args: A) => R): (...args: A) => R {
  if (!settings.stages) return fn;
  return (...args: A): R => {
    const start = process.threadCpuUsage();
    try {
      return fn(...args);
    } finally {
      const used = process.threadCpuUsage(start);
      stageCpu.set(stage, (stageCpu.get(stage) ?? 0) + used.user + used.system);
    }
  };
}

/** Proctor as src/main.ts composes it, with the ledger and the limits in memory (see the header). */
async function startProctorInMemory(upstreamUrl: string) {
  const { resolveConfig } = await import('../src/config/index.ts');
  const { generateDevIssuerKey, mintDevToken, startDevIssuer } = await import('../src/dev/dev-issuer.ts');
  const { createAuthenticator } = await import('../src/identity/index.ts');
  const { createClassifier } = await import('../src/classification/index.ts');
  const { startPolicy } = await import('../src/policy/index.ts');
  const { createForwarder } = await import('../src/forwarding/index.ts');
  const { createUpstreamRegistry } = await import('../src/upstreams/index.ts');
  const { createRequestHandler, instrumentPipeline } = await import('../src/pipeline/index.ts');
  const { bodyDigestKey } = await import('../src/ledger/index.ts');
  const { buildServer, createDrain } = await import('../src/http/index.ts');
  const obs = await import('../src/observability/index.ts');
  const { createMemoryLimiter } = await import('../test/helpers/memory-limiter.ts');
  const { unlimitedBundle } = await import('./side-by-side-targets.ts');
  const issuerKey = await generateDevIssuerKey();
  const issuer = await startDevIssuer({ key: issuerKey, port: 0 });
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-request-whole-'));
  const doc = {
    server: { host: '127.0.0.1', port: 0 },
    database: { pglite_dir: 'unused' },
    ledger: { chain: 'request-whole', signing_key: { env: 'KEY' } },
    identity: {
      issuers: [{ issuer: issuer.issuer, audience: ['proctor'], algorithms: ['ES256'], allow_insecure_http: true }],
    },
    classification: { fingerprint_key: { env: 'FP' } },
    policy: { bundle: unlimitedBundle(dir) },
    upstreams: [{ name: 'echo', kind: 'openai-compatible', base_url: upstreamUrl, models: ['*'], attributes: {} }],
  };
  const config = resolveConfig(doc, { env: { KEY: 'unused', FP: 'f'.repeat(32) }, baseDir: dir });
  // The access line is written as production writes it (pino, asynchronously), to /dev/null.
  const logger = obs.createLogger({
    level: (settings.logLevel ?? config.server.logLevel) as typeof config.server.logLevel,
    destination: pino.destination({ fd: openSync('/dev/null', 'w'), sync: false }),
  });
  const sinks: RequestSink[] = [];
  const baseLog = obs.logTo(logger);
  const scopes = obs.createScopes(sinks, (level, message, fields) => baseLog(level, message, fields));
  const log = obs.withRequestId(baseLog, scopes);
  sinks.push(obs.accessLog(log));
  const clock = { now: () => new Date() };
  const policy = await startPolicy(config.policy, { activate: async () => {}, log });
  const { fingerprintKey } = config.classification;
  let seq = 0;
  const ledger = {
    chain: 'request-whole',
    append: async (_type: string, _requestId: string | null, _body: unknown) => {
      seq += 1;
      return { chain: 'request-whole', seq, hash: seq.toString(16).padStart(64, '0'), bytes: new Uint8Array(0) };
    },
    rotateKey: () => Promise.reject(new Error('not in this bench')),
    recordRetention: () => Promise.reject(new Error('not in this bench')),
    checkpoint: async () => null,
    close: async () => {},
  } as unknown as Parameters<typeof createRequestHandler>[0]['ledger'];
  const forwarder = createForwarder();
  const plainClassifier = createClassifier({ fingerprintKey });
  const classifier = { classify: cpuOf('classify (prompt and answer)', plainClassifier.classify) };
  const authenticator = createAuthenticator({
    issuers: config.identity.issuers.map((i) => ({ ...i, requiredTyp: i.requiredTyp ?? undefined })),
    clock,
  });
  const limits = createMemoryLimiter();
  const handler = createRequestHandler(
    instrumentPipeline(
      {
        authenticator: { authenticate: cpuOf('identify', authenticator.authenticate) },
        classifier,
        bodyDigestKey: bodyDigestKey(fingerprintKey),
        policy: { decide: cpuOf('decide', (input) => policy.runtime.decide(input)) },
        ledger,
        forwarder,
        upstreams: createUpstreamRegistry({ upstreams: config.upstreams, routing: config.routing, assertions: null }),
        clock,
        limits: {
          ...limits,
          admit: cpuOf('limits (in memory)', limits.admit),
          reserve: cpuOf('limits (in memory)', limits.reserve),
          settle: cpuOf('limits (in memory)', limits.settle),
        },
        log,
      },
      scopes,
      { appended: () => {}, reserved: () => {} },
    ),
  );
  const app = buildServer({
    handler,
    bodyLimitBytes: config.server.bodyLimitBytes,
    drain: createDrain(),
    scopes,
    logger,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const token = await mintDevToken({
    key: issuerKey,
    issuer: issuer.issuer,
    audience: 'proctor',
    sub: 'bench-0',
    groups: ['eng', 'bench-unlimited'],
    ttlSeconds: 3600,
  });
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    close: async () => {
      await app.close();
      await forwarder.close();
      policy.updater.stop();
      await issuer.close();
    },
  };
}

/** One measurement: µs of this thread's CPU per answered request over `requests`, after `warmup`. */
export async function measure() {
  const thread = new Worker(new URL(import.meta.url), { workerData: { role: 'drive' } });
  const next = <T>() => new Promise<T>((resolve) => thread.once('message', resolve));
  const { upstream } = await next<{ upstream: string }>();
  const target = settings.bare ? await startBare(upstream) : await startProctorInMemory(upstream);
  try {
    thread.postMessage({ url: target.url, headers: target.headers, concurrency: settings.concurrency });
    thread.postMessage({ drive: settings.warmup });
    const warm = await next<Driven>();
    if (warm.errors > 0) throw new Error(`warm-up errors: ${warm.firstError}`);
    stageCpu.clear();
    const cpu = process.threadCpuUsage();
    const whole = process.cpuUsage();
    const started = performance.now();
    const windowStart = Number(process.hrtime.bigint() / 1000n);
    thread.postMessage({ drive: settings.requests });
    const driven = await next<Driven>();
    const seconds = (performance.now() - started) / 1000;
    const used = process.threadCpuUsage(cpu);
    const all = process.cpuUsage(whole);
    // Under `node --cpu-prof`: the measured window on the profile's clock, for bench/side-by-side-profile.ts.
    const window = [windowStart, Number(process.hrtime.bigint() / 1000n)];
    return {
      target: settings.bare ? 'bare' : 'proctor',
      concurrency: settings.concurrency,
      requests: driven.requests,
      errors: driven.errors,
      first_error: driven.firstError,
      cpu_us_per_request: Math.round(((used.user + used.system) / driven.requests) * 10) / 10,
      user_us_per_request: Math.round((used.user / driven.requests) * 10) / 10,
      // Every thread but the worker's: the event loop, libuv's pool (log writes), V8's GC and compiler threads.
      process_cpu_us_per_request: Math.round(((all.user + all.system - driven.cpuUs) / driven.requests) * 10) / 10,
      window_us: window,
      rps: Math.round(driven.requests / seconds),
      ...(settings.stages
        ? {
            stages_cpu_us_per_request: Object.fromEntries(
              [...stageCpu].map(([stage, us]) => [stage, Math.round((us / driven.requests) * 10) / 10]),
            ),
          }
        : {}),
    };
  } finally {
    thread.postMessage({ stop: true });
    await target.close();
  }
}

/** `--against <tree>`: this file in that checkout and in this one, in turns, `--runs` times each. */
function against(tree: string, runs: number) {
  const self = fileURLToPath(import.meta.url);
  const other = path.join(tree, 'bench', path.basename(self));
  if (path.resolve(other) !== self) copyFileSync(self, other);
  const pass = args.filter(
    (a, i) => a !== '--against' && args[i - 1] !== '--against' && a !== '--runs' && args[i - 1] !== '--runs',
  );
  const one = (file: string) =>
    JSON.parse(
      execFileSync(process.execPath, [file, ...pass], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }),
    );
  const base: number[] = [];
  const head: number[] = [];
  const baseProcess: number[] = [];
  const headProcess: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = one(other);
    const h = one(self);
    base.push(b.cpu_us_per_request);
    head.push(h.cpu_us_per_request);
    baseProcess.push(b.process_cpu_us_per_request);
    headProcess.push(h.process_cpu_us_per_request);
    process.stderr.write(`run ${i + 1}: base ${JSON.stringify(b)}\nrun ${i + 1}: head ${JSON.stringify(h)}\n`);
  }
  const range = (xs: number[]) => [Math.min(...xs), Math.max(...xs)];
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return {
    target: settings.bare ? 'bare' : 'proctor',
    against: tree,
    runs,
    base_cpu_us: base,
    head_cpu_us: head,
    base_range: range(base),
    head_range: range(head),
    head_over_base_median: Math.round((median(head) / median(base)) * 1000) / 1000,
    head_over_base_pairs: head.map((h, i) => Math.round((h / (base[i] as number)) * 1000) / 1000),
    base_process_cpu_us: baseProcess,
    head_process_cpu_us: headProcess,
    process_head_over_base_median: Math.round((median(headProcess) / median(baseProcess)) * 1000) / 1000,
  };
}

if (!isMainThread && (workerData as { role?: string } | null)?.role === 'drive') await worker();
else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const tree = args.indexOf('--against');
  const result = tree >= 0 ? against(args[tree + 1] as string, flag('--runs', 3)) : await measure();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
