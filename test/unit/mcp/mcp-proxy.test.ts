// The MCP proxy's order and failure paths with fakes at its seams (ledger, upstream, identity) and real parts
// elsewhere (the classifier, the checked-in policy bundle): nothing reaches the upstream before its decision is
// committed; an answer whose outcome cannot be recorded is withheld; every end of a forwarded call has its outcome.
import { beforeAll, describe, expect, it } from 'vitest';
import type { PolicyEngine } from '../../../src/policy/index.ts';
import { boundedFetch } from '../../../src/mcp/upstream.ts';
import { defaultEngine, harness as makeHarness } from '../../helpers/mcp-harness.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await defaultEngine();
});
const harness = (options?: Parameters<typeof makeHarness>[1]) => makeHarness(engine, options);

const lookup = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'lookup', arguments: { q: 'x' } } };
const codeOf = (reply: { body: unknown }) => (reply.body as { error?: { data?: { code?: string } } }).error?.data?.code;

describe('MCP proxy order and failures', () => {
  it('records the decision, then forwards, then records the outcome', async () => {
    const h = harness();
    const reply = await h.handle(lookup, await h.session());
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ result: { content: [{ text: 'found' }] } });
    expect(h.appended.map((r) => r.type)).toEqual(['decision', 'outcome']);
    expect(h.calls).toEqual(['lookup']);
  });

  it('forwards nothing when the decision cannot be recorded (503)', async () => {
    const h = harness({ failAppend: 'decision' });
    const reply = await h.handle(lookup, await h.session());
    expect(reply.status).toBe(503);
    expect(codeOf(reply)).toBe('ERR_AUDIT_UNAVAILABLE');
    expect(h.calls).toEqual([]);
  });

  it('withholds the result when its outcome cannot be recorded', async () => {
    const h = harness({ failAppend: 'outcome' });
    const reply = await h.handle(lookup, await h.session());
    expect(h.calls).toEqual(['lookup']);
    expect(reply.status).toBe(503);
    expect(codeOf(reply)).toBe('ERR_AUDIT_UNAVAILABLE');
    expect(JSON.stringify(reply.body)).not.toContain('found');
  });

  it('records an unreachable upstream as the outcome, with nothing of its error relayed', async () => {
    const h = harness({ upstreamFails: true });
    const reply = await h.handle(lookup, await h.session());
    expect(codeOf(reply)).toBe('ERR_UPSTREAM_UNREACHABLE');
    expect(JSON.stringify(reply.body)).not.toContain('fetch failed');
    expect(h.appended.at(-1)).toMatchObject({ type: 'outcome', body: { error: 'ERR_UPSTREAM_UNREACHABLE' } });
  });

  it('answers initialize, ping and notifications here, with no record and nothing forwarded', async () => {
    const h = harness();
    const headers = await h.session();
    expect((await h.handle({ jsonrpc: '2.0', id: 2, method: 'ping' }, headers)).body).toMatchObject({ result: {} });
    expect((await h.handle({ jsonrpc: '2.0', method: 'notifications/initialized' }, headers)).status).toBe(202);
    expect(h.appended).toEqual([]);
    expect(h.calls).toEqual([]);
  });

  it('negotiates a revision it serves, or offers its newest', async () => {
    const h = harness();
    const init = (version: string) =>
      h.handle({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: version, capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
    expect((await init('2025-06-18')).body).toMatchObject({ result: { protocolVersion: '2025-06-18' } });
    expect((await init('2024-11-05')).body).toMatchObject({ result: { protocolVersion: '2025-11-25' } });
  });
});

describe('a classification bound the arguments pass', () => {
  it("is refused as the client's (-32602 ERR_REQUEST_TOO_COMPLEX naming it), recorded at classify, not forwarded", async () => {
    // 128 objects keyed name, each 64 characters that can be a value's piece: more pairs than name-pairs.ts reads.
    const names = Array.from({ length: 128 }, (_, i) => ({ name: `NAME${i}X`.padEnd(64, 'Q') }));
    const h = harness();
    const call = { ...lookup, params: { name: 'lookup', arguments: { names } } };
    const reply = await h.handle(call, await h.session());
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ error: { code: -32602, data: { code: 'ERR_REQUEST_TOO_COMPLEX' } } });
    expect(JSON.stringify(reply.body)).toContain('ERR_NAME_PAIRS_EXCEEDED');
    expect(h.appended).toEqual([
      {
        type: 'decision',
        body: expect.objectContaining({
          decision: {
            allow: false,
            stage: 'classify',
            reasons: [
              { code: 'ERR_REQUEST_TOO_COMPLEX', message: 'classification bound passed: ERR_NAME_PAIRS_EXCEEDED' },
            ],
            obligations: null,
          },
        }),
      },
    ]);
    expect(h.calls).toEqual([]);
  });
});

describe('upstream answers are bounded', () => {
  it('errors a body past the byte cap instead of holding it', async () => {
    const big = new Uint8Array(64 * 1024).fill(0x61);
    const fetched = boundedFetch(1000, async () => new Response(big, { status: 200 }));
    const response = await fetched('http://127.0.0.1:9/mcp');
    await expect(response.text()).rejects.toThrow();
    const small = boundedFetch(1000, async () => new Response('{"ok":true}', { status: 200, headers: { a: 'b' } }));
    const ok = await small('http://127.0.0.1:9/mcp');
    expect(await ok.json()).toEqual({ ok: true });
    expect(ok.headers.get('a')).toBe('b');
  });
});
