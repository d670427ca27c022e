// Transport edges over raw sockets against a real listening server: malformed HTTP and smuggling attempts, bad
// chunked framing, oversized headers, a non-JSON content-type, bad URLs, no route and wrong methods are answered in
// the API's error shape with a stable code (never Node's or fastify's default text), and nothing reaches the pipeline.
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/http/index.ts';
import type { RequestHandler } from '../../../src/pipeline/index.ts';

const calls: string[] = [];
const handler = {
  handle: async () => {
    calls.push('handle');
    return { status: 200, headers: {}, body: { ok: true } };
  },
  reject: async (incoming: { requestId: string; api: string }, code: string) => {
    calls.push(`reject:${code}`);
    const body =
      incoming.api === 'anthropic.messages'
        ? { type: 'error', error: { type: 'invalid_request_error', code, message: 'm' } }
        : { error: { type: 'invalid_request_error', code, message: 'm', param: null, request_id: incoming.requestId } };
    return { status: 400, headers: {}, body };
  },
  listModels: async () => ({ status: 200, headers: {}, body: { object: 'list', data: [] } }),
  // Every request is identified (identify-first.ts; a refused one: identify-first.test.ts).
  identify: async () => ({ sub: 'alice' }),
  newRequestId: () => 'r',
} as unknown as RequestHandler;

const app = buildServer({ handler, bodyLimitBytes: 4096 });
let port = 0;

beforeAll(async () => {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
});
afterAll(async () => {
  await app.close();
});

interface RawAnswer {
  /** Every byte the server wrote before it closed the connection. */
  text: string;
  statuses: number[];
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

/** Writes the bytes on a fresh connection and reads until the server closes it (a safety deadline fails the test). */
function raw(bytes: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const deadline = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `the server did not close the connection; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 300)}`,
        ),
      );
    }, 5000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(deadline);
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.split('\r\n').slice(1)) {
        const at = line.indexOf(':');
        if (at > 0) headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      const statuses = [...text.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(rest.join('\r\n\r\n')) as Record<string, unknown>;
      } catch {
        body = { unparsable: rest.join('') };
      }
      resolve({ text, statuses, status: statuses[0] ?? 0, headers, body });
    });
    socket.write(bytes);
  });
}

const json = '{"model":"m","messages":[]}';
/** A POST of `json` to chat completions with this content-type, the connection closed after the answer. */
const post = (type: string) =>
  `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${json.length}\r\n` +
  `Connection: close\r\n\r\n${json}`;

function openaiCode(answer: RawAnswer): unknown {
  return (answer.body.error as { code?: unknown; type?: unknown } | undefined)?.code;
}

function expectOpenAiError(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^application\/json/);
  expect(answer.body).toMatchObject({
    error: { type: 'invalid_request_error', code, param: null, request_id: expect.any(String) },
  });
}

function expectAnthropicError(answer: RawAnswer, status: number, code: string): void {
  expect(answer.status).toBe(status);
  expect(answer.body).toMatchObject({
    type: 'error',
    error: { type: 'invalid_request_error', code },
    request_id: expect.any(String),
  });
}

