// Clients that stop reading: a write Proctor's client has not taken within server.client_write_timeout_ms (1 s here:
// short, and the reading control's client shares Proctor's event loop on a loaded machine) closes its connection. A
// stream's upstream request is then aborted and its outcome recorded as ERR_CLIENT_DISCONNECTED; a plain answer's
// connection is closed; proctor_client_write_timeouts_total counts both. The client is a raw socket that sends an
// authenticated request and never reads (paused, a 1 KiB buffer); the upstream streams prose for as long as it is
// read. Embedded database, the development issuer, the checked-in policy; every wait is for an event (the upstream's
// close, the access log line, the server socket's close), never a sleep.
import { once } from 'node:events';
import http from 'node:http';
import { connect, type AddressInfo, type NetConnectOpts, type Socket } from 'node:net';
import type { DuplexOptions } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite, type Sql } from '../../src/db/index.ts';
import { generateDevIssuerKey, mintDevToken, startDevIssuer } from '../../src/dev/dev-issuer.ts';
import { startProctor, type RunningProctor } from '../../src/main.ts';
import { watchServers, type ServerSide } from '../adversarial/round7-ops-sockets.ts';
import { devIssuerEntry, echoUpstream, proctorConfig } from '../helpers/proctor-config.ts';

const AUDIENCE = 'proctor';
const WRITE_TIMEOUT_MS = 1000;
/** Plain prose no recognizer takes, 32 KiB. */
const PROSE = 'The quarterly review covers staffing, travel and the new office lease. '.repeat(470).slice(0, 32 * 1024);
/** A plain answer larger than a loopback connection's buffers take from a client that does not read. */
const LARGE_ANSWER_CHARS = 8 * 2 ** 20;

const chunk = (delta: Record<string, unknown>, finish: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'c1',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'echo-1',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

/** Resolves when the response drains or closes. */
function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

interface Upstream {
  server: http.Server;
  /** Resolves when the next streamed answer's connection closes, with the bytes it sent. */
  streamClosed(): Promise<number>;
}

/**
 * An OpenAI-compatible upstream. Streams: `endless` in the prompt sends 32 KiB deltas for as long as they are read
 * (back-pressure respected); otherwise 64 of them, then the final chunk and [DONE]. Plain: `large` in the prompt is
 * one answer of LARGE_ANSWER_CHARS of prose.
 */
function startUpstream(): Upstream {
  const closes: ((bytes: number) => void)[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString('utf8')));
    req.on('end', async () => {
      const body = JSON.parse(text) as { stream?: boolean };
      if (body.stream !== true) {
        const content = text.includes('large') ? PROSE.repeat(LARGE_ANSWER_CHARS / PROSE.length) : 'done';
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            id: 'x',
            object: 'chat.completion',
            created: 0,
            model: 'echo-1',
            choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
            usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
          }),
        );
        return;
      }
      const endless = text.includes('endless');
      let sent = 0;
      const closed = closes.shift();
      res.on('close', () => closed?.(sent));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(chunk({ role: 'assistant', content: '' }));
      for (let k = 0; endless || k < 64; k++) {
        if (res.destroyed) return;
        const event = chunk({ content: PROSE });
        sent += event.length;
        if (!res.write(event)) await drained(res);
      }
      res.write(chunk({}, 'stop'));
      res.end('data: [DONE]\n\n');
    });
  });
  return { server, streamClosed: () => new Promise((resolve) => closes.push(resolve)) };
}

interface Stack {
  proctor: RunningProctor;
  /** A token for a subject of its own (an endless stream's estimated usage spends one subject's token budget). */
  token(sub: string): Promise<string>;
  sql: Sql;
  upstream: Upstream;
  /** Resolves with the access log line of the next request that ends. */
  nextRequest(): Promise<Record<string, unknown>>;
}

let stack: Stack;
let servers: ServerSide;
let closeAll: () => Promise<void>;

