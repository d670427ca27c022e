// The minimum reading pace (src/http/exchange.ts, server.client_min_read_bytes_per_second) over real sockets, with a
// fake pipeline and a fake write clock: no test waits for real time. A stream's client that takes each blocked write
// 29 s into a 30 s deadline (a paused raw socket, resumed once the test has moved the clock) is cut once its writes'
// waits pass the deadline plus what was written at the pace (bound min_rate), its client signal aborted, while one
// whose bytes keep it above the pace gets the whole stream. A plain answer's deadline is the write deadline plus its
// size at the pace: a client still reading past 30 s finishes, a stalled one is cut at that deadline.
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WriteBound, WriteClock } from '../../../src/http/exchange.ts';
import { buildServer } from '../../../src/http/index.ts';
import type { IncomingRequest, RequestHandler } from '../../../src/pipeline/index.ts';

const MiB = 2 ** 20;
const CHUNK = 256 * 1024;
const CHUNKS = 32;
const TEXT = 'x'.repeat(CHUNKS * CHUNK);
/** As many bytes as TEXT in UTF-8 (8 MiB), a third as many characters: the pace counts bytes, as its name says. */
const CJK = '漢'.repeat((CHUNKS * CHUNK) / 3);
const DEADLINE_MS = 30_000;
/** What a just-fast-enough client waits before taking each blocked write. */
const JUST_BEFORE_MS = 29_000;

/**
 * A write clock the test moves: timers fire only in advance(). `newer(id)` resolves once a timer after `id` is live.
 */
function fakeClock() {
  let now = 0;
  let ids = 0;
  const live = new Map<number, { at: number; fire: () => void }>();
  const waiters: (() => void)[] = [];
  const clock: WriteClock & {
    advance(ms: number): void;
    newest(): number;
    newer(id: number): Promise<void>;
  } = {
    now: () => now,
    after(ms, fire) {
      const id = ++ids;
      live.set(id, { at: now + ms, fire });
      for (const wake of waiters.splice(0)) wake();
      return () => live.delete(id);
    },
    advance(ms) {
      now += ms;
      for (const [id, timer] of [...live]) {
        if (timer.at > now) continue;
        live.delete(id);
        timer.fire();
      }
    },
    newest: () => Math.max(0, ...live.keys()),
    async newer(id) {
      while (![...live.keys()].some((k) => k > id)) await new Promise<void>((wake) => waiters.push(wake));
    },
  };
  return clock;
}

interface StreamEnd {
  aborted: boolean;
  writes: number;
}

/** A server whose stream writes TEXT in CHUNK writes (each awaited, stopping once its client is gone) and whose plain
 * answer is TEXT, at the given pace, with the fake clock. */
async function serve(minBytesPerSecond: number) {
  const clock = fakeClock();
  const stalls: [string, WriteBound][] = [];
  let ended: (end: StreamEnd) => void = () => {};
  const streamEnd = new Promise<StreamEnd>((resolve) => {
    ended = resolve;
  });
  const handler = {
    identify: async () => ({ sub: 'alice' }),
    handle: async (incoming: IncomingRequest) => {
      if (incoming.headers['x-tag']?.[0] === 'plain') return { status: 200, headers: {}, body: { text: TEXT } };
      if (incoming.headers['x-tag']?.[0] === 'plain-cjk') return { status: 200, headers: {}, body: { text: CJK } };
      const sink = incoming.sink as NonNullable<IncomingRequest['sink']>;
      sink.open(200, { 'content-type': 'text/event-stream' });
      let writes = 0;
      while (writes < CHUNKS && !sink.signal.aborted) {
        await sink.write(TEXT.slice(writes * CHUNK, (writes + 1) * CHUNK));
        writes += 1;
      }
      sink.end();
      ended({ aborted: sink.signal.aborted, writes });
      return { status: 200, headers: {}, body: null, streamed: true };
    },
  } as unknown as RequestHandler;
  const app = buildServer({
    handler,
    bodyLimitBytes: 64 * 1024,
    clientWriteTimeoutMs: DEADLINE_MS,
    clientMinReadBytesPerSecond: minBytesPerSecond,
    clientStalled: (what, bound) => stalls.push([what, bound]),
    writeClock: clock,
  });
  const port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
  return { app, port, clock, stalls, streamEnd };
}

type Served = Awaited<ReturnType<typeof serve>>;
let served: Served | undefined;
afterEach(async () => {
  await served?.app.close();
  served = undefined;
});

