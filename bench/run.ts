// `npm run bench`: Proctor's speed, measured in one run on one machine, written as JSON (bench/results/latest.json).
// Stages in isolation (classify, decide, seal a record), then end to end: requests straight to a local upstream
// versus the same requests through Proctor with every stage on (real JWT, RE2, wasm policy, signed records committed
// to a throwaway PostgreSQL 15 cluster, or PGlite where PostgreSQL is not installed), then `verify` speed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { request, Agent } from 'undici';
import { createClassifier } from '../src/classification/index.ts';
import { benchClassification } from './classification.ts';
import { loadPolicyBundle, type PolicyInput } from '../src/policy/index.ts';
import { policyDecisionLatency } from './policy.ts';
import { benchLedger } from './ledger.ts';
import { requestPathCpu } from './request-path.ts';
import { benchVerify } from './verify.ts';
import { benchLimits } from './limits.ts';
import { benchStreaming } from './streaming.ts';
import { benchStreamScanner } from './stream-scanner.ts';
import { benchDensePrompt } from './dense-prompt.ts';
import { startBenchStack } from './stack.ts';
import { generateSigningKey, loadSigner, sealRecord } from '../src/ledger/index.ts';
import { verifyLedger } from '../src/verify/index.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const bundlePath = fileURLToPath(new URL('../bundles/default.tar.gz', import.meta.url));

function timeIt(iterations: number, fn: () => void): { per_op_us: number; ops_per_s: number } {
  for (let i = 0; i < Math.min(200, iterations); i++) fn(); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  const ms = performance.now() - start;
  return { per_op_us: round((ms * 1000) / iterations), ops_per_s: Math.round((iterations * 1000) / ms) };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function percentile(sorted: number[], p: number): number {
  return round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0);
}

/** headers: one set for every request, or one per request index (the proxy run spreads requests over subjects). */
async function load(
  url: string,
  headers: Record<string, string> | ((i: number) => Record<string, string>),
  body: string,
): Promise<{ rps: number; p50_ms: number; p99_ms: number; errors: number }> {
  const dispatcher = new Agent({ connections: CONCURRENCY });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      const i = next;
      next += 1;
      const t0 = performance.now();
      const res = await request(url, {
        method: 'POST',
        headers: typeof headers === 'function' ? headers(i) : headers,
        body,
        dispatcher,
      });
      await res.body.arrayBuffer();
      if (res.statusCode !== 200) errors += 1;
      latencies.push(performance.now() - t0);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - start) / 1000;
  await dispatcher.close();
  latencies.sort((a, b) => a - b);
  return {
    rps: Math.round(latencies.length / seconds),
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    errors,
  };
}

async function stages() {
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
  const text4k = 'The quarterly report for the north region shows steady growth in every segment we track. '
    .repeat(46)
    .slice(0, 4096);
  const classify = timeIt(5000, () => classifier.classify([{ path: 'messages[0].content', text: text4k }]));
  const engine = await loadPolicyBundle(bundlePath);
  const now = new Date();
  const input: PolicyInput = {
    principal: { iss: 'https://idp.test', sub: 'alice', client_id: null, groups: ['eng'], tenant: null },
    request: {
      api: 'openai.chat_completions',
      model: 'echo-1',
      stream: false,
      max_tokens: 100,
      message_count: 2,
      estimated_prompt_tokens: 64,
      tools: { count: 0, names: [] },
    },
    classification: {
      finding_count: 1,
      types: { EMAIL: 1 },
      categories: { PII: 1 },
      max_confidence: 90,
      where: { system: 0, user: 1, assistant: 0, tool: 0, tool_arguments: 0, tools: 0 },
    },
    upstreams: [
      { name: 'echo', provider: 'openai', region: null, baa: false, zero_data_retention: true, models: ['*'] },
    ],
    time: { unix_ms: now.getTime(), iso: now.toISOString() },
  };
  const decide = timeIt(5000, () => engine.decide(input));
  const signer = loadSigner(generateSigningKey().privateKeyPem);
  const sealOne = (seq: number) =>
    sealRecord(
      {
        v: 1,
        type: 'decision',
        chain: 'bench',
        seq,
        ts: now.toISOString(),
        prev: 'a'.repeat(64),
        request_id: 'r',
        decision: { allow: true, stage: 'decide', reasons: [], obligations: null },
      },
      signer,
    );
  for (let i = 1; i <= 200; i++) await sealOne(i);
  const sealIterations = 5000;
  const sealStart = performance.now();
  for (let i = 1; i <= sealIterations; i++) await sealOne(i);
  const sealMs = performance.now() - sealStart;
  const seal = {
    per_op_us: round((sealMs * 1000) / sealIterations),
    ops_per_s: Math.round((sealIterations * 1000) / sealMs),
  };
  return {
    classify_4kb: { ...classify, mb_per_s: round((4096 * classify.ops_per_s) / 1e6) },
    decide,
    policy_decision: await policyDecisionLatency(bundlePath),
    seal_record: seal,
  };
}

