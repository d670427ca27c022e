// The contract every provider adapter must pass, parametrised over the registry: named fixtures per API
// (test/fixtures/providers/<api>/: plain, streaming, tool calls, error, truncated stream) are replayed by a local
// upstream, through the real forwarder, and the adapter's answer reading, stream session and error shapes are held to
// the same expectations. A new adapter without fixtures fails here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClassifier } from '../../src/classification/index.ts';
import { createForwarder, type UpstreamTarget } from '../../src/forwarding/index.ts';
import { shapeReply } from '../../src/pipeline/failures.ts';
import { upstreamErrorReply } from '../../src/pipeline/upstream-error.ts';
import { relayStream, type StreamSink } from '../../src/pipeline/stream-relay.ts';
import { createSseDecoder } from '../../src/pipeline/stream-sse.ts';
import { allAdapters, type ProviderAdapter } from '../../src/providers/index.ts';

const FIXTURES = new URL('../fixtures/providers/', import.meta.url);
const classifier = createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
const forwarder = createForwarder();
let server: http.Server;
let baseUrl: string;
const received: { path: string; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[] = [];

interface Manifest {
  request: Record<string, unknown>;
  text: string;
  error_status: number;
  tool_arguments?: string;
}

function fixture(api: string, name: string): string | null {
  const file = new URL(`${api}/${name}`, FIXTURES);
  return existsSync(file) ? readFileSync(file, 'utf8') : null;
}

beforeAll(async () => {
  // Replays the fixture named by x-fixture (set by the test in the target's headers); SSE in 7-byte pieces so events
  // and UTF-8 sequences are split across reads.
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      received.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      const [api, name] = String(req.headers['x-fixture']).split(':') as [string, string];
      const text = fixture(api, name) as string;
      if (name.endsWith('.json')) {
        const value = JSON.parse(text) as { status?: number; body?: unknown };
        const isError = name === 'error.json';
        res.writeHead(isError ? (value.status as number) : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(isError ? value.body : value));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const bytes = Buffer.from(text, 'utf8');
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await forwarder.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function target(api: string, name: string): UpstreamTarget {
  return {
    name: 'fixture',
    baseUrl,
    headers: { 'x-fixture': `${api}:${name}` },
    timeouts: { connectMs: 1000, firstByteMs: 2000, totalMs: 5000 },
  };
}

function bufferSink(): StreamSink & { text: () => string } {
  let out = '';
  return {
    open: () => {},
    write: async (t) => void (out += t),
    end: () => {},
    signal: new AbortController().signal,
    text: () => out,
  };
}

/** The text per channel a client reads from what was written, read back with a fresh session of the same adapter. */
function clientTexts(
  adapter: ProviderAdapter,
  request: ReturnType<ProviderAdapter['parse']>,
  sse: string,
): Map<string, string> {
  const session = (adapter.openStream as NonNullable<ProviderAdapter['openStream']>)(request);
  const texts = new Map<string, string>();
  for (const event of createSseDecoder().push(Buffer.from(sse, 'utf8'))) {
    for (const t of session.read(event).texts) texts.set(t.channel, (texts.get(t.channel) ?? '') + t.text);
  }
  return texts;
}

async function replay(
  adapter: ProviderAdapter,
  name: string,
  rules = { redact: [] as string[], block: [] as string[] },
) {
  const manifest = JSON.parse(fixture(adapter.api, 'manifest.json') as string) as Manifest;
  const request = adapter.parse(Buffer.from(JSON.stringify({ ...manifest.request, stream: true })));
  const opened = await forwarder.openStream(
    target(adapter.api, name),
    adapter.upstreamPath,
    adapter.upstreamBody(request, null),
    { requestId: 'r', signal: new AbortController().signal },
  );
  const sink = bufferSink();
  const result = await relayStream({
    events: opened.events as AsyncIterable<Uint8Array>,
    session: (adapter.openStream as NonNullable<ProviderAdapter['openStream']>)(request),
    sink,
    classifier,
    rules,
    estimatedPromptTokens: request.estimatedPromptTokens,
  });
  return { result, sink, request, manifest };
}

describe.each(allAdapters().map((a) => [a.api, a] as const))('adapter %s', (api, adapter) => {
  const manifest = JSON.parse(fixture(api, 'manifest.json') ?? 'null') as Manifest | null;
  const streams = adapter.openStream !== null;
  // Cases that do not apply to an adapter (embeddings do not stream) are not registered at all, rather than skipped.
  const applies = (condition: boolean): typeof it => (condition ? it : ((() => undefined) as unknown as typeof it));

  it('has fixtures: manifest, plain and error, and streaming and truncated ones when it can stream', () => {
    expect(manifest).not.toBeNull();
    for (const name of ['plain.json', 'error.json', ...(streams ? ['streaming.sse', 'truncated.sse'] : [])])
      expect(fixture(api, name), name).not.toBeNull();
  });

  it('parses its fixture request, classifying every text in it, and posts to its fixed path whatever the model is called', async () => {
    const request = adapter.parse(Buffer.from(JSON.stringify(manifest?.request)));
    expect(request.segments.map((s) => s.text).join('\n')).toContain('alice.smith@acmecorp.io');
    const hostile = { ...adapter.upstreamBody(request, null), model: '../../admin?x=1#frag' };
    await forwarder.forward(target(api, 'plain.json'), adapter.upstreamPath, hostile, { requestId: 'r' });
    expect(received.at(-1)?.path).toBe(`/v1${adapter.upstreamPath}`);
    expect(received.at(-1)?.body.model).toBe('../../admin?x=1#frag');
  });

  it('reads usage and every answer text from a plain answer', async () => {
    const response = await forwarder.forward(target(api, 'plain.json'), adapter.upstreamPath, {}, { requestId: 'r' });
    expect(response.status).toBe(200);
    expect(adapter.readUsage(response.body)).toMatchObject({
      prompt_tokens: expect.any(Number),
      total_tokens: expect.any(Number),
    });
    const texts = adapter.responseSegments(response.body).map((s) => s.text);
    if (streams) expect(texts).toContain(manifest?.text);
    // Closed world: every string of the answer is screened, known field or not (embeddings: all but the vectors).
    const strings: string[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'string') strings.push(v);
      else if (Array.isArray(v)) v.forEach(walk);
      else if (typeof v === 'object' && v !== null) Object.values(v).forEach(walk);
    };
    walk(response.body);
    for (const s of strings) expect(texts).toContain(s);
  });

  it('maps an upstream error to its own API shape', async () => {
    const response = await forwarder.forward(target(api, 'error.json'), adapter.upstreamPath, {}, { requestId: 'r' });
    expect(response.status).toBe(manifest?.error_status);
    const mapped = upstreamErrorReply(response.status, response.body, 'req-1', classifier);
    const shaped = shapeReply(api, { status: mapped.status, headers: {}, body: mapped.body });
    const body = shaped.body as Record<string, { code?: string; type?: string }>;
    if (adapter.dialect === 'anthropic')
      expect(shaped.body).toMatchObject({
        type: 'error',
        error: { code: 'ERR_UPSTREAM_ERROR', type: expect.any(String) },
        request_id: 'req-1',
      });
    else expect(body.error).toMatchObject({ code: 'ERR_UPSTREAM_ERROR', request_id: 'req-1' });
    expect([400, 404, 409, 413, 422, 429, 502]).toContain(shaped.status);
  });

  applies(streams)(
    'relays a stream: final event held back, usage exact, every text the client reads as sent',
    async () => {
      const { result, sink, request, manifest: m } = await replay(adapter, 'streaming.sse');
      expect(result.error).toBeNull();
      expect(result.finalEvent).not.toBeNull();
      expect(result.usage.estimated).toBeUndefined();
      expect(result.usage.completion_tokens).toBeGreaterThan(0);
      expect([...clientTexts(adapter, request, sink.text()).values()].join('')).toBe(m.text);
    },
  );

  applies(streams)('redacts a value in a stream wherever the chunks split it', async () => {
    const { result, sink, request } = await replay(adapter, 'streaming.sse', { redact: ['EMAIL'], block: [] });
    expect(result.action).toBe('redacted');
    const text = [...clientTexts(adapter, request, sink.text()).values()].join('');
    expect(text).toContain('[EMAIL_1]');
    expect(sink.text()).not.toContain('acmecorp');
  });

  applies(streams)('ends a stream when the policy blocks a value in it, before that value is written', async () => {
    const { result, sink } = await replay(adapter, 'streaming.sse', { redact: [], block: ['EMAIL'] });
    expect(result).toMatchObject({
      error: 'ERR_RESPONSE_BLOCKED',
      action: 'blocked',
      blockedTypes: ['EMAIL'],
      finalEvent: null,
    });
    expect(sink.text()).not.toContain('acmecorp');
  });

  applies(streams && fixture(api, 'tool-calls.sse') !== null)(
    'relays a streamed tool call whose arguments arrive whole',
    async () => {
      const { result, sink, request, manifest: m } = await replay(adapter, 'tool-calls.sse');
      expect(result.error).toBeNull();
      expect([...clientTexts(adapter, request, sink.text()).values()].join('')).toBe(m.tool_arguments);
    },
  );

  applies(streams)('records a truncated stream as a failure with estimated usage and no final event', async () => {
    const { result } = await replay(adapter, 'truncated.sse');
    expect(result).toMatchObject({
      error: 'ERR_UPSTREAM_STREAM_TRUNCATED',
      finalEvent: null,
      usage: { estimated: true },
    });
  });

  it("renders Proctor's own errors, in a body and as a stream event, in its API's shape", () => {
    const error = { code: 'ERR_POLICY_DENIED', type: 'permission_error', message: 'denied', requestId: 'req-2' };
    const body = adapter.errorBody(error);
    const event = adapter.errorEvent(error);
    expect(JSON.parse(event.data)).toEqual(body);
    if (adapter.dialect === 'anthropic') expect(event.event).toBe('error');
    else expect((body.error as { code: string }).code).toBe('ERR_POLICY_DENIED');
  });
});
