// The MCP proxy's order and failure paths with fakes at its seams (ledger, upstream, identity) and real parts
// elsewhere (the classifier, the checked-in policy bundle): nothing reaches the upstream before its decision is
// committed; an answer whose outcome cannot be recorded is withheld; every end of a forwarded call has its outcome.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createClassifier } from '../../../src/classification/index.ts';
import type { McpSettings } from '../../../src/config/index.ts';
import type { Ledger } from '../../../src/ledger/index.ts';
import { createMcpProxy, type McpReply, type McpUpstream } from '../../../src/mcp/index.ts';
import { boundedFetch } from '../../../src/mcp/upstream.ts';
import { loadPolicyBundle, type PolicyEngine } from '../../../src/policy/index.ts';

let engine: PolicyEngine;
beforeAll(async () => {
  engine = await loadPolicyBundle(fileURLToPath(new URL('../../../bundles/default.tar.gz', import.meta.url)));
});

const settings: McpSettings = {
  resource: 'https://proctor.test/mcp',
  authorizationServers: ['https://idp.test'],
  scopesSupported: [],
  servers: [
    {
      name: 'crm',
      url: 'http://127.0.0.1:9/mcp',
      credential: null,
      region: null,
      baa: false,
      zeroDataRetention: false,
      timeoutMs: 1000,
    },
  ],
  maxSessions: 10,
  sessionIdleSeconds: 60,
};

interface Harness {
  handle(body: unknown, headers?: Record<string, string>): Promise<McpReply & { body: unknown }>;
  appended: { type: string; body: Record<string, unknown> }[];
  calls: string[];
  session(): Promise<Record<string, string>>;
}

function harness(options: { failAppend?: 'decision' | 'outcome'; upstreamFails?: boolean } = {}): Harness {
  const appended: Harness['appended'] = [];
  const calls: string[] = [];
  const ledger: Pick<Ledger, 'append'> = {
    append: async (type, _requestId, body) => {
      if (type === options.failAppend)
        throw Object.assign(new Error('database down'), { code: 'ERR_AUDIT_UNAVAILABLE' });
      appended.push({ type, body });
      return { hash: 'a'.repeat(64), seq: appended.length } as Awaited<ReturnType<Ledger['append']>>;
    },
  };
  const upstream: McpUpstream = {
    server: settings.servers[0] as McpSettings['servers'][number],
    tools: async () => [
      {
        name: 'lookup',
        annotations: { read_only: true, destructive: false, idempotent: true, open_world: false },
        entry: { name: 'lookup', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
      },
    ],
    list: async () => [],
    callTool: async (name) => {
      calls.push(name);
      if (options.upstreamFails) throw new TypeError('fetch failed');
      return { content: [{ type: 'text', text: 'found' }] };
    },
    readResource: async () => ({ contents: [] }),
    getPrompt: async () => ({ messages: [] }),
    close: async () => {},
  };
  const proxy = createMcpProxy({
    settings,
    authenticator: {
      authenticate: async () => ({
        iss: 'https://idp.test',
        sub: 'alice',
        client_id: null,
        groups: ['eng'],
        tenant: null,
        token_fingerprint: 'f'.repeat(64),
      }),
    },
    classifier: createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) }),
    policy: { decide: (input) => ({ decision: engine.decide(input), version: engine.version, shadow: null }) },
    ledger: ledger as Ledger,
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    bodyDigestKey: new Uint8Array(32),
    upstreamFor: () => upstream,
  });
  let n = 0;
  const handle: Harness['handle'] = async (body, headers = {}) =>
    (await proxy.handle({
      requestId: `r${++n}`,
      server: 'crm',
      method: 'POST',
      headers: { authorization: 'Bearer t', accept: 'application/json, text/event-stream', ...headers },
      body: new TextEncoder().encode(JSON.stringify(body)),
    })) as McpReply & { body: unknown };
  return {
    handle,
    appended,
    calls,
    async session() {
      const opened = await handle({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
      });
      return { 'mcp-session-id': opened.headers['mcp-session-id'] as string, 'mcp-protocol-version': '2025-11-25' };
    },
  };
}

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
