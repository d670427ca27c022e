// The forwarder reads a plain answer whole and bounded: chunks joined in order, an answer past maxResponseBytes
// refused (ERR_UPSTREAM_BAD_RESPONSE, the socket dropped), an answer cut short an unreachable upstream, and the
// server's drain signal ends the exchange as a failure, not as a timeout.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createForwarder, ForwardError, type UpstreamTarget } from '../../../src/forwarding/index.ts';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function upstream(handler: http.RequestListener): Promise<UpstreamTarget> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'u',
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    headers: {},
    timeouts: { connectMs: 2000, firstByteMs: 5000, totalMs: 10_000 },
  };
}

async function failure(promise: Promise<unknown>): Promise<ForwardError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ForwardError);
  return error as ForwardError;
}

describe('the forwarder reads a plain answer', () => {
  it('joins an answer sent in several chunks, multi-byte characters split between them', async () => {
    const text = JSON.stringify({ a: 'é'.repeat(5000), b: [1, 2, 3] });
    const bytes = Buffer.from(text, 'utf8');
    const target = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(bytes.subarray(0, 1001)); // inside a two-byte é
      res.write(bytes.subarray(1001, 7000));
      res.end(bytes.subarray(7000));
    });
    const forwarder = createForwarder();
    const answer = await forwarder.forward(target, '/x', {}, { requestId: 'r' });
    expect(answer.body).toEqual(JSON.parse(text));
    await forwarder.close();
  });

  it('refuses an answer past maxResponseBytes', async () => {
    const target = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write(`["${'x'.repeat(600)}`);
      res.end(`${'y'.repeat(600)}"]`);
    });
    const forwarder = createForwarder({ maxResponseBytes: 1000 });
    const error = await failure(forwarder.forward(target, '/x', {}, { requestId: 'r' }));
    expect(error.code).toBe('ERR_UPSTREAM_BAD_RESPONSE');
    expect(error.responseStarted).toBe(true);
    await forwarder.close();
  });

  it('fails an answer cut short as unreachable, after its response started', async () => {
    const target = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      setImmediate(() => res.destroy());
    });
    const forwarder = createForwarder();
    const error = await failure(forwarder.forward(target, '/x', {}, { requestId: 'r' }));
    expect(error.code).toBe('ERR_UPSTREAM_UNREACHABLE');
    expect(error.responseStarted).toBe(true);
    await forwarder.close();
  });

  it('ends the exchange when the outer signal aborts, as a failure and not a timeout', async () => {
    const outer = new AbortController();
    const target = await upstream((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('[');
      outer.abort(new Error('draining'));
    });
    const forwarder = createForwarder();
    const error = await failure(forwarder.forward(target, '/x', {}, { requestId: 'r', signal: outer.signal }));
    expect(error.code).toBe('ERR_UPSTREAM_UNREACHABLE');
    await forwarder.close();
  });
});
