// Identify before a body is read (src/http/identify-first.ts) and one client's share of the body budget (body.ts),
// over real sockets: a request whose credential fails is refused from its head (recorded through the handler, or the
// MCP proxy, 401, connection closed) and its body, read and dropped, holds none of the budget; an identified request's
// principal reaches the pipeline (or the MCP proxy), which does not identify again; one remote address holds at most
// its share of the budget while another's body is still read.
import type { IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/http/index.ts';
import { IdentityError, type RequestHeaders } from '../../../src/identity/index.ts';
import type { IncomingRequest, RequestHandler } from '../../../src/pipeline/index.ts';
import { listenWatched } from '../../adversarial/round7-ops-sockets.ts';
import { defaultEngine, harness } from '../../helpers/mcp-harness.ts';

const LIMIT = 32 * 1024;
const calls: string[] = [];
const handler = {
  identify: async (headers: IncomingRequest['headers']) => {
    calls.push('identify');
    if (headers.authorization?.[0] === 'Bearer good') return { sub: 'alice' };
    throw Object.assign(new Error('no token'), { code: 'ERR_TOKEN_MISSING' });
  },
  refuseIdentity: async (incoming: { requestId: string }, error: { code: string }) => {
    calls.push(`refuse:${error.code}`);
    return { status: 401, headers: {}, body: { error: { code: error.code, request_id: incoming.requestId } } };
  },
  handle: async (incoming: IncomingRequest) => {
    calls.push(`handle:${incoming.principal?.sub}`);
    return { status: 200, headers: {}, body: { ok: true } };
  },
  reject: async (_incoming: unknown, code: string) => {
    calls.push(`reject:${code}`);
    return { status: 400, headers: {}, body: { error: { code } } };
  },
} as unknown as RequestHandler;
/** The MCP proxy's caller: the Bearer token `good`, else no principal; every call counted. */
const authenticated: string[] = [];
const mcp = harness(await defaultEngine(), {
  authenticate: async (headers: RequestHeaders) => {
    authenticated.push(headers.authorization?.[0] ?? 'none');
    if (headers.authorization?.[0] !== 'Bearer good') throw new IdentityError('ERR_TOKEN_MISSING', 'no token');
    return { iss: 'https://idp.test', sub: 'alice', client_id: null, groups: [], tenant: null, token_fingerprint: 'f' };
  },
});
// A budget of two bodies, of which one address holds one.
const app = buildServer({
  handler,
  mcp: mcp.proxy,
  bodyLimitBytes: LIMIT,
  bodyBytesInFlight: 2 * LIMIT,
  bodyBytesPerClient: LIMIT,
});
const served = listenWatched(app);

const head = (length: number, token: string | null, tag: string, path = '/v1/chat/completions') =>
  `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\n` +
  `${token === null ? '' : `authorization: Bearer ${token}\r\n`}x-tag: ${tag}\r\ncontent-length: ${length}\r\n\r\n`;
const json = (bytes: number) => `{"model":"m","messages":"${'a'.repeat(bytes - 26)}"}`;
const tagged = (tag: string) => (r: IncomingMessage) => r.headers['x-tag'] === tag;

/** A connection from `from` that writes `bytes`; `answer` is what the server wrote before it closed the connection. */
function open(bytes: string, from = '127.0.0.1'): { socket: Socket; answer: Promise<string> } {
  const socket = connect({ port: served.port, host: '127.0.0.1', localAddress: from });
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  socket.on('error', () => {});
  socket.write(bytes);
  const answer = new Promise<string>((resolve) =>
    socket.once('close', () => resolve(Buffer.concat(received).toString('latin1'))),
  );
  return { socket, answer };
}

/** A request of a `bytes` body whose first `sent` bytes are sent: resolves once the server has read them. */
async function holdBody(bytes: number, sent: number, token: string | null, tag: string, path?: string, text?: string) {
  const body = text ?? json(bytes);
  const first = head(bytes, token, tag, path);
  const held = open(first + body.slice(0, sent));
  await served.servers.read(tagged(tag), first.length + sent);
  return { ...held, rest: body.slice(sent) };
}

const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);
const codeOf = (answer: string) => /"code":"([A-Z_]+)"/.exec(answer)?.[1];

