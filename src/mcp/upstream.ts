// Proctor's own MCP sessions with the upstream servers, through the official SDK's client (Streamable HTTP). One
// client per server, opened on first use with Proctor's credential for it (never the caller's token: the MCP
// authorization spec forbids passing it through), dropped after a transport failure and reopened on next use.
// Invariants: Proctor declares no client capabilities, so upstreams cannot ask it for sampling, roots or elicitation;
// redirects are refused (a credential never follows one); every call has a deadline; the tool list a call is judged
// against is the server's own, read at most `listTtlMs` ago, and so are the resources and prompts it lists.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { McpServerSettings } from '../config/index.ts';

/** One tool as the server listed it (annotations are hints: absent ones are null). */
export interface UpstreamTool {
  name: string;
  annotations: {
    read_only: boolean | null;
    destructive: boolean | null;
    idempotent: boolean | null;
    open_world: boolean | null;
  };
  /** The server's whole entry for the tool, screened before any client sees it. */
  entry: Record<string, unknown>;
}

export interface CallOptions {
  /** Upstream progress, relayed to the client (screened) when it asked for progress. */
  onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
  signal?: AbortSignal;
}

export interface McpUpstream {
  readonly server: McpServerSettings;
  /** Every tool the server lists (every page, bounded), cached for listTtlMs. */
  tools(): Promise<UpstreamTool[]>;
  /** Every resource or prompt the server lists (every page, bounded), cached for listTtlMs. */
  list(kind: 'resources' | 'prompts'): Promise<Record<string, unknown>[]>;
  callTool(name: string, args: Record<string, unknown>, options: CallOptions): Promise<Record<string, unknown>>;
  readResource(uri: string, options: CallOptions): Promise<Record<string, unknown>>;
  getPrompt(name: string, args: Record<string, string>, options: CallOptions): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** Pages read from one listing before Proctor gives up on it (a server that never stops paging). */
const MAX_PAGES = 20;
/** Bytes read from one upstream HTTP answer (a JSON result, or one SSE stream of progress and result) at most. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;

export function createUpstream(
  server: McpServerSettings,
  options: { listTtlMs?: number; maxAnswerBytes?: number; clock: { now(): Date } },
): McpUpstream {
  let connecting: Promise<Client> | null = null;
  let cached: { at: number; tools: UpstreamTool[] } | null = null;
  const listed: Partial<Record<'resources' | 'prompts', { at: number; items: Record<string, unknown>[] }>> = {};
  const ttl = options.listTtlMs ?? 30_000;
  /** The listing read in flight, by kind: callers that miss the cache meanwhile wait for it instead of reading again. */
  const reading: Partial<Record<'tools' | 'resources' | 'prompts', Promise<unknown>>> = {};

  /** One read of `kind` at a time (single flight); a failed read is not kept: its waiters get its error. */
  function once<T>(kind: 'tools' | 'resources' | 'prompts', read: () => Promise<T>): Promise<T> {
    const held = reading[kind];
    if (held !== undefined) return held as Promise<T>;
    const started = read().finally(() => {
      if (reading[kind] === started) delete reading[kind];
    });
    reading[kind] = started;
    return started;
  }

  function connect(): Promise<Client> {
    connecting ??= open().catch((error: unknown) => {
      connecting = null;
      throw error;
    });
    return connecting;
  }

  async function open(): Promise<Client> {
    const headers: Record<string, string> = {};
    if (server.credential !== null) headers['authorization'] = `Bearer ${server.credential}`;
    const transport = new StreamableHTTPClientTransport(new URL(server.url), {
      requestInit: { headers, redirect: 'error' },
      fetch: boundedFetch(options.maxAnswerBytes ?? MAX_ANSWER_BYTES),
    });
    const client = new Client({ name: 'proctor', version: '1' }, { capabilities: {} });
    client.onerror = () => {}; // transport errors surface as the failed request's rejection
    client.onclose = () => {
      connecting = null;
    };
    await client.connect(transport, { timeout: server.timeoutMs });
    return client;
  }

  /** Runs `call` on the open client; a failure that is not the server's JSON-RPC answer drops the client. */
  async function withClient<T>(call: (client: Client) => Promise<T>): Promise<T> {
    const client = await connect();
    try {
      return await call(client);
    } catch (error) {
      if (!isRpcError(error)) {
        connecting = null;
        void client.close().catch(() => {}); // the failure being reported is the call's; a close error adds nothing
      }
      throw error;
    }
  }

