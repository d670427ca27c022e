// Every API through every real part, with the official clients: `openai` (chat, completions, embeddings, responses,
// models) and `@anthropic-ai/sdk` (messages), streaming and not, tool calls, against the local upstream that speaks
// both and can stream slowly, stall or cut a stream. Real PostgreSQL, a real OIDC provider, the checked-in policy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import pg from 'pg';
import { generateSigningKey } from '../../src/ledger/index.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { startEchoUpstream, type EchoUpstream, type ReceivedRequest } from '../../src/dev/echo-upstream.ts';
import { startPostgres } from '../helpers/postgres.ts';
import { startOidcProvider } from '../helpers/oidc-provider.ts';
import { oidcIssuerEntry, proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'https://proctor.test';
const UPSTREAM_KEY = 'sk-upstream-test-credential';

let postgres: Awaited<ReturnType<typeof startPostgres>>;
let idp: Awaited<ReturnType<typeof startOidcProvider>>;
let upstream: EchoUpstream;
let proctor: RunningProctor;
let db: pg.Pool;

/** Test-only stream behaviours, chosen by a marker in the prompt (the echo upstream's `stream` option). */
function behaviourFor(request: ReceivedRequest) {
  const text = JSON.stringify(request.body);
  if (text.includes('cut-me')) return { cutAfter: 3 };
  if (text.includes('slow-me')) return { delayMs: 40 };
  if (text.includes('stall-me')) return { stallAfter: 3 };
  return undefined;
}

beforeAll(async () => {
  postgres = await startPostgres();
  db = new pg.Pool({ connectionString: postgres.superuserUrl, max: 2, connectionTimeoutMillis: 2000 });
  db.on('error', () => {});
  idp = await startOidcProvider();
  // A model that says something of its own: an e-mail address the prompt never had (for response redaction).
  upstream = await startEchoUpstream({
    stream: behaviourFor,
    text: (r) =>
      JSON.stringify(r.body).includes('say-email')
        ? 'sure: write to alice.smith@acmecorp.io today, or bob@northwind.co.uk'
        : undefined,
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'proctor-apis-'));
  const key = generateSigningKey();
  const pricing = path.join(dir, 'pricing.json');
  const price = { input: 1000000, output: 2000000, cached_input: 500000 };
  writeFileSync(
    pricing,
    JSON.stringify({
      version: 'apis-test',
      unknown_model: 'deny',
      upstreams: {
        echo: { 'echo-1': price, 'gpt-4o-mini': price, 'unlisted-model': price },
        'echo-anthropic': { 'echo-1': price },
        'echo-retaining': { 'gpt-4o-mini': price },
      },
    }),
  );
  const config = proctorConfig({
    server: { body_limit_bytes: 65536 },
    database: { url: { env: 'DATABASE_URL' }, connect_timeout_ms: 1000 },
    ledger: { chain: 'apis-1' },
    issuers: [oidcIssuerEntry(idp.issuer, AUDIENCE)],
    upstreams: [
      {
        name: 'echo',
        kind: 'openai-compatible',
        base_url: upstream.url,
        credential: { env: 'UPSTREAM_KEY' },
        models: ['echo-1', 'gpt-4o-mini', 'unlisted-model'],
        timeouts: { first_byte_ms: 1500 },
        attributes: { zero_data_retention: true },
      },
      // Without zero data retention: the policy then asks for answers to be redacted (policies/redaction.rego).
      {
        name: 'echo-retaining',
        kind: 'openai-compatible',
        base_url: upstream.url,
        credential: { env: 'UPSTREAM_KEY' },
        models: ['gpt-4o-mini'],
        timeouts: { first_byte_ms: 1500 },
        attributes: { zero_data_retention: false },
      },
      {
        name: 'echo-anthropic',
        kind: 'anthropic',
        base_url: upstream.url,
        credential: { env: 'UPSTREAM_KEY' },
        models: ['echo-1'],
        timeouts: { first_byte_ms: 1500 },
        attributes: { zero_data_retention: true },
      },
    ],
    sections: { limits: { pricing } },
    env: { DATABASE_URL: postgres.url, UPSTREAM_KEY },
    signingKeyPem: key.privateKeyPem,
    baseDir: dir,
  });
  proctor = await startProctor(config, { log: () => {} });
});

afterAll(async () => {
  await proctor?.close();
  await upstream?.close();
  await idp?.close();
  await db?.end();
  await postgres?.stop();
});

async function openai(groups: string[] = []): Promise<OpenAI> {
  return new OpenAI({
    baseURL: proctor.url,
    apiKey: await idp.tokenFor({ audience: AUDIENCE, groups }),
    maxRetries: 0,
    timeout: 15_000,
  });
}

async function anthropic(): Promise<Anthropic> {
  return new Anthropic({
    baseURL: proctor.url.replace(/\/v1$/, ''),
    apiKey: await idp.tokenFor({ audience: AUDIENCE }),
    maxRetries: 0,
    timeout: 15_000,
  });
}

/** A request's records of one type, parsed. */
async function recordsOf(requestId: string, type: 'decision' | 'outcome'): Promise<Record<string, unknown>[]> {
  const { rows } = await db.query('SELECT record FROM audit_records WHERE request_id = $1 AND type = $2', [
    requestId,
    type,
  ]);
  return rows.map((r) => JSON.parse(Buffer.from(r.record as Buffer).toString('utf8')) as Record<string, unknown>);
}

/** A request's record, read once, no wait: an answer, and a stream's last event (its final or error event), is sent
 * only after the outcome record committed (ARCHITECTURE.md, stage 9), so a client holding the whole answer can read
 * it at once. */
async function recordOf(requestId: string, type: 'decision' | 'outcome'): Promise<Record<string, unknown>> {
  const records = await recordsOf(requestId, type);
  expect(records).toHaveLength(1);
  return records[0] as Record<string, unknown>;
}

const lastReceived = () => upstream.received.at(-1) as ReceivedRequest;

describe('OpenAI APIs with the official openai client', () => {
  it('streams chat completions chunk by chunk, asks the upstream for usage, and hides it from a client that did not ask', async () => {
    const client = await openai();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'echo-1', messages: [{ role: 'user', content: 'hello streaming world' }], stream: true })
      .withResponse();
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('echo: hello streaming world');
    expect(chunks.length).toBeGreaterThan(3);
    expect(chunks.every((c) => c.choices.length > 0 && c.usage === undefined)).toBe(true);
    expect((lastReceived().body as { stream_options: unknown }).stream_options).toEqual({ include_usage: true });
    const outcome = await recordOf(response.headers.get('x-proctor-request-id') as string, 'outcome');
    expect(outcome).toMatchObject({
      status: 200,
      error: null,
      response_action: 'none',
      usage: { total_tokens: expect.any(Number) },
    });
    expect((outcome.usage as Record<string, unknown>).estimated).toBeUndefined();
  });

  it('relays the usage chunk to a client that asked for it', async () => {
    const client = await openai();
    const stream = await client.chat.completions.create({
      model: 'echo-1',
      messages: [{ role: 'user', content: 'count me' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let usage: OpenAI.CompletionUsage | null | undefined = null;
    for await (const chunk of stream) if (chunk.usage) usage = chunk.usage;
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('streams a tool call whose arguments the client can parse', async () => {
    const client = await openai();
    const stream = client.chat.completions.stream({
      model: 'echo-1',
      messages: [{ role: 'user', content: 'weather in Paris' }],
      tools: [
        {
          type: 'function',
          function: {
            name: 'get_weather',
            description: 'Look up the weather',
            parameters: { type: 'object', properties: { text: { type: 'string' } } },
          },
        },
      ],
    });
    const final = await stream.finalChatCompletion();
    const call = final.choices[0]?.message.tool_calls?.[0] as { function: { name: string; arguments: string } };
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({ text: 'weather in Paris' });
  });

  it('redacts e-mail addresses in a streamed answer, each value held back until it could be judged', async () => {
    const client = await openai(['eng']);
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'say-email' }], stream: true })
      .withResponse();
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta.content ?? '');
    expect(pieces.join('')).toBe('sure: write to [EMAIL_1] today, or [EMAIL_2]');
    expect(pieces.some((p) => p.includes('alice') || p.includes('northwind'))).toBe(false);
    const outcome = await recordOf(response.headers.get('x-proctor-request-id') as string, 'outcome');
    expect(outcome).toMatchObject({ response_action: 'redacted', response_classification: { types: { EMAIL: 2 } } });
    expect(JSON.stringify(outcome)).not.toContain('alice.smith');
  });

  it('answers completions, streamed and not', async () => {
    const client = await openai();
    const plain = await client.completions.create({ model: 'echo-1', prompt: 'once upon a time' });
    expect(plain.choices[0]?.text).toBe('echo: once upon a time');
    const stream = await client.completions.create({ model: 'echo-1', prompt: 'streamed prompt', stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.text ?? '';
    expect(text).toBe('echo: streamed prompt');
  });

  it('answers embeddings and records their usage', async () => {
    const client = await openai();
    const { data, response } = await client.embeddings
      .create({ model: 'echo-1', input: ['first text', 'second text'] })
      .withResponse();
    expect(data.data).toHaveLength(2);
    expect(data.data[0]?.embedding).toHaveLength(8);
    const outcome = await recordOf(response.headers.get('x-proctor-request-id') as string, 'outcome');
    expect(outcome).toMatchObject({ status: 200, usage: { prompt_tokens: expect.any(Number) } });
  });

  it('refuses embeddings of an SSN before anything is forwarded', async () => {
    const client = await openai();
    const before = upstream.received.length;
    const error = await client.embeddings
      .create({ model: 'echo-1', input: 'ssn 219-09-9999' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(upstream.received.length).toBe(before);
  });

  it('answers the Responses API with instructions, streamed and not', async () => {
    const client = await openai();
    const plain = await client.responses.create({
      model: 'echo-1',
      instructions: 'be brief',
      input: 'what is proctor',
    });
    expect(plain.output_text).toBe('echo: what is proctor');
    const stream = client.responses.stream({
      model: 'echo-1',
      input: [{ role: 'user', content: 'stream this reply' }],
    });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.join('')).toBe('echo: stream this reply');
    expect(final.output_text).toBe('echo: stream this reply');
  });

  it('redacts the Responses API stream and its repeated full texts alike', async () => {
    const client = await openai(['eng']);
    const stream = client.responses.stream({ model: 'gpt-4o-mini', input: 'say-email' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.join('')).toBe('sure: write to [EMAIL_1] today, or [EMAIL_2]');
    expect(final.output_text).toBe('sure: write to [EMAIL_1] today, or [EMAIL_2]');
    expect(JSON.stringify(final)).not.toContain('northwind');
  });

  it("lists only the models the caller's policy allows, and records the listing", async () => {
    const plain = await (await openai()).models.list();
    expect(plain.data.map((m) => m.id)).toEqual(['echo-1']);
    const eng = await (await openai(['eng'])).models.list();
    expect(eng.data.map((m) => m.id)).toEqual(['echo-1', 'gpt-4o-mini']); // unlisted-model: configured, not permitted
    const { rows } = await db.query(
      "SELECT record FROM audit_records WHERE type = 'decision' ORDER BY seq DESC LIMIT 1",
    );
    expect(JSON.parse(Buffer.from(rows[0].record as Buffer).toString('utf8'))).toMatchObject({
      request: { api: 'openai.models' },
      decision: { allow: true },
    });
  });

  it('ends a stream the upstream cut short with an error, never a clean end, and records the failure', async () => {
    const client = await openai();
    const { data: stream, response } = await client.chat.completions
      .create({
        model: 'echo-1',
        messages: [{ role: 'user', content: 'cut-me please, this answer is long enough' }],
        stream: true,
      })
      .withResponse();
    const error = await (async () => {
      for await (const _ of stream) {
        /* drain */
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('ERR_UPSTREAM_STREAM_TRUNCATED');
    const outcome = await recordOf(response.headers.get('x-proctor-request-id') as string, 'outcome');
    expect(outcome).toMatchObject({ error: 'ERR_UPSTREAM_STREAM_TRUNCATED', usage: { estimated: true } });
  });

  it('ends a stalled stream with a timeout error event', async () => {
    const client = await openai();
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'echo-1', messages: [{ role: 'user', content: 'stall-me now' }], stream: true })
      .withResponse();
    const error = await (async () => {
      for await (const _ of stream) {
        /* drain */
      }
    })().catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('ERR_UPSTREAM_TIMEOUT');
    expect(await recordOf(response.headers.get('x-proctor-request-id') as string, 'outcome')).toMatchObject({
      error: 'ERR_UPSTREAM_TIMEOUT',
    });
  });

  it('aborts the upstream when the client disconnects, and records the partial usage as estimated', async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE });
    const controller = new AbortController();
    const response = await fetch(`${proctor.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        model: 'echo-1',
        stream: true,
        messages: [{ role: 'user', content: `slow-me ${'word '.repeat(60)}` }],
      }),
      signal: controller.signal,
    });
    const requestId = response.headers.get('x-proctor-request-id') as string;
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    // a few events arrived (the upstream keeps generating, slowly); then the client is gone
    for (let i = 0; i < 3; i += 1) await reader.read();
    controller.abort();
    // No event tells the client when the server noticed it left: its outcome is polled for (the bound only ends a
    // failed test).
    await expect.poll(async () => (await recordsOf(requestId, 'outcome')).length, { timeout: 20_000 }).toBe(1);
    const outcome = await recordOf(requestId, 'outcome');
    expect(outcome).toMatchObject({ error: 'ERR_CLIENT_DISCONNECTED', usage: { estimated: true } });
    expect((outcome.usage as { completion_tokens: number }).completion_tokens).toBeGreaterThan(0);
    const record = upstream.streams.find((s) => s.requestId === requestId);
    await expect.poll(() => record?.clientAborted).toBe(true);
    expect(record?.completed).toBe(false);
  });

  it('denies a streamed request carrying an SSN before any byte is forwarded', async () => {
    const client = await openai();
    const before = upstream.received.length;
    const error = await client.chat.completions
      .create({ model: 'echo-1', messages: [{ role: 'user', content: 'my ssn is 219-09-9999' }], stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe('ERR_POLICY_DENIED');
    expect(upstream.received.length).toBe(before);
  });

  it("forwards neither the client's credentials nor its hop-by-hop or other headers", async () => {
    const token = await idp.tokenFor({ audience: AUDIENCE });
    const response = await fetch(`${proctor.url}/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'x-api-key': token,
        'content-type': 'application/json',
        'x-custom-header': 'leak',
        'proxy-authorization': 'Basic eA==',
        te: 'trailers',
      },
      body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'headers' }] }),
    });
    expect(response.status).toBe(200);
    const seen = lastReceived();
    expect(seen.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(seen.headers)).not.toContain(token);
    expect(seen.headers['x-custom-header']).toBeUndefined();
    expect(seen.headers['proxy-authorization']).toBeUndefined();
    expect(seen.headers['x-api-key']).toBeUndefined();
  });
});