beforeAll(async () => {
  servers = watchServers();
  const issuerKey = await generateDevIssuerKey();
  const issuer = await startDevIssuer({ key: issuerKey, host: '127.0.0.1', port: 0 });
  const upstream = startUpstream();
  await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.server.address() as AddressInfo).port}/v1`;
  const sql = await openPglite();
  const config = proctorConfig({
    // 1 GiB/s: the 8 MiB answer's deadline is the write deadline and 8 ms (read-pace.test.ts: the pace itself).
    server: { client_write_timeout_ms: WRITE_TIMEOUT_MS, client_min_read_bytes_per_second: 2 ** 30 },
    database: { pglite_dir: '/unused' },
    ledger: { chain: 'stalled-readers' },
    issuers: [devIssuerEntry(issuer.issuer, AUDIENCE)],
    upstreams: [echoUpstream(upstreamUrl)],
    sections: { metrics: { port: 0 } },
  });
  const ended: ((line: Record<string, unknown>) => void)[] = [];
  const proctor = await startProctor(config, {
    sql,
    log: (_level, message, fields) => {
      if (message === 'request') ended.shift()?.(fields ?? {});
    },
  });
  const token = (sub: string) =>
    mintDevToken({
      key: issuerKey,
      issuer: issuer.issuer,
      audience: AUDIENCE,
      sub,
      groups: [],
      tenant: null,
      ttlSeconds: 300,
    });
  stack = { proctor, token, sql, upstream, nextRequest: () => new Promise((resolve) => ended.push(resolve)) };
  closeAll = async () => {
    await proctor.close();
    upstream.server.closeAllConnections();
    upstream.server.close();
    await issuer.close();
    await sql.close();
  };
}, 60_000);

afterAll(async () => {
  servers?.close();
  await closeAll?.();
});

/** Sends a chat request on a raw connection that never reads what comes back (a 1 KiB buffer, paused). */
async function stalledClient(prompt: string, stream: boolean): Promise<Socket> {
  const { port } = new URL(stack.proctor.url);
  const token = await stack.token(prompt.replace(/\W/g, '-'));
  const body = JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: prompt }], stream });
  // net.Socket hands its options to stream.Duplex (Node's types do not list them).
  const options: NetConnectOpts & DuplexOptions = {
    port: Number(port),
    host: '127.0.0.1',
    readableHighWaterMark: 1024,
  };
  const socket = connect(options);
  socket.pause();
  socket.on('error', () => {}); // the server's close may reach a socket that never read as a reset
  await once(socket, 'connect');
  socket.write(
    `POST /v1/chat/completions HTTP/1.1\r\nhost: proctor\r\nauthorization: Bearer ${token}\r\n` +
      `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  return socket;
}

async function outcomeOf(requestId: string): Promise<string> {
  const { rows } = await stack.sql.query<{ type: string; record: Uint8Array }>(
    'SELECT type, record FROM audit_records WHERE request_id = $1 ORDER BY seq',
    [requestId],
  );
  expect(rows.map((r) => r.type)).toEqual(['decision', 'outcome']);
  return Buffer.from((rows[1] as { record: Uint8Array }).record).toString('utf8');
}

async function stalls(): Promise<Record<string, number>> {
  const text = await (await fetch(stack.proctor.metricsUrl as string)).text();
  const counts: Record<string, number> = {};
  // Either bound: at 1 GiB/s a stream's waits together may last about the write deadline (read-pace.test.ts).
  for (const m of text.matchAll(/^proctor_client_write_timeouts_total\{what="(\w+)",bound="\w+"\} (\d+)$/gm))
    counts[m[1] as string] = (counts[m[1] as string] ?? 0) + Number(m[2]);
  return counts;
}

describe('a client that stops reading', () => {
  it('a stream: cut at the write deadline, its upstream request aborted, its outcome ERR_CLIENT_DISCONNECTED', async () => {
    const upstreamClosed = stack.upstream.streamClosed();
    const ended = stack.nextRequest();
    const socket = await stalledClient('endless hello', true);
    try {
      const sent = await upstreamClosed;
      const line = await ended;
      expect(line).toMatchObject({ stream: true, status: 200, code: 'ERR_CLIENT_DISCONNECTED' });
      const outcome = await outcomeOf(line.request_id as string);
      expect(JSON.parse(outcome)).toMatchObject({ status: 200, error: 'ERR_CLIENT_DISCONNECTED' });
      expect(outcome).not.toContain('quarterly');
      expect((await stalls()).stream).toBe(1);
      // The cut came once the connection's buffers were full: more went out than the reading client's whole stream.
      expect(sent).toBeGreaterThan(64 * PROSE.length);
    } finally {
      socket.destroy();
    }
  }, 60_000);

  it('control: a client that reads the stream gets all of it and [DONE]', async () => {
    const response = await fetch(`${stack.proctor.url}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await stack.token('reader')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hello' }], stream: true }),
    });
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    let content = '';
    for (const [, data] of text.matchAll(/^data: (\{.*\})$/gm)) {
      const event = JSON.parse(data as string) as { choices: { delta: { content?: string } }[] };
      content += event.choices[0]?.delta.content ?? '';
    }
    expect(content).toBe(PROSE.repeat(64));
  }, 60_000);

  it('a large plain answer: its connection is closed at the write deadline', async () => {
    const before = (await stalls()).answer ?? 0;
    const ended = stack.nextRequest();
    const socket = await stalledClient('large hello', false);
    try {
      const line = await ended;
      expect(line).toMatchObject({ stream: false, status: 200 });
      // The outcome is recorded before a plain answer is written: it says the answer was given.
      expect(JSON.parse(await outcomeOf(line.request_id as string))).toMatchObject({ status: 200, error: null });
      await servers.closed((r) => r.socket.remotePort === socket.localPort && r.headers.host === 'proctor');
      expect((await stalls()).answer).toBe(before + 1);
    } finally {
      socket.destroy();
    }
  }, 60_000);
});
