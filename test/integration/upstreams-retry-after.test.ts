// The attempt loop over the real forwarder (undici) and real loopback servers: a 429's retry-after reaches the loop,
// is honoured within the cap before the same upstream is tried again, and one beyond the cap ends the attempts; the
// per-kind credential and no other header reach the upstream.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { createForwarder } from '../../src/forwarding/index.ts';
import { classifyForwardFailure, forwardToCandidates } from '../../src/pipeline/forward-attempts.ts';
import { ForwardError } from '../../src/forwarding/index.ts';
import { registryOf, upstreamSettings } from '../helpers/upstreams.ts';

interface Seen {
  headers: http.IncomingHttpHeaders;
  path: string;
}
let server: http.Server;
let base = '';
const seen: Seen[] = [];
let script: { status: number; headers?: Record<string, string> }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push({ headers: req.headers, path: req.url ?? '' });
      const next = script.shift() ?? { status: 200 };
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers });
      res.end(JSON.stringify(next.status === 200 ? { ok: true } : { error: { message: 'slow down' } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const context = {
  requestId: 'req-1',
  decisionId: 'd'.repeat(64),
  principal: { iss: 'https://idp.test', sub: 'alice', groups: [], tenant: null },
};

function attempt(retry: { maxAttempts: number; backoffMs: number; maxRetryAfterMs: number }) {
  const upstream = upstreamSettings({ name: 'only', baseUrl: base, credential: 'sk-upstream' });
  const registry = registryOf([upstream], { retry });
  const forwarder = createForwarder();
  const slept: number[] = [];
  const result = forwardToCandidates(
    { forwarder, upstreams: registry, clock: { now: () => new Date() } },
    { candidates: [upstream], path: '/chat/completions', body: { model: 'm' }, context },
    async (ms) => {
      slept.push(ms);
    },
  );
  return { result: result.finally(() => forwarder.close()), slept };
}

describe('the attempt loop over the real forwarder', () => {
  it('waits for a retry-after within the cap, then tries the same upstream again', async () => {
    script = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 200 }];
    seen.length = 0;
    const { result, slept } = attempt({ maxAttempts: 3, backoffMs: 50, maxRetryAfterMs: 2000 });
    const outcome = await result;
    expect(outcome.ok && outcome.response.status).toBe(200);
    expect(outcome.attempts.map((a) => a.status)).toEqual([429, 200]);
    expect(slept).toEqual([1000]);
    expect(seen).toHaveLength(2);
    expect(seen[0]?.path).toBe('/v1/chat/completions');
    expect(seen[0]?.headers.authorization).toBe('Bearer sk-upstream');
    expect(Object.keys(seen[0]?.headers ?? {}).filter((h) => h.startsWith('x-proctor-'))).toEqual([
      'x-proctor-request-id',
    ]);
  });

  it('hands back the 429 when its retry-after exceeds the cap and no other candidate is left', async () => {
    script = [{ status: 429, headers: { 'retry-after': '120' } }];
    seen.length = 0;
    const { result, slept } = attempt({ maxAttempts: 3, backoffMs: 50, maxRetryAfterMs: 2000 });
    const outcome = await result;
    expect(outcome).toMatchObject({ ok: true, response: { status: 429, retryAfter: '120' } });
    expect(slept).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  it('classifies forward failures: retry only before the answer started, or on a 429/5xx status', () => {
    expect(classifyForwardFailure(new ForwardError('ERR_UPSTREAM_UNREACHABLE', 'x'))).toEqual({
      code: 'ERR_UPSTREAM_UNREACHABLE',
      retryable: true,
      status: null,
    });
    expect(
      classifyForwardFailure(
        new ForwardError('ERR_UPSTREAM_TIMEOUT', 'x', { responseStarted: true, upstreamStatus: 200 }),
      ),
    ).toEqual({ code: 'ERR_UPSTREAM_TIMEOUT', retryable: false, status: 200 });
    expect(
      classifyForwardFailure(
        new ForwardError('ERR_UPSTREAM_BAD_RESPONSE', 'x', { responseStarted: true, upstreamStatus: 502 }),
      ),
    ).toEqual({ code: 'ERR_UPSTREAM_BAD_RESPONSE', retryable: true, status: 502 });
    expect(classifyForwardFailure(new Error('bug'))).toEqual({ code: 'ERR_INTERNAL', retryable: false, status: null });
  });
});
