// A request's summary (access line, metrics, trace) goes to the sinks after its reply has left, not before it is sent
// (src/http/index.ts inFlight, src/observability/request-scope.ts `deliver`), and the request counts as in flight until
// then, so a drain never ends before its access line. Real sockets, a fake pipeline; every wait is for an event (a
// chunk read, the sink's call), never a sleep.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, createDrain } from '../../../src/http/index.ts';
import { createScopes, type RequestSummary } from '../../../src/observability/index.ts';
import type { IncomingRequest, RequestHandler } from '../../../src/pipeline/index.ts';

const MiB = 2 ** 20;
/** More than a loopback connection's buffers take from a client that does not read (about 3.5 MiB here). */
const ANSWER = 'x'.repeat(8 * MiB);

const summaries: RequestSummary[] = [];
const waiting: ((s: RequestSummary) => void)[] = [];
const drain = createDrain();
const scopes = createScopes(
  [
    {
      requestEnded(s) {
        summaries.push(s);
        waiting.shift()?.(s);
      },
    },
  ],
  () => {},
);
const nextSummary = () => new Promise<RequestSummary>((resolve) => waiting.push(resolve));

const handler = {
  identify: async () => ({ sub: 'alice' }),
  handle: async (incoming: IncomingRequest) => {
    const tag = incoming.headers['x-tag']?.[0] ?? '';
    if (tag === 'plain') return { status: 200, headers: {}, body: { text: ANSWER } };
    if (tag === 'denied') return { status: 403, headers: {}, body: { error: { code: 'ERR_POLICY_DENIED' } } };
    const sink = incoming.sink as NonNullable<IncomingRequest['sink']>;
    sink.open(200, { 'content-type': 'text/event-stream' });
    await sink.write('data: one\n\n');
    sink.end();
    return { status: 200, headers: {}, body: null, streamed: true };
  },
} as unknown as RequestHandler;

const app = buildServer({ handler, bodyLimitBytes: 64 * 1024, drain, scopes });
let port = 0;
beforeAll(async () => {
  port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
});
afterAll(async () => {
  await app.close();
});

const request = (tag: string) => {
  const body = '{"model":"m","messages":[]}';
  return (
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer t\r\n` +
    `x-tag: ${tag}\r\ncontent-length: ${body.length}\r\n\r\n${body}`
  );
};

/** Sends one request; resolves with the socket, paused, once the answer's first bytes have arrived. */
async function firstBytes(tag: string): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1' });
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(request(tag));
  await once(socket, 'data');
  socket.pause();
  return socket;
}

describe('the summary after the reply', () => {
  it('a plain answer not yet taken: no summary and still in flight; once read to its end, both', async () => {
    summaries.length = 0;
    waiting.length = 0;
    const socket = await firstBytes('plain');
    try {
      // The pipeline call has returned and the answer is being written: the reply left its handler before this.
      expect(summaries).toEqual([]);
      expect(drain.inFlight).toBe(1);
      const summary = nextSummary();
      socket.resume();
      expect(await summary).toMatchObject({ status: 200, code: null });
      expect(drain.inFlight).toBe(0);
    } finally {
      socket.destroy();
    }
  });

  it('a client gone before taking the answer: the summary is handed on and the request is no longer in flight', async () => {
    summaries.length = 0;
    waiting.length = 0;
    const socket = await firstBytes('plain');
    const summary = nextSummary();
    socket.destroy();
    expect(await summary).toMatchObject({ status: 200 });
    expect(drain.inFlight).toBe(0);
  });

  it('a stream (ended before its call returns) and an error reply are summarised with their status and code', async () => {
    summaries.length = 0;
    waiting.length = 0;
    for (const [tag, expected] of [
      ['stream', { status: 200, code: null }],
      ['denied', { status: 403, code: 'ERR_POLICY_DENIED' }],
    ] as const) {
      const summary = nextSummary();
      const socket = await firstBytes(tag);
      socket.resume();
      try {
        expect(await summary).toMatchObject(expected);
      } finally {
        socket.destroy();
      }
    }
    expect(summaries).toHaveLength(2);
    expect(await drain.idle(0)).toBe(true);
  });
});