async function endToEnd() {
  const stack = await startBenchStack('bench');
  const subjects = await stack.tokens(REQUESTS, 'bench');
  const body = JSON.stringify({
    model: 'echo-1',
    max_tokens: 64,
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Summarise the quarterly report for the north region in two sentences, please.' },
    ],
  });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${subjects[0]}` };
  try {
    const direct = await load(`${stack.upstreamUrl}/chat/completions`, headers, body);
    const through = await load(
      `${stack.proctorUrl}/chat/completions`,
      (i) => ({ ...headers, authorization: `Bearer ${subjects[i % subjects.length]}` }),
      body,
    );
    const rss_mb_after_load = Math.round(process.memoryUsage().rss / 1e6);
    const t0 = performance.now();
    const report = await verifyLedger({ sql: stack.sql, trustedKeys: [stack.publicKeyPem] });
    const verifySeconds = (performance.now() - t0) / 1000;
    const records = report.chains.reduce((n, c) => n + c.records, 0);
    return {
      database: stack.database,
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      direct,
      proctor: through,
      added_latency_p50_ms: round(through.p50_ms - direct.p50_ms),
      added_latency_p99_ms: round(through.p99_ms - direct.p99_ms),
      throughput_ratio: round(through.rps / direct.rps),
      rss_mb_after_load,
      verify: { records, ok: report.ok, records_per_s: Math.round(records / verifySeconds) },
    };
  } finally {
    await stack.close();
  }
}

// `npm run bench -- --quality`: detection quality, Proctor beside Presidio on the generated test half (quality.ts;
// Python 3 and PyPI on first run). Only that; the writes are synchronous, so exiting loses nothing.
if (process.argv.includes('--quality')) {
  const { benchQuality } = await import('./quality.ts');
  benchQuality();
  process.exit(0);
}

// `npm run bench -- --side-by-side` (or BENCH=side-by-side): Proctor beside a bare passthrough and Portkey instead
// (bench/side-by-side.ts; with `--profile`, a CPU profile of Proctor at c=64 instead). Never part of `npm test`.
if (process.argv.includes('--side-by-side') || process.env.BENCH === 'side-by-side') {
  const { sideBySideMain } = await import('./side-by-side.ts');
  await sideBySideMain(process.argv);
} else {
  const result = {
    when: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      memory_gb: Math.round(totalmem() / 2 ** 30),
      node: process.versions.node,
    },
    stages: await stages(),
    classification: benchClassification(),
    end_to_end: await endToEnd(),
    ledger: await benchLedger(),
    request_path: await requestPathCpu(),
    verify: await benchVerify(),
    limits: await benchLimits(),
    stream_scanner: benchStreamScanner(),
    streaming: await benchStreaming(),
    dense_prompt: await benchDensePrompt(),
  };
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
