// A token that expires while its request's body arrives (src/http/identify-first.ts, Authenticator.recheck): the real
// authenticator (an in-memory IdP) and the real pipeline or MCP proxy over real sockets, with a clock the test moves
// between the head (identified) and the rest of the body. Past `exp` plus the skew the request is refused 401
// ERR_TOKEN_EXPIRED in the API's shape, recorded as a denial at `identify`, and nothing is forwarded; a second before
// it, the request goes through.
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { buildServer } from '../../../src/http/index.ts';
import { createAuthenticator, type Authenticator } from '../../../src/identity/index.ts';
import type { Ledger } from '../../../src/ledger/index.ts';
import { createRequestHandler, type PipelineDeps } from '../../../src/pipeline/index.ts';
import { createLogSink } from '../../helpers/log-sink.ts';
import { defaultEngine, harness } from '../../helpers/mcp-harness.ts';
import { createMemoryLimiter } from '../../helpers/memory-limiter.ts';
import { registryOf, upstreamSettings } from '../../helpers/upstreams.ts';
import { config, fakeIdp, NOW } from '../identity/fake-idp.ts';

/** The token's exp is NOW + 300 s and the issuer's skew 30 s: expired from NOW + 330 s. */
const EXPIRED_AT_MS = NOW.getTime() + 330_000;

/** The clock the authenticator and the pipeline read; `identified` resolves when stage 1 has run from the head. */
function movableClock() {
  let now = NOW.getTime();
  return { now: () => new Date(now), set: (ms: number) => (now = ms) };
}

async function identity() {
  const idp = await fakeIdp();
  const clock = movableClock();
  const authenticator = createAuthenticator({ issuers: [config()], clock, fetch: idp.fetch });
  return { token: await idp.sign(idp.claims()), clock, authenticator };
}

/** Stage 1 resolves `identified` once it has run (from the head): the test then moves the clock. */
function watchIdentify(authenticator: Authenticator) {
  let identified: () => void = () => {};
  const once = new Promise<void>((resolve) => {
    identified = resolve;
  });
  const watched: Authenticator = {
    authenticate: async (headers) => {
      const principal = await authenticator.authenticate(headers);
      identified();
      return principal;
    },
    recheck: (principal) => authenticator.recheck(principal),
  };
  return { watched, identified: once };
}

