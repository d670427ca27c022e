// The bytes of request bodies being received, bounded together (server.max_body_bytes_in_flight) and in time
// (server.request_timeout_ms), over real sockets: the budget holds the bytes received, not announced (a head alone
// holds none of it); a body whose content-length does not fit what is left, or whose bytes so far pass it, is refused
// before more is read (503 ERR_SERVER_BUSY, retry-after, connection closed, not recorded), the budget comes back when a
// body has arrived or was given up, and a body that stops arriving is answered 408.
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/http/index.ts';
import { createMetrics } from '../../../src/observability/index.ts';
import type { BodyChannel, RequestHandler } from '../../../src/pipeline/index.ts';

const BUDGET = 64 * 1024;
const calls: string[] = [];
const handler = {
  handle: async () => {
    calls.push('handle');
    return { status: 200, headers: {}, body: { ok: true } };
  },
  reject: async (incoming: { requestId: string }, code: string) => {
    calls.push(`reject:${code}`);
    return { status: 400, headers: {}, body: { error: { code, request_id: incoming.requestId } } };
  },
  listModels: async () => ({ status: 200, headers: {}, body: { object: 'list', data: [] } }),
  // Every request is identified (identify-first.ts; a refused one: identify-first.test.ts).
  identify: async () => ({ sub: 'alice' }),
} as unknown as RequestHandler;

/** Channels the transport opened (every body past 1 KiB), so a test knows a body has taken its part of the budget. */
const channels: { released: boolean; gone: Promise<void> }[] = [];
const onOpen: () => void = () => {};
/** Bytes written into channels so far, and a wait for a count of them. */
let written = 0;
let onWritten: () => void = () => {};
const intake = {
  takes: (bytes: number) => bytes > 1024,
  open(): BodyChannel {
    let release = () => {};
    const state = { released: false, gone: new Promise<void>((resolve) => (release = resolve)) };
    channels.push(state);
    onOpen();
    const done = () => {
      state.released = true;
      release();
    };
    const write = (chunk: Uint8Array) => {
      written += chunk.byteLength;
      onWritten();
    };
    return { byteLength: 0, write, end: () => {}, release: done };
  },
};
const metrics = createMetrics({ processMetrics: false });
/** The transport's refusals of `code` counted so far (proctor_transport_refusals_total). */
async function refusals(code: string): Promise<number> {
  const counted = await metrics.registry.getSingleMetric('proctor_transport_refusals_total')?.get();
  return counted?.values.find((v) => v.labels.code === code)?.value ?? 0;
}
const app = buildServer({
  handler,
  bodyLimitBytes: BUDGET,
  bodyBytesInFlight: BUDGET,
  requestTimeoutMs: 1000,
  intake,
  transportRefused: metrics.transportRefused,
});
let port = 0;
beforeAll(async () => {
  port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
});
afterAll(async () => {
  await app.close();
});

const head = (length: number | 'chunked') =>
  'POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n' +
  (length === 'chunked' ? 'transfer-encoding: chunked\r\n\r\n' : `content-length: ${length}\r\n\r\n`);
const json = (bytes: number) => `{"model":"m","messages":"${'a'.repeat(bytes - 26)}"}`;

/** A connection that writes `bytes`; `answer` is everything the server wrote before it closed the connection. */
function open(bytes: string): { socket: Socket; answer: Promise<string> } {
  const socket = connect(port, '127.0.0.1');
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => {}); // the reset of a refused body's rest
  socket.write(bytes);
  const answer = new Promise<string>((resolve) =>
    socket.once('close', () => resolve(Buffer.concat(received).toString('latin1'))),
  );
  return { socket, answer };
}

/** A body of `bytes` declared and `sent` of them sent: resolves once the server has read those (they hold budget). */
async function holdBody(
  bytes: number,
  sent = 1000,
): Promise<{ socket: Socket; answer: Promise<string>; rest: string }> {
  const target = written + sent;
  const read = new Promise<void>((resolve) => {
    onWritten = () => {
      if (written >= target) resolve();
    };
  });
  const body = json(bytes);
  const held = open(head(bytes) + body.slice(0, sent));
  await read;
  onWritten = () => {};
  return { ...held, rest: body.slice(sent) };
}