/** A client that sends one request (its connection closed after the answer) and reads nothing until resumed. */
async function pausedClient(port: number, tag: string) {
  const body = '{"model":"m","messages":[]}';
  const socket: Socket = connect({ port, host: '127.0.0.1' });
  socket.pause();
  let read = 0;
  socket.on('data', (chunk: Buffer) => {
    read += chunk.length;
  });
  socket.on('error', () => {});
  const closed = once(socket, 'close');
  await once(socket, 'connect');
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nauthorization: Bearer t\r\n` +
      `connection: close\r\nx-tag: ${tag}\r\ncontent-length: ${body.length}\r\n\r\n${body}`,
  );
  return { socket, closed, read: () => read };
}

/**
 * Rounds of a just-fast-enough reader: once a write waits for it (a live timer newer than the last one it waited on),
 * the clock moves 29 s, then the client reads until the next write waits or the stream's connection closes. Every
 * wait the clock moves through is a different write's. Returns the rounds run.
 */
async function readJustInTime(s: Served, client: Awaited<ReturnType<typeof pausedClient>>): Promise<number> {
  let gone = false;
  void client.closed.then(() => {
    gone = true;
  });
  const closedOrNewer = (id: number) => Promise.race([s.clock.newer(id), client.closed]);
  let rounds = 0;
  let last = 0;
  await closedOrNewer(last);
  while (!gone && s.stalls.length === 0) {
    last = s.clock.newest();
    s.clock.advance(JUST_BEFORE_MS);
    rounds += 1;
    if (s.stalls.length > 0) break;
    client.socket.resume();
    await closedOrNewer(last);
    client.socket.pause();
  }
  return rounds;
}

describe('a stream whose client reads just before each write deadline', () => {
  it('below the pace: cut once its waits pass the deadline plus its bytes at the pace (min_rate)', async () => {
    // 4 MiB/s: the 8 MiB stream earns at most 2 s beyond the 30 s deadline, so the second 29 s wait passes it.
    served = await serve(4 * MiB);
    const client = await pausedClient(served.port, 'stream');
    try {
      const rounds = await readJustInTime(served, client);
      expect(served.stalls).toEqual([['stream', 'min_rate']]);
      expect(rounds).toBe(2);
      const end = await served.streamEnd;
      expect(end.aborted).toBe(true);
      expect(end.writes).toBeLessThan(CHUNKS);
      // What was in flight, then the end: the connection is closed.
      client.socket.resume();
      await client.closed;
      expect(client.read()).toBeLessThan(CHUNKS * CHUNK);
    } finally {
      client.socket.destroy();
    }
  });

  it('control: a client whose bytes keep it above the pace gets the whole stream, waits past 30 s in all', async () => {
    // 64 B/s: each 256 KiB write earns 4,096 s, far more than the 29 s each wait takes.
    served = await serve(64);
    const client = await pausedClient(served.port, 'stream');
    try {
      const rounds = await readJustInTime(served, client);
      await client.closed;
      expect(served.stalls).toEqual([]);
      expect(await served.streamEnd).toEqual({ aborted: false, writes: CHUNKS });
      expect(client.read()).toBeGreaterThan(CHUNKS * CHUNK);
      expect(rounds).toBeGreaterThanOrEqual(2);
    } finally {
      client.socket.destroy();
    }
  });
});

describe('a plain answer: the deadline plus its size at the pace', () => {
  // 8 MiB of text (and 11 characters of JSON) at 64 KiB/s: 128 s, so the deadline is 158 s from when it is sent.
  const PACE = 64 * 1024;

  // The 3-byte answer has a third as many characters: 100 s is past 30 s + its characters at the pace (73 s), within
  // its bytes' (158 s), so it is cut if the pace counts characters.
  it.each([
    ['the whole 8 MiB answer', 'plain'],
    ['an answer of 8 MiB in 3-byte characters, which gets the same 158 s', 'plain-cjk'],
  ])('a client still reading after 100 s takes %s', async (_name, tag) => {
    served = await serve(PACE);
    const client = await pausedClient(served.port, tag);
    try {
      await served.clock.newer(0);
      served.clock.advance(100_000);
      expect(served.stalls).toEqual([]);
      client.socket.resume();
      await client.closed;
      expect(client.read()).toBeGreaterThan(CHUNKS * CHUNK);
      expect(served.stalls).toEqual([]);
    } finally {
      client.socket.destroy();
    }
  });

  it('a stalled client is cut at 158 s, not before', async () => {
    served = await serve(PACE);
    const client = await pausedClient(served.port, 'plain');
    try {
      await served.clock.newer(0);
      served.clock.advance(157_000);
      expect(served.stalls).toEqual([]);
      served.clock.advance(2_000);
      expect(served.stalls).toEqual([['answer', 'write_timeout']]);
      client.socket.resume();
      await client.closed;
      expect(client.read()).toBeLessThan(CHUNKS * CHUNK);
    } finally {
      client.socket.destroy();
    }
  });
});
