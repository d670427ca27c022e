// Routing, retries and fallback end to end: a real PostgreSQL, a real OIDC provider, the checked-in policy bundle, the
// official `openai` SDK, and local upstreams of which one always fails (503), one is down (connection refused) and
// one has no BAA. Every attempt must be in the outcome record, the decision's allowed set must bound every attempt,
// and `proctor verify` must pass afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import http from 'node:http';
import pg from 'pg';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startEchoUpstream, type EchoUpstream } from '../../src/dev/echo-upstream.ts';
import { runVerify } from '../../src/cli/verify.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { oidcIssuerEntry, proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';
const ANTHROPIC_KEY = 'sk-ant-held-by-proctor';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
let flaky: EchoUpstream;
let steady: EchoUpstream;
let nobaa: EchoUpstream;
let anthropicEcho: EchoUpstream;
/** Accepts requests and never answers them: only the first-byte timeout ends an attempt. */
let silent: http.Server;
let proctor: RunningProctor;
let trustFile: string;
let db: pg.Pool;

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  postgres = await startPostgres();
  db = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2, connectionTimeoutMillis: 2000 });
  db.on('error', () => {});
  idp = await startOidcProvider();
  flaky = await startEchoUpstream({
    respond: () => ({
      status: 503,
      body: { error: { message: 'overloaded', type: 'server_error', code: null, param: null } },
    }),
  });
  steady = await startEchoUpstream();
  // Streams whose prompt is 'cut me' are reset after their first frame: the client has
  // bytes, so no fallback may follow.
  nobaa = await startEchoUpstream({
    stream: (request) => (JSON.stringify(request.body).includes('cut me') ? { resetAfter: 1 } : undefined),
  });
  const dead = `http://127.0.0.1:${await closedPort()}/v1`;
  anthropicEcho = await startEchoUpstream();
  silent = http.createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}/v1`;
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-fallback-'));
  const key = generateSigningKey();
  trustFile = path.join(dir, 'ledger.pub.pem');
  writeFileSync(trustFile, key.publicKeyPem);
  // Every model these upstreams serve is priced alike (limits refuse unpriced models).
  writeFileSync(
    path.join(dir, 'pricing.yaml'),
    'version: "fallback-test"\nunknown_model: { price_as: flat }\ndefaults:\n  flat: { input: 1000000, output: 2000000, cached_input: 500000 }\nupstreams: {}\n',
  );
  const zdr = { zero_data_retention: true };
  const config = proctorConfig({
    database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 1000 },
    ledger: { chain: 'fallback-1' },
    issuers: [oidcIssuerEntry(idp.issuer, AUDIENCE)],
    upstreams: [
      {
        name: 'flaky',
        kind: 'openai-compatible',
        base_url: flaky.url,
        models: ['*'],
        attributes: { ...zdr, baa: true },
      },
      {
        name: 'nobaa',
        kind: 'openai-compatible',
        base_url: nobaa.url,
        models: ['*'],
        attributes: { ...zdr, baa: false },
      },
      {
        name: 'steady',
        kind: 'openai-compatible',
        base_url: steady.url,
        models: ['*'],
        attributes: { ...zdr, baa: true },
      },
      {
        name: 'dead',
        kind: 'openai-compatible',
        base_url: dead,
        models: ['*'],
        attributes: { ...zdr, baa: true },
        timeouts: { connect_ms: 1000, first_byte_ms: 2000, total_ms: 5000 },
      },
      {
        name: 'silent',
        kind: 'openai-compatible',
        base_url: silentUrl,
        models: ['*'],
        attributes: { ...zdr, baa: true },
        timeouts: { connect_ms: 1000, first_byte_ms: 300, total_ms: 5000 },
      },
      {
        name: 'claude',
        kind: 'anthropic',
        base_url: anthropicEcho.url,
        credential: { env: 'ANTHROPIC_KEY' },
        models: ['*'],
        attributes: zdr,
      },
    ],
    sections: {
      routing: {
        routes: [
          { model: 'echo-1', api: 'anthropic', upstreams: ['claude'] },
          { model: 'echo-1', upstreams: ['flaky', 'nobaa', 'steady'] },
          { model: 'gpt-4o-mini', upstreams: ['dead', 'silent', 'steady'] },
          { model: 'gpt-4.1-mini', upstreams: ['flaky'] },
        ],
        retry: { max_attempts: 3, backoff_ms: 10, max_retry_after_ms: 500 },
      },
      limits: { pricing: 'pricing.yaml' },
    },
    env: { DATABASE_URL: postgres.url, ANTHROPIC_KEY },
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
  proctor = await startProctor(config, { log: () => {} });
});

afterAll(async () => {
  await proctor?.close();
  for (const upstream of [flaky, steady, nobaa, anthropicEcho]) await upstream?.close();
  silent?.closeAllConnections();
  await new Promise((resolve) => silent?.close(resolve));
  await idp?.close();
  await db?.end();
  await postgres?.stop();
});

function client(token: string): OpenAI {
  return new OpenAI({ baseURL: proctor.url, apiKey: token, maxRetries: 0, timeout: 15_000 });
}

async function records(
  requestId: string,
): Promise<{ decision: Record<string, unknown>; outcome: Record<string, unknown> }> {
  const { rows } = await db.query('SELECT type, record FROM audit_records WHERE request_id = $1 ORDER BY seq', [
    requestId,
  ]);
  const parsed = rows.map(
    (r) => [r.type as string, JSON.parse(Buffer.from(r.record as Buffer).toString('utf8'))] as const,
  );
  expect(parsed.map(([type]) => type)).toEqual(['decision', 'outcome']);
  return { decision: parsed[0]?.[1], outcome: parsed[1]?.[1] };
}

describe('routing, retries and fallback', () => {
  it('falls back past a failing upstream in routing order, recording every attempt', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'alice' });
    const seen = { flaky: flaky.received.length, nobaa: nobaa.received.length, steady: steady.received.length };
    const { data, response } = await client(token)
      .chat.completions.create({ model: 'echo-1', messages: [{ role: 'user', content: 'hello' }] })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('echo: hello');
    expect([
      flaky.received.length - seen.flaky,
      nobaa.received.length - seen.nobaa,
      steady.received.length - seen.steady,
    ]).toEqual([1, 1, 0]);
    const { decision, outcome } = await records(response.headers.get('x-proctor-request-id') as string);
    expect(decision.route).toEqual({ upstream: 'flaky', candidates: ['flaky', 'nobaa', 'steady'] });
    expect(outcome).toMatchObject({ status: 200, upstream: 'nobaa', upstream_status: 200, error: null });
    expect(
      (outcome.attempts as unknown[]).map((a) => {
        const { latency_ms: ms, ...rest } = a as { latency_ms: number };
        expect(ms).toBeGreaterThanOrEqual(0);
        return rest;
      }),
    ).toEqual([
      { upstream: 'flaky', status: 503, error: null },
      { upstream: 'nobaa', status: 200, error: null },
    ]);
  });

  it("never falls back outside the decision's allowed set: PHI skips the upstream without a BAA", async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'bob' });
    const before = nobaa.received.length;
    const { data, response } = await client(token)
      .chat.completions.create({
        model: 'echo-1',
        messages: [{ role: 'user', content: 'summarise chart for MRN: 483920' }],
      })
      .withResponse();
    expect(data.choices[0]?.message.content).toContain('echo:');
    expect(nobaa.received.length).toBe(before);
    const { decision, outcome } = await records(response.headers.get('x-proctor-request-id') as string);
    expect((decision.policy_input as { upstreams: { name: string }[] }).upstreams.map((u) => u.name)).toEqual([
      'flaky',
      'nobaa',
      'steady',
    ]);
    expect(decision).toMatchObject({
      decision: { allow: true, obligations: { upstreams: ['flaky', 'steady'] } },
      route: { upstream: 'flaky', candidates: ['flaky', 'steady'] },
    });
    expect((outcome.attempts as { upstream: string; status: number }[]).map((a) => [a.upstream, a.status])).toEqual([
      ['flaky', 503],
      ['steady', 200],
    ]);
    expect(outcome.upstream).toBe('steady');
  });

  it('moves on from an upstream that refuses the connection, and from one that never answers', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'carol', groups: ['eng'] });
    const { response } = await client(token)
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
      .withResponse();
    const { outcome } = await records(response.headers.get('x-proctor-request-id') as string);
    expect(
      (outcome.attempts as { upstream: string; status: number | null; error: string | null }[]).map((a) => [
        a.upstream,
        a.status,
        a.error,
      ]),
    ).toEqual([
      ['dead', null, 'ERR_UPSTREAM_UNREACHABLE'],
      ['silent', null, 'ERR_UPSTREAM_TIMEOUT'],
      ['steady', 200, null],
    ]);
    expect((outcome.attempts as { latency_ms: number }[])[1]?.latency_ms).toBeGreaterThanOrEqual(300);
  });

  it('gives up after max_attempts and relays the last failure, with all attempts recorded', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'dave', groups: ['eng'] });
    const before = flaky.received.length;
    const error = await client(token)
      .chat.completions.create({ model: 'gpt-4.1-mini', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    // An upstream 5xx reaches the client as a gateway error (502), the upstream's status beside it.
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    expect(flaky.received.length - before).toBe(3);
    const { outcome } = await records(
      (error as InstanceType<typeof OpenAI.APIError>).headers?.get('x-proctor-request-id') as string,
    );
    expect(outcome).toMatchObject({
      status: 502,
      upstream: 'flaky',
      upstream_status: 503,
      error: 'ERR_UPSTREAM_ERROR',
    });
    expect((outcome.attempts as { status: number }[]).map((a) => a.status)).toEqual([503, 503, 503]);
  });

  it("falls back for a stream before its first byte, and relays the next candidate's stream", async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'erin' });
    const { data: stream, response } = await client(token)
      .chat.completions.create({ model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'hello stream' }] })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('echo: hello stream');
    const { outcome } = await records(response.headers.get('x-proctor-request-id') as string);
    expect((outcome.attempts as { upstream: string; status: number }[]).map((a) => [a.upstream, a.status])).toEqual([
      ['flaky', 503],
      ['nobaa', 200],
    ]);
    expect(outcome.upstream).toBe('nobaa');
  });

  it('never falls back once a streamed answer has started, even when it breaks', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'frank' });
    const steadyBefore = steady.received.length;
    const { data: stream, response } = await client(token)
      .chat.completions.create({ model: 'echo-1', stream: true, messages: [{ role: 'user', content: 'cut me' }] })
      .withResponse();
    const failed = await (async () => {
      for await (const _chunk of stream) {
        /* the first frame arrives, then the upstream resets */
      }
    })().then(
      () => false,
      () => true,
    );
    expect(failed).toBe(true);
    expect(steady.received.length).toBe(steadyBefore);
    const { outcome } = await records(response.headers.get('x-proctor-request-id') as string);
    expect((outcome.attempts as { upstream: string; status: number }[]).map((a) => [a.upstream, a.status])).toEqual([
      ['flaky', 503],
      ['nobaa', 200],
    ]);
    expect(outcome.error).not.toBeNull();
  });

  it('routes by API family and sends an anthropic-kind upstream its credential as x-api-key with anthropic-version', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE, sub: 'gina' });
    const anthropic = new Anthropic({
      baseURL: proctor.url.replace(/\/v1$/, ''),
      apiKey: token,
      maxRetries: 0,
      timeout: 15_000,
    });
    const before = anthropicEcho.received.length;
    const message = await anthropic.messages.create({
      model: 'echo-1',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'hello claude' }],
    });
    expect(message.content[0]?.type === 'text' && message.content[0].text).toContain('hello claude');
    expect(anthropicEcho.received.length).toBe(before + 1);
    const seen = anthropicEcho.received.at(-1);
    expect(seen?.path).toBe('/v1/messages');
    expect(seen?.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(seen?.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(seen?.headers)).not.toContain(token);
  });

  it('leaves a ledger that verifies', async () => {
    let out = '';
    const code = await runVerify(['--db', postgres.superuserUrl, '--trust', trustFile, '--json'], {
      stdout: (s) => (out += s),
      stderr: () => {},
      env: {},
    });
    expect(JSON.parse(out).findings.filter((f: { severity: string }) => f.severity === 'error')).toEqual([]);
    expect(code).toBe(0);
  });
});