const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);
const header = (answer: string, name: string) => new RegExp(`\r\n${name}: ([^\r]*)`, 'i').exec(answer)?.[1];
const codeOf = (answer: string) => /"code":"([A-Z_]+)"/.exec(answer)?.[1];

describe('the budget of bodies being received', () => {
  it('refuses a declared body past it before reading it: 503 ERR_SERVER_BUSY, retry-after, closed, unrecorded', async () => {
    calls.length = 0;
    const busy = await refusals('ERR_SERVER_BUSY');
    const first = await holdBody(60_000, 40_000);
    const second = open(head(30_000) + json(30_000));
    const refused = await second.answer;
    expect(await refusals('ERR_SERVER_BUSY')).toBe(busy + 1);
    expect({ status: status(refused), retry: header(refused, 'retry-after'), code: codeOf(refused) }).toEqual({
      status: 503,
      retry: '1',
      code: 'ERR_SERVER_BUSY',
    });
    expect(header(refused, 'connection')).toBe('close');
    expect(JSON.parse(refused.slice(refused.indexOf('\r\n\r\n') + 4))).toMatchObject({
      error: { type: 'service_unavailable', code: 'ERR_SERVER_BUSY', request_id: expect.any(String) },
    });
    expect(calls).toEqual([]);
    // The first body arrives; its part of the budget comes back, and the refused body now fits.
    first.socket.end(first.rest);
    expect(status(await first.answer)).toBe(200);
    const again = open(`${head(30_000).replace('\r\n\r\n', '\r\nconnection: close\r\n\r\n')}${json(30_000)}`);
    expect(status(await again.answer)).toBe(200);
    expect(calls).toEqual(['handle', 'handle']);
  });

  it('refuses a chunked body once its bytes so far pass it, and releases its channel', async () => {
    calls.length = 0;
    channels.length = 0;
    const first = await holdBody(60_000, 40_000);
    const body = json(30_000);
    const chunked = `${head('chunked')}${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const refused = await open(chunked).answer;
    expect({ status: status(refused), code: codeOf(refused) }).toEqual({ status: 503, code: 'ERR_SERVER_BUSY' });
    // The held body's channel is open; one the refused body opened (if its first bytes arrived apart) is released.
    expect(channels.map((c) => c.released)).toEqual([false, ...channels.slice(1).map(() => true)]);
    first.socket.destroy(); // a client that leaves gives its part back too (recorded as unreadable)
    expect(status(await open(chunked.replace('\r\n\r\n', '\r\nconnection: close\r\n\r\n')).answer)).toBe(200);
    expect(channels.every((c) => c.released)).toBe(true);
  });

  it('holds nothing for a head whose body has not arrived: a declared length is not taken before its bytes', async () => {
    calls.length = 0;
    const heads = [open(head(60_000)), open(head(60_000))];
    const small = open(`${head(30_000).replace('\r\n\r\n', '\r\nconnection: close\r\n\r\n')}${json(30_000)}`);
    expect(status(await small.answer)).toBe(200);
    for (const { socket } of heads) socket.destroy();
  });
});

describe('the deadline for a request to arrive', () => {
  it('answers a body that stops arriving 408 ERR_REQUEST_TIMEOUT, closes, and releases its channel', async () => {
    channels.length = 0;
    const stalled = await holdBody(20_000);
    const answer = await stalled.answer;
    expect({ status: status(answer), code: codeOf(answer) }).toEqual({ status: 408, code: 'ERR_REQUEST_TIMEOUT' });
    expect(await refusals('ERR_REQUEST_TIMEOUT')).toBe(1);
    expect(channels).toHaveLength(1);
    await channels[0]?.gone; // released once the connection closed (the test times out otherwise)
  });
});
