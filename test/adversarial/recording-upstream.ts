// A recording upstream for attack suites: a loopback HTTP server that keeps every byte it receives (per connection,
// as read from the socket, so nothing the HTTP layer hides is missed) and answers with what the test scripts: a JSON
// body, an SSE stream, or by default the echo upstream's answer for the API (src/dev/echo-answers.ts).
// The script is chosen per request by a `case-<id>` marker the test puts in the prompt; answers without one echo.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  answerFrames,
  answerJson,
  ECHO_PATHS,
  wantsStream,
  type EchoApi,
  type SseFrame,
} from '../../src/dev/echo-answers.ts';

export interface Recorded {
  path: string;
  /** Proctor's request id (x-proctor-request-id), when it sent one. */
  requestId: string | null;
  /** The request as parsed: headers and raw body bytes. */
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** What the upstream answers to one request; `api` and the parsed body let a script start from the echo answer. */
export type Script = (api: EchoApi, body: Record<string, unknown>, stream: boolean) => Answer;
export type Answer = (
  | { status: number; json: unknown }
  | { status: 200; frames: readonly SseFrame[] }
  | { status: number; raw: string; contentType: string }
) & { headers?: Record<string, string> };

export interface RecordingUpstream {
  /** Base URL with /v1 (openai-compatible and anthropic upstreams are configured with it). */
  url: string;
  readonly requests: readonly Recorded[];
  /** Every byte every connection delivered, headers and framing included. */
  bytes(): Buffer;
  /** Requests Proctor sent for this request id. */
  forRequest(requestId: string): Recorded[];
  /** Scripts the answer for prompts carrying `case-<id>`. */
  script(id: string, answer: Script): void;
  close(): Promise<void>;
}

export async function startRecordingUpstream(): Promise<RecordingUpstream> {
  const requests: Recorded[] = [];
  const chunks: Buffer[] = [];
  const scripts = new Map<string, Script>();
  const sockets = new Set<Socket>();
  let sequence = 0;
  const server = http.createServer((req, res) => {
    const body: Buffer[] = [];
    req.on('data', (c: Buffer) => body.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(body);
      const id = req.headers['x-proctor-request-id'];
      requests.push({
        path: req.url ?? '',
        requestId: typeof id === 'string' ? id : null,
        headers: req.headers,
        body: raw,
      });
      const api = ECHO_PATHS[req.url ?? ''];
      let parsed: Record<string, unknown> = {};
      try {
        parsed = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        parsed = {};
      }
      if (!api)
        return send(res, { status: 404, json: { error: { message: 'no such path', type: 'invalid_request_error' } } });
      const marker = /case-([a-z0-9-]+)/.exec(raw.toString('utf8'));
      const script = marker?.[1] ? scripts.get(marker[1]) : undefined;
      const stream = wantsStream(api, parsed);
      sequence += 1;
      const answer: Answer = script
        ? script(api, parsed, stream)
        : stream
          ? { status: 200, frames: answerFrames(api, parsed, `rec${sequence}`) }
          : { status: 200, json: answerJson(api, parsed, `rec${sequence}`) };
      send(res, answer);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    bytes: () => Buffer.concat(chunks),
    forRequest: (requestId) => requests.filter((r) => r.requestId === requestId),
    script: (id, answer) => {
      scripts.set(id, answer);
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function send(res: http.ServerResponse, answer: Answer): void {
  if ('frames' in answer) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...answer.headers });
    for (const frame of answer.frames)
      res.write(`${frame.event ? `event: ${frame.event}\n` : ''}data: ${frame.data}\n\n`);
    res.end();
    return;
  }
  if ('raw' in answer) {
    res.writeHead(answer.status, { 'content-type': answer.contentType, ...answer.headers });
    res.end(answer.raw);
    return;
  }
  const text = JSON.stringify(answer.json);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...answer.headers,
  });
  res.end(text);
}