function pipeline(authenticator: Authenticator, clock: { now(): Date }) {
  const records: { type: string; body: Record<string, unknown> }[] = [];
  const forwarded: unknown[] = [];
  const ledger = {
    chain: 'test',
    async append(type: string, _requestId: string | null, body: Record<string, unknown>) {
      records.push({ type, body: structuredClone(body) });
      return { chain: 'test', seq: records.length, hash: `h${records.length}`, bytes: new Uint8Array(), record: {} };
    },
  } as unknown as Ledger;
  const deps: PipelineDeps = {
    authenticator,
    classifier: { classify: () => ({ findings: [] }) },
    policy: {
      decide: () => ({
        decision: {
          allow: true,
          reasons: [],
          obligations: {
            upstreams: ['echo'],
            max_tokens: 64,
            redact: [],
            response: { redact: [], block: [] },
            limits: null,
          },
        },
        version: { revision: 'src-test', sha256: '0'.repeat(64) },
        shadow: null,
      }),
    },
    ledger,
    forwarder: {
      forward: async (_target, _path, body) => {
        forwarded.push(body);
        return { status: 200, contentType: 'application/json', body: { usage: { total_tokens: 3 } } };
      },
      openStream: async () => {
        throw new Error('this test does not stream');
      },
      close: async () => {},
    },
    upstreams: registryOf([upstreamSettings({ name: 'echo', zeroDataRetention: true })]),
    clock,
    limits: createMemoryLimiter({ now: () => clock.now().getTime() }),
    log: createLogSink().log,
  };
  return { handler: createRequestHandler(deps), records, forwarded };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

/** Sends the head and half the body; once stage 1 has run, moves the clock to `atMs`, sends the rest: the answer. */
async function sendAcrossExpiry(
  port: number,
  path: string,
  token: string,
  body: string,
  identified: Promise<void>,
  clock: ReturnType<typeof movableClock>,
  atMs: number,
): Promise<string> {
  const socket = connect({ port, host: '127.0.0.1' });
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  const answer = new Promise<string>((resolve) =>
    socket.once('close', () => resolve(Buffer.concat(received).toString('latin1'))),
  );
  const half = Math.floor(body.length / 2);
  socket.write(
    `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\n` +
      `authorization: Bearer ${token}\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n${body.slice(0, half)}`,
  );
  await identified;
  clock.set(atMs);
  socket.write(body.slice(half));
  return answer;
}

/** When the rest of the body arrives and the status it gets: at the token's expiry, and a second before (control). */
const ACROSS_EXPIRY = [
  ['expired (exp + skew reached)', EXPIRED_AT_MS, 401],
  ['control: a second before', EXPIRED_AT_MS - 1000, 200],
] as const;

/** Serves `app` on a free port of 127.0.0.1 until the test ends. */
async function listen(app: ReturnType<typeof buildServer>): Promise<number> {
  close = () => app.close();
  return Number(new URL(await app.listen({ host: '127.0.0.1', port: 0 })).port);
}

const status = (answer: string) => Number(/^HTTP\/1\.1 (\d{3}) /.exec(answer)?.[1]);
const codeOf = (answer: string) => /"code":"([A-Z_]+)"/.exec(answer)?.[1];

describe('the LLM APIs: a token that expires while the body arrives', () => {
  const body = JSON.stringify({ model: 'echo-1', messages: [{ role: 'user', content: 'hello '.repeat(2000) }] });

  it.each(ACROSS_EXPIRY)('%s', async (_name, atMs, expected) => {
    const { token, clock, authenticator } = await identity();
    const { watched, identified } = watchIdentify(authenticator);
    const { handler, records, forwarded } = pipeline(watched, clock);
    const app = buildServer({ handler, bodyLimitBytes: 64 * 1024 });
    const port = await listen(app);
    const answer = await sendAcrossExpiry(port, '/v1/chat/completions', token, body, identified, clock, atMs);
    expect(status(answer)).toBe(expected);
    if (expected === 200) {
      expect(forwarded).toHaveLength(1);
      return;
    }
    expect(codeOf(answer)).toBe('ERR_TOKEN_EXPIRED');
    // The API's shape: OpenAI's error object.
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({
      error: { code: 'ERR_TOKEN_EXPIRED', type: expect.any(String) },
    });
    expect(forwarded).toEqual([]);
    expect(records).toEqual([
      {
        type: 'decision',
        body: expect.objectContaining({
          decision: expect.objectContaining({
            allow: false,
            stage: 'identify',
            reasons: [expect.objectContaining({ code: 'ERR_TOKEN_EXPIRED' })],
          }),
        }),
      },
    ]);
  });
});

describe('MCP: a token that expires while the body arrives', () => {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id: 0,
    method: 'initialize',
    params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x'.repeat(8000), version: '1' } },
  });

  it.each(ACROSS_EXPIRY)('%s', async (_name, atMs, expected) => {
    const { token, clock, authenticator } = await identity();
    const { watched, identified } = watchIdentify(authenticator);
    const mcp = harness(await defaultEngine(), { authenticate: watched.authenticate, recheck: watched.recheck });
    const app = buildServer({ handler: pipeline(watched, clock).handler, mcp: mcp.proxy, bodyLimitBytes: 64 * 1024 });
    const port = await listen(app);
    const answer = await sendAcrossExpiry(port, '/mcp/crm', token, body, identified, clock, atMs);
    expect(status(answer)).toBe(expected);
    if (expected === 200) {
      expect(answer).toContain('"protocolVersion":"2025-11-25"');
      return;
    }
    expect(codeOf(answer)).toBe('ERR_TOKEN_EXPIRED');
    expect(answer).toMatch(/\r\nwww-authenticate: Bearer /i);
    expect(mcp.appended.map((r) => [r.type, r.body.decision])).toEqual([
      [
        'decision',
        expect.objectContaining({
          stage: 'identify',
          reasons: [expect.objectContaining({ code: 'ERR_TOKEN_EXPIRED' })],
        }),
      ],
    ]);
  });
});
