// A local upstream that speaks OpenAI chat completions, completions, embeddings and responses, and Anthropic messages,
// streaming and not (echo-answers.ts says what it answers). It serves the development stack (`proctor dev`) and the
// tests, which read `received` and `streams` to prove what did, or did not, reach it and how each stream ended.
// Loopback only. Slow, stalled and cut streams exist for tests only: they are chosen by the `stream` option in code,
// never by anything a client sends.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerFrames, answerJson, ECHO_PATHS, wantsStream, type SseFrame } from './echo-answers.ts';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: unknown;
  at: number;
}

/** How one streamed answer misbehaves (tests only). Counts are frames written before the behaviour starts. */
export interface StreamBehaviour {
  /** Wait this long before each frame. */
  delayMs?: number;
  /** After this many frames, write nothing more and keep the connection open (until the client goes away). */
  stallAfter?: number;
  /** After this many frames, end the response cleanly, without the final event. */
  cutAfter?: number;
  /** After this many frames, reset the connection. */
  resetAfter?: number;
}

/** What became of one streamed answer. */
export interface StreamRecord {
  requestId: string | null;
  framesWritten: number;
  /** The final event was written. */
  completed: boolean;
  /** The client closed the connection before the stream ended. */
  clientAborted: boolean;
}

export interface EchoUpstream {
  /** Base URL including /v1, as configured for an upstream. */
  url: string;
  readonly received: ReceivedRequest[];
  readonly streams: StreamRecord[];
  close(): Promise<void>;
}

export interface EchoOptions {
  port?: number;
  /** Override the answer (tests use it to simulate upstream errors). */
  respond?: (request: ReceivedRequest) => { status: number; body: unknown } | undefined;
  /** Test-only: how a streamed answer to this request misbehaves; undefined streams normally. */
  stream?: (request: ReceivedRequest) => StreamBehaviour | undefined;
  /** Test-only: the answer text instead of the echo (a model that says something of its own); undefined echoes. */
  text?: (request: ReceivedRequest) => string | undefined;
  /** Test-only: extra response headers (a gateway's who-served headers); undefined adds none. */
  headers?: (request: ReceivedRequest) => Record<string, string> | undefined;
}

let sequence = 0;

export async function startEchoUpstream(options: EchoOptions = {}): Promise<EchoUpstream> {
  const received: ReceivedRequest[] = [];
  const streams: StreamRecord[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = null;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // The echo's job is to show what arrived: a body that is not JSON is shown as such, not as an error.
        body = { unparsable: true };
      }
      const request: ReceivedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
      };
      received.push(request);
      for (const [name, value] of Object.entries(options.headers?.(request) ?? {})) res.setHeader(name, value);
      const override = options.respond?.(request);
      if (override) return json(res, override.status, override.body);
      const api = ECHO_PATHS[request.path];
      if (request.method === 'GET' && request.path === '/v1/models') {
        return json(res, 200, {
          object: 'list',
          data: [{ id: 'echo-1', object: 'model', created: 0, owned_by: 'proctor-dev' }],
        });
      }
      if (request.method !== 'POST' || api === undefined || typeof body !== 'object' || body === null) {
        return json(res, 404, {
          error: {
            message: `echo upstream has no route ${request.method} ${request.path}`,
            type: 'invalid_request_error',
            code: 'not_found',
            param: null,
          },
        });
      }
      const id = `echo${((sequence += 1)).toString(36)}`;
      const parsed = body as Record<string, unknown>;
      const reply = options.text?.(request);
      if (!wantsStream(api, parsed)) return json(res, 200, answerJson(api, parsed, id, reply));
      const id2 = request.headers['x-proctor-request-id'];
      const record: StreamRecord = {
        requestId: typeof id2 === 'string' ? id2 : null,
        framesWritten: 0,
        completed: false,
        clientAborted: false,
      };
      streams.push(record);
      void writeStream(res, answerFrames(api, parsed, id, reply), options.stream?.(request) ?? {}, record);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    received,
    streams,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function writeStream(
  res: http.ServerResponse,
  frames: SseFrame[],
  behaviour: StreamBehaviour,
  record: StreamRecord,
): Promise<void> {
  let closed = false;
  res.on('close', () => {
    closed = true;
    if (!res.writableFinished) record.clientAborted = true;
  });
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  res.flushHeaders();
  for (const frame of frames) {
    if (closed) return;
    const n = record.framesWritten;
    if (behaviour.stallAfter !== undefined && n >= behaviour.stallAfter) return; // hold the connection open, silent
    if (behaviour.cutAfter !== undefined && n >= behaviour.cutAfter) {
      res.end();
      return;
    }
    if (behaviour.resetAfter !== undefined && n >= behaviour.resetAfter) {
      res.destroy();
      return;
    }
    if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (closed) return;
    const text = `${frame.event ? `event: ${frame.event}\n` : ''}data: ${frame.data}\n\n`;
    if (!res.write(text))
      await new Promise((resolve) => {
        res.once('drain', resolve);
        res.once('close', resolve);
      });
    record.framesWritten += 1;
  }
  record.completed = true;
  res.end();
}
