// Round 8 ops, the body byte budget (server.max_body_bytes_in_flight, one address's share
// server.max_body_bytes_per_client) against clients without a credential. identify-first.ts identifies a request from
// its head before a byte of its body is read, on the five pipeline routes (POST); every other method and path still
// runs the transport's content-type parser (body.ts receiveBody) before any stage, so its body is taken from the
// budget unidentified. Through the real stack (startAdversarialStack), clients on several loopback addresses
// (127.0.0.2 ...), as several hosts would be. Holes not closed are `it.fails` with a `HOLE (open, <file>)` comment.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptBody } from './request-bodies.ts';
import { portOf, watchServers, type ServerSide } from './round7-ops-sockets.ts';
import { codeOf, useStack } from './round8-ops-stack.ts';

const MiB = 2 ** 20;
/** The default budget (32 MiB with the 4 MiB body limit) and one address's default share of it (16 MiB). */
const BUDGET = 32 * MiB;
const SHARE = 16 * MiB;
const BODY = 4_000_000;

let servers: ServerSide;
let port = 0;
// Registered first: the servers are watched before the stack answers its first request, whose port is Proctor's.
beforeAll(() => {
  servers = watchServers();
});
afterAll(() => servers?.close());
const stackOf = useStack('r8-ops-budget', () => {
  port = portOf(servers, (r) => r.headers['x-proctor-request-id'] === undefined && r.url === '/v1/chat/completions');
});

/** A connection from `from` that sends a request's head and all of its `length`-byte body but the last byte, and stays
 * open; resolves once written. */
function holdBody(from: string, requestLine: string, tag: string, length: number): Promise<Socket> {
  const head = Buffer.from(
    `${requestLine} HTTP/1.1\r\nhost: proctor\r\ncontent-type: application/json\r\n` +
      `x-attack: ${tag}\r\ncontent-length: ${length}\r\n\r\n`,
  );
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress: from }, () => {
      socket.write(head);
      socket.write(Buffer.alloc(length - 1, 0x20), () => resolve(socket));
    });
    socket.once('error', reject);
    socket.resume();
  });
}

/** Bodies from several addresses, none past its share, that fill the whole budget but 16 bytes (`requestLine` for
 * each); resolves once Proctor has read every byte sent. */
async function fillBudget(requestLine: string, tag: string): Promise<Socket[]> {
  const lengths: [string, number][] = [
    ...Array.from({ length: 4 }, (): [string, number] => ['127.0.0.2', BODY]),
    ...Array.from({ length: 4 }, (): [string, number] => ['127.0.0.3', BODY]),
    ['127.0.0.4', BUDGET - 8 * BODY - 16],
  ];
  for (const from of ['127.0.0.2', '127.0.0.3']) {
    const share = lengths.filter(([f]) => f === from).reduce((n, [, l]) => n + l, 0);
    expect(share).toBeLessThanOrEqual(SHARE);
  }
  const attack = (r: IncomingMessage) => r.headers['x-attack'] === tag;
  const sockets: Socket[] = [];
  for (const [from, length] of lengths) sockets.push(await holdBody(from, requestLine, tag, length));
  await servers.read(
    attack,
    lengths.reduce((n, [, l]) => n + l - 1, 0),
  );
  return sockets;
}

async function release(sockets: Socket[], tag: string) {
  for (const socket of sockets) socket.destroy();
  await servers.closed((r) => r.headers['x-attack'] === tag);
}

describe('bodies without a credential on a route that is not a pipeline route', () => {
  it('control: the same bodies on the chat route without a token are refused from the head, none held', async () => {
    const sockets = await fillBudget('POST /v1/chat/completions', 'pipeline-route');
    try {
      const x = await stackOf().send('chat', promptBody('chat', 'hello'));
      expect({ status: x.status, code: codeOf(x.body) }).toEqual({ status: 200, code: null });
    } finally {
      await release(sockets, 'pipeline-route');
    }
  }, 120_000);

  // Was a hole: only the five POST pipeline routes identified before reading; a POST to a path with no route, or
  // PUT/PATCH/OPTIONS/DELETE on a pipeline path, reached the '*' content-type parser (fastify parses the body of the
  // not-found route too) and receiveBody took its bytes from the shared budget with no credential asked: three
  // token-less addresses held the whole 32 MiB and every authenticated request with a body was refused 503
  // ERR_SERVER_BUSY. Closed in src/http/index.ts: the not-found route's body is read and dropped outside the budget
  // (identify-first.ts discard) and answered 404/405, its connection closed unless the body was read whole.
  const unidentified: [string, string, string][] = [
    ['a PUT on the chat path', 'PUT /v1/chat/completions', 'put-pipeline-path'],
    ['a POST to a path with no route', 'POST /v1/no-such-route', 'no-route'],
  ];
  for (const [name, requestLine, tag] of unidentified) {
    it(`${name} without a token holds no budget: an authenticated request is answered`, async () => {
      const sockets = await fillBudget(requestLine, tag);
      try {
        const x = await stackOf().send('chat', promptBody('chat', 'hello'));
        expect({ status: x.status, code: codeOf(x.body) }).toEqual({ status: 200, code: null });
      } finally {
        await release(sockets, tag);
      }
    }, 120_000);
  }

  it('control: afterwards the budget is whole again and the chain verifies', async () => {
    const x = await stackOf().send('chat', promptBody('chat', 'hello'));
    expect(x.status).toBe(200);
    expect(await stackOf().verify()).toEqual({ code: 0, ok: true });
  });
});
