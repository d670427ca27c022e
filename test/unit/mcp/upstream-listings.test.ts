// createUpstream's listings (src/mcp/upstream.ts): one read of a kind at a time (single flight). Callers that miss the
// cache while a read is in flight wait for that read; a failed read is not kept, its waiters get its error, and the
// next caller reads again. Against a real Streamable HTTP server (node:http answering JSON-RPC with JSON) whose
// listing answers are held until the test lets them go: the oracle is the listing requests it received. No timing.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUpstream } from '../../../src/mcp/upstream.ts';

let server: Server;
let url = '';
/** Listing requests received, by JSON-RPC method. */
const seen: Record<string, number> = {};
/** Listing answers wait for this; `failing` answers 500 instead. */
let gate: Promise<void> = Promise.resolve();
let failing = false;
/** Resolved when a listing request arrives. */
let arrived: () => void = () => {};

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', async () => {
      const message = JSON.parse(text) as { id?: number; method: string; params?: { protocolVersion?: string } };
      if (message.id === undefined) {
        response.writeHead(202).end();
        return;
      }
      const answer = (result: unknown) =>
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ jsonrpc: '2.0', id: message.id, result }));
      if (message.method === 'initialize') {
        answer({
          protocolVersion: message.params?.protocolVersion,
          capabilities: { tools: {}, prompts: {}, resources: {} },
          serverInfo: { name: 'listings', version: '1' },
        });
        return;
      }
      seen[message.method] = (seen[message.method] ?? 0) + 1;
      arrived();
      await gate;
      if (failing) {
        response.writeHead(500).end('down');
        return;
      }
      if (message.method === 'tools/list') answer({ tools: [{ name: 'lookup', inputSchema: { type: 'object' } }] });
      else answer({ prompts: [{ name: 'summary' }] });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
});

function upstream() {
  return createUpstream(
    {
      name: 'listings',
      url,
      credential: null,
      region: null,
      baa: false,
      zeroDataRetention: false,
      timeoutMs: 10_000,
      limits: [],
    },
    { listTtlMs: 30_000, clock: { now: () => new Date(0) } },
  );
}

/** Holds listing answers; resolves `first` when one arrives; `release` lets them go. */
function hold(): { first: Promise<void>; release: () => void } {
  let release = () => {};
  gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const first = new Promise<void>((resolve) => {
    arrived = resolve;
  });
  return { first, release };
}

describe('listings read once at a time', () => {
  it('12 prompts/list at once, none cached, make one upstream read and all get its items', async () => {
    const up = upstream();
    const before = seen['prompts/list'] ?? 0;
    const { first, release } = hold();
    const all = Array.from({ length: 12 }, () => up.list('prompts'));
    await first;
    release();
    const answers = await Promise.all(all);
    expect((seen['prompts/list'] ?? 0) - before).toBe(1);
    expect(answers.every((a) => a.length === 1 && a[0]?.['name'] === 'summary')).toBe(true);
    await up.list('prompts'); // cached now
    expect((seen['prompts/list'] ?? 0) - before).toBe(1);
    await up.close();
  });

  it('tools at once share one read too', async () => {
    const up = upstream();
    const before = seen['tools/list'] ?? 0;
    const { first, release } = hold();
    const all = Array.from({ length: 5 }, () => up.tools());
    await first;
    release();
    const answers = await Promise.all(all);
    expect((seen['tools/list'] ?? 0) - before).toBe(1);
    expect(answers.map((a) => a.map((t) => t.name))).toEqual(Array.from({ length: 5 }, () => ['lookup']));
    await up.close();
  });

  it('a failed read is not kept: its waiters get its error, the next caller reads again', async () => {
    const up = upstream();
    const before = seen['prompts/list'] ?? 0;
    failing = true;
    const { first, release } = hold();
    const all = Array.from({ length: 4 }, () => up.list('prompts'));
    await first;
    release();
    const settled = await Promise.allSettled(all);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected', 'rejected', 'rejected']);
    const reasons = new Set(settled.map((s) => (s.status === 'rejected' ? s.reason : null)));
    expect(reasons.size).toBe(1); // one read, one error
    expect((seen['prompts/list'] ?? 0) - before).toBe(1);
    failing = false;
    gate = Promise.resolve();
    expect(await up.list('prompts')).toEqual([{ name: 'summary' }]);
    expect((seen['prompts/list'] ?? 0) - before).toBe(2);
    await up.close();
  });
});
