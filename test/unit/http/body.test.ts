// Request bodies over real sockets: a large one reaches the pipeline through the intake's channel (written as it
// arrived, never joined on the event loop) and parses and classifies as its bytes do; the cap holds mid-stream and on
// a declared length (413, recorded through the pipeline's reject); a client that goes away mid-body is recorded, its
// channel freed and no classification thread taken; a channel is always released once its request is answered.
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClassifier, createClassifierPool } from '../../../src/classification/index.ts';
import { buildServer } from '../../../src/http/index.ts';
import { createIntake, INTAKE_WORKER, type BodyChannel, type RequestHandler } from '../../../src/pipeline/index.ts';
import type { IncomingRequest } from '../../../src/pipeline/index.ts';

const KEY = new Uint8Array(32).fill(5);
const THRESHOLD = 4096;
const LIMIT = 64 * 1024;
const pool = createClassifierPool({
  fingerprintKey: KEY,
  recognizers: [],
  local: createClassifier({ fingerprintKey: KEY }),
  thresholdChars: THRESHOLD,
  size: 1,
  entry: INTAKE_WORKER,
});
const intake = createIntake(pool);

/** Every channel the transport opened, and whether it was released. */
const opened: { channel: BodyChannel; released: boolean }[] = [];
let onOpen: () => void = () => {};
const tracked = {
  takes: (bytes: number) => intake.takes(bytes),
  open(): BodyChannel {
    const channel = intake.open();
    const entry = { channel, released: false };
    const release = channel.release.bind(channel);
    channel.release = () => {
      entry.released = true;
      release();
    };
    opened.push(entry);
    onOpen();
    return channel;
  },
};

const calls: string[] = [];
let onReject: () => void = () => {};
/** What the pipeline got: for a channel, the thread's parse and classification of it. */
let seen: { channel: boolean; result?: Awaited<ReturnType<typeof intake.run>> } | null = null;
const handler = {
  handle: async (incoming: IncomingRequest) => {
    calls.push('handle');
    const channel = !(incoming.body instanceof Uint8Array);
    seen = channel
      ? { channel, result: await intake.run(incoming.api, incoming.body, { maxFindings: 8 }) }
      : { channel };
    return { status: 200, headers: {}, body: { ok: true } };
  },
  reject: async (incoming: { requestId: string }, code: string) => {
    calls.push(`reject:${code}`);
    onReject();
    const body = {
      error: { type: 'invalid_request_error', code, message: 'm', param: null, request_id: incoming.requestId },
    };
    return { status: code === 'ERR_REQUEST_TOO_LARGE' ? 413 : 400, headers: {}, body };
  },
  listModels: async () => ({ status: 200, headers: {}, body: { object: 'list', data: [] } }),
  // Every request is identified (identify-first.ts; a refused one: identify-first.test.ts).
  identify: async () => ({ sub: 'alice' }),
} as unknown as RequestHandler;

const app = buildServer({ handler, bodyLimitBytes: LIMIT, intake: tracked });
let port = 0;
beforeAll(async () => {
  port = Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
});
afterAll(async () => {
  await app.close();
  await pool.close();
});

const reset = () => {
  opened.length = 0;
  calls.length = 0;
  seen = null;
};

function chatBody(content: string): Buffer {
  return Buffer.from(JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content }] }));
}

/** SSNs, one every 30 bytes or so, `bytes` long. */
function dense(bytes: number): string {
  let text = '';
  for (let i = 0; text.length < bytes; i += 1) text += `employee ${i} ssn ${String(100 + (i % 500))}-45-${1000 + i}; `;
  return text.slice(0, bytes);
}

/** POSTs the body in `chunks` writes (chunked encoding unless `length` is given); resolves with the status. */
function post(body: Buffer, options: { chunks?: number; length?: number; type?: string } = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'content-type': options.type ?? 'application/json' };
    if (options.length !== undefined) headers['content-length'] = String(options.length);
    const req = httpRequest({ host: '127.0.0.1', port, path: '/v1/chat/completions', method: 'POST', headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', (error) => {
      if (!answered) reject(error); // the server may close while the rest of an over-cap body is still being written
    });
    const parts = options.chunks ?? 1;
    const size = Math.ceil(body.length / parts);
    for (let at = 0; at < body.length; at += size) req.write(body.subarray(at, at + size));
    req.end();
  });
}