describe('Anthropic messages with the official @anthropic-ai/sdk client', () => {
  it("answers a message, taking the user's token from x-api-key and forwarding Proctor's credential instead", async () => {
    const client = await anthropic();
    const message = await client.messages.create({
      model: 'echo-1',
      max_tokens: 64,
      system: 'be terse',
      messages: [{ role: 'user', content: 'hello claude' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'echo: hello claude' });
    const seen = lastReceived();
    expect(seen.path).toBe('/v1/messages');
    expect(seen.headers['x-api-key']).toBe(UPSTREAM_KEY);
    expect(seen.headers['anthropic-version']).toBeDefined();
  });

  it('streams a message with usage from message_start and message_delta', async () => {
    const client = await anthropic();
    const stream = client.messages.stream({
      model: 'echo-1',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'stream to me please' }],
    });
    const texts: string[] = [];
    stream.on('text', (t) => texts.push(t));
    const final = await stream.finalMessage();
    expect(texts.join('')).toBe('echo: stream to me please');
    expect(final.usage.output_tokens).toBeGreaterThan(1);
    const { rows } = await db.query(
      "SELECT record FROM audit_records WHERE type = 'outcome' ORDER BY seq DESC LIMIT 1",
    );
    const outcome = JSON.parse(Buffer.from(rows[0].record as Buffer).toString('utf8')) as {
      usage: { completion_tokens: number; estimated?: boolean };
      error: unknown;
    };
    expect(outcome.error).toBeNull();
    expect(outcome.usage.completion_tokens).toBe(final.usage.output_tokens);
    expect(outcome.usage.estimated).toBeUndefined();
  });

  it('streams a tool_use block whose input the client can parse', async () => {
    const client = await anthropic();
    const stream = client.messages.stream({
      model: 'echo-1',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'look it up' }],
      tools: [
        {
          name: 'lookup',
          description: 'Look something up',
          input_schema: { type: 'object', properties: { text: { type: 'string' } } },
        },
      ],
    });
    const final = await stream.finalMessage();
    expect(final.content[0]).toMatchObject({ type: 'tool_use', name: 'lookup', input: { text: 'look it up' } });
  });

  it("denies in Anthropic's own error shape", async () => {
    const client = await anthropic();
    const error = await client.messages
      .create({ model: 'echo-1', max_tokens: 16, messages: [{ role: 'user', content: 'ssn 219-09-9999' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.PermissionDeniedError);
    const body = (error as InstanceType<typeof Anthropic.PermissionDeniedError>).error as {
      type: string;
      error: { type: string; code: string };
    };
    expect(body).toMatchObject({ type: 'error', error: { type: 'permission_error', code: 'ERR_POLICY_DENIED' } });
  });

  it('ends a cut stream with an error event the SDK raises', async () => {
    const client = await anthropic();
    const stream = client.messages.stream({
      model: 'echo-1',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'cut-me please, long enough answer' }],
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
  });
});