describe('identify before the body', () => {
  it('refuses a request without a token from its head: recorded, 401, closed; its body holds no budget', async () => {
    calls.length = 0;
    const refused = await holdBody(30_000, 20_000, null, 'anonymous');
    expect(calls).toEqual(['identify', 'refuse:ERR_TOKEN_MISSING']);
    // Were its 20,000 bytes held, this address's share (32 KiB) would refuse a 30,000-byte body.
    const body = json(30_000);
    const allowed = await open(head(30_000, 'good', 'alice') + body).answer;
    expect(status(allowed)).toBe(200);
    refused.socket.write(refused.rest);
    const answer = await refused.answer;
    expect({ status: status(answer), code: codeOf(answer) }).toEqual({ status: 401, code: 'ERR_TOKEN_MISSING' });
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    // Identified once, by the transport: the pipeline got its principal.
    expect(calls).toEqual(['identify', 'refuse:ERR_TOKEN_MISSING', 'identify', 'handle:alice']);
  });

  it('closes a refused request whose declared body is over the limit without reading it', async () => {
    calls.length = 0;
    const answer = await open(head(LIMIT + 1, 'bad', 'large')).answer;
    expect({ status: status(answer), code: codeOf(answer) }).toEqual({ status: 401, code: 'ERR_TOKEN_MISSING' });
    expect(calls).toEqual(['identify', 'refuse:ERR_TOKEN_MISSING']);
  });
});

describe("one client's share of the budget", () => {
  it('refuses an address past its share (503 ERR_SERVER_BUSY) while another address is read', async () => {
    calls.length = 0;
    const first = await holdBody(30_000, 25_000, 'good', 'share-1');
    const second = await open(head(20_000, 'good', 'share-2') + json(20_000)).answer;
    expect({ status: status(second), code: codeOf(second) }).toEqual({ status: 503, code: 'ERR_SERVER_BUSY' });
    const other = await open(head(20_000, 'good', 'share-3') + json(20_000), '127.0.0.2').answer;
    expect(status(other)).toBe(200);
    first.socket.write(first.rest);
    expect(status(await first.answer)).toBe(200);
    expect(calls.filter((c) => c.startsWith('handle'))).toEqual(['handle:alice', 'handle:alice']);
  });
});

describe('MCP: identify before the body', () => {
  /** An MCP initialize of `bytes` bytes (its client name pads it). */
  const initialize = (bytes: number) => {
    const message = (name: string) =>
      JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name, version: '1' } },
      });
    return message('a'.repeat(bytes - message('').length));
  };
  const mcpRequest = (bytes: number, token: string | null, tag: string) =>
    head(bytes, token, tag, '/mcp/crm') + initialize(bytes);

  it('refuses a caller without a token from its head: recorded before its body ends, 401, closed; holds no budget', async () => {
    mcp.appended.length = 0;
    authenticated.length = 0;
    const refused = await holdBody(30_000, 20_000, null, 'mcp-anonymous', '/mcp/crm', initialize(30_000));
    // Identified and recorded from the head, while most of the body has not been sent.
    expect(mcp.appended.map((r) => [r.type, r.body.decision])).toEqual([
      [
        'decision',
        expect.objectContaining({
          stage: 'identify',
          reasons: [expect.objectContaining({ code: 'ERR_TOKEN_MISSING' })],
        }),
      ],
    ]);
    // Were its 20,000 bytes held, this address's share (32 KiB) would refuse a 30,000-byte body.
    const allowed = await open(mcpRequest(30_000, 'good', 'mcp-alice')).answer;
    expect(status(allowed)).toBe(200);
    expect(allowed).toContain('"protocolVersion":"2025-11-25"');
    refused.socket.write(refused.rest);
    const answer = await refused.answer;
    expect({ status: status(answer), code: codeOf(answer) }).toEqual({ status: 401, code: 'ERR_TOKEN_MISSING' });
    expect(answer).toMatch(/\r\nwww-authenticate: Bearer resource_metadata=/i);
    expect(answer).toMatch(/\r\nconnection: close\r\n/i);
    // Each request identified once: the proxy took the transport's principal.
    expect(authenticated).toEqual(['none', 'Bearer good']);
  });

  it("control: an unknown server is answered unrecorded; a caller's body over the limit is recorded, identified once", async () => {
    mcp.appended.length = 0;
    authenticated.length = 0;
    const unknown = await open(head(LIMIT + 1, 'good', 'mcp-unknown', '/mcp/nope')).answer;
    expect({ status: status(unknown), code: codeOf(unknown) }).toEqual({ status: 404, code: 'ERR_MCP_SERVER_UNKNOWN' });
    expect(authenticated).toEqual([]);
    const large = await open(head(LIMIT + 1, 'good', 'mcp-large', '/mcp/crm')).answer;
    expect({ status: status(large), code: codeOf(large) }).toEqual({ status: 413, code: 'ERR_REQUEST_TOO_LARGE' });
    expect(authenticated).toEqual(['Bearer good']);
    expect(mcp.appended).toEqual([
      {
        type: 'decision',
        body: expect.objectContaining({
          principal: expect.objectContaining({ sub: 'alice' }),
          decision: expect.objectContaining({ stage: 'transport' }),
        }),
      },
    ]);
  });
});