  function requestOptions(o: CallOptions) {
    return {
      timeout: server.timeoutMs,
      maxTotalTimeout: server.timeoutMs,
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onProgress ? { onprogress: o.onProgress, resetTimeoutOnProgress: true } : {}),
    };
  }

  async function pages<T>(read: (cursor: string | undefined) => Promise<{ items: T[]; next?: string | undefined }>) {
    const all: T[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const { items, next } = await read(cursor);
      all.push(...items);
      if (next === undefined) return all;
      cursor = next;
    }
    throw new Error(`the server's listing goes past ${MAX_PAGES} pages`);
  }

  async function readList(kind: 'resources' | 'prompts', at: number): Promise<Record<string, unknown>[]> {
    const items = await withClient((client) =>
      pages(async (cursor) => {
        const params = cursor === undefined ? {} : { cursor };
        const timeout = { timeout: server.timeoutMs };
        if (kind === 'resources') {
          const r = await client.listResources(params, timeout);
          return { items: r.resources as Record<string, unknown>[], next: r.nextCursor };
        }
        const r = await client.listPrompts(params, timeout);
        return { items: r.prompts as Record<string, unknown>[], next: r.nextCursor };
      }),
    );
    listed[kind] = { at, items };
    return items;
  }

  return {
    server,
    async tools() {
      const at = options.clock.now().getTime();
      if (cached !== null && at - cached.at < ttl) return cached.tools;
      return once('tools', async () => {
        const listed = await withClient((client) =>
          pages(async (cursor) => {
            const r = await client.listTools(cursor === undefined ? {} : { cursor }, { timeout: server.timeoutMs });
            return { items: r.tools as Record<string, unknown>[], next: r.nextCursor };
          }),
        );
        const tools = listed.map(toolOf);
        cached = { at, tools };
        return tools;
      });
    },
    async list(kind) {
      const at = options.clock.now().getTime();
      const held = listed[kind];
      if (held !== undefined && at - held.at < ttl) return held.items;
      return once(kind, () => readList(kind, at));
    },
    callTool(name, args, o) {
      return withClient(
        async (client) =>
          (await client.callTool({ name, arguments: args }, undefined, requestOptions(o))) as Record<string, unknown>,
      );
    },
    readResource(uri, o) {
      return withClient(
        async (client) => (await client.readResource({ uri }, requestOptions(o))) as Record<string, unknown>,
      );
    },
    getPrompt(name, args, o) {
      return withClient(
        async (client) =>
          (await client.getPrompt({ name, arguments: args }, requestOptions(o))) as Record<string, unknown>,
      );
    },
    async close() {
      const open = connecting;
      connecting = null;
      if (open) await (await open.catch(() => null))?.close();
    },
  };
}

/** fetch whose answers error past `maxBytes` (memory stays bounded whatever an upstream sends; the call then fails). */
export function boundedFetch(maxBytes: number, base: typeof fetch = fetch) {
  return async (url: string | URL, init?: RequestInit): Promise<Response> => {
    const response = await base(url, init);
    if (response.body === null) return response;
    let seen = 0;
    const limit = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        seen += chunk.byteLength;
        if (seen > maxBytes) controller.error(new Error(`the upstream's answer passed ${maxBytes} bytes`));
        else controller.enqueue(chunk);
      },
    });
    return new Response(response.body.pipeThrough(limit), {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  };
}

/** A tool's annotations as the policy reads them: a hint the server did not give (or gave as a non-boolean) is null. */
function toolOf(entry: Record<string, unknown>): UpstreamTool {
  const a = entry['annotations'];
  const hints = typeof a === 'object' && a !== null ? (a as Record<string, unknown>) : {};
  const hint = (key: string) => (typeof hints[key] === 'boolean' ? (hints[key] as boolean) : null);
  return {
    name: String(entry['name']),
    annotations: {
      read_only: hint('readOnlyHint'),
      destructive: hint('destructiveHint'),
      idempotent: hint('idempotentHint'),
      open_world: hint('openWorldHint'),
    },
    entry,
  };
}

/** The server's JSON-RPC error answer (the SDK's McpError carries a numeric code), as opposed to a transport
 * failure. */
export function isRpcError(error: unknown): boolean {
  return error instanceof Error && error.name === 'McpError' && typeof (error as { code?: unknown }).code === 'number';
}
