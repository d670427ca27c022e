// The one bounded reader: a body past its limit is refused and its source stopped, never truncated; the forwarder's
// upstream answers go through it too.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createForwarder, ForwardError } from '../../../src/forwarding/index.ts';
import { BodyTooLargeError, readBodyLimited, readChunksLimited } from '../../../src/outbound/index.ts';

async function* chunks(...sizes: number[]) {
  for (const n of sizes) yield new Uint8Array(n).fill(97);
}

describe('readChunksLimited', () => {
  it('joins chunks up to the limit, exactly at it included', async () => {
    expect((await readChunksLimited(chunks(3, 4), 7, () => {})).byteLength).toBe(7);
  });

  it('stops the source and refuses one byte past the limit', async () => {
    let stopped = false;
    await expect(readChunksLimited(chunks(3, 5), 7, () => (stopped = true))).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(stopped).toBe(true);
  });

  it('refuses a fetch body whose declared length is over the limit before reading it', async () => {
    const response = new Response('x'.repeat(10), { headers: { 'content-length': '10' } });
    await expect(readBodyLimited(response, 9)).rejects.toBeInstanceOf(BodyTooLargeError);
    expect(Buffer.from(await readBodyLimited(new Response('abc'), 3)).toString()).toBe('abc');
  });
});

describe('the forwarder reads answers through it', () => {
  it("refuses an upstream's answer past maxResponseBytes as a bad response, never truncated", async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ text: 'y'.repeat(5000) }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const forwarder = createForwarder({ maxResponseBytes: 1000 });
    const target = {
      name: 'up',
      baseUrl: `http://127.0.0.1:${port}`,
      headers: {},
      timeouts: { connectMs: 1000, firstByteMs: 2000, totalMs: 5000 },
    };
    try {
      const error = await forwarder.forward(target, '/x', {}, { requestId: 'r' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ForwardError);
      expect(error).toMatchObject({ code: 'ERR_UPSTREAM_BAD_RESPONSE', responseStarted: true, upstreamStatus: 200 });
      const small = createForwarder({ maxResponseBytes: 10_000 });
      expect((await small.forward(target, '/x', {}, { requestId: 'r' })).body).toEqual({ text: 'y'.repeat(5000) });
      await small.close();
    } finally {
      await forwarder.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