describe('malformed HTTP and smuggling attempts', () => {
  it('answers a request line that is not HTTP with ERR_HTTP_MALFORMED in the OpenAI shape and closes', async () => {
    const answer = await raw('HELLO THERE\r\n\r\n');
    expectOpenAiError(answer, 400, 'ERR_HTTP_MALFORMED');
    expect(answer.headers.connection).toBe('close');
  });

  it('refuses Content-Length beside Transfer-Encoding, and never reads the smuggled request behind it', async () => {
    const smuggled = 'GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n';
    const answer = await raw(
      'POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${4 + smuggled.length}\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`,
    );
    expectOpenAiError(answer, 400, 'ERR_HTTP_MALFORMED');
    expect(answer.statuses).toEqual([400]);
    expect(calls).not.toContain('handle');
  });

  it('answers in the Anthropic shape on /v1/messages', async () => {
    const answer = await raw(
      'POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
    );
    expectAnthropicError(answer, 400, 'ERR_HTTP_MALFORMED');
  });

  it.each([
    ['two different Content-Lengths', 'Content-Length: 2\r\nContent-Length: 30\r\n\r\n{}'],
    ['a Transfer-Encoding that does not end in chunked', 'Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n'],
    [
      'an obfuscated Transfer-Encoding (space before the colon)',
      'Transfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n',
    ],
    ['a chunk size that is not hex', 'Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n'],
    ['a chunk without its CRLF', `Transfer-Encoding: chunked\r\n\r\n2\r\n{}XX0\r\n\r\n`],
    ['a negative Content-Length', 'Content-Length: -1\r\n\r\n{}'],
    ['a header line without a colon', 'Content-Length 2\r\n\r\n{}'],
    ['a header name with a space inside', 'Bad Header: x\r\nContent-Length: 2\r\n\r\n{}'],
  ])('refuses %s with ERR_HTTP_MALFORMED', async (_name, rest) => {
    const before = calls.filter((c) => c === 'handle').length;
    const answer = await raw(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n${rest}`,
    );
    expectOpenAiError(answer, 400, 'ERR_HTTP_MALFORMED');
    expect(answer.statuses).toEqual([400]);
    expect(calls.filter((c) => c === 'handle').length).toBe(before);
  });

  it('answers oversized headers with 431 ERR_HEADERS_TOO_LARGE', async () => {
    const answer = await raw(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nContent-Length: 2\r\n\r\n{}`,
    );
    expectOpenAiError(answer, 431, 'ERR_HEADERS_TOO_LARGE');
  });

  it('answers a URL that cannot be decoded with ERR_HTTP_MALFORMED', async () => {
    const answer = await raw('GET /v1/checkpoints/%zz/latest HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expectOpenAiError(answer, 400, 'ERR_HTTP_MALFORMED');
  });

  it('answers a malformed request pipelined behind a good one after the good one, then closes', async () => {
    const good = `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${json.length}\r\n\r\n${json}`;
    const answer = await raw(
      `${good}POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    );
    expect(answer.statuses).toEqual([200, 400]);
    expect(answer.text).toContain('"code":"ERR_HTTP_MALFORMED"');
  });

  it('still serves a well-formed request on the same server (the refusals did not break it)', async () => {
    const answer = await raw(post('application/json'));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ ok: true });
  });
});

describe('content type', () => {
  it.each([
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/json; charset=latin1',
    'application/jsonx',
  ])('refuses a body sent as %s with ERR_REQUEST_NOT_JSON, through the pipeline (recorded)', async (type) => {
    const answer = await raw(post(type));
    expect(answer.status).toBe(400);
    expect(openaiCode(answer)).toBe('ERR_REQUEST_NOT_JSON');
    expect(calls.at(-1)).toBe('reject:ERR_REQUEST_NOT_JSON');
  });

  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset="UTF-8"',
    'application/vnd.api+json',
  ])('accepts %s', async (type) => {
    const answer = await raw(post(type));
    expect(answer.status).toBe(200);
  });
});

describe('no route, wrong method', () => {
  it('answers an unknown path with 404 ERR_NOT_FOUND, invalid_request_error, in the OpenAI shape', async () => {
    const answer = await raw('GET /v1/nothing-here?x=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expectOpenAiError(answer, 404, 'ERR_NOT_FOUND');
    expect(answer.text).not.toContain('x=1');
  });

  it('answers an unknown path under /v1/messages in the Anthropic shape', async () => {
    const answer = await raw(
      'POST /v1/messages/batches HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n',
    );
    expectAnthropicError(answer, 404, 'ERR_NOT_FOUND');
  });

  it.each([
    ['GET', '/v1/chat/completions', 'POST'],
    ['DELETE', '/v1/embeddings', 'POST'],
    ['POST', '/v1/models', 'GET, HEAD'],
  ])('answers %s %s with 405 ERR_METHOD_NOT_ALLOWED and allow: %s', async (method, url, allow) => {
    const answer = await raw(`${method} ${url} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    expectOpenAiError(answer, 405, 'ERR_METHOD_NOT_ALLOWED');
    expect(answer.headers.allow).toBe(allow);
  });

  it('answers GET /v1/messages with 405 in the Anthropic shape', async () => {
    const answer = await raw('GET /v1/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expectAnthropicError(answer, 405, 'ERR_METHOD_NOT_ALLOWED');
  });

  it('reads a body sent where no route is only to drop it: 405/404 as ever, nothing through the pipeline', async () => {
    const before = calls.length;
    const body = '{"model":"m","messages":[]}';
    const put = `PUT /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    // Read whole, the connection is kept: a request behind it is answered on it.
    const both = await raw(`${put}GET /v1/nothing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(both.statuses).toEqual([405, 404]);
    expect(both.text).toContain('"code":"ERR_METHOD_NOT_ALLOWED"');
    expect(calls.length).toBe(before); // not ERR_REQUEST_NOT_JSON through the pipeline: no route took it
  });

  it('answers a body declared past the limit where no route is at once (404), its connection closed unread', async () => {
    const answer = await raw('POST /v1/no-such-route HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n{"a":');
    expectOpenAiError(answer, 404, 'ERR_NOT_FOUND');
    expect(answer.headers.connection).toBe('close');
  });
});
