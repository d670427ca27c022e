// CPU per request of the request path's stages outside policy and the ledger (issue 17), in µs of this thread's CPU:
// identify (a remembered token: the headers read, the token's fingerprint, the cache hit), parse (the client body:
// UTF-8, JSON, the closed shape walk, its SHA-256), the classification of that request's segments (classify_prompt),
// and the screen of a small answer (the side-by-side mock's chat completion: its segments and the three classify
// calls). Run alone with `node bench/request-path.ts` (writes bench/results/request-path.json); bench/run.ts includes
// it as request_path.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../src/classification/index.ts';
import { answerJson } from '../src/dev/echo-answers.ts';
import { createAuthenticator } from '../src/identity/index.ts';
import { keyJoins } from '../src/pipeline/answer-key-joins.ts';
import { screenResponse } from '../src/pipeline/response-screen.ts';
import { adapterFor } from '../src/providers/index.ts';
import { config, fakeIdp, NOW } from '../test/unit/identity/fake-idp.ts';
import { cpuPerCall } from './policy.ts';

/** µs of this thread's CPU per awaited call of fn, over `iterations` calls after a warm-up. */
async function cpuPerAsyncCall(iterations: number, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < Math.min(2000, iterations); i++) await fn();
  const start = process.threadCpuUsage();
  for (let i = 0; i < iterations; i++) await fn();
  const used = process.threadCpuUsage(start);
  return Math.round(((used.user + used.system) / iterations) * 100) / 100;
}

export async function requestPathCpu(iterations = 20_000) {
  const idp = await fakeIdp();
  const auth = createAuthenticator({ issuers: [config()], clock: { now: () => NOW }, fetch: idp.fetch });
  const token = await idp.sign(idp.claims({ azp: 'app', tenant: 'acme', groups: ['eng', 'finance'] }));
  // As the transport hands them over (headersDistinct plus the request line), from the side-by-side's client.
  const headers = {
    host: ['127.0.0.1:8080'],
    connection: ['keep-alive'],
    'content-type': ['application/json'],
    'content-length': ['190'],
    authorization: [`Bearer ${token}`],
    accept: ['*/*'],
    'user-agent': ['undici'],
    ':method': 'POST',
    ':path': '/v1/chat/completions',
  };
  await auth.authenticate(headers); // verified once; every call below is a cache hit
  const adapter = adapterFor('openai.chat_completions');
  const request = {
    model: 'echo-1',
    max_tokens: 64,
    messages: [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Summarise the quarterly report for the north region in two sentences, please.' },
    ],
  };
  const raw = new TextEncoder().encode(JSON.stringify(request));
  const answer = JSON.stringify(answerJson('chat', request, '0f8e2a4c7d1b'));
  const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
  const rules = { redact: ['EMAIL_ADDRESS', 'PHONE_NUMBER'], block: ['AWS_ACCESS_KEY'] };
  const segments = adapter.responseSegments(JSON.parse(answer));
  const plain = (list: typeof segments) => list.map(({ path, text }) => ({ path, text }));
  const screenIterations = Math.max(1, Math.round(iterations / 10));
  const promptSegments = adapter.parse(raw).segments;
  return {
    identify_cached_us: await cpuPerAsyncCall(iterations, () => auth.authenticate(headers)),
    parse_us: cpuPerCall(iterations, () => adapter.parse(raw)),
    // The classify stage of the same request (its parsed segments: model, system and user text).
    classify_prompt_us: cpuPerCall(screenIterations, () => classifier.classify(promptSegments)),
    screen_small_answer_us: await cpuPerAsyncCall(screenIterations, () =>
      screenResponse(adapter, classifier, JSON.parse(answer), rules),
    ),
    screen_parts: {
      segments_us: cpuPerCall(iterations, () => adapter.responseSegments(JSON.parse(answer))),
      classify_values_us: cpuPerCall(screenIterations, () =>
        classifier.classify(plain(segments.filter((s) => !s.keys))),
      ),
      classify_keys_us: cpuPerCall(screenIterations, () => classifier.classify(plain(segments.filter((s) => s.keys)))),
      classify_key_joins_us: cpuPerCall(screenIterations, () =>
        classifier.classify([{ path: '{key joins}', text: keyJoins(segments).text }]),
      ),
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = { when: new Date().toISOString(), request_path_cpu: await requestPathCpu() };
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'request-path.json'), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