describe('request bodies', () => {
  it('keeps a body up to the threshold as bytes, and opens no channel', async () => {
    reset();
    expect(await post(chatBody('hello'))).toBe(200);
    expect(seen).toEqual({ channel: false });
    expect(opened).toEqual([]);
  });

  it('hands a large body to the pipeline as a channel, parsed and classified on a thread as its bytes are', async () => {
    for (const options of [{ chunks: 7 }, { chunks: 3, length: chatBody(dense(40_000)).length }]) {
      reset();
      const body = chatBody(dense(40_000));
      expect(await post(body, options)).toBe(200);
      expect(opened).toHaveLength(1);
      expect(opened[0]?.released).toBe(true); // freed once the request was answered
      const fromChannel = seen?.result;
      const fromBytes = await intake.run('openai.chat_completions', Uint8Array.from(body), { maxFindings: 8 });
      if (!fromChannel || !('classification' in fromChannel) || !('classification' in fromBytes))
        throw new Error('both must classify');
      expect(fromChannel.classification).toEqual(fromBytes.classification);
      expect(fromChannel.classification.truncated).toBe(true);
      expect(fromChannel.request.bodySha256).toBe(fromBytes.request.bodySha256);
      expect(fromChannel.request.segments.map((s) => s.path)).toEqual(fromBytes.request.segments.map((s) => s.path));
    }
  });

  it('reads a large request texts back from its channel while the request runs, and never after its release', async () => {
    const channel = intake.open();
    const body = chatBody(dense(20_000));
    for (let at = 0; at < body.length; at += 5000) channel.write(body.subarray(at, at + 5000));
    channel.end();
    const result = await intake.run('openai.chat_completions', channel, {});
    expect(result.request.segments.find((s) => s.path.includes('content'))?.text).toBe(dense(20_000));
    expect(result.request.body).toMatchObject({ model: 'echo-1' });
    const unread = await (async () => {
      const other = intake.open();
      other.write(chatBody(dense(20_000)));
      other.end();
      const r = await intake.run('openai.chat_completions', other, {});
      other.release();
      return r;
    })();
    expect(() => unread.request.body).toThrow(/not in the body channel/);
    channel.release();
    expect(() => channel.write(new Uint8Array(1))).toThrow(/released/);
  });

  it('refuses a large body that is not JSON with the parse error the in-process stages give', async () => {
    const channel = intake.open();
    channel.write(Buffer.from(`{"model": "echo-1", "messages": ${'['.repeat(10)} ${'x'.repeat(THRESHOLD)}`));
    channel.end();
    await expect(intake.run('openai.chat_completions', channel, {})).rejects.toMatchObject({
      code: 'ERR_REQUEST_NOT_JSON',
    });
    channel.release();
  });

  it('answers 413 ERR_REQUEST_TOO_LARGE when a body passes the cap mid-stream, recorded, its channel released', async () => {
    reset();
    const status = await post(chatBody(dense(LIMIT + 10_000)), { chunks: 20 });
    expect(status).toBe(413);
    expect(calls).toEqual(['reject:ERR_REQUEST_TOO_LARGE']);
    expect(opened).toHaveLength(1);
    expect(opened[0]?.released).toBe(true);
    expect(pool.stats()).toMatchObject({ running: 0, queued: 0 });
  });

  it('answers 413 before reading a body whose declared length passes the cap, and opens no channel', async () => {
    reset();
    const body = chatBody(dense(LIMIT + 10));
    expect(await post(body, { length: body.length })).toBe(413);
    expect(calls).toEqual(['reject:ERR_REQUEST_TOO_LARGE']);
    expect(opened).toEqual([]);
  });

  it('refuses a large body that is not JSON by its content-type and releases its channel', async () => {
    reset();
    expect(await post(chatBody(dense(20_000)), { chunks: 4, type: 'text/plain' })).toBe(400);
    expect(calls).toEqual(['reject:ERR_REQUEST_NOT_JSON']);
    expect(opened.map((o) => o.released)).toEqual([true]);
  });

  it('records a client that goes away mid-body, frees its channel, takes no thread, and serves the next body', async () => {
    reset();
    const body = chatBody(dense(30_000));
    const channelOpened = new Promise<void>((resolve) => (onOpen = resolve));
    const rejected = new Promise<void>((resolve) => (onReject = resolve));
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {}); // the reset of our own destroy
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
        `content-length: ${body.length}\r\n\r\n`,
    );
    socket.write(body.subarray(0, 10_000));
    await channelOpened; // the server has read past the threshold: the body is going to the channel
    socket.destroy();
    await rejected;
    onOpen = () => {};
    onReject = () => {};
    expect(calls).toEqual(['reject:ERR_REQUEST_NOT_JSON']);
    expect(opened.map((o) => o.released)).toEqual([true]);
    expect(pool.stats()).toMatchObject({ running: 0, queued: 0 });
    reset();
    expect(await post(body, { chunks: 3 })).toBe(200);
    expect(seen?.channel).toBe(true);
  });
});
