// The MCP proxy with fakes at its seams (ledger, upstream, identity, an in-memory limiter and log) and real parts
// elsewhere (the classifier, the checked-in policy bundle), for unit, fault and property tests: what was appended,
// what reached the upstream and what was logged.
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../../src/classification/index.ts';
import type { McpSettings } from '../../src/config/index.ts';
import type { Ledger } from '../../src/ledger/index.ts';
import type { Limiter } from '../../src/limits/index.ts';
import { createMcpProxy, type McpDeps, type McpProxy, type McpReply, type McpUpstream } from '../../src/mcp/index.ts';
import { loadPolicyBundle, type PolicyEngine } from '../../src/policy/index.ts';
import { createLogSink, type LogEntry } from './log-sink.ts';
import { createMemoryLimiter } from './memory-limiter.ts';

let engine: PolicyEngine | undefined;
let classifier: ReturnType<typeof createClassifier> | undefined;

/** One classifier per test file (building its recognizers is the slow part). */
function sharedClassifier(): ReturnType<typeof createClassifier> {
  classifier ??= createClassifier({ fingerprintKey: new Uint8Array(32).fill(7) });
  return classifier;
}
/** The checked-in bundle, loaded once per test file. */
export async function defaultEngine(): Promise<PolicyEngine> {
  engine ??= await loadPolicyBundle(fileURLToPath(new URL('../../bundles/default.tar.gz', import.meta.url)));
  return engine;
}

export const settings: McpSettings = {
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
      limits: [],
    },
  ],
  maxSessions: 10,
  sessionIdleSeconds: 60,
};

export interface Harness {
  proxy: McpProxy;
  handle(body: unknown, headers?: Record<string, string>): Promise<McpReply & { body: unknown }>;
  appended: { type: string; body: Record<string, unknown> }[];
  calls: string[];
  /** The arguments each call forwarded, as the upstream received them. */
  forwarded: unknown[];
  logged: LogEntry[];
  session(): Promise<Record<string, string>>;
}

export function harness(
  engine: PolicyEngine,
  options: {
    failAppend?: 'decision' | 'outcome';
    upstreamFails?: boolean;
    /** Default: an in-memory limiter with no limits. */
    limits?: Limiter;
    /** The caller's subject (default alice). */
    sub?: string;
    serverLimits?: McpSettings['servers'][number]['limits'];
    /** Methods that replace the upstream's (a hostile server's `tools` or `callTool`; `calls` then records nothing). */
    upstream?: Partial<Omit<McpUpstream, 'server'>>;
    /** Replaces the authenticator, which otherwise accepts every request as the caller. */
    authenticate?: McpDeps['authenticator']['authenticate'];
    /** The authenticator's recheck once a body has arrived (absent: not checked). */
    recheck?: McpDeps['authenticator']['recheck'];
  } = {},
): Harness {
  const appended: Harness['appended'] = [];
  const calls: string[] = [];
  const forwarded: unknown[] = [];
  const ledger: Pick<Ledger, 'append'> = {
    append: async (type, _requestId, body) => {
      if (type === options.failAppend)
        throw Object.assign(new Error('database down'), { code: 'ERR_AUDIT_UNAVAILABLE' });
      appended.push({ type, body });
      return { hash: 'a'.repeat(64), seq: appended.length } as Awaited<ReturnType<Ledger['append']>>;
    },
  };
  const upstream: McpUpstream = {
    server: { ...(settings.servers[0] as McpSettings['servers'][number]), limits: options.serverLimits ?? [] },
    tools: async () => [
      {
        name: 'lookup',
        annotations: { read_only: true, destructive: false, idempotent: true, open_world: false },
        entry: { name: 'lookup', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
      },
    ],
    list: async () => [],
    callTool: async (name, args) => {
      calls.push(name);
      forwarded.push(args);
      if (options.upstreamFails) throw new TypeError('fetch failed');
      return { content: [{ type: 'text', text: 'found' }] };
    },
    readResource: async () => ({ contents: [] }),
    getPrompt: async () => ({ messages: [] }),
    close: async () => {},
    ...options.upstream,
  };
  const sink = createLogSink();
  const proxy = createMcpProxy({
    settings,
    authenticator: {
      authenticate:
        options.authenticate ??
        (async () => ({
          iss: 'https://idp.test',
          sub: options.sub ?? 'alice',
          client_id: null,
          groups: ['eng'],
          tenant: null,
          token_fingerprint: 'f'.repeat(64),
        })),
      ...(options.recheck ? { recheck: options.recheck } : {}),
    },
    classifier: sharedClassifier(),
    policy: { decide: (input) => ({ decision: engine.decide(input), version: engine.version, shadow: null }) },
    ledger: ledger as Ledger,
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    bodyDigestKey: new Uint8Array(32),
    upstreamFor: () => upstream,
    limits: options.limits ?? createMemoryLimiter(),
    log: sink.log,
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
    proxy,
    handle,
    appended,
    calls,
    forwarded,
    logged: sink.entries,
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
