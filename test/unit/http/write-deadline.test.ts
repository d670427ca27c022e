// The write deadline (src/http/exchange.ts, server.client_write_timeout_ms) over real sockets, with a fake pipeline: a
// client that stops reading (a paused raw socket) is cut when a stream's write or a plain answer is not taken within
// the deadline: the connection is closed, a stream's client signal aborts (the pipeline then aborts its upstream
// request) and the cut is counted; a client that reads takes the same 8 MiB through the same deadline (1 s: the client
// shares the server's event loop, on a loaded machine). Every wait is for an event (the request's arrival, the
// pipeline's end, the server socket's close), never a sleep.
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/http/index.ts';
import type { IncomingRequest, RequestHandler } from '../../../src/pipeline/index.ts';
import { listenWatched } from '../../adversarial/round7-ops-sockets.ts';

const MiB = 2 ** 20;
/** More than a loopback connection's buffers take from a client that does not read (about 3.5 MiB here). */
const ANSWER = 'x'.repeat(8 * MiB);

interface StreamEnd {
  tag: string;
  /** The sink's client signal when the pipeline's last write returned. */
  aborted: boolean;
  writes: number;
}
const ends: ((end: StreamEnd) => void)[] = [];
const stalls: string[] = [];

/** A stream writes ANSWER in 1 MiB writes, each awaited, stopping once its client is gone; a plain answer is ANSWER. */
const handler = {
  identify: async () => ({ sub: 'alice' }),
  handle: async (incoming: IncomingRequest) => {
    const tag = incoming.headers['x-tag']?.[0] ?? '';
    if (tag.startsWith('plain')) return { status: 200, headers: {}, body: { text: ANSWER } };
    const sink = incoming.sink as NonNullable<IncomingRequest['sink']>;
    sink.open(200, { 'content-type': 'text/event-stream' });
    let writes = 0;
    while (writes < 8 && !sink.signal.aborted) {
      await sink.write(ANSWER.slice(writes * MiB, (writes + 1) * MiB));
      writes += 1;
    }
    sink.end();
    ends.shift()?.({ tag, aborted: sink.signal.aborted, writes });
    return { status: 200, headers: {}, body: null, streamed: true };
  },
} as unknown as RequestHandler;

const app = buildServer({
  handler,
  bodyLimitBytes: 64 * 1024,
  clientWriteTimeoutMs: 1000,
  // 1 GiB/s: the 8 MiB answer's deadline is 1 s and 8 ms (read-pace.test.ts: the pace itself).
  clientMinReadBytesPerSecond: 2 ** 30,
  clientStalled: (what) => stalls.push(what),
});
const served = listenWatched(app);

const request = (tag: string) => {
  const body = '{"model":"m","messages":[]}';
  return (
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer t\r\n` +
    `x-tag: ${tag}\r\ncontent-length: ${body.length}\r\n\r\n${body}`
  );
};
const tagged = (tag: string) => (r: IncomingMessage) => r.headers['x-tag'] === tag;

/** A connection that sends one request and never reads the answer: resolves once the server has read the request. */
async function stalled(tag: string): Promise<Socket> {
  const socket = connect({ port: served.port, host: '127.0.0.1' });
  socket.pause();
  socket.on('error', () => {});
  await once(socket, 'connect');
  socket.write(request(tag));
  await served.servers.read(tagged(tag), request(tag).length);
  return socket;
}

/** A connection that sends one request and reads the answer until the server closes it: the bytes it read. */
async function reader(tag: string): Promise<number> {
  const socket = connect({ port: served.port, host: '127.0.0.1' });
  let read = 0;
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
    // The whole answer: a stream's last chunk, or a plain answer's JSON end.
    if (chunk.toString('latin1').endsWith(tag.startsWith('plain') ? '"}' : '0\r\n\r\n')) socket.end();
  });
  await once(socket, 'connect');
  socket.write(request(tag));
  await once(socket, 'close');
  return read;
}

describe('a client that stops reading', () => {
  it('a stream: the write not taken in time closes the connection and aborts its client signal', async () => {
    stalls.length = 0;
    const ended = new Promise<StreamEnd>((resolve) => ends.push(resolve));
    const socket = await stalled('stream-stalled');
    try {
      expect(await ended).toMatchObject({ tag: 'stream-stalled', aborted: true });
      expect((await ended).writes).toBeLessThan(8);
      await served.servers.closed(tagged('stream-stalled'));
      expect(stalls).toEqual(['stream']);
    } finally {
      socket.destroy();
    }
  });

  it('a plain answer not taken in time: its connection is closed', async () => {
    stalls.length = 0;
    const socket = await stalled('plain-stalled');
    try {
      await served.servers.closed(tagged('plain-stalled'));
      expect(stalls).toEqual(['answer']);
    } finally {
      socket.destroy();
    }
  });

  it('control: a client that reads takes the 8 MiB stream and the 8 MiB answer through the same deadline', async () => {
    stalls.length = 0;
    const ended = new Promise<StreamEnd>((resolve) => ends.push(resolve));
    expect(await reader('stream-read')).toBeGreaterThan(8 * MiB);
    expect(await ended).toMatchObject({ aborted: false, writes: 8 });
    expect(await reader('plain-read')).toBeGreaterThan(8 * MiB);
    expect(stalls).toEqual([]);
  });
});
