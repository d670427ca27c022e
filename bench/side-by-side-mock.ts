// The side-by-side bench's mock upstream, a process of its own on the load generator's core: OpenAI chat completions
// (the echo upstream's answers, src/dev/echo-answers.ts) after `delay_ms`, or streamed with `stream_delay_ms` before
// each event. The bench sets both over the IPC channel before each scenario ({delay_ms, stream_delay_ms}, answered
// with {ok: true}). Unlike the echo upstream it keeps nothing per request, so its memory stays flat under load.
// Prints its base URL (with /v1) on the first line of stdout; loopback only.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerFrames, answerJson } from '../src/dev/echo-answers.ts';

let delayMs = 0;
let streamDelayMs = 0;
let sequence = 0;

const wait = (ms: number) => (ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve());

async function answer(req: http.IncomingMessage, res: http.ServerResponse, text: string): Promise<void> {
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"no route"}}');
    return;
  }
  const body = JSON.parse(text) as Record<string, unknown>;
  const id = `mock${((sequence += 1)).toString(36)}`;
  if (body.stream !== true) {
    await wait(delayMs);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answerJson('chat', body, id)));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  for (const frame of answerFrames('chat', body, id)) {
    await wait(streamDelayMs);
    if (res.destroyed) return;
    res.write(`${frame.event ? `event: ${frame.event}\n` : ''}data: ${frame.data}\n\n`);
  }
  res.end();
}

const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    answer(req, res, Buffer.concat(chunks).toString('utf8')).catch((err: unknown) => {
      // The bench counts any status but 200 as an error: a malformed request shows up there, not here.
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1\n`);
});
process.on('message', (message: { delay_ms: number; stream_delay_ms: number }) => {
  delayMs = message.delay_ms;
  streamDelayMs = message.stream_delay_ms;
  process.send?.({ ok: true });
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
